"""A small, exactly known world for the partner dashboard: a GBP program where Alpha (partner
A of the two-partner world) sells, refunds, registers deals, has an agreement with two KPIs,
a commission statement and referral traffic (part of it synthetic), and Beta (partner B)
sells more than Alpha, with figures that must never show on Alpha's pages.

Alpha:  won 1,000.00 (2011-01-10, customer Acme), won 500.00 (2011-03-05, customer Bolt),
        refund 100.00 (2011-03-20), a deal registered 2011-02-01 (200.00), a lost deal
        closed 2011-02-15 (50.00).
Beta:   won 3,000.00 (2011-02-10).
The program's channel revenue over the window is 4,400.00; Alpha's 1,400.00 (31.8 %).
The latest activity is in March 2011: the default window is April 2010 – March 2011.
KPIs of Alpha's agreement (2011-01-01 – 2011-12-31): channel revenue 300.00 a month (over
the window's January – March: target 900.00, actual 1,500.00: 166.7 %, on track) and new
customers 5 a quarter (target 5, actual 2: 40 %, behind).
Commission: 15 % of January's 1,000.00, a draft statement of 150.00 owed now.
Referrals: 4 visits (2 of them synthetic), 1 sign-up, in February 2011."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from qudao.accounts.subject import SYSTEM
from qudao.agreements.models import Agreement, AgreementKpi
from qudao.commissions import runs
from qudao.db.session import Database
from qudao.referrals.models import ReferralEvent
from tests.commissions import builders as commission_builders
from tests.dashboards import builders
from tests.fixtures.accounts import TwoPartners

BETA_SECRET = "3,000.00"  # Beta's revenue as the English pages would write it


@dataclass(frozen=True)
class World:
    program: int
    alpha: int
    beta: int


def build(db: Database, world: TwoPartners) -> World:
    program = builders.program(db, name="Gift-ware 2011", currency="GBP")
    plan = commission_builders.plan(db, program, name="Gift plan", currency="GBP",
                                    tier_mode="whole")
    alpha, beta = world.partner_a, world.partner_b
    with db.unit_of_work() as session:
        agreement = Agreement(partner_id=alpha, program_id=program, plan_id=plan,
                              territory="UK", starts_on=date(2011, 1, 1),
                              ends_on=date(2011, 12, 31), state="active", in_force=True)
        agreement.kpis = [
            AgreementKpi(metric="channel_revenue", target=30_000, period="month", position=0),
            AgreementKpi(metric="new_customers", target=5, period="quarter", position=1)]
        session.add(agreement)
    commission_builders.won_deal(db, alpha, program, date(2011, 1, 10), [("SKU-A", 100_000)],
                                 currency="GBP", customer="Acme")
    commission_builders.won_deal(db, alpha, program, date(2011, 3, 5), [("SKU-B", 50_000)],
                                 currency="GBP", customer="Bolt")
    builders.refund(db, alpha, program, "2011-03-20", -10_000)
    builders.deal(db, alpha, program, 20_000, stage="registered", created="2011-02-01")
    builders.deal(db, alpha, program, 5_000, stage="lost", closed="2011-02-15")
    builders.deal(db, beta, program, 300_000, closed="2011-02-10 12:00")
    with db.unit_of_work() as session:
        runs.run_period(session, SYSTEM, period="2011-01", program_id=program)
    with db.unit_of_work() as session:
        at = datetime(2011, 2, 3, 12, tzinfo=UTC)
        for number, synthetic in enumerate((False, False, True, True)):
            session.add(ReferralEvent(kind="visit", partner_id=alpha, visitor_id=f"v{number}",
                                      occurred_at=at, synthetic=synthetic))
        session.add(ReferralEvent(kind="signup", partner_id=alpha, visitor_id="v0",
                                  customer_id="c0", occurred_at=at))
    return World(program, alpha, beta)
