"""qudao goals commands"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

import typer
from rich.markup import escape
from rich.table import Table

from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import _, cli_locale, command_unit, console, handles_errors
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_, Translator
from qudao.goals import present, repository, service
from qudao.goals.schemas import GoalCreate, GoalDetail, GoalOut

app = typer.Typer(help="SMART goals and their progress.", no_args_is_help=True)
STATUS_STYLES = {"achieved": "green", "on_track": "cyan", "at_risk": "yellow",
                 "missed": "red"}
Output = Annotated[Literal["table", "json"], typer.Option("--format")]


def _date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Unprocessable(N_("Enter a date as YYYY-MM-DD."), field=field) from None


def _amount(value: Decimal, goal: GoalOut, t: Translator) -> str:
    if goal.unit == "money" and goal.currency:
        return t.money(value, goal.currency)
    return t.number(value)


def _status(goal: GoalOut) -> str:
    style = STATUS_STYLES[goal.progress.status]
    return f"[{style}]{goal.progress.status_label}[/]"


def _print_progress(goal: GoalOut) -> None:
    t = Translator(cli_locale())
    p = goal.progress
    console.print(f"#{goal.id} {goal.title or goal.metric_label}", highlight=False,
                  markup=False)
    console.print(_("%(metric)s: %(actual)s of %(target)s (%(percent)s%%), pace %(pace)s",
                    metric=goal.metric_label, actual=_amount(p.actual, goal, t),
                    target=_amount(p.target, goal, t), percent=t.number(p.percent),
                    pace=_amount(p.pace, goal, t)), highlight=False)
    console.print(_("%(start)s to %(deadline)s (00:00 UTC), %(left)s days left: %(status)s",
                    start=goal.start.isoformat(), deadline=goal.deadline.isoformat(),
                    left=p.days_left, status=_status(goal)), highlight=False)


@app.command("add")
@handles_errors
def add_goal(
    metric: Annotated[str, typer.Option(help="A key of 'qudao goals metrics'")] = "",
    target: Annotated[str, typer.Option(help="A count (100) or an amount (500000.00)")] = "",
    deadline: Annotated[str | None, typer.Option(help="YYYY-MM-DD: the goal ends at 00:00 "
                                                      "UTC of this day")] = None,
    owner: Annotated[str, typer.Option(help="The responsible staff user's e-mail or id")] = "",
    start: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today")] = None,
    partner: Annotated[int | None, typer.Option(help="Partner id (pilot customers)")] = None,
    title: Annotated[str | None, typer.Option(help="The goal in a sentence")] = None,
    program: Annotated[int | None, typer.Option(help="Program id, if there are several")
                       ] = None,
) -> None:
    """Set a SMART goal; a vague one is refused with every missing part named."""
    owner_id = int(owner) if owner.strip().isdigit() else None
    with command_unit() as (session, _settings):
        goal = service.create_goal(session, SYSTEM, GoalCreate(
            program_id=program, title=title, metric=metric or None, target=target or None,
            partner_id=partner, start=_date(start, "start"),
            deadline=_date(deadline, "deadline"), owner_user_id=owner_id,
            owner_email=None if owner_id is not None else (owner or None)))
        shown = present.goal_out(session, goal, cli_locale())
    console.print(_("Goal %(id)s is set.", id=shown.id))
    _print_progress(shown)


@app.command("list")
@handles_errors
def list_goals(
    archived: Annotated[bool, typer.Option(help="The archived goals instead")] = False,
    program: Annotated[int | None, typer.Option(help="Only this program")] = None,
    output: Output = "table",
) -> None:
    """Goals with their live progress, nearest deadline first."""
    locale = cli_locale()
    with command_unit() as (session, _settings):
        rows, total = repository.search(session, SYSTEM, limit=100, offset=0,
                                        program_id=program, archived=archived)
        goals = [present.goal_out(session, g, locale) for g in rows]
    if output == "json":
        print(json.dumps([g.model_dump(mode="json") for g in goals], ensure_ascii=False))
        return
    t = Translator(locale)
    table = Table(_("Id"), _("Goal"), _("Actual"), _("Target"), _("Pace"), _("Deadline"),
                  _("Status"), title=_("Goals"))
    for goal in goals:
        table.add_row(str(goal.id), escape(goal.title or goal.metric_label),
                      _amount(goal.progress.actual, goal, t),
                      _amount(goal.progress.target, goal, t),
                      _amount(goal.progress.pace, goal, t), goal.deadline.isoformat(),
                      _status(goal))
    console.print(table)
    console.print(_("%(n)s goals", n=total))


@app.command("show")
@handles_errors
def show_goal(goal_id: int, output: Output = "table") -> None:
    """A goal's progress, and actual against pace over time."""
    locale = cli_locale()
    with command_unit() as (session, _settings):
        goal: GoalDetail = present.goal_detail(
            session, repository.get(session, SYSTEM, goal_id), locale)
    if output == "json":
        print(json.dumps(goal.model_dump(mode="json"), ensure_ascii=False))
        return
    _print_progress(goal)
    t = Translator(locale)
    table = Table(_("As of (UTC)"), _("Actual"), _("Pace"))
    for point in goal.series:
        table.add_row(point.at.strftime("%Y-%m-%d %H:%M"),
                      "—" if point.actual is None else _amount(point.actual, goal, t),
                      _amount(point.pace, goal, t))
    console.print(table)


@app.command("archive")
@handles_errors
def archive_goal(goal_id: int) -> None:
    """Archive a goal: it leaves the list, its history stays."""
    with command_unit() as (session, _settings):
        service.archive_goal(session, SYSTEM, goal_id)
    console.print(_("Goal %(id)s is archived.", id=goal_id))


@app.command("metrics")
@handles_errors
def metrics(output: Output = "table") -> None:
    """The metric catalogue goals are measured with."""
    found = present.catalogue(cli_locale())
    if output == "json":
        print(json.dumps([m.model_dump(mode="json") for m in found], ensure_ascii=False))
        return
    table = Table(_("Metric"), _("Name"), _("What it counts"))
    for metric in found:
        table.add_row(metric.key, metric.label, metric.help)
    console.print(table)
