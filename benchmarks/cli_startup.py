"""Benchmark: how long a user waits for `opgave` commands, as new processes, against the floor.

    .venv/bin/python benchmarks/cli_startup.py [--repeat 7] [--json]

Builds a SQLite database with the letter's programme and the SYNTHETIC demo pipeline
(`opgave init` + `opgave demo`: 5,000 plans), then runs, interleaved, --repeat times each:
the floor `python -c pass`; the floor of a database listing in this stack (`LIBRARIES`: a typer
app of one command with one option, importing SQLAlchemy - typer coerces every option value
through a pydantic TypeAdapter, and a listing reads through SQLAlchemy Core); `opgave --help`;
`opgave targets --json`; `opgave overview --json` (which reads the whole programme state
through the ORM model). The figure is the median wall time of the runs (CPU time of the child,
from os.wait4, beside it: less disturbed by other load on this shared machine).
The goals (issue 15): `--help` at most 0.25 s, `targets --json` at most 0.5 s.

The package is byte-compiled first (`compileall`), as an installation is: this machine sets
PYTHONDONTWRITEBYTECODE, which would otherwise make every run compile opgave's sources.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _figures import emit, figure, median, reporting

PYTHON = sys.executable
OPGAVE = str(Path(sys.executable).with_name("opgave"))
GOALS = {"cli_help": 0.25, "cli_targets_json": 0.5}
LIBRARIES = """
import sqlalchemy
import typer

app = typer.Typer()


@app.command()
def listing(db: str = "opgave.db", as_json: bool = False) -> None:
    pass


app(["--db", "x.db", "--as-json"])
"""
"""The least a typer command that reads a database through SQLAlchemy Core starts with."""


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process (its output discarded; a failure stops the run)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    assert process.stderr is not None
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="one JSON object per figure")
    args = parser.parse_args()
    with reporting(args.json), tempfile.TemporaryDirectory() as tmp:
        spec = importlib.util.find_spec("opgave")
        assert spec is not None and spec.submodule_search_locations
        compileall.compile_dir(spec.submodule_search_locations[0], quiet=1)
        db = str(Path(tmp) / "bench.db")
        for step in (["init"], ["demo"]):
            subprocess.run([OPGAVE, "--db", db, *step], check=True, capture_output=True)
        cases = {
            "python_floor": [PYTHON, "-c", "pass"],
            "libraries_of_a_database_listing": [PYTHON, "-c", LIBRARIES],
            "cli_help": [OPGAVE, "--help"],
            "cli_targets_json": [OPGAVE, "--db", db, "targets", "--json"],
            "cli_overview_json": [OPGAVE, "--db", db, "overview", "--json"],
        }  # fmt: skip
        walls: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.repeat):
            for name, command in cases.items():
                wall, cpu = timed(command)
                walls[name].append(wall)
                cpus[name].append(cpu)
        load = os.getloadavg()[0]
        print(
            f"opgave commands as new processes, median (min-max) of {args.repeat} runs, "
            f"load {load:.1f}"
        )
        print(f"{'case':34}{'wall s':>8}{'range':>14}{'cpu s':>8}")
        for name in cases:
            w = walls[name]
            print(f"{name:34}{median(w):8.3f}   {min(w):.3f}-{max(w):.3f}{median(cpus[name]):8.3f}")
    floor = median(walls["python_floor"])
    libraries = median(walls["libraries_of_a_database_listing"])
    figures = [
        figure(
            "cli_help", median(walls["cli_help"]), "s", floor, GOALS["cli_help"],
            "python -c pass", goal_on="value",
        ),
        figure(
            "cli_targets_json", median(walls["cli_targets_json"]), "s", floor,
            GOALS["cli_targets_json"], "python -c pass", goal_on="value",
        ),
        figure(
            "cli_overview_json", median(walls["cli_overview_json"]), "s", floor, None,
            "python -c pass",
        ),
        figure(
            "libraries_of_a_database_listing", libraries, "s", floor, None,
            "python -c pass",
        ),
    ]  # fmt: skip
    emit(figures, args.json)


if __name__ == "__main__":
    main()
