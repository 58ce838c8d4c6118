"""JSON API of deal registration (/api/v1/deals): partners' users and keys register and
read their own deals; staff read all, decide, and sell jointly."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response

from qudao.core.pagination import Page, PageParams, page_params
from qudao.deals import idempotency, present, repository, service
from qudao.deals.claims import CustomerProtected
from qudao.deals.models import IdempotencyRecord
from qudao.deals.schemas import (
    DealAssign,
    DealCreate,
    DealOut,
    DealStaffOut,
    DealStaffSummary,
    DealUpdate,
    DealWin,
    ExtensionDecision,
    Reason,
    Stage,
)
from qudao.http.auth import AnyUser, DbSession, StaffWriter, Writer, uow_of
from qudao.http.locale import RequestLocale

router = APIRouter(prefix="/deals", tags=["deals"])
JSON = "application/json"
CREATE_TARGET = "POST /api/v1/deals"
_ERROR = {"content": {JSON: {"example": {"error": "…", "detail": "…"}}}}
CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Registered; ``Location`` names the new deal. With an "
                         "``Idempotency-Key`` seen before, the first answer again, with "
                         "``Idempotent-Replayed: true``."},
    409: {"description": "The customer is protected by another registration until "
                         "``protected_until``; who holds it is not said.",
          "content": {JSON: {"example": {
              "error": "customer_protected",
              "detail": "This customer is already registered and protected until "
                        "February 25, 2027. You can register it after that date.",
              "field": "customer_website", "protected_until": "2027-02-25T09:30:00+00:00"}}}},
    422: {"description": "Invalid data, or an Idempotency-Key reused with another body",
          **_ERROR},
}


def _dump(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _replay(replay: idempotency.Replay) -> Response:
    headers = {idempotency.REPLAYED_HEADER: "true"}
    if replay.status == 201:
        headers["Location"] = f"/api/v1/deals/{json.loads(replay.body)['id']}"
    return Response(replay.body, status_code=replay.status, media_type=JSON, headers=headers)


@router.post("", status_code=201, response_model=DealStaffOut | DealOut,
             summary="Register a deal (protects its customer)", responses=CREATE_RESPONSES)
def register_deal(
    request: Request, subject: Writer, session: DbSession, locale: RequestLocale,
    data: DealCreate,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", max_length=255,
        description="Send the same key again to get the first answer instead of a second "
                    "registration; kept 24 hours")] = None,
) -> Response:
    record: IdempotencyRecord | None = None
    if idempotency_key is not None:
        digest = idempotency.request_hash(CREATE_TARGET, data.model_dump(mode="json"))
        found = idempotency.begin(session, idempotency.scope_of(subject), idempotency_key,
                                  digest)
        if isinstance(found, idempotency.Replay):
            return _replay(found)
        record = found
    try:
        deal = service.register(session, subject, data, source="api")
    except CustomerProtected as refused:
        body = _dump({**refused.body(locale), "request_id": uow_of(request).context.request_id})
        if record is not None:
            idempotency.finish(session, record, refused.status, body)
        # The refusal is kept for staff (and for the replay): commit although it is a 409.
        uow_of(request).commit_on_error = True
        return Response(body, status_code=refused.status, media_type=JSON)
    created = present.for_reader(session, subject, deal).model_dump_json()
    if record is not None:
        idempotency.finish(session, record, 201, created)
    return Response(created, status_code=201, media_type=JSON,
                    headers={"Location": f"/api/v1/deals/{deal.id}"})


@router.get("", summary="List the deals the caller may see, newest first")
def list_deals(
    subject: AnyUser, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    stage: Stage | None = None,
    partner_id: Annotated[int | None, Query(description="Staff only")] = None,
    q: Annotated[str | None, Query(max_length=200,
                                   description="Customer name, domain, e-mail, tax id")] = None,
) -> Page[DealStaffSummary] | Page[DealOut]:
    rows, total = repository.search(session, subject, limit=page.limit, offset=page.offset,
                                    stage=stage, partner_id=partner_id, q=q)
    items = present.page_items(session, subject, rows)
    if subject.is_staff:
        return Page[DealStaffSummary](items=items, total=total, limit=page.limit,
                                      offset=page.offset)
    return Page[DealOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{deal_id}", summary="One deal: partners their own, staff any, with the "
                                  "registrations it refused")
def get_deal(subject: AnyUser, session: DbSession, deal_id: int) -> DealStaffOut | DealOut:
    return present.for_reader(session, subject, repository.get(session, subject, deal_id))


@router.patch("/{deal_id}", summary="Change an open deal's name, amount or expected close")
def update_deal(
    subject: Writer, session: DbSession, deal_id: int, data: DealUpdate
) -> DealStaffOut | DealOut:
    return present.for_reader(session, subject, service.update(session, subject, deal_id, data))


@router.post("/{deal_id}/approve", summary="Approve a registered deal")
def approve_deal(subject: StaffWriter, session: DbSession, deal_id: int) -> DealStaffOut:
    return present.staff_out(session, service.approve(session, subject, deal_id))


@router.post("/{deal_id}/reject", summary="Reject a registered deal; frees its customer")
def reject_deal(
    subject: StaffWriter, session: DbSession, deal_id: int, data: Reason
) -> DealStaffOut:
    return present.staff_out(session, service.reject(session, subject, deal_id, data.reason))


@router.post("/{deal_id}/win", summary="Win an approved deal with the lines sold")
def win_deal(
    subject: StaffWriter, session: DbSession, deal_id: int, data: DealWin
) -> DealStaffOut:
    return present.staff_out(session, service.win(session, subject, deal_id, data.lines))


@router.post("/{deal_id}/lose", summary="Mark an approved deal lost; frees its customer")
def lose_deal(
    subject: StaffWriter, session: DbSession, deal_id: int, data: Reason
) -> DealStaffOut:
    return present.staff_out(session, service.lose(session, subject, deal_id, data.reason))


@router.post("/{deal_id}/assign", summary="Assign a staff sales rep (joint selling)")
def assign_rep(
    subject: StaffWriter, session: DbSession, deal_id: int, data: DealAssign
) -> DealStaffOut:
    return present.staff_out(session, service.assign(session, subject, deal_id,
                                                     data.sales_rep_id))


@router.post("/{deal_id}/extension", summary="Ask for a longer protection of the customer")
def request_extension(
    subject: Writer, session: DbSession, deal_id: int, data: Reason
) -> DealStaffOut | DealOut:
    deal = service.request_extension(session, subject, deal_id, data.reason)
    return present.for_reader(session, subject, deal)


@router.post("/{deal_id}/extension/decision", summary="Grant or refuse a requested extension")
def decide_extension(
    subject: StaffWriter, session: DbSession, deal_id: int, data: ExtensionDecision
) -> DealStaffOut:
    deal = service.decide_extension(session, subject, deal_id, grant=data.grant,
                                    reason=data.reason)
    return present.staff_out(session, deal)
