"""Candidate files in and out: all or nothing, every bad row reported, no formulas out,
and an export that imports again into an empty database with the same scores."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from qudao.accounts.subject import SYSTEM
from qudao.audit.models import AuditEntry
from qudao.core.errors import Unprocessable
from qudao.core.tabular import (
    ImportRejected,
    PayloadTooLarge,
    neutralize,
    read_table,
    write_csv,
    write_xlsx,
)
from qudao.db.session import Database
from qudao.partners import importer, repository
from qudao.partners.models import Partner
from qudao.screening import exports
from qudao.screening import service as screening
from tests.fixtures.accounts import make_partner

HEADER = "Name,Type,Industry,Employees,Annual revenue,Currency,Website,Source,Stage,Notes\n"


def count(db: Database, model: type[Partner] | type[AuditEntry]) -> int:
    with db.unit_of_work(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def import_bytes(db: Database, name: str, data: bytes, evaluator: str | None = None) -> int:
    with db.unit_of_work() as session:
        return importer.import_table(session, SYSTEM, read_table(name, data), evaluator).created


def test_a_thousand_rows_with_one_bad_row_write_nothing(db: Database) -> None:
    lines = [f"Company {i},distributor,retail,{i},1000.50,CNY,https://c{i}.example,"
             f"trade show,contacted,note {i}\n" for i in range(1000)]
    lines[636] = "Company 636,distributor,retail,many,1000.505,CNY,,,signed,\n"
    audit_before = count(db, AuditEntry)
    with pytest.raises(ImportRejected) as rejected:
        import_bytes(db, "c.csv", (HEADER + "".join(lines)).encode())
    report = rejected.value.report
    # Row 638 in the spreadsheet: the header is row 1 and the list starts at 0.
    assert {(p.row, p.column) for p in report.errors} == {
        (638, "Employees"), (638, "Annual revenue"), (638, "Stage")}
    assert count(db, Partner) == 0
    assert count(db, AuditEntry) == audit_before
    lines[636] = "Company 636,distributor,retail,636,1000.5,CNY,,,,\n"
    assert import_bytes(db, "c.csv", (HEADER + "".join(lines)).encode()) == 1000
    assert count(db, Partner) == 1000


def test_duplicates_are_found_against_the_database_and_within_the_file(db: Database) -> None:
    make_partner(db, "Existing Ltd", website="https://existing.example")
    body = HEADER + "\n".join([
        "existing,,,,,,,,,",
        "Fresh One,,,,,,https://www.existing.example/x,,,",
        "Twin,,,,,,,,,",
        "TWIN Inc.,,,,,,,,,",
        "Existng,,,,,,,,,",
    ]) + "\n"
    with pytest.raises(ImportRejected) as rejected:
        import_bytes(db, "d.csv", body.encode())
    errors = {(p.row, p.message) for p in rejected.value.report.errors}
    assert (2, "Duplicate of the existing partner %(name)s (id %(id)s).") in errors
    assert (3, "%(name)s (id %(id)s) already has this web domain.") in errors
    assert (5, "The same company as row %(row)s.") in errors
    warnings = [(p.row, p.params.get("name")) for p in rejected.value.report.warnings]
    assert (6, "Existing Ltd") in warnings


def test_chinese_headers_gb18030_and_the_guides_8_of_10(db: Database,
                                                          evaluators: tuple[str, str]) -> None:
    body = ("候选伙伴,市场覆盖,资源匹配,声誉,文化契合,总分,备注\n"
            "Partner A,8/10,7/10,9/10,6/10,30,需进一步沟通文化\n")
    assert import_bytes(db, "guide.csv", body.encode("gb18030"), evaluators[0]) == 1
    with db.unit_of_work(read_only=True) as session:
        partner = repository.search(session, SYSTEM, q="partner a", limit=1, offset=0)[0][0]
        assert partner.notes == "需进一步沟通文化"
        assert screening.scorecard(session, SYSTEM, partner.id).total == Decimal("7.5")


def test_xlsx_import_reads_numbers_exactly(db: Database) -> None:
    data = write_xlsx(["Name", "Employees", "Annual revenue", "Currency"],
                      [["Xray", 250, "1234567.89", "EUR"]])
    assert import_bytes(db, "x.xlsx", data) == 1
    with db.unit_of_work(read_only=True) as session:
        partner = repository.search(session, SYSTEM, q="xray", limit=1, offset=0)[0][0]
        assert partner.annual_revenue == Decimal("1234567.89")
        assert partner.annual_revenue_minor == 123456789


def test_a_zip_bomb_is_refused_before_it_is_opened() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    assert len(buffer.getvalue()) < 200 * 1024
    with pytest.raises(Unprocessable) as refused:
        read_table("bomb.xlsx", buffer.getvalue())
    assert "ZIP bomb" in refused.value.message


def test_limits_on_size_type_and_empty_files() -> None:
    with pytest.raises(PayloadTooLarge):
        read_table("big.csv", b"x" * (10 * 1024 * 1024 + 1))
    with pytest.raises(Unprocessable):
        read_table("evil.exe", b"MZ")
    with pytest.raises(Unprocessable):
        read_table("fake.xlsx", b"not a zip")
    with pytest.raises(Unprocessable):
        read_table("empty.csv", b"\n\n")


def test_no_cell_a_user_typed_becomes_a_formula() -> None:
    evil = '=HYPERLINK("http://x","y")'
    assert neutralize(evil).startswith("'=")
    for trigger in ("+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralize(trigger).startswith("'")
    csv_text = write_csv(["Name"], [[evil]]).decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("\"'=HYPERLINK") or csv_text.splitlines()[
        1].startswith("'=HYPERLINK")
    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsx(["Name"], [[evil]])))
    cell = workbook.active["A2"]  # type: ignore[index]
    assert cell.data_type == "s"
    assert cell.value == evil
    with zipfile.ZipFile(io.BytesIO(write_xlsx(["Name"], [[evil]]))) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


@pytest.mark.parametrize(("locale", "headers"), [
    ("zh-CN", ["候选伙伴", "市场覆盖", "资源匹配", "声誉", "文化契合", "总分", "备注"]),
    ("en", ["Candidate", "Market coverage", "Resource match", "Reputation", "Culture fit",
            "Total", "Notes"]),
])
def test_the_tracking_table_is_a_real_xlsx(
    db: Database, evaluators: tuple[str, str], locale: str, headers: list[str]
) -> None:
    partner = make_partner(db, "Partner A", notes="=cmd|' /C calc'!A0")
    with db.unit_of_work() as session:
        screening.rate(session, SYSTEM, partner, evaluator_email=evaluators[0], ratings={
            "market_coverage": "8", "resource_match": "7", "reputation": "9",
            "culture_fit": "6"})
    with db.unit_of_work(read_only=True) as session:
        data = exports.tracking_table(session, SYSTEM, locale)  # type: ignore[arg-type]
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]  # type: ignore[union-attr]
    assert rows[0] == headers
    assert rows[1][:6] == ["Partner A", 8, 7, 9, 6, 7.5]
    assert rows[1][6] == "=cmd|' /C calc'!A0"
    assert sheet["G2"].data_type == "s"  # type: ignore[index]


def test_export_then_import_into_an_empty_database_reproduces_the_candidates(
    db: Database, evaluators: tuple[str, str], sqlite_factory: object
) -> None:
    body = (HEADER + "Alpha,distributor,retail,120,2500000,CNY,https://alpha.example,"
            "trade show,contacted,first\nBravo,reseller,software,30,,,,,evaluating,\n")
    import_bytes(db, "seed.csv", body.encode())
    with db.unit_of_work(read_only=True) as session:
        ids = {p.name: p.id for p in repository.search(session, SYSTEM, q=None, limit=10,
                                                       offset=0)[0]}
    for name, values in (("Alpha", ("8", "7", "9", "6")), ("Bravo", ("6.5", "7", "6", "7"))):
        for evaluator in evaluators:
            with db.unit_of_work() as session:
                screening.rate(session, SYSTEM, ids[name], evaluator_email=evaluator,
                               ratings=dict(zip(("market_coverage", "resource_match",
                                                 "reputation", "culture_fit"), values,
                                                strict=True)))
    for fmt in ("xlsx", "csv"):
        with db.unit_of_work(read_only=True) as session:
            before = {c.partner.name: c.total for c in screening.ranking(session, SYSTEM)}
            data = exports.export_candidates(session, SYSTEM, "zh-CN", fmt)  # type: ignore[arg-type]
        fresh = Database(sqlite_factory.new_url())  # type: ignore[attr-defined]
        try:
            from qudao.accounts.roles import Role
            from tests.fixtures.accounts import make_user

            make_user(fresh, "importer@example.com", Role.ADMIN)
            import_bytes(fresh, f"back.{fmt}", data, "importer@example.com")
            with fresh.unit_of_work(read_only=True) as session:
                after = {c.partner.name: c.total for c in screening.ranking(session, SYSTEM)}
                alpha = repository.search(session, SYSTEM, q="alpha", limit=1, offset=0)[0][0]
                assert alpha.stage == "contacted"
                assert alpha.annual_revenue == Decimal("2500000")
                assert alpha.domain == "alpha.example"
                assert alpha.notes == "first"
        finally:
            fresh.dispose()
        assert after == before
