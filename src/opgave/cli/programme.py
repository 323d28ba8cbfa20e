"""Commands for the programme itself: init, overview, listings, export and import."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opgave.cli import (
    Context,
    JsonOption,
    answering,
    app,
    console,
    fail,
    parse_date,
    print_json,
    service,
    speaking,
)
from opgave.cli.render import choices, show
from opgave.cli.words import Words
from opgave.vocabulary import AREA_KINDS, MEASURES


@app.command()
def init(ctx: typer.Context) -> None:
    """Create or upgrade the database and load the founding letter's programme.

    Safe to run again: only what differs from the shipped data is written.
    """
    from opgave.service import programme as programme_service

    context: Context = ctx.obj
    svc = context.service(require_schema=False)
    with answering():
        report = programme_service.init(svc)
    from rich.table import Table

    w = speaking(ctx)
    table = Table(title=f"opgave init - {svc.shown_url}")
    for column in ("column_table", "column_inserted", "column_updated", "column_unchanged"):
        table.add_column(w(column), justify="left" if column == "column_table" else "right")
    for name in sorted(set(report.inserted) | set(report.updated) | set(report.unchanged)):
        table.add_row(
            w(f"table_{name}") if w.knows(f"table_{name}") else name,
            w.number(report.inserted.get(name, 0)),
            w.number(report.updated.get(name, 0)),
            w.number(report.unchanged.get(name, 0)),
        )
    show(table)
    written = (
        w("rows_written", count=w.number(report.changed)) if report.changed else w("no_change")
    )
    console.print(w("schema_revision", revision=report.revision, written=written))


if TYPE_CHECKING:
    from opgave import monitor

DEFAULT_DEFINITION = "ministry"
"""How homes built are counted unless asked: ``monitor.DEFAULT_DEFINITION``, kept here so
that the commands register without importing the analysis (a test keeps them equal)."""

DefinitionOption = Annotated[
    str,
    typer.Option(
        "--definition",
        metavar="DEFINITION",
        help="How homes built are counted: ministry (default: new-build plus the net of other "
        "additions and removals, CBS 'woningen erbij'), gross (new-build plus other additions) "
        "or net_stock (net change of the stock).",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="The programme as known on this date, YYYY-MM-DD (plan lists, members).",
    ),
]


def headline_lines(
    h: monitor.Headline, definition: monitor.Definition, w: Words | None = None
) -> list[str]:
    """An area's headline figures as lines of text (the overview and ``status`` print them),
    in the words of ``w`` (English when not given)."""
    w = w or Words("en")
    lines = []
    t, p, c = h.target, h.progress, h.capacity
    if h.kind != "nation":
        lines.append(w("coverage_line", coverage=w.coverage(h.coverage)))
    if t is not None and p is not None and p.realised_years:
        years = f"{p.realised_years[0]}-{p.realised_years[-1]}"
        provisional = (
            w("provisional_years", years=", ".join(map(str, p.provisional_years)))
            if p.provisional_years
            else ""
        )
        realised = w.number(p.realised)
        amount = w("at_least", value=realised) if p.lower_bound else realised
        share = (
            w("share_of_target", share=w.percent(p.share_min, 1)) if p.share_min is not None else ""
        )
        label = definition.label if w.lang == "en" else definition.label_nl
        lines.append(
            w("realised_line", years=years, provisional=provisional, amount=f"[bold]{amount}[/]",
              definition=label, share=share)
            + (f" [bold yellow]{w('synthetic')}[/]" if p.synthetic else "")
        )  # fmt: skip
        if p.gap_years:
            lines.append(w("gap_line", years=", ".join(map(str, p.gap_years))))
        if p.required_pace_min is not None:
            lines.append(
                w("remaining_line", remaining=w.number(p.remaining_min),
                  years=p.years_left,
                  needed=w.number(p.required_pace_min), recent=w.number(p.recent_pace),
                  status=f"[bold]{w.word('pace_status', p.status)}[/]")
            )  # fmt: skip
    elif t is not None:
        lines.append(w("no_realised"))
    if c is not None:
        lines.append(
            w("capacity_line", first=c.first_year, last=c.last_year,
              planned=w.number(c.planned_all), plans=w.number(c.plans),
              ratio=w.percent(c.ratio_all), against=w.number(c.against),
              hard=w.percent(c.ratio_hard), norm=w.percent(c.norm),
              verdict=f"[green]{w('met')}[/]" if c.meets_norm else f"[red]{w('not_met')}[/]")
            + (f" [bold yellow]{w('synthetic_plans')}[/]" if c.synthetic else "")
        )  # fmt: skip
    marked = f" [bold yellow]({w('synthetic')})[/]" if "plans" in h.synthetic_parts else ""
    lines.append(
        w("plans_line", plans=w.number(h.plans), homes=w.number(h.planned_homes), synthetic=marked)
    )
    return lines


@app.command()
def overview(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    definition: DefinitionOption = DEFAULT_DEFINITION,
    as_json: JsonOption = False,
) -> None:
    """The national overview: the 900,000 target, realised homes, pace, capacity, what is due."""
    from opgave.service import monitoring
    from opgave.service import programme as programme_service

    svc = service(ctx)
    with answering():
        result = monitoring.overview(svc, parse_date(as_of, "--as-of"), definition)
        titles = {
            s["id"]: s["citation"]
            for s in programme_service.sources_cited(
                svc,
                [*(result.headline.progress.sources if result.headline.progress else ()),
                 result.headline.target["source_id"] if result.headline.target else ""],
            ).values()
        }  # fmt: skip
    if as_json:
        print_json(result)
        return
    w = speaking(ctx)
    h = result.headline
    if result.synthetic_sources:
        console.print(
            "[bold yellow]"
            + w("synthetic_loaded_overview", sources=", ".join(result.synthetic_sources))
            + "[/]"
        )
    if h.target is None:
        console.print(w("no_national_target"))
        return
    t = h.target
    console.rule(f"[bold]Woningbouwopgave {w.period(t)}: {w.target_value(t)}")
    console.print(
        w("target_source", source=titles.get(t["source_id"], t["source_id"]),
          section=t["source_section"])
    )  # fmt: skip
    for line in headline_lines(h, result.definition, w):
        console.print(line)
    if h.progress and h.progress.sources:
        console.print(
            w("source", sources="; ".join(titles.get(s, s) for s in h.progress.sources)),
            style="dim",
        )
    if h.capacity is None:
        console.print(w("no_capacity"))
    from rich.table import Table

    regions = Table(title=w("regions_title"), show_lines=True)
    regions.add_column(w("column_region"), no_wrap=True)
    for column in ("column_realised", "column_capacity", "column_targets"):
        regions.add_column(w(column))
    marked = " " + w("synthetic")
    for region in result.regions:
        rh = region.headline
        realised = capacity = "-"
        if rh.progress and rh.progress.realised_years:
            realised = ("≥ " if rh.progress.lower_bound else "") + w.number(rh.progress.realised)
            realised += marked if rh.progress.synthetic else ""
        if rh.capacity:
            capacity = w.percent(rh.capacity.ratio_all)
            capacity += marked if rh.capacity.synthetic else ""
        name = region.area["name"]
        if rh.coverage.lower_bound:
            name += f"\n[yellow]{w('lower_bound')}[/]"
        regions.add_row(
            name,
            realised,
            capacity,
            "\n".join(
                f"{w.target_value(x)} ({w.period(x)}, {w.word('target_kind', x['kind'])}"
                + (f", {x['area_id']})" if x["area_id"] != region.area["id"] else ")")
                for x in region.targets
            )
            or "-",
        )
    show(regions)
    due = Table(title=w("due_title"))
    for column in ("column_meeting", "column_when", "column_due", "column_not_done"):
        due.add_column(
            w(column), justify="right" if column in ("column_due", "column_not_done") else "left"
        )
    for item in result.due:
        due.add_row(
            item.meeting_name, item.moment or "-", w.number(item.due), w.number(item.not_done)
        )
    show(due)


@app.command("areas")
def list_areas(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Option(
            metavar="KIND",
            help=f"Only areas of this kind, as a table: {choices(AREA_KINDS)}.",
        ),
    ] = None,
    show_municipalities: Annotated[
        bool, typer.Option("--municipalities", help="Show municipalities in the tree too.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """The areas as a tree (memberships valid today): nation > landsdeel > province, strategy
    regions, large-scale areas. With --kind, a table with groups, hosts and sources."""
    from opgave.service import programme as programme_service

    svc = service(ctx)
    with answering():
        all_areas = programme_service.areas(svc)
        members = programme_service.memberships(svc)
        citations = {s["id"]: s["citation"] for s in programme_service.table(svc, "sources")}
    every = {a["id"]: a for a in all_areas}
    w = speaking(ctx)
    if kind and kind not in AREA_KINDS:
        raise fail(w("expects", option="--kind", expected=choices(AREA_KINDS, w), got=repr(kind)))
    if kind:
        all_areas = [a for a in all_areas if a["kind"] == kind]
    if as_json:
        print_json(all_areas)
        return
    if kind:
        from rich.table import Table

        table = Table(title=w("areas_of_kind", word=w.word("area_kind", kind)))
        table.add_column("id")
        for column in (
            "column_name", "column_complete", "column_in_groups", "column_lies_in",
            "column_source", "column_note",
        ):  # fmt: skip
            table.add_column(w(column))
        successions = set()
        for a in all_areas:
            ups = [m for m in members if m["child_id"] == a["id"]]
            groups = [m for m in ups if every[m["parent_id"]]["kind"] == "group"]
            hosts = [m["parent_id"] for m in ups if every[m["parent_id"]]["kind"] == "municipality"]
            successions |= {m["parent_id"] for m in groups if every[m["parent_id"]]["succeeds_id"]}
            complete = w("yes") if a["members_complete_propagated"] else w("no_lower_bound")
            table.add_row(
                a["id"],
                a["name"],
                complete,
                "\n".join(
                    f"{m['parent_id']} ({w.word('confidence', m['confidence'])})" for m in groups
                ),
                ", ".join(f"{h} {every[h]['name']}" for h in hosts) or "-",
                f"{citations.get(a['source_id'] or '', a['source_id'] or '')}, "
                f"{a['source_section'] or ''}",
                a["note"] or "",
            )
        show(table)
        for group in sorted(successions):
            g = every[group]
            start = g["valid_from"]
            shown = w.date(start) if isinstance(start, dt.date) else start
            since = w("since", date=shown) if start else ""
            old = every[g["succeeds_id"]]
            console.print(
                w("succeeds", group=group, name=g["name"], since=since, old=old["id"],
                  old_name=old["name"])
            )  # fmt: skip
        return
    from opgave import areas

    today = dt.date.today()
    current = areas.members_on(members, today)
    all_areas = [a for a in all_areas if a["valid_to"] is None or a["valid_to"] >= today.year]
    by_id = {a["id"]: a for a in all_areas}
    children = areas.children_of(current)
    shown = areas.display_children(
        children, transparent=(a["id"] for a in all_areas if a["kind"] == "municipality")
    )
    weak = {(m["parent_id"], m["child_id"]): m["confidence"] for m in current}

    def label(area_id: str, parent: str | None) -> str:
        a = by_id[area_id]
        text = f"[bold]{a['name']}[/] [dim]{a['id']} ({w.word('area_kind', a['kind'])})[/]"
        if not a["members_complete_propagated"]:
            text += f" [yellow]{w('members_incomplete')}[/]"
        if weak.get((parent, area_id), "official") != "official":
            confidence = w.word("confidence", weak[(parent, area_id)])
            text += f" [yellow]{w('membership', confidence=confidence)}[/]"
        return text

    from rich.tree import Tree

    def add(node: Tree, area_id: str, parent: str | None, depth: int) -> None:
        kids = [k for k in shown.get(area_id, []) if k in by_id]
        munis = [k for k in kids if by_id[k]["kind"] == "municipality"]
        others = sorted(
            (k for k in kids if k not in munis),
            key=lambda k: (by_id[k]["display_order"] is None, by_id[k]["display_order"] or 0, k),
        )
        for kid in others:
            add(node.add(label(kid, area_id)), kid, area_id, depth + 1)
        if munis and show_municipalities:
            for kid in munis:
                add(node.add(label(kid, area_id)), kid, area_id, depth + 1)
        elif munis:
            noun = w("municipality" if len(munis) == 1 else "municipalities")
            node.add(f"[dim]{w('municipalities_hidden', count=w.number(len(munis)), noun=noun)}[/]")

    for root in areas.roots(all_areas, children):
        tree = Tree(label(root, None))
        add(tree, root, None, 0)
        console.print(tree, soft_wrap=False)  # long labels wrap, never cut


@app.command("targets")
def list_targets(
    ctx: typer.Context,
    area: Annotated[
        str | None, typer.Option(metavar="AREA", help="Area id, e.g. NL01, PV27, VS-MRA.")
    ] = None,
    within: Annotated[
        bool, typer.Option("--within", help="With --area: also targets of areas inside it.")
    ] = False,
    measure: Annotated[
        str | None,
        typer.Option(metavar="MEASURE", help=f"Only this measure: {choices(MEASURES)}."),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(metavar="YEAR", help="Only targets whose period includes this year."),
    ] = None,
    period_filter: Annotated[
        str | None,
        typer.Option(
            "--period", metavar="YYYY-YYYY", help="Only targets whose period overlaps these years."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Targets with their period, range, "ca." flag and source."""
    from opgave.service import programme as programme_service

    w = speaking(ctx)
    lo, hi = (year, year) if year is not None else (None, None)
    if period_filter is not None:
        match = re.fullmatch(r"(\d{4})-(\d{4})", period_filter)
        if not match or int(match.group(1)) > int(match.group(2)):
            raise fail(
                w("expects", option="--period", expected=w("year_range"), got=repr(period_filter))
            )
        lo, hi = int(match.group(1)), int(match.group(2))
    with answering():
        records = programme_service.targets(
            service(ctx), area=area, within=within, measure=measure, first=lo, last=hi
        )
    if as_json:
        print_json(records)
        return
    from rich.table import Table

    table = Table(title=w("targets"))
    table.add_column("id")
    for column in (
        "column_area", "column_measure", "column_period", "column_value", "column_kind",
        "column_source_section",
    ):  # fmt: skip
        table.add_column(w(column))
    for t in records:
        table.add_row(
            t["id"],
            t["area_id"],
            w.word("measure", t["measure"]),
            w.period(t),
            w.target_value(t),
            w.word("target_kind", t["kind"]),
            t["source_section"] or "",
        )
    show(table)


@app.command("meetings")
def list_meetings(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Administrative consultations (Bestuurlijk Overleg), past and due."""
    from opgave.service import programme as programme_service

    records = programme_service.meetings(service(ctx))
    if as_json:
        print_json(records)
        return
    from rich.table import Table

    w = speaking(ctx)
    table = Table(title=w("meetings"))
    table.add_column("id")
    for column in ("column_name", "column_kind", "column_when", "column_note"):
        table.add_column(w(column))
    for m in records:
        table.add_row(m["id"], m["name"], m["kind"], m["moment_text"] or "", m["note"] or "")
    show(table)


@app.command("preconditions")
def list_preconditions(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Preconditions housing depends on (transport, nitrogen, noise, water, green)."""
    from opgave.service import programme as programme_service

    records = programme_service.table(service(ctx), "preconditions")
    if as_json:
        print_json(records)
        return
    from rich.table import Table

    w = speaking(ctx)
    table = Table(title=w("preconditions"))
    table.add_column("id")
    for column in ("column_name", "column_theme", "column_area"):
        table.add_column(w(column))
    for p in records:
        table.add_row(p["id"], p["name"], w.word("theme", p["theme"]), p["area_id"])
    show(table)


@app.command("instruments")
def list_instruments(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Funding instruments: budgets per year or in total, tracks, tranches, expected homes."""
    from opgave.service import programme as programme_service

    records = programme_service.table(service(ctx), "instruments")
    if as_json:
        print_json(records)
        return
    from rich.table import Table

    w = speaking(ctx)
    table = Table(title=w("instruments"))
    table.add_column("id")
    for column in ("column_name", "column_budget", "column_expected_homes"):
        table.add_column(w(column))
    for i in records:
        if i["budget_eur"]:
            budget = f"EUR {w.number(i['budget_eur'])}"
        elif i["budget_per_year_eur"]:
            budget = w(
                "budget_per_year", amount=w.number(i["budget_per_year_eur"]), years=i["years"]
            )
        else:
            budget = "-"
        expected = ("ca. " if i["approximate"] else "") + w.number(i["expected_homes"])
        table.add_row(i["id"], i["name"], budget, expected if i["expected_homes"] else "-")
    show(table)


@app.command("export")
def export(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder to write (created if missing).")
    ],
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="csv (default) or parquet.")
    ] = "csv",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the files of an earlier export in DIR.")
    ] = False,
) -> None:
    """Write every table to DIR, one file per table, plus a manifest."""
    from opgave.service import programme as programme_service

    with answering():
        paths = programme_service.export(service(ctx), directory, fmt, overwrite=overwrite)
    w = speaking(ctx)
    console.print(w("exported", count=w.number(len(paths)), directory=directory))


@app.command("import")
def import_(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="A folder written by `opgave export`.")
    ],
) -> None:
    """Load an exported folder into an empty database (all or nothing)."""
    from opgave.service import programme as programme_service

    context: Context = ctx.obj
    svc = context.service(require_schema=False)
    with answering():
        counts = programme_service.import_folder(svc, directory)
    w = speaking(ctx)
    console.print(
        w("imported", rows=w.number(sum(counts.values())), tables=w.number(len(counts)),
          url=svc.shown_url)
    )  # fmt: skip
