"""Commands for funding: import applications, allocate a tranche, record and list awards."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

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
from opgave.cli.render import show

funding_app = typer.Typer(
    help="Funding: scheme rules, eligibility with reasons, optimal allocation of a tranche.",
    no_args_is_help=True,
)
app.add_typer(funding_app, name="funding")


@funding_app.command("import")
def import_applications(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Applications: .csv or .xlsx, one row each.")
    ],
    instrument: Annotated[
        str | None,
        typer.Option(
            metavar="INSTRUMENT", help="Instrument id the applications are for, e.g. WBI-T4."
        ),
    ] = None,
) -> None:
    """Import funding applications (validated per row; upsert by application_id; all or nothing).

    Columns: application_id, gemeente_code, homes, affordable_homes, requested_eur,
    public_deficit_eur, cofinancing_eur, start_year; optional plan_id, project_name,
    score_noodzaak, score_effectiviteit, score_efficientie, score_urgentie, synthetic.
    """
    from opgave.service import funding

    svc = service(ctx)
    with answering():
        report = funding.import_applications(svc, principal(ctx), file, instrument=instrument)
    console.print(
        f"{file.name}: {len(report.added)} applications added, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged."
    )


@funding_app.command("applications")
def list_applications(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The funding applications in the database."""
    from opgave.service import funding

    records = funding.applications(service(ctx))
    if as_json:
        print_json(records)
        return
    if any(r["synthetic"] for r in records):
        console.print("[bold yellow]Synthetic applications (demo data), not real projects.[/]")
    from rich.table import Table

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
    show(table)


@funding_app.command("schemes")
def list_schemes(as_json: JsonOption = False) -> None:
    """The schemes shipped with opgave (usable by name with --scheme)."""
    from opgave.service import funding

    records = funding.schemes()
    if as_json:
        print_json(records)
        return
    from rich.table import Table

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
    show(table)


@funding_app.command("allocate")
def allocate(
    ctx: typer.Context,
    scheme: Annotated[
        str,
        typer.Option(
            metavar="SCHEME",
            help="Scheme TOML file, or a shipped scheme (`opgave funding schemes`).",
        ),
    ],
    applications: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Applications file; default: the applications in the database."
        ),
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Record the optimal allocation as awards.")
    ] = False,
    instrument: Annotated[
        str | None,
        typer.Option(metavar="INSTRUMENT", help="With --record: the instrument id, e.g. WBI-T4."),
    ] = None,
    date: Annotated[
        str | None, typer.Option(metavar="DATE", help="With --record: decision date.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Allocate a tranche optimally (MILP, HiGHS) and show it beside rank-until-budget-runs-out."""
    from opgave.service import funding

    decided = parse_date(date, "--date") or dt.date.today()
    svc = service(ctx)
    with answering():
        rules = funding.scheme(scheme)
        report, synthetic = funding.allocate(
            svc,
            rules,
            applications_file=applications,
            record_by=principal(ctx) if record else None,
            instrument=instrument,
            decided=decided,
        )
    if as_json:
        payload = {**report.to_dict(), "synthetic": synthetic}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    if synthetic:
        console.print("[bold yellow]Synthetic applications (demo data), not real projects.[/]")
    console.print(report.as_text(), highlight=False)
    if record:
        console.print(f"Recorded {len(report.optimal.awarded)} awards (decided {decided}).")


@funding_app.command("awards")
def list_awards(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Awards recorded per instrument, project and municipality."""
    from opgave.service import funding

    records = funding.awards(service(ctx))
    if as_json:
        print_json(records)
        return
    from rich.table import Table

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
    show(table)
