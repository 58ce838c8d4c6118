"""JSON API of referral links, events and funnels. Staff manage links; the company's site
(a staff key) reports events; partners read their own links, events and funnel, and may
report events about visitors that came through their own links."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime

from qudao.core.pagination import Page, PageParams, page_params
from qudao.http.auth import AnyUser, DbSession, StaffWriter, Writer
from qudao.http.locale import RequestLocale
from qudao.referrals import funnel, present, repository, service
from qudao.referrals.schemas import (
    EventCreate,
    EventKind,
    EventOut,
    FunnelOut,
    LinkCreate,
    LinkOut,
    LinkUpdate,
)

router = APIRouter(tags=["referrals"])


@router.get("/referral-links", summary="Referral links: staff see all, partners their own")
def list_links(
    request: Request, subject: AnyUser, session: DbSession,
    page: Annotated[PageParams, Depends(page_params)],
    partner_id: Annotated[int | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
) -> Page[LinkOut]:
    rows, total = repository.search_links(session, subject, partner_id=partner_id,
                                          active=active, limit=page.limit, offset=page.offset)
    base = present.base_of(request)
    return Page[LinkOut](items=[present.link_out(r, base) for r in rows], total=total,
                         limit=page.limit, offset=page.offset)


@router.post("/referral-links", status_code=201, summary="Create a partner's referral link")
def create_link(
    request: Request, subject: StaffWriter, session: DbSession, data: LinkCreate
) -> LinkOut:
    link = service.create_link(session, subject, data)
    return present.link_out(link, present.base_of(request))


@router.get("/referral-links/{link_id}", summary="One referral link")
def get_link(request: Request, subject: AnyUser, session: DbSession, link_id: int) -> LinkOut:
    return present.link_out(repository.get_link(session, subject, link_id),
                            present.base_of(request))


@router.patch("/referral-links/{link_id}",
              summary="Change a link's landing URL or label, or switch it off")
def update_link(
    request: Request, subject: StaffWriter, session: DbSession, link_id: int, data: LinkUpdate
) -> LinkOut:
    link = service.update_link(session, subject, link_id, data)
    return present.link_out(link, present.base_of(request))


@router.post("/referral-events", status_code=201,
             summary="Report a visit, sign-up, trial or paid conversion",
             description="Credited to the partner of the visitor's last click within the "
             "attribution window (the default program's, 90 days without one); unattributed "
             "otherwise. A partner key may only report visitors of its own links.")
def create_event(subject: Writer, session: DbSession, data: EventCreate) -> EventOut:
    return present.event_out(service.record_event(session, subject, data))


@router.get("/referral-events", summary="Referral events, newest first")
def list_events(
    subject: AnyUser, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    partner_id: Annotated[int | None, Query()] = None,
    kind: Annotated[EventKind | None, Query()] = None,
    since: Annotated[AwareDatetime | None, Query()] = None,
) -> Page[EventOut]:
    rows, total = repository.search_events(session, subject, partner_id=partner_id, kind=kind,
                                           since=since, limit=page.limit, offset=page.offset)
    return Page[EventOut](items=[present.event_out(r) for r in rows], total=total,
                          limit=page.limit, offset=page.offset)


@router.get("/partners/{partner_id}/funnel",
            summary="A partner's funnel: visitors → sign-ups → trials → paid")
def partner_funnel(
    subject: AnyUser, session: DbSession, locale: RequestLocale, partner_id: int,
    since: Annotated[date | None, Query(description="Default: 89 days before until")] = None,
    until: Annotated[date | None, Query(description="Default: today")] = None,
) -> FunnelOut:
    found = funnel.funnel(session, subject, partner_id, since=since, until=until)
    return present.funnel_out(found, locale)
