"""qudao commissions: runs, statements, payouts, rates, sales and the what-if.

Each command is one transaction: it commits when it ends normally and changes nothing when
it fails, with the reason in the user's language and a non-zero exit."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy.orm import Session

from qudao.accounts.subject import SYSTEM
from qudao.commissions import exports, payouts, rates, runs, statements, transactions, whatif
from qudao.commissions.models import CommissionStatement
from qudao.commissions.periods import parse_period
from qudao.core import clock
from qudao.core.cli_support import _, cli_locale, command_unit, console, fail, handles_errors
from qudao.core.errors import NotFound, Unprocessable
from qudao.core.i18n import N_, LocaleCode, coerce_locale
from qudao.core.money import from_minor
from qudao.core.tabular import MAX_UPLOAD_BYTES, ImportRejected, ImportReport
from qudao.deals import repository as deals
from qudao.programs.plans import percent_of
from qudao.programs.plans_cli import parse_tier

app = typer.Typer(help="Commissions: run a period, statements, payouts, rates, what-if.",
                  no_args_is_help=True)
rates_app = typer.Typer(help="The exchange-rate table: add, import, list.",
                        no_args_is_help=True)
sales_app = typer.Typer(help="Sales and refunds from billing.", no_args_is_help=True)
app.add_typer(rates_app, name="rates")
app.add_typer(sales_app, name="sales")

ExportFormat = Literal["table", "json", "csv", "xlsx", "pdf"]
FILE_FORMATS = ("csv", "xlsx", "pdf")
LIST_LIMIT = 10_000
FormatOption = Annotated[ExportFormat, typer.Option(
    "--format", help="table (the terminal), json, or csv, xlsx, pdf with --output")]
OutputOption = Annotated[Path | None, typer.Option(
    "-o", "--output", help="File to write (needed for csv, xlsx and pdf)")]
LangOption = Annotated[str | None, typer.Option(
    "--lang", help="Language of the export: zh-CN or en (default: yours)")]
PeriodOption = Annotated[str, typer.Option(
    "--period", help="2011-01 (a month), 2011-Q1 (a quarter) or 2011-01-05..2011-02-04")]
ProgramOption = Annotated[int | None, typer.Option(
    "--program", help="Program id (default: the only or first program)")]


def _language(lang: str | None) -> LocaleCode:
    if lang is None or not lang.strip():
        return cli_locale()
    found = coerce_locale(lang)
    if found is None:
        raise Unprocessable(N_("%(value)s is not a language of qudao; use zh-CN or en."),
                            field="lang", value=lang)
    return found


def _day(value: str | None, field: str) -> date:
    """A day written YYYY-MM-DD; today when left out."""
    if value is None:
        return clock.now().date()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Unprocessable(N_("%(value)s is not a date; write it as YYYY-MM-DD."),
                            field=field, value=value) from None


def _money(minor: int, currency: str) -> str:
    return f"{exports.amount_text(minor, currency, grouped=True)} {currency}"


def _keep_whole(table: Table, *columns: int) -> Table:
    """Amounts and dates stay on one line; a narrow terminal wraps the names instead."""
    for index in columns:
        table.columns[index].no_wrap = True
    return table


def _check_output(fmt: str, output: Path | None) -> None:
    if fmt in FILE_FORMATS and output is None:
        raise fail(_("The %(format)s format is written to a file: add --output PATH.",
                     format=fmt), 2)
    if output is not None and not output.parent.is_dir():
        raise fail(_("The folder %(folder)s does not exist.", folder=str(output.parent)), 2)


def _write(export: exports.Export, output: Path | None) -> None:
    if output is None:
        print(export.content.decode("utf-8"))
        return
    output.write_bytes(export.content)
    console.print(_("Wrote %(file)s (%(size)s bytes).", file=str(output),
                    size=len(export.content)), markup=False, highlight=False)


def _read_file(path: Path) -> tuple[str, bytes]:
    if not path.is_file():
        raise fail(_("The file %(file)s does not exist.", file=str(path)), 2)
    with path.open("rb") as handle:
        # One byte over the limit is enough for the import to refuse the file as too large.
        return path.name, handle.read(MAX_UPLOAD_BYTES + 1)


def _report_problems(rejected: ImportRejected) -> typer.Exit:
    locale = cli_locale()
    table = Table(_("Row"), _("Column"), _("Problem"), title=_("Rows with problems"))
    for problem in rejected.report.errors:
        table.add_row(str(problem.row), escape(problem.column or "—"),
                      escape(problem.render(locale)))
    console.print(table)
    return fail(rejected.render(locale), 2)


def _print_import(report: ImportReport) -> None:
    console.print(_("%(rows)s rows read, %(created)s new; nothing else changed.",
                    rows=report.rows, created=report.created))
    for problem in report.warnings:
        console.print(f"  {_('Row')} {problem.row}: {problem.render(cli_locale())}",
                      markup=False, highlight=False)


# -- runs -----------------------------------------------------------------------------------

@app.command("run")
@handles_errors
def run(period: PeriodOption, program: ProgramOption = None) -> None:
    """Run a period: compute every partner's commissions and post what changed since the
    last run (a second run posts nothing new)."""
    chosen = parse_period(period)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task(_("Partners"), total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        with command_unit() as (session, _settings):
            found = runs.run_period(session, SYSTEM, period=chosen, program_id=program,
                                    progress=advance)
            summary: dict[str, Any] = json.loads(found.summary_json or "{}")
            unplanned = deals.partner_names(session, set(summary.get("partners_without_plan", [])))
            run_id, lines, touched = found.id, found.lines_posted, found.statements_touched
            partners = found.partners_count
    _print_run(chosen.key, run_id, lines, touched, partners, summary, unplanned)


def _print_run(period: str, run_id: int, lines: int, touched: int, partners: int,
               summary: dict[str, Any], unplanned: dict[int, str]) -> None:
    if lines == 0:
        console.print(_("Nothing new to post for %(period)s: the statements are up to date "
                        "(run %(id)s).", period=period, id=run_id), markup=False)
    else:
        console.print(_("Run %(id)s of %(period)s posted %(lines)s lines on %(n)s "
                        "statements.", id=run_id, period=period, lines=lines, n=touched),
                      markup=False)
    table = Table(_("Currency"), _("Accrued"), _("Clawed back"), _("Adjusted"),
                  _("Net posted"), title=_("Run %(id)s: %(period)s", id=run_id,
                                           period=period))
    for currency, kinds in sorted(summary.get("totals", {}).items()):
        amounts = [int(kinds.get(k, 0)) for k in ("accrual", "clawback", "adjustment")]
        table.add_row(currency, *[_money(a, currency) for a in amounts],
                      _money(sum(amounts), currency))
    _keep_whole(table, 0, 1, 2, 3, 4)
    table.caption = _("%(n)s partners computed", n=partners)
    if summary.get("totals"):
        console.print(table)
    missing = int(summary.get("partners_without_plan_count", 0))
    if missing:
        shown = ", ".join(f"{name} (#{pid})" for pid, name in sorted(unplanned.items()))
        console.print(_("Warning: %(n)s partners have sales in the period but no commission "
                        "plan in force: %(partners)s", n=missing, partners=shown),
                      markup=False, style="yellow")
    refunds = int(summary.get("refunds_not_commissioned", 0))
    if refunds:
        console.print(_("Warning: %(n)s refunds are of sales that earned no commission yet; "
                        "they claw back nothing.", n=refunds), markup=False, style="yellow")


@app.command("runs")
@handles_errors
def list_runs(
    period: Annotated[str | None, typer.Option(help="Only this period")] = None,
    program: ProgramOption = None,
) -> None:
    """The runs, newest first (at most 100)."""
    with command_unit() as (session, _settings):
        key = parse_period(period).key if period is not None and period.strip() else None
        found, _total = runs.list_runs(session, SYSTEM, limit=100, program_id=program,
                                       period_key=key)
        table = Table(_("Id"), _("Period"), _("Program"), _("Started"), _("By"),
                      _("Partners"), _("Lines posted"), _("Statements"))
        for row in found:
            table.add_row(str(row.id), row.period_key, str(row.program_id),
                          row.started_at.strftime("%Y-%m-%d %H:%M"),
                          escape(row.actor_label or "—"), str(row.partners_count),
                          str(row.lines_posted), str(row.statements_touched))
    console.print(table)
    console.print(_("%(n)s runs", n=len(found)))


# -- statements -----------------------------------------------------------------------------

def _statements_table(session: Session, found: list[CommissionStatement]) -> Table:
    names = deals.partner_names(session, {s.partner_id for s in found})
    table = Table(_("Id"), _("Partner"), _("Period"), _("State"), _("Currency"), _("Base"),
                  _("Total"), _("Lines"))
    for s in found:
        period = s.period_key + (f" #{s.sequence}" if s.sequence > 1 else "")
        table.add_row(str(s.id), escape(names.get(s.partner_id, str(s.partner_id))),
                      period, _(statements.STATE_LABELS[s.state]), s.currency,
                      exports.amount_text(s.base_minor, s.currency, grouped=True),
                      exports.amount_text(s.total_minor, s.currency, grouped=True),
                      str(s.lines_count))
    return _keep_whole(table, 2, 5, 6)


@app.command("statements")
@handles_errors
def list_statements(
    period: PeriodOption,
    partner: Annotated[int | None, typer.Option(help="Only this partner (id)")] = None,
    state: Annotated[Literal["draft", "approved", "paid"] | None,
                     typer.Option(help="draft, approved or paid")] = None,
    program: ProgramOption = None,
    fmt: FormatOption = "table",
    output: OutputOption = None,
    lang: LangOption = None,
) -> None:
    """The statements of a period: a table here, or exported as JSON, CSV, XLSX or PDF."""
    _check_output(fmt, output)
    locale = _language(lang)
    key = parse_period(period).key
    with command_unit() as (session, _settings):
        found, total = statements.list_statements(
            session, SYSTEM, limit=LIST_LIMIT, offset=0, partner_id=partner, period_key=key,
            state=state, program_id=program)
        if fmt == "table":
            table = _statements_table(session, found)
        else:
            export = exports.export_statements(session, SYSTEM, found, fmt, locale)
    if fmt != "table":
        _write(export, output)
        return
    console.print(table)
    console.print(_("%(n)s statements", n=total))


def _print_statement(document: dict[str, Any]) -> None:
    currency = document["currency"]
    console.print(f"[bold]{_('Statement %(id)s', id=document['id'])}[/] · "
                  f"{escape(document['partner_name'])} · {document['period_key']} "
                  f"#{document['sequence']}", highlight=False)
    console.print(f"  {_('State')}: {document['state_label']}", markup=False, highlight=False)
    console.print(f"  {_('Plan')}: {document['plan_name'] or '—'}", markup=False,
                  highlight=False)
    table = Table(_("Line"), _("Date"), _("Details"), _("Base"), _("Rate (%)"),
                  _("Commission (exact)"), _("Commission"))
    for line in document["lines"]:
        details = [line["kind_label"]] if line["kind"] != "sale" else []
        details += [p for p in (line["customer"], line["sku"], line["product"]) if p]
        if line["tier"] is not None:
            details.append(_("tier %(n)s", n=line["tier"]))
        if line["note_label"]:
            details.append(line["note_label"])
        table.add_row(str(line["position"]), line["occurred_on"] or "—",
                      escape(" · ".join(details) or "—"), line["base"],
                      line["rate_percent"], line["commission_exact"], line["commission"])
    console.print(_keep_whole(table, 1, 3, 6))
    console.print(f"[bold]{_('Total')}: {document['total']} {currency}[/]", highlight=False)


@app.command("statement")
@handles_errors
def show_statement(
    statement_id: int,
    fmt: FormatOption = "table",
    output: OutputOption = None,
    lang: LangOption = None,
) -> None:
    """One statement with its lines."""
    _check_output(fmt, output)
    locale = _language(lang)
    with command_unit() as (session, _settings):
        statement = statements.get_statement(session, SYSTEM, statement_id)
        if fmt == "table":
            document = exports.statement_document(session, SYSTEM, statement, locale)
        elif fmt == "json":
            document = exports.statement_document(session, SYSTEM, statement, locale)
            export = exports.Export(json.dumps(document, ensure_ascii=False, indent=2)
                                    .encode("utf-8"), exports.MEDIA_TYPES["json"],
                                    f"statement-{statement_id}.json")
        else:
            export = exports.export_statements(session, SYSTEM, [statement], fmt, locale)
    if fmt == "table":
        _print_statement(document)
        return
    _write(export, output)


@app.command("approve")
@handles_errors
def approve(statement_ids: Annotated[list[int], typer.Argument(help="Statement ids")]) -> None:
    """Approve draft statements (all or none)."""
    with command_unit() as (session, _settings):
        approved = [statements.approve(session, SYSTEM, sid) for sid in statement_ids]
        shown = [(s.id, _money(s.total_minor, s.currency)) for s in approved]
    for statement_id, total in shown:
        console.print(_("Statement %(id)s is approved (%(total)s).", id=statement_id,
                        total=total), markup=False, highlight=False)


# -- payouts --------------------------------------------------------------------------------

@app.command("pay")
@handles_errors
def pay(
    partner: Annotated[int, typer.Option(help="The partner's id")],
    currency: Annotated[str, typer.Option(help="ISO code, e.g. CNY")],
    reference: Annotated[str, typer.Option(help="The bank transfer's number or the like")],
    method: Annotated[Literal["bank_transfer", "alipay", "wechat_pay", "paypal", "other"],
                      typer.Option(help="How it was paid")] = "bank_transfer",
    paid_on: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: "
                                                               "today)")] = None,
) -> None:
    """Record a payout of every approved statement of a partner in one currency."""
    day = _day(paid_on, "paid_on")
    with command_unit() as (session, _settings):
        payout = payouts.pay(session, SYSTEM, partner_id=partner, currency=currency,
                             method=method, reference=reference, paid_on=day)
        settled = payouts.settled_statements(session, [payout.id])[payout.id]
        payout_id, amount = payout.id, _money(payout.amount_minor, payout.currency)
    console.print(_("Payout %(id)s: %(amount)s paid; statements %(statements)s are paid.",
                    id=payout_id, amount=amount,
                    statements=", ".join(str(s) for s in settled)),
                  markup=False, highlight=False)


@app.command("reverse-payout")
@handles_errors
def reverse_payout(
    payout_id: int,
    reason: Annotated[str, typer.Option(help="Why, such as: the transfer came back")],
) -> None:
    """Reverse a payout; its statements are approved again and payable."""
    with command_unit() as (session, _settings):
        payout = payouts.reverse_payout(session, SYSTEM, payout_id, reason)
        amount = _money(payout.amount_minor, payout.currency)
    console.print(_("Payout %(id)s (%(amount)s) is reversed; its statements are approved "
                    "again.", id=payout_id, amount=amount), markup=False, highlight=False)


@app.command("balance")
@handles_errors
def balance(partner: Annotated[int, typer.Option(help="The partner's id")]) -> None:
    """What the company owes a partner, per currency."""
    with command_unit() as (session, _settings):
        name = deals.partner_names(session, {partner}).get(partner)
        if name is None:
            raise NotFound(N_("Partner %(id)s was not found."), id=partner)
        found = statements.balances(session, SYSTEM, partner)
    table = Table(_("Currency"), _("Payable"), _("Draft"), _("Approved"), _("Paid"),
                  _("Last paid"), title=_("Balance of %(partner)s", partner=escape(name)))
    for row in found:
        table.add_row(row.currency, *[_money(m, row.currency) for m in (
            row.payable_minor, row.draft_minor, row.approved_minor, row.paid_minor)],
            row.last_paid_on.isoformat() if row.last_paid_on else "—")
    console.print(_keep_whole(table, 1, 2, 3, 4, 5))
    if not found:
        console.print(_("%(partner)s has no commissions yet.", partner=name), markup=False)


# -- rates ----------------------------------------------------------------------------------

@rates_app.command("add")
@handles_errors
def add_rate(
    rate_date: Annotated[str, typer.Argument(metavar="DATE", help="From this day, YYYY-MM-DD")],
    base: Annotated[str, typer.Argument(help="e.g. USD")],
    quote: Annotated[str, typer.Argument(help="e.g. CNY")],
    rate: Annotated[str, typer.Argument(help="One unit of BASE in QUOTE, e.g. 7.2345")],
) -> None:
    """Store an exchange rate from a day on."""
    day = _day(rate_date, "rate_date")
    with command_unit() as (session, _settings):
        row = rates.add_rate(session, SYSTEM, rate_date=day, base=base, quote=quote,
                             rate=rate)
        shown = (row.rate_date.isoformat(), row.base, row.quote, format(row.rate, "f"))
    console.print(_("From %(day)s, 1 %(base)s = %(rate)s %(quote)s.", day=shown[0],
                    base=shown[1], quote=shown[2], rate=shown[3]), markup=False,
                  highlight=False)


@rates_app.command("import")
@handles_errors
def import_rates(path: Annotated[Path, typer.Argument(metavar="FILE", help=".csv or .xlsx "
                                                      "with date, base, quote, rate")]) -> None:
    """Import rates, all rows or none; every bad row is reported."""
    filename, data = _read_file(path)
    try:
        with command_unit() as (session, _settings):
            report = rates.import_rates(session, SYSTEM, filename, data)
    except ImportRejected as rejected:
        raise _report_problems(rejected) from None
    _print_import(report)


@rates_app.command("list")
@handles_errors
def list_rates(
    base: Annotated[str | None, typer.Option(help="Only this base currency")] = None,
    quote: Annotated[str | None, typer.Option(help="Only this quote currency")] = None,
) -> None:
    """The stored rates, newest first (at most 200)."""
    with command_unit() as (session, _settings):
        found, total = rates.list_rates(session, SYSTEM, limit=200, offset=0, base=base,
                                        quote=quote)
        table = Table(_("Date"), _("Base currency"), _("Quote currency"), _("Rate"),
                      _("Source"))
        for row in found:
            table.add_row(row.rate_date.isoformat(), row.base, row.quote,
                          format(row.rate, "f"), row.source)
    console.print(table)
    console.print(_("%(n)s rates", n=total))


# -- sales and refunds ----------------------------------------------------------------------

@sales_app.command("import")
@handles_errors
def import_sales(
    path: Annotated[Path, typer.Argument(metavar="FILE", help=".csv or .xlsx from billing")],
    program: ProgramOption = None,
) -> None:
    """Import sales and refunds, all rows or none; every bad row is reported."""
    filename, data = _read_file(path)
    try:
        with command_unit() as (session, _settings):
            report = transactions.import_transactions(session, SYSTEM, filename, data,
                                                      program_id=program)
    except ImportRejected as rejected:
        raise _report_problems(rejected) from None
    _print_import(report)


@app.command("refund")
@handles_errors
def refund(
    amount: Annotated[str, typer.Option(help='In the sale\'s currency, e.g. "100.00"')],
    on: Annotated[str, typer.Option("--date", help="YYYY-MM-DD; clawed back in its period")],
    deal_line: Annotated[int | None, typer.Option("--deal-line", help="Won deal line id")
                         ] = None,
    sale: Annotated[int | None, typer.Option("--sale", help="Imported sale id")] = None,
    reason: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """Record a refund of a won deal line or an imported sale; the next run of its period
    claws back the commission it earned."""
    if (deal_line is None) == (sale is None):
        raise fail(_("Give either --deal-line ID or --sale ID."), 2)
    day = _day(on, "occurred_on")
    with command_unit() as (session, _settings):
        row = transactions.record_refund(session, SYSTEM, amount=amount, occurred_on=day,
                                         reason=reason, deal_line_id=deal_line,
                                         transaction_id=sale, source="cli")
        refund_id = row.id
        shown = _money(row.amount_minor, row.currency)
    console.print(_("Refund %(id)s of %(amount)s is recorded; run %(period)s to claw back "
                    "its commission.", id=refund_id, amount=shown,
                    period=day.strftime("%Y-%m")), markup=False, highlight=False)


# -- what-if --------------------------------------------------------------------------------

def _projection(row: whatif.Projection, currency: str) -> dict[str, Any]:
    def money(minor: int) -> str:
        return format(from_minor(minor, currency), "f")

    return {"partner_id": row.partner_id or None, "partner_name": row.partner_name or None,
            "volume": money(row.volume_minor), "current": money(row.current_minor),
            "proposed": money(row.proposed_minor), "change": money(row.change_minor)}


@app.command("whatif")
@handles_errors
def what_if(
    plan: Annotated[int, typer.Option(help="The plan's id")],
    period: Annotated[list[str], typer.Option(help="A past period; repeat for more")],
    rate: Annotated[str | None, typer.Option(help="A flat rate instead: 12%")] = None,
    tier: Annotated[list[str] | None, typer.Option(
        help="threshold:rate, repeated: --tier 0:15% --tier 100000:20%")] = None,
    mode: Annotated[Literal["whole", "marginal"] | None, typer.Option(
        help="whole or marginal")] = None,
    boundary: Annotated[Literal["inclusive", "exclusive"] | None, typer.Option(
        help="inclusive: a volume equal to a threshold reaches it")] = None,
    output: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """A plan with other terms on past periods, per partner beside what it paid; posts
    nothing."""
    if rate is not None and tier:
        raise fail(_("Give either --rate or --tier, not both."), 2)
    if rate is None and not tier and mode is None and boundary is None:
        raise fail(_("Say what to change: --rate, --tier, --mode or --boundary."), 2)
    changes: dict[str, Any] = {
        "flat_rate": rate, "tier_mode": mode, "boundary": boundary,
        "tiers": [parse_tier(t).model_dump() for t in tier] if tier else None}
    with command_unit() as (session, _settings):
        result = whatif.what_if(session, SYSTEM, plan_id=plan, periods=period, changes=changes)
        currency, name = result.plan.currency, result.plan.name
        proposed = [(t.threshold_minor, t.rate) for t in result.proposed.tiers]
        terms = (result.proposed.kind, result.proposed.tier_mode, result.proposed.boundary)
    if output == "json":
        print(json.dumps({
            "plan_id": plan, "plan_name": name, "currency": currency,
            "periods": result.periods,
            "proposed": {"kind": terms[0], "tier_mode": terms[1], "boundary": terms[2],
                         "tiers": [{"threshold": format(from_minor(t, currency), "f"),
                                    "rate_percent": format(percent_of(r), "f")}
                                   for t, r in proposed]},
            "rows": [_projection(r, currency) for r in result.rows],
            "total": _projection(result.total, currency),
            "unconverted": result.unconverted}, ensure_ascii=False))
        return
    if terms[0] == "flat":
        flat = format(percent_of(proposed[0][1]), "f") + "%"
        shown_terms = _("a flat %(rate)s", rate=flat)
    else:
        shown_terms = ", ".join(f"{exports.amount_text(t, currency, grouped=True)}: "
                                f"{percent_of(r)}%" for t, r in proposed)
        shown_terms += f" ({terms[1]}, {terms[2]})"
    table = Table(_("Partner"), _("Volume"), _("Current"), _("Proposed"), _("Change"),
                  title=_("What-if for %(plan)s, %(periods)s", plan=escape(name),
                          periods=", ".join(result.periods)),
                  caption=escape(_("Proposed: %(terms)s", terms=shown_terms)))
    for row in [*result.rows, result.total]:
        label = escape(row.partner_name) if row is not result.total else f"[bold]{_('Total')}[/]"
        change = _money(row.change_minor, currency)
        table.add_row(label, _money(row.volume_minor, currency),
                      _money(row.current_minor, currency),
                      _money(row.proposed_minor, currency),
                      ("+" if row.change_minor > 0 else "") + change)
    console.print(_keep_whole(table, 1, 2, 3, 4))
    if result.unconverted:
        console.print(_("%(n)s sales were left out for want of an exchange rate.",
                        n=result.unconverted), markup=False, style="yellow")
    console.print(_("Nothing was posted."))

