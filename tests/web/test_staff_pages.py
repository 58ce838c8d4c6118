"""The staff app: every page for the roles that may see it, in English and in Chinese."""

from __future__ import annotations

from collections.abc import Callable

from qudao.accounts.roles import Role
from qudao.db.session import Database
from qudao.partners.models import Partner
from tests.fixtures.accounts import TwoPartners, make_user
from tests.web.conftest import Browser, count

# Each page with a text it shows in English and in Chinese.
PAGES = {
    "/": ("Your partner channel at a glance.", "合作伙伴渠道一览。"),
    "/partners": ("Add a partner", "添加合作伙伴"),
    "/users": ("Staff of the company and the people of partner companies.",
               "本公司员工以及各合作伙伴公司的人员。"),
    "/api-keys": ("Issue a key", "签发密钥"),
    "/audit": ("Verify the chain", "校验哈希链"),
    "/audit/verify": ("The audit log is intact.", "审计日志完整。"),
    "/account": ("Change password", "修改密码"),
}
NAV = {"en": ["Overview", "Pipeline", "Partners", "Screening", "Users", "API keys", "Audit log",
              "Account"],
       "zh-CN": ["概览", "渠道漏斗", "合作伙伴", "筛选评估", "用户", "API 密钥", "审计日志",
                 "账号"]}


def test_every_staff_page_renders_for_an_admin_in_both_languages(
    world: TwoPartners, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    pages = {**PAGES,
             f"/partners/{world.partner_a}": ("Edit details", "编辑信息"),
             f"/api-keys/{world.key_a_id}/rotate": ("Keep the old key working for",
                                                    "旧密钥继续有效的时长"),
             f"/api-keys/{world.key_a_id}/revoke": ("This cannot be undone.", "此操作无法撤销。")}
    for locale, index in (("en", 0), ("zh-CN", 1)):
        admin.use_language(locale)
        for url, texts in pages.items():
            page = admin.get(url)
            assert page.status_code == 200, (locale, url, page.text[:500])
            assert f'<html lang="{locale}">' in page.text
            assert texts[index] in page.text, (locale, url)
            assert all(f">{label}</a>" in page.text for label in NAV[locale]), (locale, url)
            assert page.headers["cache-control"] == "no-store"
            assert "default-src 'self'" in page.headers["content-security-policy"]
        if locale == "zh-CN":
            assert "Alpha Distribution" in admin.get("/partners").text
            assert "Sign out" not in admin.get("/").text


def test_each_staff_role_sees_and_does_what_it_may(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_user(db, "manager@example.com", Role.CHANNEL_MANAGER)
    make_user(db, "analyst@example.com", Role.ANALYST, locale="zh-CN")
    manager = sign_in("manager@example.com")
    home = manager.get("/")
    assert home.status_code == 200
    assert ">Users</a>" not in home.text
    assert ">Audit log</a>" not in home.text
    for url in ["/users", "/audit", "/audit/verify"]:
        assert manager.get(url).status_code == 403, url
    keys = manager.get("/api-keys")
    assert keys.status_code == 200
    assert 'method="post" action="/api-keys"' not in keys.text  # only admins issue keys
    assert manager.post("/api-keys", {"name": "x", "partner_id": str(world.partner_a)}
                        ).status_code == 403
    assert 'method="post" action="/partners"' in manager.get("/partners").text

    analyst = sign_in("analyst@example.com")
    partners = analyst.get("/partners")
    assert partners.status_code == 200
    assert "合作伙伴" in partners.text  # the analyst's saved language
    assert 'method="post" action="/partners"' not in partners.text
    detail = analyst.get(f"/partners/{world.partner_a}").text
    assert 'method="post" action="/partners/' not in detail
    before = count(db, Partner)
    refused = analyst.post("/partners", {"name": "Gamma Systems"})
    assert refused.status_code == 403
    assert "只能查看" in refused.text
    assert count(db, Partner) == before
