"""The staff tool pages of commissions on both databases: the rate table (add a rate, a bad
file stores nothing and reports every bad row), imported sales and refunds (import, a
refund refused at its field in the reader's language) and what-if, which projects a tier
change per partner and writes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from html import unescape

from sqlalchemy import func, select

from qudao.accounts.roles import Role
from qudao.audit.models import AuditEntry
from qudao.commissions.models import (
    CommissionStatement,
    CurrencyRate,
    LedgerEntry,
    SalesTransaction,
)
from qudao.core.i18n import Translator
from qudao.db.session import Database
from tests.commissions import builders
from tests.fixtures.accounts import TwoPartners, make_user
from tests.web.conftest import (  # noqa: F401  (fixtures)
    Browser,
    sign_in,
    world,
)

EN = Translator("en")
ZH = Translator("zh-CN")


def _count(db: Database, model: type) -> int:
    with db.unit_of_work(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _upload(browser: Browser, url: str, name: str, body: str,
            check_only: bool = False) -> str:
    data = {"csrf_token": browser.csrf}
    if check_only:
        data["check_only"] = "on"
    response = browser.client.post(url, data=data, files={"file": (name, body.encode(),
                                                                   "text/csv")})
    return f"{response.status_code}\n{response.text}"


def _field_error(html: str, input_id: str) -> str:
    found = re.search(rf'id="{input_id}-error">([^<]*)<', html)
    assert found, f"no error at {input_id}"
    return unescape(found.group(1))


def _problems(html: str) -> list[tuple[str, str]]:
    """(row, column) of the report's table of bad rows."""
    table = html.split('class="problems problems-error"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="num">(\d+)</td><td>([^<]*)</td>', table)


def test_rates_add_and_a_bad_file_stores_nothing(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database,  # noqa: F811
) -> None:
    admin = sign_in(world.admin_email)
    page = admin.get("/commissions/rates")
    assert page.status_code == 200
    assert "never fetched from the network" in page.text
    assert "latest rate on or before its day" in page.text
    assert "No exchange rates yet." in page.text

    added = admin.post("/commissions/rates", {"rate_date": "2011-01-03", "base": "usd",
                                              "quote": "CNY", "rate": "7.1234"})
    assert added.status_code == 303, added.text
    listed = admin.get("/commissions/rates").text
    assert "The exchange rate was stored." in listed
    assert "7.1234" in listed
    assert "USD" in listed

    refused = admin.post("/commissions/rates", {"rate_date": "2011-01-03", "base": "USD",
                                                "quote": "USD", "rate": "abc"})
    assert refused.status_code == 422
    assert "choose two different currencies" in _field_error(refused.text, "rate-quote")
    assert 'value="abc"' in refused.text
    other = admin.post("/commissions/rates", {"rate_date": "2011-01-03", "base": "USD",
                                              "quote": "CNY", "rate": "7.2"})
    assert other.status_code == 409
    assert "already stored" in _field_error(other.text, "rate-rate")
    assert _count(db, CurrencyRate) == 1

    bad = ("date,base,quote,rate\n2011-02-01,EUR,CNY,7.9\n2011-02-30,EUR,CNY,7.9\n"
           "2011-02-02,EUR,EUR,1\n2011-02-03,EUR,CNY,-2\n")
    result = _upload(admin, "/commissions/rates/import", "rates.csv", bad)
    assert result.startswith("422")
    assert _problems(result) == [("3", "date"), ("4", "quote"), ("5", "rate")]
    assert "Rows with problems: 3." in result
    assert _count(db, CurrencyRate) == 1

    good = "date,base,quote,rate\n2011-02-01,EUR,CNY,7.9\n2011-02-02,EUR,CNY,7.95\n"
    checked = _upload(admin, "/commissions/rates/import", "rates.csv", good, check_only=True)
    assert checked.startswith("200")
    assert "Nothing was written yet." in checked
    assert _count(db, CurrencyRate) == 1
    imported = _upload(admin, "/commissions/rates/import", "rates.csv", good)
    assert imported.startswith("200")
    assert "2 new" in imported
    assert _count(db, CurrencyRate) == 3
    filtered = admin.get("/commissions/rates?base=eur").text
    assert "7.95" in filtered
    assert "7.1234" not in filtered

    # Read-only staff see the table, not the forms; a post is refused.
    make_user(db, "reader@example.com", Role.ANALYST)
    reader = sign_in("reader@example.com")
    seen = reader.get("/commissions/rates").text
    assert "7.1234" in seen
    assert 'method="post" action="/commissions/rates"' not in seen
    assert 'action="/commissions/rates/import"' not in seen
    assert reader.post("/commissions/rates", {"rate_date": "2011-03-01", "base": "USD",
                                              "quote": "CNY", "rate": "7"}).status_code == 403
    assert _count(db, CurrencyRate) == 3

    admin.use_language("zh-CN")
    chinese = admin.get("/commissions/rates").text
    assert '<html lang="zh-CN"' in chinese
    assert ZH.gettext("Filter") in chinese
    assert ZH.gettext("Upload a file") in chinese
    for msgid in ("Exchange rates", "Add a rate", "Store the rate"):
        assert ZH.gettext(msgid) in chinese
    empty = admin.post("/commissions/rates", {"rate_date": "2011-03-01", "base": "USD",
                                              "quote": "CNY", "rate": ""})
    assert empty.status_code == 422
    assert _field_error(empty.text, "rate-rate") != ""


SALES = ("external_ref,kind,date,partner,sku,description,quantity,amount,currency,"
         "customer_ref,customer_name,refund_of\n"
         "S-1,sale,2011-01-10,Gamma Retail,SKU-1,Licence,1,1000.00,CNY,C-1,Acme,\n"
         "R-1,refund,2011-01-20,Gamma Retail,SKU-1,Licence,1,200.00,CNY,C-1,Acme,S-1\n")


def test_sales_import_and_a_refund_refused_at_its_field(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database,  # noqa: F811
) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program)
    builders.partner(db, program, plan, name="Gamma Retail")
    admin = sign_in(world.admin_email)
    assert "No imported sales or refunds yet." in admin.get("/commissions/sales").text

    imported = _upload(admin, "/commissions/sales/import", "sales.csv", SALES)
    assert imported.startswith("200"), imported[:2000]
    assert _count(db, SalesTransaction) == 2
    listed = admin.get("/commissions/sales").text
    assert "S-1" in listed
    assert "R-1" in listed
    assert "Gamma Retail" in listed
    refunds = admin.get("/commissions/sales?kind=refund").text
    assert "R-1" in refunds
    assert ">S-1<" in refunds

    bad = SALES.replace("S-1,sale", "S-2,sale").replace("R-1,refund", "R-2,refund") \
        .replace("Gamma Retail,SKU-1,Licence,1,1000", "Nobody Ltd,SKU-1,Licence,1,1000")
    rejected = _upload(admin, "/commissions/sales/import", "sales.csv", bad)
    assert rejected.startswith("422")
    assert ("2", "partner") in _problems(rejected)
    assert _count(db, SalesTransaction) == 2

    with db.unit_of_work(read_only=True) as session:
        sale_id = session.scalar(select(SalesTransaction.id)
                                 .where(SalesTransaction.external_ref == "S-1"))
    too_much = admin.post("/commissions/sales/refund", {
        "transaction_id": str(sale_id), "amount": "900.00", "occurred_on": "2011-02-01",
        "reason": "Returned"})
    assert too_much.status_code == 422
    assert "at most 800.00 CNY is left to refund" in _field_error(too_much.text,
                                                                   "refund-amount")
    assert 'value="900.00"' in too_much.text
    unknown = admin.post("/commissions/sales/refund", {
        "transaction_id": "987654", "amount": "1", "occurred_on": "2011-02-01"})
    assert unknown.status_code == 422
    assert "Sale 987654 was not found." in _field_error(unknown.text,
                                                         "refund-transaction_id")
    neither = admin.post("/commissions/sales/refund", {"amount": "1",
                                                       "occurred_on": "2011-02-01"})
    assert neither.status_code == 422
    assert "Name the deal line or the sale" in _field_error(neither.text,
                                                             "refund-deal_line_id")
    assert _count(db, SalesTransaction) == 2

    done = admin.post("/commissions/sales/refund", {
        "transaction_id": str(sale_id), "amount": "300", "occurred_on": "2011-02-01",
        "reason": "Partly returned"})
    assert done.status_code == 303, done.text
    assert "The refund was recorded." in admin.get("/commissions/sales").text
    assert _count(db, SalesTransaction) == 3

    admin.use_language("zh-CN")
    chinese = admin.post("/commissions/sales/refund", {"transaction_id": str(sale_id),
                                                       "occurred_on": "2011-02-01"})
    assert chinese.status_code == 422
    assert _field_error(chinese.text, "refund-amount") == ZH.gettext("Fill in this field.")
    assert ZH.gettext("Fill in this field.") != "Fill in this field."
    page = admin.get("/commissions/sales").text
    for msgid in ("Sales and refunds", "Record a refund", "Partner", "Amount"):
        assert ZH.gettext(msgid) in page
    assert _count(db, SalesTransaction) == 3


def _writes(db: Database) -> tuple[int, ...]:
    return tuple(_count(db, m) for m in (LedgerEntry, CommissionStatement, SalesTransaction,
                                         CurrencyRate, AuditEntry))


def test_whatif_projects_a_tier_change_and_writes_nothing(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database,  # noqa: F811
) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, name="Guide plan", tier_mode="whole")
    big = builders.partner(db, program, plan, name="Big Partner")
    small = builders.partner(db, program, plan, name="Small Partner")
    builders.won_deal(db, big, program, date(2011, 1, 5), [("A", 15_000_000)])
    builders.won_deal(db, small, program, date(2011, 1, 9), [("A", 6_000_000)])
    builders.won_deal(db, small, program, date(2011, 2, 9), [("A", 2_000_000)])
    admin = sign_in(world.admin_email)

    start = admin.get("/commissions/whatif")
    assert start.status_code == 200
    assert "Nothing is posted" in start.text
    # The form starts from the plan's tiers.
    assert 'name="threshold_1" value="100000.00"' in start.text
    assert 'name="rate_1" value="20%"' in start.text

    before = _writes(db)
    query = (f"/commissions/whatif?show=1&plan={plan}&periods_text=2011-01+2011-02"
             "&kind=tiered&threshold_0=0&rate_0=15%25&threshold_1=50000&rate_1=25%25"
             "&threshold_2=&rate_2=&tier_mode=whole&boundary=inclusive")
    page = admin.get(query)
    assert page.status_code == 200, page.text
    text = unescape(page.text)
    table = text.split('id="whatif-table"', 1)[1].split("</table>", 1)[0]
    # Each period is tiered on its own. Big: 150,000 in January, at 20% now and 25%
    # proposed. Small: 60,000 in January (15% now, 25% proposed) and 20,000 in February
    # (15% either way).
    for amount in ("150,000.00", "30,000.00", "37,500.00", "+CN¥7,500.00", "120,000.00",
                   "112,500.00", "80,000.00", "12,000.00", "18,000.00", "+CN¥6,000.00",
                   "68,000.00", "62,000.00", "230,000.00", "42,000.00", "55,500.00",
                   "+CN¥13,500.00"):
        assert amount in table, amount
    assert table.index("Big Partner") < table.index("Small Partner")
    assert "nothing was posted or stored" in text
    assert 'data-chart="whatif-chart-data"' in page.text
    spec = text.split('id="whatif-chart-data">', 1)[1].split("</script>", 1)[0]
    assert '"categories": ["Big Partner", "Small Partner"]' in spec
    assert '"37500.00"' in spec
    assert '"30000.00"' in spec
    assert "Show the numbers" in text
    csv_url = re.search(r'href="(/commissions/whatif\.csv\?[^"]+)"', page.text)
    assert csv_url
    csv = admin.get(unescape(csv_url.group(1)))
    assert csv.status_code == 200
    assert "Big Partner,150000.00,30000.00,37500.00,7500.00,120000.00,112500.00" in csv.text
    assert "Total,230000.00,42000.00,55500.00,13500.00,188000.00,174500.00" in csv.text
    assert _writes(db) == before

    refused = admin.get(query.replace("rate_1=25%25", "rate_1=abc"))
    assert refused.status_code == 422
    assert "is not a rate" in _field_error(refused.text, "wi-rate_1")
    no_period = admin.get(query.replace("periods_text=2011-01+2011-02", "periods_text=")
                          .replace("show=1", "show=1&period="))
    assert no_period.status_code == 422
    assert "Choose at least one past period." in _field_error(no_period.text,
                                                               "wi-periods_text")
    assert _writes(db) == before

    admin.use_language("zh-CN")
    # Choosing the language is audited; the projection is not.
    before = _writes(db)
    chinese = admin.get(query)
    assert chinese.status_code == 200
    assert ZH.gettext("Show the numbers") in chinese.text
    assert ZH.gettext("Download CSV") in chinese.text
    for msgid in ("What-if", "Current payout", "Proposed payout", "Tier mode"):
        assert ZH.gettext(msgid) in chinese.text
    assert _writes(db) == before
    assert EN.money(Decimal("37500"), "CNY") == "CN¥37,500.00"
