"""Load benchmark of the API: 50 concurrent clients against the overview and region endpoints.

Loads the default programme plus 50,000 SYNTHETIC plans (seeded, under a source whose
confidence is ``synthetic``) through opgave.ingest.plans into a temporary SQLite database,
starts ``opgave serve`` on 127.0.0.1, and runs ``--clients`` keep-alive HTTP clients for
``--seconds`` against:

- overview: ``GET /api/v1/overview``
- region:   ``GET /api/v1/status/{region}`` and ``GET /api/v1/plans?area={region}`` for the
  strategy regions and provinces (first page, 50 plans, biggest first)
- baseline: ``GET /api/v1/auth/me`` (authentication only), measured in the same run

Prints p50/p95/p99 latency and requests per second per group; the bar is p95 < 100 ms for
overview and region. ``--json`` prints one JSON object per figure (p95 of overview and region
against the bar; the baseline's p95 as their floor, for comparison).

    .venv/bin/python benchmarks/api_load.py [--plans 50000] [--clients 50] [--seconds 10] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _figures import emit, figure, reporting

from opgave import programme, store
from opgave.access import Principal
from opgave.ingest.plans import PlanRow
from opgave.model import Area, Source
from opgave.service import Service, users
from opgave.service.pipeline import write_plans
from opgave.vocabulary import PLANSTATUS

BAR_P95_MS = 100.0
ADMIN = Principal(0, "benchmark", "admin")


def synthetic_plans(gemeenten: list[str], n: int, seed: int) -> list[PlanRow]:
    """``n`` made-up plans over the municipalities (seeded; labelled synthetic by source)."""
    rng = np.random.default_rng(seed)
    codes = rng.choice(len(gemeenten), size=n)
    homes = np.maximum(1, rng.lognormal(4.0, 1.0, size=n).round()).astype(int)
    statuses = list(PLANSTATUS)
    status = rng.choice(len(statuses), size=n)
    first = rng.integers(2024, 2031, size=n)
    length = rng.integers(1, 5, size=n)
    return [
        PlanRow(
            id=f"SYN-{i:06d}",
            name=f"Synthetisch plan {i}",
            gemeente_id=gemeenten[codes[i]],
            homes=int(homes[i]),
            social_rent_homes=None,
            mid_rent_homes=None,
            affordable_buy_homes=None,
            planstatus=statuses[status[i]],
            first_year=int(first[i]),
            last_year=int(first[i] + length[i] - 1),
            homes_by_year=None,
        )
        for i in range(n)
    ]


def prepare(folder: Path, n_plans: int) -> tuple[str, str, list[str]]:
    """A database with the programme, ``n_plans`` synthetic plans and a user; returns the
    URL, an API token and the region ids to ask for."""
    url = f"sqlite:///{folder / 'load.db'}"
    engine = store.connect(url)
    store.migrate(engine)
    started = time.perf_counter()
    with store.transaction(engine) as session:
        programme.load(session)
        areas = session.query(Area).all()
        gemeenten = sorted(a.id for a in areas if a.kind == "municipality" and a.valid_to is None)
        regions = sorted(a.id for a in areas if a.kind in ("strategy_region", "province"))
    rows = synthetic_plans(gemeenten, n_plans, seed=7)
    source = Source(
        id="synthetic-load-benchmark",
        kind="dataset",
        title="SYNTHETIC plans for the API load benchmark",
        citation=f"benchmarks/api_load.py, seed 7, {n_plans} made-up plans",
        confidence="synthetic",
    )
    engine.dispose()
    svc = Service(url)
    write_plans(svc, ADMIN, rows, source=source, captured=dt.date(2025, 1, 1))
    users.add_user(svc, "load", "viewer", [], "load-benchmark")
    token = users.create_token(svc, "load", "benchmark")
    svc.engine.dispose()
    print(f"prepared {n_plans:,} synthetic plans in {time.perf_counter() - started:.1f} s")
    return url, token, regions


async def client(
    port: int,
    token: str,
    paths: list[tuple[str, str]],
    stop_at: float,
    warm_until: float,
    seed: int,
    results: dict[str, list[float]],
    errors: list[str],
) -> None:
    """One keep-alive HTTP/1.1 client issuing requests back to back until ``stop_at``."""
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            group, path = rng.choice(paths)
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
            ).encode()
            began = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1]
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            took = time.perf_counter() - began
            if status != b"200":
                errors.append(f"{path}: {status.decode()}")
            elif began >= warm_until:
                results.setdefault(group, []).append(took)
    finally:
        writer.close()


async def run_load(
    port: int, token: str, regions: list[str], clients: int, seconds: float
) -> tuple[dict[str, list[float]], list[str], float]:
    paths = [("overview", "/api/v1/overview")] * 4
    for region in regions:
        paths.append(("region", f"/api/v1/status/{region}"))
        paths.append(("region", f"/api/v1/plans?area={region}&sort=homes&order=desc&limit=50"))
    paths += [("baseline", "/api/v1/auth/me")] * 2
    results: dict[str, list[float]] = {}
    errors: list[str] = []
    warm = 2.0
    start = time.perf_counter()
    await asyncio.gather(
        *(
            client(port, token, paths, start + warm + seconds, start + warm, i, results, errors)
            for i in range(clients)
        )
    )
    return results, errors, seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="one JSON object per figure")
    args = parser.parse_args()
    with reporting(args.json):
        code, figures = run(args)
    emit(figures, args.json)
    return code


def run(args: argparse.Namespace) -> tuple[int, list[dict[str, Any]]]:
    """Prepare, serve, load; print the table; the figures for --json."""
    with tempfile.TemporaryDirectory() as tmp:
        url, token, regions = prepare(Path(tmp), args.plans)
        port = free_port()
        opgave = Path(sys.executable).with_name("opgave")
        server = subprocess.Popen(
            [str(opgave), "--db", url, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        print("the server did not start")
                        return 1, []
                    time.sleep(0.2)
            results, errors, seconds = asyncio.run(
                run_load(port, token, regions, args.clients, args.seconds)
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        f"\n{args.clients} clients, {seconds:.0f} s measured after 2 s warm-up, "
        f"{args.plans:,} synthetic plans, {len(regions)} regions; server: 1 uvicorn worker"
    )
    print(f"{'group':<10}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    total = 0
    p95 = {}
    for group in ("overview", "region", "baseline"):
        times = np.array(results.get(group, [float("nan")])) * 1000
        total += len(results.get(group, []))
        p50, p95[group], p99 = np.percentile(times, [50, 95, 99])
        print(
            f"{group:<10}{len(results.get(group, [])):>10}"
            f"{len(results.get(group, [])) / seconds:>9.0f}{p50:>9.1f}{p95[group]:>9.1f}{p99:>9.1f}"
        )
    print(f"{'all':<10}{total:>10}{total / seconds:>9.0f}")
    if errors:
        print(f"{len(errors)} non-200 answers, e.g. {errors[:3]}")
    worst = max(p95["overview"], p95["region"])
    verdict = "PASS" if worst < BAR_P95_MS and not errors else "FAIL"
    print(
        f"bar: p95 < {BAR_P95_MS:.0f} ms for overview and region: {verdict} "
        f"(worst p95 {worst:.1f} ms; baseline p95 {p95['baseline']:.1f} ms, "
        f"ratio {worst / p95['baseline']:.2f})"
    )
    baseline = "GET /api/v1/auth/me (authentication only), same run"
    figures = [
        figure("api_overview_p95", p95["overview"], "ms", p95["baseline"], BAR_P95_MS, baseline,
               goal_on="value"),
        figure("api_region_p95", p95["region"], "ms", p95["baseline"], BAR_P95_MS, baseline,
               goal_on="value"),
        figure("api_requests_per_second", total / seconds, "1/s", None, None),
    ]  # fmt: skip
    if errors:
        figures.append(figure("api_errors", len(errors), "answers", None, 0))
    return (0 if verdict == "PASS" else 1), figures


if __name__ == "__main__":
    raise SystemExit(main())
