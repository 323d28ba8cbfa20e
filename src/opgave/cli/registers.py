"""Commands for plan registers as offices keep them: propose a mapping profile, import
capacity totals, list them. Thin: parse, call the library, render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from opgave import store
from opgave.cli import JsonOption, console, engine_for, fail, parse_date, print_json, reading, rows
from opgave.cli.pipeline import ingest_app
from opgave.ingest import capacity as capacity_totals
from opgave.ingest import file_source, gemeente_codes, profiles, readers
from opgave.ingest.capacity_store import apply_totals
from opgave.ingest.plans import PlanListError
from opgave.model import Area, CapacityTotal, Source


@ingest_app.command("propose-mapping")
def propose_mapping(
    file: Annotated[Path, typer.Argument(help="A plan register: CSV, Excel or GIS file.")],
    out: Annotated[
        Path | None, typer.Option(help="Write the profile here (default: print it).")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="The Excel sheet (default: the first).")] = None,
) -> None:
    """Draft a mapping profile (TOML) from a file's header and values, to check and edit,
    then use with `opgave ingest plans FILE --mapping PROFILE.toml`."""
    if not file.exists():
        raise fail(f"{file}: no such file")
    try:
        table = readers.read_source(file, sheet=sheet)
    except readers.ReadError as error:
        raise fail(str(error)) from None
    text = profiles.propose_profile(table.header, table.columns, file.name)
    if out is None:
        print(text, end="")
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"Proposed profile for {file.name} written to {out}; check every line.")


@ingest_app.command("capacity")
def ingest_capacity(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Capacity totals: an Excel workbook or CSV.")],
    mapping: Annotated[
        str, typer.Option("--mapping", help="Capacity profile (.toml): sheets, areas, periods.")
    ],
    date: Annotated[
        str | None, typer.Option(help="Capture date of the totals, YYYY-MM-DD; default today.")
    ] = None,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Write the import report (.html or .csv).")
    ] = None,
) -> None:
    """Import plan-capacity totals per municipality or region (hard / soft / unknown x
    period, gross or net); "no data" cells are not zero. See docs/plans.md."""
    captured = parse_date(date, "--date") or dt.date.today()
    if not file.exists():
        raise fail(f"{file}: no such file")
    try:
        profile = capacity_totals.load_capacity_profile(mapping)
    except profiles.ProfileError as error:
        raise fail(str(error)) from None
    with store.transaction(engine_for(ctx)) as session:
        try:
            totals = capacity_totals.read_totals(
                file,
                profile,
                gemeenten=gemeente_codes(session),
                areas=[a["id"] for a in rows(session, Area)],
            )
        except PlanListError as error:
            failed = getattr(error, "report", None)
            if failed is not None and report_file is not None:
                failed.write(report_file)
            raise fail(str(error)) from None
        source = Source(
            **file_source(
                file,
                "capacity",
                f"Capacity totals {file.name}, captured {captured}",
                retrieved=captured,
            )
        )
        count = apply_totals(session, totals.rows, source=source, captured=captured)
    for report in totals.reports:
        console.print(report.summary(), highlight=False)
    if report_file is not None and totals.reports:
        totals.reports[0].notes.extend(n for r in totals.reports[1:] for n in r.notes)
        totals.reports[0].write(report_file)
    areas = len({r.area_id for r in totals.rows})
    console.print(f"{file.name}: {count} capacity totals for {areas} areas (source {source.id}).")


@ingest_app.command("profiles")
def list_profiles() -> None:
    """The shipped mapping profiles (use the name with --mapping)."""
    for name in profiles.shipped_names():
        console.print(name)


def capacity_totals_listing(as_json: bool, area: str | None, ctx: typer.Context) -> None:
    """List stored capacity totals (helper of the `capacity-totals` command)."""
    with reading(ctx) as session:
        records = [r for r in rows(session, CapacityTotal) if area is None or r["area_id"] == area]
    if as_json:
        print_json(records)
        return
    table = Table(title=f"capacity totals ({len(records)})")
    for column in ("area", "hardness", "years", "homes", "gross/net", "source"):
        table.add_column(column, justify="right" if column == "homes" else "left")
    for r in records[:300]:
        table.add_row(
            r["area_id"],
            r["hardness"],
            f"{r['first_year']}-{r['last_year']}",
            f"{r['homes']:,}",
            r["gross_or_net"],
            f"{r['source_id']} ({r['source_section']})",
        )
    console.print(table)


from opgave.cli import app  # noqa: E402


@app.command("capacity-totals")
def list_capacity_totals(
    ctx: typer.Context,
    area: Annotated[str | None, typer.Option(help="Only this area's totals.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Capacity totals as imported (per area, hardness and period, with their source)."""
    capacity_totals_listing(as_json, area, ctx)
