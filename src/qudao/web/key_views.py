"""Staff pages for API keys: every partner's keys, issued, rotated and revoked here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qudao.http.auth import DbSession, PageStaff
from qudao.web.key_pages import STAFF_KEYS
from qudao.web.paging import PageNumber

router = APIRouter(include_in_schema=False)


@router.get("/api-keys")
def list_keys(
    request: Request, subject: PageStaff, session: DbSession,
    partner_id: Annotated[int | None, Query()] = None, page: PageNumber = 1,
) -> Response:
    return STAFF_KEYS.list_page(request, session, subject, partner_id=partner_id, page=page)


@router.post("/api-keys")
async def issue_key(request: Request, subject: PageStaff, session: DbSession) -> Response:
    return await STAFF_KEYS.issue(request, session, subject)


@router.get("/api-keys/{key_id}/rotate")
def confirm_rotate(
    request: Request, subject: PageStaff, session: DbSession, key_id: int
) -> Response:
    return STAFF_KEYS.confirm_page(request, session, subject, key_id, "rotate")


@router.post("/api-keys/{key_id}/rotate")
async def rotate_key(
    request: Request, subject: PageStaff, session: DbSession, key_id: int
) -> Response:
    return await STAFF_KEYS.rotate(request, session, subject, key_id)


@router.get("/api-keys/{key_id}/revoke")
def confirm_revoke(
    request: Request, subject: PageStaff, session: DbSession, key_id: int
) -> Response:
    return STAFF_KEYS.confirm_page(request, session, subject, key_id, "revoke")


@router.post("/api-keys/{key_id}/revoke")
async def revoke_key(
    request: Request, subject: PageStaff, session: DbSession, key_id: int
) -> Response:
    return await STAFF_KEYS.revoke(request, session, subject, key_id)
