"""Spreadsheets out: the candidate list (re-importable, with ratings) and the guide's
tracking table (候选伙伴 | 市场覆盖 | 资源匹配 | 声誉 | 文化契合 | 总分 | 备注)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts.models import User
from qudao.accounts.policy import require_staff
from qudao.accounts.subject import AuthSubject
from qudao.core.i18n import LocaleCode, translate
from qudao.core.tabular import Cell, write_csv, write_xlsx
from qudao.partners import repository as partners
from qudao.partners.columns import EXPORT_ORDER, header
from qudao.partners.models import Partner
from qudao.screening import rubrics
from qudao.screening.scoring import to_decimal
from qudao.screening.service import Scorecard, ranking

Format = Literal["csv", "xlsx"]
TRACKING_NAME = {"en": "Candidate", "zh-CN": "候选伙伴"}
TRACKING_TOTAL = {"en": "Total", "zh-CN": "总分"}
TRACKING_NOTES = {"en": "Notes", "zh-CN": "备注"}


def _mean(card: Scorecard | None, key: str) -> Decimal | None:
    if card is None:
        return None
    for result in card.score.criteria:
        if result.key == key and result.mean is not None:
            return to_decimal(result.mean, 2).normalize()
    return None


def _partner_cell(partner: Partner, key: str, owners: dict[int, str]) -> Cell:
    contact = partner.contacts[0] if partner.contacts else None
    match key:
        case "annual_revenue":
            return partner.annual_revenue
        case "tags":
            return ", ".join(partner.tags) or None
        case "owner_email":
            return owners.get(partner.owner_id) if partner.owner_id else None
        case "employees":
            return partner.employees
        case _ if key.startswith("contact_"):
            return getattr(contact, key.removeprefix("contact_")) if contact else None
        case _:
            value = getattr(partner, key)
            return None if value is None else str(value)


def candidate_rows(
    session: Session, subject: AuthSubject, locale: LocaleCode
) -> tuple[list[str], list[list[Cell]]]:
    require_staff(subject)
    rubric = rubrics.current(session)
    cards = {c.partner.id: c for c in ranking(session, subject, include_rejected=True)}
    owners = {user_id: email for user_id, email in session.execute(
        select(User.id, User.email).where(User.partner_id.is_(None)))}
    headers = [header(k, locale) for k in EXPORT_ORDER]
    headers += [rubrics.label(c, locale) for c in rubric.criteria]
    headers.append(header("total", locale))
    rows: list[list[Cell]] = []
    offset = 0
    while True:
        batch, _total = partners.search(session, subject, q=None, limit=100, offset=offset)
        if not batch:
            break
        for partner in batch:
            card = cards.get(partner.id)
            row = [_partner_cell(partner, key, owners) for key in EXPORT_ORDER]
            row += [_mean(card, c.key) for c in rubric.criteria]
            row.append(card.total if card else None)
            rows.append(row)
        offset += len(batch)
    return headers, rows


def export_candidates(session: Session, subject: AuthSubject, locale: LocaleCode,
                      fmt: Format) -> bytes:
    headers, rows = candidate_rows(session, subject, locale)
    if fmt == "csv":
        return write_csv(headers, rows)
    return write_xlsx(headers, rows, title=translate(locale, "Candidates"))


def tracking_table(session: Session, subject: AuthSubject, locale: LocaleCode) -> bytes:
    """The guide's table: each candidate's mean rating per criterion, the weighted total
    (one decimal) and the notes, best first."""
    require_staff(subject)
    rubric = rubrics.current(session)
    headers = [TRACKING_NAME[locale], *[rubrics.label(c, locale) for c in rubric.criteria],
               TRACKING_TOTAL[locale], TRACKING_NOTES[locale]]
    rows: list[list[Cell]] = []
    for card in ranking(session, subject):
        rows.append([card.partner.name, *[_mean(card, c.key) for c in rubric.criteria],
                     card.total, card.partner.notes])
    widths = [28, *[12 for _ in rubric.criteria], 10, 40]
    return write_xlsx(headers, rows, title=translate(locale, "Partner screening"),
                      widths=widths)
