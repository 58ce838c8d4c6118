"""``qudao commissions …`` as a finance user runs it, on both databases: run a month and a
quarter under the guide's tiers, rerun without posting twice, export, approve, pay and
reverse, keep the rate table, import sales, record a refund and try other terms."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import zlib
from datetime import date
from pathlib import Path
from typing import Any

from qudao.core.config import Settings
from qudao.db.session import Database
from tests.commissions import builders
from tests.fixtures.security import count, run_cli

BORDERS = str.maketrans({c: " " for c in "│┃║|"})
LEDGER_TABLES = ("commission_runs", "commission_statements", "commission_statement_lines",
                 "ledger_transactions", "ledger_entries", "commission_payouts")


def _cli(settings: Settings, *args: str) -> tuple[int, str]:
    result = run_cli(settings, "commissions", *args)
    # Rich wraps long messages and draws table borders; the words are what matter.
    return result.exit_code, " ".join(result.output.translate(BORDERS).split())


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated: WeasyPrint packs its objects, font
    descriptors included, into compressed object streams."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(stream))
    return b"".join(parts)


def _counts(db: Database) -> dict[str, int]:
    return {table: count(db, table) for table in LEDGER_TABLES}


def _statements(settings: Settings, period: str) -> list[dict[str, Any]]:
    result = run_cli(settings, "commissions", "statements", "--period", period, "--format",
                     "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert isinstance(found, list)
    return found


def _guide(db: Database, period: str = "month") -> tuple[int, int, int, int]:
    program = builders.program(db)
    marginal = builders.plan(db, program, tier_mode="marginal", period=period)
    whole = builders.plan(db, program, tier_mode="whole", period=period)
    return (program, marginal, builders.partner(db, program, marginal, "Marginal Co"),
            builders.partner(db, program, whole, "Whole Co"))


def test_a_month_runs_once_and_its_statements_sum(settings: Settings, db: Database) -> None:
    program, _plan, p1, p2 = _guide(db)
    builders.won_deal(db, p1, program, date(2011, 1, 5), [("A", 8_000_000)])
    builders.won_deal(db, p1, program, date(2011, 1, 20), [("B", 7_000_000)])
    builders.won_deal(db, p2, program, date(2011, 1, 7), [("A", 15_000_000)])
    unplanned = builders.partner(db, program, None, "No Plan Ltd")
    builders.sale(db, unplanned, date(2011, 1, 9), 100_000)

    code, output = _cli(settings, "run", "--period", "2011-01")
    assert code == 0, output
    assert "posted 3 lines on 2 statements" in output
    assert "55,000.00 CNY" in output  # 25,000.00 marginal + 30,000.00 whole
    assert "No Plan Ltd" in output
    assert "no commission plan" in output
    posted = _counts(db)
    assert posted["commission_statement_lines"] == 3

    code, output = _cli(settings, "run", "--period", "2011-01")
    assert code == 0, output
    assert "Nothing new to post for 2011-01" in output
    after = _counts(db)
    assert after["commission_runs"] == posted["commission_runs"] + 1
    assert {k: v for k, v in after.items() if k != "commission_runs"} == {
        k: v for k, v in posted.items() if k != "commission_runs"}

    found = _statements(settings, "2011-01")
    totals = {s["partner_name"]: s["total"] for s in found}
    assert totals == {"Marginal Co": "25000.00", "Whole Co": "30000.00"}
    for statement in found:
        lines = statement["lines"]
        assert isinstance(lines, list)
        assert sum(line["commission_minor"] for line in lines) == statement["total_minor"]

    code, output = _cli(settings, "statements", "--period", "2011-01")
    assert code == 0, output
    assert "Marginal" in output  # a narrow terminal wraps the name
    assert "150,000.00 25,000.00" in output
    assert "150,000.00 30,000.00" in output
    assert "2 statements" in output
    code, output = _cli(settings, "runs", "--period", "2011-01")
    assert code == 0
    assert "2 runs" in output


def test_a_bad_period_exits_with_the_message(settings: Settings, db: Database) -> None:
    builders.program(db)
    code, output = _cli(settings, "run", "--period", "2011-13")
    assert code == 2
    assert "2011-13 is not a period" in output
    assert count(db, "commission_runs") == 0
    code, output = _cli(settings, "statements", "--period", "January")
    assert code == 2
    assert "January is not a period" in output


def test_a_quarter_under_the_guides_tiers(settings: Settings, db: Database) -> None:
    program, _plan, p1, p2 = _guide(db, period="quarter")
    for partner in (p1, p2):
        builders.won_deal(db, partner, program, date(2011, 1, 10), [("A", 5_000_000)])
        builders.won_deal(db, partner, program, date(2011, 2, 10), [("A", 6_000_000)])
        builders.won_deal(db, partner, program, date(2011, 3, 10), [("B", 4_000_000)])
    code, output = _cli(settings, "run", "--period", "2011-01")
    assert code == 0
    assert "Nothing new to post" in output  # quarterly plans: no month run
    code, output = _cli(settings, "run", "--period", "2011-q1")
    assert code == 0, output
    assert "posted 6 lines" in output
    found = _statements(settings, "2011-Q1")
    assert {s["partner_name"]: s["total"] for s in found} == {
        "Marginal Co": "25000.00", "Whole Co": "30000.00"}


def test_exports_write_files_and_keep_formulas_out(
        settings: Settings, db: Database, tmp_path: Path) -> None:
    import openpyxl

    program = builders.program(db)
    plan = builders.plan(db, program, tier_mode="marginal")
    partner = builders.partner(db, program, plan, "渠道伙伴甲")
    builders.won_deal(db, partner, program, date(2011, 1, 5), [("A", 8_000_000)],
                      customer="=cmd()")
    builders.won_deal(db, partner, program, date(2011, 1, 20), [("B", 7_000_000)])
    assert _cli(settings, "run", "--period", "2011-01")[0] == 0
    (statement,) = _statements(settings, "2011-01")

    code, output = _cli(settings, "statements", "--period", "2011-01", "--format", "csv")
    assert code == 2
    assert "--output" in output
    target = tmp_path / "s.csv"
    code, output = _cli(settings, "statements", "--period", "2011-01", "--format", "csv",
                        "--output", str(target))
    assert code == 0, output
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows[0][0] == "Period"
    assert "Commission (exact)" in rows[0]
    customer = rows[0].index("Customer")
    assert rows[1][customer] == "'=cmd()"
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert rows[-1][rows[0].index("Commission")] == "25000.00"
    assert rows[-1][rows[0].index("Line kind")] == "Total"

    xlsx = tmp_path / "s.xlsx"
    assert _cli(settings, "statements", "--period", "2011-01", "--format", "xlsx",
                "--output", str(xlsx))[0] == 0
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Statements", "Lines"]
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "=cmd()" in [c.value for c in cells]
    summary = list(book["Statements"].iter_rows(values_only=True))
    assert summary[1][1] == "渠道伙伴甲"
    assert summary[1][7] == 25000

    code, output = _cli(settings, "statement", str(statement["id"]))
    assert code == 0, output
    assert "=cmd()" in output
    assert "12000.00 12000.00" in output  # exact and rounded, per line
    assert "Total: 25000.00 CNY" in output
    code, output = _cli(settings, "statement", "999999")
    assert code == 1
    assert "Statement 999999 was not found" in output

    pdf = tmp_path / "s.pdf"
    code, output = _cli(settings, "statement", str(statement["id"]), "--format", "pdf",
                        "--output", str(pdf),
                        "--lang", "zh-CN")
    assert code == 0, output
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    assert b"/FontFile" in _inflated(content)  # the CJK font is embedded
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - without an extractor, the embedded font will do
        return
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "渠道伙伴甲" in text
    assert "25,000.00" in text

    code, output = _cli(settings, "statement", str(statement["id"]), "--lang", "klingon",
                        "--format", "json")
    assert code == 2
    assert "klingon is not a language" in output


def test_yen_and_dinar_keep_their_decimals(settings: Settings, db: Database,
                                          tmp_path: Path) -> None:
    program = builders.program(db)
    yen = builders.partner(db, program, builders.plan(db, program, currency="JPY",
                                                      kind="flat", flat_rate="0.10"), "Yen KK")
    dinar = builders.partner(db, program, builders.plan(db, program, currency="KWD",
                                                        kind="flat", flat_rate="0.10"),
                             "Dinar Co")
    builders.won_deal(db, yen, program, date(2011, 1, 5), [("A", 12_345)], currency="JPY")
    builders.won_deal(db, dinar, program, date(2011, 1, 5), [("A", 12_345)], currency="KWD")
    assert _cli(settings, "run", "--period", "2011-01")[0] == 0
    found = {s["currency"]: s for s in _statements(settings, "2011-01")}
    assert (found["JPY"]["total"], found["JPY"]["base"]) == ("1235", "12345")
    assert (found["KWD"]["total"], found["KWD"]["base"]) == ("1.235", "12.345")
    jpy_line = found["JPY"]["lines"][0]
    assert (jpy_line["commission_exact"], jpy_line["rounding"]) == ("1234.5", "0.5")

    target = tmp_path / "fx.csv"
    assert _cli(settings, "statements", "--period", "2011-01", "--format", "csv",
                "--output", str(target))[0] == 0
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    commission = rows[0].index("Commission")
    assert sorted(row[commission] for row in rows[1:]) == ["1.235", "1.235", "1235", "1235"]
    _code, output = _cli(settings, "statements", "--period", "2011-01")
    assert "JPY 12,345 1,235" in output
    assert "KWD 12.345 1.235" in output


def test_what_if_projects_and_posts_nothing(settings: Settings, db: Database) -> None:
    program, marginal, p1, _p2 = _guide(db)
    builders.won_deal(db, p1, program, date(2011, 1, 5), [("A", 8_000_000)])
    builders.won_deal(db, p1, program, date(2011, 1, 20), [("B", 7_000_000)])
    assert _cli(settings, "run", "--period", "2011-01")[0] == 0
    before = _counts(db)

    code, output = _cli(settings, "whatif", "--plan", str(marginal), "--period", "2011-01",
                        "--rate", "12%")
    assert code == 0, output
    assert "Marginal Co" in output
    assert "150,000.00 CNY 25,000.00 CNY 18,000.00 CNY -7,000.00 CNY" in output
    assert "Nothing was posted" in output

    code, output = _cli(settings, "whatif", "--plan", str(marginal), "--period", "2011-01",
                        "--tier", "0:10%", "--tier", "100000:20%", "--mode", "whole",
                        "--format", "json")
    assert code == 0, output
    result = json.loads(output)
    assert result["total"]["proposed"] == "30000.00"
    assert result["total"]["change"] == "5000.00"
    assert result["rows"][0]["partner_name"] == "Marginal Co"

    code, output = _cli(settings, "whatif", "--plan", str(marginal), "--period", "2011-01",
                        "--tier", "100000")
    assert code == 2
    assert "threshold:rate" in output
    code, output = _cli(settings, "whatif", "--plan", str(marginal), "--period", "2011-01")
    assert code == 2
    assert _counts(db) == before


def test_approve_pay_and_reverse(settings: Settings, db: Database) -> None:
    program, _plan, p1, p2 = _guide(db)
    builders.won_deal(db, p1, program, date(2011, 1, 5), [("A", 15_000_000)])
    builders.won_deal(db, p2, program, date(2011, 1, 5), [("A", 1_000_000)])
    assert _cli(settings, "run", "--period", "2011-01")[0] == 0
    ids = {s["partner_name"]: s["id"] for s in _statements(settings, "2011-01")}
    mine = str(ids["Marginal Co"])

    pay = ("pay", "--partner", str(p1), "--currency", "CNY", "--method", "bank_transfer",
           "--reference", "TX-1", "--date", "2011-02-10")
    code, output = _cli(settings, *pay)
    assert code == 2
    assert "no approved statement" in output
    code, output = _cli(settings, "approve", mine, "999999")
    assert code == 1
    assert "999999 was not found" in output
    assert count(db, "commission_statements", "state = 'approved'") == 0  # all or none
    code, output = _cli(settings, "approve", mine)
    assert code == 0
    assert f"Statement {mine} is approved (25,000.00 CNY)" in output
    assert _cli(settings, "approve", mine)[0] == 1  # only a draft is approved

    code, output = _cli(settings, *pay)
    assert code == 0, output
    assert "25,000.00 CNY paid" in output
    found = re.search(r"Payout (\d+):", output)
    assert found is not None
    payout = found[1]
    code, output = _cli(settings, "balance", "--partner", str(p1))
    assert code == 0
    assert "0.00 CNY 0.00 CNY 0.00 CNY 25,000.00 CNY 2011-02-10" in output
    assert _cli(settings, *pay)[0] == 2  # nothing approved is left

    code, output = _cli(settings, "reverse-payout", payout, "--reason",
                        "The transfer bounced")
    assert code == 0, output
    assert "is reversed" in output
    assert _cli(settings, "reverse-payout", payout, "--reason", "again")[0] == 1
    code, output = _cli(settings, "balance", "--partner", str(p1))
    assert "25,000.00 CNY 0.00 CNY 25,000.00 CNY 0.00 CNY" in output
    approved = run_cli(settings, "commissions", "statements", "--period", "2011-01",
                       "--state", "approved", "--format", "json")
    assert [s["partner_name"] for s in json.loads(approved.output)] == ["Marginal Co"]
    code, output = _cli(settings, "balance", "--partner", "999999")
    assert code == 1
    assert "999999 was not found" in output


def test_rates_are_added_imported_whole_and_listed(settings: Settings, db: Database,
                                                   tmp_path: Path) -> None:
    builders.program(db)
    code, output = _cli(settings, "rates", "add", "2011-01-01", "usd", "CNY", "6.6")
    assert code == 0
    assert "1 USD = 6.6 CNY" in output
    code, output = _cli(settings, "rates", "add", "2011-01-01", "USD", "CNY", "6.7")
    assert code == 1
    assert "already stored" in output
    assert _cli(settings, "rates", "add", "01/02/2011", "USD", "CNY", "6.7")[0] == 2

    bad = tmp_path / "rates.csv"
    bad.write_text("date,base,quote,rate\n2011-02-01,EUR,CNY,9.1\n2011-02-30,EUR,CNY,9\n"
                   "2011-02-01,EUR,EUR,1\n2011-02-01,JPY,CNY,-1\n", encoding="utf-8")
    code, output = _cli(settings, "rates", "import", str(bad))
    assert code == 2
    assert "3 rows have problems" in output
    assert "YYYY-MM-DD" in output
    assert "-1 is not an exchange rate" in output
    assert count(db, "currency_rates") == 1

    good = tmp_path / "good.csv"
    good.write_text("date,base,quote,rate\n2011-02-01,EUR,CNY,9.1\n2011-01-01,USD,CNY,6.6\n",
                    encoding="utf-8")
    code, output = _cli(settings, "rates", "import", str(good))
    assert code == 0
    assert "2 rows read, 1 new" in output
    code, output = _cli(settings, "rates", "list")
    assert code == 0
    assert "9.1" in output
    assert "2 rates" in output
    assert _cli(settings, "rates", "import", str(tmp_path / "missing.csv"))[0] == 2


def test_sales_import_and_a_refund(settings: Settings, db: Database, tmp_path: Path) -> None:
    program, _plan, p1, _p2 = _guide(db)
    lines = builders.won_deal(db, p1, program, date(2011, 1, 5), [("A", 15_000_000)])
    header = "external_ref,kind,date,partner,sku,amount,currency,refund_of\n"
    bad = tmp_path / "sales.csv"
    bad.write_text(header + f"S-1,sale,2011-01-08,{p1},X,1000.00,CNY,\n"
                   f"S-2,sale,2011-01-09,{p1},X,ten,CNY,\n"
                   "S-3,sale,2011-01-09,999999,X,10.00,CNY,\n", encoding="utf-8")
    code, output = _cli(settings, "sales", "import", str(bad))
    assert code == 2
    assert "2 rows have problems" in output
    assert count(db, "sales_transactions") == 0
    good = tmp_path / "good.csv"
    good.write_text(header + f"S-1,sale,2011-01-08,{p1},X,1000.00,CNY,\n", encoding="utf-8")
    code, output = _cli(settings, "sales", "import", str(good))
    assert code == 0
    assert "1 rows read, 1 new" in output

    assert _cli(settings, "run", "--period", "2011-01")[0] == 0
    code, output = _cli(settings, "refund", "--amount", "100.00", "--date", "2011-01-25")
    assert code == 2
    assert "--deal-line" in output
    code, output = _cli(settings, "refund", "--deal-line", str(lines[0]), "--amount",
                        "30000.00", "--date", "2011-01-25", "--reason", "Returned")
    assert code == 0, output
    assert "30,000.00 CNY is recorded" in output
    code, output = _cli(settings, "refund", "--deal-line", str(lines[0]), "--amount",
                        "200000.00", "--date", "2011-01-25")
    assert code == 2
    assert "exceed the sale" in output
    code, output = _cli(settings, "run", "--period", "2011-01")
    assert code == 0
    assert "posted 1 lines" in output
    (statement,) = _statements(settings, "2011-01")
    assert statement["total"] == "20200.00"  # 25,200.00 on 151,000.00, less 1/5 of A's 25,000.00
