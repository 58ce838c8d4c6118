"""The commissions API with staff keys, partner users and partner keys, on both databases:
runs, statements and their lines, approval, payouts (idempotent) and their reversal,
balances, rates, sales and refunds, what-if, and who may read what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qudao.agreements.models import Agreement
from qudao.commissions import ledger
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.commissions import builders
from tests.fixtures.accounts import TwoPartners, bearer, login, two_partners
from tests.fixtures.security import count, make_staff_key, snapshot

API = "/api/v1/commissions"


@pytest.fixture
def world(db: Database, settings: Settings) -> TwoPartners:
    return two_partners(db, settings)


@pytest.fixture
def staff(db: Database, settings: Settings, world: TwoPartners) -> dict[str, str]:
    return bearer(make_staff_key(db, settings, world.admin_email)[1])


def _sign_up(db: Database, partner_id: int, program: int, plan: int) -> None:
    """An agreement in force (2010–2030) paying ``plan`` for one of the world's partners."""
    with db.unit_of_work() as session:
        session.add(Agreement(partner_id=partner_id, program_id=program, plan_id=plan,
                              territory="CN", starts_on=date(2010, 1, 1),
                              ends_on=date(2030, 12, 31), state="active", in_force=True))


def _guide(db: Database, world: TwoPartners) -> tuple[int, int]:
    """The guide's example: A sells 150,000.00 CNY in January 2011 under marginal tiers
    (15% up to 100,000.00, 20% above); B sells 10,000.00. Returns (program, plan)."""
    program = builders.program(db)
    plan = builders.plan(db, program, tier_mode="marginal")
    _sign_up(db, world.partner_a, program, plan)
    _sign_up(db, world.partner_b, program, plan)
    builders.won_deal(db, world.partner_a, program, date(2011, 1, 5), [("A", 8_000_000)])
    builders.won_deal(db, world.partner_a, program, date(2011, 1, 20), [("B", 7_000_000)])
    builders.won_deal(db, world.partner_b, program, date(2011, 1, 9), [("A", 1_000_000)],
                      customer="Beta's customer")
    return program, plan


def _run(client: TestClient, staff: dict[str, str], period: str = "2011-01") -> Any:
    response = client.post(f"{API}/runs", headers=staff, json={"period": period})
    assert response.status_code == 201, response.text
    return response.json()


def _statement_of(client: TestClient, staff: dict[str, str], partner_id: int) -> Any:
    found = client.get(f"{API}/statements", headers=staff,
                       params={"partner_id": partner_id}).json()["items"]
    assert len(found) == 1, found
    return found[0]


def test_a_run_posts_the_guide_numbers_once(
    client: TestClient, db: Database, world: TwoPartners, staff: dict[str, str]
) -> None:
    program, _ = _guide(db, world)
    first = _run(client, staff)
    assert first["program_id"] == program
    assert (first["period_key"], first["period_kind"]) == ("2011-01", "month")
    assert (first["period_start"], first["period_end"]) == ("2011-01-01", "2011-02-01")
    assert first["lines_posted"] == 3
    assert first["statements_touched"] == 2
    assert first["summary"]["totals"]["CNY"]["accrual"] == 2_500_000 + 150_000
    again = _run(client, staff)
    assert again["lines_posted"] == 0
    assert again["id"] != first["id"]
    listed = client.get(f"{API}/runs", headers=staff, params={"period": "2011-01"}).json()
    assert [r["id"] for r in listed["items"]] == [again["id"], first["id"]]
    assert client.get(f"{API}/runs", headers=staff,
                      params={"period": "2011-02"}).json()["total"] == 0

    summary = _statement_of(client, staff, world.partner_a)
    assert summary["total"] == "25000.00"
    assert summary["total_minor"] == 2_500_000
    assert summary["base"] == "150000.00"
    assert (summary["state"], summary["state_label"]) == ("draft", "Draft")
    assert summary["partner_name"] == "Alpha Distribution"
    detail = client.get(f"{API}/statements/{summary['id']}", headers=staff).json()
    lines = detail["lines"]
    assert len(lines) == detail["lines_count"] == 2
    assert sum(line["commission_minor"] for line in lines) == detail["total_minor"]
    assert sum(Decimal(line["commission"]) for line in lines) == Decimal("25000.00")
    assert sum(Decimal(line["base"]) for line in lines) == Decimal("150000.00")
    assert {line["kind"] for line in lines} == {"sale"}
    assert {line["sku"] for line in lines} == {"A", "B"}
    first_line = next(line for line in lines if line["sku"] == "A")
    assert first_line["rate"] == "0.15"
    assert first_line["rate_percent"] == "15"
    assert first_line["commission"] == "12000.00"
    assert first_line["original_currency"] == "CNY"
    assert first_line["occurred_on"] == "2011-01-05"
    assert first_line["note"] is None
    assert first_line["note_label"] is None
    chinese = client.get(f"{API}/statements/{summary['id']}",
                         headers={**staff, "Accept-Language": "zh-CN"}).json()
    assert (chinese["total"], chinese["state_label"]) == ("25000.00", "草稿")


def test_approve_pay_replay_and_reverse(
    client: TestClient, db: Database, world: TwoPartners, staff: dict[str, str]
) -> None:
    _guide(db, world)
    _run(client, staff)
    statement = _statement_of(client, staff, world.partner_a)
    early = client.post(f"{API}/payouts", headers=staff, json={
        "partner_id": world.partner_a, "currency": "CNY", "method": "bank_transfer",
        "reference": "EARLY", "paid_on": "2011-02-10"})
    assert early.status_code == 422, early.text
    assert early.json()["field"] == "partner_id"

    approved = client.post(f"{API}/statements/{statement['id']}/approve", headers=staff)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["state_label"]) == ("approved",
                                                                          "Approved")
    twice = client.post(f"{API}/statements/{statement['id']}/approve", headers=staff)
    assert twice.status_code == 409

    body = {"partner_id": world.partner_a, "currency": "CNY", "method": "alipay",
            "reference": "TRX-0001", "paid_on": "2011-02-10"}
    key = {**staff, "Idempotency-Key": "pay-alpha-2011-01"}
    paid = client.post(f"{API}/payouts", headers=key, json=body)
    assert paid.status_code == 201, paid.text
    payout = paid.json()
    assert paid.headers["location"] == f"{API}/payouts/{payout['id']}"
    assert (payout["amount"], payout["amount_minor"]) == ("25000.00", 2_500_000)
    assert payout["statement_ids"] == [statement["id"]]
    assert payout["method_label"] == "Alipay"
    replay = client.post(f"{API}/payouts", headers=key, json=body)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == payout
    assert count(db, "ledger_transactions", "kind = 'payout'") == 1
    assert count(db, "commission_payouts") == 1
    other = client.post(f"{API}/payouts", headers=key, json={**body, "reference": "TRX-2"})
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"

    assert client.get(f"{API}/statements/{statement['id']}",
                      headers=staff).json()["state"] == "paid"
    balance = client.get(f"{API}/balances", headers=staff,
                         params={"partner_id": world.partner_a}).json()
    assert balance == [{"partner_id": world.partner_a, "currency": "CNY", "payable": "0.00",
                        "payable_minor": 0, "draft": "0.00", "draft_minor": 0,
                        "approved": "0.00", "approved_minor": 0, "paid": "25000.00",
                        "paid_minor": 2_500_000, "last_paid_on": "2011-02-10"}]

    reversed_ = client.post(f"{API}/payouts/{payout['id']}/reverse", headers=staff,
                            json={"reason": "The transfer came back"})
    assert reversed_.status_code == 200, reversed_.text
    assert reversed_.json()["reversed_at"] is not None
    assert reversed_.json()["reversal_reason"] == "The transfer came back"
    assert reversed_.json()["statement_ids"] == []
    assert client.post(f"{API}/payouts/{payout['id']}/reverse", headers=staff,
                       json={"reason": "again"}).status_code == 409
    assert client.get(f"{API}/statements/{statement['id']}",
                      headers=staff).json()["state"] == "approved"
    after = client.get(f"{API}/balances", headers=staff,
                       params={"partner_id": world.partner_a}).json()[0]
    assert (after["payable"], after["approved"], after["last_paid_on"]) == (
        "25000.00", "25000.00", None)
    with db.unit_of_work(read_only=True) as session:
        assert ledger.unbalanced(session) == []
    listed = client.get(f"{API}/payouts", headers=staff).json()
    assert [p["id"] for p in listed["items"]] == [payout["id"]]
    assert client.get(f"{API}/balances", headers=staff).status_code == 422


def test_a_partner_reads_only_its_own(
    client: TestClient, db: Database, world: TwoPartners, staff: dict[str, str]
) -> None:
    _guide(db, world)
    _run(client, staff)
    mine = _statement_of(client, staff, world.partner_a)
    theirs = _statement_of(client, staff, world.partner_b)
    builders.sale(db, world.partner_b, date(2011, 1, 15), 50_000)
    for headers in (bearer(world.key_a), {}):
        if not headers:
            login(client, world.email_a)
        listed = client.get(f"{API}/statements", headers=headers)
        assert listed.status_code == 200, listed.text
        assert [s["id"] for s in listed.json()["items"]] == [mine["id"]]
        filtered = client.get(f"{API}/statements", headers=headers,
                              params={"partner_id": world.partner_b}).json()
        assert filtered["items"] == []
        own = client.get(f"{API}/statements/{mine['id']}", headers=headers)
        assert own.status_code == 200
        assert own.json()["total"] == "25000.00"
        other = client.get(f"{API}/statements/{theirs['id']}", headers=headers)
        assert other.status_code == 404
        assert other.json()["error"] == "not_found"
        assert "Beta" not in other.text
        balance = client.get(f"{API}/balances", headers=headers).json()
        assert [(b["partner_id"], b["draft"]) for b in balance] == [
            (world.partner_a, "25000.00")]
        assert client.get(f"{API}/balances", headers=headers,
                          params={"partner_id": world.partner_b}).json() == []
        assert client.get(f"{API}/transactions", headers=headers).json()["items"] == []
        assert client.get(f"{API}/payouts", headers=headers).json()["items"] == []
        assert client.get(f"{API}/runs", headers=headers).status_code == 403
        assert client.get(f"{API}/rates", headers=headers).status_code == 403
    key_write = client.post(f"{API}/statements/{mine['id']}/approve",
                            headers=bearer(world.key_a))
    assert key_write.status_code == 403
    assert client.get(f"{API}/transactions", headers=bearer(world.key_b)).json()["total"] == 1
    assert client.get(f"{API}/statements/{theirs['id']}",
                      headers=bearer(world.key_b)).status_code == 200


def test_a_bad_period_is_refused_with_its_field(
    client: TestClient, db: Database, world: TwoPartners, staff: dict[str, str]
) -> None:
    _guide(db, world)
    for period in ("2011-13", "January", "2011-02-10..2011-01-01"):
        response = client.post(f"{API}/runs", headers=staff, json={"period": period})
        assert response.status_code == 422, (period, response.text)
        assert response.json()["field"] == "period"
    listed = client.get(f"{API}/statements", headers=staff, params={"period": "2011-Q5"})
    assert listed.status_code == 422
    assert listed.json()["field"] == "period"
    extra = client.post(f"{API}/runs", headers=staff, json={"period": "2011-01", "x": 1})
    assert extra.status_code == 422
    assert count(db, "commission_runs") == 0


def test_what_if_projects_and_writes_nothing(
    client: TestClient, db: Database, world: TwoPartners, staff: dict[str, str]
) -> None:
    _, plan = _guide(db, world)
    _run(client, staff)
    before = snapshot(db)
    response = client.post(f"{API}/whatif", headers=staff, json={
        "plan_id": plan, "periods": ["2011-01"], "flat_rate": "10%"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["plan_id"], result["currency"], result["periods"]) == (plan, "CNY",
                                                                           ["2011-01"])
    assert result["proposed"]["kind"] == "flat"
    alpha = result["rows"][0]
    assert alpha["partner_id"] == world.partner_a
    assert (alpha["volume"], alpha["current"], alpha["proposed"], alpha["change"]) == (
        "150000.00", "25000.00", "15000.00", "-10000.00")
    assert alpha["proposed_margin"] == "135000.00"
    total = result["total"]
    assert total["partner_id"] is None
    assert (total["volume"], total["current"], total["proposed"]) == (
        "160000.00", "26500.00", "16000.00")
    tiered = client.post(f"{API}/whatif", headers=staff, json={
        "plan_id": plan, "periods": ["2011-01"], "tier_mode": "whole"}).json()
    assert tiered["rows"][0]["proposed"] == "30000.00"
    bad = client.post(f"{API}/whatif", headers=staff, json={
        "plan_id": plan, "periods": ["2011-01"], "flat_rate": 0.1})
    assert bad.status_code == 422
    assert client.post(f"{API}/whatif", headers=bearer(world.key_a), json={
        "plan_id": plan, "periods": ["2011-01"]}).status_code == 403
    assert snapshot(db) == before


def test_rates_are_stored_and_a_file_with_a_bad_row_stores_nothing(
    client: TestClient, staff: dict[str, str], db: Database
) -> None:
    created = client.post(f"{API}/rates", headers=staff, json={
        "rate_date": "2011-01-01", "base": "USD", "quote": "CNY", "rate": "6.5900"})
    assert created.status_code == 201, created.text
    assert created.json()["rate"] == "6.59"
    assert client.post(f"{API}/rates", headers=staff, json={
        "rate_date": "2011-01-01", "base": "USD", "quote": "CNY",
        "rate": 6.6}).status_code == 422
    bad = ("date,base,quote,rate\n2011-02-01,EUR,CNY,8.9\n2011-02-01,USD,CNY,abc\n"
           "2011-02-01,USD,USD,1\n")
    response = client.post(f"{API}/rates/import", headers=staff,
                           files={"file": ("rates.csv", bad.encode(), "text/csv")})
    assert response.status_code == 422, response.text
    report = response.json()["report"]
    assert report["ok"] is False
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "rate"), (4, "quote")]
    assert "abc" in report["errors"][0]["reason"]
    assert count(db, "currency_rates") == 1
    good = "date,base,quote,rate\n2011-02-01,EUR,CNY,8.9\n2011-02-01,USD,CNY,6.6\n"
    imported = client.post(f"{API}/rates/import", headers=staff,
                           files={"file": ("rates.csv", good.encode(), "text/csv")})
    assert imported.status_code == 200, imported.text
    assert (imported.json()["ok"], imported.json()["created"]) == (True, 2)
    listed = client.get(f"{API}/rates", headers=staff, params={"base": "USD"}).json()
    assert [(r["rate_date"], r["rate"]) for r in listed["items"]] == [
        ("2011-02-01", "6.6"), ("2011-01-01", "6.59")]


def test_imported_sales_and_a_refund_are_clawed_back(
    client: TestClient, db: Database, world: TwoPartners, staff: dict[str, str]
) -> None:
    program, _ = _guide(db, world)
    sales = ("external_ref,kind,date,partner,sku,amount,currency,refund_of\n"
             f"INV-1,sale,2011-01-12,{world.partner_a},C,20000.00,CNY,\n"
             f"INV-2,sale,2011-01-13,Alpha Distribution,C,1000.00,CNY,\n")
    imported = client.post(f"{API}/transactions/import", headers=staff,
                           params={"program_id": program},
                           files={"file": ("sales.csv", sales.encode(), "text/csv")})
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 2
    broken = client.post(f"{API}/transactions/import", headers=staff, files={
        "file": ("sales.csv", b"external_ref,date,partner,sku,amount,currency\n"
                              b"INV-9,2011-01-12,Nobody,C,1.00,CNY\n", "text/csv")})
    assert broken.status_code == 422
    assert broken.json()["report"]["errors"][0]["column"] == "partner"
    first = _run(client, staff)
    assert first["lines_posted"] == 5
    listed = client.get(f"{API}/transactions", headers=bearer(world.key_a),
                        params={"kind": "sale"}).json()
    assert {t["external_ref"] for t in listed["items"]} == {"INV-1", "INV-2"}
    sale = next(t for t in listed["items"] if t["external_ref"] == "INV-1")
    assert (sale["amount"], sale["amount_minor"]) == ("20000.00", 2_000_000)

    refund = client.post(f"{API}/refunds", headers=staff, json={
        "transaction_id": sale["id"], "amount": "20000.00", "occurred_on": "2011-02-03",
        "reason": "Cancelled"})
    assert refund.status_code == 201, refund.text
    assert (refund.json()["kind"], refund.json()["refund_of_id"]) == ("refund", sale["id"])
    too_much = client.post(f"{API}/refunds", headers=staff, json={
        "transaction_id": sale["id"], "amount": "1.00", "occurred_on": "2011-02-03"})
    assert too_much.status_code == 422
    assert too_much.json()["field"] == "amount"
    feb = _run(client, staff, "2011-02")
    assert feb["lines_posted"] == 1
    clawback = client.get(f"{API}/statements", headers=staff,
                          params={"partner_id": world.partner_a, "period": "2011-02"})
    (statement,) = clawback.json()["items"]
    # INV-1 took January's volume from 80,000.00 to 100,000.00: all of it earned 15%.
    assert statement["total"] == "-3000.00"
    (line,) = client.get(f"{API}/statements/{statement['id']}",
                         headers=staff).json()["lines"]
    assert (line["kind"], line["kind_label"], line["commission"]) == (
        "clawback", "Clawback", "-3000.00")


def test_export_of_a_statement(
    client: TestClient, db: Database, world: TwoPartners, staff: dict[str, str]
) -> None:
    _guide(db, world)
    _run(client, staff)
    mine = _statement_of(client, staff, world.partner_a)
    theirs = _statement_of(client, staff, world.partner_b)
    csv = client.get(f"{API}/statements/{mine['id']}/export", headers=bearer(world.key_a),
                     params={"format": "csv"})
    assert csv.status_code == 200, csv.text
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert "12000" in csv.content.decode("utf-8-sig")
    xlsx = client.get(f"{API}/statements/{mine['id']}/export", headers=staff,
                      params={"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    assert xlsx.headers["content-disposition"] == (
        f'attachment; filename="statement-{mine["id"]}.xlsx"')
    pdf = client.get(f"{API}/statements/{mine['id']}/export", headers=staff,
                     params={"format": "pdf", "lang": "en"})
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"{API}/statements/{theirs['id']}/export", headers=bearer(world.key_a),
                      params={"format": "csv"}).status_code == 404
    assert client.get(f"{API}/statements/{mine['id']}/export", headers=staff,
                      params={"format": "doc"}).status_code == 422
