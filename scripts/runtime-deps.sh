#!/usr/bin/env bash
# The one system package the app itself needs: a CJK font, so that generated PDFs draw
# Chinese instead of empty boxes. Installed when missing and we may; otherwise a hint.
set -euo pipefail

fc-list :lang=zh 2>/dev/null | grep -q . && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing a Chinese font for PDFs (fonts-wqy-microhei) …"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null
else
  echo "Note: no Chinese font found; Chinese PDFs need one." >&2
  echo "  Debian/Ubuntu: sudo apt-get install -y fonts-wqy-microhei" >&2
fi
