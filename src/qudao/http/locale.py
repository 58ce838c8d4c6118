"""The reader's language: the user's saved choice, then the language cookie, then the
browser's Accept-Language, then the configured default."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from qudao.core.i18n import LocaleCode, coerce_locale, negotiate

LANGUAGE_COOKIE = "qudao_lang"


def request_locale(request: Request) -> LocaleCode:
    state = request.scope.get("state", {})
    chosen = coerce_locale(state.get("user_locale"))
    if chosen:
        return chosen
    chosen = coerce_locale(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    chosen = negotiate(request.headers.get("accept-language"))
    if chosen:
        return chosen
    default: LocaleCode = request.app.state.settings.default_locale
    return default


RequestLocale = Annotated[LocaleCode, Depends(request_locale)]
