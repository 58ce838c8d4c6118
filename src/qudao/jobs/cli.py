"""``qudao jobs …`` and ``qudao worker``."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer
from rich.table import Table

from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import _, cli_locale, command_unit, console, handles_errors
from qudao.core.config import get_settings
from qudao.core.i18n import translate
from qudao.db import key_changes
from qudao.db.session import Database
from qudao.jobs import service
from qudao.jobs.runner import Outcome
from qudao.jobs.worker import run_due_once, work

app = typer.Typer(help="Background jobs: run the due ones, list failures.", no_args_is_help=True)
LIST_ROWS = 100


def _print_outcome(outcome: Outcome) -> None:
    if outcome.ok:
        console.print(_("Job %(id)s (%(name)s) done.", id=outcome.job_id, name=outcome.name),
                      highlight=False)
    elif outcome.final:
        console.print(_("Job %(id)s (%(name)s) failed for good: %(error)s", id=outcome.job_id,
                        name=outcome.name, error=outcome.error or ""), highlight=False)
    else:
        console.print(_("Job %(id)s (%(name)s) failed (attempt %(attempt)s); it will be tried "
                        "again: %(error)s", id=outcome.job_id, name=outcome.name,
                        attempt=outcome.attempt, error=outcome.error or ""), highlight=False)


def jobs_database() -> Database:
    """The database the jobs run against; a key, partner or user a job changes is refused or
    re-read by the running servers at their next request, as after any other command."""
    settings = get_settings()
    key_changes.use(settings.database_url, settings.data_dir)
    return Database(settings.database_url)


@app.command("run-due")
@handles_errors
def run_due() -> None:
    """Enqueue this period's periodic jobs and run every due job once, then exit (for
    cron). Exits with 1 when a job failed."""
    database = jobs_database()
    try:
        outcomes = run_due_once(database)
    finally:
        database.dispose()
    for outcome in outcomes:
        _print_outcome(outcome)
    failed = [o for o in outcomes if not o.ok]
    console.print(_("%(ran)s jobs ran, %(failed)s failed.", ran=len(outcomes),
                    failed=len(failed)))
    if failed:
        raise typer.Exit(1)


@app.command("list")
@handles_errors
def list_jobs(
    failed: Annotated[bool, typer.Option("--failed", help="Only the failed jobs")] = False,
) -> None:
    """The newest jobs, with the error of each failed one."""
    locale = cli_locale()
    with command_unit() as (session, _settings):
        rows, total = service.list_jobs(session, SYSTEM, state="failed" if failed else None,
                                        limit=LIST_ROWS, offset=0)
        table = Table(_("Id"), _("Job"), _("State"), _("Attempts"), _("Run after"),
                      _("Finished"))
        errors: list[str] = []
        for job in rows:
            error = (job.last_error or "").strip().splitlines()
            table.add_row(str(job.id), job.name,
                          translate(locale, service.STATE_LABELS.get(job.state, job.state)),
                          f"{job.attempts}/{job.max_attempts}",
                          job.run_after.strftime("%Y-%m-%d %H:%M"),
                          job.finished_at.strftime("%Y-%m-%d %H:%M") if job.finished_at
                          else "—")
            if error:
                errors.append(f"#{job.id} {job.name}: {error[-1]}")
    console.print(table)
    for line in errors:
        console.print(line, highlight=False, soft_wrap=True, markup=False)
    if not total:
        console.print(_("No failed jobs.") if failed else _("No jobs yet."))


@app.command("retry")
@handles_errors
def retry(job_id: Annotated[int, typer.Argument(help="The failed job's id")]) -> None:
    """Run a failed job again, with its attempts renewed."""
    with command_unit() as (session, _settings):
        job = service.retry(session, SYSTEM, job_id)
        name = job.name
    console.print(_("Job %(id)s (%(name)s) is queued again.", id=job_id, name=name))


@handles_errors
def worker(
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between looks at the queue")]
    = 30.0,
) -> None:
    """Run due jobs continuously until Ctrl-C or SIGTERM (the job under way is finished
    first)."""
    stop = threading.Event()

    def halt(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, halt)
    signal.signal(signal.SIGTERM, halt)
    database = jobs_database()
    console.print(_("The worker is running (every %(seconds)s s); stop it with Ctrl-C.",
                    seconds=format(interval, "g")))
    try:
        ran = work(database, interval=interval, stop=stop, report=_print_outcome)
    finally:
        database.dispose()
    console.print(_("The worker stopped after %(ran)s jobs.", ran=ran))
