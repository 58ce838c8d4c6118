"""The staff dashboard on the overview page, its CSV downloads and its JSON twin, on SQLite
and PostgreSQL: the figures of a small channel, both languages, the window chosen in the
query, bad parameters answered with what to send, an empty database, partners refused."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from qudao.db.session import Database
from tests.dashboards import staff_data
from tests.fixtures.accounts import TwoPartners, bearer, login
from tests.web.conftest import Browser

CHARTS = ("revenue", "partners", "share", "stages", "goals")


@pytest.fixture
def channel(world: TwoPartners, db: Database) -> int:
    return staff_data.build(db, world)


def _figure(page: str, key: str) -> str:
    start = page.index(f'<figure class="chart" id="dashboard-{key}"')
    return page[start:page.index("</figure>", start)]


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_dashboard_shows_the_channel_in_english_and_chinese(
        world: TwoPartners, channel: int, sign_in: Callable[..., Browser]) -> None:
    admin = sign_in(world.admin_email)
    page = admin.get("/")
    assert page.status_code == 200, page.text[:500]
    text = page.text
    assert "Your partner channel at a glance." in text  # the overview stays
    assert "as of Sep 2011" in text
    assert "Oct 2010 to Sep 2011" in text
    tiles = text[text.index('id="dashboard-tiles"'):text.index('id="concentration-alert"')]
    assert "£99,900" in tiles  # 50,000 + 31,000 + 19,000 won, less a 100 refund
    assert "£1,200.00" in tiles  # credited to no partner, beside it
    assert re.search(r'id="tile-active">\s*<span class="stat-value">2<', tiles)
    assert re.search(r'id="tile-open" href="/deals">\s*<span class="stat-value">1<', tiles)
    alert = text[text.index('id="concentration-alert"'):]
    assert "Alpha Distribution brings 81.0% of the channel revenue" in alert
    assert "above the alert threshold of 40%" in alert
    assert "other territories" in alert
    for key in CHARTS:
        figure = _figure(text, key)
        assert 'class="chart-canvas"' in figure
        assert f'href="/dashboard/{key}.csv?program_id={channel}&amp;end=2011-09&amp;months=12"' \
            in figure
        rows = figure.count('<th scope="row"')
        body = admin.get(f"/dashboard/{key}.csv?program_id={channel}&end=2011-09&months=12")
        assert body.status_code == 200
        assert body.headers["content-type"].startswith("text/csv")
        assert len(_csv(body.content)) == rows + 1, key  # the table's rows, and a header
    revenue = _csv(admin.get(f"/dashboard/revenue.csv?program_id={channel}").content)
    assert revenue[0] == ["Month", "Won deals", "Refunds", "Channel revenue",
                          "Sales credited to no partner"]
    assert revenue[-3:] == [["2011-07", "50000.00", "0.00", "50000.00", "1200.00"],
                            ["2011-08", "19000.00", "0.00", "19000.00", "0.00"],
                            ["2011-09", "31000.00", "100.00", "30900.00", "0.00"]]
    share = _csv(admin.get(f"/dashboard/share.csv?program_id={channel}").content)
    assert share[1:] == [["Alpha Distribution", "81.0", "80900.00"],
                         ["Beta Agency", "19.0", "19000.00"]]
    assert "HHI 6,920" in _figure(text, "share")
    goals = _figure(text, "goals")
    assert "£100k through partners in Q3" in goals
    assert "Achieved" in goals

    admin.use_language("zh-CN")
    chinese = admin.get("/").text
    assert '<html lang="zh-CN">' in chinese
    assert "2011年9月" in chinese
    assert "合作伙伴渠道一览。" in chinese


def test_the_window_comes_from_the_query(
        world: TwoPartners, channel: int, sign_in: Callable[..., Browser]) -> None:
    admin = sign_in(world.admin_email)
    text = admin.get(f"/?program_id={channel}&end=2011-08&months=2").text
    assert "Jul 2011 to Aug 2011" in text
    assert "£69,000" in text  # September is outside
    assert 'id="concentration-alert"' in text  # Alpha 50,000 of 69,000: 72 %
    rows = _csv(admin.get(f"/dashboard/revenue.csv?program_id={channel}&end=2011-08&months=2"
                          ).content)
    assert [r[0] for r in rows[1:]] == ["2011-07", "2011-08"]
    stages = _csv(admin.get(f"/dashboard/stages.csv?program_id={channel}&end=2011-08"
                            "&months=2").content)
    assert ["Registered", "1", "7000.00"] in stages
    assert ["Won", "2", "69000.00"] in stages


def test_the_json_api_gives_the_same_figures(
        client: TestClient, channel: int, staff: dict[str, str]) -> None:
    body = client.get("/api/v1/dashboard", headers=staff).json()
    assert (body["program_id"], body["currency"], body["first_month"], body["last_month"],
            body["months"]) == (channel, "GBP", "2010-10", "2011-09", 12)
    assert (body["channel_revenue"], body["credited_to_no_partner"]) == ("99900.00", "1200.00")
    assert (body["active_partners"], body["signed_partners"], body["open_deals"]) == (2, 2, 1)
    assert [(p["name"], p["channel_revenue"], p["share_percent"])
            for p in body["revenue_by_partner"]] == [
        ("Alpha Distribution", "80900.00", "81.0"), ("Beta Agency", "19000.00", "19.0")]
    assert body["revenue_by_month"][-1] == {
        "month": "2011-09", "won": "31000.00", "refunds": "100.00",
        "channel_revenue": "30900.00", "credited_to_no_partner": "0.00"}
    assert body["concentration"] == {
        "hhi": "6919.64", "level": "high", "level_label": "Highly concentrated (HHI above 2,500)",
        "largest_partner_id": body["revenue_by_partner"][0]["partner_id"],
        "largest_share_percent": "81.0", "alert_threshold_percent": 40, "alert": True}
    assert {s["stage"]: s["count"] for s in body["deals_by_stage"]} == {
        "registered": 1, "approved": 0, "rejected": 0, "won": 3, "lost": 0}
    (only,) = body["goals"]
    assert (only["status"], only["actual"], only["percent"]) == ("achieved", "100000.00",
                                                                 "100.0")
    assert body["commission"] == {"payable": "0.00", "approved": "0.00", "draft": "0.00"}
    chosen = client.get("/api/v1/dashboard?end=2011-08&months=1", headers=staff).json()
    assert chosen["channel_revenue"] == "19000.00"
    assert chosen["concentration"]["alert"] is True  # Beta alone in August


BAD_QUERIES = [
    ("end=2011-13", "end", "YYYY-MM"), ("end=last", "end", "YYYY-MM"),
    ("months=0", "months", "1 to 60"), ("months=twelve", "months", "1 to 60"),
    ("program_id=first", "program_id", "choose a program"),
]


def test_bad_parameters_say_what_to_send(
        client: TestClient, world: TwoPartners, channel: int, staff: dict[str, str],
        sign_in: Callable[..., Browser]) -> None:
    admin = sign_in(world.admin_email)
    for query, field, hint in BAD_QUERIES:
        api = client.get(f"/api/v1/dashboard?{query}", headers=staff)
        assert api.status_code == 400, api.text
        assert (api.json()["error"], api.json()["field"]) == ("bad_request", field)
        assert hint in api.json()["detail"]
        page = admin.get(f"/?{query}")
        assert page.status_code == 400, query
        assert hint in page.text  # said on the page, which shows the default window instead
        assert "as of Sep 2011" in page.text
        assert admin.get(f"/dashboard/revenue.csv?{query}").status_code == 400


def test_an_unknown_program_or_chart_is_not_found(
        client: TestClient, world: TwoPartners, channel: int, staff: dict[str, str],
        sign_in: Callable[..., Browser]) -> None:
    assert client.get("/api/v1/dashboard?program_id=999999", headers=staff).status_code == 404
    admin = sign_in(world.admin_email)
    assert admin.get("/?program_id=999999").status_code == 404
    assert admin.get("/dashboard/pie.csv").status_code == 404


def test_an_empty_database_gets_a_friendly_page(
        client: TestClient, world: TwoPartners, staff: dict[str, str],
        sign_in: Callable[..., Browser]) -> None:
    admin = sign_in(world.admin_email)
    page = admin.get("/")
    assert page.status_code == 200
    assert "No program yet." in page.text
    assert 'href="/program/new"' in page.text
    assert "Alpha Distribution" in page.text  # the partners list is still there
    missing = client.get("/api/v1/dashboard", headers=staff)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no program yet."


def test_partners_are_refused(client: TestClient, world: TwoPartners, channel: int) -> None:
    by_key = client.get("/api/v1/dashboard", headers=bearer(world.key_a))
    assert by_key.status_code == 403
    assert by_key.json()["error"] == "forbidden"
    login(client, world.email_a)
    assert client.get("/api/v1/dashboard").status_code == 403
    csv_file = client.get(f"/dashboard/revenue.csv?program_id={channel}")
    assert csv_file.status_code == 403
    assert "Alpha" not in csv_file.text
    assert client.get("/", follow_redirects=False).status_code == 403
