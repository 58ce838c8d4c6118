"""The product catalogue: products with their features, use cases and price list. Deals and
recommendations refer to a product's SKU, so a SKU never changes and a product is withdrawn
(made inactive), never deleted."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import JSONValue, changes, snapshot
from qudao.core.errors import Conflict, Unprocessable
from qudao.core.i18n import N_
from qudao.core.money import check_currency, from_minor, parse_amount, to_minor
from qudao.programs import repository
from qudao.programs.models import Product, ProductPrice
from qudao.programs.schemas import (
    PriceTierIn,
    PriceTierOut,
    ProductCreate,
    ProductFields,
    ProductOut,
    ProductUpdate,
)


@dataclass(frozen=True)
class Tier:
    """A checked price tier: from ``min_quantity`` units on, ``unit_price`` each."""

    currency: str
    min_quantity: int
    unit_price: Decimal


def product_out(product: Product) -> ProductOut:
    return ProductOut(
        id=product.id, sku=product.sku, name=product.name, description=product.description,
        features=product.features, use_cases=product.use_cases, active=product.active,
        prices=[PriceTierOut(currency=p.currency, min_quantity=p.min_quantity,
                             unit_price=from_minor(p.unit_price_minor, p.currency))
                for p in sorted(product.prices, key=lambda p: (p.currency, p.min_quantity))],
        created_at=product.created_at, updated_at=product.updated_at)


def check_tier(tier: PriceTierIn, index: int) -> Tier:
    where = f"prices.{index}"
    try:
        currency = check_currency(tier.currency)
    except Unprocessable as error:
        raise Unprocessable(error.message, field=f"{where}.currency", **error.params) from None
    price = parse_amount(tier.unit_price, currency, f"{where}.unit_price")
    if price < 0:
        raise Unprocessable(N_("A price cannot be negative."), field=f"{where}.unit_price")
    return Tier(currency, tier.min_quantity, price)


def check_tiers(tiers: Sequence[PriceTierIn]) -> list[Tier]:
    """The price list, checked as a whole: one price per currency and quantity, and each
    currency's list starting at one unit, so that every quantity has a price."""
    checked = [check_tier(tier, i) for i, tier in enumerate(tiers)]
    seen: set[tuple[str, int]] = set()
    for index, tier in enumerate(checked):
        if (tier.currency, tier.min_quantity) in seen:
            raise Unprocessable(
                N_("%(currency)s has two prices from %(quantity)s units on."),
                field=f"prices.{index}.min_quantity", currency=tier.currency,
                quantity=tier.min_quantity)
        seen.add((tier.currency, tier.min_quantity))
    for currency in sorted({t.currency for t in checked}):
        if (currency, 1) not in seen:
            index = next(i for i, t in enumerate(checked) if t.currency == currency)
            raise Unprocessable(
                N_("The %(currency)s price list must start at 1 unit, so that every "
                   "quantity has a price."), field=f"prices.{index}.min_quantity",
                currency=currency)
    return sorted(checked, key=lambda t: (t.currency, t.min_quantity))


def _list(values: list[str] | None) -> str | None:
    unique = list(dict.fromkeys(v.strip() for v in values or [] if v.strip()))
    return json.dumps(unique, ensure_ascii=False) if unique else None


def _text(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def _apply(product: Product, data: ProductFields) -> None:
    values = data.model_dump(exclude_unset=True)
    if "name" in values:
        name = _text(values["name"])
        if name is None:
            raise Unprocessable(N_("A product needs a name."), field="name")
        product.name = name
    if "description" in values:
        product.description = _text(values["description"])
    if "features" in values:
        product.features_json = _list(values["features"])
    if "use_cases" in values:
        product.use_cases_json = _list(values["use_cases"])
    if values.get("active") is not None:
        product.active = bool(values["active"])
    if data.prices is not None:
        tiers = check_tiers(data.prices)
        wanted = {(t.currency, t.min_quantity): t for t in tiers}
        # Tiers are matched on (currency, quantity): a changed price updates its row, and
        # the unique pair is never inserted twice within one flush.
        for price in list(product.prices):
            if (price.currency, price.min_quantity) not in wanted:
                product.prices.remove(price)
        kept = {(p.currency, p.min_quantity): p for p in product.prices}
        for key, tier in wanted.items():
            minor = to_minor(tier.unit_price, tier.currency)
            if key in kept:
                kept[key].unit_price_minor = minor
            else:
                product.prices.append(ProductPrice(currency=tier.currency,
                                                   min_quantity=tier.min_quantity,
                                                   unit_price_minor=minor))


def _state(product: Product) -> dict[str, JSONValue]:
    """The product and its price list, for the audit log."""
    values = snapshot(product)
    values["prices"] = [f"{p.currency} {p.min_quantity}+ "
                        f"{from_minor(p.unit_price_minor, p.currency)}"
                        for p in sorted(product.prices, key=lambda p: (p.currency,
                                                                        p.min_quantity))]
    return values


def validate_product(data: ProductCreate) -> None:
    """The checks that need no database, for an import's every row before anything is
    written."""
    product = Product(sku=data.sku, active=True)
    product.prices = []
    _apply(product, data)


def create_product(session: Session, subject: AuthSubject, data: ProductCreate) -> Product:
    require_staff_writer(subject)
    sku = data.sku.strip()
    if repository.product_by_sku(session, sku) is not None:
        raise Conflict(N_("A product with SKU %(sku)s already exists."), field="sku", sku=sku)
    return insert_product(session, data)


def insert_product(session: Session, data: ProductCreate) -> Product:
    """Writes a product whose SKU is known to be new (a create, or a checked import)."""
    product = Product(sku=data.sku.strip(), active=True if data.active is None else data.active)
    product.prices = []
    _apply(product, data)
    session.add(product)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(N_("A product with SKU %(sku)s already exists."), field="sku",
                       sku=product.sku) from None
    audit.record(session, action="product.create", target_type="product",
                 target_id=product.id, after=_state(product))
    return product


def update_product(
    session: Session, subject: AuthSubject, product_id: int, data: ProductUpdate
) -> Product:
    product = repository.get_product(session, subject, product_id)
    require_staff_writer(subject)
    return change_product(session, product, data)


def change_product(session: Session, product: Product, data: ProductFields) -> Product:
    before = _state(product)
    _apply(product, data)
    session.flush()
    old, new = changes(before, _state(product))
    new.pop("updated_at", None)
    old.pop("updated_at", None)
    if new:
        audit.record(session, action="product.update", target_type="product",
                     target_id=product.id, before=old, after=new)
    return product


def set_active(
    session: Session, subject: AuthSubject, product_id: int, active: bool
) -> Product:
    """Withdraw a product from sale (partners no longer see it), or put it back."""
    return update_product(session, subject, product_id, ProductUpdate(active=active))


def price_for(product: Product, currency: str, quantity: int) -> Decimal | None:
    """The unit price at ``quantity`` units: the tier with the largest minimum reached."""
    reached = [p for p in product.prices if p.currency == currency
               and p.min_quantity <= quantity]
    if not reached:
        return None
    best = max(reached, key=lambda p: p.min_quantity)
    return from_minor(best.unit_price_minor, best.currency)
