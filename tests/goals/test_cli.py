"""``qudao goals …``: the guide's goal with its Chinese title, a vague goal refused with
every missing part, the list and a goal's progress."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qudao.cli import app
from qudao.core import clock
from qudao.db.session import Database
from tests.fixtures.accounts import make_partner
from tests.goals.builders import at, make_owner, make_program, new_customers

runner = CliRunner()


@pytest.fixture
def cli_env(cli_env: None, db: Database) -> None:
    clock.freeze(at("2026-11-27 09:00"))
    make_program(db)
    make_owner(db)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_the_guides_goal_from_the_command_line(cli_env: None, db: Database) -> None:
    code, output = run("goals", "add", "--title", "6个月内通过渠道获取100个新客户",
                       "--metric", "new_customers", "--target", "100", "--start", "2026-12-01",
                       "--deadline", "2027-06-01", "--owner", "mei@example.com")
    assert code == 0, output
    assert "Goal 1 is set." in output
    assert "6个月内通过渠道获取100个新客户" in output
    new_customers(db, make_partner(db, "Alpha Distribution"), 40, "2027-01-05")
    clock.freeze(at("2027-03-02"))  # half-way: pace 50
    code, output = run("goals", "list", "--format", "json")
    [goal] = json.loads(output)
    assert (goal["title"], goal["progress"]["actual"], goal["progress"]["status"]) == (
        "6个月内通过渠道获取100个新客户", "40", "at_risk")
    code, output = run("goals", "list")
    assert code == 0
    assert "At risk" in output
    code, output = run("goals", "show", "1")
    assert code == 0, output
    assert "40 of 100 (40%), pace 50" in output
    assert "2027-03-02 00:00" in output
    code, output = run("goals", "metrics")
    assert "pilot_customers" in output


def test_a_vague_goal_names_every_missing_part(cli_env: None) -> None:
    code, output = run("goals", "add", "--title", "扩大市场份额")
    assert code == 2
    for message in ("Not specific: choose a metric from the catalogue.",
                    "Not measurable: the target must be a number above 0.",
                    "Not time-bound: set a deadline after the start.",
                    "No owner: name the person responsible."):
        assert message in " ".join(output.split()), output
    code, output = run("goals", "add", "--metric", "new_customers", "--target", "10",
                       "--deadline", "June 2027", "--owner", "mei@example.com")
    assert code == 2
    assert "Enter a date as YYYY-MM-DD." in output
    assert json.loads(run("goals", "list", "--format", "json")[1]) == []
