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

from opgave.cli import JsonOption, answering, console, parse_date, service, speaking
from opgave.cli.forecast import DEFAULTS, forecast_app, signed
from opgave.cli.render import show

if TYPE_CHECKING:
    from opgave.cli.words import Words
    from opgave.forecast.backtest import BacktestCell


def _interval(lo: float, hi: float, w: Words) -> str:
    return "-" if math.isnan(lo) else f"{w.number(lo, 2)}-{w.number(hi, 2)}"


def _day(value: object, w: Words) -> str:
    """A date as the language writes it (other values as they are)."""
    return w.date(value) if isinstance(value, dt.date) else str(value)


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
    w = speaking(ctx)
    table = Table(
        title=w(
            "fc_learned_title",
            plans=w.number(learned.plans),
            lists=w.number(len(learned.captures)),
            first=_day(learned.captures[0], w),
            last=_day(learned.captures[-1], w),
        )
    )
    for column in ("column_planstatus", "column_plans", "column_dropped", "column_started",
                   "column_pending", "column_dropout", "column_delay"):  # fmt: skip
        table.add_column(w(column))
    default = w("fc_default")
    for e in learned.by_status.values():
        table.add_row(
            e.status,
            w.number(e.entries),
            w.number(e.dropped),
            w.number(e.started),
            w.number(e.censored),
            f"{w.number(e.dropout, 2)} ({_interval(*e.dropout_interval, w)})"
            if e.learned
            else default,
            " / ".join(w.number(q, 2) for q in e.delay) if e.learned else default,
        )
    show(table)
    console.print(w("fc_wrote_assumptions", file=out))


def _stated(assumption: str, w: Words) -> str:
    """An assumption of the backtest as stated (the shipped defaults and the learned ones in
    the command's language)."""
    if assumption == DEFAULTS:
        return w("fc_defaults")
    return w.said(assumption, "fc_{}_until", date=w.date, plans=w.number, lists=w.number)


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
    w = speaking(ctx)
    if synthetic:
        console.print(f"[bold yellow]{w('synthetic_not_real')}[/]")
    table = Table(
        title=w(
            "fc_backtest_title",
            at=w.date(result.at),
            plans=w.number(result.plans),
            first=result.start_year,
            last=result.end_year,
        )
    )
    for column in ("column_area", "column_year", "column_realised"):
        table.add_column(w(column))
    table.add_column("P10 / P50 / P90")
    table.add_column(w("column_inside_80"))
    for c in sorted(result.cumulative, key=lambda c: (c.area_id != "NL01", c.area_id, c.year)):
        table.add_row(
            c.area_id, f"{result.start_year}-{c.year}", w.number(c.realised),
            f"{w.number(c.p10)} / {w.number(c.p50)} / {w.number(c.p90)}",
            w("yes") if c.inside_80 else w("no"),
        )  # fmt: skip
    show(table)
    console.print(
        w(
            "fc_backtest_summary",
            coverage=w.percent(result.coverage_80, 0),
            cells=w.number(len(result.cells)),
            cumulative=w.percent(result.coverage_80_cumulative, 0),
            calibration=", ".join(
                f"{w.percent(c.stated, 0)} -> {w.percent(c.observed, 0)}"
                for c in result.calibration
            ),
            error=signed(result.mean_error, w.number(abs(result.mean_error))),
            relative=signed(result.relative_error, w.percent(abs(result.relative_error), 1)),
        )
    )
    console.print(
        w(
            "fc_assumptions_list",
            files="; ".join(_stated(a, w) for a in result.assumptions),
        ),
        style="dim",
    )
