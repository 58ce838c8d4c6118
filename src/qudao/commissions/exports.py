"""Statements exported as CSV, XLSX, PDF and JSON.

Every format reads the lines through ``statements.statement_lines``, so a partner's reader
exports only its own statements. Amounts keep the exact decimals of their currency (JPY 0,
KWD 3); a customer's or product's text never becomes a spreadsheet formula."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.commissions import statements as statement_service
from qudao.commissions.models import CommissionStatement, StatementLine
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.core.money import exponent, from_minor, money_context
from qudao.core.tabular import write_csv
from qudao.documents.render import render_markdown
from qudao.documents.sandbox import escape_markdown
from qudao.partners.models import Partner
from qudao.programs.models import CommissionPlan
from qudao.programs.plans import LEVEL_LABELS, ROUNDING_LABELS, percent_of

FORMATS = ("csv", "xlsx", "pdf", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}
COLUMNS = (N_("Period"), N_("Statement #"), N_("Partner"), N_("Currency"), N_("Line kind"),
           N_("Date"), N_("Deal id"), N_("Customer"), N_("SKU"), N_("Product"),
           N_("Original amount"), N_("Original currency"), N_("FX rate"), N_("Base"),
           N_("Rate (%)"), N_("Tier"), N_("Commission (exact)"), N_("Rounding difference"),
           N_("Commission"), N_("Note"))
SUMMARY_COLUMNS = (N_("Statement #"), N_("Partner"), N_("Period"), N_("Sequence"),
                   N_("State"), N_("Currency"), N_("Base"), N_("Total"), N_("Lines"))
TOTAL = N_("Total")
MAX_ROUNDING_SHOWN = 50
UNSAFE_NAME = re.compile(r"[^0-9A-Za-z_-]+")


class _Plain(Decimal):
    """A number the CSV writes in plain notation: ``Decimal("0E-8")`` would print as
    scientific notation, and a negative amount passed as text would be neutralised like a
    formula."""

    def __str__(self) -> str:
        return format(self, "f")


@dataclass(frozen=True, slots=True)
class Export:
    content: bytes
    media_type: str
    filename: str


@dataclass(frozen=True, slots=True)
class _Statement:
    statement: CommissionStatement
    partner_name: str
    plan: CommissionPlan | None
    lines: list[StatementLine]


def _load(session: Session, subject: AuthSubject,
          found: Iterable[CommissionStatement]) -> list[_Statement]:
    chosen = list(found)
    # Read through the scoped service, so another partner's statement answers 404 here too.
    lines = {s.id: statement_service.statement_lines(session, subject, s.id) for s in chosen}
    partner_ids = {s.partner_id for s in chosen}
    names: dict[int, str] = {pid: name for pid, name in session.execute(
        select(Partner.id, Partner.name).where(Partner.id.in_(partner_ids)))
    } if partner_ids else {}
    plan_ids = {s.plan_id for s in chosen if s.plan_id is not None}
    plans = {p.id: p for p in session.scalars(
        select(CommissionPlan).where(CommissionPlan.id.in_(plan_ids)))} if plan_ids else {}
    return [_Statement(s, names.get(s.partner_id, str(s.partner_id)),
                       plans.get(s.plan_id) if s.plan_id is not None else None, lines[s.id])
            for s in chosen]


# -- numbers as text ------------------------------------------------------------------------

def amount_text(minor: int, currency: str, *, grouped: bool = False) -> str:
    """An amount with exactly its currency's decimals: JPY 1200, KWD 1.250, CNY 25000.00."""
    value = from_minor(minor, currency)
    places = exponent(currency)
    return format(value, f",.{places}f" if grouped else f".{places}f")


def _decimal_text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    with money_context():
        normal = value.normalize()
    return format(normal if normal != 0 else Decimal(0), "f")


def exact_text(value: Decimal, currency: str) -> str:
    """An unrounded amount with all its digits, and at least its currency's decimals."""
    places = exponent(currency)
    with money_context():
        normal = value.normalize()
        if int(normal.as_tuple().exponent) > -places:
            normal = normal.quantize(Decimal(1).scaleb(-places))
    return format(normal, "f")


def _rate_text(rate: Decimal) -> str:
    return format(percent_of(rate), "f")


def _note(locale: LocaleCode, note: str | None) -> str:
    if not note:
        return ""
    return translate(locale, statement_service.NOTE_LABELS.get(note, note))


def _kind(locale: LocaleCode, kind: str) -> str:
    return translate(locale, statement_service.KIND_LABELS.get(kind, kind))


def _state(locale: LocaleCode, state: str) -> str:
    return translate(locale, statement_service.STATE_LABELS.get(state, state))


# -- JSON -----------------------------------------------------------------------------------

def _line_document(line: StatementLine, currency: str, locale: LocaleCode) -> dict[str, Any]:
    original = (amount_text(line.original_minor, line.original_currency)
                if line.original_minor is not None and line.original_currency else None)
    return {
        "id": line.id, "position": line.position, "run_id": line.run_id, "kind": line.kind,
        "kind_label": _kind(locale, line.kind), "source_key": line.source_key,
        "deal_id": line.deal_id, "deal_line_id": line.deal_line_id,
        "transaction_id": line.transaction_id,
        "occurred_on": line.occurred_on.isoformat() if line.occurred_on else None,
        "customer": line.customer, "sku": line.sku, "product": line.product,
        "original_amount": original, "original_minor": line.original_minor,
        "original_currency": line.original_currency, "fx_rate": _decimal_text(line.fx_rate),
        "base": amount_text(line.base_minor, currency), "base_minor": line.base_minor,
        "rate": _decimal_text(line.rate), "rate_percent": _rate_text(line.rate),
        "tier": line.tier, "commission_exact": exact_text(line.commission_exact, currency),
        "rounding": exact_text(line.rounding, currency),
        "commission": amount_text(line.commission_minor, currency),
        "commission_minor": line.commission_minor, "adjusts_line_id": line.adjusts_line_id,
        "note": line.note, "note_label": _note(locale, line.note) or None,
    }


def _document(item: _Statement, locale: LocaleCode) -> dict[str, Any]:
    s = item.statement
    currency = s.currency
    return {
        "id": s.id, "program_id": s.program_id, "partner_id": s.partner_id,
        "partner_name": item.partner_name, "plan_id": s.plan_id,
        "plan_name": item.plan.name if item.plan is not None else None,
        "period_key": s.period_key, "period_start": s.period_start.isoformat(),
        "period_end": s.period_end.isoformat(), "sequence": s.sequence, "currency": currency,
        "state": s.state, "state_label": _state(locale, s.state),
        "base": amount_text(s.base_minor, currency), "base_minor": s.base_minor,
        "total": amount_text(s.total_minor, currency), "total_minor": s.total_minor,
        "lines_count": s.lines_count,
        "approved_at": s.approved_at.isoformat() if s.approved_at else None,
        "paid_at": s.paid_at.isoformat() if s.paid_at else None, "payout_id": s.payout_id,
        "lines": [_line_document(line, currency, locale) for line in item.lines],
    }


def statement_document(session: Session, subject: AuthSubject,
                       statement: CommissionStatement, locale: LocaleCode) -> dict[str, Any]:
    """One statement and its lines as JSON-ready values: amounts as decimal strings with
    the currency's decimals beside their minor units, dates as ISO text."""
    return _document(_load(session, subject, [statement])[0], locale)


# -- rows for CSV and XLSX ------------------------------------------------------------------

def _money(minor: int, currency: str) -> Decimal:
    return _Plain(from_minor(minor, currency))


def _exact(value: Decimal | None) -> Decimal | None:
    text = _decimal_text(value)
    return None if text is None else _Plain(text)


def _line_row(item: _Statement, line: StatementLine, locale: LocaleCode) -> list[Any]:
    s = item.statement
    original = (_money(line.original_minor, line.original_currency)
                if line.original_minor is not None and line.original_currency else None)
    return [s.period_key, s.id, item.partner_name, s.currency, _kind(locale, line.kind),
            line.occurred_on.isoformat() if line.occurred_on else None, line.deal_id,
            line.customer, line.sku, line.product, original, line.original_currency,
            _exact(line.fx_rate), _money(line.base_minor, s.currency),
            _Plain(_rate_text(line.rate)), line.tier,
            _Plain(exact_text(line.commission_exact, s.currency)),
            _Plain(exact_text(line.rounding, s.currency)),
            _money(line.commission_minor, s.currency),
            _note(locale, line.note)]


def _total_row(item: _Statement, locale: LocaleCode) -> list[Any]:
    s = item.statement
    with money_context():
        exact = sum((line.commission_exact for line in item.lines), Decimal(0))
        rounding = sum((line.rounding for line in item.lines), Decimal(0))
    return [s.period_key, s.id, item.partner_name, s.currency, translate(locale, TOTAL),
            None, None, None, None, None, None, None, None,
            _money(s.base_minor, s.currency), None, None, _Plain(exact_text(exact, s.currency)),
            _Plain(exact_text(rounding, s.currency)),
            _money(s.total_minor, s.currency), None]


def _rows(items: list[_Statement], locale: LocaleCode) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for item in items:
        rows.extend(_line_row(item, line, locale) for line in item.lines)
        rows.append(_total_row(item, locale))
    return rows


def _csv(items: list[_Statement], locale: LocaleCode) -> bytes:
    return write_csv([translate(locale, c) for c in COLUMNS], _rows(items, locale))


# -- XLSX -----------------------------------------------------------------------------------

def _number_format(places: int) -> str:
    return "#,##0" if places == 0 else "#,##0." + "0" * places


def _append(sheet: Any, values: list[Any], formats: list[str | None],
            bold: bool = False) -> None:
    cells = []
    for value, number_format in zip(values, formats, strict=True):
        if isinstance(value, Decimal):
            # Excel holds doubles; the exact text stays in the CSV and the JSON.
            cell = WriteOnlyCell(sheet, value=float(value))
            cell.number_format = number_format or "0.##########"
        elif isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            # openpyxl would store a string starting with "=" as a formula.
            cell.data_type = "s"
        else:
            cell = WriteOnlyCell(sheet, value=value)
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def _sheet(workbook: openpyxl.Workbook, title: str, headers: list[str],
           widths: list[int]) -> Any:
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    _append(sheet, list(headers), [None] * len(headers), bold=True)
    return sheet


def _xlsx(items: list[_Statement], locale: LocaleCode) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    summary = _sheet(workbook, translate(locale, N_("Statements")),
                     [translate(locale, c) for c in SUMMARY_COLUMNS],
                     [12, 28, 24, 10, 12, 10, 16, 16, 8])
    for item in items:
        s = item.statement
        money = _number_format(exponent(s.currency))
        _append(summary, [s.id, item.partner_name, s.period_key, s.sequence,
                          _state(locale, s.state), s.currency,
                          _money(s.base_minor, s.currency), _money(s.total_minor, s.currency),
                          s.lines_count],
                [None, None, None, None, None, None, money, money, None])
    lines = _sheet(workbook, translate(locale, N_("Lines")),
                   [translate(locale, c) for c in COLUMNS],
                   [12, 10, 24, 8, 12, 12, 8, 24, 14, 24, 14, 8, 12, 14, 8, 6, 18, 12, 14, 30])
    for item in items:
        money = _number_format(exponent(item.statement.currency))
        formats: list[str | None] = [None] * len(COLUMNS)
        for index in (13, 18):
            formats[index] = money
        for line in item.lines:
            row_formats = list(formats)
            if line.original_currency:
                row_formats[10] = _number_format(exponent(line.original_currency))
            _append(lines, _line_row(item, line, locale), row_formats)
        _append(lines, _total_row(item, locale), formats, bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- PDF ------------------------------------------------------------------------------------

def _cell(value: str | None) -> str:
    """User text as one Markdown table cell: markup escaped, no line breaks."""
    if not value:
        return "—"
    return escape_markdown(" ".join(value.split())) or "—"


def _rounding_sentence(plan: CommissionPlan | None, locale: LocaleCode) -> str:
    if plan is None:
        return translate(locale, N_("The total equals the sum of the lines' commissions."))
    mode = translate(locale, ROUNDING_LABELS.get(plan.rounding_mode, plan.rounding_mode))
    level = translate(locale, LEVEL_LABELS.get(plan.rounding_level, plan.rounding_level))
    if plan.rounding_level == "statement":
        message = N_("The total equals the sum of the lines' commissions. The plan rounds "
                     "%(mode)s, %(level)s: the running total of the exact commissions is "
                     "rounded and each line shows its step, so no line is off its exact "
                     "value by more than one minor unit.")
    else:
        message = N_("The total equals the sum of the lines' commissions. The plan rounds "
                     "%(mode)s, %(level)s: each line's exact commission is rounded on its "
                     "own.")
    return translate(locale, message, mode=mode, level=level)


def _description(item: _Statement, line: StatementLine, locale: LocaleCode) -> str:
    """What a line is about, in one table cell: an A4 page holds six columns, so the kind,
    customer, product, original amount and tier share one."""
    currency = item.statement.currency
    parts: list[str] = []
    if line.kind != "sale":
        parts.append(f"**{_cell(_kind(locale, line.kind))}**")
    if line.customer:
        parts.append(_cell(line.customer))
    product = " ".join(p for p in (line.sku, line.product) if p)
    if product:
        parts.append(_cell(product))
    if line.original_currency and line.original_currency != currency \
            and line.original_minor is not None:
        parts.append(amount_text(line.original_minor, line.original_currency, grouped=True)
                     + f" {line.original_currency} × " + _cell(_decimal_text(line.fx_rate)))
    if line.tier is not None:
        parts.append(_cell(translate(locale, N_("tier %(n)s"), n=line.tier)))
    if line.deal_id is not None:
        parts.append(_cell(translate(locale, N_("deal %(id)s"), id=line.deal_id)))
    if line.note:
        parts.append(f"*{_cell(_note(locale, line.note))}*")
    return " · ".join(parts) or "—"


def _statement_markdown(item: _Statement, locale: LocaleCode) -> list[str]:
    s = item.statement
    currency = s.currency

    def t(message: str, **params: Any) -> str:
        return _cell(translate(locale, message, **params))

    last_day = s.period_end - timedelta(days=1)
    period = f"{s.period_key} ({s.period_start.isoformat()} – {last_day.isoformat()})"
    parts = [f"## {_cell(item.partner_name)} · {t(N_('Statement %(id)s'), id=s.id)}", ""]
    facts = [(t(N_("Partner")), _cell(item.partner_name)), (t(N_("Period")), _cell(period)),
             (t(N_("Sequence")), str(s.sequence)), (t(N_("State")), _cell(_state(locale,
                                                                                  s.state))),
             (t(N_("Plan")), _cell(item.plan.name) if item.plan is not None else "—"),
             (t(N_("Currency")), currency)]
    parts.extend(f"- **{label}:** {value}" for label, value in facts)
    parts.append("")
    headers = [t(N_("Line")), t(N_("Date")), t(N_("Details")), t(N_("Base")), t(N_("Rate (%)")),
               t(N_("Commission"))]
    parts.append("| " + " | ".join(headers) + " |")
    parts.append("|--:|---|---|--:|--:|--:|")
    for line in item.lines:
        cells = [str(line.position), line.occurred_on.isoformat() if line.occurred_on else "—",
                 _description(item, line, locale),
                 amount_text(line.base_minor, currency, grouped=True), _rate_text(line.rate),
                 amount_text(line.commission_minor, currency, grouped=True)]
        parts.append("| " + " | ".join(cells) + " |")
    total = amount_text(s.total_minor, currency, grouped=True)
    base = amount_text(s.base_minor, currency, grouped=True)
    parts.append(f"| | | **{t(TOTAL)}** | **{base}** | | **{total}** |")
    parts.append("")
    if not item.lines:
        parts.extend([t(N_("This statement has no lines.")), ""])
    parts.extend([f"**{t(TOTAL)}: {total} {currency}**", ""])
    parts.extend([_cell(_rounding_sentence(item.plan, locale)), ""])
    with money_context():
        exact = sum((line.commission_exact for line in item.lines), Decimal(0))
        rounding = sum((line.rounding for line in item.lines), Decimal(0))
    parts.extend([t(N_("The exact commissions add up to %(exact)s, the rounding to "
                       "%(rounding)s: together %(total)s %(currency)s."),
                    exact=exact_text(exact, currency), rounding=exact_text(rounding, currency),
                    total=total, currency=currency), ""])
    rounded = [line for line in item.lines if line.rounding != 0]
    for line in rounded[:MAX_ROUNDING_SHOWN]:
        parts.append("- " + t(N_("Line %(n)s: %(exact)s exact, rounded by %(rounding)s to "
                                 "%(commission)s."), n=line.position,
                              exact=exact_text(line.commission_exact, currency),
                              rounding=exact_text(line.rounding, currency),
                              commission=amount_text(line.commission_minor, currency,
                                                     grouped=True)))
    if len(rounded) > MAX_ROUNDING_SHOWN:
        parts.append("- " + t(N_("… and %(n)s more lines; the CSV export lists every line's "
                                 "rounding."), n=len(rounded) - MAX_ROUNDING_SHOWN))
    parts.append("")
    return parts


def _pdf(items: list[_Statement], locale: LocaleCode) -> bytes:
    title = translate(locale, N_("Commission statement"))
    if len({item.statement.partner_id for item in items}) == 1:
        title += " · " + items[0].partner_name
    parts = [f"# {_cell(title)}", ""]
    if not items:
        parts.extend([_cell(translate(locale, N_("No statements match."))), ""])
    for item in items:
        parts.extend(_statement_markdown(item, locale))
    return render_markdown("\n".join(parts), fmt="pdf", title=title, locale=locale)


# -- the one entry point --------------------------------------------------------------------

def _filename(items: list[_Statement], fmt: str) -> str:
    if len(items) == 1:
        return f"statement-{items[0].statement.id}.{fmt}"
    periods = {item.statement.period_key for item in items}
    if len(periods) == 1:
        key = UNSAFE_NAME.sub("_", periods.pop()).strip("_")
        return f"statements-{key}.{fmt}"
    return f"statements.{fmt}"


def export_statements(session: Session, subject: AuthSubject,
                      statements: list[CommissionStatement], fmt: str,
                      locale: LocaleCode) -> Export:
    """The statements with their lines in ``fmt`` (csv, xlsx, pdf or json), in ``locale``.
    The JSON form is a list of ``statement_document``s."""
    chosen = fmt.strip().lower()
    if chosen not in FORMATS:
        raise Unprocessable(N_("%(value)s is not an export format; use csv, xlsx, pdf or "
                               "json."), field="format", value=fmt)
    items = _load(session, subject, statements)
    if chosen == "csv":
        content = _csv(items, locale)
    elif chosen == "xlsx":
        content = _xlsx(items, locale)
    elif chosen == "pdf":
        content = _pdf(items, locale)
    else:
        content = json.dumps([_document(item, locale) for item in items],
                             ensure_ascii=False, indent=2).encode("utf-8")
    return Export(content, MEDIA_TYPES[chosen], _filename(items, chosen))
