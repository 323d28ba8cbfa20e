"""Commands for the pipeline: ingest of plan lists, the plans, and status per area."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from opgave import areas, monitor, programme, review, store
from opgave import demo as synthetic
from opgave.cli import (
    JsonOption,
    app,
    area_filter,
    console,
    engine_for,
    fail,
    gemeente_codes,
    homes,
    parse_date,
    period,
    print_json,
    reading,
    rows,
    target_value,
)
from opgave.ingest import cbs, file_source
from opgave.ingest import plans as plan_lists
from opgave.model import (
    Area,
    AreaCodeChange,
    AreaMember,
    Award,
    Plan,
    PlanArea,
    PlanHistory,
    Precondition,
    Realisation,
    Source,
    Target,
)

ingest_app = typer.Typer(
    help="Bring in realised construction and plan lists (validated, one transaction each).",
    no_args_is_help=True,
)
app.add_typer(ingest_app, name="ingest")


@ingest_app.command("plans")
def ingest_plans(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Plan list: .csv (comma or semicolon) or .xlsx.")],
    date: Annotated[
        str | None,
        typer.Option(help="Capture date (peildatum) of the list, YYYY-MM-DD; default today."),
    ] = None,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial", help="Do not drop plans of the list's municipalities missing from it."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a plan list: one row per plan; upsert by plan_id, history kept, all or nothing.

    Columns: plan_id, name, gemeente_code, homes, planstatus (1A-4B or the DiWi label),
    first_year, last_year; optional social_rent_homes / mid_rent_homes / affordable_buy_homes
    (or *_share), area_ids and precondition_ids (';'-separated), homes_YYYY per year.
    """
    captured = parse_date(date, "--date") or dt.date.today()
    if not file.exists():
        raise fail(f"{file}: no such file")
    with store.transaction(engine_for(ctx)) as session:
        try:
            plan_rows = plan_lists.read_plan_list(
                file,
                gemeenten=gemeente_codes(session),
                areas=[a["id"] for a in rows(session, Area)],
                preconditions=[p["id"] for p in rows(session, Precondition)],
            )
            source = Source(
                **file_source(
                    file,
                    "plans",
                    f"Plan list {file.name} ({len(plan_rows)} plans), captured {captured}",
                    retrieved=captured,
                )
            )
            report = plan_lists.apply_plan_list(
                session, plan_rows, source=source, captured=captured, partial=partial
            )
        except plan_lists.PlanListError as error:
            raise fail(str(error)) from None
    if as_json:
        print_json([asdict(report)])
        return
    console.print(
        f"{file.name} as of {captured}: {len(report.added)} added, "
        f"{len(report.changed)} changed, {len(report.dropped)} dropped, "
        f"{len(report.unchanged)} unchanged (source {report.source_id})."
    )


@ingest_app.command("cbs")
def ingest_cbs(
    ctx: typer.Context,
    table: Annotated[str, typer.Option(help="CBS table id (regional, with a use dimension).")] = (
        cbs.DEFAULT_TABLE
    ),
    years: Annotated[
        str | None, typer.Option(help="Years to fetch, e.g. 2021-2024 (default: all).")
    ] = None,
    catalog_url: Annotated[
        str | None, typer.Option(help="Another OData host (e.g. a mirror); default CBS.")
    ] = None,
    http: Annotated[bool, typer.Option("--http", help="Plain http (a local mirror).")] = False,
) -> None:
    """Fetch housing-stock mutations per municipality and year from CBS StatLine (online).

    New-build, other additions, demolition, other removals and net change, for dwellings;
    figures of merged municipalities are added to the municipality they merged into.
    """
    wanted: list[int] = []
    if years:
        match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", years)
        if not match:
            raise fail(f"--years expects YYYY or YYYY-YYYY, got {years!r}")
        wanted = list(range(int(match.group(1)), int(match.group(2) or match.group(1)) + 1))
    engine = engine_for(ctx)
    with console.status(f"Downloading CBS table {table} ..."):
        try:
            raw = cbs.fetch(table, wanted, catalog_url=catalog_url, use_https=not http)
        except Exception as error:  # network, HTTP or JSON errors from cbsodata/requests
            raise fail(f"could not download CBS table {table}: {error}") from None
    with store.transaction(engine) as session:
        code_map = {a["id"]: a["id"] for a in rows(session, Area) if a["kind"] == "municipality"}
        code_map.update(
            {
                c["old_code"]: c["new_code"]
                for c in rows(session, AreaCodeChange)
                if c["kind"] == "merged"
            }
        )
        try:
            figures = cbs.derive(table, raw, code_map, wanted)
        except cbs.CbsError as error:
            raise fail(str(error)) from None
        source = cbs.source_record(figures, dt.date.today())
        report = programme.LoadReport()
        programme.upsert(session, Source, [source], report)
        programme.upsert(
            session, Realisation, [{**r, "source_id": source["id"]} for r in figures.rows], report
        )
    console.print(
        f"CBS {table}: {len(figures.rows)} figures ({report.inserted.get('realisation', 0)} new, "
        f"{report.updated.get('realisation', 0)} updated) for "
        f"{len({r['area_id'] for r in figures.rows})} municipalities."
    )
    if figures.unknown_regions:
        console.print(
            f"[yellow]Left out {len(figures.unknown_regions)} unknown region codes:[/] "
            + ", ".join(figures.unknown_regions[:20])
        )


@app.command("realisations")
def list_realisations(
    ctx: typer.Context,
    area: Annotated[str | None, typer.Argument(help="Area id (includes areas inside it).")] = None,
    source: Annotated[
        str | None, typer.Option(help="Only figures whose source id starts with this: cbs, bag...")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Realised figures per area, year and measure, with their source."""
    with reading(ctx) as session:
        wanted = area_filter(session, area, within=True)
        records = [
            r
            for r in rows(session, Realisation)
            if (wanted is None or r["area_id"] in wanted)
            and (source is None or (r["source_id"] or "").startswith(source))
        ]
    records.sort(key=lambda r: (r["area_id"], r["measure"], r["first_year"]))
    if as_json:
        print_json(records)
        return
    table = Table(title=f"realisations ({len(records)})")
    for column in ("area", "measure", "years", "value", "source"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for r in records[:300]:
        years_ = (
            str(r["first_year"])
            if r["first_year"] == r["last_year"]
            else (f"{r['first_year']}-{r['last_year']}")
        )
        table.add_row(
            r["area_id"],
            r["measure"],
            years_ + ("*" if r["provisional"] else ""),
            homes(r["value"]),
            f"{r['source_id']} ({r['source_section']})",
        )
    console.print(table)
    if len(records) > 300:
        console.print(f"... {len(records) - 300} more; use --json for all. * provisional")


@app.command("flags")
def list_flags(
    ctx: typer.Context,
    on: Annotated[str | None, typer.Option(help="Reference date (default today).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Plans to review: stalled (no status change for 3+ years) and duplicates."""
    date = parse_date(on, "--on") or dt.date.today()
    with reading(ctx) as session:
        found = review.flags(rows(session, Plan), rows(session, PlanHistory), date)
    if as_json:
        print_json([asdict(f) for f in found])
        return
    table = Table(title=f"flags on {date} ({len(found)})")
    for column in ("plan", "flag", "detail"):
        table.add_column(column)
    for f in found:
        table.add_row(f.plan_id, f.flag, f.detail)
    console.print(table)


@app.command("corrections")
def apply_corrections(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="CSV: plan_id, field, old_value, new_value, reason, date, editor."),
    ],
    ledger: Annotated[
        Path | None, typer.Option(help="Write the applied / not-applied ledger to this CSV.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Apply manual corrections to plans, each only where the field still holds old_value.

    Re-run the file after every plan-list import: corrections a new list already made, or
    made obsolete, are reported and left alone. Every change keeps the old version in history.
    """
    if not file.exists():
        raise fail(f"{file}: no such file")
    try:
        corrections = review.read_corrections(file)
    except plan_lists.PlanListError as error:
        raise fail(str(error)) from None
    today = dt.date.today()
    with store.transaction(engine_for(ctx)) as session:
        plans = {p["id"]: p for p in rows(session, Plan)}
        entries = review.ledger(corrections, plans)
        source = Source(
            **file_source(file, "corrections", f"Manual corrections {file.name}", retrieved=today)
        )
        if any(e.applied for e in entries) and session.get(Source, source.id) is None:
            session.add(source)
        for entry in entries:
            if entry.applied:
                plan = session.get(Plan, entry.plan_id)
                assert plan is not None
                value = review.parse_value(entry.field, entry.new_value)
                plan_lists.correct(
                    session, plan, {entry.field: value}, source_id=source.id, on=today
                )
    if ledger is not None:
        review.write_ledger(ledger, entries)
    if as_json:
        print_json([asdict(e) for e in entries])
        return
    applied = sum(e.applied for e in entries)
    console.print(f"{file.name}: {applied} of {len(entries)} corrections applied.")
    for e in entries:
        if not e.applied:
            console.print(f"  row {e.row} ({e.plan_id}.{e.field}): not applied - {e.note}")


def _plan_state(session: Session, as_of: dt.date | None) -> dict[str, dict[str, Any]]:
    return plan_lists.plans_as_of(rows(session, Plan), rows(session, PlanHistory), as_of)


@app.command("plans")
def list_plans(
    ctx: typer.Context,
    area: Annotated[
        str | None, typer.Option(help="Only plans in this area (and inside it).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The pipeline as known on this date.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The plans in the pipeline (now, or as known on a date)."""
    date = parse_date(as_of, "--as-of")
    with reading(ctx) as session:
        state = _plan_state(session, date)
        wanted = area_filter(session, area, within=True)
        if wanted is not None:
            kinds = {a["id"]: a["kind"] for a in rows(session, Area)}
            children = areas.children_of(rows(session, AreaMember))
            gemeenten = {g for w in wanted for g in areas.municipalities(w, children, kinds)}
            linked = {
                link["plan_id"] for link in rows(session, PlanArea) if link["area_id"] in wanted
            }
            state = {k: v for k, v in state.items() if v["gemeente_id"] in gemeenten or k in linked}
    records = [state[k] for k in sorted(state)]
    if as_json:
        print_json(records)
        return
    table = Table(title=f"plans{f' as of {date}' if date else ''} ({len(records)})")
    for column in ("id", "name", "gemeente", "homes", "planstatus", "years"):
        table.add_column(column, justify="right" if column == "homes" else "left")
    for p in records[:200]:
        table.add_row(
            p["id"],
            p["name"],
            p["gemeente_id"],
            homes(p["homes"]),
            p["planstatus"],
            f"{p['first_year']}-{p['last_year']}",
        )
    console.print(table)
    if len(records) > 200:
        console.print(f"... {len(records) - 200} more; use --json for all.")


@app.command("status")
def status(
    ctx: typer.Context,
    area: Annotated[str, typer.Argument(help="Area id, e.g. NL01, PV27, VS-MRA.")] = "NL01",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Use the plan lists as known on this date.")
    ] = None,
    compare: Annotated[
        tuple[str, str] | None,
        typer.Option(help="Show what changed in the pipeline between two dates."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Progress and plan capacity for every target of AREA and of the areas inside it."""
    date = parse_date(as_of, "--as-of")
    with reading(ctx) as session:
        area_filter(session, area, within=False)
        if compare:
            before = _plan_state(session, parse_date(compare[0], "--compare"))
            after = _plan_state(session, parse_date(compare[1], "--compare"))
            diff = plan_lists.compare(before, after)
            if as_json:
                typer.echo(json.dumps(asdict(diff), ensure_ascii=False, indent=2, default=str))
            else:
                console.print(f"Pipeline {compare[0]} -> {compare[1]}:")
                for label in ("added", "dropped", "delayed", "reclassified"):
                    ids = getattr(diff, label)
                    console.print(f"  {label} ({len(ids)}): {', '.join(ids) or '-'}")
                for pid, fields in diff.changed.items():
                    changes = "; ".join(f"{k} {a} -> {b}" for k, (a, b) in fields.items())
                    console.print(f"  changed {pid}: {changes}")
            return
        result = monitor.area_status(
            area,
            targets=rows(session, Target),
            realisations=rows(session, Realisation),
            plans=list(_plan_state(session, date).values()),
            plan_areas=rows(session, PlanArea),
            areas=rows(session, Area),
            members=rows(session, AreaMember),
        )
        funded = monitor.funding_in(
            area, rows(session, Award), rows(session, Area), rows(session, AreaMember),
            rows(session, PlanArea),
        )  # fmt: skip
    if as_json:
        print_json([asdict(r) for r in result])
        return
    table = Table(title=f"status of {area}" + (f" as of {date}" if date else ""), show_lines=True)
    for column in (
        "target",
        "area",
        "period",
        "realised",
        "pace needed / last 3 yrs",
        "plan capacity vs what remains",
    ):
        table.add_column(column)
    for r in result:
        t, p, c = r.target, r.progress, r.capacity
        realised = pace = capacity = "-"
        if p and p.realised_years:
            realised = f"{homes(p.realised)} ({p.realised_years[0]}-{p.realised_years[-1]})"
            pace = f"{homes(p.required_pace_min)} / {homes(p.recent_pace)}: " + p.status.replace(
                "_", " "
            )
        elif p:
            pace = p.status.replace("_", " ")
        if c:
            capacity = (
                f"{homes(c.planned_all)} = {c.ratio_all:.0%} (hard {c.ratio_hard:.0%}); "
                f"130% {'met' if c.meets_norm else 'not met'}"
            )
            if r.capacity_max:
                capacity += f"; {r.capacity_max.ratio_all:.0%} of the maximum"
        name = r.area_name if r.members_complete else f"{r.area_name} (members incomplete*)"
        table.add_row(f"{target_value(t)}", name, period(t), realised, pace, capacity)
    console.print(table)
    if funded.awards:
        console.print(
            f"Funding awarded in {area} (and areas inside it): {funded.awards} awards, "
            f"EUR {funded.amount_eur:,} for {homes(funded.homes)} homes "
            f"({homes(funded.affordable_homes)} affordable)."
        )
    if not all(r.members_complete for r in result):
        console.print(
            "* Only the municipalities a source names are counted for this area, so realised "
            "figures and plan capacity are lower bounds."
        )


@app.command("demo")
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 1,
    plans: Annotated[int, typer.Option(help="Number of synthetic plans.")] = 5000,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the synthetic plan list to this CSV instead of loading it."),
    ] = None,
) -> None:
    """Add a seeded, clearly labelled SYNTHETIC pipeline of plans and municipal realisations.

    For trying every feature without external data. Everything it adds cites the source
    `synthetic-demo` (confidence synthetic) and is shown as synthetic wherever it appears.
    """
    with store.transaction(engine_for(ctx)) as session:
        all_areas = rows(session, Area)
        gemeenten = [
            (m["child_id"], m["parent_id"])
            for m in rows(session, AreaMember)
            if m["parent_id"].startswith("PV")
            and next(a for a in all_areas if a["id"] == m["child_id"])["valid_to"] is None
        ]
        province_targets = {
            t["area_id"]: t["value_min"]
            for t in rows(session, Target)
            if t["area_id"].startswith("PV") and t["measure"] == "homes_built" and t["value_min"]
        }
        children = areas.children_of(rows(session, AreaMember))
        kinds = {a["id"]: a["kind"] for a in all_areas}
        named = {
            g
            for a in all_areas
            if a["kind"] == "strategy_region"
            for g in areas.municipalities(a["id"], children, kinds)
        }
        weight = synthetic.weights(gemeenten, province_targets, named)
        national = next(t for t in rows(session, Target) if t["id"] == "NL-WONINGEN-2021-2030")
        remaining = monitor.progress(national, rows(session, Realisation)).remaining_min or 0
        plan_rows = synthetic.synthetic_plans(
            weight,
            n_plans=plans,
            seed=seed,
            total_homes=synthetic.PIPELINE_RATIO * remaining,
            links=synthetic.DEMO_LINKS,
        )
        if out is not None:
            synthetic.write_plan_list(out, plan_rows)
            console.print(f"Wrote {len(plan_rows)} SYNTHETIC plans to {out}")
            return
        source = Source(**synthetic.source_record(seed))
        existing = session.get(Source, source.id)
        if existing is not None and existing.citation != source.citation:
            raise fail(
                f"demo data with another seed is loaded ({existing.citation}); "
                "start from a new database to change the seed"
            )
        report = plan_lists.apply_plan_list(
            session, plan_rows, source=source, captured=synthetic.CAPTURED, partial=True
        )
        counts = programme.LoadReport()
        programme.upsert(
            session,
            Realisation,
            synthetic.synthetic_realisations(weight, seed=seed, years=range(2021, 2025)),
            counts,
        )
    console.print(
        f"[bold yellow]SYNTHETIC demo data[/] (seed {seed}): {len(report.added)} plans added, "
        f"{len(report.unchanged)} unchanged; {counts.inserted.get('realisation', 0)} municipal "
        "realisation figures added. Try `opgave status VS-MRA` or `opgave overview`."
    )
