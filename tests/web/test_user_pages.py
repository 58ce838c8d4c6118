"""Administrators add staff and partner users; mistakes are explained and write nothing."""

from __future__ import annotations

from collections.abc import Callable

from qudao.accounts.models import User
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners
from tests.web.conftest import Browser, count

NEW_PASSWORD = "a long enough password"


def test_an_admin_adds_staff_and_partner_users_who_can_then_sign_in(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    staff = admin.post("/users", {"email": "Mei@Example.com", "name": "Mei", "role":
                                  "channel_manager", "partner_id": "", "password": NEW_PASSWORD,
                                  "locale": "zh-CN"})
    assert staff.status_code == 303
    assert staff.headers["location"] == "/users"
    listing = admin.get("/users")
    assert "The user was added." in listing.text
    assert "mei@example.com" in listing.text
    assert "Channel manager" in listing.text

    member = admin.post("/users", {"email": "sam@alpha.example", "role": "partner_member",
                                   "partner_id": str(world.partner_a), "password": NEW_PASSWORD})
    assert member.status_code == 303
    assert member.headers["location"] == f"/users?partner_id={world.partner_a}"
    filtered = admin.get(member.headers["location"])
    assert "sam@alpha.example" in filtered.text
    assert "b@beta.example" not in filtered.text
    assert "sam@alpha.example" in admin.get(f"/partners/{world.partner_a}").text

    mei = sign_in("mei@example.com", NEW_PASSWORD)
    assert "概览" in mei.get("/").text
    sam = sign_in("sam@alpha.example", NEW_PASSWORD)
    assert sam.get("/portal").status_code == 200


def test_user_form_mistakes_are_explained_and_write_nothing(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    users = count(db, User)
    base = {"email": "new@example.com", "name": "New", "role": "analyst", "partner_id": "",
            "password": NEW_PASSWORD, "locale": ""}
    cases = [
        ({"email": "not-an-address"}, 422, "Enter a valid e-mail address"),
        ({"role": "emperor"}, 422, "Choose one of the offered options."),
        ({"partner_id": str(world.partner_a)}, 422, "A staff user does not belong to a partner."),
        ({"role": "partner_admin"}, 422, "Choose the partner this user belongs to."),
        ({"partner_id": "abc", "role": "partner_admin"}, 422, "Enter a whole number."),
        ({"email": world.email_b}, 409, "already exists"),
        ({"password": "short"}, 422, "at least 10 characters"),
        ({"role": "partner_member", "partner_id": "999999"}, 404, "Partner 999999 was not found."),
    ]
    for change, status, message in cases:
        page = admin.post("/users", {**base, **change})
        assert page.status_code == status, (change, page.text[:300])
        assert message in page.text, change
        assert 'value="New"' in page.text  # the typed values come back ...
        assert NEW_PASSWORD not in page.text  # ... but never a password
    assert count(db, User) == users
    admin.use_language("zh-CN")
    page = admin.post("/users", {**base, "email": "x"})
    assert "请输入有效的电子邮箱地址" in page.text
