"""Spreadsheets in and out, safely.

In: CSV or XLSX up to 10 MiB. An XLSX's ZIP directory is checked before openpyxl opens
it (total inflated size, entry count, inflation ratio), and openpyxl parses XML through
defusedxml. Out: CSV (UTF-8 with BOM, so that Excel shows Chinese) and XLSX, where no text
a user typed can become a formula.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import openpyxl.xml
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from qudao.core.errors import QudaoError, Unprocessable
from qudao.core.i18n import N_, LocaleCode, translate

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_INFLATED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_GRACE_BYTES = 100 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_ROWS = 50_000
MAX_COLUMNS = 200
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# openpyxl without defusedxml would parse entity-expansion bombs.
assert openpyxl.xml.DEFUSEDXML, "defusedxml must be installed"


class PayloadTooLarge(QudaoError):
    status = 413
    code = "payload_too_large"


@dataclass
class Table:
    headers: list[str]
    # Each row with its number as a spreadsheet shows it (the header is row 1).
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def read_table(filename: str, data: bytes) -> Table:
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(N_("The file is larger than %(mb)s MiB. Split it and import the "
                                 "parts."), mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        return _read_xlsx(data)
    if lowered.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise Unprocessable(N_("Import a .csv or .xlsx file."), field="file")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unprocessable(N_("The file is not UTF-8 or GB18030 text. Save it as CSV UTF-8."),
                        field="file")


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    if "\x00" in text:
        raise Unprocessable(N_("This does not look like a CSV file."), field="file")
    dialect: type[csv.Dialect] = csv.excel
    with contextlib.suppress(csv.Error):
        # A file Excel saved with ";" (European locales) or tabs is read as it was meant.
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    reader = csv.reader(io.StringIO(text), dialect)
    rows = [row for row in reader]
    return _table(rows)


def check_zip(data: bytes) -> None:
    """Refuse a ZIP bomb before anything inflates it."""
    if not data.startswith(b"PK\x03\x04"):
        raise Unprocessable(N_("This is not an .xlsx file (it is not a ZIP archive)."),
                            field="file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Unprocessable(N_("The .xlsx file is damaged."), field="file") from None
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise Unprocessable(N_("The .xlsx file holds too many parts."), field="file")
    inflated = 0
    for entry in entries:
        inflated += entry.file_size
        if entry.file_size > RATIO_GRACE_BYTES and (
                entry.compress_size == 0 or entry.file_size / entry.compress_size > MAX_RATIO):
            raise Unprocessable(N_("The .xlsx file inflates suspiciously (a ZIP bomb?); it was "
                                   "not opened."), field="file")
    if inflated > MAX_INFLATED_BYTES:
        raise Unprocessable(N_("The .xlsx file is too large once unpacked."), field="file")


def _read_xlsx(data: bytes) -> Table:
    check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise Unprocessable(N_("The .xlsx file could not be read. Save it again from your "
                               "spreadsheet program."), field="file") from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append([cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return _table(rows)


def cell_text(value: Any) -> str:
    """A cell as text. Numbers keep their shortest exact form (a float cell 0.1 is "0.1")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f") if value == value else ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _table(rows: list[list[str]]) -> Table:
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise Unprocessable(N_("The file is empty."), field="file")
    if len(rows) - 1 > MAX_ROWS:
        raise Unprocessable(N_("The file has more than %(n)s rows. Split it."), field="file",
                            n=MAX_ROWS)
    headers = [h.strip() for h in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise Unprocessable(N_("The file has more than %(n)s columns."), field="file",
                            n=MAX_COLUMNS)
    table = Table(headers=headers)
    for number, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row[: len(headers)]]
        cells += [""] * (len(headers) - len(cells))
        if any(cells):
            table.rows.append((number, cells))
    return table


def neutralize(value: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


Cell = str | int | Decimal | None


def write_csv(headers: list[str], rows: list[list[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in headers])
    for row in rows:
        writer.writerow([neutralize(v) if isinstance(v, str) else ("" if v is None else str(v))
                         for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(headers: list[str], rows: list[list[Cell]], title: str = "Sheet1",
               widths: list[int] | None = None) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths or []):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                # openpyxl would store a string starting with "=" as a formula.
                cell.data_type = "s"
            elif isinstance(value, Decimal):
                # Excel holds numbers as doubles anyway; the exact value stays in the CSV.
                cell = WriteOnlyCell(sheet, value=float(value))
                cell.number_format = "0.0#"
            else:
                cell = WriteOnlyCell(sheet, value=value)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str | None
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, locale: LocaleCode) -> str:
        return translate(locale, self.message, **self.params)

    @classmethod
    def of(cls, row: int, column: str | None, error: QudaoError) -> RowProblem:
        return cls(row, column, error.message, dict(error.params))


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(Unprocessable):
    """A file with any bad row: nothing was written; the report lists every bad row."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(N_("The file was not imported: %(n)s rows have problems. Nothing was "
                            "changed; fix them and import the whole file again."), field="file",
                         n=len({p.row for p in report.errors}))
        self.report = report
