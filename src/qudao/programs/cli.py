"""``qudao program …``: the program's settings and its value proposition."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import typer
from pydantic import ValidationError
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import _, cli_locale, command_unit, console, fail, handles_errors
from qudao.core.errors import NotFound, Unprocessable
from qudao.core.i18n import N_, LocaleCode, coerce_locale
from qudao.partners.types import PARTNER_TYPES
from qudao.programs import repository, service, value_proposition, vp_diff, vp_document
from qudao.programs.models import Program
from qudao.programs.schemas import (
    FieldDiff,
    Piece,
    ProgramCreate,
    ProgramOut,
    ProgramUpdate,
    ValuePropositionContent,
)

app = typer.Typer(help="Programs: value proposition, catalogue, commission plans.",
                  no_args_is_help=True)
vp_app = typer.Typer(help="The value proposition: save a version, show, compare, render.",
                     no_args_is_help=True)
app.add_typer(vp_app, name="vp")

ProgramOption = Annotated[str | None, typer.Option(
    "--program", help="Program id or name (default: the only or first program)")]
NO_PROGRAM = N_("There is no program yet: create one with qudao program create.")


def pick_program(session: Session, value: str | None) -> Program:
    """A program by id or name, or the default one."""
    if value is None or not value.strip():
        found = repository.default_program(session)
        if found is None:
            raise NotFound(NO_PROGRAM)
        return found
    if value.strip().isdigit():
        return repository.get_program(session, SYSTEM, int(value))
    by_name = repository.program_by_name(session, value.strip())
    if by_name is None:
        raise NotFound(N_("No program is named %(name)s."), name=value)
    return by_name


def _days(value: int | None, name: str) -> dict[str, int]:
    return {} if value is None else {name: value}


@app.command("create")
@handles_errors
def create(
    name: str,
    company: Annotated[str, typer.Option(help="The company's name")],
    currency: Annotated[str, typer.Option(help="ISO 4217, e.g. CNY")] = "CNY",
    industry: Annotated[str | None, typer.Option(help="Feeds the partner-type suggestion")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh-CN or en")] = None,
    profile: Annotated[str | None, typer.Option(help="A short company profile")] = None,
) -> None:
    """Set up a program; prints its id."""
    values: dict[str, object] = {"name": name, "company_name": company, "currency": currency,
                                 "industry": industry, "company_profile": profile}
    if lang:
        values["default_locale"] = lang
    with command_unit() as (session, _settings):
        program = service.create_program(session, SYSTEM, ProgramCreate.model_validate(values))
        program_id = program.id
    print(program_id)


@app.command("list")
@handles_errors
def list_programs(
    output: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """List the programs."""
    with command_unit() as (session, _settings):
        items = [service.program_out(p) for p in repository.list_programs(session, SYSTEM)]
    if output == "json":
        print(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False))
        return
    table = Table(_("Id"), _("Name"), _("Company"), _("Industry"), _("Currency"),
                  _("Language"))
    for item in items:
        table.add_row(str(item.id), item.name, item.company_name, item.industry or "—",
                      item.currency, item.default_locale)
    console.print(table)
    if not items:
        console.print(_(NO_PROGRAM))


def _print_program(item: ProgramOut) -> None:
    rows: list[tuple[str, str]] = [
        (_("Name"), item.name), (_("Company"), item.company_name),
        (_("Industry"), item.industry or "—"), (_("Currency"), item.currency),
        (_("Language"), item.default_locale),
        (_("Deal protection (days)"), str(item.protection_days)),
        (_("Referral attribution (days)"), str(item.attribution_days)),
        (_("Inactivity alert after (days)"), str(item.inactivity_days)),
        (_("Concentration alert above (%)"), str(item.concentration_alert_pct)),
        (_("MDF budget"), f"{item.mdf_budget:f} {item.currency}"
         if item.mdf_budget is not None else "—"),
        (_("Training"), item.support_training or "—"),
        (_("Marketing resources"), item.support_marketing or "—"),
        (_("Exit terms"), item.exit_terms or "—"),
    ]
    table = Table(show_header=False, title=f"#{item.id} {item.name}")
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)


@app.command("show")
@handles_errors
def show(
    program: Annotated[str | None, typer.Argument(help="Id or name")] = None,
    output: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """One program's settings."""
    with command_unit() as (session, _settings):
        item = service.program_out(pick_program(session, program))
        suggestion = service.suggest_partner_types(session, None)
    if output == "json":
        print(json.dumps(item.model_dump(mode="json"), ensure_ascii=False))
        return
    _print_program(item)
    if suggestion.source == "program":
        console.print(_("Partner types that fit: %(types)s. %(reason)s",
                        types=", ".join(_(PARTNER_TYPES[t]) for t in suggestion.types),
                        reason=_(suggestion.reason)))


@app.command("set")
@handles_errors
def set_fields(
    program: Annotated[str, typer.Argument(help="Id or name")],
    name: Annotated[str | None, typer.Option()] = None,
    company: Annotated[str | None, typer.Option()] = None,
    profile: Annotated[str | None, typer.Option()] = None,
    industry: Annotated[str | None, typer.Option()] = None,
    currency: Annotated[str | None, typer.Option()] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh-CN or en")] = None,
    protection_days: Annotated[int | None, typer.Option(help="1–3650")] = None,
    attribution_days: Annotated[int | None, typer.Option(help="1–3650")] = None,
    inactivity_days: Annotated[int | None, typer.Option(help="1–3650")] = None,
    concentration_alert_pct: Annotated[int | None, typer.Option(
        help="Dashboards warn when one partner's share of channel revenue is above this "
             "percent, 1–100")] = None,
    training: Annotated[str | None, typer.Option(help="Training offered to partners")] = None,
    marketing: Annotated[str | None, typer.Option(help="Marketing resources")] = None,
    mdf: Annotated[str | None, typer.Option(help='MDF budget, e.g. "50000.00"; "" clears')] = None,
    exit_terms: Annotated[str | None, typer.Option(help="Exit terms")] = None,
) -> None:
    """Change a program's settings; options left out stay as they are."""
    values: dict[str, object] = {
        "name": name, "company_name": company, "company_profile": profile,
        "industry": industry, "currency": currency, "default_locale": lang,
        "support_training": training, "support_marketing": marketing, "mdf_budget": mdf,
        "exit_terms": exit_terms, **_days(protection_days, "protection_days"),
        **_days(attribution_days, "attribution_days"),
        **_days(inactivity_days, "inactivity_days"),
        **_days(concentration_alert_pct, "concentration_alert_pct")}
    given = {k: v for k, v in values.items() if v is not None}
    if not given:
        raise fail(_("Nothing to change: give at least one option."), 2)
    with command_unit() as (session, _settings):
        found = pick_program(session, program)
        item = service.program_out(service.update_program(
            session, SYSTEM, found.id, ProgramUpdate.model_validate(given)))
    _print_program(item)


def _lang(value: str | None) -> LocaleCode:
    if not value:
        return cli_locale()
    found = coerce_locale(value)
    if found is None:
        raise Unprocessable(N_("Choose Chinese (zh-CN) or English (en) as the language."),
                            field="lang")
    return found


@vp_app.command("save")
@handles_errors
def vp_save(
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False, readable=True,
                                       help="The value proposition as JSON")],
    note: Annotated[str | None, typer.Option(help="What changed, and why")] = None,
    program: ProgramOption = None,
) -> None:
    """Save the value proposition from a JSON file as a new version; prints the version."""
    try:
        # A figure written as 20.5 in the file is read exactly, never through a float.
        raw = json.loads(file.read_text(encoding="utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise fail(_("%(path)s is not a JSON file: %(error)s", path=str(file),
                     error=str(error)), 2) from None
    try:
        content = ValuePropositionContent.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in error.errors())
        raise fail(_("The file was not saved: %(problems)s", problems=problems), 2) from None
    with command_unit() as (session, _settings):
        found = pick_program(session, program)
        row = value_proposition.save_version(session, SYSTEM, found.id, content, note)
        number = row.version
    console.print(_("Saved version %(version)s.", version=number))


@vp_app.command("show")
@handles_errors
def vp_show(
    version: Annotated[int | None, typer.Option(help="Default: the newest")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh-CN or en")] = None,
    output: Annotated[Literal["text", "markdown", "json"], typer.Option("--format")] = "text",
    program: ProgramOption = None,
) -> None:
    """Show a version of the value proposition, and the list of versions."""
    locale = _lang(lang)
    with command_unit() as (session, _settings):
        found = pick_program(session, program)
        row = value_proposition.get_version(session, SYSTEM, found.id, version)
        out = value_proposition.version_out(row)
        _title, markdown = vp_document.value_proposition_markdown(
            session, SYSTEM, program_id=found.id, locale=locale, version=row.version)
        history = [value_proposition.summary_out(v)
                   for v in value_proposition.versions(session, SYSTEM, found.id)]
    if output == "json":
        print(json.dumps(out.model_dump(mode="json"), ensure_ascii=False))
        return
    if output == "markdown":
        print(markdown, end="")
        return
    console.print(Markdown(markdown))
    table = Table(_("Version"), _("Saved"), _("Note"), title=_("Versions"))
    for item in history:
        table.add_row(str(item.version), item.created_at.strftime("%Y-%m-%d %H:%M"),
                      item.note or "—")
    console.print(table)


def _print_field(field: FieldDiff) -> None:
    console.print(f"[bold]{field.label}[/]", highlight=False)
    if field.kind == "text":
        console.print(_diff_markup(field.pieces), highlight=False)
        return
    marks = {"added": "[green]+ ", "removed": "[red]- ", "changed": "[yellow]~ ",
             "same": "[dim]  "}
    for item in field.items:
        if item.status == "same":
            continue
        text = item.after if item.status != "removed" else item.before
        shown = _diff_markup(item.pieces) if item.pieces else _escape(text or "")
        console.print(f"{marks[item.status]}{shown}[/]", highlight=False)
        for part in item.parts:
            console.print(f"    {_escape(part.label)}: {_diff_markup(part.pieces)}",
                          highlight=False)


def _escape(text: str) -> str:
    return escape(text)


def _diff_markup(pieces: list[Piece]) -> str:
    """Word-level changes as git's --word-diff writes them, readable without colours."""
    styles = {"equal": "{}", "insert": "[bold green]{{+{}+}}[/]",
              "delete": "[bold red][-{}-][/]"}
    return "".join(styles[p.op].format(_escape(p.text)) for p in pieces)


@vp_app.command("diff")
@handles_errors
def vp_compare(
    from_version: Annotated[int, typer.Argument(min=1)],
    to_version: Annotated[int, typer.Argument(min=1)],
    output: Annotated[Literal["text", "json"], typer.Option("--format")] = "text",
    program: ProgramOption = None,
) -> None:
    """What changed between two versions, field by field."""
    with command_unit() as (session, _settings):
        found = pick_program(session, program)
        diff = vp_diff.compare_versions(session, SYSTEM, found.id, from_version, to_version,
                                        cli_locale())
    if output == "json":
        print(json.dumps(diff.model_dump(mode="json"), ensure_ascii=False))
        return
    console.print(_("Version %(old)s → version %(new)s", old=diff.from_version,
                    new=diff.to_version))
    if not diff.changed:
        console.print(_("The two versions are the same."))
        return
    for field in diff.fields:
        if field.changed:
            _print_field(field)


@vp_app.command("render")
@handles_errors
def vp_render(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    lang: Annotated[str | None, typer.Option("--lang", help="zh or en")] = None,
    fmt: Annotated[vp_document.DocumentFormat | None, typer.Option(
        "--format", help="md, html, docx or pdf (default: the file's ending)")] = None,
    version: Annotated[int | None, typer.Option(help="Default: the newest")] = None,
    program: ProgramOption = None,
) -> None:
    """Write the value proposition as Markdown, HTML, DOCX or PDF."""
    chosen = fmt or _format_of(output)
    locale = _lang(lang)
    with command_unit() as (session, _settings):
        found = pick_program(session, program)
        document = vp_document.render_value_proposition(
            session, SYSTEM, program_id=found.id, locale=locale, fmt=chosen, version=version)
    output.write_bytes(document.body)
    console.print(_("Wrote %(path)s.", path=str(output)))


def _format_of(path: Path) -> vp_document.DocumentFormat:
    suffix = path.suffix.lower().lstrip(".")
    formats: dict[str, vp_document.DocumentFormat] = {
        "md": "md", "markdown": "md", "html": "html", "htm": "html", "docx": "docx",
        "pdf": "pdf"}
    if suffix not in formats:
        raise Unprocessable(N_("Give --format md, html, docx or pdf, or a file ending in one "
                               "of them."), field="format")
    return formats[suffix]
