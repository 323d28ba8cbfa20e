"""The progress report command: `opgave report`, the letter to parliament after a meeting."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from opgave.cli import answering, app, fail, parse_date, service


@app.command("report")
def report(
    ctx: typer.Context,
    meeting: Annotated[
        str | None,
        typer.Option(
            metavar="MEETING",
            help="The meeting the report follows (name or id); default: the latest meeting "
            "at which agreements were made.",
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option(metavar="LANG", help="nl (default, 900.000) or en (900,000).")
    ] = "nl",
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="html, pdf or md.")
    ] = "html",
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="File to write; default: stdout (html, md)."),
    ] = None,
    forecast_runs: Annotated[
        int,
        typer.Option(
            metavar="N",
            min=0,
            help="Run a forecast with this many runs (seed 0, default assumptions) and "
            "report the chance of reaching each target; 0: no forecast.",
        ),
    ] = 0,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="The programme as known on this date."),
    ] = None,
    kenmerk: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="The reference (kenmerk) in the first block and the footer; default: "
            "OPGAVE-<meeting id>-<date drawn up>.",
        ),
    ] = None,
) -> None:
    """The progress report to parliament, region by region, every figure with its source."""
    from opgave.report.press import started

    if fmt == "pdf" and out is None:
        raise fail("a PDF needs --out FILE")
    # WeasyPrint loads in a helper process while the database is read and the report built.
    with started(fmt == "pdf") as press:
        from opgave.service import reporting

        svc = service(ctx)
        with answering():
            built = reporting.build(
                svc,
                meeting=meeting,
                forecast_runs=forecast_runs,
                as_of=parse_date(as_of, "--as-of"),
                reference=kenmerk,
            )
            content = reporting.render(built, fmt, lang, press)
    if out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    out.write_bytes(content)
    sections = len(built.sections)
    typer.echo(  # plain text: Rich would add its import to every report
        f"Wrote {out} ({fmt}, {lang}): after {built.meeting['name']}, {sections} sections, "
        f"{len(built.notes)} source notes"
        + (", SYNTHETIC data included" if built.synthetic_sources else "")
        + "."
    )
