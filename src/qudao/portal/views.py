"""Partner portal pages: every query goes through the repositories with the signed-in
partner user, which scope it to that user's own company."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qudao.accounts import repository as accounts
from qudao.http.auth import DbSession, PagePartner
from qudao.http.templates import render
from qudao.partners import repository as partners
from qudao.portal import (
    commission_views,
    dashboard_views,
    deal_views,
    key_views,
    onboarding_views,
    referral_views,
    usage_views,
    user_views,
)
from qudao.web.key_pages import may_manage

router = APIRouter(prefix="/portal", include_in_schema=False)
router.include_router(user_views.router)
router.include_router(key_views.router)
router.include_router(usage_views.router)
router.include_router(deal_views.router)
router.include_router(onboarding_views.router)
router.include_router(referral_views.router)
router.include_router(commission_views.router)
router.include_router(dashboard_views.router)
COMPANY_ROWS = 5


@router.get("")
def company(request: Request, subject: PagePartner, session: DbSession) -> Response:
    assert subject.partner_id is not None
    partner = partners.get(session, subject, subject.partner_id)
    users, user_total = accounts.list_users(session, subject, partner_id=None,
                                            limit=COMPANY_ROWS, offset=0)
    _keys, key_total = accounts.list_keys(session, subject, partner_id=None, limit=1, offset=0)
    return render(request, "portal/company.html", {
        "partner": partner, "users": users, "user_total": user_total, "key_total": key_total,
        "can_manage": may_manage(subject, subject.partner_id),
    })
