"""Commands for the forecast: run it (with scenarios side by side), the norm, fan charts."""

from __future__ import annotations

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
    homes,
    principal,
    service,
)
from opgave.cli.render import show

if TYPE_CHECKING:
    from opgave.forecast.questions import TargetDifference

scenario_app = typer.Typer(
    help="Named forecast scenarios: assumption overrides, extra plans, other targets.",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{p:.0%}"


def _difference(d: TargetDifference) -> str:
    """P50 in homes and relatively, P(min) in points: 'P50 -11,798 (-53%), P(min) +0 pts'."""
    if not d.in_b or d.p50_diff is None:
        return "-"
    rel = "" if d.p50_rel is None else f" ({d.p50_rel:+.0%})"
    sign = "+" if d.p50_diff > 0 else ""
    chance = "" if d.p_min_diff is None else f", P(min) {d.p_min_diff * 100:+.0f} pts"
    return f"P50 {sign}{homes(d.p50_diff)}{rel}{chance}"


def _ratio(r: float | None) -> str:
    return "unreachable" if r is None else f"{r:.0%}"


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
        console.print(f"Wrote {len(written)} chart files to {chart}")
    if as_json:
        payload = forecasting.payload(result, other, area=area, scenario=scenario, vs=vs)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    if result.synthetic_sources:
        console.print("[bold yellow]Synthetic demo data is loaded: these figures are not real.[/]")
    title = (
        f"forecast from {result.start_year}: {result.plans} plans, {result.runs} runs, "
        f"seed {result.seed}" + (f", scenario {scenario}" if scenario else "")
    )
    from rich.table import Table

    table = Table(title=title)
    columns = ["target", "area", "period", "realised", "P10 / P50 / P90", "P(min)", "P(max)"]
    if other is not None:
        columns += [f"P50 {vs}", f"P(min) {vs}", "difference"]
    if norm:
        columns += ["ratio now", "needed 50/80/90%"]
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
            homes(t.value_min) if t.value_min == t.value_max
            else f"{homes(t.value_min)}-{homes(t.value_max)}"
        )  # fmt: skip
        row = [
            ("ca. " if t.approximate else "") + value,
            t.area_name,
            f"{t.first_year}-{t.last_year}",
            homes(t.realised),
            f"{homes(t.p10)} / {homes(t.p50)} / {homes(t.p90)}",
            _pct(t.p_reach_min),
            _pct(t.p_reach_max),
        ]
        if other is not None:
            o = others.get(t.target_id)
            row += [homes(o.p50) if o else "-", _pct(o.p_reach_min if o else None)]
            row += [_difference(differences[t.target_id])]
        if norm and t.norm:
            row += [
                _ratio(t.norm["current"]),
                " / ".join(_ratio(t.norm[k]) for k in ("p50", "p80", "p90")),
            ]
        table.add_row(*row)
    show(table)
    if result.gap_years:
        console.print(
            f"[yellow]No realised figures and no planned homes for "
            f"{', '.join(map(str, result.gap_years))}: these years add nothing to the forecast "
            "(a gap in the data, not a forecast of zero).[/]"
        )
    if silent and area is None:
        console.print(
            "No forecast for " + ", ".join(silent) + ": they have no target in homes with an "
            "end year in the forecast period (see `opgave targets`)."
        )
    console.print(
        "Assumptions: "
        + ", ".join(Path(a).name for a in result.assumptions)
        + ". P(min): probability of reaching the target (its minimum for a range).",
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
    console.print(f"Scenario {name!r} stored; try `opgave forecast --scenario {name} --vs base`.")


@scenario_app.command("list")
def list_scenarios(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The stored scenarios."""
    from opgave.service import forecasting

    records = forecasting.scenarios(service(ctx))
    if as_json:
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2, default=str))
        return
    from rich.table import Table

    table = Table(title="scenarios")
    for column in ("id", "description", "created"):
        table.add_column(column)
    for s in records:
        table.add_row(s["id"], s["description"] or "", str(s["created_on"]))
    show(table)
