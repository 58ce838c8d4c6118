"""The stored currency-rate table: rates are entered or imported by staff, never fetched.
A sale in another currency is converted at the latest rate on or before its day; the
converted amount is rounded half to even to the plan currency's minor unit (its one
rounding point) and the rate is shown on the statement line."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.commissions.models import CurrencyRate
from qudao.core.errors import Conflict, Forbidden, Unprocessable
from qudao.core.i18n import N_
from qudao.core.money import check_currency, exponent, money_context
from qudao.core.tabular import ImportRejected, ImportReport, RowProblem, read_table
from qudao.db.paging import page_of

NOT_A_RATE = N_("%(value)s is not an exchange rate; write a positive number such as 7.2345.")


@dataclass(frozen=True, slots=True)
class Conversion:
    minor: int
    rate: Decimal


class RateBook:
    """All stored rates, for lookups by pair and day during one run."""

    def __init__(self, rows: list[tuple[date, str, str, Decimal]]) -> None:
        days: dict[tuple[str, str], list[date]] = defaultdict(list)
        rates: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
        for day, base, quote, rate in sorted(rows):
            days[(base, quote)].append(day)
            rates[(base, quote)].append(rate)
        self._days, self._rates = dict(days), dict(rates)

    @classmethod
    def load(cls, session: Session) -> RateBook:
        return cls([(r.rate_date, r.base, r.quote, r.rate)
                    for r in session.scalars(select(CurrencyRate))])

    def _latest(self, base: str, quote: str, day: date) -> Decimal | None:
        days = self._days.get((base, quote))
        if not days:
            return None
        index = bisect_right(days, day)
        return self._rates[(base, quote)][index - 1] if index else None

    def convert(self, minor: int, source: str, target: str, day: date) -> Conversion | None:
        """``minor`` units of ``source`` in ``target`` on ``day``; None without a rate. A
        stored rate of the inverse pair is used by division, so no inverse is rounded."""
        if source == target:
            return Conversion(minor, Decimal(1))
        shift = exponent(target) - exponent(source)
        with money_context():
            direct = self._latest(source, target, day)
            if direct is not None:
                exact, rate = Decimal(minor).scaleb(shift) * direct, direct
            else:
                inverse = self._latest(target, source, day)
                if inverse is None:
                    return None
                exact = Decimal(minor).scaleb(shift) / inverse
                rate = (Decimal(1) / inverse).quantize(Decimal("0.0000000001")).normalize()
            return Conversion(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)), rate)


def parse_exchange_rate(value: object, field: str = "rate") -> Decimal:
    if isinstance(value, bool | float):
        raise Unprocessable(NOT_A_RATE, field=field, value=str(value))
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise Unprocessable(NOT_A_RATE, field=field, value=str(value)) from None
    if (not rate.is_finite() or rate <= 0 or rate.adjusted() > 9
            or int(rate.as_tuple().exponent) < -12):
        raise Unprocessable(NOT_A_RATE, field=field, value=str(value))
    return rate.normalize()


def _pair(base: str, quote: str) -> tuple[str, str]:
    base, quote = check_currency(base), check_currency(quote)
    if base == quote:
        raise Unprocessable(N_("A rate converts one currency into another: choose two "
                               "different currencies."), field="quote")
    return base, quote


def add_rate(session: Session, subject: AuthSubject, *, rate_date: date, base: str, quote: str,
             rate: object) -> CurrencyRate:
    """Stores a rate; the same rate again changes nothing, another rate for the same day and
    pair is refused (a rate that was used stays as it was)."""
    require_staff_writer(subject)
    return _store(session, rate_date, base, quote, rate, "manual")[0]


def _store(session: Session, rate_date: date, base: str, quote: str, rate: object,
           source: str) -> tuple[CurrencyRate, bool]:
    base, quote = _pair(base, quote)
    value = parse_exchange_rate(rate)
    found = session.scalar(select(CurrencyRate).where(
        CurrencyRate.rate_date == rate_date, CurrencyRate.base == base,
        CurrencyRate.quote == quote))
    if found is not None:
        if found.rate == value:
            return found, False
        raise Conflict(N_("A rate for %(base)s→%(quote)s on %(day)s is already stored "
                          "(%(rate)s). Enter the new rate on a later day."), field="rate",
                       base=base, quote=quote, day=rate_date.isoformat(),
                       rate=format(found.rate, "f"))
    row = CurrencyRate(rate_date=rate_date, base=base, quote=quote, rate=value, source=source)
    session.add(row)
    session.flush()
    audit.record(session, action="rate.add", target_type="currency_rate", target_id=row.id,
                 after={"rate_date": rate_date.isoformat(), "base": base, "quote": quote,
                        "rate": format(value, "f"), "source": source})
    return row, True


HEADERS = ("date", "base", "quote", "rate")


def import_rates(session: Session, subject: AuthSubject, filename: str,
                 data: bytes) -> ImportReport:
    """A CSV or XLSX with the columns date, base, quote, rate; all rows or none. Every bad
    row is reported (row number, column, reason)."""
    require_staff_writer(subject)
    table = read_table(filename, data)
    headers = [h.strip().lower() for h in table.headers]
    missing = [h for h in HEADERS if h not in headers]
    if missing:
        raise Unprocessable(N_("The file needs the columns %(columns)s."), field="file",
                            columns=", ".join(HEADERS))
    report = ImportReport(rows=len(table.rows))
    parsed: list[tuple[int, date, str, str, Decimal]] = []
    for number, cells in table.rows:
        row = dict(zip(headers, cells, strict=False))
        column = "date"
        try:
            try:
                day = date.fromisoformat(row.get("date", "").strip()[:10])
            except ValueError:
                raise Unprocessable(N_("Write the date as YYYY-MM-DD.")) from None
            column = "quote"
            base, quote = _pair(row.get("base", ""), row.get("quote", ""))
            column = "rate"
            parsed.append((number, day, base, quote,
                           parse_exchange_rate(row.get("rate", ""))))
        except Unprocessable as error:
            report.errors.append(RowProblem.of(number, error.field or column, error))
    if not report.errors:
        for number, day, base, quote, rate in parsed:
            try:
                report.created += _store(session, day, base, quote, rate, "import")[1]
            except Conflict as error:
                report.errors.append(RowProblem.of(number, "rate", error))
    if report.errors:
        raise ImportRejected(report)
    return report


def list_rates(session: Session, subject: AuthSubject, *, limit: int, offset: int,
               base: str | None = None, quote: str | None = None,
               ) -> tuple[list[CurrencyRate], int]:
    if not subject.is_staff:
        raise Forbidden(N_("Only staff see the rate table."))
    query = select(CurrencyRate)
    if base:
        query = query.where(CurrencyRate.base == check_currency(base))
    if quote:
        query = query.where(CurrencyRate.quote == check_currency(quote))
    return page_of(session, query, CurrencyRate.rate_date.desc(), CurrencyRate.base,
                   CurrencyRate.quote, limit=limit, offset=offset)
