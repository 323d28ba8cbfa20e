"""The progress report command: `opgave report`, the letter to parliament after a meeting."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from opgave.cli import answering, app, fail, parse_date, service, speaking


def report_language(ctx: typer.Context, own: str | None) -> str:
    """The language of the report: its own ``--lang``, else the command line's (``opgave
    --lang``, ``OPGAVE_LANG``, else Dutch - the language of the letter to parliament)."""
    return own if own is not None else str(ctx.obj.lang)


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
        str | None,
        typer.Option(
            metavar="nl|en",
            help="The report's language: nl (900.000) or en (900,000); default: the language "
            "of the command line (opgave --lang, $OPGAVE_LANG), else nl.",
        ),
    ] = None,
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

    w = speaking(ctx)
    language = report_language(ctx, lang)
    if fmt == "pdf" and out is None:
        raise fail(w("rep_pdf_needs_out"))
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
            content = reporting.render(built, fmt, language, press)
    if out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    out.write_bytes(content)
    typer.echo(  # plain text: Rich would add its import to every report
        w(
            "rep_wrote",
            file=out,
            format=fmt,
            lang=language,
            meeting=built.meeting["name"],
            sections=w.number(len(built.sections)),
            notes=w.number(len(built.notes)),
            synthetic=w("rep_synthetic") if built.synthetic_sources else "",
        )
    )
