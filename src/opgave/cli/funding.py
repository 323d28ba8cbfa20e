"""Commands for funding: import applications, allocate a tranche, record and list awards."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from opgave.cli.forecast import signed
from opgave.cli.render import show
from opgave.cli.words import TEXTS

if TYPE_CHECKING:
    from opgave.cli.words import Words
    from opgave.funding.allocation import AllocationReport

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

    w = speaking(ctx)
    svc = service(ctx)
    with answering():
        report = funding.import_applications(svc, principal(ctx), file, instrument=instrument)
    console.print(
        w(
            "fund_imported",
            file=file.name,
            added=w.number(len(report.added)),
            changed=w.number(len(report.changed)),
            unchanged=w.number(len(report.unchanged)),
        )
    )


@funding_app.command("applications")
def list_applications(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The funding applications in the database."""
    from opgave.service import funding

    records = funding.applications(service(ctx))
    if as_json:
        print_json(records)
        return
    w = speaking(ctx)
    if any(r["synthetic"] for r in records):
        console.print(f"[bold yellow]{w('fund_synthetic')}[/]")
    from rich.table import Table

    table = Table(title=w("fund_applications_title", count=w.number(len(records))))
    for column in ("column_id", "column_gemeente", "column_homes", "column_affordable",
                   "column_requested_eur", "column_start"):  # fmt: skip
        table.add_column(w(column))
    for a in records:
        table.add_row(
            a["id"],
            a["gemeente_id"],
            w.number(a["homes"]),
            w.number(a["affordable_homes"]),
            w.number(a["requested_eur"]),
            str(a["start_year"]),
        )
    show(table)


@funding_app.command("schemes")
def list_schemes(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The schemes shipped with opgave (usable by name with --scheme)."""
    from opgave.service import funding

    records = funding.schemes()
    if as_json:
        print_json(records)
        return
    from rich.table import Table

    w = speaking(ctx)
    table = Table(title=w("fund_schemes_title"))
    for column in ("column_name", "column_title", "column_budget", "column_objective",
                   "column_assumed_values"):  # fmt: skip
        table.add_column(w(column))
    for r in records:
        table.add_row(
            r["name"],
            r["title"],
            w("fund_eur", amount=w.number(r["budget_eur"])),
            objective(r["objective"], w),
            w.number(len(r["assumptions"])),
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

    w = speaking(ctx)
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
        console.print(f"[bold yellow]{w('fund_synthetic')}[/]")
    console.print(allocation_text(report, w), highlight=False)
    if record:
        count = w.number(len(report.optimal.awarded))
        console.print(w("fund_recorded", count=count, date=w.date(decided)))


@funding_app.command("awards")
def list_awards(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Awards recorded per instrument, project and municipality."""
    from opgave.service import funding

    records = funding.awards(service(ctx))
    if as_json:
        print_json(records)
        return
    from rich.table import Table

    w = speaking(ctx)
    table = Table(title=w("fund_awards_title", count=w.number(len(records))))
    for column in ("column_scheme", "column_application", "column_gemeente", "column_eur",
                   "column_homes", "column_affordable", "column_decided"):  # fmt: skip
        table.add_column(w(column))
    for a in records:
        decided = a["decided_on"]
        table.add_row(
            a["scheme_name"],
            a["application_id"] or "-",
            a["gemeente_id"],
            w.number(a["amount_eur"]),
            w.number(a["homes"]),
            w.number(a["affordable_homes"]),
            w.date(decided) if isinstance(decided, dt.date) else str(decided),
        )
    show(table)


def objective(kind: str, w: Words) -> str:
    """A scheme's objective (homes, affordable_homes, score) in words."""
    key = f"fund_objective_{kind}"
    return w(key) if key in TEXTS[w.lang] else kind


MARGINAL_STEP_EUR = 1_000_000.0
"""The budget step of the marginal value (:data:`opgave.funding.allocation.MARGINAL_STEP_EUR`;
not imported: that module loads numpy and HiGHS)."""


def allocation_text(report: AllocationReport, w: Words) -> str:
    """The side-by-side report of ``funding allocate`` in the command's language: in English
    exactly :meth:`AllocationReport.as_text`; the same figures, unrounded differently, in
    Dutch (900.000). Only words change: every figure is the report's own."""
    o, r = report.optimal, report.ranking
    kind = objective(report.objective_kind, w)
    ranked = w("alloc_by_score" if report.ranking_rule == "score" else "alloc_by_ratio")
    status = solver_status(report.status, w)
    lines = [
        w(
            "alloc_head",
            scheme=report.scheme,
            eligible=report.n_eligible,
            applications=report.n_applications,
            objective=kind,
            status=status,
        ),
        f"{'':22}{w('alloc_optimal'):>16}{w('alloc_ranking'):>16}{w('alloc_difference'):>16}",
    ]
    rows: list[tuple[str, float, float]] = [
        (w("alloc_objective"), o.objective, r.objective),
        (w("alloc_homes"), o.homes, r.homes),
        (w("alloc_affordable"), o.affordable_homes, r.affordable_homes),
        (w("alloc_spent"), o.spent_eur, r.spent_eur),
        (w("alloc_awards"), float(len(o.awarded)), float(len(r.awarded))),
    ]
    for label, a, b in rows:
        difference = signed(a - b, w.number(abs(a - b)))
        lines.append(f"{label:22}{w.number(a):>16}{w.number(b):>16}{difference:>16}")
    eph = [w.number(v) for v in (o.eur_per_home, r.eur_per_home)]
    lines.append(f"{w('alloc_eur_per_home'):22}{eph[0]:>16}{eph[1]:>16}")
    lines.append(w("alloc_rule", ranked=ranked))
    per_meur, step = report.marginal_objective_per_meur, report.marginal_step_eur
    if per_meur is not None:
        text = w("alloc_marginal", value=w.number(per_meur, 1), objective=kind)
        if step is None:
            text += w("alloc_marginal_none")
        elif step > MARGINAL_STEP_EUR + 0.5:
            gained = per_meur * step / MARGINAL_STEP_EUR
            text += w(
                "alloc_marginal_step", step=w.number(step), gained=w.number(gained), objective=kind
            )
        lines.append(text)
    states = {True: "alloc_binds", False: "alloc_does_not_bind", None: "alloc_unknown"}
    for c in report.constraints:
        unit = "EUR " if c.unit == "eur" else ""
        value = ""
        if c.value_if_dropped is not None:
            gained_text = w.number(c.value_if_dropped)
            if not c.value_proven:
                gained_text = w("alloc_at_least", value=gained_text)
            value = w("alloc_gains", value=gained_text)
        line = w(
            "alloc_constraint",
            name=constraint_name(c.kind, c.name, w),
            limit=unit + w.number(c.limit),
            used=unit + w.number(c.used),
            slack=unit + w.number(c.slack),
            state=w(states[c.binding]),
        )
        detail = c.detail
        if detail.startswith("at the limit: "):
            detail = w("alloc_at_the_limit", gemeenten=detail.removeprefix("at the limit: "))
        lines.append(line + value + (f" ({detail})" if detail else ""))
    lines.append(w("alloc_awarded", ids=", ".join(o.awarded) or w("alloc_none")))
    lines.append(w("alloc_ranking_awards", ids=", ".join(r.awarded) or w("alloc_none")))
    lines.extend(w("alloc_note", note=note(n, w)) for n in report.notes)
    return "\n".join(lines)


def solver_status(status: str, w: Words) -> str:
    """The solver's status (optimal, time_limit) in words."""
    key = f"fund_status_{status}"
    return w(key) if key in TEXTS[w.lang] else status


def constraint_name(kind: str, name: str, w: Words) -> str:
    """A constraint of the allocation in words: the budget, a region's cap or floor, the
    limit of awards per municipality (``kind`` is the first word of ``name``)."""
    if kind in ("region_cap", "region_floor"):
        return w(f"alloc_{kind}", area=name.partition(" ")[2])
    if kind == "max_awards_per_gemeente":
        return w("alloc_max_awards")
    if kind == "budget":
        return w("alloc_budget")
    return name


def note(text: str, w: Words) -> str:
    """A note of the allocation (:data:`opgave.funding.allocation.NOTES`) in the command's
    language (as it is when not known)."""

    def names(joined: str) -> str:
        return ", ".join(constraint_name(n.partition(" ")[0], n, w) for n in joined.split(", "))

    return w.said(
        text,
        "alloc_note_{}",
        status=lambda status: solver_status(status, w),
        gap=lambda gap: f"{gap:.2e}",
        names=names,
    )
