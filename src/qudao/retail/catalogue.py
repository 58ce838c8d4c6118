"""The catalogue from a retail file: one product per stock code that names a product (fees
and postage stay lines without a product), named by its latest description, with a price
list in the file's currency read by ``summary.price_list``.

Prices follow the catalogue's rules (``programs.catalogue.check_tiers``): the list starts
at one unit, one price per quantity, exact in minor units (a price with more decimals is
rounded half-even), never below zero; a price that rounds to nothing gives no price list,
and a volume price is kept only while it stays below the list price. Products already in
the catalogue are kept as they are, so a second run adds nothing. Written in bulk, with
one audit entry for the lot.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from qudao.audit import service as audit
from qudao.core import clock
from qudao.core.money import check_currency, money_context, quantum, to_minor
from qudao.db.bulk import insert_many
from qudao.programs.models import Product, ProductPrice
from qudao.retail.summary import FileSummary, ProductFacts

CHUNK = 500
PRODUCT_COLUMNS = ("sku", "name", "active", "created_at", "updated_at")
PRICE_COLUMNS = ("product_id", "currency", "min_quantity", "unit_price_minor")


def _minor(price: Decimal | None, currency: str) -> int | None:
    if price is None:
        return None
    with money_context():
        rounded = price.quantize(quantum(currency), rounding=ROUND_HALF_EVEN)
    minor = to_minor(rounded, currency)
    return minor if minor > 0 else None


def tiers(facts: ProductFacts, currency: str) -> list[tuple[int, int]]:
    """(min quantity, unit price in minor units) of the product's price list."""
    listed = _minor(facts.list_price, currency)
    if listed is None:
        return []
    found = [(1, listed)]
    volume = _minor(facts.volume_price, currency)
    if volume is not None and volume < listed and facts.volume_min_quantity is not None \
            and facts.volume_min_quantity > 1:
        found.append((facts.volume_min_quantity, volume))
    return found


def _ids(session: Session, skus: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(skus))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(select(Product.sku, Product.id).where(
            Product.sku.in_(wanted[start:start + CHUNK])))
        found.update({sku: product_id for sku, product_id in rows})
    return found


def ensure_products(session: Session, summary: FileSummary,
                    currency: str = "GBP") -> dict[str, int]:
    """SKU -> product id for every product of the file; creates the missing ones."""
    currency = check_currency(currency)
    existing = _ids(session, summary.products)
    new = [facts for sku, facts in summary.products.items() if sku not in existing]
    if not new:
        return existing
    now = clock.now()
    insert_many(session, cast(Table, Product.__table__), PRODUCT_COLUMNS,
                [(facts.sku, facts.name[:300], True, now, now) for facts in new])
    created = _ids(session, (facts.sku for facts in new))
    prices = [(created[facts.sku], currency, quantity, minor)
              for facts in new for quantity, minor in tiers(facts, currency)]
    insert_many(session, cast(Table, ProductPrice.__table__), PRICE_COLUMNS, prices)
    audit.record(session, action="product.import", target_type="product",
                 after={"source": "retail data", "created": len(created),
                        "prices": len(prices), "currency": currency})
    return {**existing, **created}
