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
    parse_date,
    principal,
    print_json,
    service,
    speaking,
)
from opgave.cli.pipeline import ingest_app
from opgave.cli.render import show

if TYPE_CHECKING:  # DuckDB, pyogrio and numpy load when an extract is read
    from rich.progress import Progress

    from opgave.cli.words import Words
    from opgave.ingest import bag_ingest

DEFAULT_SINCE = 2012
"""The first year counted by default: CBS uses the LV BAG from 2012 (kept equal to
``bag_ingest.DEFAULT_SINCE`` by tests/test_startup.py)."""

bag_app = typer.Typer(help="The BAG: BAG-derived figures against CBS.", no_args_is_help=True)
app.add_typer(bag_app, name="bag")


def _progress(disable: bool, w: Words) -> tuple[Progress, Any]:
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
            return Text(
                w("rows_per_second", rows=w.number(rows), rate=w.number(rows / elapsed)),
                style="progress.data.speed",
            )

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        RowsPerSecond(),
        TimeElapsedColumn(),
        TextColumn(w("time_left")),
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
    w = speaking(ctx)
    bar, update = _progress(disable=as_json, w=w)
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
    _print_report(figures, report, seconds, w)


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
    figures: bag_ingest.BagFigures, report: bag_ingest.StoreReport, seconds: float, w: Words
) -> None:
    label = f"[bold yellow]{w('synthetic')}[/] " if figures.synthetic else ""
    stats = figures.stats
    first, last = figures.years
    console.print(
        label
        + w("bag_read", file=figures.path.name, kind=figures.input_kind,
            date=w.date(figures.as_of), seconds=w.number(seconds, 1),
            dwellings=w.number(stats.get("dwellings", 0)), since=figures.since)
    )  # fmt: skip
    if "voorkomens" in stats:
        parsed = ", ".join(f"{k} {w.number(v)}" for k, v in sorted(stats["voorkomens"].items()))
        console.print(w("voorkomens_read", parsed=parsed))
        via = stats.get("gemeente_via", {})
        total = sum(via.values()) or 1
        console.print(
            w("municipality_via")
            + ", ".join(f"via {k} {w.percent(v / total, 1)}" for k, v in sorted(via.items()))
        )
        for note in stats.get("notes", []):
            console.print(f"[yellow]{w('note')}[/] {note}")
        for skipped in stats.get("skipped", []):
            console.print(w("skipped", what=skipped))
    console.print(
        w("bag_stored", first=first, last=last, inserted=w.number(report.inserted),
          updated=w.number(report.updated), unchanged=w.number(report.unchanged),
          year=figures.as_of.year, months_inserted=w.number(report.months_inserted),
          months_updated=w.number(report.months_updated),
          municipalities=w.number(report.municipalities), source=report.source_id)
    )  # fmt: skip
    if not figures.started_available:
        console.print(f"[yellow]{w('no_pand_file')}[/]")
    if report.unknown_codes:
        shown = ", ".join(report.unknown_codes[:20])
        more = len(report.unknown_codes) - 20
        console.print(
            f"[yellow]{w('unknown_municipality_codes', count=w.number(len(report.unknown_codes)))}"
            f"[/] {shown}" + (w("and_more_json", count=w.number(more)) if more > 0 else "")
        )
    if figures.polygons:
        _print_polygons(figures, report, w)


def _print_polygons(
    figures: bag_ingest.BagFigures, report: bag_ingest.StoreReport, w: Words
) -> None:
    from rich.table import Table

    from opgave.ingest.bag_ingest import EVENT_MEASURES

    totals: dict[str, dict[str, int]] = {}
    for f in figures.polygons:
        totals.setdefault(f.area_id, {}).setdefault(f.measure, 0)
        totals[f.area_id][f.measure] += f.value
    name = figures.polygon_file.name if figures.polygon_file else ""
    table = Table(
        title=w("polygons_title", file=name, since=figures.since, date=w.date(figures.as_of))
    )
    table.add_column(w("column_polygon"))
    for m in ("permitted", "started", "completed", "new_build", "other"):
        table.add_column(w(f"column_{m}"), justify="right")
    table.add_column(w("column_stored"))
    measures = list(EVENT_MEASURES.values())
    for area in sorted(totals):
        row = totals[area]
        table.add_row(
            area,
            *(w.number(row.get(m, 0)) for m in measures),
            w("yes") if area in report.polygon_areas else w("no_not_an_area"),
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
    w = speaking(ctx)
    label = f"[bold yellow]{w('synthetic')}[/] " if found.synthetic else ""
    table = Table(title=label + w("reconcile_title", source=source, count=w.number(len(result))))
    for column in (
        "column_area", "column_year", "column_new_build_bag", "column_cbs", "column_diff",
        "column_other_bag", "column_cbs", "column_diff",
    ):  # fmt: skip
        table.add_column(w(column), justify="left" if column == "column_area" else "right")
    table.add_column(w("column_verdict"))

    def signed(value: float | None) -> str:
        return "-" if value is None else ("+" if value >= 0 else "") + w.number(value)

    for r in result:
        table.add_row(
            r.area_id,
            str(r.year),
            w.number(r.bag_new_build),
            w.number(r.cbs_new_build) + ("*" if r.cbs_provisional else ""),
            signed(r.difference_new_build),
            w.number(r.bag_other_added),
            w.number(r.cbs_other_added),
            signed(r.difference_other_added),
            w(VERDICTS[r.verdict]) if r.verdict in VERDICTS else r.verdict,
        )
    show(table)
    differing = [r for r in result if r.verdict == "differs"]
    if differing:
        console.print(f"[bold]{w('why_they_differ')}[/]")
        for r in differing:
            console.print(f"{r.area_id} {r.year}: " + "; ".join(r.explanation))
    if not found.cbs_available:
        console.print(f"[yellow]{w('no_cbs_figures')}[/]")
    console.print(w("provisional_cbs"))


VERDICTS = {
    "agrees": "verdict_agrees",
    "differs": "verdict_differs",
    "no CBS figure": "verdict_no_cbs",
    "no BAG figure": "verdict_no_bag",
}
"""The catalogue keys of :func:`opgave.bag_analysis.reconcile`'s verdicts."""
