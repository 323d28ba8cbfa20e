"""Benchmark: readers, a 200,000-plan upload and sign-ins at once against one server.

    .venv/bin/python benchmarks/load_mixed.py [--plans 200000] [--readers 50] [--logins 20]
                                              [--json]

A SYNTHETIC database (the programme + the seeded demo pipeline, 21 users) is served by
`opgave serve` as it comes (one uvicorn worker; the jobs in the worker process `serve` starts
beside it at a lower CPU priority). First the readers alone for --baseline seconds (the
floor: reader p95 and one sign-in alone, measured in this run); then the readers again while
a 200,000-plan list is uploaded as a job, and when the job starts writing, --logins sign-ins
at once. Measured: the readers' p95 while the import runs, the slowest sign-in, answers of
5xx (any), the longest time the SQLite write lock was held (a probe tries to take it every
20 ms), and the import's wall time. Goals (issue 13): no 5xx, reader p95 < 200 ms during the
import, every sign-in answered within 2 s, the write lock held < 5 s.
--json prints one object per figure: name, value, unit, floor, ratio, goal, passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
PASSWORD = "lange-benchmark-wachtwoord"
HEADER = "plan_id;name;gemeente_code;homes;planstatus;first_year;last_year\n"
STATUSES = ("1A", "1B", "2A", "2B", "3", "4A", "4B", "1C")


def opgave(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run the command line of this checkout."""
    command = [str(Path(sys.executable).with_name("opgave")), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True, **kwargs)


def make_list(path: Path, rows: int, codes: list[str]) -> None:
    """A SYNTHETIC plan list in opgave's format (';', Dutch), ids apart from the demo's."""
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        for i in range(rows):
            first = 2025 + i % 6
            f.write(
                f"LOAD-{i:07d};Synthetisch plan {i};{codes[i % len(codes)]};{5 + i * 7919 % 400};"
                f"{STATUSES[i % len(STATUSES)]};{first};{first + i % 4}\n"
            )


def prepare(folder: Path, plans: int, logins: int) -> tuple[str, str, Path, list[str]]:
    """The database (programme, demo, users), a viewer's token and the plan list."""
    db = folder / "load.db"
    url = f"sqlite:///{db}"
    started = time.perf_counter()
    opgave("--db", url, "init")
    opgave("--db", url, "demo", "--plans", "5000")
    sys.path.insert(0, str(HERE.parent / "src"))
    from opgave.service import Service, users

    svc = Service(url)
    users.add_user(svc, "rijk", "admin", [], PASSWORD)
    token = users.create_token(svc, "rijk", "load benchmark")
    for i in range(logins):
        users.add_user(svc, f"gebruiker{i:02d}", "viewer", [], PASSWORD)
    svc.engine.dispose()
    with sqlite3.connect(db) as connection:
        codes = [
            r[0] for r in connection.execute("SELECT id FROM area WHERE kind = 'municipality'")
        ]
        regions = [
            r[0] for r in connection.execute("SELECT id FROM area WHERE kind = 'strategy_region'")
        ]
    plan_list = folder / "plannen.csv"
    make_list(plan_list, plans, sorted(codes))
    print(
        f"prepared in {time.perf_counter() - started:.0f} s: programme + 5,000 demo plans, "
        f"{logins + 1} users, a {plans:,}-plan list of {plan_list.stat().st_size / 2**20:.0f} MB",
        file=sys.stderr,
    )
    return url, token, plan_list, regions


@dataclass
class Readings:
    """Latencies of the readers, by when the request began."""

    times: list[tuple[float, float]] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def between(self, start: float, end: float) -> list[float]:
        return [took for began, took in self.times if start <= began < end]


async def reader(
    port: int, token: str, paths: list[str], stop: asyncio.Event, seed: int, out: Readings
) -> None:
    """One keep-alive HTTP/1.1 client issuing GETs back to back until ``stop``."""
    rng = random.Random(seed)
    stream, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while not stop.is_set():
            path = rng.choice(paths)
            request = f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
            began = time.perf_counter()
            writer.write(request.encode())
            await writer.drain()
            head = await stream.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await stream.readexactly(length)
            out.times.append((began, time.perf_counter() - began))
            out.statuses[status] = out.statuses.get(status, 0) + 1
    finally:
        writer.close()


def request(
    port: int,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 120,
) -> tuple[int, bytes, float]:
    """One HTTP request on its own connection: status, body, seconds."""
    import http.client

    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request(method, path, body=body, headers=headers or {})
    answer = connection.getresponse()
    data = answer.read()
    connection.close()
    return answer.status, data, time.perf_counter() - began


def upload(port: int, token: str, plan_list: Path) -> str:
    """Start the plan-list job; its id."""
    boundary = "opgave-load-benchmark"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{plan_list.name}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + plan_list.read_bytes()
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="date"\r\n\r\n2026-01-01'
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="partial"\r\n\r\ntrue'
            f"\r\n--{boundary}--\r\n"
        ).encode()
    )
    status, data, _ = request(
        port, "POST", "/api/v1/jobs/plans", body,
        {"Authorization": f"Bearer {token}",
         "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    if status != 202:
        raise SystemExit(f"the upload was refused: {status} {data[:300]!r}")
    return str(json.loads(data)["id"])


def sign_in(port: int, name: str) -> tuple[int, float]:
    body = json.dumps({"name": name, "password": PASSWORD}).encode()
    status, _data, took = request(
        port, "POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"}, 30
    )
    return status, took


class LockProbe(threading.Thread):
    """Tries to take the SQLite write lock every 20 ms; the longest run of failures is how
    long a writer held it."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.stop = threading.Event()
        self.longest = 0.0
        self._since: float | None = None

    def run(self) -> None:
        probe = sqlite3.connect(self.db, timeout=0, isolation_level=None)
        while not self.stop.wait(0.02):
            now = time.perf_counter()
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                if self._since is not None:
                    self.longest = max(self.longest, now - self._since)
                self._since = None
            except sqlite3.OperationalError:
                if self._since is None:
                    self._since = now
        probe.close()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values, default=0)


async def phase(
    port: int, token: str, paths: list[str], readers: int, during: Any
) -> tuple[Readings, Any]:
    """Readers running while ``during()`` (in a thread) does its part; its result."""
    stop = asyncio.Event()
    out = Readings()
    tasks = [asyncio.create_task(reader(port, token, paths, stop, i, out)) for i in range(readers)]
    result = await asyncio.to_thread(during)
    stop.set()
    await asyncio.gather(*tasks)
    return out, result


def wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)


def figure(name: str, value: float, unit: str, floor: float | None, goal: str,
           passed: bool) -> dict[str, Any]:  # fmt: skip
    ratio = round(value / floor, 2) if floor else None
    return {"name": name, "value": round(value, 3), "unit": unit,
            "floor": None if floor is None else round(floor, 3), "ratio": ratio,
            "goal": goal, "passed": passed}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=200_000)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--logins", type=int, default=20)
    parser.add_argument("--baseline", type=float, default=8.0, help="seconds of readers alone")
    parser.add_argument("--json", action="store_true", help="one JSON object per figure")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="opgave-load-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        url, token, plan_list, regions = prepare(folder, args.plans, args.logins)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        command = [str(Path(sys.executable).with_name("opgave")), "--db", url]
        serve = [*command, "serve", "--port", str(port)]
        server = subprocess.Popen(serve, stdout=subprocess.DEVNULL)
        processes.append(server)
        wait_for_port(port, server)
        paths = ["/api/v1/overview"] * 4 + [f"/api/v1/status/{r}" for r in regions]
        paths += [f"/api/v1/plans?area={r}&limit=50" for r in regions] + ["/api/v1/auth/me"]
        for path in paths:  # warm the caches
            request(port, "GET", path, headers={"Authorization": f"Bearer {token}"})
        alone = sign_in(port, "gebruiker00")
        base, _ = asyncio.run(
            phase(port, token, paths, args.readers, lambda: time.sleep(args.baseline))
        )
        probe = LockProbe(Path(url.removeprefix("sqlite:///")))
        probe.start()
        marks: dict[str, Any] = {}

        def import_with_logins() -> dict[str, Any]:
            marks["start"] = time.perf_counter()
            job_id = upload(port, token, plan_list)
            logins: list[tuple[int, float]] = []
            threads: list[threading.Thread] = []
            while True:
                _status, data, _ = request(port, "GET", f"/api/v1/jobs/{job_id}",
                                          headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                job = json.loads(data)
                if not threads and job.get("progress", 0) >= 0.8:  # rows staged: the lock next
                    threads = [
                        threading.Thread(target=lambda i=i: logins.append(
                            sign_in(port, f"gebruiker{i:02d}")))
                        for i in range(args.logins)
                    ]  # fmt: skip
                    for t in threads:
                        t.start()
                if job["status"] in ("done", "failed", "cancelled"):
                    break
                time.sleep(0.1)
            marks["end"] = time.perf_counter()
            for t in threads:
                t.join()
            return {"job": job, "logins": logins}

        mixed, outcome = asyncio.run(phase(port, token, paths, args.readers, import_with_logins))
        probe.stop.set()
        probe.join()
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    job = outcome["job"]
    if job["status"] != "done":
        print(f"the import job ended {job['status']}: {job.get('error')}", file=sys.stderr)
    during = mixed.between(marks["start"], marks["end"])
    base_p95 = p95([t for _, t in base.times])
    logins = outcome["logins"]
    slowest = max((took for _, took in logins), default=0.0)
    server_errors = sum(n for s, n in mixed.statuses.items() if s >= 500) + sum(
        1 for s, _ in logins if s >= 500
    )
    figures = [
        figure("reader p95 during the import", p95(during) * 1000, "ms", base_p95 * 1000,
               "< 200 ms", p95(during) < 0.2),
        figure("slowest of the sign-ins at once", slowest, "s", alone[1], "<= 2 s",
               slowest <= 2.0 and len(logins) == args.logins
               and all(s == 200 for s, _ in logins)),
        figure("answers 5xx", server_errors, "count", None, "0", server_errors == 0),
        figure("write lock held (longest)", probe.longest, "s", None, "< 5 s",
               probe.longest < 5.0),
        figure(f"import of {args.plans:,} plans as a job", marks["end"] - marks["start"], "s",
               None, "done", job["status"] == "done"),
    ]  # fmt: skip
    if args.json:
        for f in figures:
            print(json.dumps(f))
    else:
        print(
            f"\n{args.readers} readers, {args.plans:,}-plan upload, {args.logins} sign-ins; "
            f"one uvicorn worker and serve's job worker; reader requests: {len(base.times):,} "
            f"alone in {args.baseline:.0f} s, {len(during):,} during the import"
        )
        print(f"{'figure':<40}{'value':>10}{'floor':>10}{'ratio':>8}  {'goal':<9}result")
        for f in figures:
            floor = "-" if f["floor"] is None else f"{f['floor']:g}"
            ratio = "-" if f["ratio"] is None else f"{f['ratio']:g}x"
            print(
                f"{f['name']:<40}{f['value']:>8g} {f['unit']:<2}{floor:>9}{ratio:>8}  "
                f"{f['goal']:<9}{'pass' if f['passed'] else 'MISS'}"
            )
    return 0 if all(f["passed"] for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
