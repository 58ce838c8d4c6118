"""The partner's own API keys: administrators issue, rotate and revoke; members read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qudao.http.auth import DbSession, PagePartner
from qudao.web.key_pages import PORTAL_KEYS
from qudao.web.paging import PageNumber

router = APIRouter()


@router.get("/api-keys")
def list_keys(request: Request, subject: PagePartner, session: DbSession,
              page: PageNumber = 1) -> Response:
    return PORTAL_KEYS.list_page(request, session, subject, partner_id=None, page=page)


@router.post("/api-keys")
async def issue_key(request: Request, subject: PagePartner, session: DbSession) -> Response:
    return await PORTAL_KEYS.issue(request, session, subject)


@router.get("/api-keys/{key_id}/rotate")
def confirm_rotate(
    request: Request, subject: PagePartner, session: DbSession, key_id: int
) -> Response:
    return PORTAL_KEYS.confirm_page(request, session, subject, key_id, "rotate")


@router.post("/api-keys/{key_id}/rotate")
async def rotate_key(
    request: Request, subject: PagePartner, session: DbSession, key_id: int
) -> Response:
    return await PORTAL_KEYS.rotate(request, session, subject, key_id)


@router.get("/api-keys/{key_id}/revoke")
def confirm_revoke(
    request: Request, subject: PagePartner, session: DbSession, key_id: int
) -> Response:
    return PORTAL_KEYS.confirm_page(request, session, subject, key_id, "revoke")


@router.post("/api-keys/{key_id}/revoke")
async def revoke_key(
    request: Request, subject: PagePartner, session: DbSession, key_id: int
) -> Response:
    return await PORTAL_KEYS.revoke(request, session, subject, key_id)
