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
from opgave.cli.render import one_area, show
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
    w = speaking(ctx)
    console.print(reading_text(report.reading, w), highlight=False)
    console.print(
        w("plans_imported", file=file.name, date=w.date(captured),
          added=w.number(len(report.added)), changed=w.number(len(report.changed)),
          dropped=w.number(len(report.dropped)), unchanged=w.number(len(report.unchanged)),
          source=report.source_id)
        + (w("marked_synthetic") if report.marked_synthetic
           else w("updates_synthetic") if report.synthetic else "")
    )  # fmt: skip
    if report_file is not None:
        console.print(w("import_report_written", file=report_file))


READING = (
    (
        re.compile(
            r"(?P<file>.+) \((?P<kind>[^,]+), profile (?P<profile>[^)]+)\): (?P<rows>\d+) "
            r"rows read, (?P<plans>\d+) plans, (?P<problems>\d+) problem\(s\), "
            r"(?P<notes>\d+) note\(s\)\."
        ),
        "reading_summary",
    ),
    (re.compile(r"encoding (?P<value>\S+) \(detected\)"), "read_encoding"),
    (re.compile(r"attribute encoding (?P<value>\S+) \(detected\)"), "read_attribute_encoding"),
    (re.compile(r"delimiter (?P<value>.+) \(detected\)"), "read_delimiter"),
    (re.compile(r"decimal separator (?P<value>.+) \(English\)"), "read_decimal_en"),
    (re.compile(r"decimal separator (?P<value>.+) \(Dutch\)"), "read_decimal_nl"),
    (re.compile(r"SYNTHETIC: every row is marked synthetic"), "read_synthetic"),
)
"""The sentences of an import report's summary (:meth:`opgave.ingest.import_report.
ImportReport.summary` and the readers' notes), to say them in the command's language."""


COUNTS = ("rows", "plans", "problems", "notes")


def reading_text(text: str, w: Words) -> str:
    """What reading a file found (the import report's summary) in the words of ``w``: the
    count line and how the file was read; the notes' own messages as they are."""
    if w.lang == "en":
        return text

    def said(piece: str) -> str:
        for pattern, key in READING:
            match = pattern.fullmatch(piece)
            if match:
                values = {
                    k: w.number(int(v)) if k in COUNTS else v for k, v in match.groupdict().items()
                }
                return w(key, **values)
        return piece

    lines = []
    for line in text.split("\n"):
        if line.startswith("  read as: "):
            items = line.removeprefix("  read as: ").split("; ")
            line = w("read_as", items="; ".join(said(i) for i in items))
        else:
            line = said(line)
        lines.append(line)
    return "\n".join(lines)


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

    w = speaking(ctx)
    wanted: list[int] = []
    if years:
        match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", years)
        if not match:
            raise fail(
                w("expects", option="--years", expected=w("years_expected"), got=repr(years))
            )
        wanted = list(range(int(match.group(1)), int(match.group(2) or match.group(1)) + 1))
    svc = service(ctx)
    with console.status(w("downloading_cbs", table=table)), answering():
        report = pipeline.ingest_cbs(
            svc, principal(ctx), table, wanted, catalog_url=catalog_url, use_https=not http
        )
    console.print(
        w("cbs_ingested", table=table, figures=w.number(report.figures),
          inserted=w.number(report.inserted), updated=w.number(report.updated),
          areas=w.number(report.areas))
    )  # fmt: skip
    if report.unknown_codes:
        console.print(
            f"[yellow]{w('unknown_region_codes', count=w.number(len(report.unknown_codes)))}[/] "
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

    w = speaking(ctx)
    table = Table(title=w("realisations_title", count=w.number(len(records))))
    for column in (
        "column_area", "column_measure", "column_years", "column_value", "column_source",
        "column_counts",
    ):  # fmt: skip
        table.add_column(w(column), justify="right" if column == "column_value" else "left")
    for r in records[:300]:
        years_ = (
            str(r["first_year"])
            if r["first_year"] == r["last_year"]
            else (f"{r['first_year']}-{r['last_year']}")
        )
        table.add_row(
            r["area_id"],
            w.word("measure", r["measure"]),
            years_ + ("*" if r["provisional"] else ""),
            w.number(r["value"]),
            source_cell(r, w),
            w("yes")
            if r["stands"]
            else w("no_because", reason=set_aside_reason(r["set_aside_reason"], w)),
        )
    show(table)
    if len(records) > 300:
        console.print(
            w("more_rows", count=w.number(len(records) - 300)) + " " + w("provisional_mark")
        )


def source_cell(r: dict[str, object], w: Words) -> str:
    """A figure's source and section, marked synthetic (the demo's section, "synthetic",
    said once by the mark)."""
    if not r["synthetic"]:
        return f"{r['source_id']} ({r['source_section']})"
    section = f" ({r['source_section']})" if r["source_section"] != "synthetic" else ""
    return f"{r['source_id']}{section} {w('synthetic')}"


TIERS = {
    "CBS, final": "tier_cbs_final",
    "CBS, provisional": "tier_cbs_provisional",
    "derived from the BAG": "tier_bag",
    "stated in a document or dataset": "tier_document",
    "synthetic (demo)": "tier_synthetic",
}
"""The words of :data:`opgave.state.TIER_TEXT` (a test keeps them equal), by their English."""


def set_aside_reason(reason: str | None, w: Words) -> str:
    """Why a realised figure does not count (:data:`opgave.state.SET_ASIDE_REASONS`), in the
    words of ``w``."""
    return w.said(reason, "aside_{}", tier=lambda tier: tier_words(tier, w))


def tier_words(tier: str, w: Words) -> str:
    """A source tier, given as :data:`opgave.state.TIER_TEXT` writes it or as its code
    (cbs_final), in the words of ``w`` (as it is when unknown)."""
    key = TIERS.get(tier, f"tier_{tier}")
    return w(key) if w.knows(key) else tier


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

    w = speaking(ctx)
    table = Table(title=w("flags_title", date=w.date(date), count=w.number(len(found))))
    for column in ("column_plan", "column_flag", "column_detail"):
        table.add_column(w(column))
    for f in found:
        table.add_row(f.plan_id, flag_word(f.flag, w), flag_detail(f.detail, w))
    show(table)


def flag_word(flag: str, w: Words) -> str:
    """A review flag's code as a word: stalled -> stilgevallen (the code when unknown)."""
    return w(f"flag_{flag}") if w.knows(f"flag_{flag}") else flag


def flag_detail(detail: str, w: Words) -> str:
    """A review flag's detail (:data:`opgave.review.FLAG_DETAILS`) in the words of ``w``."""
    return w.said(detail, "flag_{}_detail", years=lambda v: w.number(v, 1), homes=w.number)


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
    w = speaking(ctx)
    applied = sum(e.applied for e in entries)
    console.print(
        w("corrections_applied", file=file.name, applied=w.number(applied),
          total=w.number(len(entries)))
    )  # fmt: skip
    for e in entries:
        if not e.applied:
            console.print(
                w(
                    "correction_not_applied",
                    row=e.row,
                    plan=e.plan_id,
                    field=e.field,
                    note=correction_note(e.note, w),
                )
            )


def correction_note(note: str, w: Words) -> str:
    """Why a correction was not applied (:data:`opgave.review.CORRECTION_NOTES`), in the words
    of ``w``."""
    return w.said(note, "note_{}", value=repr)


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

    w = speaking(ctx)
    as_of_text = w("as_of", date=w.date(date)) if date else ""
    table = Table(title=w("plans_title", as_of=as_of_text, count=w.number(len(records))))
    table.add_column("id")
    for column in (
        "column_name",
        "column_gemeente",
        "column_homes",
        "column_planstatus",
        "column_years",
    ):
        table.add_column(w(column), justify="right" if column == "column_homes" else "left")
    for p in records[:200]:
        table.add_row(
            p["id"],
            p["name"] + (f" ({w('synthetic')})" if p["synthetic"] else ""),
            p["gemeente_id"],
            w.number(p["homes"]),
            p["planstatus"],
            f"{p['first_year']}-{p['last_year']}",
        )
    show(table)
    if len(records) > 200:
        console.print(w("more_rows", count=w.number(len(records) - 200)))


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
    w = speaking(ctx)
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
            w("pipeline_compared", first=w.date(first), second=w.date(second),
              before=w.number(diff.homes_before), after=w.number(diff.homes_after))
        )  # fmt: skip
        for label in ("added", "dropped", "delayed", "reclassified"):
            change = getattr(diff, label)
            console.print(
                w("change_class", label=w(f"change_{label}"), plans=w.number(len(change.plans)),
                  homes=w.number(change.homes), ids=", ".join(change.plans) or "-")
            )  # fmt: skip
        for pid, fields in diff.changed.items():
            changes = "; ".join(f"{k} {a} -> {b}" for k, (a, b) in fields.items())
            console.print(w("plan_changed", plan=pid, changes=changes))
        return
    from opgave import monitor

    with answering():
        result = monitoring.status(svc, area, date, definition)
    if as_json:
        print_json(result)
        return
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
    w = speaking(ctx)
    with answering():
        if out is not None:
            count = pipeline.demo_plan_list(svc, out, seed, plans)
            console.print(w("demo_written", count=w.number(count), file=out))
            return
        report = pipeline.load_demo(svc, principal(ctx), seed, plans)
    console.print(
        f"[bold yellow]{w('synthetic_demo')}[/]"
        + w("demo_loaded", seed=seed, added=w.number(report.plans_added),
            unchanged=w.number(report.plans_unchanged),
            figures=w.number(report.realisations_added), date=w.date(demo_data.CAPTURED))
    )  # fmt: skip


__all__ = ["ingest_app"]
