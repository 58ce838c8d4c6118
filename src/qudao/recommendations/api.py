"""JSON routes about the partner API's use, for staff and for the partner itself."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from qudao.http.auth import AnyUser, DbSession
from qudao.recommendations.schemas import UsageOut
from qudao.recommendations.usage import usage

router = APIRouter(tags=["partner API"])


@router.get("/partners/{partner_id}/api-usage",
            summary="A partner's API calls per day and the users they served")
def api_usage(
    subject: AnyUser, session: DbSession, partner_id: int,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> UsageOut:
    found = usage(session, subject, partner_id, days)
    return UsageOut.model_validate({**asdict(found), "conversion_rate": found.conversion_rate})
