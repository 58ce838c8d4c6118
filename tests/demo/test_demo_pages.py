"""The demo's people open the pages of the new areas and find the demo's program there:
staff signed in as the demo administrator, a partner as its own demo user. Then
``qudao demo`` itself, twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from qudao.agreements.models import Agreement
from qudao.cli import app as cli
from qudao.db.session import Database
from qudao.deals.models import Deal, DealConflict
from qudao.demo.accounts import ADMIN_EMAIL, DEMO_PASSWORD
from qudao.demo.program import PROGRAM_NAME
from qudao.demo.screening import MANAGER_EMAIL
from qudao.goals.models import Goal
from qudao.programs.models import Program
from tests.fixtures.accounts import login
from tests.fixtures.security import snapshot

SignIn = Callable[[str], TestClient]


@pytest.fixture
def signed_in(app: FastAPI, demo: Database) -> Iterator[SignIn]:
    clients: list[TestClient] = []

    def open_as(email: str) -> TestClient:
        client = TestClient(app, base_url="http://testserver")
        clients.append(client)
        login(client, email, DEMO_PASSWORD)
        return client

    yield open_as
    for client in clients:
        client.close()


def _page(client: TestClient, url: str, *expected: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:500])
    for text in expected:
        assert text in response.text, (url, text)
    return response.text


def test_staff_find_the_living_program(signed_in: SignIn, demo: Database) -> None:
    with demo.unit_of_work(read_only=True) as session:
        goal_id = session.scalar(select(func.min(Goal.id)))
        holder_id = session.scalar(select(DealConflict.holder_deal_id))
        agreement_id = session.scalar(select(func.min(Agreement.id)))
        program_name = session.scalar(select(Program.name))
    admin = signed_in(ADMIN_EMAIL)
    _page(admin, "/program", str(program_name))
    _page(admin, "/program/value-proposition", "节省20%物流成本")
    _page(admin, "/program/value-proposition/compare?from=1&to=2", "ERP")
    _page(admin, "/program/catalogue", "SCO-STD", "SCO-PRO")
    _page(admin, "/program/plans", "15%", "20%", "10%")
    _page(admin, "/program/documents", "partner-agreement-")
    _page(admin, "/goals", "6个月内通过渠道获取100个新客户", "首年渠道收入达到150万元")
    _page(admin, f"/goals/{goal_id}")
    _page(admin, "/deals", "Harrow Home Retail", "Lyon Sports")
    _page(admin, f"/deals/{holder_id}", "Brighton Books Ltd", "Blue Harbour Agency")
    _page(admin, "/agreements", "Northwind Distribution", "英国及爱尔兰")
    _page(admin, f"/agreements/{agreement_id}", "首季度目标：10个试点客户", "联合启动研讨会")
    _page(admin, "/referrals", "Northwind Distribution")
    _page(admin, "/cadence/meetings", "Northwind Distribution")
    _page(admin, "/cadence/alerts", "Oxford Tea Rooms")
    manager = signed_in(MANAGER_EMAIL)
    _page(manager, "/cadence", "发送更新后的专业版价格表", "Blue Harbour Agency")


def test_a_partner_finds_its_onboarding_and_deals(signed_in: SignIn) -> None:
    partner = signed_in("lin@northwind.example")
    _page(partner, "/portal/onboarding", "英国及爱尔兰")
    deals = _page(partner, "/portal/deals", "Harrow Home Retail")
    assert "Lyon Sports" not in deals
    _page(partner, "/portal/referrals")


@pytest.fixture
def cli_env(cli_env: None, published: Path) -> None:
    """The command as ``make run`` runs it, against the test database; a model is already
    published, so that the run does not train one."""


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_qudao_demo_twice(db: Database, retail_slice: Path) -> None:
    """The command itself, once (the demo's data on PostgreSQL is checked by its own tests)."""
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--data", str(retail_slice)])
    assert first.exit_code == 0, first.output
    assert "admin@qudao.example" in first.output
    with db.unit_of_work(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Deal)
                              .join(Program, Program.id == Deal.program_id)
                              .where(Program.name == PROGRAM_NAME)) == 10
    before = snapshot(db, skip=frozenset())
    second = runner.invoke(cli, ["demo", "--data", str(retail_slice)])
    assert second.exit_code == 0, second.output
    assert snapshot(db, skip=frozenset()) == before
