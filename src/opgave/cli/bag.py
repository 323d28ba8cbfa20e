"""Commands for the BAG: `ingest bag` (extract or canonical files in, figures out) and
`bag reconcile` (BAG-derived completions against CBS per municipality and year)."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from opgave.cli import (
    JsonOption,
    answering,
    app,
    console,
    homes,
    parse_date,
    principal,
    print_json,
    service,
)
from opgave.cli.pipeline import ingest_app
from opgave.cli.render import show

if TYPE_CHECKING:  # DuckDB, pyogrio and numpy load when an extract is read
    from rich.progress import Progress

    from opgave.ingest import bag_ingest

DEFAULT_SINCE = 2012
"""The first year counted by default: CBS uses the LV BAG from 2012 (kept equal to
``bag_ingest.DEFAULT_SINCE`` by tests/test_startup.py)."""

bag_app = typer.Typer(help="The BAG: BAG-derived figures against CBS.", no_args_is_help=True)
app.add_typer(bag_app, name="bag")


def _progress(disable: bool) -> tuple[Progress, Any]:
    """A Rich progress display with a bar per phase (bytes for parsing, fractions for the
    rest) showing rows per second, and the callback that feeds it."""
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        Task,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RowsPerSecond(ProgressColumn):
        """Rows handled per second in a phase (parse: VBO, PND, NUM, ... voorkomens)."""

        def render(self, task: Task) -> Text:
            rows = int(task.fields.get("rows", 0))
            elapsed = task.elapsed or 0.0
            if not rows or elapsed <= 0:
                return Text("", style="progress.data.speed")
            return Text(f"{rows:,} rows, {rows / elapsed:,.0f}/s", style="progress.data.speed")

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        RowsPerSecond(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    progress = Progress(*columns, console=console, transient=True, disable=disable)
    tasks: dict[str, Any] = {}

    def update(phase: str, done: float, total: float, rows: int) -> None:
        task = tasks.get(phase)
        if task is None:
            for other in tasks.values():  # a new phase: the earlier ones are done
                progress.update(other, completed=progress.tasks[other].total)
            task = tasks[phase] = progress.add_task(phase, total=total or 1.0, rows=0)
        fields: dict[str, Any] = {"completed": done, "total": total or 1.0}
        if rows:
            fields["rows"] = rows
        progress.update(task, **fields)

    return progress, update


@ingest_app.command("bag")
def ingest_bag(
    ctx: typer.Context,
    extract: Annotated[
        Path,
        typer.Argument(
            metavar="EXTRACT",
            help="LV BAG extract (lvbag-extract-nl.zip, a municipality's zip, an unpacked "
            "folder, XML) or canonical VBO status periods (.parquet/.csv, docs/bag.md).",
        ),
    ],
    pand: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Canonical pand status periods (canonical input only)."),
    ] = None,
    geopackage: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="BAG GeoPackage (current state): fills municipality and coordinates.",
        ),
    ] = None,
    polygons: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Polygon file (GeoJSON, GeoPackage): count dwellings per polygon."
        ),
    ] = None,
    polygon_id: Annotated[
        str | None,
        typer.Option(
            metavar="FIELD", help="The polygon file's id field (default: area_id, id, ...)."
        ),
    ] = None,
    since: Annotated[
        int,
        typer.Option(metavar="YEAR", help="First year counted (CBS uses the LV BAG from 2012)."),
    ] = DEFAULT_SINCE,
    as_of: Annotated[
        str | None,
        typer.Option(
            metavar="DATE", help="Reference date YYYY-MM-DD (default: the extract's own date)."
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(metavar="N", help="Parsing processes (default: one per core).")
    ] = None,
    keep: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Save the canonical files and per-dwelling file here."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Dwellings permitted, started and completed per municipality from a BAG extract.

    Whole years (from --since to the year before the extract's date) go to the realised
    figures, the extract's own year month by month; completions are split into new-build
    (whole pand new, as CBS counts) and other additions. Every figure cites the file and its
    checksum; the same extract stored twice changes nothing.
    """
    from opgave.service import bag

    reference = parse_date(as_of, "--as-of")
    started = time.perf_counter()
    bar, update = _progress(disable=as_json)
    with bar, answering():
        figures, report = bag.ingest(
            service(ctx), principal(ctx), extract, pand=pand, geopackage=geopackage,
            polygons=polygons, polygon_id=polygon_id, since=since, as_of=reference,
            workers=workers, keep=keep, progress=update,
        )  # fmt: skip
    seconds = time.perf_counter() - started
    if as_json:
        print_json([_report_json(figures, report, seconds)])
        return
    _print_report(figures, report, seconds)


def _report_json(
    figures: bag_ingest.BagFigures, report: bag_ingest.StoreReport, seconds: float
) -> dict[str, Any]:
    return {
        **asdict(report),
        "path": str(figures.path),
        "input_kind": figures.input_kind,
        "as_of": figures.as_of.isoformat(),
        "years": list(figures.years),
        "synthetic": figures.synthetic,
        "seconds": round(seconds, 2),
        "stats": figures.stats,
        "polygons": [asdict(f) for f in figures.polygons],
    }


def _print_report(
    figures: bag_ingest.BagFigures, report: bag_ingest.StoreReport, seconds: float
) -> None:
    label = "[bold yellow]SYNTHETIC[/] " if figures.synthetic else ""
    stats = figures.stats
    first, last = figures.years
    console.print(
        f"{label}BAG {figures.path.name} ({figures.input_kind}, as of {figures.as_of}) "
        f"read in {seconds:,.1f} s: {stats.get('dwellings', 0):,} dwellings with an event "
        f"since {figures.since}."
    )
    if "voorkomens" in stats:
        parsed = ", ".join(f"{k} {v:,}" for k, v in sorted(stats["voorkomens"].items()))
        console.print(f"Voorkomens read: {parsed}.")
        via = stats.get("gemeente_via", {})
        total = sum(via.values()) or 1
        console.print(
            "Municipality of each VBO voorkomen: "
            + ", ".join(f"via {k} {v / total:.1%}" for k, v in sorted(via.items()))
        )
        for note in stats.get("notes", []):
            console.print(f"[yellow]Note:[/] {note}")
        for skipped in stats.get("skipped", []):
            console.print(f"Skipped {skipped}")
    console.print(
        f"Years {first}-{last} (realisation): {report.inserted} new, {report.updated} updated, "
        f"{report.unchanged} unchanged; {figures.as_of.year} by month (realisation_month, "
        f"provisional): {report.months_inserted} new, {report.months_updated} updated; "
        f"{report.municipalities} municipalities (source {report.source_id})."
    )
    if not figures.started_available:
        console.print("[yellow]No pand file: 'started' and the new-build split are absent.[/]")
    if report.unknown_codes:
        shown = ", ".join(report.unknown_codes[:20])
        more = len(report.unknown_codes) - 20
        console.print(
            f"[yellow]Left out {len(report.unknown_codes)} unknown municipality codes:[/] {shown}"
            + (f" and {more} more (--json lists all)" if more > 0 else "")
        )
    if figures.polygons:
        _print_polygons(figures, report)


def _print_polygons(figures: bag_ingest.BagFigures, report: bag_ingest.StoreReport) -> None:
    from rich.table import Table

    from opgave.ingest.bag_ingest import EVENT_MEASURES

    totals: dict[str, dict[str, int]] = {}
    for f in figures.polygons:
        totals.setdefault(f.area_id, {}).setdefault(f.measure, 0)
        totals[f.area_id][f.measure] += f.value
    name = figures.polygon_file.name if figures.polygon_file else ""
    table = Table(
        title=f"dwellings inside the polygons of {name} ({figures.since}-{figures.as_of})"
    )
    table.add_column("polygon")
    for m in ("permitted", "started", "completed", "new-build", "other"):
        table.add_column(m, justify="right")
    table.add_column("stored")
    measures = list(EVENT_MEASURES.values())
    for area in sorted(totals):
        row = totals[area]
        table.add_row(
            area,
            *(homes(row.get(m, 0)) for m in measures),
            "yes" if area in report.polygon_areas else "no (not an area)",
        )
    show(table)


@bag_app.command("reconcile")
def reconcile(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option(metavar="YEAR", help="Only this year.")] = None,
    area: Annotated[
        list[str] | None,
        typer.Option(metavar="AREA", help="Only these municipalities (GM0363 ...)."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(metavar="SOURCE", help="The BAG source id (default: the latest BAG import)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """BAG-derived new-build and other additions against CBS, per municipality and year.

    Compares the completions of one BAG import (split by the nieuwbouw rule) with CBS's
    nieuwbouw and overige toevoeging already in the database (`opgave ingest cbs`), and says
    why they differ: timing around the year's end, the split, provisional CBS figures, a
    recent extract, mergers, administrative corrections.
    """
    from rich.table import Table

    from opgave.service import bag

    with answering():
        found = bag.reconcile(service(ctx), year=year, areas=area, source=source)
    result, source = found.rows, found.source_id
    if as_json:
        print_json(
            [
                {**asdict(r), "explanation": list(r.explanation), "bag_source": source}
                for r in result
            ]
        )
        return
    label = "[bold yellow]SYNTHETIC[/] " if found.synthetic else ""
    table = Table(title=f"{label}BAG ({source}) against CBS: {len(result)} area-years")
    for column in ("area", "year", "new-build BAG", "CBS", "diff", "other BAG", "CBS", "diff"):
        table.add_column(column, justify="left" if column == "area" else "right")
    table.add_column("verdict")

    def signed(value: float | None) -> str:
        return "-" if value is None else f"{value:+,.0f}"

    for r in result:
        table.add_row(
            r.area_id,
            str(r.year),
            homes(r.bag_new_build),
            homes(r.cbs_new_build) + ("*" if r.cbs_provisional else ""),
            signed(r.difference_new_build),
            homes(r.bag_other_added),
            homes(r.cbs_other_added),
            signed(r.difference_other_added),
            r.verdict,
        )
    show(table)
    differing = [r for r in result if r.verdict == "differs"]
    if differing:
        console.print("[bold]Why they differ[/]")
        for r in differing:
            console.print(f"{r.area_id} {r.year}: " + "; ".join(r.explanation))
    if not found.cbs_available:
        console.print("[yellow]No CBS figures in the database: run `opgave ingest cbs` first.[/]")
    console.print("* provisional CBS figure")
