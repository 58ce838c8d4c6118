"""A small GBP channel for the staff dashboard's page and browser tests: Alpha brings 81 %
of the revenue from July to September 2011, Beta the rest; one open deal, a refund, a sale
credited to no partner and a goal."""

from __future__ import annotations

from qudao.db.session import Database
from tests.dashboards.builders import deal, direct_sale, goal, program, refund, sign
from tests.fixtures.accounts import TwoPartners


def build(db: Database, world: TwoPartners) -> int:
    """The data; returns the program's id."""
    gift = program(db)
    sign(db, world.partner_a, world.partner_b)
    deal(db, world.partner_a, gift, 5_000_000, closed="2011-07-04 09:00")
    deal(db, world.partner_a, gift, 3_100_000, closed="2011-09-30 23:59:59")
    deal(db, world.partner_b, gift, 1_900_000, closed="2011-08-15 12:00")
    deal(db, world.partner_b, gift, 700_000, stage="registered", created="2011-08-20")
    refund(db, world.partner_a, gift, "2011-09-12", 10_000)
    direct_sale(db, gift, "2011-07-06 10:00", 120_000)
    goal(db, gift, world.admin_email, title="£100k through partners in Q3",
         target_minor=10_000_000, start="2011-07-01", deadline="2011-10-01")
    return gift
