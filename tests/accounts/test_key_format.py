"""C07: the key format. A prefix, 37 base62 characters of randomness, a CRC32 checksum in
6 base62 characters; a mistyped key is refused before any database lookup."""

from __future__ import annotations

import hmac
import math
import zlib

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qudao.accounts import tokens

PUBLISHED = r"^qudao_(pk|sk)_[0-9A-Za-z]{37}[0-9A-Za-z]{6}$"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _crc_base62(payload: str) -> str:
    value = zlib.crc32(payload.encode())
    digits = ""
    for _ in range(6):
        value, rest = divmod(value, 62)
        digits = ALPHABET[rest] + digits
    return digits


def test_the_published_pattern_is_the_one_in_code() -> None:
    assert tokens.KEY_PATTERN.pattern == PUBLISHED
    assert tokens.ALPHABET == ALPHABET


def test_entropy_is_at_least_128_bits() -> None:
    assert tokens.BODY_LENGTH * math.log2(62) >= 128


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["pk", "sk"]))
def test_every_generated_key_matches_the_pattern_and_checksum(kind: str) -> None:
    key = tokens.generate(kind)  # type: ignore[arg-type]
    assert tokens.KEY_PATTERN.match(key)
    assert key.startswith(f"qudao_{kind}_")
    assert key[-6:] == _crc_base62(key[:-6])
    assert tokens.well_formed(key)
    assert tokens.kind_of(key) == kind


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(["pk", "sk"]), data=st.data())
def test_one_changed_character_is_refused_offline(kind: str, data: st.DataObject) -> None:
    key = tokens.generate(kind)  # type: ignore[arg-type]
    position = data.draw(st.integers(min_value=0, max_value=len(key) - 1))
    # No filter on the random key: a strategy that depends on it would draw differently
    # when Hypothesis replays the example.
    replacement = data.draw(st.sampled_from(ALPHABET + "_-."))
    assume(replacement != key[position])
    typo = key[:position] + replacement + key[position + 1:]
    assert not tokens.well_formed(typo)


@pytest.mark.parametrize("bad", [
    "", "qudao_pk_", "Bearer x", "qudao_xx_" + "a" * 43, "qudao_pk_" + "a" * 42,
    "qudao_pk_" + "a" * 44, "QUDAO_PK_" + "a" * 43, "qudao_pk_" + "é" * 43,
])
def test_malformed_keys_are_refused(bad: str) -> None:
    assert not tokens.well_formed(bad)


def test_the_checksum_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    key = tokens.generate("pk")
    assert tokens.well_formed(key)
    assert calls
    assert calls[-1] == (key[-6:], key[-6:])


def test_the_digest_is_keyed() -> None:
    key = tokens.generate("pk")
    assert tokens.digest("secret-one" * 4, key) != tokens.digest("secret-two" * 4, key)
    assert key not in tokens.digest("secret-one" * 4, key)
    assert len(tokens.digest("s" * 40, key)) == 64
