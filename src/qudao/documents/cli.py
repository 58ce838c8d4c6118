"""``qudao docs …``: render documents, list them, and read or edit templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import _, cli_locale, command_unit, console, fail, handles_errors
from qudao.core.i18n import translate
from qudao.documents import repository, service, templates
from qudao.documents.kinds import (
    KIND_LABELS,
    check_format,
    check_kind,
    check_locale,
    check_template_kind,
)

app = typer.Typer(help="Document templates and generated documents.", no_args_is_help=True)
KIND_HELP = "nda, loi, agreement or value-proposition"


@app.command("render")
@handles_errors
def render(
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    lang: Annotated[str, typer.Option("--lang", help="zh (zh-CN) or en")] = "",
    fmt: Annotated[str, typer.Option("--format", help="pdf, docx, md or html")] = "pdf",
    program: Annotated[int | None, typer.Option(help="Program id (optional with one)")] = None,
    partner: Annotated[int | None, typer.Option(help="Partner id")] = None,
    plan: Annotated[int | None, typer.Option(help="Commission plan id")] = None,
) -> None:
    """Generate a document from the data, keep it, and write it to a file."""
    if not output.parent.is_dir():
        raise fail(_("The folder %(folder)s does not exist.", folder=str(output.parent)), 2)
    with command_unit() as (session, _settings):
        made = service.generate_document(
            session, SYSTEM, kind=check_kind(kind), locale=check_locale(lang or cli_locale()),
            fmt=check_format(fmt), program_id=program, partner_id=partner, plan_id=plan)
        document = made.document
        content, document_id, title = document.content, document.id, document.title
        version = document.template_version
    output.write_bytes(content)
    if made.reused:
        console.print(_("The same inputs were generated before: document %(id)s is used "
                        "again.", id=document_id))
    console.print(_("Wrote %(file)s: %(title)s (%(size)s bytes; document %(id)s, template "
                    "version %(version)s).", file=str(output), title=title, size=len(content),
                    id=document_id, version=version if version is not None else "—"))


@app.command("list")
@handles_errors
def list_documents(
    kind: Annotated[str | None, typer.Option(help=KIND_HELP)] = None,
    partner: Annotated[int | None, typer.Option(help="Partner id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
) -> None:
    """The generated documents, newest first."""
    locale = cli_locale()
    with command_unit() as (session, _settings):
        rows, total = repository.search(session, SYSTEM, limit=limit, offset=0,
                                        kind=check_kind(kind) if kind else None,
                                        partner_id=partner)
        table = Table(_("Id"), _("Document"), _("Language"), _("Format"), _("Partner"),
                      _("Template version"), _("Created"))
        for row in rows:
            table.add_row(str(row.id), translate(locale, KIND_LABELS[row.kind]), row.locale,
                          row.format, str(row.partner_id or "—"),
                          str(row.template_version or "—"),
                          row.created_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)
    console.print(_("%(n)s documents", n=total))


@app.command("templates")
@handles_errors
def list_templates() -> None:
    """The template in use of every kind and language."""
    locale = cli_locale()
    with command_unit() as (session, _settings):
        views = templates.overview(session)
    table = Table(_("Document"), _("Language"), _("Version"), _("Saved"))
    for view in views:
        saved = (_("built in, not edited yet") if view.builtin or view.created_at is None
                 else view.created_at.strftime("%Y-%m-%d %H:%M"))
        table.add_row(translate(locale, KIND_LABELS[view.kind]), view.locale,
                      str(view.version), saved)
    console.print(table)


@app.command("template-get")
@handles_errors
def template_get(
    kind: Annotated[str, typer.Argument(help="nda, loi or agreement")],
    lang: Annotated[str, typer.Option("--lang", help="zh (zh-CN) or en")],
    version: Annotated[int | None, typer.Option(min=1, help="An older version")] = None,
) -> None:
    """Print a template (the version in use, or an older one) to standard output."""
    with command_unit() as (session, _settings):
        kind_name, language = check_template_kind(kind), check_locale(lang)
        view = (templates.active(session, kind_name, language) if version is None
                else templates.version(session, kind_name, language, version))
    print(view.body, end="")


@app.command("template-set")
@handles_errors
def template_set(
    kind: Annotated[str, typer.Argument(help="nda, loi or agreement")],
    lang: Annotated[str, typer.Option("--lang", help="zh (zh-CN) or en")],
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False, readable=True,
                                       help="Markdown with Jinja placeholders")],
    note: Annotated[str | None, typer.Option(help="What changed")] = None,
) -> None:
    """Save a new version of a template. It is checked in the sandbox first: a template
    that breaks a rule or fails with the sample data is refused and nothing is saved."""
    body = file.read_text(encoding="utf-8")
    with command_unit() as (session, _settings):
        kind_name, language = check_template_kind(kind), check_locale(lang)
        row = templates.save(session, SYSTEM, kind_name, language, body=body, note=note)
        version = row.version
    console.print(_("Saved version %(version)s of the %(kind)s template (%(language)s).",
                    version=version, kind=_(KIND_LABELS[kind_name]), language=language))
