"""The baseline of benchmarks/recommendations_http.py: a bare Starlette app that answers a
precomputed 10-item JSON body, with no auth, no database and no metering."""

from __future__ import annotations

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = orjson.dumps({"recommendations": [
    {"id": str(85000 + i), "name": f"PRODUCT {i}", "score": round(1 - i / 20, 4)}
    for i in range(10)
]})


async def recommendations(_request: Request) -> Response:
    return Response(BODY, media_type="application/json")


async def healthz(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[Route("/getRecommendations", recommendations),
                        Route("/healthz", healthz)])
