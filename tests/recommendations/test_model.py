"""Cleaner, split and RecommenderModel on small hand-made data (plus one slice of the real file)."""

from __future__ import annotations

import gzip
import io
import itertools
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from qudao.recommendations.model import FORMAT_VERSION, ModelConfig, RecommenderModel
from qudao.recommendations.transactions import (
    Transactions,
    is_product_code,
    load_transactions,
    read_csv_text,
    split_by_date,
)

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "online-retail-2010-12-to-2011-09.csv.gz"


def line(
    invoice: str,
    code: str,
    customer: str,
    when: str,
    quantity: int = 1,
    price: str = "1.25",
    description: str | None = None,
) -> str:
    name = description if description is not None else f"PRODUCT {code}"
    return f"{invoice},{code},{name},{quantity},{when},{price},{customer},United Kingdom\n"


def synthetic_csv() -> str:
    """Two taste groups of shops, a best-seller everybody buys, and one faithful re-buyer.

    Group A (shops A0..A7) buys products 10001..10005, group B (B0..B7) buys 20001..20005;
    every shop also buys 30000. Shop A0 owns only half of group A's range, so the model
    should suggest the other half to it. Shop R re-buys 40000 every week.
    """
    rows = [HEADER]
    invoice = itertools.count(500000)
    for group, codes in (("A", range(10001, 10006)), ("B", range(20001, 20006))):
        for shop in range(8):
            customer = f"{group}{shop}"
            owned = list(codes)[:2] if customer == "A0" else list(codes)
            for month, code in enumerate(owned):
                when = f"2011-07-{month + 10} 1{shop}:00:00"
                rows.append(line(str(next(invoice)), str(code), customer, when))
            rows.append(line(str(next(invoice)), "30000", customer, "2011-07-20 09:00:00"))
    for week in range(1, 10):
        rows.append(line(str(next(invoice)), "40000", "R", f"2011-07-0{week} 12:00:00", 24))
    rows.append(line(str(next(invoice)), "10001", "R", "2011-03-01 12:00:00"))
    return "".join(rows)


@pytest.fixture(scope="module")
def transactions() -> Transactions:
    return read_csv_text(synthetic_csv())


@pytest.fixture(scope="module")
def model(transactions: Transactions) -> RecommenderModel:
    return RecommenderModel(ModelConfig(ease_lambda=1.0)).train(transactions)


# ---------------------------------------------------------------- cleaning


def test_product_code_rule() -> None:
    assert is_product_code("85123A")
    assert is_product_code("22423")
    assert not is_product_code("POST")
    assert not is_product_code("C2")
    assert not is_product_code("gift_0001_20")
    assert not is_product_code("DCGS0070")
    assert not is_product_code("BANK CHARGES")
    assert not is_product_code("1234")
    assert not is_product_code("23444", "Next Day Carriage")
    assert is_product_code("85168B", "BLACK BAROQUE CARRIAGE CLOCK")
    assert is_product_code("23099", "FRENCH CARRIAGE LANTERN")


def test_cleaner_drops_dirt_and_keeps_latest_description() -> None:
    text = "".join(
        [
            HEADER,
            line("536365", "85123A", "17850", "2010-12-01 08:26:00", 6, "2.55", "OLD NAME"),
            line("C536379", "85123A", "17850", "2010-12-01 09:41:00", -6, "2.55"),
            line("536380", "22423", "17850", "2010-12-01 09:45:00", -2, "12.75"),
            line("536381", "22424", "17850", "2010-12-01 09:46:00", 2, "0.00"),
            line("536382", "POST", "12583", "2010-12-01 09:47:00", 3, "18.00", "POSTAGE"),
            line(
                "536383", "23444", "12583", "2010-12-01 09:48:00", 1, "15.00", "Next Day Carriage"
            ),
            line("536384", "22727", "", "2010-12-01 09:49:00", 4, "3.75"),
            line("536385", "85123A", "", "2010-12-02 10:00:00", 1, "2.55", "NEW NAME"),
            line("536386", "22728", "12583.0", "2010-12-02 10:01:00", 4, "3.75"),
            "536387,22729,BROKEN,not-a-number,2010-12-02 10:02:00,1.00,12583,France\n",
        ]
    )
    cleaned = read_csv_text(text)
    report = cleaned.report
    assert report.rows_read == 10
    assert report.cancellations == 1
    assert report.non_positive_quantity == 1
    assert report.non_positive_price == 1
    assert report.non_product_code == 2
    assert report.missing_customer == 2
    assert report.malformed == 1
    assert report.rows_kept == len(cleaned) == 2
    assert cleaned.user_ids == ("12583", "17850")
    assert cleaned.item_ids == ("22728", "85123A")
    # The anonymous sale on 2010-12-02 is the latest name of 85123A.
    assert cleaned.item_names == ("PRODUCT 22728", "NEW NAME")
    assert cleaned.quantity.dtype == np.float32
    assert cleaned.quantity.tolist() == [6.0, 4.0]
    assert np.all(np.diff(cleaned.timestamp) >= 0)


def test_load_transactions_reads_gzip(tmp_path: Path) -> None:
    path = tmp_path / "sample.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(synthetic_csv())
    assert load_transactions(path).fingerprint() == read_csv_text(synthetic_csv()).fingerprint()


def test_split_by_date_is_disjoint_and_shares_ids(transactions: Transactions) -> None:
    boundary = datetime(2011, 7, 1, tzinfo=UTC)
    train, test = split_by_date(transactions, boundary, datetime(2011, 8, 1, tzinfo=UTC))
    assert len(train) + len(test) == len(transactions)
    assert train.timestamp.max() < boundary.timestamp() <= test.timestamp.min()
    assert train.item_ids == test.item_ids == transactions.item_ids
    assert train.fingerprint() != transactions.fingerprint()


# ---------------------------------------------------------------- recommending


def test_scores_are_in_unit_interval_best_first(model: RecommenderModel) -> None:
    for user in ("A0", "B3", "R", "nobody"):
        recs = model.recommend(user, limit=20)
        scores = [score for _, _, score in recs]
        assert len(recs) == 12
        assert scores == sorted(scores, reverse=True)
        assert scores[0] == pytest.approx(1.0)
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert len({item for item, _, _ in recs}) == len(recs)


def test_repeat_purchase_comes_first(model: RecommenderModel) -> None:
    item, name, _ = model.recommend("R", limit=1)[0]
    assert (item, name) == ("40000", "PRODUCT 40000")


def test_collaborative_suggests_the_groups_other_products(model: RecommenderModel) -> None:
    new_items = [
        item
        for item, _, _ in model.recommend("A0", limit=12)
        if item not in {"10001", "10002", "30000"}
    ]
    assert set(new_items[:3]) == {"10003", "10004", "10005"}


def test_unknown_user_gets_popular_products(model: RecommenderModel) -> None:
    recs = model.recommend("never-seen", limit=2)
    # Buyers within the last 30 days: 30000 all 16 shops, then eight for 10001, 10002 and
    # 20001..20005; all-time buyers break the tie, and 10001 has one more (R, in March).
    assert [item for item, _, _ in recs] == ["30000", "10001"]


def test_exclude_and_allowed(model: RecommenderModel) -> None:
    recs = model.recommend("R", limit=5, exclude={"40000", "unknown-id"})
    assert "40000" not in {item for item, _, _ in recs}
    assert recs[0][2] == pytest.approx(1.0)
    only = model.recommend("R", limit=5, allowed={"20001", "20002"})
    assert {item for item, _, _ in only} == {"20001", "20002"}
    assert model.recommend("R", limit=5, allowed={"20001"}, exclude={"20001"}) == []
    assert model.recommend("R", limit=0) == []


def test_save_load_round_trip(model: RecommenderModel, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = RecommenderModel.load(path)
    for user in ("A0", "B3", "R", "nobody"):
        assert loaded.recommend(user, 12) == model.recommend(user, 12)
    assert loaded.config == model.config
    assert loaded.fingerprint == model.fingerprint
    with np.load(path, allow_pickle=False) as stored:
        assert int(stored["format_version"]) == FORMAT_VERSION
        assert len(str(stored["fingerprint"])) == 64
        assert datetime.fromisoformat(str(stored["created_at"])).tzinfo is not None


def test_load_refuses_other_format_version(model: RecommenderModel, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    arrays["format_version"] = np.asarray(FORMAT_VERSION + 1)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="format"):
        RecommenderModel.load(path)


def test_untrained_model_refuses_to_recommend() -> None:
    with pytest.raises(RuntimeError):
        RecommenderModel().recommend("A0", 5)


@pytest.mark.skipif(not DATA_FILE.exists(), reason="real data file not present")
def test_real_data_slice_trains_and_serves_fast() -> None:
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        text = "".join(itertools.islice(handle, 20_001))
    real = read_csv_text(text)
    assert real.report.rows_read == 20_000
    assert real.report.cancellations > 0
    assert real.report.missing_customer > 0
    assert not any(is_product_code(code) is False for code in real.item_ids)
    model = RecommenderModel().train(real)
    users = list(model.user_ids[:50])
    started = time.perf_counter()
    for user in users:
        recs = model.recommend(str(user), limit=10)
        assert len(recs) == 10
        assert all(0.0 <= score <= 1.0 for _, _, score in recs)
    per_user = (time.perf_counter() - started) / len(users)
    assert per_user < 0.02
