"""The progress report command: `opgave report`, the letter to parliament after a meeting."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from opgave.agreements import AgreementInputError
from opgave.cli import app, console, fail, reading
from opgave.cli.forecast import run_outlook


@app.command("report")
def report(
    ctx: typer.Context,
    meeting: Annotated[
        str | None,
        typer.Option(
            help="The meeting the report follows (name or id); default: the latest meeting "
            "at which agreements were made."
        ),
    ] = None,
    lang: Annotated[str, typer.Option(help="nl (default, 900.000) or en (900,000).")] = "nl",
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or md.")] = "html",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write; default: stdout (html, md).")
    ] = None,
    forecast_runs: Annotated[
        int,
        typer.Option(
            min=0,
            help="Run a forecast with this many runs (seed 0, default assumptions) and "
            "report the chance of reaching each target; 0: no forecast.",
        ),
    ] = 0,
) -> None:
    """The progress report to parliament, region by region, every figure with its source."""
    from opgave import report as progress_report

    if lang not in progress_report.LANGUAGES:
        raise fail(f"--lang must be one of {', '.join(progress_report.LANGUAGES)}, not {lang!r}")
    if fmt not in progress_report.FORMATS:
        raise fail(f"--format must be one of {', '.join(progress_report.FORMATS)}, not {fmt!r}")
    if fmt == "pdf":
        if out is None:
            raise fail("a PDF needs --out FILE")
        problem = progress_report.weasyprint_problem()
        if problem:
            raise fail(problem)
    with reading(ctx) as session:
        inputs = progress_report.load_inputs(session)
        if forecast_runs:
            outlook = run_outlook(
                session, area=None, runs=forecast_runs, seed=0, assumptions_file=None, scenario=None
            )
            inputs = replace(
                inputs,
                forecast={
                    t.target_id: t.p_reach_min for t in outlook.targets if t.p_reach_min is not None
                },
                forecast_source=f"opgave forecast: {forecast_runs:,} runs, seed 0, assumptions "
                + ", ".join(Path(a).name for a in outlook.assumptions),
            )
    try:
        built = progress_report.build(inputs, meeting)
        content = progress_report.render(built, fmt, lang)
    except (AgreementInputError, progress_report.ReportFormatError) as error:
        raise fail(str(error)) from None
    if out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    out.write_bytes(content)
    sections = len(built.sections)
    console.print(
        f"Wrote {out} ({fmt}, {lang}): after {built.meeting['name']}, {sections} sections, "
        f"{len(built.notes)} source notes"
        + (", SYNTHETIC data included" if built.synthetic_sources else "")
        + "."
    )
