"""The ``qudao`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from qudao.accounts.cli import key_app, user_app
from qudao.agreements.cli import app as agreements_app
from qudao.audit.cli import app as audit_app
from qudao.commissions.cli import app as commissions_app
from qudao.core.cli_support import _, command_unit, console, fail, handles_errors
from qudao.core.config import get_settings
from qudao.db import migrate
from qudao.db.session import Database
from qudao.deals.cli import app as deals_app
from qudao.documents.cli import app as docs_app
from qudao.engagement.cli import app as cadence_app
from qudao.goals.cli import app as goals_app
from qudao.jobs.cli import app as jobs_app
from qudao.jobs.cli import worker as jobs_worker
from qudao.partners.cli import app as partner_app
from qudao.programs.catalogue_cli import app as catalogue_app
from qudao.programs.cli import app as program_app
from qudao.programs.plans_cli import app as plans_app
from qudao.recommendations.cli import app as recommend_app
from qudao.referrals.cli import app as referrals_app
from qudao.screening.cli import app as screening_app

app = typer.Typer(
    help="qudao (渠道): partner relationship management for companies that build their "
    "channel from zero.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(partner_app, name="partners")
app.add_typer(partner_app, name="partner", hidden=True)
app.add_typer(screening_app, name="screening")
app.add_typer(program_app, name="program")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(plans_app, name="plans")
app.add_typer(goals_app, name="goals")
app.add_typer(docs_app, name="docs")
app.add_typer(agreements_app, name="agreements")
app.add_typer(deals_app, name="deals")
app.add_typer(commissions_app, name="commissions")
app.add_typer(referrals_app, name="referrals")
app.add_typer(cadence_app, name="cadence")
app.add_typer(jobs_app, name="jobs")
app.command("worker")(jobs_worker)
app.add_typer(recommend_app, name="recommend")
app.add_typer(key_app, name="apikey")
app.add_typer(audit_app, name="audit")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the web app, the portal and the API."""
    import uvicorn

    settings = get_settings()
    console.print(_("qudao is serving at http://%(host)s:%(port)s (database: %(db)s)",
                    host=host, port=port, db=settings.database_url.split("://")[0]))
    uvicorn.run("qudao.asgi:app", host=host, port=port, workers=workers,
                proxy_headers=False, log_level="info")


@db_app.command("upgrade")
@handles_errors
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply the migrations (safe to run again)."""
    database = Database(get_settings().database_url)
    try:
        migrate.upgrade(database, revision)
        console.print(_("Database is at revision %(rev)s.", rev=migrate.current(database)))
    finally:
        database.dispose()


@db_app.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    database = Database(get_settings().database_url)
    try:
        console.print(migrate.current(database) or "—")
    finally:
        database.dispose()


@app.command()
@handles_errors
def demo(
    data: Annotated[Path | None, typer.Option(
        help="Transactions in the Online Retail format (default: the file in data/)")] = None,
) -> None:
    """Load the demo data (idempotent): the guide's example program, and a wholesaler's
    channel built from real transactions. Trains the recommender if there is no model yet,
    and prints the demo logins."""
    from qudao.demo.accounts import ensure_accounts
    from qudao.demo.commissions import ensure_commissions
    from qudao.demo.program import ensure_program
    from qudao.demo.retail import DATA_FILE, ensure_retail
    from qudao.demo.screening import ensure_pipeline
    from qudao.recommendations.cli import train
    from qudao.recommendations.registry import current_path

    path = data or DATA_FILE
    if not path.exists():
        raise fail(_("No transactions file at %(path)s. Give one with --data, or restore "
                     "data/ from the repository.", path=str(path)))
    stages = {"read": _("Reading the transactions"), "import": _("Importing them"),
              "runs": _("Closing the months: commission runs")}
    with (Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                   TimeElapsedColumn(), console=console) as bars,
          command_unit() as (session, settings)):
        setup = bars.add_task(_("Accounts, pipeline and the example program"), total=3)
        logins = ensure_accounts(session, settings)
        ensure_pipeline(session)
        bars.advance(setup)
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stages[stage], total=max(total, 1))
            bars.update(tasks[stage], completed=done, total=max(total, 1))

        # The wholesaler's partners exist before this week's follow-ups are planned, so a
        # second run finds every signed partner already followed up.
        logins += ensure_retail(session, settings, path=path, progress=progress).logins
        ensure_program(session, settings)
        bars.advance(setup)
        ensure_commissions(session)
        bars.advance(setup)
    if current_path(get_settings().model_directory) is None:
        train()
    console.rule(_("Demo logins"))
    for login in logins:
        who = f"{login.partner} ({login.role})" if login.partner else login.role
        console.print(f"[bold]{who}[/]", highlight=False)
        console.print(f"  {_('E-mail')}: {login.email}", highlight=False, soft_wrap=True)
        console.print(f"  {_('Password')}: {login.password}", highlight=False, soft_wrap=True)
        if login.api_key:
            console.print(f"  {_('API key')}: {login.api_key}", highlight=False, soft_wrap=True)
    console.print(_("These are demo credentials: change them before real use."))


def main() -> None:
    _travel_in_time()
    app()


def _travel_in_time() -> None:
    """QUDAO_TIME_TRAVEL_DAYS moves every command's clock ahead, for trying qudao out."""
    from qudao.core import clock

    try:
        settings = get_settings()
    except ValueError:
        return  # the command itself reports settings it cannot use
    clock.travel(settings.time_travel_days)
