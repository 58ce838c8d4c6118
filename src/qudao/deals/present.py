"""Deals as each reader may see them: a partner its own deals, staff everything, including
the registrations a deal refused."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.money import from_minor
from qudao.deals import repository
from qudao.deals.models import Deal, DealLine
from qudao.deals.schemas import (
    ConflictOut,
    DealLineOut,
    DealOut,
    DealStaffOut,
    DealStaffSummary,
    SalesRepOut,
)
from qudao.deals.service import protection_active


def line_out(line: DealLine) -> DealLineOut:
    return DealLineOut(
        kind="won" if line.kind == "won" else "registered", sku=line.sku,
        product_id=line.product_id, description=line.description, quantity=line.quantity,
        unit_price=None if line.unit_price_minor is None
        else from_minor(line.unit_price_minor, line.currency),
        amount=None if line.amount_minor is None
        else from_minor(line.amount_minor, line.currency),
        currency=line.currency)


def _reps(session: Session, deals: list[Deal]) -> dict[int, SalesRepOut]:
    ids = {deal.sales_rep_id for deal in deals if deal.sales_rep_id is not None}
    return {user.id: SalesRepOut(id=user.id, name=user.name or user.email, email=user.email)
            for user in repository.users(session, ids)}


def deal_out(session: Session, deal: Deal,
             reps: dict[int, SalesRepOut] | None = None) -> DealOut:
    known = _reps(session, [deal]) if reps is None else reps
    return DealOut(
        id=deal.id, partner_id=deal.partner_id, program_id=deal.program_id,
        customer_name=deal.customer_name, customer_domain=deal.customer_domain,
        customer_email=deal.customer_email, customer_tax_id=deal.customer_tax_id,
        customer_ref=deal.customer_ref, amount=from_minor(deal.amount_minor, deal.currency),
        currency=deal.currency, expected_close=deal.expected_close,
        stage=deal.stage,
        stage_reason=deal.stage_reason, protected_until=deal.protected_until,
        protection_active=protection_active(deal),
        extension_state=deal.extension_state,
        extension_reason=deal.extension_reason,
        sales_rep=known.get(deal.sales_rep_id) if deal.sales_rep_id is not None else None,
        source=deal.source, lines=[line_out(line) for line in deal.lines],
        created_at=deal.created_at, approved_at=deal.approved_at, closed_at=deal.closed_at)


def staff_out(session: Session, deal: Deal) -> DealStaffOut:
    names = repository.partner_names(session, {deal.partner_id})
    conflicts = [ConflictOut(id=c.id, claimant_partner_id=c.claimant_partner_id,
                             claimant_partner_name=name, key=c.key,
                             customer_name=c.customer_name, source=c.source,
                             actor_label=c.actor_label, attempted_at=c.attempted_at)
                 for c, name in repository.conflicts_of(session, deal.id)]
    return DealStaffOut(**deal_out(session, deal).model_dump(),
                        partner_name=names.get(deal.partner_id, ""),
                        registered_by_user_id=deal.registered_by_user_id,
                        registered_by_key_id=deal.registered_by_key_id, conflicts=conflicts)


def for_reader(session: Session, subject: AuthSubject, deal: Deal) -> DealOut | DealStaffOut:
    return staff_out(session, deal) if subject.is_staff else deal_out(session, deal)


def page_items(session: Session, subject: AuthSubject,
               deals: list[Deal]) -> list[DealOut] | list[DealStaffSummary]:
    """A list's items in a few queries, whatever its length."""
    reps = _reps(session, deals)
    if not subject.is_staff:
        return [deal_out(session, deal, reps) for deal in deals]
    names = repository.partner_names(session, {deal.partner_id for deal in deals})
    counts = repository.conflict_counts(session, [deal.id for deal in deals])
    return [DealStaffSummary(**deal_out(session, deal, reps).model_dump(),
                             partner_name=names.get(deal.partner_id, ""),
                             conflict_count=counts.get(deal.id, 0)) for deal in deals]
