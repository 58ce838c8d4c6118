"""The goal pages as a browser sees them (HTTP): the list with status and progress, the add
form with each missing SMART part at its field, a goal's chart with its table twin and CSV,
change and archive."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pytest

from qudao.accounts.roles import Role
from qudao.core import clock
from qudao.core.i18n import translate
from qudao.db.session import Database
from qudao.goals.models import Goal
from tests.fixtures.accounts import TwoPartners, make_user
from tests.goals.builders import at, make_program, new_customers
from tests.web.conftest import Browser, count

GUIDE_FORM = {"title": "6个月内通过渠道获取100个新客户", "metric": "new_customers",
              "target": "100", "start": "2026-12-01", "deadline": "2027-06-01"}
CSP = "script-src 'self'"


@pytest.fixture
def admin(world: TwoPartners, db: Database, sign_in: Callable[..., Browser]) -> Browser:
    clock.freeze(at("2026-11-27 09:00"))
    make_program(db)
    return sign_in(world.admin_email)


def _user_id(html: str, label: str) -> str:
    found = re.search(r'<option value="(\d+)"[^>]*>' + re.escape(label), html)
    assert found, label
    return found.group(1)


def test_a_vague_goal_shows_each_missing_part_at_its_field(
    admin: Browser, db: Database
) -> None:
    page = admin.get("/goals")
    assert page.status_code == 200
    assert "No goals yet." in page.text
    refused = admin.post("/goals", {"title": "扩大市场份额", "owner": ""})
    assert refused.status_code == 422
    html = refused.text
    for field, message in (
            ("metric", "Not specific: choose a metric from the catalogue."),
            ("target", "Not measurable: the target must be a number above 0."),
            ("deadline", "Not time-bound: set a deadline after the start."),
            ("owner", "No owner: name the person responsible.")):
        assert re.search(rf'id="goal-{field}-error">{re.escape(message)}<', html), field
        assert f'aria-describedby="goal-{field}-error"' in html
    assert "This goal is not SMART yet" in html
    assert 'value="扩大市场份额"' in html  # what was typed stays
    assert count(db, Goal) == 0


def test_the_guides_goal_its_chart_table_and_csv(
    admin: Browser, world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    owner = _user_id(admin.get("/goals").text, "admin@example.com")
    created = admin.post("/goals", {**GUIDE_FORM, "owner": owner})
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    new_customers(db, world.partner_a, 12, "2026-12-05 10:00")
    clock.freeze(at("2026-12-20 12:00"))
    admin = sign_in(world.admin_email)  # three weeks later: a new session
    page = admin.get(url)
    html = page.text
    assert "6个月内通过渠道获取100个新客户" in html
    assert 'class="badge badge-info goal-status" data-status="on_track"' in html
    assert page.headers["content-security-policy"].count(CSP) == 1
    # The chart's data travels as JSON, not as a script: the CSP allows no inline script.
    block = re.search(r'<script type="application/json" id="goal-chart-data">(.*?)</script>',
                      html, re.S)
    assert block
    spec = json.loads(block.group(1))
    actual, pace = spec["series"]
    assert actual["data"][-1] == ["2026-12-20T12:00:00+00:00", "12"]
    assert pace["data"][-1] == ["2027-06-01T00:00:00+00:00", "100"]
    assert '<script src="/static/charts.js" defer></script>' in html
    assert not re.search(r"<script>(?!</script>)", html)
    # The table twin holds the same numbers as the CSV download.
    rows = re.findall(r'<tr><th scope="row" class="nowrap">([^<]+)</th><td class="num">([^<]+)'
                      r'</td><td class="num">([^<]+)</td></tr>', html)
    download = admin.get(f"{url}/progress.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert lines[0] == ["As of (UTC)", "Actual", "Pace"]
    assert len(lines) - 1 == len(rows) == 26 + 1 + 1
    assert [(a.replace("—", ""), p) for _when, a, p in rows] == [
        (a, p) for _when, a, p in lines[1:]]
    assert lines[4] == ["2026-12-20 12:00", "12", "10.71"]


def test_change_and_archive_through_the_pages(admin: Browser, db: Database) -> None:
    owner = _user_id(admin.get("/goals").text, "admin@example.com")
    url = admin.post("/goals", {**GUIDE_FORM, "owner": owner}).headers["location"]
    refused = admin.post(url, {**GUIDE_FORM, "owner": owner, "target": "0"})
    assert refused.status_code == 422
    assert 'id="goal-target-error">Not measurable' in refused.text
    saved = admin.post(url, {**GUIDE_FORM, "owner": owner, "target": "120"}, follow=True)
    assert "The goal was saved." in saved.text
    assert ">120<" in saved.text
    archived = admin.post(f"{url}/archive", follow=True)
    assert "The goal was archived." in archived.text
    assert "No goals yet." in archived.text
    assert "6个月内通过渠道获取100个新客户" in admin.get("/goals?archived=true").text


def test_the_pages_speak_chinese(admin: Browser) -> None:
    owner = _user_id(admin.get("/goals").text, "admin@example.com")
    url = admin.post("/goals", {**GUIDE_FORM, "owner": owner}).headers["location"]
    admin.use_language("zh-CN")
    page = admin.get(url).text
    assert translate("zh-CN", "On track") in page
    assert translate("zh-CN", "Show the numbers") in page
    assert '<html lang="zh-CN">' in page


def test_readers_and_partners(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_program(db)
    make_user(db, "ann@example.com", Role.ANALYST)
    analyst = sign_in("ann@example.com")
    assert analyst.get("/goals").status_code == 200
    assert "Set a goal" not in analyst.get("/goals").text
    assert analyst.post("/goals", GUIDE_FORM).status_code == 403
    partner = sign_in(world.email_a)
    assert partner.get("/goals").status_code in (303, 403)
    assert count(db, Goal) == 0


def test_with_two_programs_the_form_asks_which(admin: Browser, db: Database) -> None:
    second = make_program(db, "Second program")
    page = admin.get("/goals").text
    owner = _user_id(page, "admin@example.com")
    assert 'id="goal-program_id"' in page
    refused = admin.post("/goals", {**GUIDE_FORM, "owner": owner})
    assert 'id="goal-program_id-error">Choose the program this goal belongs to.' in refused.text
    url = admin.post("/goals", {**GUIDE_FORM, "owner": owner, "program_id": str(second)}
                     ).headers["location"]
    assert 'id="goal-program_id"' not in admin.get(url).text  # a goal stays in its program
    assert 'id="goal-1"' in admin.get(f"/goals?program={second}").text
    assert 'id="goal-1"' not in admin.get(f"/goals?program={second - 1}").text
