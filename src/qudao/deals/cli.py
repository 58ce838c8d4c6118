"""``qudao deals …``: register, decide and sell jointly from the command line."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import typer
from rich.table import Table

from qudao.accounts import repository as accounts
from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.core.cli_support import _, cli_locale, command_unit, console, fail, handles_errors
from qudao.core.errors import QudaoError
from qudao.core.i18n import Translator
from qudao.deals import idempotency, present, repository, service
from qudao.deals.claims import CustomerProtected
from qudao.deals.models import Deal
from qudao.deals.schemas import DealCreate, ProductLineIn, Stage, WonLineIn

app = typer.Typer(help="Deal registration, approval and protection.", no_args_is_help=True)
Format = Literal["table", "json"]


def _sku_quantity(value: str) -> ProductLineIn:
    sku, _sep, quantity = value.rpartition(":")
    if not sku or not quantity.isdigit():
        raise fail(_("Write a product as SKU:QUANTITY, such as QD-CLOUD:3 (got %(value)s).",
                     value=value), 2)
    return ProductLineIn(sku=sku, quantity=int(quantity))


def _won_line(value: str) -> WonLineIn:
    parts = value.rsplit(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[1].isdigit():
        raise fail(_("Write a line as SKU:QUANTITY:UNIT_PRICE, such as QD-CLOUD:2:4999.00 "
                     "(got %(value)s).", value=value), 2)
    return WonLineIn(sku=parts[0], quantity=int(parts[1]), unit_price=parts[2])


def _print_deal(deal: Deal, partner_name: str) -> None:
    t = Translator(cli_locale())
    console.print(f"[bold]#{deal.id}[/] {deal.customer_name} · {partner_name}", highlight=False)
    console.print(f"  {_('Stage')}: {_(service.STAGE_LABELS[deal.stage])}"
                  + (f" ({deal.stage_reason})" if deal.stage_reason else ""), highlight=False)
    console.print(f"  {_('Amount')}: {t.money(deal.amount, deal.currency)}", highlight=False)
    until = t.datetime(deal.protected_until) if deal.protected_until else "—"
    state = _("protected") if service.protection_active(deal) else _("not protected")
    console.print(f"  {_('Protected until')}: {until} ({state})", highlight=False)
    if deal.extension_state:
        console.print(f"  {_(service.EXTENSION_LABELS[deal.extension_state])}", highlight=False)
    for line in deal.lines:
        price = f" × {t.money(line.unit_price, line.currency)}" if line.unit_price is not None \
            else ""
        console.print(f"  {line.kind}: {line.sku} {line.quantity}{price}", highlight=False)


@app.command("list")
@handles_errors
def list_deals(
    stage: Annotated[Stage | None, typer.Option(help="Only this stage")] = None,
    partner: Annotated[int | None, typer.Option(help="Only this partner's deals (id)")] = None,
    q: Annotated[str | None, typer.Option(help="Customer name, domain, e-mail or tax id")] = None,
    output: Annotated[Format, typer.Option("--format")] = "table",
) -> None:
    """List deals, newest first (at most 100)."""
    with command_unit() as (session, _settings):
        rows, total = repository.search(session, SYSTEM, limit=100, offset=0, stage=stage,
                                        partner_id=partner, q=q)
        items = present.page_items(session, SYSTEM, rows)
        now = clock.now()
    if output == "json":
        print(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False))
        return
    t = Translator(cli_locale())
    table = Table(_("Id"), _("Customer"), _("Partner"), _("Amount"), _("Stage"),
                  _("Protected until"), _("Conflicts"))
    for item in items:
        until = t.date(item.protected_until) if item.protected_until else "—"
        if item.protected_until and not item.protection_active and item.protected_until < now:
            until += " (" + _("ended") + ")"
        table.add_row(str(item.id), item.customer_name,
                      getattr(item, "partner_name", ""), t.money(item.amount, item.currency),
                      _(service.STAGE_LABELS[item.stage]), until,
                      str(getattr(item, "conflict_count", 0) or "—"))
    console.print(table)
    console.print(_("%(n)s deals", n=total))


@app.command("show")
@handles_errors
def show(deal_id: int) -> None:
    """A deal, its lines, its protection and the registrations it refused."""
    with command_unit() as (session, _settings):
        deal = repository.get(session, SYSTEM, deal_id)
        name = repository.partner_names(session, {deal.partner_id}).get(deal.partner_id, "")
        _print_deal(deal, name)
        conflicts = repository.conflicts_of(session, deal.id)
        t = Translator(cli_locale())
        for conflict, claimant in conflicts:
            source = _(service.SOURCE_LABELS.get(conflict.source, conflict.source))
            console.print(f"  {_('Refused')}: {t.datetime(conflict.attempted_at)} {claimant} "
                          f"({conflict.key}, {source})", highlight=False)


@app.command("register")
@handles_errors
def register(
    partner: Annotated[int, typer.Option(help="The partner's id")],
    customer: Annotated[str, typer.Option(help="The customer's company name")],
    amount: Annotated[str, typer.Option(help='Expected amount, e.g. "12500.00"')],
    currency: Annotated[str, typer.Option(help="ISO code, e.g. CNY")],
    domain: Annotated[str | None, typer.Option(help="Website or domain")] = None,
    email: Annotated[str | None, typer.Option(help="The buyer's e-mail address")] = None,
    tax_id: Annotated[str | None, typer.Option("--tax-id")] = None,
    ref: Annotated[str | None, typer.Option(help="Customer reference")] = None,
    expected_close: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    program: Annotated[int | None, typer.Option(help="Program id (default: the first)")] = None,
    product: Annotated[list[str] | None, typer.Option(help="SKU:QUANTITY, repeatable")] = None,
) -> None:
    """Register a deal for a partner; prints its id. A customer protected by another
    partner's deal is refused with the date its protection ends."""
    data = DealCreate.model_validate({
        "partner_id": partner, "program_id": program, "customer_name": customer,
        "customer_website": domain, "customer_email": email, "customer_tax_id": tax_id,
        "customer_ref": ref, "amount": amount, "currency": currency,
        "expected_close": expected_close,
        "products": [_sku_quantity(p) for p in product or []]})
    refused: QudaoError | None = None
    with command_unit() as (session, _settings):
        try:
            deal_id = service.register(session, SYSTEM, data, source="cli").id
        except CustomerProtected as error:
            # The refusal is kept for staff: the command's transaction still commits.
            refused = error
    if refused is not None:
        raise fail(refused.render(cli_locale()), 1)
    print(deal_id)


def _act(action: str, deal_id: int, **kwargs: object) -> None:
    with command_unit() as (session, _settings):
        deal = getattr(service, action)(session, SYSTEM, deal_id, **kwargs)
        name = repository.partner_names(session, {deal.partner_id}).get(deal.partner_id, "")
        _print_deal(deal, name)


@app.command("approve")
@handles_errors
def approve(deal_id: int) -> None:
    """Approve a registered deal."""
    _act("approve", deal_id)


@app.command("reject")
@handles_errors
def reject(deal_id: int, reason: Annotated[str, typer.Option(help="Why (the partner sees it)")]
           ) -> None:
    """Reject a registered deal; its customer becomes free."""
    _act("reject", deal_id, reason=reason)


@app.command("win")
@handles_errors
def win(deal_id: int, line: Annotated[list[str], typer.Option(
        help="SKU:QUANTITY:UNIT_PRICE, repeatable")]) -> None:
    """Win an approved deal with the lines sold; the amount becomes their sum."""
    _act("win", deal_id, lines=[_won_line(value) for value in line])


@app.command("lose")
@handles_errors
def lose(deal_id: int, reason: Annotated[str, typer.Option(help="Why it was lost")]) -> None:
    """Mark an approved deal lost; its customer becomes free."""
    _act("lose", deal_id, reason=reason)


@app.command("assign")
@handles_errors
def assign(deal_id: int, rep: Annotated[str | None, typer.Option(
        help="The staff sales rep's e-mail; leave out to remove the rep")] = None) -> None:
    """Assign a staff sales rep to a deal (joint selling)."""
    with command_unit() as (session, _settings):
        rep_id = None
        if rep is not None:
            user = accounts.user_by_email(session, rep)
            if user is None:
                raise fail(_("No user has the e-mail address %(email)s.", email=rep), 2)
            rep_id = user.id
    _act("assign", deal_id, sales_rep_id=rep_id)


@app.command("extend")
@handles_errors
def extend(
    deal_id: int,
    grant: Annotated[bool | None, typer.Option("--grant/--refuse",
                                               help="Decide a requested extension")] = None,
    request: Annotated[str | None, typer.Option(
        "--request", help="Request an extension, with this reason")] = None,
    reason: Annotated[str | None, typer.Option(help="A note on the decision")] = None,
) -> None:
    """Request an extension of a deal's protection, or grant or refuse a requested one."""
    if (grant is None) == (request is None):
        raise fail(_("Give either --request REASON, or --grant or --refuse."), 2)
    if request is not None:
        _act("request_extension", deal_id, reason=request)
    else:
        _act("decide_extension", deal_id, grant=bool(grant), reason=reason)


@app.command("expire")
@handles_errors
def expire() -> None:
    """Release the protections that have ended and forget Idempotency-Keys older than 24
    hours (safe to run again); lists the open deals whose protection just ended."""
    with command_unit() as (session, _settings):
        now = clock.now()
        ended = service.expire_protections(session, now)
        for deal in ended:
            console.print(f"#{deal.id} {deal.customer_name}", highlight=False)
        count = len(ended)
        forgotten = idempotency.purge(session, now)
    console.print(_("%(n)s protections ended.", n=count))
    console.print(_("%(n)s idempotency keys older than 24 hours were forgotten.", n=forgotten))
