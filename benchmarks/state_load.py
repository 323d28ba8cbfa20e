"""Benchmark: reading the programme state of a large database, against the bare driver fetch
of the same rows measured in the same run.

    .venv/bin/python benchmarks/state_load.py [--plans 50000] [--repeat 7] [--url URL] [--json]

Builds a SQLite database with the letter's programme and the SYNTHETIC demo pipeline
(`opgave init` + `opgave demo --plans N`), and gives every demo plan an even yearly spread
of its homes (``homes_by_year``, a JSON column, which the demo leaves empty: a plan list
with yearly figures has it, so that its decoding is measured too). ``--url`` measures an
existing database instead (e.g. PostgreSQL, with a demo loaded), as it is.

Then, interleaved, --repeat times each, in this one process:
- the floor: the rows of every table the state is made of (the same SELECTs), fetched with
  the driver alone (sqlite3 / psycopg ``fetchall``) on a new connection - no dicts, no types;
- ``Service.state()``: the state as every door gets it (rows, conversion, ProgrammeState with
  its standing figures and indexes), on a new service;
- the former loader (SQLAlchemy's result rows of the model's tables), for comparison.
A new process reading the state once (imports excluded; the first statements, and for the
former loader the model's import, included: what `opgave forecast` or `opgave overview`
pays), with each loader, is timed --repeat times beside them.
Figures are medians of the runs (wall time; CPU time of the process beside it).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _figures import emit, figure, median, reporting

from opgave.service import Service
from opgave.service.loading import (
    AGREEMENT_VERSIONS,
    AREA_BOUNDARY_IDS,
    LAYOUTS,
    load_state_by_model,
)

OPGAVE = [sys.executable, "-m", "opgave"]
GOAL_RATIO = 2.5
"""Goal: the state at most this many times the bare fetch of its rows."""
COLD = """
import sys, time
from opgave.service import Service
from opgave.service.loading import load_state_by_model
svc = Service(sys.argv[1], create=False)
wall, cpu = time.perf_counter(), time.process_time()
if sys.argv[2] == "former":
    with svc.engine.connect() as connection:
        load_state_by_model(connection)
else:
    svc.state()
print(time.perf_counter() - wall, time.process_time() - cpu)
"""


def build(workdir: Path, plans: int) -> str:
    """A SQLite database with the programme and N synthetic plans, spreads added."""
    db = workdir / "state.db"
    for step in (["init"], ["demo", "--plans", str(plans)]):
        subprocess.run([*OPGAVE, "--db", str(db), *step], check=True, capture_output=True)
    with sqlite3.connect(db) as connection:
        found = connection.execute("SELECT id, homes, first_year, last_year FROM plan").fetchall()
        spreads = []
        for plan_id, homes, first, last in found:
            years = last - first + 1
            share = [homes // years] * years
            share[-1] += homes - sum(share)
            spreads.append((json.dumps(share), plan_id))
        connection.executemany("UPDATE plan SET homes_by_year = ? WHERE id = ?", spreads)
    print(f"{len(found):,} plans, {len(spreads):,} with a yearly spread", flush=True)
    return f"sqlite:///{db}"


def statements() -> list[str]:
    """The SELECTs the state is read with (today's state: no history)."""
    found = [
        LAYOUTS[name].sql(name, '"dropped_on" IS NULL' if name == "plan" else None)
        for name in LAYOUTS
        if name != "plan_history"
    ]
    return [*found, AREA_BOUNDARY_IDS, AGREEMENT_VERSIONS]


def driver_fetch(url: str) -> Callable[[], int]:
    """The floor: every statement's rows with the bare driver on a new connection."""
    sqls = statements()
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")

        def connect() -> Any:
            return sqlite3.connect(path)
    else:
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://")

        def connect() -> Any:
            return psycopg.connect(plain)

    def fetch() -> int:
        connection = connect()
        try:
            cursor = connection.cursor()
            count = 0
            for sql in sqls:
                cursor.execute(sql)
                count += len(cursor.fetchall())
            return count
        finally:
            connection.close()

    return fetch


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def cold(url: str, loader: str = "state") -> tuple[float, float]:
    """A new process's first state: wall and CPU seconds of ``Service.state()`` (or of the
    former loader) alone."""
    done = subprocess.run(
        [sys.executable, "-c", COLD, url, loader], check=True, capture_output=True, text=True
    )
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--plans", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--url", help="measure this database as it is (no demo is built)")
    parser.add_argument("--json", action="store_true", help="one JSON object per figure")
    args = parser.parse_args(argv)
    with reporting(args.json), tempfile.TemporaryDirectory() as tmp:
        url = args.url or build(Path(tmp), args.plans)
        fetch = driver_fetch(url)
        rows = fetch()

        def state() -> None:
            svc = Service(url, create=False)
            svc.state()
            svc.engine.dispose()

        def former() -> None:
            svc = Service(url, create=False)
            with svc.engine.connect() as connection:
                load_state_by_model(connection)
            svc.engine.dispose()

        state(), former()  # the statements compiled, the model imported: warm
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in ("floor", "new", "old")}
        new_process, former_process = [], []
        for i in range(args.repeat):
            runs["floor"].append(timed(fetch))
            runs["new"].append(timed(state))
            runs["old"].append(timed(former))
            new_process.append(cold(url))
            former_process.append(cold(url, "former"))
            print(
                f"run {i + 1}: floor {runs['floor'][-1][0]:.3f} s, state "
                f"{runs['new'][-1][0]:.3f} s, former loader {runs['old'][-1][0]:.3f} s; "
                f"new process {new_process[-1][0]:.3f} s, former {former_process[-1][0]:.3f} s",
                flush=True,
            )
        wall = {k: median([w for w, _ in v]) for k, v in runs.items()}
        cpu = {k: median([c for _, c in v]) for k, v in runs.items()}
        first = median([w for w, _ in new_process])
        first_former = median([w for w, _ in former_process])
        load = os.getloadavg()
        backend = url.split(":", 1)[0].split("+", 1)[0]
        print(
            f"{backend}, {rows:,} rows; medians of {args.repeat} runs (CPU in brackets): "
            f"floor {wall['floor']:.3f} s ({cpu['floor']:.3f}), state {wall['new']:.3f} s "
            f"({cpu['new']:.3f}), former loader {wall['old']:.3f} s ({cpu['old']:.3f}), "
            f"a new process's first state {first:.3f} s (former loader {first_former:.3f} s); "
            f"load average {load[0]:.1f}"
        )
    floor_name = f"{backend} driver fetchall of the same rows"
    emit(
        [
            figure("state_load", wall["new"], "s", wall["floor"], GOAL_RATIO, floor_name),
            figure("state_load_former", wall["old"], "s", wall["floor"], None, floor_name),
            figure("state_load_new_process", first, "s", wall["floor"], None, floor_name),
            figure(
                "state_load_new_process_former", first_former, "s", wall["floor"], None, floor_name
            ),
        ],
        args.json,
    )


if __name__ == "__main__":
    main()
