"""``qudao partners …`` (also ``qudao partner …``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import Progress
from rich.table import Table

from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import _, cli_locale, command_unit, console, errors, handles_errors
from qudao.core.i18n import translate
from qudao.core.tabular import ImportRejected, ImportReport, read_table
from qudao.partners import importer, pipeline, repository, service
from qudao.partners.schemas import PartnerCreate, PartnerOut
from qudao.partners.types import PARTNER_TYPES, suggest_types
from qudao.screening.exports import export_candidates

app = typer.Typer(help="Partner companies and candidates.", no_args_is_help=True)


@app.command("add")
@handles_errors
def add_partner(
    name: str,
    website: Annotated[str | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option()] = None,
    partner_type: Annotated[str | None, typer.Option("--type")] = None,
    industry: Annotated[str | None, typer.Option()] = None,
    force: Annotated[bool, typer.Option(help="Create even if a similar name exists")] = False,
) -> None:
    """Add a partner company; prints its id."""
    with command_unit() as (session, _settings):
        partner = service.create_partner(session, SYSTEM, PartnerCreate(
            name=name, website=website, country=country, partner_type=partner_type,
            industry=industry, allow_similar=force))
        partner_id = partner.id
    print(partner_id)


@app.command("list")
@handles_errors
def list_partners(
    q: Annotated[str | None, typer.Option(help="Search in names and websites")] = None,
    stage: Annotated[str | None, typer.Option(help="Only this pipeline stage")] = None,
    output: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """List partners and candidates."""
    with command_unit() as (session, _settings):
        rows, total = repository.search(session, SYSTEM, q=q, stage=stage, limit=100, offset=0)
        items = [PartnerOut.model_validate(r) for r in rows]
    if output == "json":
        print(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False))
        return
    table = Table(_("Id"), _("Name"), _("Type"), _("Stage"), _("Country"), _("Website"))
    for item in items:
        table.add_row(str(item.id), item.name,
                      _(PARTNER_TYPES[item.partner_type]) if item.partner_type in PARTNER_TYPES
                      else (item.partner_type or "—"),
                      _(pipeline.STAGE_LABELS[item.stage]), item.country or "—",
                      item.website or "—")
    console.print(table)
    console.print(_("%(n)s partners", n=total))


def print_report(report: ImportReport, *, to_errors: bool) -> None:
    locale = cli_locale()
    out = errors if to_errors else console
    if report.errors:
        table = Table(_("Row"), _("Column"), _("Problem"), title=_("Rows with problems"))
        for problem in report.errors:
            table.add_row(str(problem.row), problem.column or "—", problem.render(locale))
        out.print(table)
    if report.warnings:
        table = Table(_("Row"), _("Column"), _("Warning"), title=_("Worth a look"))
        for problem in report.warnings:
            table.add_row(str(problem.row), problem.column or "—", problem.render(locale))
        out.print(table)


@app.command("import")
@handles_errors
def import_partners(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only")] = False,
    evaluator: Annotated[str | None, typer.Option(help="Evaluator of rating columns")] = None,
) -> None:
    """Import candidates from CSV or XLSX. A file with any bad row changes nothing: the
    command prints every bad row and exits 1."""
    table = read_table(file.name, file.read_bytes())
    with command_unit() as (session, _settings):
        try:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task(_("Checking %(n)s rows", n=len(table.rows)), total=None)
                if dry_run:
                    _planned, report = importer.plan(session, SYSTEM, table, evaluator)
                else:
                    report = importer.import_table(session, SYSTEM, table, evaluator)
                progress.update(task, completed=1, total=1)
        except ImportRejected as rejected:
            print_report(rejected.report, to_errors=True)
            raise
    print_report(report, to_errors=False)
    if dry_run:
        verdict = _("The file is fine: %(n)s rows would be imported.", n=report.rows) if \
            report.ok else _("The file has problems: nothing would be imported.")
        console.print(verdict)
        raise typer.Exit(0 if report.ok else 1)
    console.print(_("Imported %(n)s candidates.", n=report.created))


@app.command("export")
@handles_errors
def export_partners(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    lang: Annotated[str, typer.Option(help="zh-CN or en headers")] = "",
) -> None:
    """Export candidates (CSV or XLSX by the file's ending); the file imports again."""
    from qudao.core.i18n import coerce_locale

    fmt: Literal["csv", "xlsx"] = "csv" if output.suffix.lower() == ".csv" else "xlsx"
    with command_unit() as (session, _settings):
        body = export_candidates(session, SYSTEM, coerce_locale(lang) or cli_locale(), fmt)
    output.write_bytes(body)
    console.print(_("Wrote %(path)s.", path=str(output)))


@app.command("move")
@handles_errors
def move(
    partner_id: int, stage: str,
    reason: Annotated[str | None, typer.Option(help="Why (needed to park or go back)")] = None,
) -> None:
    """Move a candidate to another pipeline stage."""
    with command_unit() as (session, _settings):
        partner = service.move_stage(session, SYSTEM, partner_id, stage, reason)
        label = _(pipeline.STAGE_LABELS[partner.stage])
    console.print(_("Partner %(id)s is now at %(stage)s.", id=partner_id, stage=label))


@app.command("suggest-types")
def suggest(industry: str) -> None:
    """Which partner types fit an industry, and why."""
    types, reason = suggest_types(industry)
    locale = cli_locale()
    console.print(", ".join(translate(locale, PARTNER_TYPES[t]) for t in types))
    console.print(translate(locale, reason))
