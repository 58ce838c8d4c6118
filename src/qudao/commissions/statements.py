"""Statements as their readers see them: staff see every statement, a partner user or an API
key only its own partner's (another partner's id answers 404). Approval moves a draft to
approved; a payout moves approved statements to paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeVarTuple

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.commissions import ledger
from qudao.commissions.models import CommissionStatement, Payout, StatementLine
from qudao.core import clock
from qudao.core.errors import Conflict, NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of

Ts = TypeVarTuple("Ts")
STATE_LABELS = {"draft": N_("Draft"), "approved": N_("Approved"), "paid": N_("Paid out")}
KIND_LABELS = {"sale": N_("Sale"), "clawback": N_("Clawback"), "cap": N_("Cap"),
               "adjustment": N_("Adjustment")}
NOTE_LABELS = {"excluded": N_("Product excluded from commission"),
               "not_commissioned": N_("The refunded sale earned no commission yet"),
               "cap": N_("Above the plan's cap for the period"),
               "removed": N_("The sale is no longer in this period")}


def scoped(subject: AuthSubject, query: Select[*Ts]) -> Select[*Ts]:
    if subject.is_staff:
        return query
    if subject.partner_id is not None:
        return query.where(CommissionStatement.partner_id == subject.partner_id)
    return query.where(false())


def list_statements(
    session: Session, subject: AuthSubject, *, limit: int, offset: int,
    partner_id: int | None = None, period_key: str | None = None, state: str | None = None,
    program_id: int | None = None,
) -> tuple[list[CommissionStatement], int]:
    query = scoped(subject, select(CommissionStatement))
    if partner_id is not None:
        query = query.where(CommissionStatement.partner_id == partner_id)
    if period_key:
        query = query.where(CommissionStatement.period_key == period_key)
    if state:
        query = query.where(CommissionStatement.state == state)
    if program_id is not None:
        query = query.where(CommissionStatement.program_id == program_id)
    return page_of(session, query, CommissionStatement.period_start.desc(),
                   CommissionStatement.partner_id, CommissionStatement.sequence,
                   limit=limit, offset=offset)


def get_statement(session: Session, subject: AuthSubject,
                  statement_id: int) -> CommissionStatement:
    statement = session.scalar(scoped(subject, select(CommissionStatement))
                               .where(CommissionStatement.id == statement_id))
    if statement is None:
        raise NotFound(N_("Statement %(id)s was not found."), id=statement_id)
    return statement


def statement_lines(session: Session, subject: AuthSubject,
                    statement_id: int) -> list[StatementLine]:
    get_statement(session, subject, statement_id)
    return list(session.scalars(select(StatementLine)
                                .where(StatementLine.statement_id == statement_id)
                                .order_by(StatementLine.position, StatementLine.id)))


def approve(session: Session, subject: AuthSubject, statement_id: int) -> CommissionStatement:
    statement = get_statement(session, subject, statement_id)
    require_staff_writer(subject)
    if statement.state != "draft":
        raise Conflict(N_("Only a draft statement can be approved; this one is %(state)s."),
                       state=statement.state)
    statement.state = "approved"
    statement.approved_at = clock.now()
    statement.approved_by_user_id = subject.user_id
    session.flush()
    audit.record(session, action="statement.approve", target_type="commission_statement",
                 target_id=statement.id, partner_id=statement.partner_id,
                 before={"state": "draft"}, after={"state": "approved",
                                                   "total_minor": statement.total_minor})
    return statement


@dataclass(frozen=True, slots=True)
class Balance:
    """A partner's position in one currency. ``payable`` comes from the ledger; the others
    from its statements."""

    currency: str
    payable_minor: int
    draft_minor: int
    approved_minor: int
    paid_minor: int
    last_paid_on: date | None


def balances(session: Session, subject: AuthSubject, partner_id: int) -> list[Balance]:
    """What the company owes the partner and how it stands; a partner reads only its own."""
    if not subject.is_staff and subject.partner_id != partner_id:
        raise NotFound(N_("Partner %(id)s was not found."), id=partner_id)
    payable = ledger.payable(session, partner_id)
    sums: dict[tuple[str, str], int] = {}
    for currency, state, total in session.execute(
            select(CommissionStatement.currency, CommissionStatement.state,
                   func.sum(CommissionStatement.total_minor))
            .where(CommissionStatement.partner_id == partner_id)
            .group_by(CommissionStatement.currency, CommissionStatement.state)):
        sums[(currency, state)] = int(total or 0)
    last: dict[str, date] = {currency: day for currency, day in session.execute(
        select(Payout.currency, func.max(Payout.paid_on))
        .where(Payout.partner_id == partner_id, Payout.reversed_at.is_(None))
        .group_by(Payout.currency))}
    currencies = sorted(set(payable) | {currency for currency, _ in sums})
    return [Balance(currency, payable.get(currency, 0), sums.get((currency, "draft"), 0),
                    sums.get((currency, "approved"), 0), sums.get((currency, "paid"), 0),
                    last.get(currency)) for currency in currencies]
