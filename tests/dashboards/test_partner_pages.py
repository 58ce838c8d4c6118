"""The partner's dashboard page and its CSVs on both databases: the partner reads its own
figures in English and in Chinese, never another partner's (whatever the query says),
staff read any partner's in their own layout, bad window parameters are refused in the
reader's language, and a partner without activity sees a friendly empty state."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape

import pytest

from qudao.accounts.roles import Role
from qudao.core import clock
from qudao.core.config import Settings
from qudao.core.i18n import Translator
from qudao.dashboards.present import whole
from qudao.db.session import Database
from tests.dashboards import builders, partner_data
from tests.fixtures.accounts import TwoPartners, make_partner, make_user, two_partners
from tests.web.conftest import Browser, sign_in  # noqa: F401  (fixtures)

EN = Translator("en")
ZH = Translator("zh-CN")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CHARTS = ("revenue", "stages", "kpis", "funnel")


@pytest.fixture
def made(db: Database, settings: Settings) -> tuple[TwoPartners, partner_data.World]:
    clock.freeze(NOW)
    people = two_partners(db, settings)
    return people, partner_data.build(db, people)


def _gbp(amount: str, t: Translator = EN) -> str:
    return t.money(Decimal(amount), "GBP")


def _whole(amount: str) -> str:
    """A tile's figure: whole units (the exact amount is in its title)."""
    return whole(EN, int(Decimal(amount) * 100), "GBP")


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _tile(html: str, name: str) -> str:
    inside = html.split(f'id="tile-{name}"', 1)[1].split(">", 1)[1]
    return " ".join(_text(re.split(r"</div>|</a>", inside, maxsplit=1)[0]).split())


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_partner_reads_its_own_dashboard_in_both_languages(
    made: tuple[TwoPartners, partner_data.World], sign_in: Callable[..., Browser],  # noqa: F811
) -> None:
    people, _world = made
    alpha = sign_in(people.email_a)
    page = alpha.get("/portal/dashboard")
    assert page.status_code == 200
    html = page.text
    assert _whole("1400") in _tile(html, "revenue")
    assert "31.8%" in _tile(html, "share")
    assert _tile(html, "won").startswith("2")
    assert _whole("150") in _tile(html, "owed")
    assert "1 of 2" in _tile(html, "kpis")
    text = _text(html)
    assert "Gift-ware 2011 · as of March 2011" in text
    for chart in ("revenue-chart", "stages-chart", "funnel-chart"):
        assert f'id="{chart}"' in html
    # The table twins: March's sales, refunds and revenue; the KPIs; the funnel.
    assert re.search(r"Mar 2011\s+" + re.escape(_gbp("500")) + r"\s+" + re.escape(_gbp("100"))
                     + r"\s+" + re.escape(_gbp("400")), text)
    assert re.search(r"Channel revenue\s+Monthly\s+.*166\.7%\s+On track", text)
    assert re.search(r"New customers won through partners\s+Quarterly.*40%\s+Behind", text)
    assert "40% of these events (2 of 5) were generated for the demo" in text
    for chart in CHARTS:
        assert (f'href="/portal/dashboard/{chart}.csv?program_id={_world.program}'
                f'&amp;end=2011-03&amp;months=12"') in html
    # Nothing of Beta: its name, its 3,000.00, or the program's total 4,400.00.
    for secret in ("Beta", _gbp("3000"), _gbp("4400"), "68.2"):
        assert secret not in text
    # The navigation starts with the dashboard; the portal's home links to it.
    nav = html.split('class="mainnav"', 1)[1]
    assert nav.index('href="/portal/dashboard"') < nav.index('href="/portal"')
    assert 'aria-current="page">' + EN.gettext("Dashboard") in nav
    assert 'href="/portal/dashboard"' in alpha.get("/portal").text.split("</main>")[0]

    alpha.use_language("zh-CN")
    chinese = alpha.get("/portal/dashboard")
    assert chinese.status_code == 200
    zh = _text(chinese.text)
    assert '<html lang="zh-CN">' in chinese.text
    assert "2011年3月" in zh
    assert whole(ZH, 140_000, "GBP") in zh
    for msgid in ("Channel revenue", "Share of the program's channel revenue",
                  "Deals by stage", "KPIs against their targets", "Referral funnel",
                  "On track", "Behind", "Show the numbers", "Download CSV"):
        assert ZH.gettext(msgid) in zh, msgid
    assert ZH.gettext("Unique visitors") in zh
    assert "%(" not in zh


def test_another_partners_id_in_the_query_changes_nothing(
    made: tuple[TwoPartners, partner_data.World], sign_in: Callable[..., Browser],  # noqa: F811
    db: Database,
) -> None:
    people, world = made
    alpha = sign_in(people.email_a)
    own = alpha.get("/portal/dashboard")
    probe = alpha.get(f"/portal/dashboard?partner_id={world.beta}")
    assert probe.status_code == 200
    assert _tile(probe.text, "revenue") == _tile(own.text, "revenue")
    assert "Beta" not in _text(probe.text)
    for chart in CHARTS:
        mine = alpha.get(f"/portal/dashboard/{chart}.csv")
        theirs = alpha.get(f"/portal/dashboard/{chart}.csv?partner_id={world.beta}")
        assert theirs.status_code == 200
        assert theirs.content == mine.content, chart
        assert b"Beta" not in theirs.content
    # A program only Beta takes part in: 404 on the page and on every CSV, as a missing one.
    only_beta = builders.program(db, name="Beta's own program", currency="EUR")
    builders.deal(db, world.beta, only_beta, 1_000, closed="2011-02-01")
    for url in (f"/portal/dashboard?program_id={only_beta}",
                f"/portal/dashboard/revenue.csv?program_id={only_beta}",
                f"/portal/dashboard?program_id={only_beta + 1}"):
        refused = alpha.get(url)
        assert refused.status_code == 404, url
        assert "Beta" not in refused.text
    # Beta reads its own figures, and Alpha's nowhere.
    beta = sign_in(people.email_b)
    theirs_page = beta.get(f"/portal/dashboard?program_id={world.program}")
    assert _whole("3000") in _tile(theirs_page.text, "revenue")
    assert "68.2%" in _tile(theirs_page.text, "share")
    assert "Alpha" not in _text(theirs_page.text)
    # The staff page of a partner's dashboard is not for partners.
    assert alpha.get(f"/partners/{world.alpha}/dashboard").status_code == 403
    assert alpha.get(f"/partners/{world.beta}/dashboard/revenue.csv").status_code == 403


def test_csv_downloads_hold_the_tables_rows(
    made: tuple[TwoPartners, partner_data.World], sign_in: Callable[..., Browser],  # noqa: F811
) -> None:
    people, world = made
    alpha = sign_in(people.email_a)
    query = f"?program_id={world.program}&end=2011-03&months=3"
    revenue = alpha.get(f"/portal/dashboard/revenue.csv{query}")
    assert revenue.status_code == 200
    assert revenue.headers["content-type"].startswith("text/csv")
    assert revenue.headers["content-disposition"] == (
        f'attachment; filename="qudao-dashboard-{world.alpha}-revenue-2011-03.csv"')
    assert _rows(revenue.content) == [
        ["Month", "Sales", "Refunds", "Channel revenue"],
        ["2011-01", "1000.00", "0.00", "1000.00"],
        ["2011-02", "0.00", "0.00", "0.00"],
        ["2011-03", "500.00", "100.00", "400.00"]]
    assert _rows(alpha.get(f"/portal/dashboard/stages.csv{query}").content) == [
        ["Stage", "Deals", "Amount"], ["Registered", "1", "200.00"], ["Approved", "0", "0.00"],
        ["Rejected", "0", "0.00"], ["Won", "2", "1500.00"], ["Lost", "1", "50.00"]]
    assert _rows(alpha.get(f"/portal/dashboard/kpis.csv{query}").content) == [
        ["KPI", "Period", "From", "To", "Target", "Actual", "Attainment", "Status"],
        ["Channel revenue", "Monthly", "2011-01-01", "2011-03-31", "900.00", "1500.00",
         "166.7", "On track"],
        ["New customers won through partners", "Quarterly", "2011-01-01", "2011-03-31", "5",
         "2", "40.0", "Behind"]]
    assert _rows(alpha.get(f"/portal/dashboard/funnel.csv{query}").content) == [
        ["Step", "Count", "From the step before"], ["Unique visitors", "4", ""],
        ["Sign-ups", "1", "25.00"], ["Trials", "0", "0.00"], ["Paid", "0", "0.00"]]
    # The same rows as the page's table twin: one per month of the window.
    page = alpha.get(f"/portal/dashboard{query}").text
    table = page.split('id="revenue-chart"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") - 1 == 3
    alpha.use_language("zh-CN")
    chinese = _rows(alpha.get(f"/portal/dashboard/revenue.csv{query}").content)
    assert chinese[0] == [ZH.gettext(h) for h in ("Month", "Sales", "Refunds",
                                                  "Channel revenue")]
    assert chinese[3] == ["2011-03", "500.00", "100.00", "400.00"]
    assert alpha.get(f"/portal/dashboard/other.csv{query}").status_code == 422


def test_bad_window_parameters_are_refused_in_the_readers_language(
    made: tuple[TwoPartners, partner_data.World], sign_in: Callable[..., Browser],  # noqa: F811
) -> None:
    people, _world = made
    alpha = sign_in(people.email_a)
    for url in ("/portal/dashboard?end=2011-13", "/portal/dashboard?months=0",
                "/portal/dashboard/revenue.csv?months=x"):
        refused = alpha.get(url)
        assert refused.status_code == 400, url
    assert "is not a month" in alpha.get("/portal/dashboard?end=2011-13").text
    alpha.use_language("zh-CN")
    refused = alpha.get("/portal/dashboard?end=2011-13")
    assert refused.status_code == 400
    message = ZH.gettext("%(value)s is not a month: write the last month as YYYY-MM, "
                         "e.g. 2011-09.") % {"value": "2011-13"}
    assert message in unescape(refused.text)


def test_a_partner_without_activity_sees_a_friendly_empty_state(
    made: tuple[TwoPartners, partner_data.World], sign_in: Callable[..., Browser],  # noqa: F811
    db: Database,
) -> None:
    people, _world = made
    gamma = make_partner(db, "Gamma Trading")
    make_user(db, "g@gamma.example", Role.PARTNER_ADMIN, gamma)
    newcomer = sign_in("g@gamma.example")
    page = newcomer.get("/portal/dashboard")
    assert page.status_code == 200
    assert "Nothing to show yet." in page.text
    assert "chart-canvas" not in page.text
    assert 'id="dashboard-tiles"' not in page.text
    assert _rows(newcomer.get("/portal/dashboard/revenue.csv").content) == [
        ["Month", "Sales", "Refunds", "Channel revenue"]]
    # A window before anything happened: said in words, not drawn as zeros. What is owed
    # now does not depend on the window, so it still shows.
    alpha = sign_in(people.email_a)
    quiet = alpha.get("/portal/dashboard?end=2009-12&months=6")
    assert quiet.status_code == 200
    for empty in ("No sales or refunds in this window.",
                  "No deals registered or closed in this window.",
                  "No KPIs agreed for this window.", "No referral traffic in this window."):
        assert empty in quiet.text
    assert "chart-canvas" not in quiet.text
    assert _whole("150") in _tile(quiet.text, "owed")
    # Beta earned no commission: before its sale there is nothing at all to show.
    beta = sign_in(people.email_b)
    nothing = beta.get("/portal/dashboard?end=2009-12&months=6")
    assert "No activity in this window." in nothing.text
    assert 'id="dashboard-tiles"' not in nothing.text
    assert 'id="dashboard-window"' in nothing.text  # another window may be chosen


def test_staff_read_a_partners_dashboard_in_the_staff_layout(
    made: tuple[TwoPartners, partner_data.World], sign_in: Callable[..., Browser],  # noqa: F811
) -> None:
    people, world = made
    admin = sign_in(people.admin_email)
    partner_page = admin.get(f"/partners/{world.alpha}")
    assert f'href="/partners/{world.alpha}/dashboard"' in partner_page.text
    page = admin.get(f"/partners/{world.alpha}/dashboard")
    assert page.status_code == 200
    assert 'href="/pipeline"' in page.text  # the staff navigation
    assert 'href="/portal/dashboard"' not in page.text
    assert "Dashboard of Alpha Distribution" in _text(page.text)
    assert _whole("1400") in _tile(page.text, "revenue")
    assert f'href="/partners/{world.alpha}/dashboard/kpis.csv?program_id=' in page.text
    beta = admin.get(f"/partners/{world.beta}/dashboard")
    assert _whole("3000") in _tile(beta.text, "revenue")
    own = admin.get(f"/partners/{world.alpha}/dashboard/revenue.csv?months=3")
    assert _rows(own.content)[-1] == ["2011-03", "500.00", "100.00", "400.00"]
    assert admin.get("/portal/dashboard").status_code == 403
    assert admin.get("/partners/999999/dashboard").status_code == 404
