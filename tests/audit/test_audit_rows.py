"""C21, C22: what an audit row holds, that it is written with the change or not at all, and
that refusals are audited."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from qudao.accounts.subject import SYSTEM
from qudao.audit import service as audit
from qudao.audit.models import AuditEntry
from qudao.core.config import Settings
from qudao.core.context import RequestContext, set_context
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners, bearer, two_partners
from tests.fixtures.security import count, make_staff_key, snapshot

# OWASP Logging Cheat Sheet: when, who, tenant, what, on what, before/after, which request,
# from where, with what result and why.
C21_FIELDS = {"occurred_at", "actor_type", "actor_id", "actor_label", "partner_id", "action",
              "target_type", "target_id", "before", "after", "request_id", "ip", "user_agent",
              "result", "reason", "chain", "seq", "prev_hash", "row_hash"}


@pytest.fixture
def world(db: Database, settings: Settings) -> TwoPartners:
    return two_partners(db, settings)


def _rows(db: Database, where: str = "1=1", **params: object) -> list[dict[str, object]]:
    with db.engine.connect() as connection:
        result = connection.execute(text(f"SELECT * FROM audit_log WHERE {where} ORDER BY id"),
                                    params)
        return [dict(row._mapping) for row in result]


def test_the_audit_table_has_every_field() -> None:
    assert set(AuditEntry.__table__.columns.keys()) >= C21_FIELDS


def test_a_patch_with_a_key_writes_one_row_of_exactly_the_change(
    client: TestClient, db: Database, settings: Settings, world: TwoPartners
) -> None:
    key_id, key = make_staff_key(db, settings, world.admin_email)
    last = max(int(r["id"]) for r in _rows(db))  # type: ignore[call-overload]
    response = client.patch(f"/api/v1/partners/{world.partner_a}", headers={
        **bearer(key), "User-Agent": "audit-test/1.0"}, json={"country": "Germany"})
    assert response.status_code == 200, response.text
    rows = _rows(db, "id > :last", last=last)
    assert len(rows) == 1, [r["action"] for r in rows]
    row = rows[0]
    assert row["action"] == "partner.update"
    assert row["target_type"] == "partner"
    assert row["target_id"] == str(world.partner_a)
    assert row["partner_id"] == world.partner_a
    assert row["actor_type"] == "api_key"
    assert row["actor_id"] == str(key_id)
    assert row["request_id"] == response.headers["x-request-id"]
    assert row["result"] == "success"
    assert row["user_agent"] == "audit-test/1.0"
    assert row["ip"]
    before, after = json.loads(str(row["before"])), json.loads(str(row["after"]))
    assert set(before) == set(after)
    assert set(before) - {"updated_at"} == {"country"}
    assert (before["country"], after["country"]) == ("United Kingdom", "Germany")
    with db.engine.connect() as connection:
        digest = connection.execute(text("SELECT digest FROM api_keys WHERE id = :id"),
                                    {"id": key_id}).scalar_one()
    flat = json.dumps(row, default=str)
    assert key not in flat
    assert key[9:-6] not in flat
    assert digest not in flat


def test_a_clients_sane_request_id_is_kept_and_a_bad_one_replaced(
    client: TestClient, db: Database, settings: Settings, world: TwoPartners
) -> None:
    _key_id, key = make_staff_key(db, settings, world.admin_email)
    kept = client.patch(f"/api/v1/partners/{world.partner_a}",
                        headers={**bearer(key), "X-Request-ID": "client-req-0001"},
                        json={"country": "Spain"})
    assert kept.headers["x-request-id"] == "client-req-0001"
    bad = client.patch(f"/api/v1/partners/{world.partner_a}",
                       headers={**bearer(key), "X-Request-ID": "x" * 65},
                       json={"country": "Italy"})
    assert bad.headers["x-request-id"] != "x" * 65
    ids = [r["request_id"] for r in _rows(db, "action = 'partner.update'")]
    assert ids == ["client-req-0001", bad.headers["x-request-id"]]


def test_cr_and_lf_are_stored_escaped(
    client: TestClient, db: Database, settings: Settings, world: TwoPartners
) -> None:
    _key_id, key = make_staff_key(db, settings, world.admin_email)
    response = client.patch(f"/api/v1/partners/{world.partner_a}", headers=bearer(key),
                            json={"notes": "fine\r\n2030-01-01 admin logged in"})
    assert response.status_code == 200
    with db.unit_of_work() as session:
        set_context(session, RequestContext(
            request_id="crlf-test-0001", actor_type="user", actor_id="1",
            actor_label="eve\r\nforged line", ip="10.0.0.1\n", user_agent="ua\r\nX-Evil: 1"))
        audit.record(session, action="test.crlf", target_type="test",
                     reason="reason\r\nforged", after={"text": "a\nb"})
    rows = _rows(db)
    for row in rows:
        for name, value in row.items():
            if isinstance(value, str):
                assert "\r" not in value, (row["action"], name, value)
                assert "\n" not in value, (row["action"], name, value)
    crlf = next(r for r in rows if r["action"] == "test.crlf")
    assert crlf["actor_label"] == "eve\\r\\nforged line"
    assert crlf["user_agent"] == "ua\\r\\nX-Evil: 1"
    assert crlf["reason"] == "reason\\r\\nforged"
    notes = next(r for r in rows if r["action"] == "partner.update")
    assert json.loads(str(notes["after"]))["notes"] == "fine\r\n2030-01-01 admin logged in"


def test_a_failed_business_write_leaves_no_audit_row(
    client: TestClient, db: Database, settings: Settings, world: TwoPartners
) -> None:
    _key_id, key = make_staff_key(db, settings, world.admin_email)
    rows, data = count(db, "audit_log"), snapshot(db)
    response = client.post("/api/v1/partners", headers=bearer(key),
                           json={"name": "Beta Agency"})
    assert response.status_code == 409, response.text
    assert count(db, "audit_log") == rows
    assert snapshot(db) == data


def test_a_failed_audit_write_fails_the_request_and_keeps_nothing(
    app: FastAPI, db: Database, settings: Settings, world: TwoPartners,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    _key_id, key = make_staff_key(db, settings, world.admin_email)
    data = snapshot(db)
    rows = count(db, "audit_log")

    def broken(entry: AuditEntry) -> str:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(audit, "row_hash", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.patch(f"/api/v1/partners/{world.partner_a}", headers=bearer(key),
                                json={"country": "Atlantis"})
    assert response.status_code == 500
    assert snapshot(db) == data
    assert count(db, "audit_log") == rows


def test_a_refusal_leaves_an_authz_denied_row(
    client: TestClient, db: Database, world: TwoPartners
) -> None:
    last = count(db, "audit_log")
    response = client.post("/api/v1/partners", headers=bearer(world.key_a),
                           json={"name": "Sneaky Ltd"})
    assert response.status_code == 403
    rows = _rows(db, "action = 'authz.denied'")
    assert len(rows) == 1
    row = rows[0]
    assert row["result"] == "denied"
    assert row["actor_type"] == "api_key"
    assert row["actor_id"] == str(world.key_a_id)
    assert row["partner_id"] == world.partner_a
    assert row["target_id"] == "POST /api/v1/partners"
    assert row["request_id"] == response.headers["x-request-id"]
    assert count(db, "audit_log") == last + 1


def test_a_read_refusal_is_audited_too(
    client: TestClient, db: Database, world: TwoPartners
) -> None:
    assert client.get("/api/v1/audit", headers=bearer(world.key_a)).status_code == 403
    assert len(_rows(db, "action = 'authz.denied'")) == 1


def test_service_writes_carry_the_cli_or_system_actor(db: Database) -> None:
    from qudao.partners import service
    from qudao.partners.schemas import PartnerCreate

    with db.unit_of_work() as session:
        set_context(session, RequestContext(actor_type="cli", actor_id="ops",
                                            actor_label="cli:ops"))
        service.create_partner(session, SYSTEM, PartnerCreate(name="Cli Made Ltd"))
    with db.unit_of_work(read_only=True) as session:
        row = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "partner.create")).one()
        assert (row.actor_type, row.actor_id) == ("cli", "ops")
