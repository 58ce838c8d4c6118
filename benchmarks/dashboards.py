"""The staff dashboard ("/") and the partner dashboard (/portal/dashboard) on a demo
database, against a trivial page measured in the same run.

    .venv/bin/python benchmarks/dashboards.py                        # builds the demo: minutes
    .venv/bin/python benchmarks/dashboards.py --database-url sqlite:////path/to/qudao.db
    .venv/bin/python benchmarks/dashboards.py --database-url postgresql+psycopg://… -n 50

Without ``--database-url`` a demo database is built in a temporary folder by running
``qudao db upgrade`` and ``qudao demo`` with QUDAO_DATABASE_URL, QUDAO_DATA_DIR and
QUDAO_SECRET_KEY set. Then, with the in-process ASGI client, signs in through the real
login form: as the demo administrator for the staff dashboard, and as a partner user of
the partner with the most won deals (same demo password) for the partner dashboard, which
is skipped with a message when the route does not exist. Each page is warmed up, then asked
N times; prints the median and p95 in milliseconds, the ratio of the median to the baseline
(/healthz, and /login as a page rendered from a template), and whether the dashboard answers
within 500 ms. Never asserts.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qudao.accounts.models import User  # noqa: E402
from qudao.app import create_app  # noqa: E402
from qudao.core.config import Settings  # noqa: E402
from qudao.db.session import Database  # noqa: E402
from qudao.deals.models import Deal  # noqa: E402
from qudao.demo.accounts import ADMIN_EMAIL, DEMO_PASSWORD  # noqa: E402

GOAL_MS = 500.0
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MAX_REQUESTS = 1_000
DEMO_TIMEOUT_S = 3_600


def build_demo(folder: Path) -> str:
    """A fresh demo database in ``folder`` through the command line, as a person would."""
    url = f"sqlite:///{folder / 'qudao.db'}"
    env = {**os.environ, "QUDAO_DATABASE_URL": url, "QUDAO_DATA_DIR": str(folder),
           "QUDAO_SECRET_KEY": SECRET}
    qudao = [sys.executable, "-m", "qudao"]
    for step in (["db", "upgrade"], ["demo"]):
        print(f"$ qudao {' '.join(step)}", flush=True)
        started = time.perf_counter()
        done = subprocess.run([*qudao, *step], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=DEMO_TIMEOUT_S, check=False)
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
            raise SystemExit(f"qudao {' '.join(step)} failed ({done.returncode})")
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    return url


def sign_in(client: TestClient, email: str, password: str) -> None:
    """Through the login form, as a browser would."""
    form = client.get("/login")
    token = CSRF.search(form.text)
    if token is None:
        raise SystemExit("the login page has no CSRF field")
    answer = client.post("/login", data={"email": email, "password": password,
                                         "csrf_token": token.group(1)},
                         follow_redirects=False)
    if answer.status_code != 303:
        raise SystemExit(f"could not sign in as {email}: {answer.status_code}")


def timings(call: Callable[[], int], warmup: int, count: int) -> tuple[float, float, int]:
    """Median and p95 in ms over ``count`` calls after ``warmup`` calls; the last status."""
    status = 0
    for _ in range(warmup):
        status = call()
    spent: list[float] = []
    for _ in range(count):
        started = time.perf_counter()
        status = call()
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    p95 = spent[min(len(spent) - 1, max(0, round(0.95 * len(spent)) - 1))]
    return statistics.median(spent), p95, status


def largest_partner_user(database: Database) -> str | None:
    """A partner user of the partner with the most won deals."""
    with database.unit_of_work(read_only=True) as session:
        partner_id = session.scalar(
            select(Deal.partner_id).where(Deal.stage == "won").group_by(Deal.partner_id)
            .order_by(func.count(Deal.id).desc()).limit(1))
        if partner_id is None:
            return None
        email = session.scalar(select(User.email).where(User.partner_id == partner_id)
                               .order_by(User.id).limit(1))
        return None if email is None else str(email)


def describe(database: Database) -> str:
    with database.unit_of_work(read_only=True) as session:
        won = session.scalar(select(func.count(Deal.id)).where(Deal.stage == "won")) or 0
        deals = session.scalar(select(func.count(Deal.id))) or 0
    return f"{deals:,} deals ({won:,} won)"


def run(url: str, folder: Path, count: int, warmup: int) -> None:
    database = Database(url)
    settings = Settings(env="test", database_url=url, secret_key=SECRET, data_dir=folder)
    app = create_app(settings, database)
    print(f"database: {url.split('@')[-1]}, {describe(database)}")
    rows: list[tuple[str, float, float, int]] = []

    def page(client: TestClient, path: str) -> Callable[[], int]:
        return lambda: client.get(path).status_code

    with TestClient(app, base_url="http://testserver") as anonymous:
        for path in ("/healthz", "/login"):
            rows.append((f"baseline {path}", *timings(page(anonymous, path), warmup, count)))
    with TestClient(app, base_url="http://testserver") as staff:
        sign_in(staff, ADMIN_EMAIL, DEMO_PASSWORD)
        rows.append(("staff dashboard /", *timings(page(staff, "/"), warmup, count)))
        rows.append(("staff CSV /dashboard/revenue.csv",
                     *timings(page(staff, "/dashboard/revenue.csv"), warmup, count)))
        rows.append(("staff JSON /api/v1/dashboard",
                     *timings(page(staff, "/api/v1/dashboard"), warmup, count)))
    email = largest_partner_user(database)
    if email is None:
        print("partner dashboard: no partner user of a partner with won deals; skipped")
    else:
        with TestClient(app, base_url="http://testserver") as partner:
            sign_in(partner, email, DEMO_PASSWORD)
            if partner.get("/portal/dashboard").status_code == 404:
                print("partner dashboard: /portal/dashboard does not exist yet; skipped")
            else:
                rows.append((f"partner dashboard ({email})",
                             *timings(page(partner, "/portal/dashboard"), warmup, count)))
    database.dispose()
    baseline = rows[0][1]
    template = rows[1][1]
    print(f"\n{count} requests after {warmup} warm-up, in-process client")
    print(f"  {'page':<46}{'median':>9}{'p95':>9}{'×/healthz':>11}{'×/login':>9}  status")
    for label, median, p95, status in rows:
        print(f"  {label:<46}{median:>7.1f}ms{p95:>7.1f}ms{median / baseline:>10.1f}×"
              f"{median / template:>8.1f}×  {status}")
    for label, median, p95, status in rows:
        if "dashboard" in label and status == 200:
            verdict = "under" if p95 < GOAL_MS else "NOT under"
            print(f"{label}: median {median:.0f} ms, p95 {p95:.0f} ms: {verdict} "
                  f"{GOAL_MS:g} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an existing demo database (default: build one)")
    parser.add_argument("-n", "--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    count = max(5, min(args.requests, MAX_REQUESTS))
    warmup = max(1, min(args.warmup, 50))
    with tempfile.TemporaryDirectory(prefix="qudao-bench-") as name:
        folder = Path(name)
        url = args.database_url or build_demo(folder)
        run(url, folder, count, warmup)


if __name__ == "__main__":
    main()
