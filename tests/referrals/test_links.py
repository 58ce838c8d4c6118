"""Referral links through the API: created by staff with an http(s) landing URL only,
unguessable codes, switched off, and read by partners for their own company only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qudao.db.session import Database
from qudao.referrals.links import ALPHABET, CODE_LENGTH
from tests.fixtures.accounts import TwoPartners, bearer
from tests.fixtures.security import snapshot

BAD_URLS = ["javascript:alert(1)", "ftp://files.example/x", "//evil.example", "/relative",
            "https://", "http://user:pw@example.com/", "https://exa mple.com/",
            "data:text/html,hi", "https://example.com/\nSet-Cookie:x", "http:\\\\evil.example"]


def test_staff_create_links_with_unguessable_codes(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    codes = set()
    for _ in range(3):
        response = client.post("/api/v1/referral-links", headers=bearer(staff_key), json={
            "partner_id": world.partner_a, "landing_url": "https://shop.example/",
            "label": "Newsletter"})
        assert response.status_code == 201, response.text
        body = response.json()
        assert len(body["code"]) == CODE_LENGTH
        assert set(body["code"]) <= set(ALPHABET)
        assert body["url"] == f"http://testserver/r/{body['code']}"
        assert body["active"] is True
        codes.add(body["code"])
    assert len(codes) == 3


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_landing_url_that_is_not_http_is_refused(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str, url: str
) -> None:
    before = snapshot(db)
    response = client.post("/api/v1/referral-links", headers=bearer(staff_key), json={
        "partner_id": world.partner_a, "landing_url": url})
    assert response.status_code == 422, (url, response.text)
    assert response.json()["field"] == "landing_url"
    assert snapshot(db) == before


def test_switching_a_link_off_and_partners_reading_their_own(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    made = {p: client.post("/api/v1/referral-links", headers=bearer(staff_key), json={
        "partner_id": p, "landing_url": "https://shop.example/"}).json()
        for p in (world.partner_a, world.partner_b)}
    a_link, b_link = made[world.partner_a], made[world.partner_b]
    off = client.patch(f"/api/v1/referral-links/{a_link['id']}", headers=bearer(staff_key),
                       json={"active": False, "label": "Old campaign"})
    assert off.status_code == 200
    assert off.json()["active"] is False
    assert client.get(f"/r/{a_link['code']}", follow_redirects=False).status_code == 404

    mine = client.get("/api/v1/referral-links", headers=bearer(world.key_a)).json()
    assert [link["id"] for link in mine["items"]] == [a_link["id"]]
    assert client.get(f"/api/v1/referral-links/{b_link['id']}",
                      headers=bearer(world.key_a)).status_code == 404
    # Partners read links; they do not make or change them.
    assert client.post("/api/v1/referral-links", headers=bearer(world.key_a), json={
        "partner_id": world.partner_a, "landing_url": "https://x.example/"}).status_code == 403
    assert client.patch(f"/api/v1/referral-links/{a_link['id']}", headers=bearer(world.key_a),
                        json={"active": True}).status_code == 403
