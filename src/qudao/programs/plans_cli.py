"""qudao plans commands"""

from __future__ import annotations

import json
from typing import Annotated, Literal

import typer
from rich.markup import escape
from rich.table import Table

from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import _, cli_locale, command_unit, console, handles_errors
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_
from qudao.programs import plans
from qudao.programs.plan_schemas import (
    Boundary,
    Period,
    PlanCreate,
    PlanOut,
    RoundingLevel,
    RoundingMode,
    TierIn,
    TierMode,
)

app = typer.Typer(help="Commission plans, defined as data.", no_args_is_help=True)
Output = Annotated[Literal["table", "json"], typer.Option("--format")]


def parse_tier(text: str) -> TierIn:
    """"100000:20%" → from 100,000 of period volume, 20%."""
    threshold, sep, rate = text.partition(":")
    if not sep or not threshold.strip() or not rate.strip():
        raise Unprocessable(N_("Write a tier as threshold:rate, such as %(example)s."),
                            field="tiers", example="100000:20%")
    return TierIn(threshold=threshold.strip(), rate=rate.strip())


def _print(plan: PlanOut) -> None:
    state = _("active") if plan.active else _("inactive")
    console.print(f"#{plan.id} {plan.name} ({plan.currency}, {state})", markup=False,
                  highlight=False)
    for line in plan.description:
        console.print(f"  {line}", markup=False, highlight=False)


@app.command("create")
@handles_errors
def create_plan(
    name: Annotated[str, typer.Option(help="The plan's name, unique in its program")],
    flat: Annotated[str | None, typer.Option(help="A flat rate: 10%")] = None,
    tier: Annotated[list[str] | None, typer.Option(
        help="threshold:rate, repeated: --tier 0:15% --tier 100000:20%")] = None,
    mode: Annotated[TierMode, typer.Option(help="whole or marginal")] = "whole",
    boundary: Annotated[Boundary, typer.Option(help="inclusive: a volume equal to a "
                                                    "threshold reaches it")] = "inclusive",
    rounding: Annotated[RoundingMode, typer.Option()] = "half_up",
    level: Annotated[RoundingLevel, typer.Option(help="Round per line or per statement")
                     ] = "line",
    period: Annotated[Period, typer.Option()] = "month",
    currency: Annotated[str | None, typer.Option(help="Default: the program's")] = None,
    min_payout: Annotated[str | None, typer.Option(help="e.g. 500.00")] = None,
    cap: Annotated[str | None, typer.Option(help="Most paid per period")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="A SKU that earns nothing; "
                                                           "repeat for more")] = None,
    program: Annotated[int | None, typer.Option(help="Program id, if there are several")
                       ] = None,
) -> None:
    """Define a commission plan: flat, or tiered by period volume."""
    tiers = [parse_tier(t) for t in tier or []]
    with command_unit() as (session, _settings):
        plan = plans.create_plan(session, SYSTEM, PlanCreate(
            program_id=program, name=name, kind="tiered" if tiers else "flat",
            flat_rate=flat, tiers=tiers or None, tier_mode=mode, boundary=boundary,
            rounding_mode=rounding, rounding_level=level, period=period, currency=currency,
            min_payout=min_payout, cap=cap, excluded_skus=exclude))
        shown = plans.plan_out(plan, cli_locale())
    console.print(_("Plan %(id)s is saved.", id=shown.id))
    _print(shown)


@app.command("list")
@handles_errors
def list_plans(
    program: Annotated[int | None, typer.Option(help="Only this program")] = None,
    output: Output = "table",
) -> None:
    """Commission plans, active first, each described in words."""
    locale = cli_locale()
    with command_unit() as (session, _settings):
        rows, total = plans.list_plans(session, SYSTEM, limit=100, offset=0,
                                       program_id=program)
        found = [plans.plan_out(p, locale) for p in rows]
    if output == "json":
        print(json.dumps([p.model_dump(mode="json") for p in found], ensure_ascii=False))
        return
    table = Table(_("Id"), _("Name"), _("Currency"), _("Terms"), _("Status"),
                  title=_("Commission plans"))
    for plan in found:
        table.add_row(str(plan.id), escape(plan.name), plan.currency,
                      escape("\n".join(plan.description)),
                      _("active") if plan.active else _("inactive"))
    console.print(table)
    console.print(_("%(n)s plans", n=total))


@app.command("show")
@handles_errors
def show_plan(plan_id: int, output: Output = "table") -> None:
    """One plan, described in words."""
    with command_unit() as (session, _settings):
        shown = plans.plan_out(plans.get_plan(session, SYSTEM, plan_id), cli_locale())
    if output == "json":
        print(json.dumps(shown.model_dump(mode="json"), ensure_ascii=False))
        return
    _print(shown)


@app.command("deactivate")
@handles_errors
def deactivate_plan(plan_id: int) -> None:
    """Keep a plan for the agreements that use it, but offer it to no new one."""
    with command_unit() as (session, _settings):
        plans.deactivate_plan(session, SYSTEM, plan_id)
    console.print(_("Plan %(id)s is inactive.", id=plan_id))
