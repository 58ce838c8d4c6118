"""JSON routes for partner companies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from qudao.core.pagination import Page, PageParams, page_params
from qudao.http.auth import AnyUser, DbSession, StaffWriter
from qudao.partners import repository, service
from qudao.partners.schemas import PartnerCreate, PartnerOut, PartnerUpdate

router = APIRouter(prefix="/partners", tags=["partners"])


@router.get("", summary="List the partners the caller may see")
def list_partners(
    subject: AnyUser, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[PartnerOut]:
    rows, total = repository.search(session, subject, q=q, limit=page.limit, offset=page.offset)
    return Page(items=[PartnerOut.model_validate(r) for r in rows], total=total,
                limit=page.limit, offset=page.offset)


@router.post("", status_code=201, summary="Add a partner company")
def create_partner(subject: StaffWriter, session: DbSession, data: PartnerCreate) -> PartnerOut:
    return PartnerOut.model_validate(service.create_partner(session, subject, data))


@router.get("/{partner_id}", summary="One partner")
def get_partner(subject: AnyUser, session: DbSession, partner_id: int) -> PartnerOut:
    return PartnerOut.model_validate(repository.get(session, subject, partner_id))


@router.patch("/{partner_id}", summary="Change a partner's details")
def update_partner(
    subject: AnyUser, session: DbSession, partner_id: int, data: PartnerUpdate
) -> PartnerOut:
    return PartnerOut.model_validate(service.update_partner(session, subject, partner_id, data))
