"""``qudao agreements …``: draft, sign, activate, renew and terminate agreements; KPIs and
milestones; the onboarding checklist; invitations of partner users."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from qudao.accounts import invitations
from qudao.accounts.subject import SYSTEM
from qudao.agreements import contract, onboarding, present, repository, service
from qudao.agreements.schemas import (
    AgreementCreate,
    AgreementDetail,
    KpiIn,
    MilestoneIn,
)
from qudao.agreements.states import SHOWN_STATES
from qudao.core import clock
from qudao.core.cli_support import _, cli_locale, command_unit, console, handles_errors
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_, coerce_locale

app = typer.Typer(help="Agreements, KPIs, milestones and onboarding.", no_args_is_help=True)
MILESTONE = re.compile(r"^(?P<title>.+):(?P<due>\d{4}-\d{2}-\d{2})"
                       r"(?::(?P<metric>[a-z_]+):(?P<target>[^:]+))?$")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def parse_kpi(text: str) -> KpiIn:
    parts = [p.strip() for p in text.split(":")]
    if len(parts) != 3 or not all(parts):
        raise Unprocessable(N_("Write a KPI as METRIC:TARGET:PERIOD, e.g. "
                               "channel_revenue:100000.00:quarter."), field="kpi")
    metric, target, period = parts
    if period not in ("month", "quarter", "year", "term"):
        raise Unprocessable(N_("%(period)s is not a KPI period: use month, quarter, year or "
                               "term."), field="period", period=period)
    return KpiIn(metric=metric, target=target, period=period)


def parse_milestone(text: str) -> MilestoneIn:
    found = MILESTONE.match(text.strip())
    if found is None:
        raise Unprocessable(N_("Write a milestone as \"TITLE:YYYY-MM-DD\" or "
                               "\"TITLE:YYYY-MM-DD:METRIC:TARGET\"."), field="milestone")
    try:
        due = date.fromisoformat(found["due"])
    except ValueError:
        raise Unprocessable(N_("%(value)s is not a date (YYYY-MM-DD)."), field="milestone",
                            value=found["due"]) from None
    return MilestoneIn(title=found["title"].strip(), due_on=due, metric=found["metric"],
                       target=found["target"])


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Unprocessable(N_("%(value)s is not a date (YYYY-MM-DD)."), field=field,
                            value=value) from None


def _print_detail(detail: AgreementDetail) -> None:
    console.print(_("Agreement %(id)s: %(partner)s, %(territory)s",
                    id=detail.id, partner=detail.partner, territory=detail.territory))
    console.print(_("State: %(state)s · %(start)s to %(end)s · program %(program)s",
                    state=detail.state_label, start=detail.starts_on.isoformat(),
                    end=detail.ends_on.isoformat(), program=detail.program))
    if detail.kpis:
        table = Table(_("KPI"), _("Period"), _("Target"), _("Actual"), _("Attainment"),
                      title=_("KPIs"))
        for kpi in detail.kpis:
            table.add_row(kpi.metric_label, f"{kpi.period_label} ({kpi.period_start} – "
                          f"{kpi.period_end})", f"{kpi.target:f}", f"{kpi.actual:f}",
                          f"{kpi.percent:f}%")
        console.print(table)
    if detail.milestones:
        table = Table(_("Milestone"), _("Due"), _("Status"), title=_("Milestones"))
        for milestone in detail.milestones:
            table.add_row(milestone.title, milestone.due_on.isoformat(), milestone.status_label)
        console.print(table)
    if detail.onboarding is not None:
        console.print(_("Onboarding: %(done)s of %(total)s steps done (%(percent)s%%)",
                        done=detail.onboarding.done, total=detail.onboarding.total,
                        percent=detail.onboarding.percent))
    if detail.document_id is not None:
        console.print(_("Contract: document %(id)s", id=detail.document_id))


def _show(agreement_id: int) -> None:
    with command_unit() as (session, _settings):
        agreement = repository.get(session, SYSTEM, agreement_id)
        detail = present.detail_out(session, SYSTEM, agreement, cli_locale())
    _print_detail(detail)


@app.command("list")
@handles_errors
def list_agreements(
    state: Annotated[str | None, typer.Option(help="draft, signed, active, expiring, "
                                              "renewed or terminated")] = None,
    partner: Annotated[int | None, typer.Option(help="Partner id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
    output: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """Agreements, newest first, with their computed state."""
    if state is not None and state not in SHOWN_STATES:
        raise Unprocessable(N_("%(state)s is not an agreement state."), field="state",
                            state=state)
    with command_unit() as (session, _settings):
        day = present.today()
        rows, total = repository.search(session, SYSTEM, today=day, limit=limit, offset=0,
                                        partner_id=partner, state=state)
        shown = [present.agreement_out(a, cli_locale(), day) for a in rows]
    if output == "json":
        print(json.dumps([a.model_dump(mode="json") for a in shown], ensure_ascii=False))
        return
    table = Table(_("Id"), _("Partner"), _("Territory"), _("State"), _("Starts"), _("Ends"),
                  title=_("Agreements (%(shown)s of %(total)s)", shown=len(shown),
                          total=total))
    for a in shown:
        table.add_row(str(a.id), a.partner, a.territory, a.state_label,
                      a.starts_on.isoformat(), a.ends_on.isoformat())
    console.print(table)


@app.command("show")
@handles_errors
def show(agreement_id: Annotated[int, typer.Argument(help="Agreement id")]) -> None:
    """Terms, KPIs against targets, milestones and onboarding progress."""
    _show(agreement_id)


@app.command("create")
@handles_errors
def create(
    partner: Annotated[int, typer.Option(help="Partner id")],
    program: Annotated[int, typer.Option(help="Program id")],
    territory: Annotated[str, typer.Option(help="Region, country or market")],
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD")],
    plan: Annotated[int | None, typer.Option(help="Commission plan id")] = None,
    partner_type: Annotated[str | None, typer.Option("--type", help="Partner type")] = None,
    exclusive: Annotated[bool, typer.Option(help="Exclusive in the territory")] = False,
    ip_clause: Annotated[str | None, typer.Option(help="Intellectual property clause")] = None,
    termination: Annotated[str | None, typer.Option(help="Termination conditions")] = None,
    kpi: Annotated[list[str] | None, typer.Option(
        help="METRIC:TARGET:PERIOD, e.g. channel_revenue:100000.00:quarter")] = None,
    milestone: Annotated[list[str] | None, typer.Option(
        help='"TITLE:YYYY-MM-DD" or "TITLE:YYYY-MM-DD:METRIC:TARGET"')] = None,
) -> None:
    """Draft an agreement."""
    data = AgreementCreate(
        partner_id=partner, program_id=program, plan_id=plan, partner_type=partner_type,
        territory=territory, starts_on=_day(start, "start"), ends_on=_day(end, "end"),
        exclusive=exclusive, ip_clause=ip_clause, termination_terms=termination,
        kpis=[parse_kpi(k) for k in kpi or []],
        milestones=[parse_milestone(m) for m in milestone or []])
    with command_unit() as (session, _settings):
        agreement = service.create_draft(session, SYSTEM, data)
        agreement_id = agreement.id
    console.print(_("Drafted agreement %(id)s.", id=agreement_id))
    _show(agreement_id)


@app.command("sign")
@handles_errors
def sign(
    agreement_id: Annotated[int, typer.Argument(help="Agreement id")],
    override: Annotated[bool, typer.Option(
        help="Sign although required due-diligence checks are open (needs --reason)")] = False,
    reason: Annotated[str | None, typer.Option()] = None,
    lang: Annotated[str, typer.Option(help="Language of the contract: zh or en")] = "",
) -> None:
    """Sign a draft: the partner's due diligence must be done. Starts onboarding and
    generates the contract."""
    with command_unit() as (session, _settings):
        service.sign(session, SYSTEM, agreement_id, override_diligence=override, reason=reason,
                     locale=coerce_locale(lang))
    console.print(_("Agreement %(id)s is signed.", id=agreement_id))
    _show(agreement_id)


@app.command("activate")
@handles_errors
def activate(
    agreement_id: Annotated[int, typer.Argument(help="Agreement id")],
    reason: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Put a signed agreement into effect."""
    with command_unit() as (session, _settings):
        service.activate(session, SYSTEM, agreement_id, reason)
    console.print(_("Agreement %(id)s is active.", id=agreement_id))


@app.command("renew")
@handles_errors
def renew(
    agreement_id: Annotated[int, typer.Argument(help="Agreement id")],
    until: Annotated[str, typer.Option(help="The new last day, YYYY-MM-DD")],
    reason: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Extend a running agreement to a new end date."""
    with command_unit() as (session, _settings):
        agreement = service.renew(session, SYSTEM, agreement_id, _day(until, "until"), reason)
        ends_on = agreement.ends_on
    console.print(_("Agreement %(id)s is renewed until %(date)s.", id=agreement_id,
                    date=ends_on.isoformat()))


@app.command("terminate")
@handles_errors
def terminate(
    agreement_id: Annotated[int, typer.Argument(help="Agreement id")],
    reason: Annotated[str, typer.Option(help="Why the agreement ends")],
) -> None:
    """End an agreement."""
    with command_unit() as (session, _settings):
        service.terminate(session, SYSTEM, agreement_id, reason)
    console.print(_("Agreement %(id)s is terminated.", id=agreement_id))


@app.command("expiring")
@handles_errors
def expiring(
    within: Annotated[int, typer.Option(min=1, max=3650, help="Days ahead")] = 90,
) -> None:
    """Running agreements that end within the coming days."""
    with command_unit() as (session, _settings):
        rows = service.expiring_agreements(session, clock.now(), within)
        day = present.today()
        shown = [present.agreement_out(a, cli_locale(), day) for a in rows]
    table = Table(_("Id"), _("Partner"), _("Ends"), _("Days left"), title=_("Expiring"))
    for a in shown:
        table.add_row(str(a.id), a.partner, a.ends_on.isoformat(), str(a.days_left))
    console.print(table)


@app.command("onboarding")
@handles_errors
def onboarding_checklist(agreement_id: Annotated[int, typer.Argument(help="Agreement id")]
                         ) -> None:
    """The onboarding checklist of a signed agreement."""
    with command_unit() as (session, _settings):
        agreement = repository.get(session, SYSTEM, agreement_id)
        out = present.onboarding_out(session, agreement, cli_locale(), present.today())
    if out is None:
        console.print(_("The onboarding checklist starts when the agreement is signed."))
        return
    table = Table(_("Step"), _("Key"), _("Owner"), _("Due"), _("Done"),
                  title=_("Onboarding: %(done)s of %(total)s steps done (%(percent)s%%)",
                          done=out.done, total=out.total, percent=out.percent))
    for item in out.items:
        done = item.done_at.date().isoformat() if item.done_at else (
            _("yes") if item.done else (_("overdue") if item.overdue else "—"))
        table.add_row(item.label, item.key, item.owner or "—", item.due_on.isoformat(), done)
    console.print(table)


@app.command("tick")
@handles_errors
def tick(
    agreement_id: Annotated[int, typer.Argument(help="Agreement id")],
    item: Annotated[str, typer.Argument(help="Step key: training, materials, "
                                        "first_joint_call")],
    undo: Annotated[bool, typer.Option(help="Mark the step not done")] = False,
) -> None:
    """Tick an onboarding step done by hand."""
    with command_unit() as (session, _settings):
        agreement = repository.get(session, SYSTEM, agreement_id)
        onboarding.update_item(session, SYSTEM, agreement, item, done=not undo)
    onboarding_checklist(agreement_id)


@app.command("contract")
@handles_errors
def write_contract(
    agreement_id: Annotated[int, typer.Argument(help="Agreement id")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    fmt: Annotated[Literal["pdf", "docx"], typer.Option("--format")] = "pdf",
    lang: Annotated[str, typer.Option(help="zh or en")] = "",
) -> None:
    """Generate the contract from the agreement's data and write it to a file."""
    with command_unit() as (session, _settings):
        agreement = repository.get(session, SYSTEM, agreement_id)
        document = contract.generate_on_request(session, SYSTEM, agreement, fmt=fmt,
                                                locale=coerce_locale(lang))
        body = contract.file_of(document).content
    output.write_bytes(body)
    console.print(_("Wrote %(path)s.", path=str(output)))


@app.command("invite")
@handles_errors
def invite(
    partner: Annotated[int, typer.Option(help="Partner id")],
    email: Annotated[str, typer.Option(help="The person's e-mail address")],
    role: Annotated[Literal["partner_member", "partner_admin"], typer.Option()] =
    "partner_member",
    base_url: Annotated[str, typer.Option(help="Where people reach qudao")] = DEFAULT_BASE_URL,
) -> None:
    """Invite a person of a partner to the portal; prints the link to send them."""
    with command_unit() as (session, _settings):
        issued = invitations.invite(session, SYSTEM, partner, email, role)
        expires = issued.invitation.expires_at
    console.print(_(invitations.NO_MAIL))
    print(base_url.rstrip("/") + issued.link)
    console.print(_("The link works until %(date)s.", date=expires.date().isoformat()))
