"""API keys in the staff app and the portal: the secret shown once, rotation with an
overlap, revocation behind a confirmation, and no reach into another partner's keys."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from qudao.accounts.models import ApiKey
from qudao.accounts.roles import Role
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners, bearer, make_user
from tests.web.conftest import Browser, count

SECRET = re.compile(r'<code class="secret" id="new-key">(qudao_pk_[0-9A-Za-z]{43})</code>')


def secret_of(html: str) -> str:
    found = SECRET.search(html)
    assert found, "the page shows no new key"
    return found.group(1)


def works(client: TestClient, key: str) -> bool:
    status = client.get("/api/v1/me", headers=bearer(key)).status_code
    assert status in (200, 401)
    return status == 200


def test_staff_issue_rotate_and_revoke_a_partner_key(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    api = TestClient(admin.client.app)
    issued = admin.post("/api-keys", {"name": "ERP integration",
                                      "partner_id": str(world.partner_b), "read_only": "on"})
    assert issued.status_code == 201
    assert issued.headers["cache-control"] == "no-store"
    assert "it is shown only this once" in issued.text
    key = secret_of(issued.text)
    assert works(api, key)
    listing = admin.get(f"/api-keys?partner_id={world.partner_b}")
    assert "ERP integration" in listing.text
    assert key not in listing.text
    assert key[-4:] in listing.text
    assert "Alpha Distribution</a>" not in listing.text  # filtered to partner B
    key_id = int(re.findall(r'href="/api-keys/(\d+)/rotate"', listing.text)[0])

    confirm = admin.get(f"/api-keys/{key_id}/rotate")
    assert confirm.status_code == 200
    assert 'name="overlap_hours"' in confirm.text
    rotated = admin.post(f"/api-keys/{key_id}/rotate", {"overlap_hours": "24"})
    assert rotated.status_code == 201
    new_key = secret_of(rotated.text)
    assert new_key != key
    assert "keeps working until" in rotated.text
    assert works(api, key)
    assert works(api, new_key)
    assert "Expiring" in admin.get("/api-keys").text

    new_id = int(re.findall(r'href="/api-keys/(\d+)/revoke"', admin.get(
        f"/api-keys?partner_id={world.partner_b}").text)[0])
    ask = admin.get(f"/api-keys/{new_id}/revoke")
    assert "This cannot be undone." in ask.text
    assert works(api, new_key)  # asking changes nothing
    revoked = admin.post(f"/api-keys/{new_id}/revoke")
    assert revoked.status_code == 303
    assert "The key was revoked." in admin.get(revoked.headers["location"]).text
    assert not works(api, new_key)
    assert works(api, key)  # the overlap of the rotated key still runs
    api.close()


def test_key_form_mistakes_are_explained_and_write_nothing(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    keys = count(db, ApiKey)
    partner = str(world.partner_a)
    cases = [
        ({"name": "", "partner_id": partner}, 422, "Fill in this field."),
        ({"name": "CRM", "partner_id": ""}, 422, "Choose the partner the key acts for."),
        ({"name": "CRM", "partner_id": partner, "expires_on": "2001-01-01"}, 422,
         "The expiry date must lie in the future."),
        ({"name": "CRM", "partner_id": partner, "expires_on": "next week"}, 422,
         "Enter a date as YYYY-MM-DD."),
        ({"name": "CRM", "partner_id": "999999"}, 404, "Partner 999999 was not found."),
    ]
    for data, status, message in cases:
        page = admin.post("/api-keys", data)
        assert page.status_code == status, (data, page.text[:300])
        assert message in page.text
    too_long = admin.post(f"/api-keys/{world.key_a_id}/rotate", {"overlap_hours": "500"})
    assert too_long.status_code == 422
    assert not SECRET.search(too_long.text)
    assert count(db, ApiKey) == keys
    admin.post(f"/api-keys/{world.key_a_id}/revoke")
    again = admin.post(f"/api-keys/{world.key_a_id}/rotate", {"overlap_hours": "1"})
    assert again.status_code == 409
    assert "already revoked or expired" in again.text


def test_portal_keys_for_a_partner_admin_and_a_member(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    owner = sign_in(world.email_a)
    api = TestClient(owner.client.app)
    listing = owner.get("/portal/api-keys")
    assert listing.status_code == 200
    assert 'name="partner_id"' not in listing.text  # the portal never picks a partner
    issued = owner.post("/portal/api-keys", {"name": "Shop", "partner_id": str(world.partner_b)})
    assert issued.status_code == 201
    key = secret_of(issued.text)
    me = api.get("/api/v1/me", headers=bearer(key)).json()
    assert me["partner_id"] == world.partner_a

    for url in [f"/portal/api-keys/{world.key_b_id}/rotate",
                f"/portal/api-keys/{world.key_b_id}/revoke"]:
        assert owner.get(url).status_code == 404, url
        assert owner.post(url, {"overlap_hours": "1"}).status_code == 404, url
    assert works(api, world.key_b)
    assert "Beta" not in owner.get("/portal/api-keys").text

    rotated = owner.post(f"/portal/api-keys/{world.key_a_id}/rotate", {"overlap_hours": "0"})
    assert rotated.status_code == 201
    assert "has stopped working" in rotated.text
    assert not works(api, world.key_a)
    revoke = owner.post(f"/portal/api-keys/{world.key_a_id}/revoke")
    assert revoke.status_code == 303
    assert revoke.headers["location"] == "/portal/api-keys"

    make_user(db, "member@alpha.example", Role.PARTNER_MEMBER, world.partner_a)
    member = sign_in("member@alpha.example")
    page = member.get("/portal/api-keys")
    assert page.status_code == 200
    assert "Shop" in page.text
    assert "/rotate" not in page.text
    assert "Only administrators issue, rotate and revoke keys." in page.text
    assert member.post("/portal/api-keys", {"name": "Mine"}).status_code == 403
    assert member.get(f"/portal/api-keys/{world.key_a_id}/revoke").status_code == 403
    api.close()
