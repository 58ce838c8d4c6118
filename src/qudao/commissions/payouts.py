"""Paying a partner: a payout settles all of its approved statements in one currency at once,
so a negative statement (clawbacks above what was owed) is netted against the positive ones;
if they net to nothing, or to less than the plan's minimum payout, nothing is paid and the
balance carries forward. A payout reversed (the transfer came back) is a reversing ledger
transaction and its statements are approved again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.commissions import ledger
from qudao.commissions.models import CommissionStatement, LedgerTransaction, Payout
from qudao.core import clock
from qudao.core.errors import Conflict, NotFound, Unprocessable
from qudao.core.i18n import N_
from qudao.core.money import check_currency, from_minor
from qudao.db.paging import page_of
from qudao.partners import repository as partners
from qudao.programs.models import CommissionPlan

METHOD_LABELS = {"bank_transfer": N_("Bank transfer"), "alipay": N_("Alipay"),
                 "wechat_pay": N_("WeChat Pay"), "paypal": N_("PayPal"), "other": N_("Other")}


def _approved(session: Session, partner_id: int, currency: str) -> list[CommissionStatement]:
    return list(session.scalars(
        select(CommissionStatement)
        .where(CommissionStatement.partner_id == partner_id,
               CommissionStatement.currency == currency,
               CommissionStatement.state == "approved")
        .order_by(CommissionStatement.period_start, CommissionStatement.sequence)
        .with_for_update()))


def payable_now(session: Session, partner_id: int, currency: str) -> int:
    """What a payout would pay: the approved statements' net total."""
    return int(session.scalar(
        select(func.coalesce(func.sum(CommissionStatement.total_minor), 0))
        .where(CommissionStatement.partner_id == partner_id,
               CommissionStatement.currency == currency,
               CommissionStatement.state == "approved")) or 0)


def pay(session: Session, subject: AuthSubject, *, partner_id: int, currency: str,
        method: str, reference: str, paid_on: date) -> Payout:
    require_staff_writer(subject)
    partner = partners.get(session, subject, partner_id)
    currency = check_currency(currency)
    if method not in METHOD_LABELS:
        raise Unprocessable(N_("Choose one of the offered options."), field="method")
    reference = reference.strip()
    if not reference:
        raise Unprocessable(N_("Give the payment's reference, such as the bank transfer's "
                               "number."), field="reference")
    if paid_on > clock.now().date():
        raise Unprocessable(N_("A payout is recorded once it is made: the date cannot be in "
                               "the future."), field="paid_on")
    statements = _approved(session, partner.id, currency)
    if not statements:
        raise Unprocessable(N_("%(partner)s has no approved statement in %(currency)s to pay. "
                               "Approve its statements first."), field="partner_id",
                            partner=partner.name, currency=currency)
    amount = sum(statement.total_minor for statement in statements)
    if amount <= 0:
        raise Unprocessable(N_("The approved statements net to %(amount)s %(currency)s: "
                               "nothing to pay. The balance carries forward to the next "
                               "period."), field="partner_id",
                            amount=format(from_minor(amount, currency), "f"), currency=currency)
    plan = session.get(CommissionPlan, statements[-1].plan_id) if statements[-1].plan_id else None
    minimum = plan.min_payout_minor if plan is not None else 0
    if amount < minimum:
        raise Unprocessable(N_("%(amount)s %(currency)s is below the plan's minimum payout of "
                               "%(minimum)s %(currency)s; it carries forward to the next "
                               "period."), field="partner_id",
                            amount=format(from_minor(amount, currency), "f"),
                            minimum=format(from_minor(minimum, currency), "f"),
                            currency=currency)
    payout = Payout(program_id=statements[-1].program_id, partner_id=partner.id,
                    currency=currency, amount_minor=amount, method=method,
                    reference=reference, paid_on=paid_on, created_by_user_id=subject.user_id)
    session.add(payout)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(N_("A payout with the reference %(reference)s is already recorded for "
                          "this partner."), field="reference", reference=reference) from None
    ledger.post_many(session, [ledger.Posting(
        kind="payout", program_id=payout.program_id, partner_id=partner.id, currency=currency,
        legs=ledger.paid(amount), payout_id=payout.id, user_id=subject.user_id,
        memo=reference[:300])])
    now = clock.now()
    for statement in statements:
        statement.state, statement.paid_at, statement.payout_id = "paid", now, payout.id
    session.flush()
    audit.record(session, action="payout.create", target_type="commission_payout",
                 target_id=payout.id, partner_id=partner.id,
                 after={"amount_minor": amount, "currency": currency, "method": method,
                        "reference": reference, "paid_on": paid_on.isoformat(),
                        "statements": [s.id for s in statements]})
    return payout


def get_payout(session: Session, subject: AuthSubject, payout_id: int) -> Payout:
    query = select(Payout).where(Payout.id == payout_id)
    if not subject.is_staff:
        query = query.where(Payout.partner_id == subject.partner_id)
    payout = session.scalar(query)
    if payout is None:
        raise NotFound(N_("Payout %(id)s was not found."), id=payout_id)
    return payout


def list_payouts(session: Session, subject: AuthSubject, *, limit: int, offset: int,
                 partner_id: int | None = None) -> tuple[list[Payout], int]:
    query = select(Payout)
    if not subject.is_staff:
        query = query.where(Payout.partner_id == subject.partner_id)
    if partner_id is not None:
        query = query.where(Payout.partner_id == partner_id)
    return page_of(session, query, Payout.paid_on.desc(), Payout.id.desc(), limit=limit,
                   offset=offset)


def settled_statements(session: Session, payout_ids: Iterable[int]) -> dict[int, list[int]]:
    """The statements each payout settled, in id order."""
    settled: dict[int, list[int]] = {payout_id: [] for payout_id in payout_ids}
    if settled:
        for payout_id, statement_id in session.execute(
                select(CommissionStatement.payout_id, CommissionStatement.id)
                .where(CommissionStatement.payout_id.in_(settled))
                .order_by(CommissionStatement.id)):
            if payout_id is not None:
                settled[payout_id].append(statement_id)
    return settled


def reverse_payout(session: Session, subject: AuthSubject, payout_id: int,
                   reason: str) -> Payout:
    payout = get_payout(session, subject, payout_id)
    require_staff_writer(subject)
    reason = reason.strip()
    if not reason:
        raise Unprocessable(N_("Say why the payout is reversed."), field="reason")
    if payout.reversed_at is not None:
        raise Conflict(N_("This payout was already reversed."))
    txn = session.scalar(select(LedgerTransaction).where(
        LedgerTransaction.payout_id == payout.id, LedgerTransaction.kind == "payout"))
    assert txn is not None
    ledger.reverse(session, txn, memo=reason[:300], user_id=subject.user_id)
    payout.reversed_at, payout.reversal_reason = clock.now(), reason
    for statement in session.scalars(select(CommissionStatement)
                                     .where(CommissionStatement.payout_id == payout.id)):
        statement.state, statement.paid_at, statement.payout_id = "approved", None, None
    session.flush()
    audit.record(session, action="payout.reverse", target_type="commission_payout",
                 target_id=payout.id, partner_id=payout.partner_id,
                 after={"reason": reason, "amount_minor": payout.amount_minor})
    return payout
