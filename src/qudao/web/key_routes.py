"""The routes of the key pages, made once for each audience: staff see every partner's keys,
the portal its own partner's. Which keys and what may be done is decided by ``KeyPages`` and
the services; the routes only differ in who may call them."""

# No ``from __future__ import annotations``: FastAPI reads the route signatures at runtime,
# and the audience's dependency is a local of the factory.

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qudao.accounts.subject import AuthSubject
from qudao.http.auth import DbSession
from qudao.web.key_pages import KeyPages
from qudao.web.paging import PageNumber


def key_router(pages: KeyPages, audience: Any, prefix: str = "") -> APIRouter:
    """``audience`` is a page alias such as ``PageStaff``: ``Annotated[AuthSubject,
    Depends(access(...))]``."""
    Caller = Annotated[AuthSubject, audience.__metadata__[0]]
    router = APIRouter(include_in_schema=False)

    @router.get(f"{prefix}/api-keys")
    def list_keys(
        request: Request, subject: Caller, session: DbSession,
        partner_id: Annotated[int | None, Query()] = None, page: PageNumber = 1,
    ) -> Response:
        # The portal's repository scope ignores any partner filter but its own.
        return pages.list_page(request, session, subject,
                               partner_id=partner_id if pages.staff else None, page=page)

    @router.post(f"{prefix}/api-keys")
    async def issue_key(request: Request, subject: Caller, session: DbSession) -> Response:
        return await pages.issue(request, session, subject)

    @router.get(f"{prefix}/api-keys/{{key_id}}/rotate")
    def confirm_rotate(
        request: Request, subject: Caller, session: DbSession, key_id: int
    ) -> Response:
        return pages.confirm_page(request, session, subject, key_id, "rotate")

    @router.get(f"{prefix}/api-keys/{{key_id}}/revoke")
    def confirm_revoke(
        request: Request, subject: Caller, session: DbSession, key_id: int
    ) -> Response:
        return pages.confirm_page(request, session, subject, key_id, "revoke")

    @router.post(f"{prefix}/api-keys/{{key_id}}/rotate")
    async def rotate_key(
        request: Request, subject: Caller, session: DbSession, key_id: int
    ) -> Response:
        return await pages.rotate(request, session, subject, key_id)

    @router.post(f"{prefix}/api-keys/{{key_id}}/revoke")
    async def revoke_key(
        request: Request, subject: Caller, session: DbSession, key_id: int
    ) -> Response:
        return await pages.revoke(request, session, subject, key_id)

    return router

