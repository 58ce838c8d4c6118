"""C32: throttled sign-ins, the same answer for an unknown e-mail and a wrong password, and
the hard lock after 100 consecutive failures that only an administrator lifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from qudao.accounts.roles import Role
from qudao.accounts.throttle import FREE_FAILURES, IP_FAILURES, LoginThrottle
from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import PASSWORD, make_partner, make_user
from tests.fixtures.security import form_token, post_login, run_cli

T0 = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
KNOWN = "kim@throttle.example"
UNKNOWN = "nobody@throttle.example"


@pytest.fixture
def known(db: Database) -> int:
    clock.freeze(T0)
    return make_user(db, KNOWN, Role.PARTNER_MEMBER, make_partner(db, "Throttle Ltd"))


def _failed_logins(db: Database, user_id: int) -> tuple[int, object]:
    with db.engine.connect() as connection:
        row = connection.execute(text(
            "SELECT failed_logins, locked_until FROM users WHERE id = :id"), {"id": user_id}).one()
    return int(row[0]), row[1]


def test_the_sixth_wrong_password_in_a_row_is_throttled(
    client: TestClient, db: Database, known: int
) -> None:
    token = form_token(client)
    for _ in range(FREE_FAILURES):
        assert post_login(client, KNOWN, "wrong password!", token).status_code == 401
    sixth = post_login(client, KNOWN, "wrong password!", token)
    assert sixth.status_code == 429
    wait = int(sixth.headers["retry-after"])
    assert wait >= 1
    # Even the right password waits ...
    assert post_login(client, KNOWN, PASSWORD, token).status_code == 429
    assert _failed_logins(db, known)[0] == FREE_FAILURES
    # ... until Retry-After has passed.
    clock.advance(timedelta(seconds=wait))
    assert post_login(client, KNOWN, PASSWORD, token).status_code == 303
    assert _failed_logins(db, known) == (0, None)


def _normalised(response_text: str, email: str) -> str:
    return response_text.replace(email, "EMAIL")


def test_unknown_email_and_wrong_password_answer_the_same(
    client: TestClient, known: int
) -> None:
    token = form_token(client)
    for attempt in range(FREE_FAILURES + 1):
        wrong = post_login(client, KNOWN, "wrong password!", token)
        unknown = post_login(client, UNKNOWN, "wrong password!", token)
        assert wrong.status_code == unknown.status_code, attempt
        assert _normalised(wrong.text, KNOWN) == _normalised(unknown.text, UNKNOWN), attempt
        assert wrong.headers.get("retry-after") == unknown.headers.get("retry-after")
        assert set(wrong.cookies) == set(unknown.cookies)
    assert wrong.status_code == 429


def test_a_user_without_a_password_answers_like_a_wrong_password(
    client: TestClient, db: Database, known: int
) -> None:
    make_user(db, "nopass@throttle.example", Role.ANALYST, password=None)
    token = form_token(client)
    nopass = post_login(client, "nopass@throttle.example", PASSWORD, token)
    wrong = post_login(client, KNOWN, "wrong password!", token)
    assert nopass.status_code == wrong.status_code == 401
    assert (_normalised(nopass.text, "nopass@throttle.example")
            == _normalised(wrong.text, KNOWN))


def test_failures_are_counted_and_reset(client: TestClient, db: Database, known: int) -> None:
    token = form_token(client)
    for _ in range(3):
        post_login(client, KNOWN, "wrong password!", token)
    assert _failed_logins(db, known)[0] == 3
    assert post_login(client, KNOWN, PASSWORD, token).status_code == 303
    assert _failed_logins(db, known)[0] == 0


def test_the_hundredth_consecutive_failure_locks_until_an_admin_sets_a_password(
    client: TestClient, db: Database, settings: Settings, known: int
) -> None:
    assert settings.login_failures_before_lock <= 100
    # 99 earlier failures, spread over days so that no in-process delay is still running.
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE users SET failed_logins = 99 WHERE id = :id"),
                           {"id": known})
    token = form_token(client)
    assert post_login(client, KNOWN, "wrong password!", token).status_code == 401
    count, locked_until = _failed_logins(db, known)
    assert count == 100
    assert locked_until is not None
    clock.advance(timedelta(days=30))
    locked = post_login(client, KNOWN, PASSWORD, token)
    assert locked.status_code == 429
    # The lock outlives any throttle, but says no more than a throttle would.
    assert int(locked.headers["retry-after"]) <= 15 * 60
    clock.advance(timedelta(days=300))
    assert post_login(client, KNOWN, PASSWORD, token).status_code == 429
    result = run_cli(settings, "user", "set-password", KNOWN, input="a brand new password\n")
    assert result.exit_code == 0, result.output
    assert post_login(client, KNOWN, "a brand new password", token).status_code == 303
    assert _failed_logins(db, known) == (0, None)


def test_one_address_failing_on_many_accounts_is_throttled() -> None:
    throttle = LoginThrottle()
    with clock.frozen(T0):
        for n in range(IP_FAILURES):
            throttle.failed(f"user{n}@example.com", "203.0.113.9")
        assert throttle.retry_after("fresh@example.com", "203.0.113.9") > 0
        assert throttle.retry_after("fresh@example.com", "198.51.100.1") == 0
