"""Argon2id password hashes at the OWASP floor or above (m=19 MiB, t=2, p=1)."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_

MIN_PASSWORD_LENGTH = 10
HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1, type=Type.ID)
# Verified against when the e-mail is unknown, so that both cases cost the same time.
_DUMMY_HASH = HASHER.hash("qudao-timing-equaliser")


def check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Unprocessable(
            N_("Choose a password of at least %(n)s characters."),
            field="password",
            n=MIN_PASSWORD_LENGTH,
        )


def hash_password(password: str) -> str:
    check_strength(password)
    return HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return HASHER.check_needs_rehash(stored)
