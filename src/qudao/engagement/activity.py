"""A partner's last sign of life: a deal registered or won, a meeting held, a referral
event, a call of the partner API. The cadence board and the "signed, then nothing" alert
read it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.core.i18n import N_
from qudao.deals.models import Deal
from qudao.engagement.models import Meeting
from qudao.partners.models import StageEvent
from qudao.recommendations.models import ApiUsage
from qudao.referrals.models import ReferralEvent

ACTIVITY_LABELS: dict[str, str] = {
    "deal": N_("Deal"),
    "meeting": N_("Meeting"),
    "referral": N_("Referral event"),
    "api": N_("Partner API call"),
}


@dataclass(frozen=True, slots=True)
class LastActivity:
    at: datetime
    # deal | meeting | referral | api
    what: str


def _day_start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return clock.as_utc(value)
    return datetime.combine(value, time.min, tzinfo=UTC)


def _latest(session: Session, query: Select[Any, Any]) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for partner_id, value in session.execute(query).all():
        if value is not None and partner_id is not None:
            assert isinstance(value, date | datetime)
            found[int(partner_id)] = _day_start(value)
    return found


def last_activity(session: Session, partner_ids: Iterable[int]) -> dict[int, LastActivity]:
    """The newest activity of each partner that has any."""
    ids = sorted(set(partner_ids))
    if not ids:
        return {}
    sources: dict[str, list[Select[Any, Any]]] = {
        "deal": [
            select(Deal.partner_id, func.max(Deal.created_at)).where(Deal.partner_id.in_(ids))
            .group_by(Deal.partner_id),
            select(Deal.partner_id, func.max(Deal.closed_at))
            .where(Deal.partner_id.in_(ids), Deal.stage == "won").group_by(Deal.partner_id),
        ],
        "meeting": [
            select(Meeting.partner_id, func.max(Meeting.held_on))
            .where(Meeting.partner_id.in_(ids)).group_by(Meeting.partner_id),
        ],
        "referral": [
            select(ReferralEvent.partner_id, func.max(ReferralEvent.occurred_at))
            .where(ReferralEvent.partner_id.in_(ids)).group_by(ReferralEvent.partner_id),
        ],
        "api": [
            select(ApiUsage.partner_id, func.max(ApiUsage.day))
            .where(ApiUsage.partner_id.in_(ids), ApiUsage.calls > 0)
            .group_by(ApiUsage.partner_id),
        ],
    }
    newest: dict[int, LastActivity] = {}
    for what, queries in sources.items():
        for query in queries:
            for partner_id, at in _latest(session, query).items():
                known = newest.get(partner_id)
                if known is None or at > known.at:
                    newest[partner_id] = LastActivity(at, what)
    return newest


def signed_at(session: Session, partner_ids: Iterable[int]) -> dict[int, datetime]:
    """When each partner last moved to "signed"."""
    ids = sorted(set(partner_ids))
    if not ids:
        return {}
    query = (select(StageEvent.partner_id, func.max(StageEvent.occurred_at))
             .where(StageEvent.partner_id.in_(ids), StageEvent.to_stage == "signed")
             .group_by(StageEvent.partner_id))
    return _latest(session, query)
