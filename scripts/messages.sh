#!/usr/bin/env bash
# Extracts every translatable message of src/ into src/qudao/locale/messages.pot and merges
# it into the zh_CN and en catalogs. No compile step: the app reads the .po files directly.
#
#   bash scripts/messages.sh
#
# Then translate the new or changed entries (empty or "#, fuzzy") in
# src/qudao/locale/zh_CN/LC_MESSAGES/messages.po; tests/test_i18n.py lists what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
[ -x "$PYBABEL" ] || PYBABEL="$(command -v pybabel)"
LOCALE_DIR=src/qudao/locale
POT="$LOCALE_DIR/messages.pot"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n 1)"

mkdir -p "$LOCALE_DIR"
"$PYBABEL" --quiet extract -F babel.cfg -o "$POT" \
  --no-default-keywords -k N_ -k _ -k gettext -k ngettext:1,2 \
  --project qudao --version "$VERSION" --copyright-holder "qudao contributors" \
  --sort-by-file --width 100 \
  .

for locale in zh_CN en; do
  "$PYBABEL" --quiet update -i "$POT" -d "$LOCALE_DIR" -l "$locale" --width 100 \
    --ignore-obsolete --init-missing
done
echo "Catalogs updated: $LOCALE_DIR/{zh_CN,en}/LC_MESSAGES/messages.po"
