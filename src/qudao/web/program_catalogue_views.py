"""The product catalogue pages: the list with search, a product with its price tiers, the
import (all or nothing, with the report of every bad row) and the exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_
from qudao.core.tabular import MAX_ROWS, MAX_UPLOAD_BYTES, ImportRejected, read_table
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.programs import catalogue, catalogue_io, repository
from qudao.programs.models import Product
from qudao.programs.schemas import CatalogueImportOut, ProductCreate, ProductUpdate
from qudao.web.forms import FormInvalid, FormState, checkbox, failure, optional
from qudao.web.paging import PageNumber, pager, with_total
from qudao.web.program_page_views import posted_rows, program_context, selected_program

router = APIRouter(include_in_schema=False)
ADDED = notice("product.added", N_("The product was added to the catalogue."))
SAVED = notice("product.saved", N_("The product was saved."))
CHOOSE_FILE = N_("Choose a .csv or .xlsx file to import.")
TOO_MANY_LINES = N_("At most %(n)s lines: one item per line.")
PRODUCT_FIELDS = ("sku", "name", "description", "features", "use_cases", "active")
TIER_INPUTS = {"currency": "currency", "min": "min_quantity", "price": "unit_price"}
MAX_TIERS = 50
SPARE_TIERS = 2
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}
Shown = Literal["all", "active", "inactive"]


def _lines(form: FormData, name: str, limit: int = 30) -> list[str]:
    text = optional(form, name, 20_000) or ""
    items = [line.strip() for line in catalogue_io.LIST_SPLIT.split(text) if line.strip()]
    if len(items) > limit:
        raise FormInvalid(name, TOO_MANY_LINES, n=limit)
    return items


def tier_rows(form: FormData | None, product: Product | None) -> int:
    stored = len(product.prices) if product is not None else 0
    return min(MAX_TIERS, max(stored, posted_rows(form, "tier_")) + SPARE_TIERS)


def input_names(rows: int) -> list[str]:
    return [*PRODUCT_FIELDS, "prices",
            *(f"tier_{name}_{i}" for i in range(rows) for name in TIER_INPUTS)]


def parse_product(
    form: FormData, rows: int
) -> tuple[dict[str, object], Callable[[tuple[int | str, ...]], str], dict[str, str]]:
    """The form as the schema's input; where schema errors and service errors are shown."""
    tiers: list[dict[str, object]] = []
    used: list[int] = []
    for row in range(rows):
        texts = {name: optional(form, f"tier_{name}_{row}", 40) for name in TIER_INPUTS}
        if not any(texts.values()):
            continue
        tiers.append({"currency": (texts["currency"] or "").upper(),
                      "min_quantity": texts["min"] or "1",
                      "unit_price": (texts["price"] or "").replace(",", "")})
        used.append(row)
    payload: dict[str, object] = {
        "name": optional(form, "name", 1000) or "",
        "description": optional(form, "description"),
        "features": _lines(form, "features"), "use_cases": _lines(form, "use_cases"),
        "prices": tiers,
    }
    names = {v: k for k, v in TIER_INPUTS.items()}

    def locate(location: tuple[int | str, ...]) -> str:
        if location and location[0] == "prices" and len(location) > 2 \
                and isinstance(location[1], int):
            return f"tier_{names.get(str(location[2]), 'price')}_{used[location[1]]}"
        return str(location[0]) if location else ""

    # The service names a tier's field as prices.<index>.<field>.
    renames = {f"prices.{index}.{field}": f"tier_{names[field]}_{row}"
               for index, row in enumerate(used) for field in TIER_INPUTS.values()}
    return payload, locate, renames


def product_values(product: Product) -> FormState:
    out = catalogue.product_out(product)
    values = {"sku": out.sku, "name": out.name, "description": out.description or "",
              "features": "\n".join(out.features), "use_cases": "\n".join(out.use_cases),
              "active": "on" if out.active else ""}
    for i, tier in enumerate(out.prices):
        values |= {f"tier_currency_{i}": tier.currency, f"tier_min_{i}": str(tier.min_quantity),
                   f"tier_price_{i}": f"{tier.unit_price:f}"}
    return FormState(values=values)


def _new_form(session: Session) -> FormState:
    program = repository.default_program(session)
    return FormState(values={"tier_currency_0": program.currency if program else "CNY",
                             "tier_min_0": "1"})


def _list_page(
    request: Request, session: Session, subject: AuthSubject, *, q: str | None, page: int,
    shown: Shown, form: FormState | None = None, posted: FormData | None = None,
) -> Response:
    draft = pager("/program/catalogue", page, q=q, shown=None if shown == "all" else shown)
    active = {"all": None, "active": True, "inactive": False}[shown]
    rows, total = repository.search_products(session, subject, q=q, active=active,
                                             limit=draft.per_page, offset=draft.offset)
    state = form or _new_form(session)
    return render(request, "program/catalogue.html", {
        **program_context(session, subject, selected_program(session, subject, None)),
        "products": [catalogue.product_out(r) for r in rows],
        "pager": with_total(draft, total), "q": q or "", "shown": shown, "form": state,
        "tier_count": tier_rows(posted, None),
        "filtering": bool(q) or shown != "all",
    }, status=state.status)


@router.get("/program/catalogue")
def list_products(
    request: Request, subject: PageStaff, session: DbSession,
    q: Annotated[str | None, Query(max_length=200)] = None, page: PageNumber = 1,
    shown: Shown = "all",
) -> Response:
    return _list_page(request, session, subject, q=q, page=page, shown=shown)


@router.post("/program/catalogue")
async def add_product(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    rows = tier_rows(form, None)
    locate: Callable[[tuple[int | str, ...]], str] | None = None
    renames: dict[str, str] = {}
    try:
        payload, locate, renames = parse_product(form, rows)
        payload["sku"] = optional(form, "sku", 200) or ""
        product = catalogue.create_product(session, subject,
                                           ProductCreate.model_validate(payload))
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = failure(error, request_locale(request), form, input_names(rows),
                        fields=renames, locate=locate)
        session.rollback()
        return _list_page(request, session, subject, q=None, page=1, shown="all",
                          form=state, posted=form)
    return see_other(request, f"/program/catalogue/{product.id}", flash=ADDED)


# Fixed paths before /program/catalogue/{product_id}.
def _import_page(
    request: Request, session: Session, subject: AuthSubject, *, form: FormState | None = None,
    report: CatalogueImportOut | None = None, filename: str | None = None, status: int = 200,
) -> Response:
    state = form or FormState()
    return render(request, "program/catalogue_import.html", {
        **program_context(session, subject, selected_program(session, subject, None)),
        "form": state, "report": report, "filename": filename,
        "columns": [(english, chinese) for english, chinese, _a in
                    catalogue_io.COLUMNS.values()],
        "max_mib": MAX_UPLOAD_BYTES // (1024 * 1024), "max_rows": MAX_ROWS,
        "rejected_rows": len({p.row for p in report.errors}) if report else 0,
    }, status=state.status if form else status)


@router.get("/program/catalogue/import")
def import_page(request: Request, subject: PageStaff, session: DbSession) -> Response:
    return _import_page(request, session, subject)


@router.post("/program/catalogue/import")
async def import_file(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    locale = request_locale(request)
    dry_run = checkbox(form, "check_only")
    filename: str | None = None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise FormInvalid("file", CHOOSE_FILE)
        filename = upload.filename
        table = read_table(filename, await upload.read(MAX_UPLOAD_BYTES + 1))
        if dry_run:
            _planned, report = catalogue_io.plan(session, subject, table)
        else:
            report = catalogue_io.import_table(session, subject, table)
    except ImportRejected as rejected:
        return _import_page(request, session, subject, filename=filename,
                            status=rejected.status,
                            report=catalogue_io.report_out(rejected.report, locale, dry_run))
    except (QudaoError, FormInvalid) as error:
        state = failure(error, locale, form, ("file", "check_only"))
        return _import_page(request, session, subject, form=state, filename=filename)
    finally:
        await form.close()
    return _import_page(request, session, subject, filename=filename,
                        status=200 if report.ok else 422,
                        report=catalogue_io.report_out(report, locale, dry_run))


@router.get("/program/catalogue/export.{fmt}")
def export(
    request: Request, subject: PageStaff, session: DbSession, fmt: Literal["csv", "xlsx"]
) -> Response:
    body = catalogue_io.export_catalogue(session, subject, request_locale(request), fmt)
    return Response(body, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="qudao-catalogue.{fmt}"'})


def _product_page(
    request: Request, session: Session, subject: AuthSubject, product: Product,
    form: FormState, posted: FormData | None,
) -> Response:
    context: dict[str, Any] = {
        **program_context(session, subject, selected_program(session, subject, None)),
        "product": catalogue.product_out(product), "form": form,
        "tier_count": tier_rows(posted, product),
    }
    return render(request, "program/product.html", context, status=form.status)


@router.get("/program/catalogue/{product_id}")
def product_page(
    request: Request, subject: PageStaff, session: DbSession, product_id: int
) -> Response:
    product = repository.get_product(session, subject, product_id)
    return _product_page(request, session, subject, product, product_values(product), None)


@router.post("/program/catalogue/{product_id}")
async def save_product(
    request: Request, subject: PageStaff, session: DbSession, product_id: int
) -> Response:
    form = await checked_form(request)
    product = repository.get_product(session, subject, product_id)
    rows = tier_rows(form, product)
    locate: Callable[[tuple[int | str, ...]], str] | None = None
    renames: dict[str, str] = {}
    try:
        payload, locate, renames = parse_product(form, rows)
        payload["active"] = checkbox(form, "active")
        catalogue.update_product(session, subject, product.id,
                                 ProductUpdate.model_validate(payload))
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = failure(error, request_locale(request), form, input_names(rows),
                        fields=renames, locate=locate)
        state.values["sku"] = product.sku
        session.rollback()
        product = repository.get_product(session, subject, product_id)
        return _product_page(request, session, subject, product, state, form)
    return see_other(request, f"/program/catalogue/{product.id}", flash=SAVED)
