"""Run every benchmark and print one table of figures against their floors and goals.

    .venv/bin/python benchmarks/run_all.py [--only NAME ...] [--skip NAME ...]

Each benchmark runs as its own process with ``--json`` (one JSON object per figure: name,
value, unit, floor, ratio, goal, passed - see benchmarks/_figures.py); its own report goes to
stderr as it runs. A benchmark without ``--json`` is skipped with a message. The table -
figure, value, floor or baseline, ratio, goal, pass/miss - is printed as Markdown (the
README's performance table is this output) and written with the machine's load and the
commands to benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
BENCHMARKS: dict[str, list[str]] = {
    "cli_startup": [],
    "report": [],
    "forecast": ["--cli"],
    "funding": [],
    "api_load": [],
    "bag_ingest": ["--rows", "10000000"],
    "plan_import": [],
    "dashboard": [],
    "state_load": [],
}
"""The benchmarks and the arguments of the figures the README states; any other script in
benchmarks/ that takes --json runs with its defaults."""
TIMEOUT_S = 3600


def supported(script: Path) -> str:
    """The script's --help text ("" when it cannot even show that)."""
    done = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, check=False
    )
    return done.stdout if done.returncode == 0 else ""


def run(name: str, args: list[str]) -> tuple[list[dict[str, Any]], str | None, list[str], float]:
    """The figures of one benchmark, a problem (or None), the command and its wall time."""
    script = HERE / f"{name}.py"
    text = supported(script)
    if "--json" not in text:
        command = [sys.executable, str(script), *args]
        return [], "has no --json flag yet (its branch adds it): skipped", command, 0.0
    # a switch the script does not know yet (forecast's --cli before its branch) is left out
    args = [a for a in args if not a.startswith("--") or a in text]
    command = [sys.executable, str(script), *args, "--json"]
    print(f"\n=== {name}: {' '.join(command[1:])}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, stdout=subprocess.PIPE, text=True, timeout=TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return [], f"did not finish within {TIMEOUT_S} s", command, time.perf_counter() - start
    took = time.perf_counter() - start
    figures = []
    for line in done.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                figures.append({"benchmark": name, **json.loads(line)})
            except json.JSONDecodeError:
                continue
    problem = None if done.returncode == 0 else f"exited with code {done.returncode}"
    if not figures and problem is None:
        problem = "printed no figures"
    return figures, problem, command, took


def number(value: float | None, unit: str = "") -> str:
    """A figure for the table: three significant digits, thousands separated."""
    if value is None:
        return "-"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def goal_text(f: dict[str, Any]) -> str:
    """The goal as words: "<= 1.3x the floor" or "<= 2 s"."""
    if f.get("goal") is None:
        return "-"
    if isinstance(f["goal"], str):  # a benchmark that states its goal in words
        return str(f["goal"])
    on_ratio = f.get("goal_on", "ratio" if f.get("ratio") is not None else "value") == "ratio"
    return (
        f"<= {f['goal']:g}x"
        if on_ratio and f.get("ratio") is not None
        else (f"<= {number(f['goal'], f['unit'])}")
    )


def table(figures: list[dict[str, Any]]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| figure | value | floor or baseline | ratio | goal | |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        floor = "-"
        if f.get("floor") is not None:
            floor = number(f["floor"], f["unit"])
            if f.get("floor_name"):
                floor += f" ({f['floor_name']})"
        ratio = "-" if f.get("ratio") is None else f"{f['ratio']:.2f}x"
        verdict = {True: "pass", False: "**miss**", None: ""}[f.get("passed")]
        lines.append(
            f"| {f['name']} | {number(f['value'], f['unit'])} | {floor} | {ratio} | "
            f"{goal_text(f)} | {verdict} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    parser.add_argument("--skip", nargs="*", default=[], help="leave these out")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    options = parser.parse_args()
    names = dict(BENCHMARKS)
    for script in sorted(HERE.glob("*.py")):
        if (
            script.stem not in names
            and not script.stem.startswith("_")
            and script != Path(__file__).resolve()
        ):
            names[script.stem] = []
    chosen = [n for n in names if (options.only is None or n in options.only)]
    chosen = [n for n in chosen if n not in options.skip]
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    figures: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    for name in chosen:
        found, problem, command, took = run(name, names[name])
        figures.extend(found)
        runs.append(
            {"benchmark": name, "command": " ".join(["python", *command[1:]]),
             "seconds": round(took, 1), "problem": problem}
        )  # fmt: skip
        if problem:
            print(f"{name}: {problem}", file=sys.stderr, flush=True)
    load_after = os.getloadavg()
    text = table(figures)
    print()
    print(text)
    for r in runs:
        if r["problem"]:
            print(f"\n{r['benchmark']}: {r['problem']}")
    print(
        f"\n{platform.node()}: {os.cpu_count()} cores, load average {load_before[0]:.1f} before "
        f"and {load_after[0]:.1f} after; {started:%Y-%m-%d %H:%M} UTC"
    )
    options.out.write_text(
        json.dumps(
            {
                "measured_at": started.isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in load_after],
                    "python": platform.python_version(),
                },
                "runs": runs,
                "figures": figures,
                "table_markdown": text,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written to {options.out}")
    missed = [f["name"] for f in figures if f.get("passed") is False]
    return 1 if missed or any(r["problem"] for r in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
