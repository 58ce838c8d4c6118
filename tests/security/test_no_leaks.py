"""C05: no stack traces, CORS by allow-list, the schema covers every API route, no public
docs in production."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qudao.app import create_app
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.http.auth import Public
from tests.fixtures.security import walk

PROD_SECRET = "production-secret-0123456789-abcdefghijklmnop"
EVIL = "https://evil.example"


@pytest.fixture
def production(settings: Settings, tmp_path: Path) -> Settings:
    return Settings(env="production", database_url=settings.database_url,
                    secret_key=PROD_SECRET, data_dir=tmp_path)


def _leaks(text: str) -> list[str]:
    found = [marker for marker in ("Traceback", 'File "', ".py", "/work/", "site-packages",
                                   "RuntimeError", "kaboom-secret") if marker in text]
    return found


def _boom_app(app: FastAPI) -> FastAPI:
    @app.get("/api/v1/test-boom")
    def boom(_subject: Public) -> dict[str, str]:
        raise RuntimeError("kaboom-secret at /work/main/src/qudao/secret.py line 12")

    @app.get("/test-boom-page")
    def boom_page(_subject: Public) -> dict[str, str]:
        raise RuntimeError("kaboom-secret at /work/main/src/qudao/secret.py line 12")

    return app


def test_an_exception_is_a_500_without_a_traceback(app: FastAPI) -> None:
    with TestClient(_boom_app(app), raise_server_exceptions=False) as client:
        response = client.get("/api/v1/test-boom")
        assert response.status_code == 500
        body = response.json()
        assert body["error"] == "internal_error"
        assert body["request_id"] == response.headers["x-request-id"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        assert not _leaks(response.text), response.text
        page = client.get("/test-boom-page", headers={"Accept": "text/html"})
        assert page.status_code == 500
        assert "text/html" in page.headers["content-type"]
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert not _leaks(page.text)


def test_production_500_has_no_traceback_either(production: Settings, db: Database) -> None:
    app = _boom_app(create_app(production, db))
    with TestClient(app, raise_server_exceptions=False, base_url="https://testserver") as c:
        response = c.get("/api/v1/test-boom")
        assert response.status_code == 500
        assert not _leaks(response.text)


@pytest.fixture
def cors_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    allowed = settings.model_copy(update={"cors_origins": ["https://partner.example"]})
    with TestClient(create_app(allowed, db)) as client:
        yield client


def _preflight(client: TestClient, origin: str) -> dict[str, str]:
    response = client.options("/api/v1/partners", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    return {k.lower(): v for k, v in response.headers.items()}


def test_cors_preflight_from_an_unknown_origin_is_not_allowed(
    client: TestClient, cors_client: TestClient
) -> None:
    assert "access-control-allow-origin" not in _preflight(client, EVIL)
    assert "access-control-allow-origin" not in _preflight(cors_client, EVIL)
    simple = cors_client.get("/healthz", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in simple.headers
    # The allow-list does work for the origin on it.
    good = _preflight(cors_client, "https://partner.example")
    assert good.get("access-control-allow-origin") == "https://partner.example"


def test_openapi_covers_exactly_the_api_routes(app: FastAPI, client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    documented = {(path, method.upper()) for path, item in schema["paths"].items()
                  for method in item}
    served = {(r.path, m) for r in walk(app) if r.is_api and r.include_in_schema
              for m in r.methods if m != "HEAD"}
    assert documented == served
    hidden_api = [r.path for r in walk(app) if r.is_api and r.path.startswith("/api/")
                  and not r.include_in_schema]
    assert not hidden_api, f"API routes missing from the schema: {hidden_api}"
    pages = [r.path for r in walk(app) if r.is_api and not r.include_in_schema]
    assert all(not p.startswith(("/api/", "/healthz")) for p in pages)


def test_docs_are_not_public_in_production(production: Settings, db: Database) -> None:
    with TestClient(create_app(production, db), base_url="https://testserver") as client:
        for path in ("/docs", "/openapi.json", "/redoc", "/docs/oauth2-redirect"):
            response = client.get(path)
            assert response.status_code == 404, path
        assert client.get("/healthz").status_code == 200


def test_docs_are_served_outside_production(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_production_refuses_a_weak_secret(settings: Settings, tmp_path: Path) -> None:
    for weak in ("", "changeme", "short-secret"):
        with pytest.raises(ValueError, match="QUDAO_SECRET_KEY"):
            Settings(env="production", database_url=settings.database_url, secret_key=weak,
                     data_dir=tmp_path)


def test_authenticated_responses_are_not_cached(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.headers["cache-control"] == "no-store"
