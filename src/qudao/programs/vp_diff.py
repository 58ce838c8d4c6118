"""Two versions of a value proposition side by side, field by field: list items added,
removed or changed, and changed text down to the word (or, in Chinese, the character)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from difflib import SequenceMatcher
from typing import TypeVar

from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.i18n import LocaleCode
from qudao.programs import value_proposition
from qudao.programs.schemas import (
    Benefit,
    Competitor,
    FieldDiff,
    ItemDiff,
    PartDiff,
    Piece,
    ValuePropositionContent,
    ValuePropositionDiff,
)
from qudao.programs.value_proposition import SWOT_PARTS, label

# Latin words and numbers stay whole; every other character (a Chinese character, a
# punctuation mark) is its own token, since Chinese has no spaces between words.
TOKEN = re.compile(r"[0-9A-Za-z\u00C0-\u024F]+|\s+|.", re.DOTALL)
# Below this likeness a replaced item reads better as one removed and one added.
PAIRING_RATIO = 0.4
T = TypeVar("T")


def figure_text(value: Decimal) -> str:
    """A figure as people write it: 20, 12.5 (no exponent, no trailing zeros)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def pieces(before: str, after: str) -> list[Piece]:
    old, new = TOKEN.findall(before), TOKEN.findall(after)
    found: list[Piece] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if found and found[-1].op == op:
            found[-1] = Piece(op=found[-1].op, text=found[-1].text + text)
        else:
            found.append(Piece.model_validate({"op": op, "text": text}))

    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(old[i1:i2]))
            continue
        add("delete", "".join(old[i1:i2]))
        add("insert", "".join(new[j1:j2]))
    return found


def _alike(before: str, after: str) -> bool:
    return SequenceMatcher(None, before, after, autojunk=False).ratio() >= PAIRING_RATIO


def _aligned(
    before: Sequence[T], after: Sequence[T], key: Callable[[T], str],
    compare: Callable[[T, T], ItemDiff],
) -> list[ItemDiff]:
    """Items in order: kept, changed (a replaced item like the one it replaces), removed
    and added."""
    items: list[ItemDiff] = []
    old_keys, new_keys = [key(x) for x in before], [key(x) for x in after]
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            items.extend(compare(before[i], after[j]) for i, j in
                         zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        old, new = list(range(i1, i2)), list(range(j1, j2))
        while old and new and _alike(old_keys[old[0]], new_keys[new[0]]):
            items.append(compare(before[old.pop(0)], after[new.pop(0)]))
        items.extend(ItemDiff(status="removed", before=old_keys[i], after=None) for i in old)
        items.extend(ItemDiff(status="added", before=None, after=new_keys[j]) for j in new)
    return items


def _line(before: str, after: str) -> ItemDiff:
    if before == after:
        return ItemDiff(status="same", before=before, after=after)
    return ItemDiff(status="changed", before=before, after=after,
                    pieces=pieces(before, after))


def _record_parts(
    kind: str, before: dict[str, str], after: dict[str, str], locale: LocaleCode
) -> list[PartDiff]:
    return [PartDiff(name=name, label=label(f"{kind}.{name}", locale), before=before[name],
                     after=after[name], pieces=pieces(before[name], after[name]))
            for name in before if before[name] != after[name]]


def _benefit_texts(benefit: Benefit) -> dict[str, str]:
    return {"claim": benefit.claim, "value": figure_text(benefit.value), "unit": benefit.unit,
            "evidence": benefit.evidence}


def _competitor_texts(competitor: Competitor) -> dict[str, str]:
    return {"name": competitor.name, "their_strengths": competitor.their_strengths,
            "their_weaknesses": competitor.their_weaknesses,
            "our_advantage": competitor.our_advantage}


def _records(
    kind: str, before: Sequence[T], after: Sequence[T], texts: Callable[[T], dict[str, str]],
    key_name: str, locale: LocaleCode,
) -> list[ItemDiff]:
    def compare(old: T, new: T) -> ItemDiff:
        old_texts, new_texts = texts(old), texts(new)
        parts = _record_parts(kind, old_texts, new_texts, locale)
        return ItemDiff(status="changed" if parts else "same", before=old_texts[key_name],
                        after=new_texts[key_name], parts=parts)

    return _aligned(before, after, lambda r: texts(r)[key_name], compare)


def _text_field(name: str, before: str, after: str, locale: LocaleCode) -> FieldDiff:
    changed = before != after
    return FieldDiff(name=name, label=label(name, locale), kind="text", changed=changed,
                     before=before, after=after,
                     pieces=pieces(before, after) if changed else [])


def _list_field(
    name: str, before: list[str], after: list[str], locale: LocaleCode
) -> FieldDiff:
    items = _aligned(before, after, lambda s: s, _line)
    return FieldDiff(name=name, label=label(name, locale), kind="list",
                     changed=any(i.status != "same" for i in items), items=items)


def _records_field(name: str, items: list[ItemDiff], locale: LocaleCode) -> FieldDiff:
    return FieldDiff(name=name, label=label(name, locale), kind="records",
                     changed=any(i.status != "same" for i in items), items=items)


def diff_contents(
    before: ValuePropositionContent, after: ValuePropositionContent, locale: LocaleCode
) -> list[FieldDiff]:
    fields = [
        _text_field("product", before.product, after.product, locale),
        _list_field("pains", before.pains, after.pains, locale),
        _text_field("usp", before.usp, after.usp, locale),
        _list_field("features", before.features, after.features, locale),
        _list_field("segments", before.segments, after.segments, locale),
        _records_field("benefits", _records("benefits", before.benefits, after.benefits,
                                            _benefit_texts, "claim", locale), locale),
        _records_field("competitors", _records("competitors", before.competitors,
                                               after.competitors, _competitor_texts, "name",
                                               locale), locale),
    ]
    for part in SWOT_PARTS:
        fields.append(_list_field(f"swot.{part}", getattr(before.swot, part),
                                  getattr(after.swot, part), locale))
    return fields


def compare_versions(
    session: Session, subject: AuthSubject, program_id: int, from_version: int,
    to_version: int, locale: LocaleCode,
) -> ValuePropositionDiff:
    old = value_proposition.get_version(session, subject, program_id, from_version)
    new = value_proposition.get_version(session, subject, program_id, to_version)
    fields = diff_contents(value_proposition.content_of(old),
                           value_proposition.content_of(new), locale)
    return ValuePropositionDiff(program_id=program_id, from_version=old.version,
                                to_version=new.version,
                                changed=any(f.changed for f in fields), fields=fields)
