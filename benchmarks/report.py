"""Benchmark: `opgave report` on the full programme plus the SYNTHETIC demo, end to end.

    .venv/bin/python benchmarks/report.py --repeat 3

Builds a fresh SQLite database (`opgave init` + `opgave demo`: the letter's programme, 5,000
synthetic plans, 2,744 synthetic municipal realisation figures), then times each command as a
user runs it - a new process, imports included - --repeat times, interleaved: the report as
PDF, HTML and Markdown, and as baseline `opgave overview` (the same start-up and database read
without the report). Wall time and CPU time (user + system of the child, from os.wait4; less
disturbed by other load on the machine) are reported as the best of the runs.
The bar (issue 6): the full report in every format in < 5 s wall.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BAR_S = 5.0
OPGAVE = Path(sys.executable).with_name("opgave")


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `opgave` process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(OPGAVE), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"opgave {' '.join(args)} failed: {process.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def page_count(path: Path) -> str:
    """Pages of a PDF (with pypdf, when installed)."""
    try:
        import pypdf
    except ImportError:
        return "?"
    return str(len(pypdf.PdfReader(path).pages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        for step in (["init"], ["demo"]):
            subprocess.run([str(OPGAVE), "--db", db, *step], check=True, capture_output=True)
        cases = {
            "baseline: overview": ["--db", db, "overview"],
            "report pdf": ["--db", db, "report", "--format", "pdf", "--out", f"{tmp}/r.pdf"],
            "report html": ["--db", db, "report", "--format", "html", "--out", f"{tmp}/r.html"],
            "report md (en)": ["--db", db, "report", "--format", "md", "--lang", "en"],
        }
        best: dict[str, tuple[float, float]] = {}
        for _ in range(options.repeat):
            for name, args in cases.items():
                wall, cpu = timed(args)
                old = best.get(name, (float("inf"), float("inf")))
                best[name] = (min(old[0], wall), min(old[1], cpu))
        pdf_pages = page_count(Path(f"{tmp}/r.pdf"))
    base_wall, base_cpu = best["baseline: overview"]
    load = os.getloadavg()[0]
    print(f"opgave report, full programme + demo, best of {options.repeat} (load {load:.1f})")
    print(f"{'case':20} {'wall s':>8} {'cpu s':>8} {'wall - baseline':>16}")
    for name, (wall, cpu) in best.items():
        print(f"{name:20} {wall:8.2f} {cpu:8.2f} {wall - base_wall:16.2f}")
    worst = max(w for n, (w, _) in best.items() if n.startswith("report"))
    verdict = "meets" if worst < BAR_S else "MISSES"
    print(f"slowest report {worst:.2f} s wall: {verdict} the bar of {BAR_S:.0f} s")
    print(f"pdf: {pdf_pages} pages; baseline cpu {base_cpu:.2f} s")


if __name__ == "__main__":
    main()
