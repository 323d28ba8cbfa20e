"""Commands for the forecast: run it (with scenarios side by side), the norm, fan charts."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opgave.cli import (
    JsonOption,
    answering,
    app,
    console,
    principal,
    service,
    speaking,
)
from opgave.cli.render import show

DEFAULTS = "defaults"
"""How the forecast names its shipped assumptions (:mod:`opgave.forecast.assumptions`)."""

if TYPE_CHECKING:
    from opgave.cli.words import Words
    from opgave.forecast.questions import TargetDifference

scenario_app = typer.Typer(
    help="Named forecast scenarios: assumption overrides, extra plans, other targets.",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")


def signed(value: float, shown: str) -> str:
    """A figure with its sign always shown: ``shown`` is the figure's absolute value as the
    language writes it (+1.234, -53%)."""
    return ("-" if value < 0 else "+") + shown


def _difference(d: TargetDifference, w: Words) -> str:
    """P50 in homes and relatively, P(min) in points: 'P50 -11,798 (-53%), P(min) +0 pts'."""
    if not d.in_b or d.p50_diff is None:
        return "-"
    rel = "" if d.p50_rel is None else f" ({signed(d.p50_rel, w.percent(abs(d.p50_rel)))})"
    sign = "+" if d.p50_diff > 0 else ""
    chance = ""
    if d.p_min_diff is not None:
        points = d.p_min_diff * 100
        chance = w("fc_points", points=signed(points, w.number(abs(points))))
    return f"P50 {sign}{w.number(d.p50_diff)}{rel}{chance}"


def assumption_name(stated: str, w: Words) -> str:
    """How a forecast names one assumptions document: the shipped "defaults" in the
    command's language, a file by its name (with its checksum)."""
    return w("fc_defaults") if stated == DEFAULTS else Path(stated).name


def _ratio(r: float | None, w: Words) -> str:
    return w("fc_unreachable") if r is None else w.percent(r, 0)


forecast_app = typer.Typer()  # `opgave forecast` runs it; `calibrate`, `backtest`: subcommands
app.add_typer(forecast_app, name="forecast")


@forecast_app.callback(invoke_without_command=True)
def run_forecast(
    ctx: typer.Context,
    area: Annotated[
        str | None, typer.Option(metavar="AREA", help="Only this area and the areas inside it.")
    ] = None,
    runs: Annotated[int, typer.Option(metavar="N", min=100, help="Monte Carlo runs.")] = 2000,
    seed: Annotated[
        int, typer.Option(metavar="N", help="Random seed: same seed, same figures.")
    ] = 0,
    assumptions: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="TOML file overriding drop-out/delay/preconditions."),
    ] = None,
    scenario: Annotated[
        str | None, typer.Option(metavar="SCENARIO", help="A stored scenario (opgave scenario).")
    ] = None,
    vs: Annotated[
        str | None,
        typer.Option(metavar="SCENARIO", help="Compare with this scenario ('base' = none)."),
    ] = None,
    norm: Annotated[
        bool, typer.Option("--norm", help="Plan-capacity ratio needed for 50/80/90%.")
    ] = False,
    chart: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", help="Write fan charts (PNG and HTML) per area to this folder."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Monte Carlo forecast of the pipeline: the chance each target is reached.

    Plans drop out or slip by planstatus (assumptions documented in docs/forecast.md);
    preconditions are shared by the plans that depend on them. Realised homes count first;
    the pipeline is simulated from the year after the last realised year.
    """
    if ctx.invoked_subcommand is not None:
        return
    from opgave.forecast.questions import compare_targets
    from opgave.service import forecasting

    w = speaking(ctx)
    svc = service(ctx)
    with answering():
        result = forecasting.run(
            svc, area=area, runs=runs, seed=seed, assumptions_file=assumptions,
            scenario_name=scenario,
        )  # fmt: skip
        other = None
        if vs is not None:
            other = forecasting.run(
                svc, area=area, runs=runs, seed=seed, assumptions_file=assumptions,
                scenario_name=None if vs == forecasting.BASE else vs,
            )  # fmt: skip
        silent = forecasting.silent_regions(svc, result)
    if chart is not None:
        from opgave.charts import fan_charts  # matplotlib and plotly load only when asked

        written = fan_charts(result, chart)
        console.print(w("fc_wrote_charts", count=w.number(len(written)), folder=chart))
    if as_json:
        payload = forecasting.payload(result, other, area=area, scenario=scenario, vs=vs)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    if result.synthetic_sources:
        console.print(f"[bold yellow]{w('synthetic_not_real')}[/]")
    title = w(
        "fc_title",
        year=result.start_year,
        plans=w.number(result.plans),
        runs=w.number(result.runs),
        seed=result.seed,
    ) + (w("fc_title_scenario", name=scenario) if scenario else "")
    from rich.table import Table

    table = Table(title=title)
    columns = [w(c) for c in ("column_target", "column_area", "column_period", "column_realised")]
    columns += ["P10 / P50 / P90", "P(min)", "P(max)"]
    if other is not None:
        against = w("fc_base") if vs == forecasting.BASE else vs
        columns += [w("column_p50_of", name=against), w("column_p_min_of", name=against)]
        columns += [w("column_difference")]
    if norm:
        columns += [w("column_ratio_now"), w("column_ratio_needed")]
    for column in columns:
        table.add_column(column)
    others = {t.target_id: t for t in other.targets} if other else {}
    differences = {
        d.target_id: d
        for d in compare_targets(
            [asdict(t) for t in result.targets], [asdict(t) for t in other.targets]
        )
    } if other else {}  # fmt: skip
    for t in result.targets:
        value = (
            w.number(t.value_min) if t.value_min == t.value_max
            else f"{w.number(t.value_min)}-{w.number(t.value_max)}"
        )  # fmt: skip
        row = [
            ("ca. " if t.approximate else "") + value,
            t.area_name,
            f"{t.first_year}-{t.last_year}",
            w.number(t.realised),
            f"{w.number(t.p10)} / {w.number(t.p50)} / {w.number(t.p90)}",
            w.percent(t.p_reach_min, 0),
            w.percent(t.p_reach_max, 0),
        ]
        if other is not None:
            o = others.get(t.target_id)
            row += [w.number(o.p50) if o else "-", w.percent(o.p_reach_min if o else None, 0)]
            row += [_difference(differences[t.target_id], w)]
        if norm and t.norm:
            row += [
                _ratio(t.norm["current"], w),
                " / ".join(_ratio(t.norm[k], w) for k in ("p50", "p80", "p90")),
            ]
        table.add_row(*row)
    show(table)
    if result.gap_years:
        years = ", ".join(map(str, result.gap_years))
        console.print(f"[yellow]{w('fc_gap_years', years=years)}[/]")
    if silent and area is None:
        console.print(w("fc_silent", areas=", ".join(silent)))
    console.print(
        w("fc_assumptions", files=", ".join(assumption_name(a, w) for a in result.assumptions)),
        style="dim",
    )


@scenario_app.command("add")
def add_scenario(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Short name, e.g. oude-lijn-later.")],
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="TOML: assumption overrides, [[extra_plan]], [[target]]."
        ),
    ],
) -> None:
    """Store (or replace) a named scenario after checking it loads."""
    from opgave.service import forecasting

    with answering():
        forecasting.add_scenario(service(ctx), principal(ctx), name, file)
    command = f"opgave forecast --scenario {name} --vs base"
    console.print(speaking(ctx)("fc_scenario_stored", quoted=repr(name), command=command))


@scenario_app.command("list")
def list_scenarios(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The stored scenarios."""
    from opgave.service import forecasting

    records = forecasting.scenarios(service(ctx))
    if as_json:
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2, default=str))
        return
    from rich.table import Table

    w = speaking(ctx)
    table = Table(title=w("fc_scenarios_title"))
    for column in ("column_id", "column_description", "column_created"):
        table.add_column(w(column))
    for s in records:
        created = s["created_on"]
        shown = w.date(created) if isinstance(created, dt.date) else str(created)
        table.add_row(s["id"], s["description"] or "", shown)
    show(table)
