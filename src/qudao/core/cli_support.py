"""What every CLI command shares: one unit of work, the system actor, errors that exit."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import click
import typer
from rich.console import Console
from sqlalchemy.orm import Session

from qudao.core.config import Settings, get_settings
from qudao.core.context import RequestContext, set_context
from qudao.core.errors import QudaoError
from qudao.core.i18n import DEFAULT_LOCALE, LocaleCode, coerce_locale, translate
from qudao.db import key_changes
from qudao.db.session import Database

console = Console()
errors = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")


def cli_locale() -> LocaleCode:
    for name in ("QUDAO_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        found = coerce_locale(os.environ.get(name))
        if found:
            return found
    return DEFAULT_LOCALE


def _(message: str, **params: object) -> str:
    return translate(cli_locale(), message, **params)


@contextmanager
def command_unit(settings: Settings | None = None) -> Iterator[tuple[Session, Settings]]:
    """One transaction for the whole command, acting as the system."""
    settings = settings or get_settings()
    database = Database(settings.database_url)
    # A key this command stops is refused by the running servers at their next request.
    key_changes.use(settings.database_url, settings.data_dir)
    try:
        with database.unit_of_work() as session:
            set_context(session, RequestContext(actor_type="cli", actor_id=_os_user(),
                                                actor_label=f"cli:{_os_user()}",
                                                locale=cli_locale()))
            yield session, settings
    finally:
        database.dispose()


def _os_user() -> str:
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER", "unknown")


def fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[bold red]{_('Error')}:[/] {message}", highlight=False)
    return typer.Exit(code)


def handles_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Domain errors become a message in the user's language and a non-zero exit."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.ClickException):
            raise
        except QudaoError as error:
            raise fail(error.render(cli_locale()), 2 if error.status in (400, 422) else 1) from None
        except ValueError as error:
            raise fail(str(error), 2) from None
        except Exception as error:
            if os.environ.get("QUDAO_DEBUG"):
                raise
            raise fail(_("Unexpected error (%(kind)s): %(error)s. Run again with QUDAO_DEBUG=1 "
                         "for the details.", kind=type(error).__name__, error=str(error)[:500])
                       ) from None

    return wrapper


def read_secret_stdin() -> str:
    value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise fail(_("Nothing was read from standard input."), 2)
    return value
