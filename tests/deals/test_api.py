"""The deal API with partners' keys and staff: registration, protection of the customer,
conflicts that tell the second partner until when but never who, stages, joint selling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from qudao.core import clock
from qudao.core.i18n import Translator
from qudao.db.session import Database
from qudao.recommendations.models import Purchase
from tests.deals.builders import deal_body, product, program
from tests.fixtures.accounts import TwoPartners, bearer, make_key
from tests.fixtures.security import count

START = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _post(client: TestClient, key: str, **fields: object) -> object:
    return client.post("/api/v1/deals", headers=bearer(key), json=deal_body(**fields))


def test_a_partner_key_registers_and_reads_only_its_own_deals(
    client: TestClient, world: TwoPartners
) -> None:
    clock.freeze(START)
    created = client.post("/api/v1/deals", headers=bearer(world.key_a), json=deal_body(
        products=[{"sku": "SKU-1", "quantity": 3}]))
    assert created.status_code == 201, created.text
    deal = created.json()
    assert created.headers["location"] == f"/api/v1/deals/{deal['id']}"
    assert deal["partner_id"] == world.partner_a
    assert deal["stage"] == "registered"
    assert deal["customer_domain"] == "acme-retail.cn"
    assert deal["amount"] == "12500.00"
    assert deal["protection_active"] is True
    assert deal["protected_until"].startswith("2027-03-01T09:30")  # 90 days
    assert deal["lines"] == [{"kind": "registered", "sku": "SKU-1", "product_id": None,
                              "description": None, "quantity": 3, "unit_price": None,
                              "amount": None, "currency": "CNY"}]
    assert "conflicts" not in deal
    assert "partner_name" not in deal
    mine = client.get("/api/v1/deals", headers=bearer(world.key_a)).json()
    assert [d["id"] for d in mine["items"]] == [deal["id"]]
    assert client.get("/api/v1/deals", headers=bearer(world.key_b)).json()["items"] == []
    other = client.get(f"/api/v1/deals/{deal['id']}", headers=bearer(world.key_b))
    assert other.status_code == 404
    assert other.json()["error"] == "not_found"


def test_the_second_partner_is_told_until_when_but_not_who(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    clock.freeze(START)
    first = _post(client, world.key_a).json()  # type: ignore[attr-defined]
    # The same customer written another way: its domain from a company e-mail address.
    second = client.post("/api/v1/deals", headers={**bearer(world.key_b),
                                                   "Accept-Language": "en"},
                         json=deal_body(customer_name="ACME retail (Shanghai)",
                                        customer_website=None,
                                        customer_email="Buyer@ACME-Retail.cn"))
    assert second.status_code == 409, second.text
    body = second.json()
    assert set(body) == {"error", "detail", "field", "protected_until", "request_id"}
    assert body["error"] == "customer_protected"
    assert body["field"] == "customer_email"
    assert body["protected_until"] == first["protected_until"]
    assert "March 1, 2027" in body["detail"]
    for secret in ("Alpha", world.email_a, "deal"):
        assert secret not in second.text
    chinese = client.post("/api/v1/deals", headers={**bearer(world.key_b),
                                                    "Accept-Language": "zh-CN"},
                          json=deal_body(customer_name="Acme"))
    assert chinese.status_code == 409
    assert Translator("zh-CN").date(START + timedelta(days=90), "long") in chinese.json()["detail"]
    assert count(db, "deals") == 1
    assert count(db, "customer_claims") == 1

    # Staff see both partners: the deal and the attempts it refused.
    staff_view = client.get(f"/api/v1/deals/{first['id']}", headers=bearer(staff_key)).json()
    assert staff_view["partner_name"] == "Alpha Distribution"
    attempts = staff_view["conflicts"]
    assert [(a["claimant_partner_name"], a["key"], a["source"]) for a in attempts] == [
        ("Beta Agency", "domain:acme-retail.cn", "api")] * 2
    assert attempts[0]["customer_name"] in ("Acme", "ACME retail (Shanghai)")
    listed = client.get("/api/v1/deals", headers=bearer(staff_key)).json()["items"]
    assert [(d["partner_name"], d["conflict_count"]) for d in listed] == [
        ("Alpha Distribution", 2)]
    # The holder does not see who tried either.
    own_view = client.get(f"/api/v1/deals/{first['id']}", headers=bearer(world.key_a))
    assert "Beta" not in own_view.text
    assert "conflicts" not in own_view.json()


def test_the_tax_id_protects_whatever_its_spelling(
    client: TestClient, world: TwoPartners
) -> None:
    assert _post(client, world.key_a, customer_website="acme-a.cn",
                 customer_tax_id="91310000-MA1FL.0XX1").status_code == 201  # type: ignore[attr-defined]
    refused = _post(client, world.key_b, customer_website="acme-b.cn",
                    customer_tax_id=" 91310000 ma1fl0xx1 ")
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert refused.json()["field"] == "customer_tax_id"  # type: ignore[attr-defined]


def test_registering_ones_own_customer_again_names_the_deal(
    client: TestClient, world: TwoPartners
) -> None:
    first = _post(client, world.key_a).json()  # type: ignore[attr-defined]
    again = _post(client, world.key_a)
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert again.json()["deal_id"] == first["id"]  # type: ignore[attr-defined]
    assert str(first["id"]) in again.json()["detail"]  # type: ignore[attr-defined]


def test_free_mail_protects_the_address_not_the_provider(
    client: TestClient, world: TwoPartners
) -> None:
    assert _post(client, world.key_a, customer_website=None,
                 customer_email="wang.li@qq.com").status_code == 201  # type: ignore[attr-defined]
    assert _post(client, world.key_b, customer_website=None,
                 customer_email="zhang.wei@qq.com").status_code == 201  # type: ignore[attr-defined]
    assert _post(client, world.key_b, customer_website=None,
                 customer_email="Wang.Li@QQ.com").status_code == 409  # type: ignore[attr-defined]
    refused = _post(client, world.key_b, customer_website="https://gmail.com")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    nothing = _post(client, world.key_b, customer_website=None)
    assert nothing.status_code == 422  # type: ignore[attr-defined]
    assert nothing.json()["field"] == "customer_website"  # type: ignore[attr-defined]


def test_protection_expires_with_the_clock(client: TestClient, world: TwoPartners) -> None:
    clock.freeze(START)
    first = _post(client, world.key_a).json()  # type: ignore[attr-defined]
    clock.advance(timedelta(days=89, hours=23))
    assert _post(client, world.key_b).status_code == 409  # type: ignore[attr-defined]
    clock.advance(timedelta(hours=1))
    taken = _post(client, world.key_b)
    assert taken.status_code == 201, taken.text  # type: ignore[attr-defined]
    old = client.get(f"/api/v1/deals/{first['id']}", headers=bearer(world.key_a)).json()
    assert old["protection_active"] is False
    assert _post(client, world.key_a).status_code == 409  # type: ignore[attr-defined]


def test_the_programs_protection_days_apply(
    client: TestClient, db: Database, world: TwoPartners
) -> None:
    clock.freeze(START)
    program(db, protection_days=30)
    deal = _post(client, world.key_a).json()  # type: ignore[attr-defined]
    assert deal["protected_until"].startswith("2026-12-31T09:30")


def test_who_may_register_for_whom(
    client: TestClient, db: Database, settings: object, world: TwoPartners, staff_key: str
) -> None:
    _id, read_only = make_key(db, settings, world.partner_a, read_only=True)  # type: ignore[arg-type]
    assert _post(client, read_only).status_code == 403  # type: ignore[attr-defined]
    # A partner naming another partner learns nothing about it.
    other = _post(client, world.key_a, partner_id=world.partner_b)
    assert other.status_code == 404  # type: ignore[attr-defined]
    assert _post(client, staff_key).status_code == 422  # type: ignore[attr-defined]
    for_b = _post(client, staff_key, partner_id=world.partner_b)
    assert for_b.status_code == 201  # type: ignore[attr-defined]
    assert for_b.json()["partner_name"] == "Beta Agency"  # type: ignore[attr-defined]
    assert count(db, "deals") == 1


def test_amounts_are_strings_in_the_currencys_unit(
    client: TestClient, world: TwoPartners
) -> None:
    assert _post(client, world.key_a, amount=10.1).status_code == 422  # type: ignore[attr-defined]
    assert _post(client, world.key_a, amount="10.101").status_code == 422  # type: ignore[attr-defined]
    assert _post(client, world.key_a, amount="-5").status_code == 422  # type: ignore[attr-defined]
    assert _post(client, world.key_a, currency="XYZ").status_code == 422  # type: ignore[attr-defined]
    assert _post(client, world.key_a, amount="1e30").status_code == 422  # type: ignore[attr-defined]
    jpy = _post(client, world.key_a, amount="1500", currency="JPY")
    assert jpy.status_code == 201  # type: ignore[attr-defined]
    assert jpy.json()["amount"] == "1500"  # type: ignore[attr-defined]
    assert _post(client, world.key_a, status="approved").status_code == 422  # type: ignore[attr-defined]


def test_stages_with_staff_and_won_lines_feed_the_recommender(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    product(db, "QD-CLOUD", "Qudao Cloud")
    product(db, "QD-SEAT", "Qudao seat")
    unknown = _post(client, world.key_a, products=[{"sku": "NOPE", "quantity": 1}])
    assert unknown.status_code == 422  # type: ignore[attr-defined]
    assert "NOPE" in unknown.json()["detail"]  # type: ignore[attr-defined]
    deal = _post(client, world.key_a, customer_ref="cust-42",
                 products=[{"sku": "QD-CLOUD", "quantity": 1}]).json()  # type: ignore[attr-defined]
    url = f"/api/v1/deals/{deal['id']}"
    staff = bearer(staff_key)
    assert client.post(f"{url}/approve", headers=bearer(world.key_a)).status_code == 403
    early = client.post(f"{url}/win", headers=staff, json={"lines": [
        {"sku": "QD-CLOUD", "quantity": 1, "unit_price": "100.00"}]})
    assert early.status_code == 409
    assert early.json()["error"] == "stage_refused"
    approved = client.post(f"{url}/approve", headers=staff)
    assert approved.status_code == 200, approved.text
    assert approved.json()["stage"] == "approved"
    assert client.post(f"{url}/approve", headers=staff).status_code == 409
    assert client.post(f"{url}/win", headers=staff, json={"lines": []}).status_code == 422
    won = client.post(f"{url}/win", headers=staff, json={"lines": [
        {"sku": "QD-CLOUD", "quantity": 2, "unit_price": "4999.99"},
        {"sku": "QD-SEAT", "quantity": 25, "unit_price": "120.50"}]})
    assert won.status_code == 200, won.text
    body = won.json()
    assert body["stage"] == "won"
    assert body["amount"] == "13012.48"  # 2 × 4999.99 + 25 × 120.50
    assert [(line["kind"], line["sku"], line["amount"]) for line in body["lines"]] == [
        ("registered", "QD-CLOUD", None), ("won", "QD-CLOUD", "9999.98"),
        ("won", "QD-SEAT", "3012.50")]
    assert body["closed_at"] is not None
    with db.unit_of_work(read_only=True) as session:
        bought = session.execute(select(Purchase.invoice, Purchase.customer_ref,
                                        Purchase.item_id, Purchase.quantity,
                                        Purchase.unit_price_minor, Purchase.source)
                                 .order_by(Purchase.id)).all()
    assert bought == [(f"deal-{deal['id']}", "cust-42", "QD-CLOUD", 2, 499999, "deal"),
                      (f"deal-{deal['id']}", "cust-42", "QD-SEAT", 25, 12050, "deal")]
    assert client.post(f"{url}/lose", headers=staff, json={"reason": "x"}).status_code == 409


def test_rejected_and_lost_deals_free_the_customer(
    client: TestClient, world: TwoPartners, staff_key: str
) -> None:
    staff = bearer(staff_key)
    first = _post(client, world.key_a).json()  # type: ignore[attr-defined]
    url = f"/api/v1/deals/{first['id']}"
    assert client.post(f"{url}/reject", headers=staff, json={"reason": " "}).status_code == 422
    rejected = client.post(f"{url}/reject", headers=staff,
                           json={"reason": "The customer is already ours"})
    assert rejected.json()["stage"] == "rejected"
    assert rejected.json()["stage_reason"] == "The customer is already ours"
    assert rejected.json()["protection_active"] is False
    second = _post(client, world.key_b).json()  # type: ignore[attr-defined]
    assert second["stage"] == "registered"
    url = f"/api/v1/deals/{second['id']}"
    client.post(f"{url}/approve", headers=staff)
    assert client.post(f"{url}/lose", headers=staff, json={}).status_code == 422
    lost = client.post(f"{url}/lose", headers=staff, json={"reason": "Went with a rival"})
    assert lost.json()["stage"] == "lost"
    assert _post(client, world.key_a).status_code == 201  # type: ignore[attr-defined]


def test_a_staff_sales_rep_sells_with_the_partner(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    from qudao.accounts.roles import Role
    from tests.fixtures.accounts import make_user

    rep = make_user(db, "rep@example.com", Role.CHANNEL_MANAGER)
    deal = _post(client, world.key_a).json()  # type: ignore[attr-defined]
    url = f"/api/v1/deals/{deal['id']}/assign"
    not_staff = client.post(url, headers=bearer(staff_key), json={"sales_rep_id": world.user_b})
    assert not_staff.status_code == 422
    assigned = client.post(url, headers=bearer(staff_key), json={"sales_rep_id": rep})
    assert assigned.json()["sales_rep"] == {"id": rep, "name": "rep@example.com",
                                            "email": "rep@example.com"}
    seen = client.get(f"/api/v1/deals/{deal['id']}", headers=bearer(world.key_a)).json()
    assert seen["sales_rep"]["email"] == "rep@example.com"
    cleared = client.post(url, headers=bearer(staff_key), json={"sales_rep_id": None})
    assert cleared.json()["sales_rep"] is None


def test_extension_requested_by_the_partner_and_granted_by_staff(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    clock.freeze(START)
    deal = _post(client, world.key_a).json()  # type: ignore[attr-defined]
    url = f"/api/v1/deals/{deal['id']}"
    assert client.post(f"{url}/extension", headers=bearer(world.key_b),
                       json={"reason": "mine"}).status_code == 404
    assert client.post(f"{url}/extension/decision", headers=bearer(staff_key),
                       json={"grant": True}).status_code == 409
    asked = client.post(f"{url}/extension", headers=bearer(world.key_a),
                        json={"reason": "The customer's board meets in April"})
    assert asked.status_code == 200, asked.text
    assert asked.json()["extension_state"] == "requested"
    assert client.post(f"{url}/extension", headers=bearer(world.key_a),
                       json={"reason": "again"}).status_code == 409
    assert client.post(f"{url}/extension/decision", headers=bearer(world.key_a),
                       json={"grant": True}).status_code == 403
    clock.advance(timedelta(days=80))
    granted = client.post(f"{url}/extension/decision", headers=bearer(staff_key),
                          json={"grant": True})
    assert granted.status_code == 200, granted.text
    assert granted.json()["extension_state"] == "granted"
    assert granted.json()["protected_until"].startswith("2027-05-30T09:30")  # 90 + 90 days
    clock.advance(timedelta(days=20))  # past the first 90 days
    assert _post(client, world.key_b).status_code == 409  # type: ignore[attr-defined]
    # A refusal keeps the date.
    client.post(f"{url}/extension", headers=bearer(world.key_a), json={"reason": "once more"})
    refused = client.post(f"{url}/extension/decision", headers=bearer(staff_key),
                          json={"grant": False, "reason": "Long enough"})
    assert refused.json()["extension_state"] == "refused"
    assert refused.json()["extension_reason"] == "Long enough"
    assert refused.json()["protected_until"] == granted.json()["protected_until"]


PARTNER_VIEW = {
    "id", "partner_id", "program_id", "customer_name", "customer_domain", "customer_email",
    "customer_tax_id", "customer_ref", "amount", "currency", "expected_close", "stage",
    "stage_reason", "protected_until", "protection_active", "extension_state",
    "extension_reason", "sales_rep", "source", "lines", "created_at", "approved_at",
    "closed_at",
}


def test_responses_are_allow_lists_and_writes_refuse_server_fields(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    from qudao.deals.schemas import DealOut, DealStaffOut, DealStaffSummary
    from tests.fixtures.security import snapshot

    assert set(DealOut.model_fields) == PARTNER_VIEW
    assert set(DealStaffOut.model_fields) == PARTNER_VIEW | {
        "partner_name", "registered_by_user_id", "registered_by_key_id", "conflicts"}
    assert set(DealStaffSummary.model_fields) == PARTNER_VIEW | {"partner_name",
                                                                  "conflict_count"}
    deal = _post(client, world.key_a).json()  # type: ignore[attr-defined]
    assert set(deal) == PARTNER_VIEW
    url = f"/api/v1/deals/{deal['id']}"
    before = snapshot(db)
    for extra in ({"stage": "approved"}, {"commission_rate": "0.5"}, {"partner_id": 2},
                  {"protected_until": "2099-01-01T00:00:00Z"}, {"customer_website": "x.cn"}):
        refused = client.patch(url, headers=bearer(world.key_a),
                               json={"customer_name": "Acme", **extra})
        assert refused.status_code == 422, extra
    assert snapshot(db) == before
    changed = client.patch(url, headers=bearer(world.key_a),
                           json={"customer_name": "Acme Retail Group", "amount": "15000.00",
                                 "expected_close": "2027-04-30"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["customer_name"], changed.json()["amount"],
            changed.json()["expected_close"]) == ("Acme Retail Group", "15000.00", "2027-04-30")
    assert client.patch(url, headers=bearer(world.key_b),
                        json={"customer_name": "Mole"}).status_code == 404
    client.post(f"{url}/reject", headers=bearer(staff_key), json={"reason": "Duplicate"})
    closed = client.patch(url, headers=bearer(world.key_a), json={"customer_name": "Late"})
    assert closed.status_code == 409
