"""``qudao catalogue …``: products, price lists, import and export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import (
    _,
    cli_locale,
    command_unit,
    console,
    errors,
    fail,
    handles_errors,
)
from qudao.core.i18n import coerce_locale
from qudao.core.tabular import ImportRejected, ImportReport, read_table
from qudao.programs import catalogue, catalogue_io, repository
from qudao.programs.schemas import PriceTierIn, ProductCreate, ProductOut

app = typer.Typer(help="The product catalogue: products, price lists, import and export.",
                  no_args_is_help=True)
# Below this many rows a progress bar would only flicker.
PROGRESS_FROM_ROWS = 200


def _prices_text(product: ProductOut) -> str:
    return "; ".join(f"{p.currency} {p.unit_price:f} ({p.min_quantity}+)"
                     for p in product.prices) or "—"


@app.command("list")
@handles_errors
def list_products(
    q: Annotated[str | None, typer.Option(help="Search SKUs, names and descriptions")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive",
                                                help="Only products on sale, or withdrawn")
                      ] = None,
    output: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
) -> None:
    """List products with their price lists."""
    with command_unit() as (session, _settings):
        rows, total = repository.search_products(session, SYSTEM, q=q, active=active,
                                                 limit=limit, offset=0)
        items = [catalogue.product_out(r) for r in rows]
    if output == "json":
        print(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False))
        return
    table = Table(_("SKU"), _("Name"), _("On sale"), _("Prices"), _("Features"))
    for item in items:
        table.add_row(item.sku, item.name, _("yes") if item.active else _("no"),
                      _prices_text(item), "; ".join(item.features) or "—")
    console.print(table)
    console.print(_("%(n)s products", n=total))


def _tier(text: str) -> PriceTierIn:
    """CNY:99.00 or CNY:89.00@10 (from 10 units on)."""
    head, _sep, quantity = text.partition("@")
    currency, sep, price = head.partition(":")
    if not sep:
        raise fail(_('Write a price as CURRENCY:PRICE[@FROM_QUANTITY], e.g. "CNY:89.00@10".'),
                   2)
    try:
        return PriceTierIn(currency=currency.strip().upper(), unit_price=price.strip(),
                           min_quantity=int(quantity) if quantity.strip() else 1)
    except (ValidationError, ValueError):
        raise fail(_('Write a price as CURRENCY:PRICE[@FROM_QUANTITY], e.g. "CNY:89.00@10".'),
                   2) from None


@app.command("add")
@handles_errors
def add_product(
    sku: str,
    name: Annotated[str, typer.Option()],
    description: Annotated[str | None, typer.Option()] = None,
    feature: Annotated[list[str] | None, typer.Option(help="Repeat for each feature")] = None,
    use_case: Annotated[list[str] | None, typer.Option(help="Repeat for each use case")] = None,
    price: Annotated[list[str] | None, typer.Option(
        help="CURRENCY:PRICE[@FROM_QUANTITY]; repeat for each tier")] = None,
) -> None:
    """Add a product; prints its id."""
    tiers = [_tier(p) for p in price or []]
    try:
        data = ProductCreate(sku=sku, name=name, description=description,
                             features=feature or [], use_cases=use_case or [], prices=tiers)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in error.errors())
        raise fail(_("The product was not added: %(problems)s", problems=problems), 2) from None
    with command_unit() as (session, _settings):
        product_id = catalogue.create_product(session, SYSTEM, data).id
    print(product_id)


@app.command("withdraw")
@handles_errors
def withdraw(sku: str, undo: Annotated[bool, typer.Option(
        "--undo", help="Put the product on sale again")] = False) -> None:
    """Take a product off sale (partners stop seeing it); its SKU stays."""
    with command_unit() as (session, _settings):
        product = repository.product_by_sku(session, sku.strip())
        if product is None:
            raise fail(_("No product has the SKU %(sku)s.", sku=sku), 1)
        catalogue.set_active(session, SYSTEM, product.id, undo)
    console.print(_("%(sku)s is on sale.", sku=sku) if undo
                  else _("%(sku)s is withdrawn from sale.", sku=sku))


def _print_report(report: ImportReport, *, to_errors: bool) -> None:
    locale = cli_locale()
    out = errors if to_errors else console
    for title, problems in ((_("Rows with problems"), report.errors),
                            (_("Worth a look"), report.warnings)):
        if not problems:
            continue
        table = Table(_("Row"), _("Column"), _("Problem"), title=title)
        for problem in problems:
            table.add_row(str(problem.row), problem.column or "—", problem.render(locale))
        out.print(table)


@app.command("import")
@handles_errors
def import_products(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only")] = False,
) -> None:
    """Import products and price lists from CSV or XLSX (one row per price tier). A file
    with any bad row changes nothing: the command prints every bad row and exits 2."""
    table = read_table(file.name, file.read_bytes())
    with command_unit() as (session, _settings), Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            console=console, transient=True,
            disable=len(table.rows) < PROGRESS_FROM_ROWS) as bar:
        checking = bar.add_task(_("Checking %(n)s rows", n=len(table.rows)),
                                total=len(table.rows))

        def checked(done: int, total: int) -> None:
            bar.update(checking, completed=done, total=total)

        try:
            if dry_run:
                _planned, report = catalogue_io.plan(session, SYSTEM, table, checked)
            else:
                report = catalogue_io.import_table(session, SYSTEM, table, checked)
        except ImportRejected as rejected:
            bar.stop()
            _print_report(rejected.report, to_errors=True)
            raise
    _print_report(report, to_errors=False)
    if dry_run:
        console.print(_("The file is fine: %(n)s rows would be imported.", n=report.rows)
                      if report.ok else _("The file has problems: nothing would be imported."))
        raise typer.Exit(0 if report.ok else 2)
    console.print(_("Imported the catalogue: %(created)s new products, %(updated)s changed.",
                    created=report.created, updated=report.updated))


@app.command("export")
@handles_errors
def export_products(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    lang: Annotated[str, typer.Option(help="zh-CN or en headers")] = "",
) -> None:
    """Export the catalogue (CSV or XLSX by the file's ending); the file imports again."""
    fmt: Literal["csv", "xlsx"] = "csv" if output.suffix.lower() == ".csv" else "xlsx"
    with command_unit() as (session, _settings):
        body = catalogue_io.export_catalogue(session, SYSTEM,
                                             coerce_locale(lang) or cli_locale(), fmt)
    output.write_bytes(body)
    console.print(_("Wrote %(path)s.", path=str(output)))
