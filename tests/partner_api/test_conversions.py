"""Purchases imported from a transactions file, and the conversions they make: a product
recommended to a user and then bought by that user within the attribution window."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.core.errors import Conflict
from qudao.core.tabular import ImportRejected
from qudao.db.session import Database
from qudao.recommendations import purchases
from qudao.recommendations.metering import Meter
from qudao.recommendations.models import Purchase
from qudao.recommendations.usage import usage
from tests.fixtures.accounts import make_partner

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
LINES = [
    "536365,85123A,WHITE HANGING HEART,6,2026-11-25 08:26:00,2.55,17850,United Kingdom",
    "536366,71053,WHITE METAL LANTERN,2,2026-11-26 09:00:00,3.39,17850.0,United Kingdom",
    "536367,71053,WHITE METAL LANTERN,1,2026-06-01 09:00:00,3.39,12345,France",
    "C536368,85123A,WHITE HANGING HEART,-1,2026-11-26 10:00:00,2.55,17850,United Kingdom",
    "536369,POST,POSTAGE,1,2026-11-26 10:00:00,18.00,17850,United Kingdom",
    "536370,22633,HAND WARMER,3,2026-11-26 10:00:00,1.85,,United Kingdom",
    "536371,22632,HAND WARMER RED,3,2026-11-26 10:00:00,0.001,12345,France",
]


def rows(text: str) -> list[dict[str, str]]:
    import csv

    return list(csv.DictReader(io.StringIO(text)))


def test_the_files_dirt_is_sorted_and_counted(db: Database) -> None:
    with db.unit_of_work() as session:
        result = purchases.import_rows(session, SYSTEM, rows(HEADER + "\n".join(LINES)))
    assert (result.read, result.imported) == (7, 3)
    assert result.skipped == {"cancellation": 1, "not a product": 1, "no customer": 1,
                              "price": 1}
    with db.unit_of_work(read_only=True) as session:
        lantern = session.scalar(select(Purchase).where(Purchase.invoice == "536366"))
        assert lantern is not None
        assert (lantern.customer_ref, lantern.unit_price_minor, lantern.currency) == (
            "17850", 339, "GBP")
    with db.unit_of_work() as session, pytest.raises(Conflict):
        purchases.import_rows(session, SYSTEM, rows(HEADER + "\n".join(LINES)))


def test_a_line_that_cannot_be_read_refuses_the_whole_file(db: Database) -> None:
    broken = [*LINES[:2], "536399,22633,HAND WARMER,three,2026-11-26 10:00:00,1.85,1,UK"]
    with db.unit_of_work() as session, pytest.raises(ImportRejected) as rejected:
        purchases.import_rows(session, SYSTEM, rows(HEADER + "\n".join(broken)))
    assert [p.row for p in rejected.value.report.errors] == [4]
    with db.unit_of_work(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Purchase)) == 0


def test_a_purchase_after_a_recommendation_is_the_partners_conversion(db: Database) -> None:
    partner = make_partner(db, "Converting Ltd")
    clock.freeze(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    meter = Meter(db, attribution_days=90)
    # Shown on the 24th: the lantern bought on the 26th converts; the heart bought on the
    # 25th too; the lantern bought in June by another user came before anything was shown.
    meter.record(day=date(2026, 11, 24), partner_id=partner, endpoint="getRecommendations",
                 user_id="17850", item_ids=["85123A", "71053", "22633"])
    meter.record(day=date(2026, 11, 24), partner_id=partner, endpoint="getRecommendations",
                 user_id="12345", item_ids=["71053"])
    meter.flush()
    with db.unit_of_work() as session:
        purchases.import_rows(session, SYSTEM, rows(HEADER + "\n".join(LINES)))
    with db.unit_of_work(read_only=True) as session:
        found = usage(session, SYSTEM, partner, 30)
    assert (found.users, found.conversions, found.converted_users) == (2, 2, 1)
    assert found.conversion_rate == Decimal("0.5")
