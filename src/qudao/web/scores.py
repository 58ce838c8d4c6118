"""Scores as pages show them next to a candidate (board cards, the list, the ranking): the
total, pass or excluded, and why. The screening service scores; the API's presenter shapes
the result in the reader's language; nothing is computed here."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.i18n import LocaleCode
from qudao.screening import present, service
from qudao.screening.schemas import RankedOut


def ranking(session: Session, subject: AuthSubject, locale: LocaleCode) -> list[RankedOut]:
    """Every evaluated open candidate, best first."""
    return present.ranked_out(service.ranking(session, subject), locale)


def by_partner(session: Session, subject: AuthSubject,
               locale: LocaleCode) -> dict[int, RankedOut]:
    """Each evaluated candidate's score, rejected ones included (their cards show it too)."""
    cards = service.ranking(session, subject, include_rejected=True)
    return {r.partner_id: r for r in present.ranked_out(cards, locale)}
