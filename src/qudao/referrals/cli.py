"""``qudao referrals …``: links, events and funnels."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

import typer
from rich.table import Table

from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.core.cli_support import _, cli_locale, command_unit, console, handles_errors
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_
from qudao.engagement.cli import partner_ref
from qudao.referrals import funnel, present, repository, service
from qudao.referrals.schemas import EventCreate, EventKind, LinkCreate, LinkUpdate

app = typer.Typer(help="Referral links, events and funnels.", no_args_is_help=True)
ROWS = 100
BaseUrl = Annotated[str, typer.Option("--base-url", envvar="QUDAO_BASE_URL",
                                      help="This server's public address, for the links")]


@app.command("links")
@handles_errors
def links(
    partner: Annotated[str | None, typer.Option(help="Partner id or exact name")] = None,
    base_url: BaseUrl = "http://127.0.0.1:8000",
) -> None:
    """Referral links and the address to share for each."""
    with command_unit() as (session, _settings):
        partner_id = partner_ref(session, partner) if partner else None
        rows, total = repository.search_links(session, SYSTEM, partner_id=partner_id,
                                              limit=ROWS, offset=0)
        shown = [present.link_out(r, base_url) for r in rows]
    table = Table(_("Id"), _("Partner"), _("Link"), _("Lands on"), _("Label"), _("State"))
    for link in shown:
        table.add_row(str(link.id), str(link.partner_id), link.url, link.landing_url,
                      link.label or "", _("active") if link.active else _("switched off"))
    console.print(table)
    console.print(_("%(shown)s of %(total)s links.", shown=len(shown), total=total))


@app.command("create")
@handles_errors
def create(
    partner: Annotated[str, typer.Argument(help="Partner id or exact name")],
    landing_url: Annotated[str, typer.Argument(help="Where a click lands (http or https)")],
    label: Annotated[str | None, typer.Option()] = None,
    base_url: BaseUrl = "http://127.0.0.1:8000",
) -> None:
    """Create a referral link for a partner; prints the address to share."""
    with command_unit() as (session, _settings):
        link = service.create_link(session, SYSTEM, LinkCreate(
            partner_id=partner_ref(session, partner), landing_url=landing_url, label=label))
        shown = present.link_out(link, base_url)
    console.print(_("Referral link %(id)s: %(url)s", id=shown.id, url=shown.url),
                  highlight=False, soft_wrap=True)


@app.command("switch")
@handles_errors
def switch(
    link_id: Annotated[int, typer.Argument(help="The link's id")],
    off: Annotated[bool, typer.Option("--off/--on", help="Switch the link off or on")] = True,
) -> None:
    """Switch a link off (it stops redirecting and counting) or on again."""
    with command_unit() as (session, _settings):
        service.update_link(session, SYSTEM, link_id, LinkUpdate(active=not off))
    console.print(_("Link %(id)s is switched off.", id=link_id) if off
                  else _("Link %(id)s is active.", id=link_id))


@app.command("event")
@handles_errors
def event(
    kind: Annotated[EventKind, typer.Argument(help="visit, signup, trial or paid")],
    visitor: Annotated[str | None, typer.Option(help="The visitor id (vid)")] = None,
    customer: Annotated[str | None, typer.Option(help="The site's customer id")] = None,
    at: Annotated[str | None, typer.Option(help="When, ISO 8601 with a zone; default now")]
    = None,
    amount: Annotated[str | None, typer.Option(help='Paid events: e.g. "199.00"')] = None,
    currency: Annotated[str | None, typer.Option()] = None,
    ref: Annotated[str | None, typer.Option(help="A visit's referral code")] = None,
) -> None:
    """Record an event as the company's site would; prints who was credited."""
    try:
        occurred = datetime.fromisoformat(at) if at else None
    except ValueError:
        raise Unprocessable(N_("Write the time as ISO 8601 with a zone, such as "
                               "2026-11-27T10:00:00+08:00."), field="at") from None
    if occurred is not None and occurred.tzinfo is None:
        raise Unprocessable(N_("Write the time as ISO 8601 with a zone, such as "
                               "2026-11-27T10:00:00+08:00."), field="at")
    data = EventCreate(kind=kind, visitor_id=visitor, customer_id=customer,
                       occurred_at=occurred, amount=amount, currency=currency, ref=ref)
    with command_unit() as (session, _settings):
        recorded = service.record_event(session, SYSTEM, data)
        credited = recorded.partner_id
    console.print(_("Event recorded, credited to partner %(id)s.", id=credited) if credited
                  else _("Event recorded; no partner is credited."))


@app.command("funnel")
@handles_errors
def show_funnel(
    partner: Annotated[str, typer.Argument(help="Partner id or exact name")],
    days: Annotated[int, typer.Option(min=1, max=3650, help="The last N days")] = 90,
    output: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """A partner's funnel: unique visitors → sign-ups → trials → paid."""
    locale = cli_locale()
    with command_unit() as (session, _settings):
        today = clock.now().date()
        found = funnel.funnel(session, SYSTEM, partner_ref(session, partner),
                              since=funnel.period(None, today, days)[0], until=today)
        shown = present.funnel_out(found, locale)
    if output == "json":
        print(json.dumps(shown.model_dump(mode="json"), ensure_ascii=False))
        return
    table = Table(_("Step"), _("Count"), _("From the step before"),
                  title=_("%(since)s to %(until)s", since=shown.since.isoformat(),
                          until=shown.until.isoformat()))
    for step in shown.steps:
        table.add_row(step.label, str(step.count), "—" if step.rate is None else f"{step.rate}%")
    console.print(table)
    console.print(_("Overall conversion: %(rate)s%%", rate=shown.overall_rate))
    if shown.synthetic_events:
        console.print(_("Events generated for the demo, not real traffic: %(n)s.",
                        n=shown.synthetic_events))
