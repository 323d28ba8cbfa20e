"""Commands for funding: import applications, allocate a tranche, record and list awards."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from opgave import applications as application_store
from opgave import areas, funding
from opgave.cli import (
    JsonOption,
    app,
    console,
    engine_for,
    fail,
    gemeente_codes,
    homes,
    parse_date,
    print_json,
    reading,
    rows,
)
from opgave.model import (
    Application,
    Area,
    AreaMember,
    Award,
    Instrument,
    Source,
)
from opgave.store import transaction

funding_app = typer.Typer(
    help="Funding: scheme rules, eligibility with reasons, optimal allocation of a tranche.",
    no_args_is_help=True,
)
app.add_typer(funding_app, name="funding")


def _scheme(name_or_path: str) -> funding.Scheme:
    """A scheme from a TOML file, or one of the shipped schemes by name."""
    path = Path(name_or_path)
    if not path.exists():
        shipped = funding.SCHEMES_DIR / f"{name_or_path}.toml"
        if not shipped.exists():
            names = ", ".join(sorted(p.stem for p in funding.SCHEMES_DIR.glob("*.toml")))
            raise fail(f"no scheme file {name_or_path!r}; shipped schemes: {names}")
        path = shipped
    try:
        return funding.load_scheme(path)
    except funding.FundingError as error:
        raise fail(str(error)) from None


def _read(path: Path, known: dict[str, str]) -> list[funding.Application]:
    try:
        return funding.read_applications(path, known_gemeenten=set(known))
    except funding.FundingInputError as error:
        raise fail(str(error)) from None


@funding_app.command("import")
def import_applications(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Applications: .csv or .xlsx, one row each.")],
    instrument: Annotated[
        str | None, typer.Option(help="Instrument id the applications are for, e.g. WBI-T4.")
    ] = None,
) -> None:
    """Import funding applications (validated per row; upsert by application_id; all or nothing).

    Columns: application_id, gemeente_code, homes, affordable_homes, requested_eur,
    public_deficit_eur, cofinancing_eur, start_year; optional plan_id, project_name,
    score_noodzaak, score_effectiviteit, score_efficientie, score_urgentie, synthetic.
    """
    if not file.exists():
        raise fail(f"{file}: no such file")
    with transaction(engine_for(ctx)) as session:
        try:
            report = application_store.import_applications(
                session, file, codes=gemeente_codes(session), instrument=instrument
            )
        except funding.FundingInputError as error:
            raise fail(str(error)) from None
    console.print(
        f"{file.name}: {len(report.added)} applications added, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged."
    )


@funding_app.command("applications")
def list_applications(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The funding applications in the database."""
    with reading(ctx) as session:
        records = rows(session, Application)
    if as_json:
        print_json(records)
        return
    table = Table(title=f"applications ({len(records)})")
    for column in ("id", "gemeente", "homes", "affordable", "requested EUR", "start"):
        table.add_column(column)
    for a in records:
        table.add_row(
            a["id"],
            a["gemeente_id"],
            homes(a["homes"]),
            homes(a["affordable_homes"]),
            f"{a['requested_eur']:,}",
            str(a["start_year"]),
        )
    console.print(table)


@funding_app.command("schemes")
def list_schemes(as_json: JsonOption = False) -> None:
    """The schemes shipped with opgave (usable by name with --scheme)."""
    records: list[dict[str, Any]] = []
    for path in sorted(funding.SCHEMES_DIR.glob("*.toml")):
        scheme = funding.load_scheme(path)
        records.append(
            {
                "name": path.stem,
                "title": scheme.name,
                "budget_eur": scheme.budget_eur,
                "objective": scheme.objective,
                "assumptions": list(scheme.assumptions),
            }
        )
    if as_json:
        print_json(records)
        return
    table = Table(title="shipped schemes")
    for column in ("name", "title", "budget", "objective", "assumed values"):
        table.add_column(column)
    for r in records:
        table.add_row(
            r["name"],
            r["title"],
            f"EUR {r['budget_eur']:,.0f}",
            r["objective"],
            str(len(r["assumptions"])),
        )
    console.print(table)


@funding_app.command("allocate")
def allocate(
    ctx: typer.Context,
    scheme: Annotated[
        str, typer.Option(help="Scheme TOML file, or a shipped scheme (`opgave funding schemes`).")
    ],
    applications: Annotated[
        Path | None,
        typer.Option(help="Applications file; default: the applications in the database."),
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Record the optimal allocation as awards.")
    ] = False,
    instrument: Annotated[
        str | None, typer.Option(help="With --record: the instrument id, e.g. WBI-T4.")
    ] = None,
    date: Annotated[str | None, typer.Option(help="With --record: decision date.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Allocate a tranche optimally (MILP, HiGHS) and show it beside rank-until-budget-runs-out."""
    rules = _scheme(scheme)
    decided = parse_date(date, "--date") or dt.date.today()
    with transaction(engine_for(ctx)) as session:
        known = gemeente_codes(session)
        if applications is not None:
            apps = _read(applications, known)
            apps = [replace(a, gemeente_code=known[a.gemeente_code]) for a in apps]
        else:
            synthetic_sources = {
                s["id"] for s in rows(session, Source) if s["confidence"] == "synthetic"
            }
            apps = application_store.from_rows(rows(session, Application), synthetic_sources)
        named = {c.area for c in rules.region_cap} | {f.area for f in rules.region_floor}
        kinds = {a["id"]: a["kind"] for a in rows(session, Area)}
        children = areas.children_of(rows(session, AreaMember))
        members = {
            name: areas.municipalities(name, children, kinds) for name in named if name in kinds
        }
        try:
            report = funding.allocate(rules, apps, members)
        except funding.FundingError as error:
            raise fail(str(error)) from None
        if record:
            if instrument and session.get(Instrument, instrument) is None:
                raise fail(f"unknown instrument {instrument!r}; `opgave instruments` lists them")
            by_id = {a.application_id: a for a in apps}
            stored = {a for a in session.scalars(select(Application.id))}
            share = dict(report.optimal.award_share)
            for app_id in report.optimal.awarded:
                a = by_id[app_id]
                fraction = share.get(app_id, 1.0)
                session.add(
                    Award(
                        instrument_id=instrument,
                        scheme_name=rules.name,
                        application_id=app_id if app_id in stored else None,
                        plan_id=a.plan_id,
                        gemeente_id=a.gemeente_code,
                        amount_eur=round(a.requested_eur * fraction),
                        homes=round(a.homes * fraction),
                        affordable_homes=round(a.affordable_homes * fraction),
                        method="optimal",
                        decided_on=decided,
                    )
                )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    if any(a.synthetic for a in apps):
        console.print("[bold yellow]Synthetic applications (demo data), not real projects.[/]")
    console.print(report.as_text(), highlight=False)
    if record:
        console.print(f"Recorded {len(report.optimal.awarded)} awards (decided {decided}).")


@funding_app.command("awards")
def list_awards(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Awards recorded per instrument, project and municipality."""
    with reading(ctx) as session:
        records = rows(session, Award)
    if as_json:
        print_json(records)
        return
    table = Table(title=f"awards ({len(records)})")
    for column in ("scheme", "application", "gemeente", "EUR", "homes", "affordable", "decided"):
        table.add_column(column)
    for a in records:
        table.add_row(
            a["scheme_name"],
            a["application_id"] or "-",
            a["gemeente_id"],
            f"{a['amount_eur']:,}",
            homes(a["homes"]),
            homes(a["affordable_homes"]),
            str(a["decided_on"]),
        )
    console.print(table)
