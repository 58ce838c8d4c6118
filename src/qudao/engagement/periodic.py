"""The cadence's periodic jobs. Each is idempotent: a second run in the same period adds
no task and raises no alert twice (their unique keys see to it)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.engagement import followups, inactivity
from qudao.engagement.alerts import raise_alert
from qudao.jobs.registry import job
from qudao.partners.models import Partner

AGREEMENT_NOTICE_DAYS = 90


def _day(value: object) -> str:
    if isinstance(value, datetime):
        return clock.as_utc(value).date().isoformat()
    return str(value) if value is not None else "—"


def _partner_name(session: Session, partner_id: int) -> str:
    partner = session.get(Partner, partner_id)
    return partner.name if partner is not None else f"#{partner_id}"


@job("weekly_tasks", every="day")
def weekly_tasks(session: Session, payload: Mapping[str, Any]) -> None:
    """Daily, so that a partner signed mid-week gets this week's task the next morning."""
    followups.generate_weekly(session)


@job("inactivity_alerts", every="day")
def inactivity_alerts(session: Session, payload: Mapping[str, Any]) -> None:
    partner_id = payload.get("partner_id")
    inactivity.check(session, partner_id=int(partner_id) if partner_id is not None else None)


@job("protection_expiry", every="hour")
def protection_expiry(session: Session, payload: Mapping[str, Any]) -> None:
    """Deals whose customer protection has run out: the deals area expires them, the
    channel manager hears of it."""
    from qudao.deals.service import expire_protections

    for deal in expire_protections(session, clock.now()):
        raise_alert(session, kind="protection_expired", partner_id=deal.partner_id,
                    dedupe_key=f"protection_expired:deal:{deal.id}", params={
                        "partner": _partner_name(session, deal.partner_id),
                        "customer": deal.customer_name, "deal_id": deal.id,
                        "until": _day(deal.protected_until or clock.now())})


@job("agreements_expiring", every="day")
def agreements_expiring(session: Session, payload: Mapping[str, Any]) -> None:
    """An alert per running agreement that ends within 90 days; a renewal moves the end
    date, and so makes the next notice a new alert."""
    from qudao.agreements.service import expiring_agreements

    for agreement in expiring_agreements(session, clock.now(),
                                         within_days=AGREEMENT_NOTICE_DAYS):
        raise_alert(session, kind="agreement_expiring", partner_id=agreement.partner_id,
                    dedupe_key=f"agreement_expiring:{agreement.id}:{agreement.ends_on:%Y%m%d}",
                    params={"partner": _partner_name(session, agreement.partner_id),
                            "agreement_id": agreement.id,
                            "ends_on": agreement.ends_on.isoformat()})


@job("agreements_activate", every="day")
def agreements_activate(session: Session, payload: Mapping[str, Any]) -> None:
    """Signed agreements whose start date has come become active."""
    from qudao.accounts.subject import SYSTEM
    from qudao.agreements.service import activate_due

    activate_due(session, SYSTEM, clock.now())
