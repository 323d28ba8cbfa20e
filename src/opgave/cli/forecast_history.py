"""Commands that learn from the plan-list history: `opgave forecast calibrate` (assumptions
learned from it, written as a TOML file with its evidence) and `opgave forecast backtest`
(forecast from the lists up to a date, compared with what happened after it)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from opgave.cli import JsonOption, answering, console, homes, parse_date, service
from opgave.cli.forecast import forecast_app
from opgave.cli.render import show

if TYPE_CHECKING:
    from opgave.forecast.backtest import BacktestCell


def _interval(lo: float, hi: float) -> str:
    return "-" if math.isnan(lo) else f"{lo:.2f}-{hi:.2f}"


@forecast_app.command("calibrate")
def calibrate(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write the assumptions file here (default: print it)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Use only the lists up to this date (YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Learn drop-out and delay per planstatus from the plan-list history (docs/forecast.md).

    Writes an assumptions file for `opgave forecast --assumptions FILE`, with its evidence:
    how many plans, which lists, the 90% intervals; statuses with too little history keep
    the shipped defaults.
    """
    from rich.table import Table

    from opgave.forecast.history import calibrated_toml
    from opgave.service import forecasting

    until = parse_date(as_of, "--as-of")
    with answering():
        learned = forecasting.calibrate(service(ctx), as_of=until)
    text = calibrated_toml(learned, generated=dt.date.today())
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    table = Table(
        title=f"learned from {learned.plans:,} plans in {len(learned.captures)} lists "
        f"({learned.captures[0]} to {learned.captures[-1]})"
    )
    for column in ("planstatus", "plans", "dropped", "started", "pending", "drop-out (90%)",
                   "delay 0/1/2/3+ years"):  # fmt: skip
        table.add_column(column)
    for e in learned.by_status.values():
        table.add_row(
            e.status,
            str(e.entries),
            str(e.dropped),
            str(e.started),
            str(e.censored),
            f"{e.dropout:.2f} ({_interval(*e.dropout_interval)})" if e.learned else "default",
            " / ".join(f"{q:.2f}" for q in e.delay) if e.learned else "default",
        )
    show(table)
    console.print(f"Wrote {out}; use it with `opgave forecast --assumptions {out}`.")


def _cell(c: BacktestCell) -> dict[str, Any]:
    return {
        "area_id": c.area_id,
        "year": c.year,
        "realised": c.realised,
        "mean": c.mean,
        "p10": c.p10,
        "p50": c.p50,
        "p90": c.p90,
        "pit": c.pit,
        "inside_80": c.inside_80,
    }


@forecast_app.command("backtest")
def run_backtest(
    ctx: typer.Context,
    at: Annotated[
        str, typer.Option(metavar="DATE", help="Forecast from the lists up to this date.")
    ],
    runs: Annotated[int, typer.Option(metavar="N", min=100, help="Monte Carlo runs.")] = 2000,
    seed: Annotated[int, typer.Option(metavar="N", help="Random seed.")] = 0,
    assumptions: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Base assumptions (shocks; defaults for unlearned)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Forecast from the plan lists up to a date and compare with what the later lists show:
    coverage of the 80% intervals, calibration of stated chances, mean error (per province
    and for the nation)."""
    from rich.table import Table

    from opgave.service import forecasting

    date = parse_date(at, "--at")
    assert date is not None
    with answering():
        result, synthetic = forecasting.run_backtest(
            service(ctx), at=date, runs=runs, seed=seed, assumptions_file=assumptions
        )
    if as_json:
        payload = {
            "at": result.at.isoformat(),
            "start_year": result.start_year,
            "end_year": result.end_year,
            "plans": result.plans,
            "runs": result.runs,
            "seed": result.seed,
            "synthetic": synthetic,
            "assumptions": list(result.assumptions),
            "coverage_80": result.coverage_80,
            "coverage_80_cumulative": result.coverage_80_cumulative,
            "calibration": [
                {"stated": c.stated, "observed": c.observed, "cells": c.cells}
                for c in result.calibration
            ],
            "mean_error": result.mean_error,
            "relative_error": result.relative_error,
            "cells": [_cell(c) for c in result.cells],
            "cumulative": [_cell(c) for c in result.cumulative],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if synthetic:
        console.print("[bold yellow]Synthetic demo data is loaded: these figures are not real.[/]")
    table = Table(
        title=f"backtest at {result.at}: {result.plans:,} plans pending, forecast "
        f"{result.start_year}-{result.end_year} against what the later lists show"
    )
    for column in ("area", "year", "realised", "P10 / P50 / P90", "inside 80%"):
        table.add_column(column)
    for c in sorted(result.cumulative, key=lambda c: (c.area_id != "NL01", c.area_id, c.year)):
        table.add_row(
            c.area_id, f"{result.start_year}-{c.year}", homes(c.realised),
            f"{homes(c.p10)} / {homes(c.p50)} / {homes(c.p90)}", "yes" if c.inside_80 else "no",
        )  # fmt: skip
    show(table)
    console.print(
        f"Inside the 80% interval: {result.coverage_80:.0%} of {len(result.cells)} area-years "
        f"({result.coverage_80_cumulative:.0%} cumulative; goal 80%). Stated chance -> "
        "observed: "
        + ", ".join(f"{c.stated:.0%} -> {c.observed:.0%}" for c in result.calibration)
        + f". Mean error {result.mean_error:+,.0f} homes per area-year "
        f"({result.relative_error:+.1%} of the forecast)."
    )
    console.print("Assumptions: " + "; ".join(result.assumptions) + ".", style="dim")
