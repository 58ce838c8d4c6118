"""The demo's sourcing pipeline: the guide's own "Partner A" and a few candidates at every
stage, rated by two evaluators, with the demo partners signed after their due diligence."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts import service as users
from qudao.accounts.roles import Role
from qudao.accounts.schemas import UserCreate
from qudao.accounts.subject import SYSTEM
from qudao.demo.accounts import ADMIN_EMAIL, DEMO_PARTNERS, DEMO_PASSWORD
from qudao.partners import repository as partners
from qudao.partners import service
from qudao.partners.models import Partner
from qudao.partners.schemas import ContactIn, PartnerCreate
from qudao.screening import diligence
from qudao.screening import service as screening

MANAGER_EMAIL = "eva@qudao.example"
KEYS = ("market_coverage", "resource_match", "reputation", "culture_fit")
ROUTE = ("contacted", "evaluating", "due_diligence", "negotiating")


@dataclass(frozen=True)
class Candidate:
    data: PartnerCreate
    stage: str
    ratings: tuple[tuple[str, ...], ...] = ()
    reason: str | None = None


CANDIDATES = (
    Candidate(PartnerCreate(
        name="Partner A", partner_type="distributor", industry="consumer goods",
        region="华东", country="China", employees=180, website="https://partner-a.example",
        source="trade_show", notes="需进一步沟通文化",
        contacts=[ContactIn(name="王伟", role="渠道总监", email="wang@partner-a.example",
                            wechat="wangwei_pa")]),
        "evaluating", (("8", "7", "9", "6"), ("8", "7", "9", "6"))),
    Candidate(PartnerCreate(
        name="Lotus Gift Distribution", partner_type="distributor",
        industry="gift and home goods", region="Shanghai", country="China", employees=95,
        annual_revenue="18500000", revenue_currency="CNY", website="https://lotus-gift.example",
        source="association", referrer="China Gift Association", tags=["gift", "east-china"],
        contacts=[ContactIn(name="李娜", role="总经理", email="li.na@lotus-gift.example")]),
        "due_diligence", (("9", "8", "8", "8"), ("8", "9", "7", "8"))),
    Candidate(PartnerCreate(
        name="Nordic Home Agents", partner_type="reseller", industry="consumer goods",
        region="Scandinavia", country="Norway", employees=14,
        website="https://nordic-home.example", source="linkedin",
        contacts=[ContactIn(name="Ingrid Berg", role="Founder",
                            email="ingrid@nordic-home.example")]),
        "evaluating", (("6", "6", "7", "7"), ("6", "6", "7", "6.5"))),
    Candidate(PartnerCreate(
        name="Atlas Retail Group", partner_type="distributor", industry="retail",
        region="Western Europe", country="Germany", employees=5400,
        annual_revenue="740000000", revenue_currency="EUR", website="https://atlas-retail.example",
        source="trade_show"),
        "evaluating", (("9", "7", "8", "5"), ("8", "7", "8", "6"))),
    Candidate(PartnerCreate(
        name="Kiwi Crafts Co", partner_type="reseller", industry="handmade gifts",
        region="Oceania", country="New Zealand", employees=8, website="https://kiwi-crafts.example",
        source="inbound"), "sourced"),
    Candidate(PartnerCreate(
        name="Harbour Light Trading", partner_type="reseller", industry="gifts",
        country="Ireland", employees=22, source="webinar"),
        "rejected", (("5", "6", "5", "6"),), "score below the threshold; no gift retail focus"),
)


def walk(session: Session, partner: Partner, target: str, reason: str | None) -> None:
    """Move a candidate the way a channel manager would: one stage after the other."""
    for stage in ROUTE:
        if partner.stage == target:
            return
        if target in ("rejected", "on_hold"):
            break
        service.move_stage(session, SYSTEM, partner.id, stage)
    if partner.stage != target:
        service.move_stage(session, SYSTEM, partner.id, target, reason)


def complete_checks(session: Session, partner: Partner) -> None:
    for item in diligence.ensure_checklist(session, partner):
        if item.required and item.status != "done":
            diligence.update_item(
                session, SYSTEM, partner.id, item.key, status="done",
                evidence="Reviewed for the demo", answer="Quarterly pilots with our customers.")


def ensure_pipeline(session: Session) -> None:
    if accounts.user_by_email(session, MANAGER_EMAIL) is None:
        users.create_user(session, SYSTEM, UserCreate(
            email=MANAGER_EMAIL, name="Eva Chen", role=Role.CHANNEL_MANAGER,
            password=DEMO_PASSWORD))
    evaluators = (ADMIN_EMAIL, MANAGER_EMAIL)
    for candidate in CANDIDATES:
        normalized = service.normalize_name(candidate.data.name)
        if partners.by_normalized_name(session, normalized) is not None:
            continue
        partner = service.create_partner(session, SYSTEM, candidate.data.model_copy(
            update={"allow_similar": True}))
        for evaluator, values in zip(evaluators, candidate.ratings, strict=False):
            screening.rate(session, SYSTEM, partner.id, evaluator_email=evaluator,
                           ratings=dict(zip(KEYS, values, strict=True)))
        walk(session, partner, candidate.stage, candidate.reason)
    for name, *_rest in DEMO_PARTNERS:
        signed = partners.by_normalized_name(session, service.normalize_name(name))
        if signed is not None and signed.stage != "signed":
            complete_checks(session, signed)
            walk(session, signed, "negotiating", None)
            service.move_stage(session, SYSTEM, signed.id, "signed")
