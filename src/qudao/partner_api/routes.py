"""``GET /getRecommendations``: userId (1–128 characters), limit (1–100, default 10),
``Authorization: Bearer <key>``. 400 for a bad parameter, 401 for a missing or bad key,
each with a JSON error body. An unknown user gets the popular products."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qudao.core import clock
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_
from qudao.partner_api.auth import PartnerKey
from qudao.recommendations.schemas import ApiError, Recommendations
from qudao.recommendations.serving import Recommender

router = APIRouter(tags=["partner API"])
ENDPOINT = "getRecommendations"


class NoModel(QudaoError):
    status = 503
    code = "unavailable"


@router.get(
    "/getRecommendations",
    summary="Recommended products for one of your users",
    response_model=Recommendations,
    responses={400: {"model": ApiError, "description": "A missing or invalid parameter"},
               401: {"model": ApiError, "description": "A missing, invalid or revoked key"},
               429: {"model": ApiError, "description": "Over the key's quota"},
               503: {"model": ApiError, "description": "No model is trained yet"}},
)
async def get_recommendations(
    request: Request, subject: PartnerKey,
    user_id: Annotated[str, Query(alias="userId", min_length=1, max_length=128,
                                  description="Your user's id")],
    limit: Annotated[int, Query(ge=1, le=100, description="How many products")] = 10,
) -> Response:
    limiter = request.app.state.rate_limiter
    decision = limiter.hit(subject.api_key_id)
    recommender: Recommender = request.app.state.recommender
    ranked = recommender.ranked(user_id)
    if ranked is None:
        raise NoModel(N_("No recommendation model is trained yet. Run: qudao recommend train"))
    assert subject.partner_id is not None
    recommender.meter.record(day=clock.now().date(), partner_id=subject.partner_id,
                             endpoint=ENDPOINT, user_id=user_id, item_ids=ranked.ids[:limit])
    # The body is assembled from cached JSON pieces: no model validation on the hot path.
    return Response(recommender.body(ranked, limit), media_type="application/json",
                    headers=decision.headers(limiter.policy))
