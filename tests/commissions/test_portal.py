"""The portal's commission pages on both databases: a partner sees its own balance,
statements, lines and payouts, downloads its statement, and gets 404 for another partner's
statement and its export; the pages read in Chinese too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import unescape

from qudao.accounts.roles import Role
from qudao.accounts.subject import SYSTEM
from qudao.commissions import payouts, runs, statements
from qudao.core.i18n import Translator
from qudao.db.session import Database
from tests.commissions import builders
from tests.fixtures.accounts import make_user
from tests.web.conftest import Browser, sign_in  # noqa: F401  (fixtures)

EN = Translator("en")
ZH = Translator("zh-CN")


@dataclass
class Books:
    alpha: int
    beta: int
    alpha_january: int
    alpha_february: int
    beta_january: int


def books(db: Database) -> Books:
    """Alpha: 80,000 in January (15%: 12,000, approved and paid) and 20,000 in February
    (3,000, a draft). Beta: 150,000 in January (20% of all: 30,000)."""
    program = builders.program(db)
    plan = builders.plan(db, program, name="Guide plan", tier_mode="whole")
    alpha = builders.partner(db, program, plan, name="Alpha Shop")
    beta = builders.partner(db, program, plan, name="Beta Shop")
    builders.won_deal(db, alpha, program, date(2011, 1, 5), [("SKU-A", 8_000_000)],
                      customer="Acme Retail")
    builders.won_deal(db, alpha, program, date(2011, 2, 3), [("SKU-B", 2_000_000)],
                      customer="Bolt Ltd")
    builders.won_deal(db, beta, program, date(2011, 1, 7), [("SKU-A", 15_000_000)],
                      customer="Secret Customer of Beta")
    make_user(db, "ana@alpha.example", Role.PARTNER_MEMBER, alpha)
    make_user(db, "ben@beta.example", Role.PARTNER_ADMIN, beta)
    with db.unit_of_work() as session:
        runs.run_period(session, SYSTEM, period="2011-01")
        runs.run_period(session, SYSTEM, period="2011-02")
    with db.unit_of_work() as session:
        found, _ = statements.list_statements(session, SYSTEM, limit=10, offset=0)
        ids = {(s.partner_id, s.period_key): s.id for s in found}
        statements.approve(session, SYSTEM, ids[(alpha, "2011-01")])
    with db.unit_of_work() as session:
        payouts.pay(session, SYSTEM, partner_id=alpha, currency="CNY",
                    method="bank_transfer", reference="TX-0042", paid_on=date(2011, 2, 15))
    return Books(alpha, beta, ids[(alpha, "2011-01")], ids[(alpha, "2011-02")],
                 ids[(beta, "2011-01")])


def _cny(amount: str, t: Translator = EN) -> str:
    return t.money(Decimal(amount), "CNY")


def test_a_partner_sees_its_own_balance_and_statements_only(
    sign_in: Callable[..., Browser], db: Database,  # noqa: F811
) -> None:
    found = books(db)
    alpha = sign_in("ana@alpha.example")
    page = alpha.get("/portal/commissions")
    assert page.status_code == 200
    text = unescape(page.text)
    balance = text.split('id="balance-CNY"', 1)[1].split("</tr>", 1)[0]
    # Owed now 3,000 (15,000 earned less 12,000 paid); draft 3,000; approved 0; paid 12,000.
    cells = [_cny("3000"), _cny("3000"), _cny("0"), _cny("12000"),
             EN.date(datetime(2011, 2, 15))]
    positions = [balance.index(cell) for cell in cells]
    assert positions == sorted(positions)
    listed = text.split('id="statement-table"', 1)[1].split("</table>", 1)[0]
    assert f"/portal/commissions/{found.alpha_january}" in listed
    assert f"/portal/commissions/{found.alpha_february}" in listed
    assert f"/portal/commissions/{found.beta_january}" not in listed
    assert "Paid out" in listed
    assert "Draft" in listed
    assert "TX-0042" in text
    assert "Bank transfer" in text
    assert _cny("30000") not in text
    assert "Beta Shop" not in text

    statement = alpha.get(f"/portal/commissions/{found.alpha_january}")
    assert statement.status_code == 200
    shown = unescape(statement.text)
    lines = shown.split('id="line-table"', 1)[1].split("</table>", 1)[0]
    assert "Acme Retail" in lines
    assert "SKU-A" in lines
    assert _cny("80000") in lines
    assert _cny("12000") in lines
    assert "15.0%" in lines
    assert "Bolt Ltd" not in lines
    for fmt in ("csv", "xlsx", "pdf"):
        assert f"/portal/commissions/{found.alpha_january}/export?format={fmt}" in shown
    csv = alpha.get(f"/portal/commissions/{found.alpha_january}/export?format=csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert "Acme Retail" in csv.content.decode("utf-8-sig")
    xlsx = alpha.get(f"/portal/commissions/{found.alpha_january}/export?format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"

    # Beta's statement and its downloads do not exist for Alpha.
    for url in (f"/portal/commissions/{found.beta_january}",
                f"/portal/commissions/{found.beta_january}/export?format=csv",
                f"/portal/commissions/{found.beta_january}/export?format=pdf"):
        refused = alpha.get(url)
        assert refused.status_code == 404, url
        assert "Secret Customer" not in refused.text
    assert alpha.get("/portal/commissions/999999").status_code == 404

    beta = sign_in("ben@beta.example")
    own = unescape(beta.get("/portal/commissions").text)
    assert _cny("30000") in own
    assert "TX-0042" not in own
    assert beta.get(f"/portal/commissions/{found.alpha_january}").status_code == 404
    assert beta.get(f"/portal/commissions/{found.beta_january}").status_code == 200


def test_the_portal_pages_in_chinese(
    sign_in: Callable[..., Browser], db: Database,  # noqa: F811
) -> None:
    found = books(db)
    alpha = sign_in("ana@alpha.example")
    alpha.use_language("zh-CN")
    page = alpha.get("/portal/commissions")
    assert page.status_code == 200
    text = unescape(page.text)
    assert '<html lang="zh-CN"' in text
    listed = text.split('id="statement-table"', 1)[1].split("</table>", 1)[0]
    assert ZH.gettext("Draft") in listed
    assert ZH.gettext("Draft") != "Draft"
    assert ZH.gettext("Paid out") in listed
    assert _cny("12000", ZH) in text
    for msgid in ("Balance", "Statements", "Payouts received", "Owed to you now"):
        assert ZH.gettext(msgid) in text
    statement = unescape(alpha.get(f"/portal/commissions/{found.alpha_january}").text)
    assert ZH.gettext("Customer") in statement
    assert ZH.gettext("Customer") != "Customer"
    assert ZH.gettext("Commission base") in statement
    assert ZH.date(datetime(2011, 1, 5)) in statement
    csv = alpha.get(f"/portal/commissions/{found.alpha_january}/export?format=csv")
    assert csv.status_code == 200
