"""``qudao audit …``."""

from __future__ import annotations

import typer

from qudao.audit.verify import verify
from qudao.core.cli_support import _, command_unit, console, errors, handles_errors
from qudao.core.i18n import translate

app = typer.Typer(help="The audit log.", no_args_is_help=True)


@app.command("verify")
@handles_errors
def verify_chain() -> None:
    """Check every hash chain; exits 1 and names the first broken row."""
    from qudao.core.cli_support import cli_locale

    with command_unit() as (session, _settings):
        result = verify(session)
    if result.ok:
        console.print(_("Audit log intact: %(n)s rows checked.", n=result.checked))
        return
    for item in result.breaks:
        errors.print(translate(cli_locale(), item.message, **item.params), highlight=False)
    first = result.first
    assert first is not None
    raise typer.Exit(1)
