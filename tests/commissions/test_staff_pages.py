"""The staff commission pages on both databases: a period run through the form (and run
again: nothing new), a statement with its lines and a total that is their sum, approval,
payment and reversal through their forms, a bad period refused in both languages with
nothing written, a read-only analyst who sees no form and whose posts are refused, and
partner users kept out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from markupsafe import escape
from sqlalchemy import select

from qudao.accounts.roles import Role
from qudao.commissions.models import CommissionRun, CommissionStatement, Payout
from qudao.commissions.periods import BAD_PERIOD
from qudao.core import clock
from qudao.core.i18n import translate
from qudao.db.session import Database
from tests.commissions import builders
from tests.fixtures.accounts import make_user
from tests.web.conftest import (  # noqa: F401  (fixtures)
    Browser,
    actions,
    count,
    sign_in,
)

ADMIN = "admin@example.com"
ANALYST = "ana@example.com"
PARTNER_USER = "p@alpha.example"


@dataclass
class Setup:
    program: int
    plan: int
    partner: int


def _setup(db: Database) -> Setup:
    """Alpha: a won deal of ¥80,000.00 and an imported sale of US$100.00 at 6.5, under a
    flat 10% plan with a minimum payout of ¥100.00."""
    program = builders.program(db)
    plan = builders.plan(db, program, name="Flat ten", kind="flat", flat_rate="0.10",
                         min_payout_minor=10_000)
    partner = builders.partner(db, program, plan, name="Alpha Trading")
    builders.won_deal(db, partner, program, date(2011, 1, 5), [("QD-CLOUD", 8_000_000)],
                      customer="Acme Retail")
    builders.rate(db, date(2011, 1, 1), "USD", "CNY", "6.5")
    builders.sale(db, partner, date(2011, 1, 10), 10_000, currency="USD", sku="QD-EDGE",
                  program_id=program)
    make_user(db, ADMIN, Role.ADMIN)
    make_user(db, ANALYST, Role.ANALYST)
    make_user(db, PARTNER_USER, Role.PARTNER_ADMIN, partner)
    return Setup(program, plan, partner)


def _statement_id(db: Database) -> int:
    with db.unit_of_work(read_only=True) as session:
        found = session.scalar(select(CommissionStatement.id))
        assert found is not None
        return int(found)


def _run(admin: Browser, period: str = "2011-01") -> str:
    response = admin.post("/commissions/run", {"period": period})
    assert response.status_code == 303, response.text
    assert re.match(r"/commissions\?run=\d+#runs$", response.headers["location"])
    return admin.get(response.headers["location"]).text


def test_run_approve_pay_and_reverse_through_the_forms(
    sign_in: Callable[..., Browser], db: Database  # noqa: F811
) -> None:
    setup = _setup(db)
    admin = sign_in(ADMIN)
    empty = admin.get("/commissions")
    assert empty.status_code == 200
    assert 'action="/commissions/run"' in empty.text
    assert "2011-01, 2011-Q1 or 2011-01-05..2011-02-04" in empty.text
    # One program: no program to choose.
    assert 'name="program_id"' not in empty.text

    page = _run(admin)
    assert "The run is done and posted new lines" in page
    assert "The run of 2011-01 posted 2 lines to 1 statements." in page
    assert "¥8,065.00" in page
    statement_id = _statement_id(db)
    assert f'href="/commissions/statements/{statement_id}"' in page
    again = _run(admin)
    assert "nothing new was posted" in again
    assert "The run of 2011-01 posted nothing new." in again
    assert count(db, CommissionRun) == 2
    assert count(db, CommissionStatement) == 1

    url = f"/commissions/statements/{statement_id}"
    statement = admin.get(url).text
    assert f'href="/partners/{setup.partner}"' in statement
    assert "Alpha Trading" in statement
    assert "Acme Retail" in statement
    assert 'href="/deals/' in statement
    assert "QD-EDGE" in statement
    assert "$100.00" in statement
    assert "at 6.5" in statement
    assert "¥650.00" in statement
    assert "¥65.00" in statement
    assert "¥8,000.00" in statement
    footer = statement.split('id="lines-total"', 1)[1].split("</tr>", 1)[0]
    assert "Total of 2 lines" in footer
    assert "¥8,065.00" in footer
    assert "¥80,650.00" in footer
    assert "= the statement&#39;s total" in footer
    downloads = (("csv", "text/csv", b""), ("xlsx", "application/vnd.openxml", b"PK"),
                 ("pdf", "application/pdf", b"%PDF"))
    for fmt, media, start in downloads:
        assert f"{url}/export?format={fmt}" in statement
        download = admin.get(f"{url}/export?format={fmt}")
        assert download.status_code == 200
        assert download.headers["content-type"].startswith(media)
        assert f"statement-{statement_id}.{fmt}" in download.headers["content-disposition"]
        assert download.content.startswith(start)
        if fmt == "csv":
            assert "QD-CLOUD" in download.text
    assert admin.get(f"{url}/export?format=doc").status_code == 422
    assert f'action="{url}/approve"' in statement
    assert 'id="pay-form"' not in statement

    assert admin.post(f"{url}/approve").status_code == 303
    approved = admin.get(url).text
    assert "The statement was approved" in approved
    assert f'action="{url}/approve"' not in approved
    assert 'id="pay-form"' in approved
    assert "Payable now" in approved
    assert "¥100.00" in approved
    twice = admin.post(f"{url}/approve")
    assert twice.status_code == 409
    assert "Only a draft statement can be approved" in twice.text

    today = clock.now().date().isoformat()
    form = {"statement_id": str(statement_id), "partner_id": str(setup.partner),
            "currency": "CNY", "method": "bank_transfer", "reference": "", "paid_on": today}
    missing = admin.post("/commissions/payouts", form)
    assert missing.status_code == 422
    assert "Give the payment&#39;s reference" in missing.text
    assert count(db, Payout) == 0
    paid = admin.post("/commissions/payouts", {**form, "reference": "TX-2011-01"})
    assert paid.status_code == 303
    assert paid.headers["location"] == url
    paid_page = admin.get(url).text
    assert "The payout was recorded" in paid_page
    assert "Paid by payout #" in paid_page
    assert 'id="pay-form"' not in paid_page
    with db.unit_of_work(read_only=True) as session:
        payout = session.scalars(select(Payout)).one()
        assert payout.amount_minor == 806_500
        payout_id = payout.id

    listed = admin.get("/commissions/payouts").text
    assert "TX-2011-01" in listed
    assert "Bank transfer" in listed
    assert "¥8,065.00" in listed
    reverse = f"/commissions/payouts/{payout_id}/reverse"
    assert f'action="{reverse}"' in listed
    no_reason = admin.post(reverse, {"reason": " "})
    assert no_reason.status_code == 422
    assert "Say why the payout is reversed." in no_reason.text
    assert admin.post(reverse, {"reason": "Returned by the bank"}).status_code == 303
    after = admin.get("/commissions/payouts").text
    assert "The payout was reversed" in after
    assert "Returned by the bank" in after
    assert f'action="{reverse}"' not in after
    assert 'id="pay-form"' in admin.get(url).text
    assert {"commission.run", "statement.approve", "payout.create",
            "payout.reverse"} <= set(actions(db))


def test_the_statement_list_filters_and_totals_per_state(
    sign_in: Callable[..., Browser], db: Database  # noqa: F811
) -> None:
    setup = _setup(db)
    other = builders.partner(db, setup.program, setup.plan, name="Beta Systems")
    builders.won_deal(db, other, setup.program, date(2011, 2, 3), [("QD-CLOUD", 1_000_000)])
    admin = sign_in(ADMIN)
    _run(admin, "2011-01")
    _run(admin, "2011-02")
    listed = admin.get("/commissions").text
    assert "Alpha Trading" in listed
    assert "Beta Systems" in listed
    draft_total = listed.split('id="state-total-draft"', 1)[1].split("</li>", 1)[0]
    assert "¥9,065.00" in draft_total
    february = admin.get("/commissions?period=2011-02&state=&partner_id=").text
    assert "Beta Systems" in february.split('id="statement-list"', 1)[1]
    assert "Alpha Trading" not in february.split('id="statement-list"', 1)[1]
    assert "No statement matches these filters." in admin.get(
        "/commissions?state=paid").text
    by_partner = admin.get(f"/commissions?partner_id={other}").text
    assert "¥1,000.00" in by_partner.split('id="statement-list"', 1)[1]


def test_a_bad_period_is_refused_in_both_languages_and_writes_nothing(
    sign_in: Callable[..., Browser], db: Database  # noqa: F811
) -> None:
    _setup(db)
    admin = sign_in(ADMIN)
    for locale in ("en", "zh-CN"):
        admin.use_language(locale)
        refused = admin.post("/commissions/run", {"period": "2011-13"})
        assert refused.status_code == 422
        assert f'lang="{locale}"' in refused.text
        message = translate(locale, BAD_PERIOD, value="2011-13")
        assert str(escape(message)) in refused.text
        # The typed value stays in the field, marked.
        assert 'value="2011-13"' in refused.text
        assert 'aria-invalid="true"' in refused.text
    empty = admin.post("/commissions/run", {"period": ""})
    assert empty.status_code == 422
    assert count(db, CommissionRun) == 0
    assert count(db, CommissionStatement) == 0
    assert "commission.run" not in actions(db)


def test_a_read_only_analyst_sees_no_forms_and_cannot_post(
    sign_in: Callable[..., Browser], db: Database  # noqa: F811
) -> None:
    _setup(db)
    admin = sign_in(ADMIN)
    _run(admin)
    statement_id = _statement_id(db)
    url = f"/commissions/statements/{statement_id}"
    analyst = sign_in(ANALYST)
    listed = analyst.get("/commissions")
    assert listed.status_code == 200
    assert 'action="/commissions/run"' not in listed.text
    assert f'href="{url}"' in listed.text
    page = analyst.get(url)
    assert page.status_code == 200
    assert "Acme Retail" in page.text
    assert f'action="{url}/approve"' not in page.text
    assert analyst.post("/commissions/run", {"period": "2011-02"}).status_code == 403
    assert analyst.post(f"{url}/approve").status_code == 403
    assert admin.post(f"{url}/approve").status_code == 303
    assert 'id="pay-form"' not in analyst.get(url).text
    today = clock.now().date().isoformat()
    with db.unit_of_work(read_only=True) as session:
        partner_id = session.scalars(select(CommissionStatement.partner_id)).one()
    assert analyst.post("/commissions/payouts", {
        "statement_id": str(statement_id), "partner_id": str(partner_id), "currency": "CNY",
        "method": "bank_transfer", "reference": "X", "paid_on": today}).status_code == 403
    assert count(db, CommissionRun) == 1
    assert count(db, Payout) == 0
    with db.unit_of_work(read_only=True) as session:
        assert session.scalars(select(CommissionStatement.state)).one() == "approved"


def test_partner_users_are_kept_out_of_the_staff_pages(
    sign_in: Callable[..., Browser], db: Database  # noqa: F811
) -> None:
    _setup(db)
    _run(sign_in(ADMIN))
    statement_id = _statement_id(db)
    partner = sign_in(PARTNER_USER)
    for path in ("/commissions", f"/commissions/statements/{statement_id}",
                 f"/commissions/statements/{statement_id}/export?format=csv",
                 "/commissions/payouts"):
        response = partner.get(path)
        assert response.status_code in (403, 404), path
        assert "Acme Retail" not in response.text
    assert partner.post("/commissions/run", {"period": "2011-02"}).status_code == 403
    assert partner.post(
        f"/commissions/statements/{statement_id}/approve").status_code == 403
    with db.unit_of_work(read_only=True) as session:
        assert session.scalars(select(CommissionStatement.state)).one() == "draft"
