"""Throughput and latency of GET /getRecommendations, against a bare app, in one run.

    .venv/bin/python benchmarks/recommendations_http.py [--seconds 15]

Starts qudao (one uvicorn worker, SQLite, a model trained on the shared data, a real
partner key, auth and metering on) and a bare Starlette app that returns a precomputed
10-item body, both on 127.0.0.1; loads each with wrk at 1 and at 64 connections for a
bounded time; prints req/s, p50, p99 and the ratio to the bare app. Figures only: nothing
is asserted. Needs wrk (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "online-retail-2010-12-to-2011-09.csv.gz"
MAX_SECONDS = 30
LUA = """
users = {%s}
request = function()
  local user = users[math.random(#users)]
  return wrk.format("GET", "/getRecommendations?userId=" .. user .. "&limit=10")
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"{base} did not start")


def prepare(folder: Path) -> tuple[dict[str, str], str, list[str]]:
    """A migrated database with a partner and its key, and a published model."""
    env = {**os.environ, "QUDAO_DATA_DIR": str(folder), "QUDAO_ENV": "development",
           "QUDAO_API_RATE_LIMIT": "100000000"}
    qudao = [sys.executable, "-m", "qudao"]
    subprocess.run([*qudao, "db", "upgrade"], env=env, check=True, capture_output=True)
    partner = subprocess.run([*qudao, "partners", "add", "Bench Partner"], env=env, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
    key = subprocess.run([*qudao, "apikey", "create", "--partner", partner], env=env,
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    started = time.perf_counter()
    subprocess.run([*qudao, "recommend", "train", "--transactions", str(DATA)], env=env,
                   check=True, capture_output=True)
    print(f"trained the model in {time.perf_counter() - started:.1f} s")
    from qudao.recommendations.model import RecommenderModel
    from qudao.recommendations.registry import current_path

    model_path = current_path(folder / "models")
    assert model_path is not None
    users = [str(u) for u in RecommenderModel.load(model_path).user_ids[:2000]]
    return env, key, users


def wrk(base: str, connections: int, seconds: int, key: str, script: Path) -> dict[str, float]:
    threads = min(2, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "--timeout", "5s", "-s", str(script), "-H", f"Authorization: Bearer {key}", base],
        check=True, capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def percentile(p: str) -> float:
        match = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert match, out
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
        return float(match.group(1)) * scale

    return {"rps": rps, "p50": percentile("50"), "p99": percentile("99"),
            "errors": float(errors.group(1)) if errors else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15, help="per point, at most 30")
    args = parser.parse_args()
    seconds = max(1, min(args.seconds, MAX_SECONDS))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="qudao-bench-") as tmp:
        folder = Path(tmp)
        env, key, users = prepare(folder)
        script = folder / "users.lua"
        script.write_text(LUA % ",".join(f'"{u}"' for u in users))
        ports = {"qudao": free_port(), "bare": free_port()}
        apps = {"qudao": "qudao.asgi:app", "bare": "bare_app:app"}
        servers = {
            name: subprocess.Popen(
                [sys.executable, "-m", "uvicorn", apps[name], "--host", "127.0.0.1", "--port",
                 str(ports[name]), "--workers", "1", "--no-access-log", "--log-level",
                 "warning"], env={**env, "PYTHONPATH": str(ROOT / "benchmarks")}, cwd=ROOT)
            for name in apps
        }
        try:
            results: dict[tuple[str, int], dict[str, float]] = {}
            for name, port in ports.items():
                wait_ready(f"http://127.0.0.1:{port}")
                base = f"http://127.0.0.1:{port}"
                # Warm up: one call per user fills the per-user cache, as a running server's
                # would be; the cold first call is measured in-process by the tests.
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"},
                                  timeout=10) as client:
                    for user in users:
                        client.get("/getRecommendations", params={"userId": user})
                for connections in (1, 64):
                    results[(name, connections)] = wrk(base, connections, seconds, key, script)
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(timeout=20)
    print(f"\n{'app':<8}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    for (name, connections), row in results.items():
        print(f"{name:<8}{connections:>6}{row['rps']:>10.0f}{row['p50']:>9.2f}"
              f"{row['p99']:>9.2f}{row['errors']:>9.0f}")
    for connections in (1, 64):
        ratio = results[("qudao", connections)]["rps"] / results[("bare", connections)]["rps"]
        print(f"throughput ratio qudao/bare at {connections} connections: {ratio:.2f}")
    print("goals: ratio ≥ 0.70 and p99 ≤ 20 ms at 64 connections")


if __name__ == "__main__":
    main()
