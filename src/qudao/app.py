"""The application: JSON API, staff pages and partner portal on one ASGI app."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from qudao import __version__
from qudao.api.router import router as api_router
from qudao.core import clock
from qudao.core.config import Settings, get_settings
from qudao.db import key_changes
from qudao.db.session import Database
from qudao.http import errors
from qudao.http.auth import Public
from qudao.http.middleware import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from qudao.http.ratelimit import RateLimiter
from qudao.http.uow import UnitOfWorkMiddleware
from qudao.partner_api.auth import KeyLookup
from qudao.partner_api.fast_lane import FastLaneApp
from qudao.partner_api.guide_views import router as guide_router
from qudao.partner_api.routes import router as partner_api_router
from qudao.portal.views import router as portal_router
from qudao.recommendations.metering import Meter
from qudao.recommendations.registry import ModelRegistry
from qudao.recommendations.serving import Recommender
from qudao.referrals.redirect import router as referral_redirect_router
from qudao.web.views import router as web_router

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def freeze_startup_heap() -> None:
    """Moves what start-up built (modules, mappers, templates, the model) out of the cyclic
    collector's sight. A served process keeps it all until it exits, and every full
    collection used to walk it: at 64 concurrent partner API calls those pauses were most of
    the p99. Not in tests, which build many applications in one process and need them
    collected."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = database or Database(settings.database_url)

    registry = ModelRegistry(settings.model_directory)
    registry.refresh()
    recommender = Recommender(registry=registry, meter=Meter(
        db, attribution_days=settings.attribution_window_days))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        recommender.meter.start()
        registry.watch(settings.model_check_seconds)
        if settings.env != "test":
            freeze_startup_heap()
        yield
        registry.stop()
        # The meter's last counts are written before the database goes away.
        recommender.meter.stop()
        if database is None:
            db.dispose()

    app = FastLaneApp(
        title="qudao",
        version=__version__,
        summary="Partner relationship management: partners, deals, commissions, partner API.",
        lifespan=lifespan,
        docs_url=None if settings.is_production else "/docs",
        redoc_url=None,
        openapi_url=None if settings.is_production else "/openapi.json",
    )
    app.state.settings = settings
    if settings.time_travel_days:
        clock.travel(settings.time_travel_days)
    app.state.db = db
    app.state.recommender = recommender
    app.state.key_lookup = KeyLookup(
        db.reader, settings.secret_key, seconds=settings.api_key_cache_seconds,
        changes=key_changes.use(settings.database_url, settings.data_dir))
    app.state.rate_limiter = RateLimiter(settings.api_rate_limit,
                                         settings.api_rate_window_seconds)

    @app.get("/healthz", tags=["health"], summary="Liveness and database check")
    def healthz(_subject: Public) -> dict[str, str]:
        with db.unit_of_work(read_only=True) as session:
            session.connection().exec_driver_sql("SELECT 1")
        return {"status": "ok", "version": __version__, "database": db.dialect}

    app.include_router(partner_api_router)
    app.include_router(guide_router)
    app.include_router(referral_redirect_router)
    app.include_router(api_router)
    app.include_router(portal_router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    errors.install(app)

    # Outermost last: context → headers → 500s → body limit → CORS → unit of work → routes;
    # the partner API's fast lane stands in front of them all (FastLaneApp).
    app.add_middleware(UnitOfWorkMiddleware, db=db)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key"])
    app.add_middleware(BodyLimitMiddleware, max_json=settings.max_body_bytes,
                       max_upload=MAX_UPLOAD_BYTES)
    app.add_middleware(errors.CatchAllMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, production=settings.is_production)
    app.add_middleware(RequestContextMiddleware)
    app.install_fast_lane(db)
    logging.getLogger("qudao").setLevel(logging.INFO)
    return app
