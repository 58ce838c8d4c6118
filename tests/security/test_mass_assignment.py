"""C02: writes refuse fields the caller may not set; responses are frozen allow-lists.

A failing snapshot here means a response shape changed: decide on purpose whether each new
field may be shown to every caller of the route (partners included), then update the set.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from qudao.accounts.schemas import ApiKeyIssued, ApiKeyOut, UserOut
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.partners.schemas import PartnerDetail, PartnerOut, PartnerPublic
from tests.fixtures.accounts import bearer, two_partners
from tests.fixtures.security import make_staff_key, snapshot

# What a partner's own users and keys see of their company.
PARTNER_PUBLIC = {"id", "name", "website", "country", "region", "partner_type", "industry",
                  "created_at"}
# What staff see.
PARTNER_OUT = {
    "id", "name", "website", "domain", "country", "partner_type", "region", "industry",
    "employees", "annual_revenue", "revenue_currency", "source", "referrer", "tags",
    "owner_id", "stage", "stage_reason", "stage_changed_at", "created_at",
}
PARTNER_DETAIL = PARTNER_OUT | {"notes", "contacts", "history"}
USER_OUT = {"id", "email", "name", "role", "partner_id", "locale", "is_active",
            "last_login_at"}
API_KEY_OUT = {"id", "name", "partner_id", "user_id", "display_prefix", "last4", "read_only",
               "created_at", "expires_at", "revoked_at", "last_used_at", "rotated_from_id"}
NEVER_SHOWN = {"digest", "password_hash", "password", "csrf_token", "normalized_name",
               "failed_logins", "locked_until", "notes_internal", "secret"}


def test_response_models_are_frozen_allow_lists() -> None:
    assert set(PartnerPublic.model_fields) == PARTNER_PUBLIC
    assert set(PartnerOut.model_fields) == PARTNER_OUT
    assert set(PartnerDetail.model_fields) == PARTNER_DETAIL
    assert set(UserOut.model_fields) == USER_OUT
    assert set(ApiKeyOut.model_fields) == API_KEY_OUT
    assert set(ApiKeyIssued.model_fields) == API_KEY_OUT | {"key"}
    for model in (PartnerPublic, PartnerOut, UserOut, ApiKeyOut):
        assert not NEVER_SHOWN & set(model.model_fields), model.__name__
    assert {"digest", "key"}.isdisjoint(ApiKeyOut.model_fields)


def test_responses_carry_exactly_the_allow_list(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    headers = bearer(world.key_a)
    partner = client.get(f"/api/v1/partners/{world.partner_a}", headers=headers).json()
    assert set(partner) == PARTNER_PUBLIC
    listed = client.get("/api/v1/partners", headers=headers).json()["items"]
    assert [set(p) for p in listed] == [PARTNER_PUBLIC]
    _key_id, staff_key = make_staff_key(db, settings, world.admin_email)
    staff_view = client.get(f"/api/v1/partners/{world.partner_a}", headers=bearer(staff_key))
    assert set(staff_view.json()) == PARTNER_DETAIL
    staff_list = client.get("/api/v1/partners", headers=bearer(staff_key)).json()["items"]
    assert all(set(p) == PARTNER_OUT for p in staff_list)
    users = client.get("/api/v1/users", headers=headers).json()["items"]
    assert users
    assert all(set(u) == USER_OUT for u in users)
    keys = client.get("/api/v1/api-keys", headers=headers).json()["items"]
    assert keys
    assert all(set(k) == API_KEY_OUT for k in keys)
    one = client.get(f"/api/v1/api-keys/{world.key_a_id}", headers=headers).json()
    assert set(one) == API_KEY_OUT


FORBIDDEN_EXTRAS: list[dict[str, object]] = [
    {"partner_id": 999}, {"id": 999}, {"normalized_name": "x"}, {"created_at": "2020-01-01"},
    {"tenant_id": 1}, {"stage": "active"}, {"merged_into_id": 1}, {"digest": "x"},
]


def test_patch_with_fields_nobody_may_set_is_422_and_changes_nothing(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    _key_id, staff_key = make_staff_key(db, settings, world.admin_email)
    before = snapshot(db)
    for extra in FORBIDDEN_EXTRAS:
        response = client.patch(f"/api/v1/partners/{world.partner_a}",
                                headers=bearer(staff_key), json={"country": "Spain", **extra})
        assert response.status_code == 422, (extra, response.text)
        assert response.json()["error"] == "unprocessable"
    assert snapshot(db) == before
    # The same body without the extra field is accepted: the 422 came from the field.
    ok = client.patch(f"/api/v1/partners/{world.partner_a}", headers=bearer(staff_key),
                      json={"country": "Spain"})
    assert ok.status_code == 200, ok.text


def test_user_create_refuses_server_fields(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    _key_id, staff_key = make_staff_key(db, settings, world.admin_email)
    before = snapshot(db)
    response = client.post("/api/v1/users", headers=bearer(staff_key), json={
        "email": "new@example.com", "role": "analyst", "password": "long enough password",
        "is_active": True, "failed_logins": 0, "password_hash": "$argon2id$x"})
    assert response.status_code == 422
    assert snapshot(db) == before
