"""Fixtures of the page tests: a world of two partners and signed-in browsers (clients)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from qudao.audit.models import AuditEntry
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import PASSWORD, TwoPartners, login, two_partners


@pytest.fixture
def world(db: Database, settings: Settings) -> TwoPartners:
    return two_partners(db, settings)


class Browser:
    """A TestClient with its own cookies, signed in as one person."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, url: str) -> httpx.Response:
        return self.client.get(url)

    def post(self, url: str, data: dict[str, str] | None = None, *,
             csrf: bool = True, follow: bool = False) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf
        return self.client.post(url, data=form, follow_redirects=follow)

    def use_language(self, locale: str) -> None:
        response = self.client.post("/language", data={"locale": locale, "next": "/account",
                                                       "csrf_token": self.csrf},
                                    follow_redirects=False)
        assert response.status_code == 303


@pytest.fixture
def sign_in(app: FastAPI) -> Iterator[Callable[..., Browser]]:
    clients: list[TestClient] = []

    def open_as(email: str, password: str = PASSWORD) -> Browser:
        client = TestClient(app, base_url="http://testserver")
        clients.append(client)
        return Browser(client, login(client, email, password))

    yield open_as
    for client in clients:
        client.close()


def count(db: Database, model: type) -> int:
    with db.unit_of_work(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def actions(db: Database) -> list[str]:
    """The audit log's actions, oldest first."""
    with db.unit_of_work(read_only=True) as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
