"""The screening commands a channel manager runs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from qudao.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.usefixtures("cli_env")
def test_import_rate_shortlist_and_table(tmp_path: Path) -> None:
    assert run("user", "add", "eva@example.com", "--role", "channel_manager")[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Employees,Stage\nAlpha,10,contacted\nBravo,many,signed\n")
    code, output = run("partners", "import", str(bad))
    # 2: the input was refused (1 is kept for other failures).
    assert code == 2
    for expected in ("3", "Employees", "Stage"):
        assert expected in output
    code, output = run("partners", "list", "--format", "json")
    assert json.loads(output.strip().splitlines()[-1]) == []
    good = tmp_path / "good.csv"
    good.write_text("Name,Employees,Stage\nAlpha,10,contacted\nBravo,20,evaluating\n")
    assert run("partners", "import", str(good))[0] == 0
    code, output = run("screening", "rate", "Alpha", "--evaluator", "eva@example.com",
                       "--ratings", "market_coverage=8,resource_match=7,reputation=9,"
                       "culture_fit=6")
    assert code == 0, output
    assert "7.5" in output
    code, output = run("screening", "rate", "Bravo", "--evaluator", "eva@example.com",
                       "--ratings", "market_coverage=6,resource_match=6,reputation=7,"
                       "culture_fit=7")
    assert "score 6.4 < 7.0" in output
    code, output = run("screening", "shortlist", "--format", "json")
    assert [r["partner"] for r in json.loads(output)] == ["Alpha"]
    target = tmp_path / "table.xlsx"
    assert run("screening", "table", "--lang", "zh", "-o", str(target))[0] == 0
    sheet = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active
    assert [c.value for c in sheet[1]] == [  # type: ignore[index]
        "候选伙伴", "市场覆盖", "资源匹配", "声誉", "文化契合", "总分", "备注"]
    assert sheet["F2"].value == 7.5  # type: ignore[index]


@pytest.mark.usefixtures("cli_env")
def test_bad_ratings_exit_non_zero_with_a_message() -> None:
    run("partners", "add", "Charlie")
    code, output = run("screening", "rate", "Charlie", "--evaluator", "nobody@example.com",
                       "--ratings", "market_coverage=8")
    assert code != 0
    assert "Traceback" not in output
    code, output = run("screening", "rate", "Charlie", "--evaluator", "x@example.com",
                       "--ratings", "garbage")
    assert code == 2
    assert "key=value" in output
