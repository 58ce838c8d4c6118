"""Rows and results as API shapes."""

from __future__ import annotations

from fastapi import Request

from qudao.core.i18n import LocaleCode, translate
from qudao.core.money import from_minor
from qudao.referrals.funnel import Funnel
from qudao.referrals.models import ReferralEvent, ReferralLink
from qudao.referrals.schemas import EventOut, FunnelOut, FunnelStep, LinkOut, Revenue


def share_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/r/{code}"


def base_of(request: Request) -> str:
    return str(request.base_url)


def link_out(link: ReferralLink, base_url: str) -> LinkOut:
    return LinkOut(id=link.id, partner_id=link.partner_id, code=link.code,
                   url=share_url(base_url, link.code), landing_url=link.landing_url,
                   label=link.label, active=link.active, created_at=link.created_at)


def event_out(event: ReferralEvent) -> EventOut:
    amount = None
    if event.amount_minor is not None and event.currency:
        amount = format(from_minor(event.amount_minor, event.currency), "f")
    return EventOut(id=event.id, kind=event.kind, partner_id=event.partner_id,
                    link_id=event.link_id, visitor_id=event.visitor_id,
                    customer_id=event.customer_id, occurred_at=event.occurred_at,
                    amount=amount, currency=event.currency, source=event.source,
                    synthetic=event.synthetic, created_at=event.created_at)


def funnel_out(found: Funnel, locale: LocaleCode) -> FunnelOut:
    return FunnelOut(
        partner_id=found.partner_id, since=found.since, until=found.until,
        attribution_days=found.attribution_days,
        steps=[FunnelStep(kind=s.kind, label=translate(locale, s.label),
                          count=s.count, rate=s.rate) for s in found.steps],
        overall_rate=found.overall_rate,
        revenue=[Revenue(currency=c, amount=format(a, "f")) for c, a in found.revenue],
        synthetic_events=found.synthetic_events)
