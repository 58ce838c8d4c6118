"""Every message of the code and the templates has a Chinese translation with the same
placeholders; the language negotiation picks what the browser asks for.

The messages are extracted from the sources with Babel's own API and babel.cfg (the mapping
scripts/messages.sh uses), not read from the .pot file, which may be stale.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from qudao.core.i18n import LOCALES, Translator, catalog_path, negotiate, translate

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "N_": None, "_": None, "gettext": None, "ngettext": (1, 2),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")

MessageId = str | tuple[str, ...]


@cache
def extracted() -> dict[MessageId, list[str]]:
    """Every msgid of src/ with the places it comes from."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[MessageId, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS,
        directory_filter=lambda path: not Path(path).name.startswith((".", "_")),
    ):
        key: MessageId = tuple(message) if isinstance(message, list | tuple) else message
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


@cache
def catalog(locale: str) -> Catalog:
    with catalog_path(locale).open("rb") as handle:  # type: ignore[arg-type]
        return read_po(handle, locale=locale.replace("-", "_"))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_extraction_finds_code_and_template_messages() -> None:
    messages = extracted()
    assert "Administrator" in messages  # N_ in accounts/roles.py
    assert "Sign in" in messages  # a template
    assert ("%(num)s day", "%(num)s days") in messages  # ngettext in a template
    assert len(messages) > 100


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogs_exist(locale: str) -> None:
    assert catalog_path(locale).exists(), f"run: bash scripts/messages.sh ({locale})"


def test_every_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    zh = catalog("zh-CN")
    missing: list[str] = []
    mismatched: list[str] = []
    for key, places in sorted(extracted().items(), key=lambda item: str(item[0])):
        singular = key[0] if isinstance(key, tuple) else key
        entry = zh.get(singular)
        strings = () if entry is None else (
            entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{key!r}  ({places[0]})")
            continue
        expected = set().union(*(placeholders(s) for s in
                                 (key if isinstance(key, tuple) else (key,))))
        for translated in strings:
            if placeholders(translated) != expected:
                mismatched.append(f"{key!r} -> {translated!r}")
    assert not missing, ("Messages without a zh_CN translation (run bash scripts/messages.sh, "
                         "then translate them):\n" + "\n".join(missing))
    assert not mismatched, "Placeholders differ:\n" + "\n".join(mismatched)


def test_translations_are_used_at_run_time() -> None:
    assert translate("zh-CN", "Administrator") != "Administrator"
    assert translate("en", "Administrator") == "Administrator"
    text = Translator("zh-CN").ngettext("%(num)s day", "%(num)s days", 3)
    assert "3" in text
    assert "days" not in text


@pytest.mark.parametrize(("header", "expected"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
    ("en-GB,en;q=0.9", "en"),
    ("zh-TW", "zh-CN"),
    ("zh_Hans_CN", "zh-CN"),
    ("fr-FR,fr;q=0.9,en;q=0.5,zh;q=0.7", "zh-CN"),
    ("fr-FR,de;q=0.9", None),
    ("en;q=0.2, zh;q=0.8", "zh-CN"),
    ("en;q=bad, zh;q=0.1", "zh-CN"),
    ("*", None),
    ("", None),
    (None, None),
])
def test_negotiate_accept_language(header: str | None, expected: str | None) -> None:
    assert negotiate(header) == expected
