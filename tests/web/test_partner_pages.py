"""Partner companies in the staff app: add, find, page through, edit; errors in the page."""

from __future__ import annotations

import re
from collections.abc import Callable

from qudao.accounts.subject import SYSTEM
from qudao.db.session import Database
from qudao.partners import service
from qudao.partners.models import Partner
from qudao.partners.schemas import PartnerCreate
from tests.fixtures.accounts import TwoPartners
from tests.web.conftest import Browser, actions, count


def test_add_a_partner_then_edit_it(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    added = admin.post("/partners", {"name": "Gamma Systems", "website": "https://gamma.example",
                                     "country": "China", "notes": "Met at the Shenzhen fair"})
    assert added.status_code == 303
    location = added.headers["location"]
    assert re.fullmatch(r"/partners/\d+", location)
    page = admin.get(location)
    assert "The partner was added." in page.text
    assert "Met at the Shenzhen fair" in page.text
    assert "The partner was added." not in admin.get(location).text  # shown once
    assert "Gamma Systems" in admin.get("/partners?q=gamma").text

    saved = admin.post(location, {"name": "Gamma Systems Ltd", "website": "",
                                  "country": "China", "notes": ""})
    assert saved.status_code == 303
    page = admin.get(location)
    assert "The partner&#39;s details were saved." in page.text
    assert "Gamma Systems Ltd" in page.text
    assert actions(db)[-2:] == ["partner.create", "partner.update"]

    similar = admin.post("/partners", {"name": "Alpha Distributions"})
    assert similar.status_code == 409
    assert 'name="allow_similar"' in similar.text
    confirmed = admin.post("/partners", {"name": "Alpha Distributions", "allow_similar": "on"})
    assert confirmed.status_code == 303


def test_form_errors_show_in_the_page_in_the_readers_language_and_write_nothing(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    admin.use_language("zh-CN")
    partners, log = count(db, Partner), len(actions(db))

    duplicate = admin.post("/partners", {"name": "  alpha   DISTRIBUTION ", "country": "X"})
    assert duplicate.status_code == 409
    assert "名为 Alpha Distribution 的合作伙伴已存在" in duplicate.text
    assert 'aria-invalid="true" aria-describedby="f-name-error"' in duplicate.text
    assert 'value="X"' in duplicate.text  # what was typed is kept
    assert 'name="allow_similar"' not in duplicate.text  # an identical name is final

    empty = admin.post("/partners", {"name": "   ", "website": "https://x.example"})
    assert empty.status_code == 422
    assert "请填写此字段。" in empty.text

    too_long = admin.post("/partners", {"name": "N" * 201})
    assert too_long.status_code == 422
    assert "最多 200 个字符" in too_long.text

    clash = admin.post(f"/partners/{world.partner_a}", {"name": "Beta Agency", "country": "Y"})
    assert clash.status_code == 409
    assert "名为 Beta Agency 的合作伙伴已存在" in clash.text
    assert count(db, Partner) == partners
    assert len(actions(db)) == log
    assert "Alpha Distribution" in admin.get(f"/partners/{world.partner_a}").text
    missing = admin.get("/partners/999999")
    assert missing.status_code == 404
    assert "未找到合作伙伴 999999。" in missing.text


def test_the_partner_list_pages_and_searches(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    with db.unit_of_work() as session:
        for number in range(30):
            service.create_partner(session, SYSTEM, PartnerCreate(
                name=f"Reseller {number:02d}", allow_similar=True))
    admin = sign_in(world.admin_email)
    first = admin.get("/partners")
    assert first.text.count('<a href="/partners/') == 25
    assert "1–25 of 32" in first.text
    assert 'href="/partners?page=2" rel="next"' in first.text
    second = admin.get("/partners?page=2")
    assert second.text.count('<a href="/partners/') == 7
    assert 'rel="prev"' in second.text
    found = admin.get("/partners?q=reseller+1")
    assert found.text.count('<a href="/partners/') == 10
    assert "10 found for “reseller 1”" in found.text
    nothing = admin.get("/partners?q=zzz")
    assert "No partner matches your search." in nothing.text
    assert admin.get("/partners?page=0").status_code == 422
