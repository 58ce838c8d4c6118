"""``qudao plans …``: the guide's tiered plan from the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qudao.cli import app
from qudao.db.session import Database
from tests.goals.builders import make_program

runner = CliRunner()


@pytest.fixture
def cli_env(cli_env: None, db: Database) -> None:
    make_program(db)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.usefixtures("cli_env")
def test_the_guides_plan_from_the_command_line() -> None:
    code, output = run("plans", "create", "--name", "Guide tiers", "--tier", "0:15%",
                       "--tier", "100000:20%", "--mode", "whole", "--boundary", "inclusive",
                       "--rounding", "half_up", "--level", "line", "--currency", "CNY")
    assert code == 0, output
    assert "Below CN¥100,000.00: 15%" in output
    assert "From CN¥100,000.00: 20%" in output
    code, output = run("plans", "create", "--name", "Resellers", "--flat", "10%")
    assert code == 0, output
    code, output = run("plans", "list", "--format", "json")
    found = json.loads(output)
    assert [(p["name"], p["kind"]) for p in found] == [("Guide tiers", "tiered"),
                                                       ("Resellers", "flat")]
    code, output = run("plans", "show", str(found[1]["id"]))
    assert "10% on every sale" in output
    assert run("plans", "deactivate", str(found[1]["id"]))[0] == 0
    code, output = run("plans", "list")
    assert "inactive" in output


@pytest.mark.usefixtures("cli_env")
def test_a_bad_plan_is_a_message_and_exit_2() -> None:
    code, output = run("plans", "create", "--name", "Broken", "--tier", "15%")
    assert code == 2
    assert "Write a tier as threshold:rate, such as 100000:20%." in output
    code, output = run("plans", "create", "--name", "Broken", "--tier", "0:15%",
                       "--tier", "0:20%")
    assert code == 2
    assert "the thresholds must rise" in output
    assert json.loads(run("plans", "list", "--format", "json")[1]) == []
