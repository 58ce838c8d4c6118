"""Staff pages: the overview here, every other area in its own module."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qudao.accounts import repository as accounts
from qudao.audit import repository as audit
from qudao.http.auth import DbSession, PageStaff
from qudao.http.templates import render
from qudao.partners import repository as partners
from qudao.web import (
    account_views,
    agreement_views,
    audit_views,
    candidate_views,
    commission_views,
    dashboard_views,
    deal_views,
    document_views,
    engagement_views,
    evaluation_views,
    goal_views,
    import_views,
    key_views,
    partner_views,
    pipeline_views,
    program_views,
    referral_views,
    screening_views,
    user_views,
)
from qudao.web.audit_views import LABELS as AUDIT_LABELS
from qudao.web.key_pages import may_manage
from qudao.web.session_views import router as session_router

router = APIRouter(include_in_schema=False)
router.include_router(session_router)
# Fixed paths under /partners (import, export) come before /partners/{partner_id}.
for area in (pipeline_views, import_views, partner_views, candidate_views, evaluation_views,
             screening_views, program_views, goal_views, document_views, agreement_views,
             deal_views, commission_views, referral_views, engagement_views, user_views,
             key_views, audit_views, account_views, dashboard_views):
    router.include_router(area.router)

OVERVIEW_ROWS = 8


@router.get("/")
def home(
    request: Request, subject: PageStaff, session: DbSession,
    program_id: dashboard_views.Param = None, end: dashboard_views.Param = None,
    months: dashboard_views.Param = None,
) -> Response:
    """The overview: the channel's dashboard for a program and a window, then the partners,
    quick actions and recent activity."""
    dashboard, status = dashboard_views.dashboard_context(
        request, session, subject, program_id=program_id, end=end, months=months)
    rows, partner_total = partners.search(session, subject, q=None, limit=OVERVIEW_ROWS,
                                          offset=0)
    _users, user_total = accounts.list_users(session, subject, partner_id=None, limit=1,
                                             offset=0)
    _keys, key_total = accounts.list_keys(session, subject, partner_id=None, limit=1, offset=0)
    context: dict[str, Any] = {
        "partners": rows, "partner_total": partner_total, "user_total": user_total,
        "key_total": key_total, "can_issue": may_manage(subject, None), "activity": [],
        **AUDIT_LABELS, **dashboard,
    }
    if subject.is_admin:
        context["activity"], _total = audit.recent(session, subject, action=None,
                                                   partner_id=None, limit=OVERVIEW_ROWS,
                                                   offset=0)
    return render(request, "home.html", context, status=status)
