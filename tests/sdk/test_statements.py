"""The SDK's commission calls against the running app: a partner's key reads its own
statements, lines and balance, and nothing of another partner's."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from fastapi import FastAPI
from qudao_sdk import AsyncQudaoClient, NotFoundError, QudaoClient

from qudao.accounts.subject import SYSTEM
from qudao.agreements.models import Agreement
from qudao.commissions import runs
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.commissions import builders
from tests.fixtures.accounts import two_partners
from tests.support.live_server import serve


def _commissioned(db: Database, partner_id: int) -> None:
    """Partner A on the guide's marginal tiers, 150,000.00 sold in January 2011, run."""
    program = builders.program(db)
    plan = builders.plan(db, program, tier_mode="marginal")
    with db.unit_of_work() as session:
        session.add(Agreement(partner_id=partner_id, program_id=program, plan_id=plan,
                              territory="CN", starts_on=date(2010, 1, 1),
                              ends_on=date(2030, 12, 31), state="active", in_force=True))
    builders.won_deal(db, partner_id, program, date(2011, 1, 5), [("A", 8_000_000)])
    builders.won_deal(db, partner_id, program, date(2011, 1, 20), [("B", 7_000_000)])
    with db.unit_of_work() as session:
        runs.run_period(session, SYSTEM, period="2011-01")


def test_statements_and_balances_with_both_clients(
    app: FastAPI, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    _commissioned(db, world.partner_a)
    with serve(app) as base, QudaoClient(base, world.key_a) as alpha, \
            QudaoClient(base, world.key_b) as beta:
        page = alpha.list_statements(period="2011-01")
        assert page.total == 1
        (listed,) = page.items
        assert listed.total == Decimal("25000.00")
        assert listed.state == "draft"
        statement = alpha.get_statement(listed.id)
        assert sum(line.commission for line in statement.lines) == statement.total
        assert [line.tier for line in statement.lines] == [1, 2]
        (balance,) = alpha.get_balances()
        assert (balance.currency, balance.payable) == ("CNY", Decimal("25000.00"))
        assert beta.list_statements().items == []
        assert beta.get_balances() == []
        with pytest.raises(NotFoundError):
            beta.get_statement(listed.id)

        async def asynchronous() -> None:
            async with AsyncQudaoClient(base, world.key_a) as client:
                assert (await client.get_statement(listed.id)) == statement
                assert (await client.list_statements(state="draft")).total == 1
                assert len(await client.get_balances()) == 1

        asyncio.run(asynchronous())
