"""A deal's staff page: the customer and its protection, the lines, the registrations it
refused (with both partners), and the forms that approve, reject, win, lose, assign a sales
rep and decide an extension. Every form posts to its own route; when one fails, the page is
drawn again with that form's values and messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.models import ApiKey, User
from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.i18n import N_
from qudao.core.money import from_minor
from qudao.deals import repository, service
from qudao.deals.models import Deal
from qudao.http.auth import DbSession, PageStaff
from qudao.http.templates import notice, render
from qudao.programs.models import Product
from qudao.web.actions import form_action
from qudao.web.choices import owner_options, people_by_id, staff_people
from qudao.web.deal_forms import LINE_ROWS, labels, line_inputs, won_lines
from qudao.web.forms import FormState, checkbox, optional, optional_int

router = APIRouter(include_in_schema=False)
APPROVED = notice("deal.approved", N_("The deal was approved."))
REJECTED = notice("deal.rejected", N_("The deal was rejected; its customer is free again."))
WON = notice("deal.won", N_("The deal was won; its lines now count as the customer's "
                            "purchases."))
LOST = notice("deal.lost", N_("The deal was marked lost; its customer is free again."))
ASSIGNED = notice("deal.assigned", N_("The sales rep was saved."))
EXTENSION_ASKED = notice("deal.extension_asked", N_("The extension was requested."))
EXTENSION_DECIDED = notice("deal.extension_decided", N_("The decision on the extension was "
                                                        "saved."))


@dataclass
class Forms:
    """The page's forms that differ from their defaults: the one whose POST failed."""

    reject: FormState | None = None
    win: FormState | None = None
    lose: FormState | None = None
    assign: FormState | None = None
    extension: FormState | None = None
    decision: FormState | None = None
    stage: FormState | None = None

    @property
    def status(self) -> int:
        states = [self.reject, self.win, self.lose, self.assign, self.extension,
                  self.decision, self.stage]
        return max((s.status for s in states if s is not None), default=200)


def _registered_by(session: Session, deal: Deal) -> str | None:
    if deal.registered_by_key_id is not None:
        key = session.get(ApiKey, deal.registered_by_key_id)
        if key is not None:
            return f"{key.name} ({key.display_prefix}…{key.last4})"
    if deal.registered_by_user_id is not None:
        user = session.get(User, deal.registered_by_user_id)
        if user is not None:
            return user.email
    return None


def _unit_price(product: Product | None, currency: str, quantity: int) -> str:
    """The catalogue's unit price at this quantity, to start the "won" form from."""
    if product is None:
        return ""
    tiers = [p for p in product.prices if p.currency == currency and p.min_quantity <= quantity]
    if not tiers:
        return ""
    best = max(tiers, key=lambda p: p.min_quantity)
    return f"{from_minor(best.unit_price_minor, currency):f}"


def _win_defaults(session: Session, deal: Deal) -> FormState:
    """The registered products, with the catalogue's prices, as the won lines' start."""
    planned = [line for line in deal.lines if line.kind == "registered"][:LINE_ROWS]
    products = repository.products_by_sku(session, {line.sku for line in planned})
    values: dict[str, str] = {}
    for i, line in enumerate(planned):
        values[f"sku_{i}"] = line.sku
        values[f"quantity_{i}"] = str(line.quantity)
        values[f"unit_price_{i}"] = _unit_price(products.get(line.sku), deal.currency,
                                                line.quantity)
    return FormState(values=values)


def deal_page(request: Request, session: Session, subject: AuthSubject, deal_id: int,
              forms: Forms | None = None) -> Response:
    forms = forms or Forms()
    deal = repository.get(session, subject, deal_id)
    people = staff_people(session, subject)
    names = repository.partner_names(session, {deal.partner_id})
    context: dict[str, Any] = {
        "deal": deal, "partner_name": names.get(deal.partner_id, ""),
        "registered": [line for line in deal.lines if line.kind == "registered"],
        "won": [line for line in deal.lines if line.kind == "won"],
        "claims": repository.claims_of(session, deal.id),
        "conflicts": repository.conflicts_of(session, deal.id),
        "now": clock.now(), "active": service.protection_active(deal),
        "next_stages": service.NEXT_STAGES.get(deal.stage, frozenset()),
        "open": deal.stage in service.OPEN_STAGES,
        "rep_options": owner_options(people), "reps": people_by_id(people),
        "registered_by": _registered_by(session, deal),
        "program": repository.program(session, deal.program_id) if deal.program_id else None,
        "catalogue": repository.catalogue(session),
        "forms": forms, "form_reject": forms.reject or FormState(),
        "form_win": forms.win or _win_defaults(session, deal),
        "form_lose": forms.lose or FormState(), "form_stage": forms.stage or FormState(),
        "form_assign": forms.assign or FormState(values={
            "sales_rep_id": str(deal.sales_rep_id or "")}),
        "form_extension": forms.extension or FormState(),
        "form_decision": forms.decision or FormState(),
        **labels(),
    }
    return render(request, "deals/detail.html", context, status=forms.status)


async def _deal_form(
    request: Request, session: Session, subject: AuthSubject, deal_id: int, *,
    act: Callable[[FormData], object], inputs: Iterable[str],
    place: Callable[[FormState], Forms], anchor: str, flash: str,
) -> Response:
    return await form_action(
        request, session, act=act, inputs=inputs, done=f"/deals/{deal_id}#{anchor}",
        flash=flash,
        redraw=lambda state, _form: deal_page(request, session, subject, deal_id,
                                              place(state)))


@router.get("/deals/{deal_id}")
def deal_detail(request: Request, subject: PageStaff, session: DbSession,
                deal_id: int) -> Response:
    return deal_page(request, session, subject, deal_id)


@router.post("/deals/{deal_id}/approve")
async def approve(request: Request, subject: PageStaff, session: DbSession,
                  deal_id: int) -> Response:
    return await _deal_form(
        request, session, subject, deal_id,
        act=lambda _form: service.approve(session, subject, deal_id), inputs=(),
        place=lambda state: Forms(stage=state), anchor="stage", flash=APPROVED)


@router.post("/deals/{deal_id}/reject")
async def reject(request: Request, subject: PageStaff, session: DbSession,
                 deal_id: int) -> Response:
    return await _deal_form(
        request, session, subject, deal_id,
        act=lambda form: service.reject(session, subject, deal_id,
                                        optional(form, "reason", 2000)),
        inputs=("reason",), place=lambda state: Forms(reject=state), anchor="stage",
        flash=REJECTED)


@router.post("/deals/{deal_id}/win")
async def win(request: Request, subject: PageStaff, session: DbSession,
              deal_id: int) -> Response:
    return await _deal_form(
        request, session, subject, deal_id,
        act=lambda form: service.win(session, subject, deal_id, won_lines(form)),
        inputs=line_inputs(), place=lambda state: Forms(win=state), anchor="lines",
        flash=WON)


@router.post("/deals/{deal_id}/lose")
async def lose(request: Request, subject: PageStaff, session: DbSession,
               deal_id: int) -> Response:
    return await _deal_form(
        request, session, subject, deal_id,
        act=lambda form: service.lose(session, subject, deal_id,
                                      optional(form, "reason", 2000)),
        inputs=("reason",), place=lambda state: Forms(lose=state), anchor="stage",
        flash=LOST)


@router.post("/deals/{deal_id}/assign")
async def assign(request: Request, subject: PageStaff, session: DbSession,
                 deal_id: int) -> Response:
    return await _deal_form(
        request, session, subject, deal_id,
        act=lambda form: service.assign(session, subject, deal_id,
                                        optional_int(form, "sales_rep_id")),
        inputs=("sales_rep_id",), place=lambda state: Forms(assign=state), anchor="selling",
        flash=ASSIGNED)


@router.post("/deals/{deal_id}/extension")
async def request_extension(request: Request, subject: PageStaff, session: DbSession,
                            deal_id: int) -> Response:
    return await _deal_form(
        request, session, subject, deal_id,
        act=lambda form: service.request_extension(session, subject, deal_id,
                                                   optional(form, "reason", 2000)),
        inputs=("reason",), place=lambda state: Forms(extension=state), anchor="protection",
        flash=EXTENSION_ASKED)


@router.post("/deals/{deal_id}/extension/decision")
async def decide_extension(request: Request, subject: PageStaff, session: DbSession,
                           deal_id: int) -> Response:
    return await _deal_form(
        request, session, subject, deal_id,
        act=lambda form: service.decide_extension(
            session, subject, deal_id, grant=checkbox(form, "grant"),
            reason=optional(form, "reason", 2000)),
        inputs=("reason",), place=lambda state: Forms(decision=state), anchor="protection",
        flash=EXTENSION_DECIDED)
