"""A commission run: a program's period computed from its sources and posted as statement
lines and ledger transactions, in one database transaction.

- Idempotent: what is already posted for a line is subtracted, so a second run posts
  nothing and a run after a late correction posts only the differences, as adjustment lines
  that name the line they adjust.
- Exclusive: on PostgreSQL a transaction-scoped advisory lock per program and period lets
  one run in and answers the other with a conflict; on SQLite write transactions are already
  serialised (``BEGIN IMMEDIATE``), so a second run starts after the first has committed and
  finds nothing left to post.
- All or nothing: a run killed at any point leaves no line, statement or entry behind."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff, require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.commissions import ledger
from qudao.commissions.engine import Line, Refund, Sale, Terms, compute
from qudao.commissions.models import (
    CommissionRun,
    CommissionStatement,
    StatementLine,
)
from qudao.commissions.periods import Period, parse_period
from qudao.commissions.plans_in_force import plans_in_force, tier_reader, uplift
from qudao.commissions.rates import Conversion, RateBook
from qudao.commissions.sources import Source, period_sources
from qudao.core import clock
from qudao.core.errors import Conflict, Unprocessable
from qudao.core.i18n import N_
from qudao.core.money import exponent, money_context
from qudao.db.bulk import insert_many
from qudao.db.paging import page_of
from qudao.programs.models import CommissionPlan
from qudao.programs.plans import program_for

Progress = Callable[[int, int], None]
RUN_IN_PROGRESS = N_("A run of %(period)s is in progress. Wait for it to finish and run again: "
                     "a second run posts only what changed.")
MISSING_RATE = N_("No exchange rate for %(pairs)s. Enter the rates (qudao commissions rates "
                  "add, or the Rates page) and run again; nothing was posted.")
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Posted:
    base_minor: int
    minor: int
    first_line_id: int


@dataclass
class Target:
    """What one statement line should add up to, with what the line shows."""

    line: Line
    source: Source | None
    conversion: Conversion | None


def lock_key(program_id: int, period: Period) -> int:
    digest = hashlib.blake2b(f"commissions:{program_id}:{period.key}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _exclusive(session: Session, program_id: int, period: Period) -> None:
    if session.get_bind().dialect.name == "postgresql" and not session.scalar(
            select(func.pg_try_advisory_xact_lock(lock_key(program_id, period)))):
        raise Conflict(RUN_IN_PROGRESS, period=period.key)


def posted_in_period(session: Session, program_id: int, period_key: str,
                     ) -> dict[int, dict[tuple[str, str], Posted]]:
    """Per partner, (currency, source key) → what its lines add up to so far in the
    period."""
    s, line = CommissionStatement, StatementLine
    rows = session.connection().execute(
        select(s.partner_id, s.currency, line.source_key, func.sum(line.base_minor),
               func.sum(line.commission_minor), func.min(line.id))
        .join(s, s.id == line.statement_id)
        .where(s.program_id == program_id, s.period_key == period_key)
        .group_by(s.partner_id, s.currency, line.source_key))
    posted: dict[int, dict[tuple[str, str], Posted]] = defaultdict(dict)
    for partner, currency, key, base, minor, first in rows:
        posted[partner][(currency, key)] = Posted(int(base), int(minor), first)
    return dict(posted)


def posted_anywhere(session: Session, program_id: int, keys: Iterable[tuple[int, str]],
                    ) -> dict[tuple[int, str], Posted]:
    """What refunded lines earned, in whatever period they were posted."""
    wanted = sorted(set(keys))
    found: dict[tuple[int, str], Posted] = {}
    s, line = CommissionStatement, StatementLine
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        rows = session.execute(
            select(s.partner_id, line.source_key, func.sum(line.base_minor),
                   func.sum(line.commission_minor), func.min(line.id))
            .join(s, s.id == line.statement_id)
            .where(s.program_id == program_id, line.source_key.in_({k for _, k in chunk}),
                   s.partner_id.in_({p for p, _ in chunk}))
            .group_by(s.partner_id, line.source_key)).all()
        for partner, key, base, minor, first in rows:
            if (partner, key) in wanted:
                found[(partner, key)] = Posted(int(base), int(minor), first)
    return found


def _exact_posted(session: Session, program_id: int, period_key: str, partner_id: int,
                  currency: str, keys: Iterable[str]) -> dict[str, Decimal]:
    s, line = CommissionStatement, StatementLine
    sums: dict[str, Decimal] = defaultdict(Decimal)
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(line.source_key, line.commission_exact).join(s, s.id == line.statement_id)
            .where(s.program_id == program_id, s.period_key == period_key,
                   s.partner_id == partner_id, s.currency == currency,
                   line.source_key.in_(wanted[start:start + CHUNK]))).all()
        with money_context():
            for key, exact in rows:
                sums[key] += exact
    return sums


class _Calculation:
    """One partner's target lines, converted into the plan's currency."""

    def __init__(self, plan: CommissionPlan, tier: str | None, sources: list[Source],
                 book: RateBook, earned: dict[tuple[int, str], Posted],
                 missing: set[tuple[str, str, date]]) -> None:
        self.terms = Terms.of_plan(plan, uplift(plan, tier))
        currency = plan.currency
        sales: list[Sale] = []
        returned: list[tuple[Source, Conversion | None]] = []
        self.by_key: dict[str, tuple[Source, Conversion | None]] = {}
        for source in sources:
            converted = book.convert(source.amount_minor, source.currency, currency, source.day)
            self.by_key[source.key] = (source, converted)
            if source.kind == "refund":
                returned.append((source, converted))
            elif converted is None:
                missing.add((source.currency, currency, source.day))
            else:
                sales.append(Sale(source.key, converted.minor, source.sku))
        # A refund of a sale of this same period claws back what this run pays that sale;
        # the sales' lines come first and do not depend on the refunds after them.
        same_period = {line.key: line for line in compute(self.terms, sales)} if any(
            source.refunds_key in self.by_key for source, _ in returned) else {}
        refunds: list[Refund] = []
        for source, converted in returned:
            assert source.refunds_key is not None
            assert source.refunded_amount_minor
            sold = same_period.get(source.refunds_key)
            original = (Posted(sold.base_minor, sold.minor, 0) if sold is not None
                        else earned.get((source.partner_id, source.refunds_key)))
            with money_context():
                fraction = Decimal(source.amount_minor) / source.refunded_amount_minor
                if original is not None:
                    base = -int((original.base_minor * fraction).quantize(
                        Decimal(1), rounding=ROUND_HALF_EVEN))
                    refunds.append(Refund(source.key, base, original.minor, fraction))
                elif converted is None:
                    missing.add((source.currency, currency, source.day))
                else:
                    refunds.append(Refund(source.key, -converted.minor, 0, fraction))
        self.lines = compute(self.terms, sales, refunds)

    def targets(self) -> list[Target]:
        out = []
        for line in self.lines:
            source, conversion = self.by_key.get(line.key, (None, None))
            out.append(Target(line, source, conversion))
        return out


def _amount(minor: Decimal | int, places: int) -> str:
    """Minor units as the currency's units, in the text ``DecimalText`` stores (exact:
    shifting the exponent never rounds a value of fewer than 28 digits)."""
    return format(Decimal(minor).scaleb(-places), "f")


# The columns a run writes, in the order of the rows ``_row`` makes (then statement, run,
# position, which ``_post`` appends).
LINE_COLUMNS = ("kind", "source_key", "deal_id", "deal_line_id", "transaction_id",
                "occurred_on", "customer", "sku", "product", "original_minor",
                "original_currency", "fx_rate", "base_minor", "rate", "tier",
                "commission_exact", "commission_minor", "rounding", "adjusts_line_id", "note",
                "statement_id", "run_id", "position")
KIND, BASE, COMMISSION = 0, 12, 16


def _row(target: Target, currency: str, *, kind: str, base: int, exact_minor: Decimal,
         minor: int, adjusts: int | None, note: str | None) -> list[Any]:
    places = exponent(currency)
    source, conversion, line = target.source, target.conversion, target.line
    fx = (format(conversion.rate, "f") if conversion and source
          and source.currency != currency else None)
    described = (source.deal_id, source.deal_line_id, source.transaction_id, source.day,
                 source.customer, source.sku, source.product, source.amount_minor,
                 source.currency) if source else (None,) * 9
    return [kind, line.key, *described, fx, base, format(line.rate, "f"), line.tier,
            _amount(exact_minor, places), minor, _amount(minor - exact_minor, places),
            adjusts, note]


def _removed(key: str) -> Target:
    return Target(Line(key, "sale", 0, Decimal(0), None, Decimal(0), 0, "removed"), None, None)


@dataclass
class _Partner:
    partner_id: int
    currency: str
    plan_id: int | None
    rows: list[list[Any]]


def _deltas(session: Session, program_id: int, period: Period, partner_id: int,
            currency: str, targets: list[Target],
            posted: dict[tuple[str, str], Posted]) -> list[list[Any]]:
    """New lines for what is not yet posted, adjustments for what changed, reversals for
    what is gone. ``posted`` is this partner's."""
    places = exponent(currency)
    rows: list[list[Any]] = []
    changed: list[tuple[Target, Posted]] = []
    seen: set[str] = set()
    for target in targets:
        line = target.line
        seen.add(line.key)
        before = posted.get((currency, line.key))
        if before is None:
            rows.append(_row(target, currency, kind=line.kind, base=line.base_minor,
                             exact_minor=line.exact_minor, minor=line.minor, adjusts=None,
                             note=line.note))
        elif (before.base_minor, before.minor) != (line.base_minor, line.minor):
            changed.append((target, before))
    for (posted_currency, key), before in posted.items():
        if posted_currency == currency and key not in seen and (
                before.base_minor or before.minor):
            changed.append((_removed(key), before))
    if changed:
        exact_before = _exact_posted(session, program_id, period.key, partner_id, currency,
                                     (target.line.key for target, _ in changed))
        with money_context():
            for target, before in changed:
                exact = target.line.exact_minor - exact_before[target.line.key].scaleb(places)
                rows.append(_row(target, currency, kind="adjustment",
                                 base=target.line.base_minor - before.base_minor,
                                 exact_minor=exact, minor=target.line.minor - before.minor,
                                 adjusts=before.first_line_id, note=target.line.note))
    return rows


def _latest_statements(session: Session, program_id: int, period_key: str,
                       ) -> dict[tuple[int, str], CommissionStatement]:
    latest: dict[tuple[int, str], CommissionStatement] = {}
    for statement in session.scalars(
            select(CommissionStatement).where(CommissionStatement.program_id == program_id,
                                              CommissionStatement.period_key == period_key)
            .order_by(CommissionStatement.sequence)):
        latest[(statement.partner_id, statement.currency)] = statement
    return latest


def _missing_rates(missing: set[tuple[str, str, date]]) -> Unprocessable:
    shown = sorted(missing, key=lambda m: (m[2], m[0], m[1]))[:5]
    pairs = "; ".join(f"{source}→{target} {day.isoformat()}" for source, target, day in shown)
    if len(missing) > len(shown):
        pairs += f" (+{len(missing) - len(shown)})"
    return Unprocessable(MISSING_RATE, field="rates", pairs=pairs)


LEDGER_KIND = {"sale": "accrual", "cap": "accrual", "clawback": "clawback",
               "adjustment": "adjustment"}


def _post(session: Session, subject: AuthSubject, run: CommissionRun, period: Period,
          partners: list[_Partner]) -> dict[str, dict[str, int]]:
    latest = _latest_statements(session, run.program_id, period.key)
    statements: list[CommissionStatement] = []
    for partner in partners:
        current = latest.get((partner.partner_id, partner.currency))
        if current is None or current.state != "draft":
            current = CommissionStatement(
                program_id=run.program_id, partner_id=partner.partner_id,
                plan_id=partner.plan_id if partner.plan_id else (current and current.plan_id),
                period_key=period.key, period_start=period.start, period_end=period.end,
                sequence=current.sequence + 1 if current else 1, currency=partner.currency,
                state="draft", total_minor=0, base_minor=0, lines_count=0)
            session.add(current)
        elif partner.plan_id:
            current.plan_id = partner.plan_id
        statements.append(current)
    session.flush()
    rows: list[list[Any]] = []
    postings: list[ledger.Posting] = []
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for partner, statement in zip(partners, statements, strict=True):
        by_kind: dict[str, int] = defaultdict(int)
        for position, row in enumerate(partner.rows, start=statement.lines_count + 1):
            row.extend((statement.id, run.id, position))
            by_kind[LEDGER_KIND[row[KIND]]] += row[COMMISSION]
        rows.extend(partner.rows)
        statement.total_minor += sum(row[COMMISSION] for row in partner.rows)
        statement.base_minor += sum(row[BASE] for row in partner.rows)
        statement.lines_count += len(partner.rows)
        for kind, amount in by_kind.items():
            totals[partner.currency][kind] += amount
            postings.append(ledger.Posting(
                kind=kind, program_id=run.program_id, partner_id=partner.partner_id,
                currency=partner.currency, legs=ledger.earned(amount), run_id=run.id,
                statement_id=statement.id, user_id=subject.user_id,
                memo=f"{period.key} #{statement.sequence}"))
    insert_many(session, cast(Table, StatementLine.__table__), LINE_COLUMNS, rows)
    ledger.post_many(session, postings)
    return {currency: dict(kinds) for currency, kinds in totals.items()}


def run_period(session: Session, subject: AuthSubject, *, period: Period | str,
               program_id: int | None = None, progress: Progress | None = None,
               ) -> CommissionRun:
    require_staff_writer(subject)
    period = parse_period(period) if isinstance(period, str) else period
    program = program_for(session, program_id)
    _exclusive(session, program.id, period)
    run = CommissionRun(program_id=program.id, period_key=period.key, period_kind=period.kind,
                        period_start=period.start, period_end=period.end,
                        started_at=clock.now(), created_by_user_id=subject.user_id,
                        actor_label=subject.label)
    session.add(run)
    session.flush()
    plans = plans_in_force(session, program.id, period)
    tiers = tier_reader(session, plans.keys())
    sources = period_sources(session, program.id, period)
    posted = posted_in_period(session, program.id, period.key)
    book = RateBook.load(session)
    earned = posted_anywhere(session, program.id, (
        (s.partner_id, s.refunds_key) for found in sources.values() for s in found
        if s.refunds_key is not None))
    ids = sorted(set(plans) | set(posted))
    missing: set[tuple[str, str, date]] = set()
    partners: list[_Partner] = []
    not_commissioned = 0
    for done, partner_id in enumerate(ids, start=1):
        plan = plans.get(partner_id)
        if plan is not None:
            calculation = _Calculation(plan, tiers.get(partner_id),
                                       sources.get(partner_id, []), book, earned, missing)
            not_commissioned += sum(line.note == "not_commissioned"
                                    for line in calculation.lines)
            by_currency = {plan.currency: calculation.targets()}
        else:
            by_currency = {}
        mine = posted.get(partner_id, {})
        for currency, _ in mine:
            by_currency.setdefault(currency, [])
        for currency, targets in by_currency.items():
            rows = _deltas(session, program.id, period, partner_id, currency, targets, mine)
            if rows:
                partners.append(_Partner(partner_id, currency,
                                         plan.id if plan is not None else None, rows))
        if progress is not None:
            progress(done, len(ids))
    if missing:
        raise _missing_rates(missing)
    totals = _post(session, subject, run, period, partners) if partners else {}
    unplanned = sorted(partner for partner in sources if partner not in plans)
    run.partners_count = len(ids)
    run.lines_posted = sum(len(partner.rows) for partner in partners)
    run.statements_touched = len(partners)
    run.finished_at = clock.now()
    run.summary_json = json.dumps({
        "totals": totals, "partners_without_plan": unplanned[:50],
        "partners_without_plan_count": len(unplanned),
        "refunds_not_commissioned": not_commissioned}, sort_keys=True)
    audit.record(session, action="commission.run", target_type="commission_run",
                 target_id=run.id, after={"program_id": program.id, "period": period.key,
                                          "lines_posted": run.lines_posted,
                                          "statements": run.statements_touched,
                                          "totals": json.dumps(totals, sort_keys=True)})
    return run


def list_runs(session: Session, subject: AuthSubject, *, limit: int, offset: int = 0,
              program_id: int | None = None, period_key: str | None = None,
              ) -> tuple[list[CommissionRun], int]:
    """Runs, newest first; staff only."""
    require_staff(subject)
    query = select(CommissionRun)
    if program_id is not None:
        query = query.where(CommissionRun.program_id == program_id)
    if period_key is not None:
        query = query.where(CommissionRun.period_key == period_key)
    return page_of(session, query, CommissionRun.id.desc(), limit=limit, offset=offset)


def latest_run(session: Session, program_id: int, period_key: str) -> CommissionRun | None:
    return session.scalar(select(CommissionRun).where(
        CommissionRun.program_id == program_id, CommissionRun.period_key == period_key)
        .order_by(CommissionRun.id.desc()).limit(1))
