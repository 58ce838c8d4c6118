"""The signed-in person's account page: language and password."""

from __future__ import annotations

from collections.abc import Callable

from qudao.db.session import Database
from tests.fixtures.accounts import PASSWORD, TwoPartners
from tests.web.conftest import Browser, actions

NEW = "another long password"


def test_language_and_password_from_the_account_page(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    person = sign_in(world.email_a)
    page = person.get("/account")
    assert page.status_code == 200
    assert "Alpha Distribution" in page.text
    assert ">Our company</a>" in page.text

    saved = person.post("/account/language", {"locale": "zh-CN"})
    assert saved.status_code == 303
    page = person.get("/account")
    assert "语言设置已保存。" in page.text
    assert '<html lang="zh-CN">' in page.text
    assert person.post("/account/language", {"locale": "fr"}).status_code == 422

    cases = [
        ({"current_password": "wrong password!", "password": NEW, "password_confirm": NEW},
         "当前密码不正确。"),
        ({"current_password": PASSWORD, "password": NEW, "password_confirm": NEW + "x"},
         "两次输入的新密码不一致。"),
        ({"current_password": PASSWORD, "password": "short", "password_confirm": "short"},
         "请设置至少 10 个字符的密码。"),
    ]
    for data, message in cases:
        refused = person.post("/account/password", data)
        assert refused.status_code == 422
        assert message in refused.text
    assert "user.password_change" not in actions(db)
    changed = person.post("/account/password", {"current_password": PASSWORD, "password": NEW,
                                                "password_confirm": NEW})
    assert changed.status_code == 303
    assert "密码已更改。" in person.get("/account").text
    assert sign_in(world.email_a, NEW).get("/portal").status_code == 200
