"""``qudao cadence …``: tasks, meetings, alerts and channel managers."""

from __future__ import annotations

import os
from datetime import date
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.core.cli_support import _, cli_locale, command_unit, console, handles_errors
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_
from qudao.engagement import alerts, followups, meetings, present, repository
from qudao.engagement.schemas import ActionItemIn, MeetingCreate, TaskUpdate
from qudao.partners import repository as partners

app = typer.Typer(help="Follow-up tasks, meetings and alerts.", no_args_is_help=True)
meeting_app = typer.Typer(help="Meeting notes with action items.", no_args_is_help=True)
app.add_typer(meeting_app, name="meeting")
ROWS = 100
USER_VARIABLE = "QUDAO_USER"


def partner_ref(session: Session, value: str) -> int:
    """A partner by id or by exact name."""
    if value.strip().isdigit():
        return int(value)
    rows, _total = partners.search(session, SYSTEM, q=value, limit=5, offset=0)
    exact = [p for p in rows if p.name.casefold() == value.strip().casefold()]
    found = exact or rows
    if len(found) != 1:
        raise Unprocessable(N_("Name the partner by its id: %(value)s matches %(n)s."),
                            field="partner", value=value, n=len(found))
    return found[0].id


def _staff_id(session: Session, email: str, field: str = "owner") -> int:
    user = accounts.user_by_email(session, email)
    if user is None or not user.role.is_staff:
        raise Unprocessable(N_("No staff user has the e-mail address %(email)s."),
                            field=field, email=email)
    return user.id


def _me(session: Session) -> int:
    email = os.environ.get(USER_VARIABLE, "").strip()
    if not email:
        raise Unprocessable(N_("Set QUDAO_USER to your e-mail address to list your own "
                               "tasks, or name the owner with --owner."), field="mine")
    return _staff_id(session, email)


@app.command("tasks")
@handles_errors
def tasks(
    mine: Annotated[bool, typer.Option("--mine", help="Only the tasks of $QUDAO_USER")] = False,
    owner: Annotated[str | None, typer.Option(help="Only this staff user's tasks (e-mail)")]
    = None,
    partner: Annotated[str | None, typer.Option(help="Partner id or exact name")] = None,
    done: Annotated[bool, typer.Option("--done", help="Include finished tasks")] = False,
) -> None:
    """Open follow-up tasks, overdue first."""
    with command_unit() as (session, _settings):
        owner_id = _me(session) if mine else _staff_id(session, owner) if owner else None
        partner_id = partner_ref(session, partner) if partner else None
        rows, total = repository.search_tasks(session, SYSTEM, today=clock.now().date(),
                                              owner_id=owner_id, partner_id=partner_id,
                                              open_only=not done, limit=ROWS, offset=0)
        shown = present.tasks_out(session, rows, cli_locale())
        people = {u.id: u.email for u in accounts.staff_users(session, SYSTEM)}
    table = Table(_("Id"), _("Task"), _("Partner"), _("Owner"), _("Due"), _("State"))
    for task in shown:
        state = _("done") if task.done else _("overdue") if task.overdue else _("open")
        table.add_row(str(task.id), task.title, task.partner,
                      people.get(task.owner_id or 0, "—"),
                      task.due_on.isoformat() if task.due_on else "—", state)
    console.print(table)
    console.print(_("%(shown)s of %(total)s tasks.", shown=len(shown), total=total))


@app.command("done")
@handles_errors
def tick(
    task_id: Annotated[int, typer.Argument(help="The task's id")],
    undo: Annotated[bool, typer.Option("--undo", help="Open the task again")] = False,
) -> None:
    """Tick a task done (or open it again)."""
    with command_unit() as (session, _settings):
        followups.update_task(session, SYSTEM, task_id, TaskUpdate(done=not undo))
    console.print(_("Task %(id)s is open again.", id=task_id) if undo
                  else _("Task %(id)s is done.", id=task_id))


@app.command("alerts")
@handles_errors
def list_alerts(
    everything: Annotated[bool, typer.Option("--all", help="Resolved alerts too")] = False,
) -> None:
    """Open alerts, newest first."""
    locale = cli_locale()
    with command_unit() as (session, _settings):
        rows, total = alerts.search(session, SYSTEM, open_only=not everything, limit=ROWS,
                                    offset=0)
        shown = [present.alert_out(a, locale) for a in rows]
    for alert in shown:
        state = _("open") if alert.resolved_at is None else _("resolved")
        console.print(f"#{alert.id}  {alert.raised_at:%Y-%m-%d}  [{state}] {alert.label}: "
                      f"{alert.message}", highlight=False, soft_wrap=True, markup=False)
    if not total:
        console.print(_("No open alerts.") if not everything else _("No alerts yet."))


@app.command("resolve")
@handles_errors
def resolve(alert_id: Annotated[int, typer.Argument(help="The alert's id")]) -> None:
    """Acknowledge an alert: it leaves the open list."""
    with command_unit() as (session, _settings):
        alerts.resolve(session, SYSTEM, alert_id)
    console.print(_("Alert %(id)s is resolved.", id=alert_id))


@app.command("manager")
@handles_errors
def manager(
    partner: Annotated[str, typer.Argument(help="Partner id or exact name")],
    email: Annotated[str | None, typer.Argument(help="The channel manager's e-mail; "
                                                "leave out to remove")] = None,
) -> None:
    """Set (or remove) a partner's channel manager."""
    with command_unit() as (session, _settings):
        partner_id = partner_ref(session, partner)
        owner_id = _staff_id(session, email) if email else None
        found = meetings.set_channel_manager(session, SYSTEM, partner_id, owner_id)
        name = found.name
    console.print(_("%(partner)s: channel manager %(who)s.", partner=name,
                    who=email or _("none")), highlight=False)


def _action(text: str, session: Session) -> ActionItemIn:
    """"title|owner e-mail|YYYY-MM-DD", the last two optional."""
    title, _sep, rest = text.partition("|")
    owner_text, _sep, due_text = rest.partition("|")
    try:
        due = date.fromisoformat(due_text.strip()) if due_text.strip() else None
    except ValueError:
        raise Unprocessable(N_("Write the due date as YYYY-MM-DD."), field="action") from None
    owner = _staff_id(session, owner_text.strip(), "action") if owner_text.strip() else None
    return ActionItemIn(title=title.strip(), owner_id=owner, due_on=due)


@meeting_app.command("add")
@handles_errors
def add_meeting(
    partner: Annotated[str, typer.Argument(help="Partner id or exact name")],
    held_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None,
    notes: Annotated[str | None, typer.Option()] = None,
    attendees: Annotated[str | None, typer.Option()] = None,
    action: Annotated[list[str] | None, typer.Option(
        help='An action item "title|owner e-mail|YYYY-MM-DD" (owner and date optional); '
             "repeat for more")] = None,
) -> None:
    """Record a meeting and its action items."""
    with command_unit() as (session, _settings):
        try:
            day = date.fromisoformat(held_on) if held_on else clock.now().date()
        except ValueError:
            raise Unprocessable(N_("Write the date as YYYY-MM-DD."), field="held_on") from None
        meeting = meetings.add_meeting(session, SYSTEM, MeetingCreate(
            partner_id=partner_ref(session, partner), held_on=day, notes=notes,
            attendees=attendees, action_items=[_action(a, session) for a in action or []]))
        meeting_id, items = meeting.id, len(action or [])
    console.print(_("Meeting %(id)s recorded with %(items)s action items.", id=meeting_id,
                    items=items))


@meeting_app.command("list")
@handles_errors
def list_meetings(
    partner: Annotated[str | None, typer.Option(help="Partner id or exact name")] = None,
) -> None:
    """Meetings, newest first."""
    with command_unit() as (session, _settings):
        partner_id = partner_ref(session, partner) if partner else None
        rows, _total = repository.search_meetings(session, SYSTEM, partner_id=partner_id,
                                                  limit=ROWS, offset=0)
        shown = present.meetings_out(session, rows, cli_locale())
    table = Table(_("Id"), _("Held on"), _("Partner"), _("Notes"), _("Action items"))
    for meeting in shown:
        open_items = sum(1 for i in meeting.action_items if not i.done)
        table.add_row(str(meeting.id), meeting.held_on.isoformat(), meeting.partner,
                      (meeting.notes or "")[:60], f"{open_items}/{len(meeting.action_items)}")
    console.print(table)
