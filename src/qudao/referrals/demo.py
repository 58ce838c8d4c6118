"""Referral traffic for the demo: a link per signed partner and a few weeks of visits,
sign-ups, trials and payments. Every generated event is marked synthetic, and the pages
say so wherever it is counted. Safe to run again: a partner with synthetic events already
gets none more."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.partners.models import Partner
from qudao.referrals import service
from qudao.referrals.models import ReferralEvent, ReferralLink
from qudao.referrals.schemas import LinkCreate

DEMO_LANDING = "https://shop.example/welcome"
DAYS = 60
# Per step, the share of people that go on to the next one.
STEP_RATES = {"signup": 0.3, "trial": 0.45, "paid": 0.5}
PRICES_MINOR = (19_900, 49_900, 99_900)


def ensure_demo_traffic(session: Session, *, seed: int = 7, currency: str = "CNY",
                        partner_ids: list[int] | None = None) -> int:
    """Generate the demo's synthetic events, for the given partners or every signed one,
    in the weeks before the clock's now; returns how many were added."""
    added = 0
    now = clock.now()
    query = select(Partner).where(Partner.stage == "signed", Partner.merged_into_id.is_(None))
    if partner_ids is not None:
        query = query.where(Partner.id.in_(partner_ids))
    partners = session.scalars(query.order_by(Partner.id))
    for partner in partners:
        has_any = session.scalar(select(ReferralEvent.id).where(
            ReferralEvent.partner_id == partner.id, ReferralEvent.synthetic.is_(True)).limit(1))
        if has_any is not None:
            continue
        link = session.scalar(select(ReferralLink).where(ReferralLink.partner_id == partner.id)
                              .order_by(ReferralLink.id).limit(1))
        if link is None:
            link = service.create_link(session, SYSTEM, LinkCreate(
                partner_id=partner.id, landing_url=DEMO_LANDING, label="Demo"))
        # Repeatable demo figures, not secrets.
        rng = random.Random(f"{seed}:{partner.id}")  # noqa: S311
        for number in range(rng.randint(40, 120)):
            at = now - timedelta(days=rng.uniform(0, DAYS))
            visitor = f"demo-{partner.id}-{number}"
            customer = f"demo-customer-{partner.id}-{number}"
            events = [ReferralEvent(kind="visit", partner_id=partner.id, link_id=link.id,
                                    visitor_id=visitor, occurred_at=at, source="link",
                                    synthetic=True)]
            for kind, rate in STEP_RATES.items():
                if rng.random() >= rate:
                    break
                at = min(now, at + timedelta(hours=rng.uniform(1, 96)))
                paid = kind == "paid"
                events.append(ReferralEvent(
                    kind=kind, partner_id=partner.id, link_id=link.id, visitor_id=visitor,
                    customer_id=customer, occurred_at=at, source="api", synthetic=True,
                    amount_minor=rng.choice(PRICES_MINOR) if paid else None,
                    currency=currency if paid else None))
            session.add_all(events)
            added += len(events)
    session.flush()
    return added
