"""The deal forms that the staff pages and the portal share: posted text into the shapes
the deal service takes, and a registration that keeps a refused attempt for staff.

A registration form carries a one-time key (``idempotency_key``): sending the same form
twice, by a double click or a reload, opens the deal the first sending registered instead
of refusing the customer as already registered."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_, LocaleCode
from qudao.deals import idempotency, repository, service
from qudao.deals.claims import CustomerProtected
from qudao.deals.models import Deal, IdempotencyRecord
from qudao.deals.schemas import DealCreate, ProductLineIn, WonLineIn
from qudao.http.auth import uow_of
from qudao.http.locale import request_locale
from qudao.web.forms import REQUIRED, FormInvalid, FormState, failure, optional, optional_date

PRODUCT_ROWS = 5
LINE_ROWS = 6
CUSTOMER_FIELDS = ("customer_name", "customer_website", "customer_email", "customer_tax_id",
                   "customer_ref", "amount", "currency", "expected_close", "program_id")
KEY_FIELD = "idempotency_key"
FORM_TARGET = "form /deals"
NOT_A_NUMBER = N_("Enter a whole number greater than 0.")


def labels() -> dict[str, Any]:
    """What the deal templates read besides the deals: the forms' row counts."""
    return {"product_rows": PRODUCT_ROWS, "line_rows": LINE_ROWS}


def program_options(session: Session) -> list[tuple[str, str]]:
    return [(str(p.id), p.name) for p in repository.programs(session)]


def product_inputs(rows: int = PRODUCT_ROWS) -> tuple[str, ...]:
    return tuple(name for i in range(rows) for name in (f"sku_{i}", f"quantity_{i}"))


def line_inputs(rows: int = LINE_ROWS) -> tuple[str, ...]:
    return tuple(name for i in range(rows)
                 for name in (f"sku_{i}", f"quantity_{i}", f"unit_price_{i}"))


def register_inputs(staff: bool) -> tuple[str, ...]:
    return (("partner_id",) if staff else ()) + CUSTOMER_FIELDS + product_inputs()


def new_form_key() -> str:
    return secrets.token_urlsafe(18)


def _quantity(form: FormData, name: str) -> int:
    value = optional(form, name, 20)
    if value is None:
        raise FormInvalid(name, REQUIRED)
    try:
        quantity = int(value)
    except ValueError:
        raise FormInvalid(name, NOT_A_NUMBER) from None
    if quantity <= 0:
        raise FormInvalid(name, NOT_A_NUMBER)
    return quantity


def _products(form: FormData) -> list[ProductLineIn]:
    lines: list[ProductLineIn] = []
    for i in range(PRODUCT_ROWS):
        sku = optional(form, f"sku_{i}", 64)
        if sku is None:
            if optional(form, f"quantity_{i}") is not None:
                raise FormInvalid(f"sku_{i}", REQUIRED)
            continue
        lines.append(ProductLineIn(sku=sku, quantity=_quantity(form, f"quantity_{i}")))
    return lines


def won_lines(form: FormData) -> list[WonLineIn]:
    """The rows of the "won" form that were filled in."""
    lines: list[WonLineIn] = []
    for i in range(LINE_ROWS):
        sku = optional(form, f"sku_{i}", 64)
        price = optional(form, f"unit_price_{i}", 40)
        if sku is None:
            if price is not None or optional(form, f"quantity_{i}") is not None:
                raise FormInvalid(f"sku_{i}", REQUIRED)
            continue
        if price is None:
            raise FormInvalid(f"unit_price_{i}", REQUIRED)
        lines.append(WonLineIn(sku=sku, quantity=_quantity(form, f"quantity_{i}"),
                               unit_price=price.replace(",", ".")))
    return lines


def _int(form: FormData, name: str) -> int | None:
    value = optional(form, name, 20)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise FormInvalid(name, NOT_A_NUMBER) from None


def registration(form: FormData, *, staff: bool) -> DealCreate:
    return DealCreate(
        partner_id=_int(form, "partner_id") if staff else None,
        program_id=_int(form, "program_id"),
        customer_name=optional(form, "customer_name", 1000) or "",
        customer_website=optional(form, "customer_website", 1000),
        customer_email=optional(form, "customer_email", 1000),
        customer_tax_id=optional(form, "customer_tax_id", 1000),
        customer_ref=optional(form, "customer_ref", 1000),
        amount=(optional(form, "amount", 40) or "").replace(",", "."),
        currency=(optional(form, "currency", 10) or "").upper(),
        expected_close=optional_date(form, "expected_close"),
        products=_products(form))


@dataclass(frozen=True, slots=True)
class Registered:
    deal_id: int
    replayed: bool = False


def _renames() -> dict[str, str]:
    # The service names the amount's and the SKU's problems by field; the inputs differ.
    return {"products": "sku_0"}


def register_from_form(
    request: Request, session: Session, subject: AuthSubject, form: FormData, *,
    source: service.Source,
) -> Registered | FormState:
    """Registers the posted deal, or the form state to draw again. A customer protected by
    another deal is refused on the form with the date; the refusal is kept for staff."""
    locale: LocaleCode = request_locale(request)
    inputs = register_inputs(subject.is_staff)
    record: IdempotencyRecord | None = None
    try:
        data = registration(form, staff=subject.is_staff)
        key = optional(form, KEY_FIELD, 255)
        if key is not None:
            digest = idempotency.request_hash(FORM_TARGET, data.model_dump(mode="json"))
            found = idempotency.begin(session, idempotency.scope_of(subject), f"form:{key}",
                                      digest)
            if isinstance(found, idempotency.Replay):
                return Registered(int(json.loads(found.body)["id"]), replayed=True)
            record = found
        deal: Deal = service.register(session, subject, data, source=source)
    except CustomerProtected as refused:
        if record is not None:
            idempotency.discard(session, record)
        # The refusal stays on record for staff although the page answers 409.
        uow_of(request).commit_on_error = True
        state = failure(refused, locale, form, inputs, fields=_renames())
        state.message = refused.render(locale)
        return state
    except (QudaoError, ValidationError, FormInvalid) as error:
        return failure(error, locale, form, inputs, fields=_renames())
    if record is not None:
        idempotency.finish(session, record, 201, json.dumps({"id": deal.id}))
    return Registered(deal.id)
