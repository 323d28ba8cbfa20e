"""Benchmark: `opgave report` on the full programme plus the SYNTHETIC demo, end to end,
against WeasyPrint alone on the same HTML.

    .venv/bin/python benchmarks/report.py [--repeat 5] [--json] [--also-html OLD.html]

Builds a fresh SQLite database (`opgave init` + `opgave demo`: the letter's programme, 5,000
synthetic plans, 2,744 synthetic municipal realisation figures) and writes the HTML that
`opgave report --format pdf` hands to WeasyPrint. Then times, as a user meets them - new
processes, imports included - --repeat times, interleaved:
- the floor: a new Python process that imports WeasyPrint and turns that HTML file into a
  PDF with the report's options (tagged PDF/UA-1; the same fetcher opgave uses: nothing from
  the network), nothing else;
- with --also-html, WeasyPrint alone (the same way) on another HTML file - the HTML of an
  earlier version, to show what a change of the document gained beside the floor it moved;
- `opgave report --format pdf`, and the HTML and Markdown reports;
- `opgave overview` (the same start-up and database read, without the report).
Figures are medians of the runs (wall time; CPU time of the child and the children it waited
for, from os.wait4, beside it: the PDF's helper process counts);
the ratio to the floor is the median of the ratios of each run's PDF to the floor run just
before it (a shared machine's load changes between runs more than within a pair).
The goals (issue 15): the PDF at most 2 s, and at most 1.3x the floor.
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

from opgave.report.pdfua import PDF_OPTIONS

GOAL_PDF_S = 2.0
GOAL_PDF_RATIO = 1.3
GOAL_TEXT_S = 5.0
"""The bar of issue 6 for every format (kept for the HTML and Markdown reports)."""
OPGAVE = str(Path(sys.executable).with_name("opgave"))
FLOOR = """
import sys
import weasyprint, weasyprint.urls
html = open(sys.argv[1], encoding="utf-8").read()
fetcher = weasyprint.urls.URLFetcher(allowed_protocols={{"data"}})
weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(sys.argv[2], **{options!r})
"""
"""WeasyPrint alone: the floor's program, given the options of ``write_pdf``."""
WRITE_HTML = """
import sys
from opgave.report import rendering
from opgave.service import Service, reporting
built = reporting.build(Service(sys.argv[1]))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(rendering.render_text(built, "html", "nl", for_pdf=True))
"""


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    assert process.stderr is not None
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def page_count(path: Path) -> str:
    """Pages of a PDF (with pypdf, when installed)."""
    try:
        import pypdf
    except ImportError:
        return "?"
    return str(len(pypdf.PdfReader(path).pages))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="one JSON object per figure")
    parser.add_argument(
        "--also-html",
        type=Path,
        metavar="FILE",
        help="also time WeasyPrint alone on this HTML (e.g. an earlier version's report)",
    )
    options = parser.parse_args()
    with reporting(options.json), tempfile.TemporaryDirectory() as tmp:
        spec = importlib.util.find_spec("opgave")
        assert spec is not None and spec.submodule_search_locations
        compileall.compile_dir(spec.submodule_search_locations[0], quiet=1)
        db = str(Path(tmp) / "bench.db")
        for step in (["init"], ["demo"]):
            subprocess.run([OPGAVE, "--db", db, *step], check=True, capture_output=True)
        html = Path(tmp) / "for_pdf.html"
        subprocess.run([sys.executable, "-c", WRITE_HTML, f"sqlite:///{db}", str(html)], check=True)
        floor_program = FLOOR.format(options=PDF_OPTIONS)
        cases = {
            "floor: WeasyPrint alone": [sys.executable, "-c", floor_program, str(html),
                                        f"{tmp}/f.pdf"],
            **({"WeasyPrint on --also-html": [sys.executable, "-c", floor_program,
                                              str(options.also_html), f"{tmp}/a.pdf"]}
               if options.also_html else {}),
            "report pdf": [OPGAVE, "--db", db, "report", "--format", "pdf", "--out",
                           f"{tmp}/r.pdf"],
            "report html": [OPGAVE, "--db", db, "report", "--format", "html", "--out",
                            f"{tmp}/r.html"],
            "report md (en)": [OPGAVE, "--db", db, "report", "--format", "md", "--lang", "en"],
            "overview": [OPGAVE, "--db", db, "overview"],
        }  # fmt: skip
        walls: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(options.repeat):
            for name, command in cases.items():
                wall, cpu = timed(command)
                walls[name].append(wall)
                cpus[name].append(cpu)
        pages = page_count(Path(f"{tmp}/r.pdf")), page_count(Path(f"{tmp}/f.pdf"))
        load = os.getloadavg()[0]
        print(
            f"opgave report, full programme + demo, median (min-max) of {options.repeat} runs "
            f"(load {load:.1f}); pdf pages: report {pages[0]}, floor {pages[1]}"
        )
        print(f"{'case':26}{'wall s':>8}{'range':>14}{'cpu s':>8}")
        for name in cases:
            w = walls[name]
            print(f"{name:26}{median(w):8.2f}   {min(w):.2f}-{max(w):.2f}{median(cpus[name]):8.2f}")
    floor = median(walls["floor: WeasyPrint alone"])
    pdf = median(walls["report pdf"])
    pairs = median([a / b for a, b in zip(walls["report pdf"], walls["floor: WeasyPrint alone"],
                                          strict=True)])  # fmt: skip
    floor_name = "WeasyPrint alone on the same HTML, new process"
    figures = [
        figure("report_pdf", pdf, "s", floor, GOAL_PDF_S, floor_name, goal_on="value"),
        figure(
            "report_pdf_vs_weasyprint", pdf, "s", floor, GOAL_PDF_RATIO,
            floor_name + "; ratio: median of the pairwise ratios", ratio=pairs,
        ),
        figure(
            "report_pdf_cpu_vs_weasyprint", median(cpus["report pdf"]), "s CPU",
            median(cpus["floor: WeasyPrint alone"]), None,
            "CPU seconds of WeasyPrint alone (both of the report's processes summed): the work, "
            "which a loaded machine cannot overlap",
        ),
        figure("report_html", median(walls["report html"]), "s", None, GOAL_TEXT_S),
        figure("report_md", median(walls["report md (en)"]), "s", None, GOAL_TEXT_S),
        figure(
            "report_baseline_overview", median(walls["overview"]), "s", None, None,
            "opgave overview: the start and database read without the report",
        ),
    ]  # fmt: skip
    if options.also_html:
        figures.append(figure(
            "report_weasyprint_also_html", median(walls["WeasyPrint on --also-html"]), "s",
            floor, None, f"WeasyPrint alone on {options.also_html.name} (--also-html) beside "
            "the floor on today's HTML",
        ))  # fmt: skip
    emit(figures, options.json)


if __name__ == "__main__":
    main()
