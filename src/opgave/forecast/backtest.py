"""Backtest: forecast from the plan-list history up to a date D and compare with what happened.

Inputs: plan and plan-history rows (as :mod:`opgave.forecast.history` reads them), the date D,
the areas each municipality counts in (e.g. its province and the nation) and optionally its
region for the regional shocks, the base assumptions (the shipped defaults, shocks included),
runs and seed.
Outputs: a :class:`BacktestResult`: per area and year after D the realised completions of the
plans pending at D next to the forecast's mean and P10/P50/P90 (per year and cumulative),
the share of outcomes inside the 80% interval, the calibration of stated chances (for a
stated chance q, how often the outcome fell at or below the forecast's q-quantile), the mean
error, and the evidence the assumptions were learned from.
Derives: assumptions learned from the history up to D only (drop-out and delay per planstatus,
and each pending plan's own odds given how long it has been in the lists); the pipeline
pending at D (first years moved to D's year where overdue); what happened to those plans,
read from the lists after D: a plan that started in year S delivers the homes it had at D
spread evenly from S over as many years as its schedule at D had, a plan that dropped out or
is still pending delivers nothing. Only years before the last list's year are compared: for
them every outcome is known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from opgave import areas as area_graph
from opgave.forecast.assumptions import Assumptions, ForecastInputError, load_assumptions
from opgave.forecast.engine import PlanInputs, delivery_schedule, simulate
from opgave.forecast.history import START, Learned, learn, observe, plan_overrides
from opgave.message import Message

__all__ = [
    "BacktestCell",
    "BacktestResult",
    "CalibrationRow",
    "areas_by_municipality",
    "backtest",
    "with_learned",
]

Row = Mapping[str, Any]
STATED_CHANCES = (0.1, 0.25, 0.5, 0.75, 0.9)

LABELS = {"learned": "learned from the plan lists up to {date} ({plans} plans, {lists} lists)"}
"""How the backtest names the assumptions it learned (English; a door may say it its own way)."""


@dataclass(frozen=True)
class BacktestCell:
    """One area and year: what the plans pending at D delivered, and what was forecast.
    ``pit`` is the forecast's probability of an outcome below the realised one (plus half
    the probability of exactly it): uniform between 0 and 1 when the forecast is calibrated."""

    area_id: str
    year: int
    realised: float
    mean: float
    p10: float
    p50: float
    p90: float
    pit: float

    @property
    def inside_80(self) -> bool:
        """True when the outcome lies within the forecast's P10-P90."""
        return self.p10 <= self.realised <= self.p90


@dataclass(frozen=True)
class CalibrationRow:
    """For a stated chance: the share of outcomes at or below the forecast's quantile."""

    stated: float
    observed: float
    cells: int


@dataclass(frozen=True)
class BacktestResult:
    """A backtest at ``at``: forecast years ``start_year .. end_year`` (all outcomes known).

    ``cells`` holds completions per area and year, ``cumulative`` completions from
    ``start_year`` up to each year. ``coverage_80`` is the share of yearly cells inside
    P10-P90 (goal 0.8), ``calibration`` the stated-versus-observed chances over the yearly
    cells, ``mean_error`` the mean of realised minus forecast mean (homes, yearly cells) and
    ``relative_error`` its sum over the sum of forecast means. ``assumptions`` says which
    assumptions were used; ``learned`` the evidence they were learned from (None: not learned).
    """

    at: dt.date
    start_year: int
    end_year: int
    plans: int
    runs: int
    seed: int
    cells: tuple[BacktestCell, ...]
    cumulative: tuple[BacktestCell, ...]
    coverage_80: float
    coverage_80_cumulative: float
    calibration: tuple[CalibrationRow, ...]
    mean_error: float
    relative_error: float
    assumptions: tuple[str, ...]
    learned: Learned | None


def with_learned(base: Assumptions, learned: Learned, label: str) -> Assumptions:
    """``base`` with drop-out and delay replaced where the history learned them."""
    dropout = dict(base.dropout_prob)
    delay = dict(base.delay_prob)
    note = dict(base.source_note)
    for s, e in learned.by_status.items():
        if e.learned:
            dropout[s] = e.dropout
            delay[s] = e.delay
            note[s] = f"learned: {e.entries} plans ({label})"
    return replace(
        base,
        dropout_prob=MappingProxyType(dropout),
        delay_prob=MappingProxyType(delay),
        source_note=MappingProxyType(note),
        stated=(*base.stated, label),
    )


def areas_by_municipality(
    areas: Sequence[Row], members: Sequence[Row], kinds: Sequence[str] = ("province", "nation")
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """For :func:`backtest`: the areas of ``kinds`` each municipality counts in (from area
    and area-member rows) and its region for the regional shocks (its province)."""
    children = area_graph.children_of(members)
    kind = {a["id"]: a["kind"] for a in areas}
    areas_of: dict[str, list[str]] = {}
    region_of: dict[str, str] = {}
    for a in sorted(a["id"] for a in areas if a["kind"] in kinds):
        for gm in area_graph.municipalities(a, children, kind):
            areas_of.setdefault(gm, []).append(a)
            if kind[a] == "province":
                region_of.setdefault(gm, a)
    return areas_of, region_of


def _pit(runs: npt.NDArray[np.float32], value: float) -> float:
    below = float((runs < value).mean())
    return below + 0.5 * float((runs == value).mean())


def _cells(
    by_run: npt.NDArray[np.float32],
    realised: npt.NDArray[np.float64],
    codes: Sequence[str],
    years: Sequence[int],
) -> list[BacktestCell]:
    cells = []
    for a, code in enumerate(codes):
        for j, year in enumerate(years):
            x = by_run[a, j]
            p10, p50, p90 = np.quantile(x.astype(np.float64), (0.1, 0.5, 0.9))
            cells.append(
                BacktestCell(
                    area_id=code,
                    year=year,
                    realised=float(realised[a, j]),
                    mean=float(x.mean(dtype=np.float64)),
                    p10=float(p10),
                    p50=float(p50),
                    p90=float(p90),
                    pit=_pit(x, float(realised[a, j])),
                )
            )
    return cells


def backtest(
    plans: Sequence[Row],
    history: Sequence[Row],
    *,
    at: dt.date,
    areas_of: Mapping[str, Sequence[str]],
    region_of: Mapping[str, str] | None = None,
    base: Assumptions | None = None,
    learn_assumptions: bool = True,
    runs: int = 2000,
    seed: int = 0,
    replicates: int = 0,
) -> BacktestResult:
    """Forecast from the history up to ``at`` and compare with what the later lists show.

    ``areas_of`` maps a municipality (``gemeente_id``) to the areas it counts in; plans of
    other municipalities count in none. ``region_of`` gives the region for the regional part
    of the shocks. ``learn_assumptions`` False uses ``base`` as it is. ``replicates``: the
    bootstrap replicates of the learning; with ``R > 0`` the runs are shared out over them,
    so the forecast also carries the uncertainty of the learned values (0: the estimate).
    Raises ForecastInputError when no list after ``at`` shows what happened.
    """
    base = base or load_assumptions()
    known = observe(plans, history, as_of=at)
    full = observe(plans, history)
    start_year = known.captures[-1].year
    end_year = full.captures[-1].year - 1
    if end_year < start_year:
        raise ForecastInputError(
            [
                f"backtest at {at}: the lists end in {full.captures[-1]}; a backtest needs plan "
                f"lists captured in a later year than {start_year} (the last list up to {at})"
            ]
        )
    learned = None
    assumptions = base
    if learn_assumptions:
        learned = learn(
            plans,
            history,
            as_of=at,
            replicates=replicates,
            seed=seed,
            by_size=False,
            observations=known,
        )
        label = Message.of(
            LABELS, "learned", date=at, plans=learned.plans, lists=len(learned.captures)
        )
        assumptions = with_learned(base, learned, label)
    pipeline = sorted(known.pending)
    info = [known.pending[p] for p in pipeline]
    codes = sorted({a for g in (p["gemeente_id"] for p in info) for a in areas_of.get(g, ())})
    column = {c: i for i, c in enumerate(codes)}
    first = np.array([max(p["first_year"], start_year) for p in info], dtype=np.int64)
    last = np.array([p["last_year"] for p in info], dtype=np.int64) + (
        first - np.array([p["first_year"] for p in info], dtype=np.int64)
    )
    homes = np.array([p["homes"] for p in info], dtype=np.int64)
    n_years = int(max(last.max(initial=start_year), end_year) - start_year + 1)
    schedule = delivery_schedule(
        homes, first, last, schedule_first_year=start_year, n_years=n_years
    )
    member = np.zeros((len(info), len(codes)), dtype=bool)
    for i, p in enumerate(info):
        for a in areas_of.get(p["gemeente_id"], ()):
            member[i, column[a]] = True
    regions = sorted(set((region_of or {}).values()))
    region = None
    if region_of is not None and regions:
        index = {r: i for i, r in enumerate(regions)}
        region = np.array([index.get(region_of.get(p["gemeente_id"], ""), 0) for p in info])
    inputs = PlanInputs(
        planstatus=np.array([p["status"] for p in info], dtype=str),
        schedule_homes=schedule,
        first_year=start_year,
        area_member=member,
        area_code=tuple(codes),
        region=region,
        region_code=tuple(regions) if region is not None else (),
    )
    # each share of the runs uses one bootstrap replicate of what was learned (its own odds
    # for every pending plan): the forecast carries the uncertainty of the estimates too
    draws = max(1, replicates) if learned is not None else 1
    parts = []
    for i in range(draws):
        n_runs = runs // draws + (i < runs % draws)
        if learned is not None:
            dropout, delay = plan_overrides(
                learned, pipeline, first.tolist(), replicate=i + 1 if replicates else 0
            )
            inputs = replace(inputs, dropout_prob=dropout, delay_prob=delay)
        part = simulate(inputs, assumptions, runs=n_runs, seed=seed * 10_000 + i)
        parts.append(part.completions_by_run)
    by_run_all = np.concatenate(parts, axis=2)
    years = list(range(start_year, end_year + 1))
    # what happened: started plans deliver their homes at D from their real start
    realised = np.zeros((len(codes), len(years)))
    for i, pid in enumerate(pipeline):
        event, year = full.outcome.get(pid, (-1, 0))
        if event != START:
            continue
        s = max(year, start_year)
        span = int(last[i] - first[i])
        delivered = delivery_schedule(
            [homes[i]], [s], [s + span], schedule_first_year=s, n_years=span + 1
        )[0]
        for j, h in enumerate(delivered):
            y = s + j - start_year
            if y < len(years):
                realised[member[i], y] += h
    by_run = by_run_all[:, : len(years)]
    cum_runs = np.cumsum(by_run, axis=1, dtype=np.float64).astype(np.float32)
    cells = _cells(by_run, realised, codes, years)
    cumulative = _cells(cum_runs, np.cumsum(realised, axis=1), codes, years)
    pits = np.array([c.pit for c in cells])
    calibration = tuple(
        CalibrationRow(q, float((pits <= q).mean()) if len(pits) else float("nan"), len(pits))
        for q in STATED_CHANCES
    )
    err = np.array([c.realised - c.mean for c in cells])
    means = np.array([c.mean for c in cells])
    return BacktestResult(
        at=at,
        start_year=start_year,
        end_year=end_year,
        plans=len(pipeline),
        runs=runs,
        seed=seed,
        cells=tuple(cells),
        cumulative=tuple(cumulative),
        coverage_80=float(np.mean([c.inside_80 for c in cells])) if cells else float("nan"),
        coverage_80_cumulative=(
            float(np.mean([c.inside_80 for c in cumulative])) if cumulative else float("nan")
        ),
        calibration=calibration,
        mean_error=float(err.mean()) if len(err) else float("nan"),
        relative_error=float(err.sum() / means.sum()) if means.sum() > 0 else float("nan"),
        assumptions=assumptions.stated,
        learned=learned,
    )
