"""API key format: ``qudao_pk_`` (partner) or ``qudao_sk_`` (staff), 37 random base62
characters (≈220 bits), and a 6-character base62 CRC32 checksum.

The checksum lets a leaked key be recognised offline and a mistyped key be refused
before any database lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import zlib
from typing import Literal

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
BODY_LENGTH = 37
CHECKSUM_LENGTH = 6
KeyKind = Literal["pk", "sk"]
KEY_PATTERN = re.compile(r"^qudao_(pk|sk)_[0-9A-Za-z]{37}[0-9A-Za-z]{6}$")


def _base62(value: int, width: int) -> str:
    digits = []
    for _ in range(width):
        value, remainder = divmod(value, 62)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits))


def checksum(payload: str) -> str:
    return _base62(zlib.crc32(payload.encode()), CHECKSUM_LENGTH)


def generate(kind: KeyKind) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    payload = f"qudao_{kind}_{body}"
    return payload + checksum(payload)


def well_formed(token: str) -> bool:
    if not KEY_PATTERN.match(token):
        return False
    payload, check = token[:-CHECKSUM_LENGTH], token[-CHECKSUM_LENGTH:]
    return hmac.compare_digest(checksum(payload), check)


def kind_of(token: str) -> KeyKind:
    return "pk" if token.startswith("qudao_pk_") else "sk"


def digest(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def display_prefix(token: str) -> str:
    return token[:13]


def session_token() -> str:
    return secrets.token_urlsafe(32)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
