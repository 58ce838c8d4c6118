"""What a partner's API traffic looks like: calls per day and the users it served."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.partners import repository as partners
from qudao.recommendations.models import ApiUsage, RecommendationShown


@dataclass(frozen=True)
class DayCalls:
    day: date
    calls: int


@dataclass(frozen=True)
class Usage:
    partner_id: int
    since: date
    until: date
    days: list[DayCalls]
    calls: int
    users: int
    products: int


def usage(session: Session, subject: AuthSubject, partner_id: int, days: int) -> Usage:
    """The last ``days`` days, today included; days without calls are listed with 0."""
    partner = partners.get(session, subject, partner_id)
    until = clock.now().date()
    since = until - timedelta(days=days - 1)
    counted = dict(session.execute(
        select(ApiUsage.day, func.sum(ApiUsage.calls))
        .where(ApiUsage.partner_id == partner.id, ApiUsage.day >= since)
        .group_by(ApiUsage.day)).tuples().all())
    series = [DayCalls(since + timedelta(days=i), int(counted.get(since + timedelta(days=i), 0)))
              for i in range(days)]
    shown = select(RecommendationShown).where(RecommendationShown.partner_id == partner.id,
                                              RecommendationShown.last_day >= since).subquery()
    users = session.scalar(select(func.count(func.distinct(shown.c.user_id)))) or 0
    products = session.scalar(select(func.count(func.distinct(shown.c.item_id)))) or 0
    return Usage(partner_id=partner.id, since=since, until=until, days=series,
                 calls=sum(d.calls for d in series), users=int(users), products=int(products))
