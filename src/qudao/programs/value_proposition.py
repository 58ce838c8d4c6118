"""The value proposition document and its versions: every save is a new version (n+1, with
its author and an optional note); a version is never edited."""

from __future__ import annotations

import json

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.core.errors import Conflict, NotFound
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.programs import repository
from qudao.programs.models import ValueProposition
from qudao.programs.schemas import (
    ValuePropositionContent,
    ValuePropositionOut,
    VersionSummary,
)

# The document's sections and the fields of its records, as headings and labels show them.
LABELS: dict[str, str] = {
    "product": N_("Product"),
    "pains": N_("Pain points solved"),
    "usp": N_("Unique selling point"),
    "features": N_("Key features"),
    "segments": N_("Target customer segments"),
    "benefits": N_("Expected benefits"),
    "competitors": N_("Competitor comparison"),
    "swot": N_("SWOT analysis"),
    "swot.strengths": N_("Strengths"),
    "swot.weaknesses": N_("Weaknesses"),
    "swot.opportunities": N_("Opportunities"),
    "swot.threats": N_("Threats"),
    "benefits.claim": N_("Benefit"),
    "benefits.value": N_("Figure"),
    "benefits.unit": N_("Unit"),
    "benefits.evidence": N_("Evidence"),
    "competitors.name": N_("Competitor"),
    "competitors.their_strengths": N_("Their strengths"),
    "competitors.their_weaknesses": N_("Their weaknesses"),
    "competitors.our_advantage": N_("Our advantage"),
}
SWOT_PARTS = ("strengths", "weaknesses", "opportunities", "threats")


def label(name: str, locale: LocaleCode) -> str:
    """A section's heading in the reader's language; SWOT parts carry the SWOT's name."""
    text = translate(locale, LABELS[name])
    if name.startswith("swot."):
        return f"{translate(locale, LABELS['swot'])} · {text}"
    return text


def content_of(row: ValueProposition) -> ValuePropositionContent:
    return ValuePropositionContent.model_validate_json(row.content_json)


def version_out(row: ValueProposition) -> ValuePropositionOut:
    return ValuePropositionOut(program_id=row.program_id, version=row.version, note=row.note,
                               author_user_id=row.author_user_id, created_at=row.created_at,
                               content=content_of(row))


def summary_out(row: ValueProposition) -> VersionSummary:
    return VersionSummary(version=row.version, note=row.note,
                          author_user_id=row.author_user_id, created_at=row.created_at,
                          product=content_of(row).product)


def _dumps(content: ValuePropositionContent) -> str:
    # Figures as exact strings, the user's text as written (no \u escapes).
    return json.dumps(content.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def save_version(
    session: Session, subject: AuthSubject, program_id: int,
    content: ValuePropositionContent, note: str | None = None,
) -> ValueProposition:
    """Adds version n+1. Two saves at once cannot both become n+1: the unique
    (program, version) pair refuses the second, which is told to reload."""
    program = repository.get_program(session, subject, program_id)
    require_staff_writer(subject)
    latest = repository.latest_version(session, program.id)
    number = 1 if latest is None else latest.version + 1
    row = ValueProposition(program_id=program.id, version=number, content_json=_dumps(content),
                           note=(note or "").strip() or None, author_user_id=subject.user_id)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(N_("Someone saved the value proposition at the same time. Reload it, "
                          "check the newest version, and save again.")) from None
    audit.record(session, action="value_proposition.save", target_type="program",
                 target_id=program.id,
                 after={"version": number, "product": content.product, "note": row.note})
    return row


def latest(session: Session, subject: AuthSubject, program_id: int) -> ValueProposition | None:
    program = repository.get_program(session, subject, program_id)
    return repository.latest_version(session, program.id)


def get_version(
    session: Session, subject: AuthSubject, program_id: int, number: int | None
) -> ValueProposition:
    """A version by number, or the newest when ``number`` is None."""
    program = repository.get_program(session, subject, program_id)
    if number is None:
        found = repository.latest_version(session, program.id)
        if found is None:
            raise NotFound(N_("This program has no value proposition yet."))
        return found
    return repository.version(session, program.id, number)


def versions(session: Session, subject: AuthSubject, program_id: int) -> list[ValueProposition]:
    program = repository.get_program(session, subject, program_id)
    return repository.versions(session, program.id)
