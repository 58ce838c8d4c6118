"""The figures of one partner's dashboard on both databases, from a small world whose every
sum is stated in tests/dashboards/partner_data.py; and who may read them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from qudao.accounts.roles import Role
from qudao.accounts.subject import SYSTEM, AuthSubject
from qudao.core import clock
from qudao.core.config import Settings
from qudao.core.errors import NotFound
from qudao.dashboards import partner as figures
from qudao.dashboards.window import Window, window_for
from qudao.db.session import Database
from tests.dashboards import builders, partner_data
from tests.fixtures.accounts import two_partners

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _as_alpha(world: partner_data.World) -> AuthSubject:
    return AuthSubject(kind="partner_user", role=Role.PARTNER_ADMIN, user_id=1,
                       partner_id=world.alpha, label="a@alpha.example")


@pytest.fixture
def world(db: Database, settings: Settings) -> partner_data.World:
    clock.freeze(NOW)
    return partner_data.build(db, two_partners(db, settings))


def test_every_figure_of_a_partners_dashboard(db: Database, world: partner_data.World) -> None:
    alpha = _as_alpha(world)
    with db.unit_of_work(read_only=True) as session:
        programs = figures.programs_of(session, alpha, world.alpha)
        assert [(p.id, p.currency, p.won_deals) for p in programs] == [(world.program, "GBP", 2)]
        program = figures.choose_program(programs, None)
        assert program is not None
        window = window_for(session, program.id)
        assert (window.first_month, window.last_month) == (date(2010, 4, 1), date(2011, 3, 1))
        board = figures.partner_dashboard(session, alpha, world.alpha, program, window)

        by_month = {m.month: (m.sales_minor, m.refunds_minor, m.net_minor) for m in board.revenue}
        assert len(board.revenue) == 12
        assert by_month[date(2011, 1, 1)] == (100_000, 0, 100_000)
        assert by_month[date(2011, 2, 1)] == (0, 0, 0)  # Beta's sale is not Alpha's
        assert by_month[date(2011, 3, 1)] == (50_000, 10_000, 40_000)
        assert sum(v[2] for v in by_month.values()) == 140_000

        stages = {s.stage: (s.count, s.amount_minor) for s in board.stages}
        assert stages == {"registered": (1, 20_000), "approved": (0, 0), "rejected": (0, 0),
                          "won": (2, 150_000), "lost": (1, 5_000)}
        assert board.won_deals == 2

        # 1,400 of the program's 4,400: only the share, never the total or anyone else's.
        assert board.share == figures.RevenueShare(140_000, Decimal("31.8"))

        revenue_kpi, customers_kpi = board.kpis
        assert (revenue_kpi.first, revenue_kpi.last) == (date(2011, 1, 1), date(2011, 3, 31))
        assert (revenue_kpi.target, revenue_kpi.actual) == (Decimal("900.00"), Decimal("1500.00"))
        assert (revenue_kpi.percent, revenue_kpi.status) == (Decimal("166.7"), "on_track")
        assert revenue_kpi.money
        assert (customers_kpi.target, customers_kpi.actual) == (Decimal(5), Decimal(2))
        assert (customers_kpi.percent, customers_kpi.status) == (Decimal("40.0"), "behind")
        assert board.kpis_on_track == 1

        [balance] = board.commissions.balances
        assert (balance.currency, balance.payable_minor, balance.draft_minor) == ("GBP", 15_000,
                                                                                 15_000)
        [statement] = board.commissions.statements
        assert (statement.period_key, statement.total_minor) == ("2011-01", 15_000)

        steps = [(s.kind, s.count) for s in board.funnel.funnel.steps]
        assert steps == [("visit", 4), ("signup", 1), ("trial", 0), ("paid", 0)]
        assert board.funnel.events == 5
        assert board.funnel.funnel.synthetic_events == 2
        assert board.funnel.synthetic_percent == Decimal("40.00")
        assert not board.is_empty


def test_a_window_cuts_the_kpi_targets_and_keeps_the_pace(
    db: Database, world: partner_data.World
) -> None:
    """Two months of a monthly KPI: twice its target. While the window runs, a KPI is on
    track at or above a steady pace to its target, not only once it is met."""
    with db.unit_of_work(read_only=True) as session:
        [program] = figures.programs_of(session, SYSTEM, world.alpha)
        two = Window(date(2011, 2, 1), date(2011, 3, 1))
        revenue_kpi, customers_kpi = figures.kpi_figures(session, world.alpha, program, two)
        assert (revenue_kpi.target, revenue_kpi.actual) == (Decimal("600.00"), Decimal("500.00"))
        assert revenue_kpi.status == "behind"
        # 5 a quarter over two months: 3.3 customers; Bolt is the one new in the window.
        assert (customers_kpi.target, customers_kpi.actual) == (Decimal("3.3"), Decimal(1))

        # Halfway through March 2011 (16 of 31 days past), 500 of a 300 target is ahead of
        # the pace; 0 customers of 1.7 is behind it.
        clock.freeze(datetime(2011, 3, 16, 12, tzinfo=UTC))
        march = Window(date(2011, 3, 1), date(2011, 3, 1))
        revenue_kpi, customers_kpi = figures.kpi_figures(session, world.alpha, program, march)
        assert revenue_kpi.expected == Decimal("154.84")  # 300 × 16/31
        assert revenue_kpi.status == "on_track"
        assert customers_kpi.target == Decimal("1.7")
        # Outside the agreement's term there is no KPI at all.
        before = Window(date(2010, 1, 1), date(2010, 12, 1))
        assert figures.kpi_figures(session, world.alpha, program, before) == []


def test_partner_users_read_only_their_own_partner(
    db: Database, world: partner_data.World
) -> None:
    alpha = _as_alpha(world)
    with db.unit_of_work(read_only=True) as session:
        with pytest.raises(NotFound):
            figures.programs_of(session, alpha, world.beta)
        [program] = figures.programs_of(session, SYSTEM, world.beta)
        window = window_for(session, program.id)
        with pytest.raises(NotFound):
            figures.partner_dashboard(session, alpha, world.beta, program, window)
        # Staff read Beta's: all of the program's other revenue is Beta's.
        beta = figures.partner_dashboard(session, SYSTEM, world.beta, program, window)
        assert beta.share == figures.RevenueShare(300_000, Decimal("68.2"))
        assert beta.kpis == []
        # A program the partner takes no part in answers 404, like a missing one.
        with pytest.raises(NotFound):
            figures.choose_program([program], program.id + 1)


def test_a_partner_without_activity_has_an_empty_dashboard(
    db: Database, settings: Settings
) -> None:
    clock.freeze(NOW)
    world = two_partners(db, settings)
    program = builders.program(db, name="Quiet program", currency="CNY")
    [gamma] = builders.partners(db, "Gamma Trading")
    builders.deal(db, world.partner_a, program, 10_000, closed="2024-05-02")
    with db.unit_of_work(read_only=True) as session:
        assert figures.programs_of(session, SYSTEM, gamma) == []
        assert figures.choose_program([], None) is None
        [choice] = figures.programs_of(session, SYSTEM, world.partner_a)
        # A window with nothing in it: empty, so the page says so instead of drawing zeros.
        quiet = Window(date(2023, 1, 1), date(2023, 12, 1))
        board = figures.partner_dashboard(session, SYSTEM, world.partner_a, choice, quiet)
        assert board.is_empty
        assert [board.has_revenue, board.has_deals, board.has_funnel] == [False] * 3
        assert board.share.percent is None
        assert all(m.net_minor == 0 for m in board.revenue)


def test_months_between_counts_part_months_by_their_days() -> None:
    assert figures.months_between(date(2011, 1, 1), date(2011, 3, 31)) == 3
    assert figures.months_between(date(2011, 2, 15), date(2011, 2, 28)) == Decimal(14) / 28
    six = Decimal("0.000001")
    assert figures.months_between(date(2011, 1, 16), date(2011, 2, 28)).quantize(six) == \
        Decimal("1.516129")  # 16 of January's 31 days, and all of February
