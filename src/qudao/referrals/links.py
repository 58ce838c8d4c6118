"""Referral codes and landing URLs: what may be stored, and the URL a click is sent on to."""

from __future__ import annotations

import secrets
import string
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_

ALPHABET = string.digits + string.ascii_letters
# 62^12 ≈ 3·10^21 codes: a code cannot be guessed from another, or by trying.
CODE_LENGTH = 12
MAX_URL_LENGTH = 2000
BAD_URL = N_("The landing URL must be a full http:// or https:// address, such as "
             "https://example.com/welcome.")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def is_code(text: str) -> bool:
    return 8 <= len(text) <= 32 and all(c in ALPHABET for c in text)


def check_landing_url(value: str, field: str = "landing_url") -> str:
    """An absolute http(s) URL with a host and nothing a browser might read otherwise
    (no spaces or control characters, no user name or password)."""
    url = value.strip()
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 or c == "\\"
                                                   for c in url):
        raise Unprocessable(BAD_URL, field=field)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Unprocessable(BAD_URL, field=field) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Unprocessable(BAD_URL, field=field)
    if parts.username is not None or parts.password is not None or port == 0:
        raise Unprocessable(BAD_URL, field=field)
    return url


def landing_with(landing_url: str, code: str, visitor_id: str) -> str:
    """The landing URL with ``ref`` and ``vid`` set in its query (replacing any there), so
    that the company's site can report the visitor's next steps."""
    parts = urlsplit(landing_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in ("ref", "vid")]
    query += [("ref", code), ("vid", visitor_id)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query),
                       parts.fragment))
