""""Signed, then nothing": a signed partner with no deal, meeting, referral event or API
call for N days (the program's ``inactivity_days``, 30 without a program), counted from
the later of the signing and the last activity.

Each quiet period is its own alert (its key names the day it began), so that an alert
acknowledged by hand stays quiet, and the next quiet period after new activity raises a
new one. An open alert is resolved by itself once activity appears."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.engagement import activity, alerts
from qudao.engagement.models import Alert
from qudao.partners.models import Partner
from qudao.programs.models import Program

KIND = "signed_then_nothing"
DEFAULT_INACTIVITY_DAYS = 30


@dataclass
class Check:
    raised: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)


def inactivity_days(session: Session) -> int:
    """The default program's setting (the program with the lowest id)."""
    days = session.scalar(select(Program.inactivity_days).order_by(Program.id).limit(1))
    return int(days) if days else DEFAULT_INACTIVITY_DAYS


def signed_partners(session: Session, partner_id: int | None = None) -> list[Partner]:
    """Partners that count as active for the cadence: signed and not merged away."""
    query = select(Partner).where(Partner.stage == "signed", Partner.merged_into_id.is_(None))
    if partner_id is not None:
        query = query.where(Partner.id == partner_id)
    return list(session.scalars(query.order_by(Partner.id)))


def quiet_since(session: Session, partners: list[Partner]) -> dict[int, datetime]:
    """For each partner, when its current quiet stretch began: the later of its signing
    and its last activity."""
    ids = [p.id for p in partners]
    signed = activity.signed_at(session, ids)
    last = activity.last_activity(session, ids)
    since: dict[int, datetime] = {}
    for partner in partners:
        moments = [m for m in (signed.get(partner.id), partner.stage_changed_at,
                               last[partner.id].at if partner.id in last else None)
                   if m is not None]
        since[partner.id] = max(moments) if moments else partner.created_at
    return since


def dedupe_key(partner_id: int, since: datetime) -> str:
    return f"{KIND}:{partner_id}:{since:%Y%m%dT%H%M%S}"


def check(session: Session, now: datetime | None = None, *,
          partner_id: int | None = None) -> Check:
    """Raise the alerts of partners quiet for N days or more; resolve those whose partner
    became active again (or is no longer signed). Running it twice changes nothing more."""
    now = now or clock.now()
    days = inactivity_days(session)
    partners = signed_partners(session, partner_id)
    since = quiet_since(session, partners)
    quiet_keys: dict[int, str] = {}
    result = Check()
    for partner in partners:
        began = since[partner.id]
        if now - began >= timedelta(days=days):
            key = dedupe_key(partner.id, began)
            quiet_keys[partner.id] = key
            raised = alerts.raise_alert(session, kind=KIND, partner_id=partner.id,
                                        dedupe_key=key, params={
                                            "partner": partner.name, "days": days,
                                            "since": began.date().isoformat()})
            if raised is not None:
                result.raised.append(raised)
    for alert in alerts.open_of_kind(session, KIND):
        if partner_id is not None and alert.partner_id != partner_id:
            continue
        if alert.partner_id is None or quiet_keys.get(alert.partner_id) != alert.dedupe_key:
            alerts.resolve_automatically(session, alert)
            result.resolved.append(alert)
    return result
