"""The double-entry ledger: every transaction's entries net to zero per currency; entries are
never changed (database triggers refuse it), a reversal is a new transaction that names the
one it reverses; balances are sums of entries.

Accounts: a commission earned debits ``commission_expense`` and credits the partner's
``partner_payable``; a payout debits ``partner_payable`` and credits ``cash``. Debits are
positive amounts, credits negative."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.commissions.models import LedgerEntry, LedgerTransaction
from qudao.core.errors import Conflict
from qudao.core.i18n import N_

EXPENSE, PAYABLE, CASH = "commission_expense", "partner_payable", "cash"


class Unbalanced(ValueError):
    """A transaction whose entries do not net to zero: a bug, never a user error."""


@dataclass
class Posting:
    kind: str
    program_id: int
    partner_id: int
    currency: str
    legs: list[tuple[str, int]]
    run_id: int | None = None
    statement_id: int | None = None
    payout_id: int | None = None
    reverses_id: int | None = None
    memo: str | None = None
    user_id: int | None = None


def earned(amount_minor: int) -> list[tuple[str, int]]:
    """A commission earned (or, negative, clawed back): expense against the payable."""
    return [(EXPENSE, amount_minor), (PAYABLE, -amount_minor)]


def paid(amount_minor: int) -> list[tuple[str, int]]:
    return [(PAYABLE, amount_minor), (CASH, -amount_minor)]


def post_many(session: Session, postings: Sequence[Posting]) -> list[LedgerTransaction]:
    """Posts balanced transactions in one round of inserts; a posting whose legs are all zero
    posts nothing."""
    kept: list[tuple[Posting, list[tuple[str, int]]]] = []
    for posting in postings:
        legs = [(account, amount) for account, amount in posting.legs if amount]
        if not legs:
            continue
        if sum(amount for _, amount in legs) != 0 or len(legs) < 2:
            raise Unbalanced(f"unbalanced ledger transaction: {legs}")
        kept.append((posting, legs))
    txns = [LedgerTransaction(
        kind=p.kind, program_id=p.program_id, partner_id=p.partner_id, currency=p.currency,
        run_id=p.run_id, statement_id=p.statement_id, payout_id=p.payout_id,
        reverses_id=p.reverses_id, memo=p.memo, created_by_user_id=p.user_id)
        for p, _ in kept]
    if not txns:
        return []
    session.add_all(txns)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(N_("This transaction was already reversed.")) from None
    session.execute(insert(LedgerEntry), [
        {"txn_id": txn.id, "account": account, "partner_id": posting.partner_id,
         "currency": posting.currency, "amount_minor": amount}
        for txn, (posting, legs) in zip(txns, kept, strict=True) for account, amount in legs])
    return txns


def reverse(session: Session, txn: LedgerTransaction, *, memo: str | None = None,
            user_id: int | None = None) -> LedgerTransaction:
    """A new transaction with every entry of ``txn`` negated, naming ``txn``. A transaction is
    reversed at most once (a unique key on ``reverses_id`` holds under concurrency)."""
    entries = session.execute(select(LedgerEntry.account, LedgerEntry.amount_minor)
                              .where(LedgerEntry.txn_id == txn.id)
                              .order_by(LedgerEntry.id)).all()
    posted = post_many(session, [Posting(
        kind="reversal", program_id=txn.program_id, partner_id=txn.partner_id,
        currency=txn.currency, legs=[(account, -amount) for account, amount in entries],
        run_id=txn.run_id, statement_id=txn.statement_id, payout_id=txn.payout_id,
        reverses_id=txn.id, memo=memo, user_id=user_id)])
    return posted[0]


def payable(session: Session, partner_id: int) -> dict[str, int]:
    """What the company owes the partner, per currency: the credit balance of its payable
    account. Negative when clawbacks exceed what is still owed; it carries forward."""
    rows = session.execute(
        select(LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.partner_id == partner_id, LedgerEntry.account == PAYABLE)
        .group_by(LedgerEntry.currency).order_by(LedgerEntry.currency)).all()
    return {currency: -int(total or 0) for currency, total in rows}


def account_totals(session: Session, partner_id: int | None = None,
                   ) -> dict[tuple[str, str], int]:
    """Each account's balance per currency (debits positive), for one partner or all."""
    query = select(LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
    if partner_id is not None:
        query = query.where(LedgerEntry.partner_id == partner_id)
    rows = session.execute(query.group_by(LedgerEntry.account, LedgerEntry.currency)).all()
    return {(account, currency): int(total or 0) for account, currency, total in rows}


def unbalanced(session: Session) -> list[tuple[int, str, int]]:
    """Transactions whose entries do not net to zero in a currency; always empty."""
    rows = session.execute(
        select(LedgerEntry.txn_id, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
        .group_by(LedgerEntry.txn_id, LedgerEntry.currency)
        .having(func.sum(LedgerEntry.amount_minor) != 0)).all()
    return [(int(t), str(c), int(s)) for t, c, s in rows]
