"""The catalogue as a spreadsheet, in and out.

One row per price tier: SKU | Name | Description | Features | Use cases | Active |
Currency | Min quantity | Unit price. A product with three tiers takes three rows with the
same SKU; its details may be repeated on each row or written on the first only. A product
without a price list takes one row with the price columns empty. Features and use cases are
separated by ";" or line breaks. Headers may be English or Chinese.

Import is all or nothing: every row is checked first, and a file with any bad row writes
nothing and returns the report of every bad row. A SKU already in the catalogue is updated
to what the file says (its price list replaced); products the file does not name stay as
they are. An export imports again to the same catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.core.money import from_minor
from qudao.core.tabular import (
    FORMULA_TRIGGERS,
    Cell,
    ImportRejected,
    ImportReport,
    RowProblem,
    Table,
    write_csv,
    write_xlsx,
)
from qudao.programs import catalogue, repository
from qudao.programs.schemas import (
    CatalogueImportOut,
    ImportProblemOut,
    PriceTierIn,
    ProductCreate,
)

# Canonical key → (English header, Chinese header, other accepted spellings).
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "sku": ("SKU", "商品编码", ("product code", "item code", "产品编码", "货号", "编码")),
    "name": ("Name", "名称", ("product", "product name", "产品", "产品名称", "商品名称")),
    "description": ("Description", "描述", ("说明", "产品描述")),
    "features": ("Features", "功能", ("key features", "产品功能", "主要功能")),
    "use_cases": ("Use cases", "使用案例", ("use case", "应用场景", "案例")),
    "active": ("Active", "在售", ("on sale", "status", "状态", "启用")),
    "currency": ("Currency", "币种", ("货币",)),
    "min_quantity": ("Min quantity", "起订数量", ("from quantity", "minimum quantity",
                                                  "quantity", "最小数量", "数量")),
    "unit_price": ("Unit price", "单价", ("price", "价格")),
}
ORDER = list(COLUMNS)
PRODUCT_KEYS = ("name", "description", "features", "use_cases", "active")
TIER_KEYS = ("currency", "min_quantity", "unit_price")
LIST_SPLIT = re.compile(r"[;；\r\n]")
YES = {"yes", "y", "true", "1", "on", "active", "是", "在售", "启用", "有效"}
NO = {"no", "n", "false", "0", "off", "inactive", "否", "停售", "停用", "无效"}
YES_LABEL, NO_LABEL = N_("yes"), N_("no")
SHEET_TITLE = N_("Catalogue")
ExportFormat = Literal["csv", "xlsx"]
Progress = Callable[[int, int], None]


def fold(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


def header(key: str, locale: LocaleCode) -> str:
    english, chinese, _aliases = COLUMNS[key]
    return chinese if locale == "zh-CN" else english


def _spellings() -> dict[str, str]:
    found: dict[str, str] = {}
    for key, (english, chinese, aliases) in COLUMNS.items():
        for spelling in (key, english, chinese, *aliases):
            found[fold(spelling)] = key
    return found


def unprotect(value: str) -> str:
    """Exports put an apostrophe before text a spreadsheet would run as a formula; read
    back, the text is what it was."""
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_TRIGGERS:
        return value[1:]
    return value


@dataclass
class CatalogueReport(ImportReport):
    updated: int = 0


@dataclass
class PlannedProduct:
    row: int
    data: ProductCreate


@dataclass
class _Group:
    first_row: int
    values: dict[str, str]
    tiers: list[tuple[int, PriceTierIn]] = field(default_factory=list)


def _columns(table: Table, report: ImportReport) -> dict[int, str]:
    known = _spellings()
    found: dict[int, str] = {}
    for index, text in enumerate(table.headers):
        folded = fold(text)
        if not folded:
            continue
        key = known.get(folded)
        if key is None or key in found.values():
            report.warnings.append(RowProblem(1, text, N_(
                "Column %(column)s is not known and was ignored."), {"column": text}))
            continue
        found[index] = key
    return found


def _active(text: str) -> bool | None:
    folded = text.strip().casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    return None


def _tier(number: int, values: dict[str, str], report: ImportReport,
          where: Callable[[str], str]) -> PriceTierIn | None:
    if not any(values.get(k) for k in TIER_KEYS):
        return None
    before = len(report.errors)
    for key in ("currency", "unit_price"):
        if not values.get(key):
            report.errors.append(RowProblem(number, where(key), N_(
                "A price needs its currency and its unit price.")))
    quantity_text = values.get("min_quantity", "").replace(",", "").strip() or "1"
    if not quantity_text.isdigit() or not 1 <= int(quantity_text) <= 1_000_000_000:
        report.errors.append(RowProblem(number, where("min_quantity"), N_(
            "%(value)s is not a whole number of units (1 or more)."),
            {"value": values.get("min_quantity", "")}))
    if len(report.errors) > before:
        return None
    tier = PriceTierIn(currency=values["currency"].upper(), min_quantity=int(quantity_text),
                       unit_price=values["unit_price"].replace(",", ""))
    try:
        catalogue.check_tier(tier, 0)
    except QudaoError as error:
        column = (error.field or "").rsplit(".", 1)[-1]
        report.errors.append(RowProblem.of(number, where(column) if column in COLUMNS
                                           else None, error))
        return None
    return tier


def _conflicts(group: _Group, number: int, values: dict[str, str], report: ImportReport,
               where: Callable[[str], str]) -> None:
    """A later row of the same SKU may leave product details empty or repeat them, but
    not contradict the first row."""
    for key in PRODUCT_KEYS:
        text = values.get(key, "")
        if not text:
            continue
        if key not in group.values or not group.values[key]:
            group.values[key] = text
        elif group.values[key] != text:
            report.errors.append(RowProblem(number, where(key), N_(
                "This differs from row %(row)s of the same SKU: write a product's details "
                "once, or the same on each of its rows."), {"row": group.first_row}))


def _product(sku: str, group: _Group, report: ImportReport,
             where: Callable[[str], str]) -> ProductCreate | None:
    values = group.values
    active = True
    if values.get("active"):
        found = _active(values["active"])
        if found is None:
            report.errors.append(RowProblem(group.first_row, where("active"), N_(
                "Write yes or no (是 or 否), not %(value)s."), {"value": values["active"]}))
            return None
        active = found
    payload: dict[str, object] = {
        "sku": sku, "name": values.get("name", ""), "active": active,
        "description": values.get("description") or None,
        "features": [f.strip() for f in LIST_SPLIT.split(values.get("features", ""))
                     if f.strip()],
        "use_cases": [u.strip() for u in LIST_SPLIT.split(values.get("use_cases", ""))
                      if u.strip()],
        "prices": [tier.model_dump() for _row, tier in group.tiers],
    }
    try:
        data = ProductCreate.model_validate(payload)
        catalogue.validate_product(data)
    except ValidationError as error:
        for problem in error.errors():
            loc = [str(p) for p in problem["loc"]]
            rows = [row for row, _tier in group.tiers]
            number = group.first_row
            if loc and loc[0] == "prices" and len(loc) > 1 and loc[1].isdigit():
                number = rows[int(loc[1])]
            column = where(loc[0]) if loc and loc[0] in COLUMNS else None
            report.errors.append(RowProblem(number, column, N_("%(message)s"),
                                            {"message": problem["msg"]}))
        return None
    except QudaoError as error:
        parts = (error.field or "").split(".")
        number = group.first_row
        if parts[0] == "prices" and len(parts) > 1 and parts[1].isdigit():
            number = group.tiers[int(parts[1])][0]
        column = where(parts[-1]) if parts[-1] in COLUMNS else None
        report.errors.append(RowProblem.of(number, column, error))
        return None
    return data


def plan(
    session: Session, subject: AuthSubject, table: Table, progress: Progress | None = None
) -> tuple[list[PlannedProduct], CatalogueReport]:
    """Check every row; write nothing."""
    require_staff_writer(subject)
    report = CatalogueReport(rows=len(table.rows))
    columns = _columns(table, report)
    if "sku" not in columns.values() or "name" not in columns.values():
        report.errors.append(RowProblem(1, None, N_(
            "The file needs a SKU column and a Name column (名称).")))
        return [], report
    header_of = {key: table.headers[index] for index, key in columns.items()}

    def where(key: str) -> str:
        return header_of.get(key, key)

    groups: dict[str, _Group] = {}
    for done, (number, cells) in enumerate(table.rows, start=1):
        values = {key: unprotect(cells[index]) for index, key in columns.items()}
        sku = values.get("sku", "").strip()
        if not sku:
            report.errors.append(RowProblem(number, where("sku"), N_(
                "Every row needs the product's SKU.")))
            continue
        group = groups.get(sku)
        if group is None:
            group = groups[sku] = _Group(number, {k: values.get(k, "") for k in PRODUCT_KEYS})
        else:
            _conflicts(group, number, values, report, where)
        tier = _tier(number, values, report, where)
        if tier is not None:
            group.tiers.append((number, tier))
        if progress is not None and done % 500 == 0:
            progress(done, len(table.rows))
    planned: list[PlannedProduct] = []
    for sku, group in groups.items():
        data = _product(sku, group, report, where)
        if data is not None:
            planned.append(PlannedProduct(group.first_row, data))
    return planned, report


def import_table(
    session: Session, subject: AuthSubject, table: Table, progress: Progress | None = None
) -> CatalogueReport:
    """All or nothing: raises ``ImportRejected`` (writing nothing) when any row is bad."""
    planned, report = plan(session, subject, table, progress)
    if not report.ok:
        raise ImportRejected(report)
    existing = repository.products_by_sku(session, (p.data.sku for p in planned))
    for done, item in enumerate(planned, start=1):
        product = existing.get(item.data.sku)
        if product is None:
            catalogue.insert_product(session, item.data)
            report.created += 1
        else:
            before = catalogue.product_out(product).model_dump(exclude={"updated_at"})
            catalogue.change_product(session, product, item.data)
            if catalogue.product_out(product).model_dump(exclude={"updated_at"}) != before:
                report.updated += 1
        if progress is not None:
            progress(done, len(planned))
    session.flush()
    return report


def report_out(report: ImportReport, locale: LocaleCode, dry_run: bool) -> CatalogueImportOut:
    def out(problems: list[RowProblem]) -> list[ImportProblemOut]:
        return [ImportProblemOut(row=p.row, column=p.column, reason=p.render(locale))
                for p in problems]

    updated = report.updated if isinstance(report, CatalogueReport) else 0
    return CatalogueImportOut(ok=report.ok, rows=report.rows, created=report.created,
                              updated=updated, dry_run=dry_run,
                              errors=out(report.errors), warnings=out(report.warnings))


def rows(session: Session, subject: AuthSubject, locale: LocaleCode) -> list[list[Cell]]:
    yes, no = translate(locale, YES_LABEL), translate(locale, NO_LABEL)
    found: list[list[Cell]] = []
    for product in repository.all_products(session, subject):
        details: list[Cell] = [product.sku, product.name, product.description or "",
                               "; ".join(product.features), "; ".join(product.use_cases),
                               yes if product.active else no]
        tiers = sorted(product.prices, key=lambda p: (p.currency, p.min_quantity))
        if not tiers:
            found.append([*details, "", None, None])
        for price in tiers:
            found.append([*details, price.currency, price.min_quantity,
                          from_minor(price.unit_price_minor, price.currency)])
    return found


def export_catalogue(
    session: Session, subject: AuthSubject, locale: LocaleCode, fmt: ExportFormat
) -> bytes:
    """The catalogue the caller may read, one row per price tier; it imports again."""
    headers = [header(key, locale) for key in ORDER]
    body = rows(session, subject, locale)
    if fmt == "csv":
        return write_csv(headers, body)
    return write_xlsx(headers, body, title=translate(locale, SHEET_TITLE),
                      widths=[14, 32, 40, 40, 40, 8, 9, 12, 12])
