"""The baselines of benchmarks/recommendations_http.py: a bare Starlette app that answers a
precomputed 10-item JSON body, with no auth, no database and no metering (``app``), and the
same app sending the headers every qudao answer carries — security, RateLimit, X-Request-ID
(``app_with_headers``) — to tell what those headers cost from what the rest costs."""

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
HEADERS = {
    "RateLimit-Policy": '"default";q=100000000;w=60', "RateLimit": '"default";r=99999999;t=60',
    "X-Request-ID": "0123456789abcdef01234567", "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY", "Cache-Control": "no-store",
}


async def recommendations(_request: Request) -> Response:
    return Response(BODY, media_type="application/json")


async def recommendations_with_headers(_request: Request) -> Response:
    return Response(BODY, media_type="application/json", headers=HEADERS)


async def healthz(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[Route("/getRecommendations", recommendations),
                        Route("/healthz", healthz)])
app_with_headers = Starlette(routes=[Route("/getRecommendations", recommendations_with_headers),
                                     Route("/healthz", healthz)])
