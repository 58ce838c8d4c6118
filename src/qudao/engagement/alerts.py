"""Alerts: raised by jobs (and by other areas), written per kind in the reader's language,
resolved by hand or automatically when their condition goes away.

Raising is idempotent through the dedupe key: an alert is raised once per key. Put what
makes a new occurrence into the key (a partner's quiet period starts on a date; a deal's
protection expires once), so that an acknowledged alert does not come back, while a new
occurrence does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select, false, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.core import clock
from qudao.core.errors import Conflict, NotFound
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.db.paging import page_of
from qudao.engagement.models import Alert


@dataclass(frozen=True, slots=True)
class AlertKind:
    label: str
    # An N_ message with the alert's params as placeholders.
    message: str


KINDS: dict[str, AlertKind] = {
    "signed_then_nothing": AlertKind(
        N_("Signed, then nothing"),
        N_("%(partner)s signed, then nothing: no deal, meeting, referral or API call for "
           "%(days)s days (quiet since %(since)s).")),
    "protection_expired": AlertKind(
        N_("Deal protection expired"),
        N_("The protection of %(partner)s's deal for %(customer)s expired on %(until)s.")),
    "agreement_expiring": AlertKind(
        N_("Agreement expiring"),
        N_("The agreement with %(partner)s ends on %(ends_on)s: time to talk about "
           "renewal.")),
}


def register_kind(kind: str, label: str, message: str) -> None:
    """Another area's alert kind, so that its alerts read well (``N_`` messages)."""
    KINDS[kind] = AlertKind(label, message)


def label(kind: str, locale: LocaleCode) -> str:
    known = KINDS.get(kind)
    return translate(locale, known.label) if known else kind


def message(alert: Alert, locale: LocaleCode) -> str:
    known = KINDS.get(alert.kind)
    params = alert.message_params
    if known is None:
        return ", ".join(f"{k}: {v}" for k, v in params.items()) or alert.kind
    try:
        return translate(locale, known.message, **params)
    except (KeyError, TypeError, ValueError):
        # Params from an older version of the message: say what is known, never fail a page.
        return translate(locale, known.label)


def raise_alert(
    session: Session, *, kind: str, partner_id: int | None, dedupe_key: str,
    params: Mapping[str, str | int],
) -> Alert | None:
    """Raise an alert once per ``dedupe_key``; None when one with that key was raised
    before (open, or resolved: a resolved alert is not raised again under the same key).
    Flushes and audits in the caller's transaction."""
    now = clock.now()
    values = {"kind": kind, "partner_id": partner_id, "dedupe_key": dedupe_key[:200],
              "params": json.dumps(dict(params), ensure_ascii=False, sort_keys=True),
              "raised_at": now}
    dialect = session.get_bind().dialect.name
    statement = pg_insert(Alert) if dialect == "postgresql" else sqlite_insert(Alert)
    inserted = session.scalar(statement.values(**values).on_conflict_do_nothing()
                              .returning(Alert.id))
    if inserted is None:
        return None
    alert = session.get(Alert, inserted)
    assert alert is not None
    audit.record(session, action="alert.raise", target_type="alert", target_id=alert.id,
                 partner_id=partner_id, after={"kind": kind, "dedupe_key": alert.dedupe_key})
    return alert


def resolve_automatically(session: Session, alert: Alert) -> None:
    """The condition went away (the partner became active again)."""
    if alert.resolved_at is not None:
        return
    alert.resolved_at, alert.resolution = clock.now(), "auto"
    session.flush()
    audit.record(session, action="alert.resolve", target_type="alert", target_id=alert.id,
                 partner_id=alert.partner_id, after={"resolution": "auto"})


def resolve(session: Session, subject: AuthSubject, alert_id: int) -> Alert:
    """Acknowledge an alert: it leaves the open list and is not raised again."""
    alert = get(session, subject, alert_id)
    require_staff_writer(subject)
    if alert.resolved_at is not None:
        raise Conflict(N_("This alert was already resolved."))
    alert.resolved_at, alert.resolution = clock.now(), "manual"
    alert.resolved_by_user_id = subject.user_id
    session.flush()
    audit.record(session, action="alert.resolve", target_type="alert", target_id=alert.id,
                 partner_id=alert.partner_id, after={"resolution": "manual"})
    return alert


def readable(subject: AuthSubject) -> Select[Alert]:
    """Alerts are the company's own working list: staff only."""
    query = select(Alert)
    return query if subject.is_staff else query.where(false())


def get(session: Session, subject: AuthSubject, alert_id: int) -> Alert:
    alert = session.scalar(readable(subject).where(Alert.id == alert_id))
    if alert is None:
        raise NotFound(N_("Alert %(id)s was not found."), id=alert_id)
    return alert


def search(
    session: Session, subject: AuthSubject, *, open_only: bool = True,
    partner_id: int | None = None, kind: str | None = None, limit: int, offset: int,
) -> tuple[list[Alert], int]:
    query = readable(subject)
    if open_only:
        query = query.where(Alert.resolved_at.is_(None))
    if partner_id is not None:
        query = query.where(Alert.partner_id == partner_id)
    if kind:
        query = query.where(Alert.kind == kind)
    return page_of(session, query, Alert.raised_at.desc(), Alert.id.desc(), limit=limit,
                   offset=offset)


def open_of_kind(session: Session, kind: str) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.kind == kind,
                                                    Alert.resolved_at.is_(None))))
