"""The JSON API of agreements, onboarding and invitations: staff write, partners read their
own signed agreements; refusals are JSON with the reason."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from qudao.accounts.roles import Role
from qudao.audit.models import AuditEntry
from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.agreements.builders import complete_diligence, make_program, utc
from tests.fixtures.accounts import TwoPartners, bearer, login, make_user
from tests.fixtures.security import make_staff_key, snapshot

BODY: dict[str, Any] = {
    "territory": "East China", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
    "exclusive": True,
    "kpis": [{"metric": "channel_revenue", "target": "100000.00", "period": "quarter"}],
    "milestones": [{"title": "Kick-off", "due_on": "2026-02-01"},
                   {"title": "First quarter: 10 pilot customers", "due_on": "2026-03-31",
                    "metric": "pilot_customers", "target": 10}],
}


def _staff(db: Database, settings: Settings, world: TwoPartners) -> dict[str, str]:
    _key_id, key = make_staff_key(db, settings, world.admin_email)
    return bearer(key)


def _draft(client: TestClient, staff: dict[str, str], db: Database, partner: int) -> int:
    program_id, plan_id = make_program(db)
    response = client.post("/api/v1/agreements", headers=staff, json={
        **BODY, "partner_id": partner, "program_id": program_id, "plan_id": plan_id})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_staff_draft_sign_and_run_an_agreement(
    client: TestClient, db: Database, settings: Settings, world: TwoPartners,
) -> None:
    staff = _staff(db, settings, world)
    clock.freeze(utc(2025, 12, 20))
    agreement_id = _draft(client, staff, db, world.partner_a)
    url = f"/api/v1/agreements/{agreement_id}"
    draft = client.get(url, headers=staff).json()
    assert (draft["state"], draft["shown_state"], draft["currency"]) == ("draft", "draft",
                                                                         "CNY")
    assert draft["allowed_actions"] == ["sign", "terminate"]
    assert draft["onboarding"] is None
    assert [k["target"] for k in draft["kpis"]] == ["100000.00"]

    early = client.post(f"{url}/activate", headers=staff, json={})
    assert early.status_code == 409
    assert early.json()["detail"] == "A draft must be signed before it becomes active."
    blocked = client.post(f"{url}/sign", headers=staff, json={})
    assert blocked.status_code == 409
    assert blocked.json()["error"] == "conflict"
    assert "Credit rating checked" in blocked.json()["detail"]
    zh = client.post(f"{url}/sign", headers={**staff, "Accept-Language": "zh-CN"}, json={})
    assert zh.status_code == 409

    complete_diligence(db, world.partner_a)
    signed = client.post(f"{url}/sign", headers=staff, json={"locale": "en"})
    assert signed.status_code == 200, signed.text
    body = signed.json()
    assert (body["state"], body["allowed_actions"]) == ("signed", ["activate", "terminate"])
    assert body["document_id"] is not None
    assert body["onboarding"]["total"] == 6
    assert [e["action"] for e in body["history"]] == ["create", "sign"]

    step = client.patch(f"{url}/onboarding/training", headers=staff,
                        json={"done": True, "due_on": "2026-01-10"})
    assert step.status_code == 200, step.text
    training = next(i for i in step.json()["items"] if i["key"] == "training")
    assert training["done"]
    assert training["due_on"] == "2026-01-10"
    refused = client.patch(f"{url}/onboarding/channel_manager", headers=staff,
                           json={"done": True})
    assert refused.status_code == 422
    assert refused.json()["field"] == "done"
    assert client.patch(f"{url}/onboarding/nothing", headers=staff,
                        json={"done": True}).status_code == 404

    kickoff = next(m for m in body["milestones"] if m["title"] == "Kick-off")
    ticked = client.post(f"{url}/milestones/{kickoff['id']}/tick", headers=staff,
                         json={"done": True})
    assert next(m for m in ticked.json() if m["id"] == kickoff["id"])["status"] == "done"

    assert client.post(f"{url}/activate", headers=staff, json={}).status_code == 200
    renewed = client.post(f"{url}/renew", headers=staff, json={"until": "2027-12-31"})
    assert renewed.json()["state"] == "renewed"
    assert renewed.json()["ends_on"] == "2027-12-31"
    no_reason = client.post(f"{url}/terminate", headers=staff, json={"reason": ""})
    assert no_reason.status_code == 422
    ended = client.post(f"{url}/terminate", headers=staff, json={"reason": "Sold"})
    assert ended.json()["state"] == "terminated"
    again = client.post(f"{url}/renew", headers=staff, json={"until": "2028-12-31"})
    assert again.status_code == 409
    assert again.json()["detail"] == ("A terminated agreement cannot be renewed: draft a "
                                      "new one.")


def test_writes_refuse_floats_unknown_fields_and_change_nothing(
    client: TestClient, db: Database, settings: Settings, world: TwoPartners,
) -> None:
    staff = _staff(db, settings, world)
    program_id, _plan = make_program(db)
    before = snapshot(db)
    for body in (
        {**BODY, "kpis": [{"metric": "channel_revenue", "target": 10.5, "period": "year"}]},
        {**BODY, "state": "active"},
        {**BODY, "in_force": True},
        {**BODY, "kpis": [{"metric": "signed_partners", "target": 1, "period": "year"}]},
    ):
        response = client.post("/api/v1/agreements", headers=staff, json={
            **body, "partner_id": world.partner_a, "program_id": program_id})
        assert response.status_code == 422, response.text
    assert snapshot(db) == before


def test_partners_read_their_own_signed_agreements_only(
    client: TestClient, db: Database, settings: Settings, world: TwoPartners,
) -> None:
    staff = _staff(db, settings, world)
    draft_a = _draft(client, staff, db, world.partner_a)
    partner_key = bearer(world.key_a)
    assert client.get(f"/api/v1/agreements/{draft_a}", headers=partner_key).status_code == 404
    assert client.get("/api/v1/agreements", headers=partner_key).json()["total"] == 0
    complete_diligence(db, world.partner_a)
    assert client.post(f"/api/v1/agreements/{draft_a}/sign", headers=staff,
                       json={}).status_code == 200
    mine = client.get(f"/api/v1/agreements/{draft_a}", headers=partner_key)
    assert mine.status_code == 200
    assert mine.json()["history"] is None
    assert mine.json()["onboarding"]["total"] == 6
    listed = client.get("/api/v1/agreements", headers=partner_key).json()
    assert [a["id"] for a in listed["items"]] == [draft_a]
    assert client.get(f"/api/v1/agreements/{draft_a}/kpis",
                      headers=partner_key).status_code == 200
    assert client.patch(f"/api/v1/agreements/{draft_a}/onboarding/training",
                        headers=partner_key, json={"done": True}).status_code == 403
    contract = client.get(f"/api/v1/agreements/{draft_a}/contract", headers=partner_key)
    assert contract.status_code == 200
    assert contract.headers["content-type"] == "application/pdf"
    assert contract.content.startswith(b"%PDF")

    copy = client.post(f"/api/v1/agreements/{draft_a}/contract", headers=staff,
                       json={"format": "docx", "locale": "zh-CN"})
    assert copy.status_code == 201
    docx = client.get(copy.json()["download_url"], headers=partner_key)
    assert docx.status_code == 200
    assert docx.content.startswith(b"PK")
    # Another agreement's document is not reachable through this agreement.
    other = client.get(f"/api/v1/agreements/{draft_a}/contract",
                       params={"document_id": 999_999}, headers=staff)
    assert other.status_code == 404


def test_invitations_through_the_api(
    client: TestClient, db: Database, settings: Settings, world: TwoPartners,
) -> None:
    staff = _staff(db, settings, world)
    made = client.post(f"/api/v1/partners/{world.partner_a}/invitations", headers=staff,
                       json={"email": "new@alpha.example", "role": "partner_member"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["link"].startswith("http://testserver/invite/")
    assert body["status"] == "pending"
    assert "does not send e-mail" in body["notice"]
    listed = client.get(f"/api/v1/partners/{world.partner_a}/invitations", headers=staff)
    assert [i["email"] for i in listed.json()] == ["new@alpha.example"]
    assert "link" not in listed.json()[0]

    # A partner administrator invites to its own company; a key may not invite.
    csrf = login(client, world.email_a)
    own = client.post(f"/api/v1/partners/{world.partner_a}/invitations",
                      headers={"X-CSRF-Token": csrf},
                      json={"email": "colleague@alpha.example", "role": "partner_admin"})
    assert own.status_code == 201, own.text
    by_key = client.post(f"/api/v1/partners/{world.partner_a}/invitations",
                         headers=bearer(world.key_a), json={"email": "bot@alpha.example"})
    assert by_key.status_code == 403
    withdrawn = client.delete(f"/api/v1/invitations/{body['id']}",
                              headers={"X-CSRF-Token": csrf})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "revoked"
    page = client.get(body["link"].removeprefix("http://testserver"))
    assert page.status_code == 410
    assert "withdrawn" in page.text


def test_the_override_is_audited_with_the_administrator(
    client: TestClient, db: Database, settings: Settings, world: TwoPartners,
) -> None:
    staff = _staff(db, settings, world)
    make_user(db, "mei@example.com", Role.CHANNEL_MANAGER)
    agreement_id = _draft(client, staff, db, world.partner_b)
    url = f"/api/v1/agreements/{agreement_id}/sign"
    csrf = login(client, "mei@example.com")
    refused = client.post(url, headers={"X-CSRF-Token": csrf}, json={
        "override_diligence": True, "reason": "Please"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only an administrator can do this."
    done = client.post(url, headers=staff, json={"override_diligence": True,
                                                 "reason": "Signed at the trade show"})
    assert done.status_code == 200, done.text
    with db.unit_of_work(read_only=True) as session:
        entry = session.scalar(select(AuditEntry).where(
            AuditEntry.action == "partner.diligence_override"))
        assert entry is not None
        assert (entry.actor_type, entry.reason) == ("api_key", "Signed at the trade show")
        assert entry.request_id == done.headers["x-request-id"]
