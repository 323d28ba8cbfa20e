"""Commands for the pipeline: ingest of plan lists and realised figures, the plans, status per
area, review flags and corrections, the synthetic demo."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opgave import i18n
from opgave.cli import (
    JsonOption,
    answering,
    app,
    console,
    fail,
    homes,
    parse_date,
    principal,
    print_json,
    service,
    speaking,
)
from opgave.cli.programme import (
    DEFAULT_DEFINITION,
    AsOfOption,
    DefinitionOption,
    headline_lines,
)
from opgave.cli.render import one_area, show, word
from opgave.cli.words import Words

if TYPE_CHECKING:
    from opgave import monitor

CBS_TABLE = "81955NED"
"""The CBS table ``ingest cbs`` reads by default: the service's ``pipeline.CBS_TABLE``, kept
here so that the command registers without importing the service (a test keeps them equal)."""

ingest_app = typer.Typer(
    help="Bring in data, validated, one transaction each: plan lists (plans, capacity), "
    "realised construction (cbs, bag) and boundaries for the map (geo).",
    no_args_is_help=True,
)
app.add_typer(ingest_app, name="ingest")


@ingest_app.command("plans")
def ingest_plans(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="Plan list or register: .csv, .xlsx, .gpkg, .shp, .zip (Shapefile), .geojson.",
        ),
    ],
    date: Annotated[
        str | None,
        typer.Option(
            metavar="DATE", help="Capture date (peildatum) of the list, YYYY-MM-DD; default today."
        ),
    ] = None,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial", help="Do not drop plans of the list's municipalities missing from it."
        ),
    ] = False,
    mapping: Annotated[
        str,
        typer.Option(
            "--mapping",
            metavar="PROFILE",
            help="Mapping profile: a shipped one (opgave, diwi, gis-register) or a .toml file.",
        ),
    ] = "opgave",
    report_file: Annotated[
        Path | None,
        typer.Option(
            "--report", metavar="FILE", help="Write the import report to this .html or .csv file."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a plan list: one row per plan; upsert by plan_id, history kept, all or nothing.

    Columns (profile opgave): plan_id, name, gemeente_code, homes, planstatus (1A-4B or the
    DiWi label), first_year, last_year; optional social_rent_homes / mid_rent_homes /
    affordable_buy_homes (or *_share), area_ids and precondition_ids (';'-separated),
    homes_YYYY per year. Other registers (GIS files, own column names) through --mapping;
    `opgave ingest propose-mapping FILE` drafts a profile. See docs/plans.md.
    """
    from opgave.service import pipeline

    captured = parse_date(date, "--date") or dt.date.today()
    svc = service(ctx)
    with answering():
        report = pipeline.import_plans(
            svc, principal(ctx), file, captured=captured, partial=partial, mapping=mapping,
            report_path=report_file,
        )  # fmt: skip
    if as_json:
        print_json([report])
        return
    console.print(report.reading, highlight=False)
    console.print(
        f"{file.name} as of {captured}: {len(report.added)} added, "
        f"{len(report.changed)} changed, {len(report.dropped)} dropped, "
        f"{len(report.unchanged)} unchanged (source {report.source_id})."
        + (" SYNTHETIC: it updates synthetic plans." if report.synthetic else "")
    )
    if report_file is not None:
        console.print(f"Import report written to {report_file}.")


@ingest_app.command("cbs")
def ingest_cbs(
    ctx: typer.Context,
    table: Annotated[
        str,
        typer.Option(metavar="TABLE", help="CBS table id (regional, with a use dimension)."),
    ] = CBS_TABLE,
    years: Annotated[
        str | None,
        typer.Option(metavar="YYYY[-YYYY]", help="Years to fetch, e.g. 2021-2024 (default: all)."),
    ] = None,
    catalog_url: Annotated[
        str | None,
        typer.Option(metavar="HOST", help="Another OData host (e.g. a mirror); default CBS."),
    ] = None,
    http: Annotated[bool, typer.Option("--http", help="Plain http (a local mirror).")] = False,
) -> None:
    """Fetch housing-stock mutations per municipality and year from CBS StatLine (online).

    New-build, other additions, demolition, other removals and net change, for dwellings;
    figures of merged municipalities are added to the municipality they merged into.
    """
    from opgave.service import pipeline

    wanted: list[int] = []
    if years:
        match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", years)
        if not match:
            raise fail(f"--years expects YYYY or YYYY-YYYY, got {years!r}")
        wanted = list(range(int(match.group(1)), int(match.group(2) or match.group(1)) + 1))
    svc = service(ctx)
    with console.status(f"Downloading CBS table {table} ..."), answering():
        report = pipeline.ingest_cbs(
            svc, principal(ctx), table, wanted, catalog_url=catalog_url, use_https=not http
        )
    console.print(
        f"CBS {table}: {report.figures} figures ({report.inserted} new, {report.updated} "
        f"updated) for {report.areas} municipalities."
    )
    if report.unknown_codes:
        console.print(
            f"[yellow]Left out {len(report.unknown_codes)} unknown region codes:[/] "
            + ", ".join(report.unknown_codes[:20])
        )


@app.command("realisations")
def list_realisations(
    ctx: typer.Context,
    area: Annotated[
        str | None,
        typer.Argument(metavar="[AREA]", help="Area id (includes areas inside it), or --area."),
    ] = None,
    area_option: Annotated[
        str | None, typer.Option("--area", metavar="AREA", help="The same as AREA.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            metavar="PREFIX", help="Only figures whose source id starts with this: cbs, bag..."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Realised figures per area, year and measure, with their source and whether they count.

    For each area, measure and year one figure stands (CBS final > CBS provisional > BAG > a
    document's figure; synthetic never mixes with real); the others are shown set aside.
    """
    from opgave.service import monitoring

    area = one_area(area, area_option)
    with answering():
        records = monitoring.realisations(service(ctx), area=area, within=True, source=source)
    if as_json:
        print_json(records)
        return
    from rich.table import Table

    table = Table(title=f"realisations ({len(records)})")
    for column in ("area", "measure", "years", "value", "source", "counts"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for r in records[:300]:
        years_ = (
            str(r["first_year"])
            if r["first_year"] == r["last_year"]
            else (f"{r['first_year']}-{r['last_year']}")
        )
        table.add_row(
            r["area_id"],
            word("measure", r["measure"]),
            years_ + ("*" if r["provisional"] else ""),
            homes(r["value"]),
            f"{r['source_id']} ({r['source_section']})" + (" SYNTHETIC" if r["synthetic"] else ""),
            "yes" if r["stands"] else f"no: {r['set_aside_reason']}",
        )
    show(table)
    if len(records) > 300:
        console.print(f"... {len(records) - 300} more; use --json for all. * provisional")


@app.command("flags")
def list_flags(
    ctx: typer.Context,
    on: Annotated[
        str | None, typer.Option(metavar="DATE", help="Reference date (default today).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Plans to review: stalled (no status change for 3+ years) and duplicates."""
    from opgave.service import pipeline

    date = parse_date(on, "--on") or dt.date.today()
    found = pipeline.flags(service(ctx), date)
    if as_json:
        print_json(found)
        return
    from rich.table import Table

    table = Table(title=f"flags on {date} ({len(found)})")
    for column in ("plan", "flag", "detail"):
        table.add_column(column)
    for f in found:
        table.add_row(f.plan_id, f.flag, f.detail)
    show(table)


@app.command("corrections")
def apply_corrections(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="CSV: plan_id, field, old_value, new_value, reason, date, editor."
        ),
    ],
    ledger: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write the applied / not-applied ledger to this CSV."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Apply manual corrections to plans, each only where the field still holds old_value.

    Re-run the file after every plan-list import: corrections a new list already made, or
    made obsolete, are reported and left alone. Every change keeps the old version in history.
    """
    from opgave.service import pipeline

    svc = service(ctx)
    with answering():
        entries = pipeline.apply_corrections(svc, principal(ctx), file, dt.date.today())
    if ledger is not None:
        from opgave import review as review_rules

        review_rules.write_ledger(ledger, entries)
    if as_json:
        print_json(entries)
        return
    applied = sum(e.applied for e in entries)
    console.print(f"{file.name}: {applied} of {len(entries)} corrections applied.")
    for e in entries:
        if not e.applied:
            console.print(f"  row {e.row} ({e.plan_id}.{e.field}): not applied - {e.note}")


@app.command("plans")
def list_plans(
    ctx: typer.Context,
    area: Annotated[
        str | None, typer.Option(metavar="AREA", help="Only plans in this area (and inside it).")
    ] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """The plans in the pipeline (now, or as known on a date)."""
    from opgave.service import monitoring

    date = parse_date(as_of, "--as-of")
    with answering():
        found = monitoring.plans(service(ctx), area=area, as_of=date, limit=10**9)
    records = found["items"]
    if as_json:
        print_json(records)
        return
    from rich.table import Table

    table = Table(title=f"plans{f' as of {date}' if date else ''} ({len(records)})")
    for column in ("id", "name", "gemeente", "homes", "planstatus", "years"):
        table.add_column(column, justify="right" if column == "homes" else "left")
    for p in records[:200]:
        table.add_row(
            p["id"],
            p["name"] + (" (SYNTHETIC)" if p["synthetic"] else ""),
            p["gemeente_id"],
            homes(p["homes"]),
            p["planstatus"],
            f"{p['first_year']}-{p['last_year']}",
        )
    show(table)
    if len(records) > 200:
        console.print(f"... {len(records) - 200} more; use --json for all.")


@app.command("status")
def status(
    ctx: typer.Context,
    area_argument: Annotated[
        str | None,
        typer.Argument(
            metavar="[AREA]", help="Area id, e.g. NL01 (default), PV27, VS-MRA; or --area."
        ),
    ] = None,
    area_option: Annotated[
        str | None, typer.Option("--area", metavar="AREA", help="The same as AREA.")
    ] = None,
    as_of: AsOfOption = None,
    compare: Annotated[
        tuple[str, str] | None,
        typer.Option(
            metavar="DATE1 DATE2",
            help="Show what changed in the pipeline between two dates (YYYY-MM-DD).",
        ),
    ] = None,
    definition: DefinitionOption = DEFAULT_DEFINITION,
    as_json: JsonOption = False,
) -> None:
    """Progress and plan capacity for every target of AREA and of the areas inside it."""
    from opgave.service import monitoring

    area = one_area(area_argument, area_option, "NL01") or "NL01"
    date = parse_date(as_of, "--as-of")
    svc = service(ctx)
    if compare:
        first = parse_date(compare[0], "--compare")
        second = parse_date(compare[1], "--compare")
        assert first is not None and second is not None
        with answering():
            diff = monitoring.compare(svc, first, second, None if area == "NL01" else area)
        if as_json:
            print_json(diff)
            return
        console.print(
            f"Pipeline {compare[0]} -> {compare[1]}: {homes(diff.homes_before)} -> "
            f"{homes(diff.homes_after)} homes"
        )
        for label in ("added", "dropped", "delayed", "reclassified"):
            change = getattr(diff, label)
            console.print(
                f"  {label} ({len(change.plans)} plans, {homes(change.homes)} homes): "
                f"{', '.join(change.plans) or '-'}"
            )
        for pid, fields in diff.changed.items():
            changes = "; ".join(f"{k} {a} -> {b}" for k, (a, b) in fields.items())
            console.print(f"  changed {pid}: {changes}")
        return
    from opgave import monitor

    with answering():
        result = monitoring.status(svc, area, date, definition)
    if as_json:
        print_json(result)
        return
    w = speaking(ctx)
    if result.synthetic_sources:
        console.print(
            "[bold yellow]"
            + w("synthetic_loaded_status", sources=", ".join(result.synthetic_sources))
            + "[/]"
        )
    console.rule(
        f"[bold]{result.area['name']} ({area})" + (w("as_of", date=w.date(date)) if date else "")
    )
    chosen = monitor.definition_for("homes_built", definition)
    for line in headline_lines(result.headline, chosen, w):
        console.print(line)
    if result.year_so_far is not None:
        console.print(year_so_far_line(result.year_so_far, w))
    from rich.table import Table

    table = Table(title=w("targets_title", area=area), show_lines=True)
    for column in (
        "column_target",
        "column_area",
        "column_period",
        "column_realised",
        "column_pace",
        "column_capacity_remaining",
    ):
        table.add_column(w(column))
    marked = " " + w("synthetic")
    for r in result.targets:
        t, p, c = r.target, r.progress, r.capacity
        realised = pace = capacity = "-"
        if p and p.realised_years:
            realised = (
                ("≥ " if p.lower_bound else "")
                + f"{w.number(p.realised)} ({p.realised_years[0]}-{p.realised_years[-1]})"
                + (marked if p.synthetic else "")
            )
            pace = f"{w.number(p.required_pace_min)} / {w.number(p.recent_pace)}: " + w.word(
                "pace_status", p.status
            )
        elif p:
            pace = w.word("pace_status", p.status)
        if c:
            capacity = w(
                "capacity_cell", planned=w.number(c.planned_all), ratio=w.percent(c.ratio_all),
                hard=w.percent(c.ratio_hard), norm=w.percent(c.norm),
                verdict=w("met") if c.meets_norm else w("not_met"),
            ) + (marked if c.synthetic else "")  # fmt: skip
            if r.capacity_max:
                capacity += w("of_maximum", ratio=w.percent(r.capacity_max.ratio_all))
        name = r.area_name
        if r.coverage.lower_bound:
            name += f" ({w.coverage(r.coverage)})"
        table.add_row(w.target_value(t), name, w.period(t), realised, pace, capacity)
    show(table)
    funded = result.funding
    if funded.awards:
        console.print(
            w("funding_line", area=area, awards=w.number(funded.awards),
              amount=w.number(funded.amount_eur), homes=w.number(funded.homes),
              affordable=w.number(funded.affordable_homes))
        )  # fmt: skip
    if any(r.coverage.lower_bound for r in result.targets):
        console.print(w("lower_bound_note"))


def year_so_far_line(y: monitor.YearSoFar, w: Words | None = None) -> str:
    """ "Year so far (BAG, Jan-Sep 2026): 41,230 homes completed, of which 38,900 new-build;
    9 of 9 municipalities", with the same months of the year before when stored; in the
    words of ``w`` (English when not given)."""
    w = w or Words("en")
    done = y.to_date.get("homes_completed")
    if done is not None:
        said = w("ysf_completed", count=w.number(done))
        new_build = y.to_date.get("homes_completed_new_build")
        if new_build is not None:
            said += w("ysf_new_build", count=w.number(new_build))
        before = y.previous.get("homes_completed") if y.previous else None
    else:
        keys = {"homes_permitted": "ysf_permitted", "homes_started": "ysf_started"}
        said = ", ".join(w(keys[m], count=w.number(v)) for m, v in y.to_date.items() if m in keys)
        before = None
    if before is not None:
        said += w("ysf_previous", count=w.number(before), year=y.year - 1)
    coverage = i18n.coverage(y.municipalities_with_figures, y.municipalities, y.lower_bound, w.lang)
    if y.provisional:
        coverage += w("ysf_provisional")
    return w("year_so_far", months=w.months(y.last_month, y.year), said=said, coverage=coverage) + (
        f" [bold yellow]{w('synthetic')}[/]" if y.synthetic else ""
    )


@app.command("demo")
def demo(
    ctx: typer.Context,
    seed: Annotated[
        int, typer.Option(metavar="N", help="Random seed: the same seed gives the same data.")
    ] = 1,
    plans: Annotated[int, typer.Option(metavar="N", help="Number of synthetic plans.")] = 5000,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Write the synthetic plan list to this CSV instead of loading it."
        ),
    ] = None,
) -> None:
    """Add a seeded, clearly labelled SYNTHETIC pipeline of plans and municipal realisations.

    For trying every feature without external data. Everything it adds cites the source
    `synthetic-demo` (confidence synthetic) and is shown as synthetic wherever it appears.
    """
    from opgave import demo as demo_data
    from opgave.service import pipeline

    svc = service(ctx)
    with answering():
        if out is not None:
            count = pipeline.demo_plan_list(svc, out, seed, plans)
            console.print(f"Wrote {count} SYNTHETIC plans to {out}")
            return
        report = pipeline.load_demo(svc, principal(ctx), seed, plans)
    console.print(
        f"[bold yellow]SYNTHETIC demo data[/] (seed {seed}): {report.plans_added} plans added, "
        f"{report.plans_unchanged} unchanged; {report.realisations_added} municipal "
        f"realisation figures added, as of {demo_data.CAPTURED}. Try `opgave status VS-MRA`, "
        "`opgave overview` or `opgave examples`."
    )


__all__ = ["ingest_app"]
