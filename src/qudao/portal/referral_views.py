"""Portal pages: my referral links (to copy and share) and my funnel."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qudao.http.auth import DbSession, PagePartner
from qudao.http.locale import request_locale
from qudao.http.templates import render
from qudao.referrals import repository
from qudao.referrals.present import share_url
from qudao.web.referral_views import PERIODS, Period, funnel_context

router = APIRouter()
MAX_LINKS = 100


@router.get("/referrals")
def my_referrals(
    request: Request, subject: PagePartner, session: DbSession, days: Period = "90"
) -> Response:
    assert subject.partner_id is not None
    links, total = repository.search_links(session, subject, partner_id=subject.partner_id,
                                           limit=MAX_LINKS, offset=0)
    return render(request, "portal/referrals/index.html", {
        "links": links, "link_total": total, "share_url": share_url, "periods": PERIODS,
        **funnel_context(session, subject, subject.partner_id, int(days),
                         locale=request_locale(request)),
    })
