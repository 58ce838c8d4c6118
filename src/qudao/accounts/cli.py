"""``qudao user …`` and ``qudao apikey …``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from qudao.accounts import api_keys, repository
from qudao.accounts import service as users
from qudao.accounts.roles import Role
from qudao.accounts.schemas import ApiKeyCreate, UserCreate
from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import (
    _,
    command_unit,
    console,
    fail,
    handles_errors,
    read_secret_stdin,
)

user_app = typer.Typer(help="Staff and partner users.", no_args_is_help=True)
key_app = typer.Typer(help="API keys: issue, list, rotate, revoke.", no_args_is_help=True)


@user_app.command("add")
@handles_errors
def add_user(
    email: str,
    role: Annotated[Role, typer.Option(help="admin, channel_manager, analyst, partner_admin, "
                                            "partner_member")],
    partner: Annotated[int | None, typer.Option(help="Partner id, for partner users")] = None,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input")] = False,
) -> None:
    """Add a user. Without --password-stdin the user has no password yet."""
    if role.is_partner and partner is None:
        raise fail(_("A partner user needs a partner: give --partner ID."), 2)
    password = read_secret_stdin() if password_stdin else None
    with command_unit() as (session, _settings):
        user = users.create_user(session, SYSTEM, UserCreate(
            email=email, name=name, role=role, partner_id=partner, password=password))
        user_id = user.id
    console.print(_("Added user %(email)s with id %(id)s.", email=email, id=user_id))


@user_app.command("list")
@handles_errors
def list_users(partner: Annotated[int | None, typer.Option()] = None) -> None:
    """List users."""
    with command_unit() as (session, _settings):
        rows, total = repository.list_users(session, SYSTEM, partner_id=partner, limit=100,
                                            offset=0)
        table = Table(_("Id"), _("E-mail"), _("Name"), _("Role"), _("Partner"))
        for user in rows:
            table.add_row(str(user.id), user.email, user.name, _(user.role.label),
                          str(user.partner_id or "—"))
    console.print(table)
    console.print(_("%(n)s users", n=total))


@user_app.command("set-password")
@handles_errors
def set_password(email: str) -> None:
    """Set a user's password from standard input and lift any sign-in lock."""
    password = read_secret_stdin()
    with command_unit() as (session, _settings):
        user = repository.user_by_email(session, email)
        if user is None:
            from qudao.core.errors import NotFound
            from qudao.core.i18n import N_

            raise NotFound(N_("No user has the e-mail %(email)s."), email=email)
        users.set_password(session, SYSTEM, user.id, password)
    console.print(_("The password of %(email)s was changed.", email=email))


@key_app.command("create")
@handles_errors
def create_key(
    partner: Annotated[int, typer.Option(help="Partner id the key acts for")],
    name: Annotated[str, typer.Option(help="What the key is for")] = "API key",
    read_only: Annotated[bool, typer.Option("--read-only")] = False,
) -> None:
    """Issue a partner API key. The key is printed once, on the last line."""
    with command_unit() as (session, settings):
        issued = api_keys.issue_key(session, settings, SYSTEM, ApiKeyCreate(
            name=name, partner_id=partner, read_only=read_only))
        key_id = issued.key.id
    console.print(_("Issued key %(id)s. Store it now: it is not shown again.", id=key_id))
    print(issued.plaintext)


@key_app.command("list")
@handles_errors
def list_keys(partner: Annotated[int | None, typer.Option()] = None) -> None:
    """List API keys (never their secrets)."""
    with command_unit() as (session, _settings):
        rows, _total = repository.list_keys(session, SYSTEM, partner_id=partner, limit=100,
                                            offset=0)
        table = Table(_("Id"), _("Name"), _("Partner"), _("Created"), _("Last used"),
                      _("Status"))
        # The key column must never be cut: it is how a person recognises a key.
        table.add_column(_("Key"), no_wrap=True)
        for key in rows:
            status = _("revoked") if key.revoked_at else (
                _("expires %(at)s", at=format(key.expires_at, "%Y-%m-%d %H:%M"))
                if key.expires_at else _("active"))
            table.add_row(str(key.id), key.name, str(key.partner_id or "staff"),
                          f"{key.created_at:%Y-%m-%d %H:%M}",
                          f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "—",
                          status, f"{key.display_prefix}…{key.last4}")
    console.print(table)


@key_app.command("rotate")
@handles_errors
def rotate_key(
    key_id: int,
    overlap_hours: Annotated[int | None, typer.Option(min=0, max=168)] = None,
) -> None:
    """Issue a replacement key; the old one keeps working for the overlap."""
    from datetime import timedelta

    overlap = None if overlap_hours is None else timedelta(hours=overlap_hours)
    with command_unit() as (session, settings):
        issued = api_keys.rotate_key(session, settings, SYSTEM, key_id, overlap)
        new_id = issued.key.id
    console.print(_("Key %(old)s rotated; the new key is %(id)s. Store it now.", old=key_id,
                    id=new_id))
    print(issued.plaintext)


@key_app.command("revoke")
@handles_errors
def revoke_key(key_id: int) -> None:
    """Revoke a key: its next request is refused."""
    with command_unit() as (session, _settings):
        api_keys.revoke_key(session, SYSTEM, key_id)
    console.print(_("Key %(id)s is revoked.", id=key_id))
