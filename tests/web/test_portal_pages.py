"""The partner portal shows one company only, and lets its administrators add people."""

from __future__ import annotations

from collections.abc import Callable

from qudao.accounts.models import User
from qudao.accounts.roles import Role
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners, make_user
from tests.web.conftest import Browser, count


def test_portal_pages_show_only_the_readers_company_in_its_language(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_user(db, "li@beta.example", Role.PARTNER_MEMBER, world.partner_b, locale="zh-CN")
    reader = sign_in("li@beta.example")
    texts = {"/portal": "自 ", "/portal/users": "贵公司中可以登录门户的人员。",
             "/portal/api-keys": "只有管理员可以签发、轮换和吊销密钥。", "/account": "我的账号"}
    for url, text in texts.items():
        page = reader.get(url)
        assert page.status_code == 200, url
        assert text in page.text, url
        assert ">我的公司</a>" in page.text  # the portal's navigation
        assert "Alpha" not in page.text
        assert "a@alpha.example" not in page.text
    company = reader.get("/portal").text
    assert "Beta Agency" in company
    assert "b@beta.example" in company
    users = reader.get("/portal/users").text
    assert 'method="post" action="/portal/users"' not in users  # members do not add people
    assert world.key_b[-4:] in reader.get("/portal/api-keys").text


def test_a_partner_admin_adds_people_to_its_own_company_only(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    owner = sign_in(world.email_a)
    form = owner.get("/portal/users").text
    assert 'name="partner_id"' not in form
    assert 'value="admin"' not in form  # only partner roles are offered
    added = owner.post("/portal/users", {"email": "new@alpha.example", "name": "Neu",
                                         "role": "partner_member",
                                         "partner_id": str(world.partner_b),
                                         "password": "a long enough password"})
    assert added.status_code == 303
    page = owner.get("/portal/users")
    assert "The user was added to your company." in page.text
    assert "new@alpha.example" in page.text
    users = count(db, User)
    staff = owner.post("/portal/users", {"email": "boss@alpha.example", "role": "admin",
                                         "password": "a long enough password"})
    assert staff.status_code == 422
    assert "A partner can only add partner users." in staff.text
    assert count(db, User) == users

    admin = sign_in(world.admin_email)
    listing = admin.get(f"/users?partner_id={world.partner_a}").text
    assert "new@alpha.example" in listing  # in partner A, although B was asked for
    member = sign_in("new@alpha.example", "a long enough password")
    refused = member.post("/portal/users", {"email": "x@alpha.example",
                                            "role": "partner_member"})
    assert refused.status_code == 403
    assert count(db, User) == users
