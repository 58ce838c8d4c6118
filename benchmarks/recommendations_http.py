"""Throughput and latency of GET /getRecommendations, against a bare app, in one run.

    .venv/bin/python benchmarks/recommendations_http.py [--seconds 10] [--rounds 3]

Starts qudao (one uvicorn worker, SQLite, a model trained on the shared data, a real
partner key, auth and metering on), a bare Starlette app that returns a precomputed 10-item
body, and the same bare app sending the seven headers every qudao answer carries (security,
RateLimit, X-Request-ID), all served the same way (uvicorn, one worker, uvloop and httptools
when installed) on 127.0.0.1. Loads each with wrk at 1 and at 64 connections for a bounded
time, the apps taking turns over several rounds so that a busy moment of the machine falls
on all of them; prints the median req/s, p50 and p99 of each and qudao's ratio to the bare
app (the goal) and to the bare app with headers (what qudao's own work costs). Figures only:
nothing is asserted. Needs wrk (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
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


def server_options() -> list[str]:
    """The same event loop and HTTP parser for both apps: the best installed."""
    loop = "uvloop" if find_spec("uvloop") else "asyncio"
    http = "httptools" if find_spec("httptools") else "h11"
    return ["--loop", loop, "--http", http]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per point and round, at most 30")
    parser.add_argument("--rounds", type=int, default=3, help="turns each app takes per point")
    args = parser.parse_args()
    seconds = max(1, min(args.seconds, MAX_SECONDS))
    rounds = max(1, min(args.rounds, 9))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    options = server_options()
    with tempfile.TemporaryDirectory(prefix="qudao-bench-") as tmp:
        folder = Path(tmp)
        env, key, users = prepare(folder)
        script = folder / "users.lua"
        script.write_text(LUA % ",".join(f'"{u}"' for u in users))
        apps = {"qudao": "qudao.asgi:app", "bare": "bare_app:app",
                "bare+hdr": "bare_app:app_with_headers"}
        ports = {name: free_port() for name in apps}
        servers = {
            name: subprocess.Popen(
                [sys.executable, "-m", "uvicorn", apps[name], "--host", "127.0.0.1", "--port",
                 str(ports[name]), "--workers", "1", *options, "--no-access-log",
                 "--log-level", "warning"],
                env={**env, "PYTHONPATH": str(ROOT / "benchmarks")}, cwd=ROOT)
            for name in apps
        }
        runs: dict[tuple[str, int], list[dict[str, float]]] = {}
        try:
            for port in ports.values():
                wait_ready(f"http://127.0.0.1:{port}")
                base = f"http://127.0.0.1:{port}"
                # Warm up: one call per user fills the per-user cache, as a running server's
                # would be; the cold first call is measured in-process by the tests.
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"},
                                  timeout=10) as client:
                    for user in users:
                        client.get("/getRecommendations", params={"userId": user})
            # The meter writes what the warm-up showed; let it finish before measuring.
            time.sleep(5)
            for connections in (1, 64):
                for round_ in range(rounds):
                    order = list(ports)[round_ % 3:] + list(ports)[:round_ % 3]
                    for name in order:
                        runs.setdefault((name, connections), []).append(wrk(
                            f"http://127.0.0.1:{ports[name]}", connections, seconds, key,
                            script))
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(timeout=20)
    print(f"\nuvicorn, 1 worker, {' '.join(options)}; {rounds} rounds of {seconds} s per point, "
          "medians")
    print(f"{'app':<9}{'conns':>5}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    results = {point: {field: statistics.median(run[field] for run in found)
                       for field in ("rps", "p50", "p99")} | {
                           "errors": sum(run["errors"] for run in found)}
               for point, found in runs.items()}
    for connections in (1, 64):
        for name in ports:
            row = results[(name, connections)]
            print(f"{name:<9}{connections:>5}{row['rps']:>10.0f}{row['p50']:>9.2f}"
                  f"{row['p99']:>9.2f}{row['errors']:>9.0f}")
    for baseline in ("bare", "bare+hdr"):
        for connections in (1, 64):
            ratio = (results[("qudao", connections)]["rps"]
                     / results[(baseline, connections)]["rps"])
            each = ", ".join(f"{q['rps'] / b['rps']:.2f}" for q, b in zip(
                runs[("qudao", connections)], runs[(baseline, connections)], strict=True))
            print(f"throughput ratio qudao/{baseline} at {connections} connections: "
                  f"{ratio:.2f} (rounds: {each})")
    print("goals: ratio qudao/bare ≥ 0.70 and p99 ≤ 20 ms at 64 connections")


if __name__ == "__main__":
    main()
