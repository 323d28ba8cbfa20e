"""Commands for plan registers as offices keep them: propose a mapping profile, import
capacity totals, list them. Thin: parse, call the library, render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from opgave.cli import (
    JsonOption,
    answering,
    app,
    console,
    parse_date,
    principal,
    print_json,
    service,
    speaking,
)
from opgave.cli.pipeline import ingest_app, reading_text
from opgave.cli.render import show


@ingest_app.command("propose-mapping")
def propose_mapping(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A plan register: CSV, Excel or GIS file.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write the profile here (default: print it)."),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option(metavar="SHEET", help="The Excel sheet (default: the first).")
    ] = None,
) -> None:
    """Draft a mapping profile (TOML) from a file's header and values, to check and edit,
    then use with `opgave ingest plans FILE --mapping PROFILE.toml`."""
    from opgave.service import capacity

    with answering():
        text = capacity.propose_mapping(file, sheet)
    if out is None:
        print(text, end="")
        return
    out.write_text(text, encoding="utf-8")
    console.print(speaking(ctx)("profile_written", file=file.name, out=out))


@ingest_app.command("capacity")
def ingest_capacity(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Capacity totals: an Excel workbook or CSV.")
    ],
    mapping: Annotated[
        str,
        typer.Option(
            "--mapping", metavar="PROFILE", help="Capacity profile (.toml): sheets, areas, periods."
        ),
    ],
    date: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Capture date of the totals, YYYY-MM-DD; default today."),
    ] = None,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", metavar="FILE", help="Write the import report (.html or .csv)."),
    ] = None,
) -> None:
    """Import plan-capacity totals per municipality or region (hard / soft / unknown x
    period, gross or net); "no data" cells are not zero. See docs/plans.md."""
    from opgave.service import capacity

    captured = parse_date(date, "--date") or dt.date.today()
    with answering():
        done = capacity.import_totals(
            service(ctx), principal(ctx), file, mapping, captured=captured,
            report_path=report_file,
        )  # fmt: skip
    w = speaking(ctx)
    for line in done.reading:
        console.print(reading_text(line, w), highlight=False)
    console.print(
        w("capacity_imported", file=file.name, totals=w.number(done.totals),
          areas=w.number(done.areas), source=done.source_id)
    )  # fmt: skip


@ingest_app.command("profiles")
def list_profiles() -> None:
    """The shipped mapping profiles (use the name with --mapping)."""
    from opgave.service import capacity

    for name in capacity.shipped_profiles():
        console.print(name)


@app.command("capacity-totals")
def list_capacity_totals(
    ctx: typer.Context,
    area: Annotated[
        str | None, typer.Option(metavar="AREA", help="Only this area's totals.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Capacity totals as imported (per area, hardness and period, with their source)."""
    from opgave.service import capacity

    records = capacity.totals(service(ctx), area)
    if as_json:
        print_json(records)
        return
    from rich.table import Table

    w = speaking(ctx)
    table = Table(title=w("capacity_totals_title", count=w.number(len(records))))
    for column in (
        "column_area", "column_hardness", "column_years", "column_homes", "column_gross_net",
        "column_source",
    ):  # fmt: skip
        table.add_column(w(column), justify="right" if column == "column_homes" else "left")
    for r in records[:300]:
        table.add_row(
            r["area_id"],
            w(f"hardness_{r['hardness']}")
            if w.knows(f"hardness_{r['hardness']}")
            else r["hardness"],
            f"{r['first_year']}-{r['last_year']}",
            w.number(r["homes"]),
            w(f"basis_{r['gross_or_net']}")
            if w.knows(f"basis_{r['gross_or_net']}")
            else r["gross_or_net"],
            f"{r['source_id']} ({r['source_section']})",
        )
    show(table)
