"""What a partner's API traffic looks like: calls per day and the users it served."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.partners import repository as partners
from qudao.recommendations.models import ApiUsage, Purchase, RecommendationShown


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
    # Of ``calls``, those generated for a demo (shown as such wherever calls are counted).
    synthetic_calls: int
    users: int
    products: int
    conversions: int
    converted_users: int

    @property
    def conversion_rate(self) -> Decimal | None:
        """Users who bought a recommended product, per user served."""
        if not self.users:
            return None
        return (Decimal(self.converted_users) / Decimal(self.users)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP)


def usage(session: Session, subject: AuthSubject, partner_id: int, days: int) -> Usage:
    """The last ``days`` days, today included; days without calls are listed with 0."""
    partner = partners.get(session, subject, partner_id)
    until = clock.now().date()
    since = until - timedelta(days=days - 1)
    rows = session.execute(
        select(ApiUsage.day, func.sum(ApiUsage.calls), func.sum(ApiUsage.synthetic_calls))
        .where(ApiUsage.partner_id == partner.id, ApiUsage.day >= since)
        .group_by(ApiUsage.day)).all()
    counted = {day: calls for day, calls, _synthetic in rows}
    series = [DayCalls(since + timedelta(days=i), int(counted.get(since + timedelta(days=i), 0)))
              for i in range(days)]
    shown = select(RecommendationShown).where(RecommendationShown.partner_id == partner.id,
                                              RecommendationShown.last_day >= since).subquery()
    users = session.scalar(select(func.count(func.distinct(shown.c.user_id)))) or 0
    products = session.scalar(select(func.count(func.distinct(shown.c.item_id)))) or 0
    bought = (select(shown.c.user_id, shown.c.item_id).distinct()
              .join(Purchase, and_(Purchase.customer_ref == shown.c.user_id,
                                   Purchase.item_id == shown.c.item_id))
              .where(Purchase.occurred_at >= shown.c.first_day,
                     Purchase.occurred_at < shown.c.convert_until)).subquery()
    conversions = session.scalar(select(func.count()).select_from(bought)) or 0
    converted = session.scalar(select(func.count(func.distinct(bought.c.user_id)))) or 0
    return Usage(partner_id=partner.id, since=since, until=until, days=series,
                 calls=sum(d.calls for d in series),
                 synthetic_calls=sum(int(synthetic or 0) for _day, _calls, synthetic in rows),
                 users=int(users), products=int(products),
                 conversions=int(conversions), converted_users=int(converted))
