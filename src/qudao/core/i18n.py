"""Two languages, zh-CN and en, through Babel's gettext catalogs.

Catalogs are read from the ``.po`` files at start-up and compiled in memory, so a
fresh checkout needs no build step and a translator edits one file.
"""

from __future__ import annotations

import io
from datetime import datetime as datetime_
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LocaleCode = Literal["en", "zh-CN"]
LOCALES: tuple[LocaleCode, ...] = ("en", "zh-CN")
DEFAULT_LOCALE: LocaleCode = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGE_NAMES: dict[LocaleCode, str] = {"en": "English", "zh-CN": "简体中文"}


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where the reader's locale is known."""
    return message


def babel_name(locale: LocaleCode) -> str:
    return locale.replace("-", "_")


def catalog_path(locale: LocaleCode) -> Path:
    return LOCALE_DIR / babel_name(locale) / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: LocaleCode) -> NullTranslations:
    path = catalog_path(locale)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=babel_name(locale))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def coerce_locale(value: str | None) -> LocaleCode | None:
    if not value:
        return None
    lowered = value.strip().lower().replace("_", "-")
    if lowered.startswith("zh"):
        return "zh-CN"
    if lowered.startswith("en"):
        return "en"
    return None


def negotiate(accept_language: str | None) -> LocaleCode | None:
    """The first supported language of an Accept-Language header, by weight."""
    if not accept_language:
        return None
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        weighted.append((-weight, index, tag))
    for _weight, _index, tag in sorted(weighted):
        found = coerce_locale(tag)
        if found:
            return found
    return None


def translate(locale: LocaleCode, message: str, /, **params: Any) -> str:
    text = translations(locale).gettext(message)
    return text % params if params else text


def translate_plural(locale: LocaleCode, singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(locale).ngettext(singular, plural, n)
    return text % {"num": n, **params}


class Translator:
    """The gettext callables of one locale, for templates and services rendering text."""

    def __init__(self, locale: LocaleCode) -> None:
        self.locale = locale
        self.babel_locale = Locale.parse(babel_name(locale))

    def gettext(self, message: str, /, **params: Any) -> str:
        return translate(self.locale, message, **params)

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        return translate_plural(self.locale, singular, plural, n, **params)

    def datetime(self, value: datetime_ | None, fmt: str = "medium") -> str:
        if value is None:
            return "—"
        return dates.format_datetime(value, fmt, locale=self.babel_locale)

    def date(self, value: datetime_ | None, fmt: str = "medium") -> str:
        if value is None:
            return "—"
        return dates.format_date(value, fmt, locale=self.babel_locale)

    def number(self, value: int | Decimal) -> str:
        return numbers.format_decimal(value, locale=self.babel_locale)

    def percent(self, ratio: Decimal) -> str:
        return numbers.format_percent(ratio, "#,##0.0%", locale=self.babel_locale)

    def money(self, amount: Decimal, currency: str) -> str:
        return numbers.format_currency(amount, currency, locale=self.babel_locale)
