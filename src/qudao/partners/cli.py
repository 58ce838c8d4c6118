"""``qudao partner …``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import _, command_unit, console, handles_errors
from qudao.partners import repository, service
from qudao.partners.schemas import PartnerCreate, PartnerOut

app = typer.Typer(help="Partner companies.", no_args_is_help=True)


@app.command("add")
@handles_errors
def add_partner(
    name: str,
    website: Annotated[str | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add a partner company; prints its id."""
    with command_unit() as (session, _settings):
        partner = service.create_partner(session, SYSTEM, PartnerCreate(
            name=name, website=website, country=country))
        partner_id = partner.id
    print(partner_id)


@app.command("list")
@handles_errors
def list_partners(
    q: Annotated[str | None, typer.Option(help="Search in names and websites")] = None,
    output: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List partner companies."""
    with command_unit() as (session, _settings):
        rows, total = repository.search(session, SYSTEM, q=q, limit=100, offset=0)
        items = [PartnerOut.model_validate(r) for r in rows]
    if output == "json":
        print(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False))
        return
    table = Table(_("Id"), _("Name"), _("Country"), _("Website"))
    for item in items:
        table.add_row(str(item.id), item.name, item.country or "—", item.website or "—")
    console.print(table)
    console.print(_("%(n)s partners", n=total))
