"""The import page: a bad file is reported row by row, in the reader's language, and writes
nothing; a good CSV and a good XLSX are imported whole."""

from __future__ import annotations

import re
from collections.abc import Callable

from qudao.core.tabular import write_xlsx
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners
from tests.web.candidates import written
from tests.web.conftest import Browser

HEADERS = "名称,类型,员工人数,网站,市场覆盖,资源匹配,声誉,文化契合,备注\r\n"
BAD_CSV = (HEADERS
           + "Orion Tech,系统集成商,80,orion.example,8,7,9,6,ok\r\n"
           + "alpha distribution,分销商,10,,,,,,duplicate of a partner\r\n"
           + "Vega Retail,分销商,lots,,,,,,not a number\r\n"
           + "Lyra Systems,reseller,50,,12,7,9,6,rating too high\r\n"
           + "Orion Tech Ltd,,5,,,,,,same company as row 2\r\n").encode("utf-8")
GOOD_CSV = (HEADERS
            + "Orion Tech,系统集成商,80,orion.example,8,7,9,6,met at the fair\r\n"
            + "Vega Retail,分销商,2000,,,,,,\r\n").encode("utf-8")


def _upload(browser: Browser, name: str, body: bytes, *, check_only: bool = False,
            media_type: str = "text/csv") -> tuple[int, str]:
    data = {"csrf_token": browser.csrf}
    if check_only:
        data["check_only"] = "on"
    response = browser.client.post("/partners/import", data=data,
                                   files={"file": (name, body, media_type)})
    return response.status_code, response.text


def _problems(html: str) -> list[tuple[str, str, str]]:
    """(row, column, reason) of the report's error table."""
    table = html.split('class="problems problems-error"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>',
                      table)


def test_a_bad_file_is_reported_row_by_row_and_writes_nothing(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    admin.use_language("zh-CN")
    assert "导入候选伙伴" in admin.get("/partners/import").text
    before = written(db)
    status, html = _upload(admin, "candidates.csv", BAD_CSV)
    assert status == 422
    assert "有 4 行存在问题。" in html
    assert "数据未作任何更改" in html
    problems = _problems(html)
    assert {row for row, _column, _reason in problems} == {"3", "4", "5", "6"}
    duplicate = f"与现有合作伙伴 Alpha Distribution（编号 {world.partner_a}）重复。"
    assert ("3", "名称", duplicate) in problems
    assert any(row == "4" and column == "员工人数" for row, column, _ in problems)
    assert any(row == "5" and column == "市场覆盖" for row, column, _ in problems)
    assert any(row == "6" and "第 2 行" in reason for row, _, reason in problems)
    assert written(db) == before

    status, html = _upload(admin, "candidates.csv", BAD_CSV, check_only=True)
    assert status == 422
    assert "有 4 行存在问题。" in html
    status, html = _upload(admin, "notes.txt.pdf", b"%PDF-1.4")
    assert status == 422
    assert 'id="f-file-error"' in html
    assert "请导入 .csv 或 .xlsx 文件。" in html
    nothing = admin.client.post("/partners/import", data={"csrf_token": admin.csrf})
    assert nothing.status_code == 422
    assert "请选择要导入的 .csv 或 .xlsx 文件。" in nothing.text
    status, html = _upload(admin, "empty.csv", b"")
    assert status == 422
    assert 'id="f-file-error"' in html
    assert written(db) == before


def test_a_good_csv_is_checked_then_imported_and_a_good_xlsx_too(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    before = written(db)
    status, html = _upload(admin, "candidates.csv", GOOD_CSV, check_only=True)
    assert status == 200
    assert "The file is ready: 2 rows can be imported. Nothing was written yet." in html
    assert written(db) == before

    status, html = _upload(admin, "candidates.csv", GOOD_CSV)
    assert status == 200
    assert "2 candidates were imported." in html
    assert written(db)["Partner"] == before["Partner"] + 2
    board = admin.get("/pipeline").text
    assert "Orion Tech" in board
    assert "Vega Retail" in board
    assert '<span class="score-total">7.5</span>' in board  # the file's ratings
    assert "Large company" in board  # Vega: 2,000 employees

    again, html = _upload(admin, "candidates.csv", GOOD_CSV)
    assert again == 422  # importing the same file twice finds the duplicates
    assert "Duplicate of the existing partner Orion Tech" in html

    workbook = write_xlsx(["Name", "Type", "Industry", "Stage", "Tags"], [
        ["Sirius Cloud", "System integrator", "SaaS", "Contacted", "east, priority"],
        ["Orion Techs", "Agent / reseller", "Retail", "", None],
    ])
    status, html = _upload(admin, "more.xlsx", workbook, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    assert status == 200, html[-2000:]
    assert "2 candidates were imported." in html
    # A close name is imported, with a warning to look at it.
    warnings = html.split('class="problems problems-warning"', 1)[1]
    assert "Possible duplicate of Orion Tech" in warnings
    contacted = admin.get("/partners?stage=contacted").text
    assert "Sirius Cloud" in contacted
    assert written(db)["Partner"] == before["Partner"] + 4
