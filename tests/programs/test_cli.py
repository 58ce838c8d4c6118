"""``qudao program …`` and ``qudao catalogue …`` as a new company would run them."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qudao.cli import app
from qudao.db.session import Database
from tests.fixtures.security import snapshot
from tests.programs.guide import GUIDE_VP, PROOF_POINT

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.usefixtures("cli_env")
def test_a_program_from_the_command_line(tmp_path: Path, db: Database) -> None:
    code, output = run("program", "show")
    assert code == 1
    assert "qudao program create" in output
    code, output = run("program", "create", "渠道合作计划", "--company", "云链电商",
                       "--industry", "B2B软件", "--lang", "zh-CN")
    assert code == 0, output
    assert output.strip().isdigit()
    code, output = run("program", "set", "渠道合作计划", "--protection-days", "120",
                       "--mdf", "50000", "--training", "在线课程")
    assert code == 0, output
    assert "120" in output
    assert "50000.00 CNY" in output
    before = snapshot(db)
    code, output = run("program", "set", "渠道合作计划", "--attribution-days", "0")
    assert code == 2
    assert "from 1 to 3650" in output
    assert snapshot(db) == before
    code, output = run("program", "list", "--format", "json")
    (listed,) = json.loads(output)
    assert (listed["name"], listed["protection_days"], listed["default_locale"]) == (
        "渠道合作计划", 120, "zh-CN")
    code, output = run("program", "show")
    assert "System integrator" in output


@pytest.mark.usefixtures("cli_env")
def test_value_proposition_versions_diff_and_render(tmp_path: Path) -> None:
    run("program", "create", "Plan", "--company", "云链电商")
    first = tmp_path / "vp.json"
    first.write_text(json.dumps(GUIDE_VP, ensure_ascii=False), encoding="utf-8")
    code, output = run("program", "vp", "save", "--file", str(first), "--note", "第一版")
    assert code == 0, output
    assert "version 1" in output
    changed = {**GUIDE_VP, "benefits": [{**GUIDE_VP["benefits"][0], "value": 25.5}]}
    second = tmp_path / "vp2.json"
    second.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    code, output = run("program", "vp", "save", "--file", str(second))
    assert code == 0, output
    code, output = run("program", "vp", "show", "--version", "2", "--format", "json")
    assert json.loads(output)["content"]["benefits"][0]["value"] == "25.5"
    code, output = run("program", "vp", "show", "--format", "markdown", "--lang", "zh")
    assert "## 解决的痛点" in output
    assert PROOF_POINT in output
    code, output = run("program", "vp", "diff", "1", "2", "--format", "json")
    fields = {f["name"]: f for f in json.loads(output)["fields"]}
    assert fields["benefits"]["items"][0]["parts"][0]["after"] == "25.5"
    code, output = run("program", "vp", "diff", "1", "2")
    assert code == 0
    assert "Expected benefits" in output
    target = tmp_path / "vp.docx"
    code, output = run("program", "vp", "render", "--lang", "zh", "-o", str(target))
    assert code == 0, output
    xml = zipfile.ZipFile(io.BytesIO(target.read_bytes())).read("word/document.xml").decode()
    assert PROOF_POINT in xml
    assert "预期收益" in xml
    pdf = tmp_path / "vp.pdf"
    assert run("program", "vp", "render", "--lang", "en", "--format", "pdf", "-o",
               str(pdf))[0] == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    bad = tmp_path / "bad.json"
    bad.write_text('{"product": ""}', encoding="utf-8")
    code, output = run("program", "vp", "save", "--file", str(bad))
    assert code == 2
    assert "product" in output
    assert run("program", "vp", "show", "--version", "9")[0] == 1


@pytest.mark.usefixtures("cli_env")
def test_the_catalogue_from_the_command_line(tmp_path: Path, db: Database) -> None:
    code, output = run("catalogue", "add", "SCO-100", "--name", "供应链优化工具",
                       "--feature", "需求预测", "--price", "CNY:999.00",
                       "--price", "CNY:899.00@10")
    assert code == 0, output
    code, output = run("catalogue", "add", "BAD", "--name", "x", "--price", "CNY999")
    assert code == 2
    code, output = run("catalogue", "list", "--format", "json")
    (product,) = json.loads(output)
    assert [p["unit_price"] for p in product["prices"]] == ["999.00", "899.00"]
    exported = tmp_path / "catalogue.xlsx"
    assert run("catalogue", "export", "-o", str(exported), "--lang", "zh-CN")[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("SKU,Name,Currency,Unit price\nOK,Fine,CNY,1\n,Nameless,CNY,2\n",
                   encoding="utf-8")
    before = snapshot(db)
    code, output = run("catalogue", "import", str(bad))
    assert code == 2
    assert "3" in output
    assert "SKU" in output
    assert snapshot(db) == before
    rows = ["SKU,Name,Currency,Min quantity,Unit price"]
    rows += [f"BULK-{n:04d},Product {n},CNY,1,{n}.50" for n in range(300)]
    bulk = tmp_path / "bulk.csv"
    bulk.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, output = run("catalogue", "import", str(bulk))
    assert code == 0, output
    assert "300 new products" in output
    assert run("catalogue", "import", str(exported))[0] == 0
    code, output = run("catalogue", "withdraw", "SCO-100")
    assert code == 0
    code, output = run("catalogue", "list", "--inactive", "--format", "json")
    assert [p["sku"] for p in json.loads(output)] == ["SCO-100"]
