"""Duplicate detection: the same normalised name or web domain is a duplicate; a close
name is a possible duplicate."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from urllib.parse import urlsplit

# Legal-form words that do not make two companies different.
_SUFFIXES = (
    "co ltd", "co., ltd", "company limited", "limited", "ltd", "inc", "incorporated", "llc",
    "gmbh", "corp", "corporation", "co", "plc", "sa", "sas", "sarl", "bv", "ag", "pty",
    "股份有限公司", "有限责任公司", "有限公司", "集团", "公司",
)
_SUFFIX_PATTERN = re.compile(
    r"(?:[\s,.]+(?:" + "|".join(re.escape(s) for s in _SUFFIXES if s.isascii()) + r"))+\.?$"
)
_CJK_SUFFIXES = tuple(s for s in _SUFFIXES if not s.isascii())
SIMILAR = 0.88


def normalize_name(name: str) -> str:
    """Case-, width-, punctuation- and legal-form-folded: "ACME Ltd." and "acme" match."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = re.sub(r"\s+", " ", text)
    text = _SUFFIX_PATTERN.sub("", text)
    for suffix in _CJK_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    text = re.sub(r"[^\w\s&+]", "", text).strip()
    text = re.sub(r"\s+", " ", text)
    return text or name.strip().casefold()


def normalize_domain(value: str | None) -> str | None:
    """The host of a website or e-mail address, lower case, without ``www.`` and port."""
    if value is None or not value.strip():
        return None
    raw = value.strip()
    if "@" in raw and "://" not in raw:
        raw = raw.rsplit("@", 1)[1]
    if "://" not in raw:
        raw = "http://" + raw
    host = (urlsplit(raw).hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None


@dataclass(frozen=True)
class Known:
    id: int
    name: str
    normalized: str
    domain: str | None


def similarity(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def close_matches(normalized: str, known: Iterable[Known], limit: int = 3) -> list[Known]:
    """Names close enough to be worth a look, best first; exact matches excluded."""
    scored = [(similarity(normalized, k.normalized), k) for k in known
              if k.normalized != normalized]
    scored = [(s, k) for s, k in scored if s >= SIMILAR]
    scored.sort(key=lambda pair: -pair[0])
    return [k for _s, k in scored[:limit]]
