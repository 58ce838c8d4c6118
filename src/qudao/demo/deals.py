"""The demo partners' deals over the last four months: registered by the partner's own
user in the portal, approved and closed by the channel manager; won with lines priced from
the catalogue, lost with a reason, some still open, one whose protection has run out, and
one registration refused because another partner protects the customer."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.deals import service as deals
from qudao.deals.claims import CustomerProtected
from qudao.deals.models import Deal, DealConflict
from qudao.deals.schemas import DealCreate, ProductLineIn, WonLineIn
from qudao.demo.people import Cast
from qudao.demo.timeline import Timeline
from qudao.programs import repository as programs
from qudao.programs.catalogue import price_for
from qudao.programs.models import Program

CURRENCY = "CNY"
NORTHWIND, BLUE_HARBOUR = "Northwind Distribution", "Blue Harbour Agency"
# Partners expect to close about six weeks after registering.
EXPECTED_CLOSE_DAYS = 45


@dataclass(frozen=True)
class DemoDeal:
    partner: str
    customer: str
    website: str
    # What the partner expects to sell: (SKU, quantity); the won lines are the same.
    products: tuple[tuple[str, int], ...]
    # Days before the demo's moment; None: the deal has not got there.
    registered: float
    approved: float | None = None
    won: float | None = None
    lost: float | None = None
    reason: str | None = None


DEALS = (
    DemoDeal(NORTHWIND, "Harrow Home Retail", "harrowhome.example",
             (("SCO-PRO", 6), ("SCO-IMPL", 5)), registered=112.2, approved=108.1, won=84.3),
    # Approved, then nothing: its 90 days of protection ran out ten days ago.
    DemoDeal(NORTHWIND, "Oxford Tea Rooms", "oxfordtearooms.example",
             (("SCO-STD", 4),), registered=100.4, approved=96.2),
    DemoDeal(NORTHWIND, "Camden Grocers", "camdengrocers.example",
             (("SCO-STD", 12), ("SCO-IMPL", 4)), registered=76.1, approved=71.3, won=41.2),
    DemoDeal(NORTHWIND, "Leeds Outdoor Co", "leedsoutdoor.example",
             (("SCO-PRO", 3),), registered=58.3, approved=52.1, lost=24.2,
             reason="客户预算削减，项目推迟到明年"),
    DemoDeal(NORTHWIND, "Bristol Bike Shop", "bristolbikes.example",
             (("SCO-STD", 3), ("SCO-IMPL", 2)), registered=19.2, approved=13.1, won=0),
    DemoDeal(NORTHWIND, "Brighton Books", "brightonbooks.example",
             (("SCO-STD", 2),), registered=6.3),
    DemoDeal(BLUE_HARBOUR, "Maison Lumière", "maison-lumiere.example",
             (("SCO-STD", 20), ("SCO-ERP", 1)), registered=97.2, approved=92.4, won=53.1),
    DemoDeal(BLUE_HARBOUR, "Bordeaux Vins", "bordeaux-vins.example",
             (("SCO-API", 12), ("SCO-IMPL", 2)), registered=44.1, approved=39.2, won=6.2),
    DemoDeal(BLUE_HARBOUR, "Épicerie Verte", "epicerie-verte.example",
             (("SCO-PRO", 2),), registered=29.3, approved=24.1),
    DemoDeal(BLUE_HARBOUR, "Lyon Sports", "lyon-sports.example",
             (("SCO-STD", 5),), registered=3.2),
)
# Blue Harbour also tries to register Northwind's protected customer, under its own spelling.
CONFLICT = DemoDeal(BLUE_HARBOUR, "Brighton Books Ltd", "https://www.brightonbooks.example",
                    (("SCO-STD", 2),), registered=2.1)
CONFLICT_HOLDER = "Brighton Books"


def _unit_prices(session: Session, products: tuple[tuple[str, int], ...]) -> list[Decimal]:
    """Each product's catalogue price at its quantity, as a partner would quote it."""
    prices = []
    for sku, quantity in products:
        product = programs.product_by_sku(session, sku)
        price = price_for(product, CURRENCY, quantity) if product is not None else None
        if price is None:
            raise LookupError(f"the demo catalogue has no {CURRENCY} price for {sku}")
        prices.append(price)
    return prices


def _registration(session: Session, program: Program, spec: DemoDeal,
                  when: Timeline) -> DealCreate:
    prices = _unit_prices(session, spec.products)
    amount = sum((price * quantity for price, (_sku, quantity) in zip(
        prices, spec.products, strict=True)), Decimal(0))
    return DealCreate(
        program_id=program.id, customer_name=spec.customer, customer_website=spec.website,
        amount=format(amount, "f"), currency=CURRENCY,
        expected_close=when.day(spec.registered - EXPECTED_CLOSE_DAYS),
        products=[ProductLineIn(sku=sku, quantity=quantity) for sku, quantity in spec.products])


def _existing(session: Session, partner_id: int, customer: str) -> Deal | None:
    return session.scalar(select(Deal).where(Deal.partner_id == partner_id,
                                             Deal.customer_name == customer).limit(1))


def _play(session: Session, people: Cast, program: Program, spec: DemoDeal,
          when: Timeline) -> None:
    demo = people.partners[spec.partner]
    with when.on(spec.registered):
        deal = deals.register(session, demo.user, _registration(session, program, spec, when),
                              source="portal")
    if spec.approved is None:
        return
    with when.on(spec.approved):
        deals.approve(session, people.manager, deal.id)
    if spec.won is not None:
        lines = [WonLineIn(sku=sku, quantity=quantity, unit_price=format(price, "f"))
                 for (sku, quantity), price in zip(
                     spec.products, _unit_prices(session, spec.products), strict=True)]
        with when.on(spec.won):
            deals.win(session, people.manager, deal.id, lines)
    elif spec.lost is not None:
        with when.on(spec.lost):
            deals.lose(session, people.manager, deal.id, spec.reason)


def _ensure_conflict(session: Session, people: Cast, program: Program,
                     when: Timeline) -> None:
    holder_partner = people.partners.get(NORTHWIND)
    claimant = people.partners.get(CONFLICT.partner)
    if holder_partner is None or claimant is None:
        return
    holder = _existing(session, holder_partner.partner.id, CONFLICT_HOLDER)
    if holder is None or not deals.protection_active(holder, when.at(CONFLICT.registered)):
        return
    if session.scalar(select(DealConflict.id).where(
            DealConflict.holder_deal_id == holder.id,
            DealConflict.claimant_partner_id == claimant.partner.id).limit(1)) is not None:
        return
    # Refused (CustomerProtected) and recorded for staff, who see both partners.
    with suppress(CustomerProtected), when.on(CONFLICT.registered):
        deals.register(session, claimant.user,
                       _registration(session, program, CONFLICT, when), source="portal")


def ensure_deals(session: Session, people: Cast, program: Program, when: Timeline) -> None:
    for spec in DEALS:
        demo = people.partners.get(spec.partner)
        if demo is None or _existing(session, demo.partner.id, spec.customer) is not None:
            continue
        _play(session, people, program, spec, when)
    _ensure_conflict(session, people, program, when)

