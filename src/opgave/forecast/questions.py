"""What is asked of the simulated runs: per-target summaries, the chance of reaching a target,
the plan-capacity ratio a target needs, and the differences between two scenarios.

Inputs: a :class:`~opgave.forecast.engine.ForecastResult` (every run's completions per area
and year) and :class:`Target` s (an area's completions within a period between two values);
for a comparison, two forecasts' per-target results. Outputs: :class:`TargetSummary`,
:class:`CapacityNorm`, :class:`TargetDifference`. Derives: completions within each target's
period per run, their quantiles and the share of runs reaching the target; the capacity ratio
from the quantiles (see :func:`required_capacity_ratio`); absolute and relative differences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from opgave.forecast.assumptions import ForecastInputError
from opgave.forecast.engine import ForecastResult, summarise_runs

__all__ = [
    "CapacityNorm",
    "Fan",
    "Target",
    "TargetDifference",
    "TargetSummary",
    "compare_targets",
    "fan",
    "required_capacity_ratio",
    "summarise_targets",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Target:
    """A target of one area: completions in ``first_year..last_year`` (inclusive) between
    ``value_min`` and ``value_max`` (equal when the target is a single number)."""

    area_index: int
    first_year: int
    last_year: int
    value_min: float
    value_max: float


@dataclass(frozen=True)
class TargetSummary:
    """Per target: completions within its period over runs, and the chance of reaching it."""

    mean: FloatArray
    p10: FloatArray
    p50: FloatArray
    p90: FloatArray
    p_reach_min: FloatArray
    p_reach_max: FloatArray
    planned_homes: FloatArray


@dataclass(frozen=True)
class CapacityNorm:
    """Plan-capacity ratio (planned homes in the period / target) needed per target.

    ``ratio[i, j]`` is the ratio target ``i`` needs to be reached with probability
    ``probability[j]``; ``current_ratio[i]`` what the pipeline has now (against ``value_min``).
    """

    probability: FloatArray
    ratio: FloatArray
    current_ratio: FloatArray
    planned_homes: FloatArray


def period_totals(
    result: ForecastResult, targets: Sequence[Target]
) -> tuple[FloatArray, FloatArray]:
    """Per target: completions within its period per run (n_targets x runs) and planned homes."""
    problems = []
    for i, t in enumerate(targets):
        if not 0 <= t.area_index < len(result.area_code):
            problems.append(
                f"target {i}: area_index {t.area_index} outside 0..{len(result.area_code) - 1}"
            )
        if t.last_year < t.first_year:
            problems.append(f"target {i}: last_year {t.last_year} before first_year {t.first_year}")
        if t.value_max < t.value_min:
            problems.append(f"target {i}: value_max {t.value_max} below value_min {t.value_min}")
    if problems:
        raise ForecastInputError(problems)
    totals = np.zeros((len(targets), result.runs))
    planned = np.zeros(len(targets))
    y0 = int(result.year[0])
    for i, t in enumerate(targets):
        lo = max(t.first_year - y0, 0)
        hi = max(min(t.last_year - y0 + 1, len(result.year)), lo)
        totals[i] = result.completions_by_run[t.area_index, lo:hi].sum(axis=0, dtype=np.float64)
        planned[i] = result.planned_homes[t.area_index, lo:hi].sum()
    return totals, planned


def summarise_targets(result: ForecastResult, targets: Sequence[Target]) -> TargetSummary:
    """Completions within each target's period (mean, P10/P50/P90) and P(reaching min / max).

    Only simulated pipeline deliveries from ``result.year[0]`` on count: subtract completions
    already realised from the target values before calling.
    """
    totals, planned = period_totals(result, targets)
    q = np.quantile(totals, (0.1, 0.5, 0.9), axis=1) if len(targets) else np.zeros((3, 0))
    vmin = np.array([t.value_min for t in targets], dtype=float)
    vmax = np.array([t.value_max for t in targets], dtype=float)
    return TargetSummary(
        mean=totals.mean(axis=1),
        p10=q[0],
        p50=q[1],
        p90=q[2],
        p_reach_min=(totals >= vmin[:, None]).mean(axis=1),
        p_reach_max=(totals >= vmax[:, None]).mean(axis=1),
        planned_homes=planned,
    )


def required_capacity_ratio(
    result: ForecastResult,
    targets: Sequence[Target],
    probabilities: Sequence[float] = (0.5, 0.8, 0.9),
) -> CapacityNorm:
    """The plan-capacity ratio each target needs to be reached with the given probabilities.

    Method: scale all plans of the area by a factor ``s``; outcomes are whole-plan events, so
    every run's completions scale by ``s`` too, and ``P(s*X >= T) = q`` gives
    ``s = T / Q_{1-q}(X)`` (``X`` completions in the period, ``Q`` its quantile). The needed
    ratio ``s * planned / T`` then equals ``planned / Q_{1-q}(X)``: it does not depend on the
    target's size, only on how the pipeline realises (inf when that quantile is 0). With a
    production ceiling the scaling argument holds only while the ceiling does not bind.
    """
    probs = np.asarray(probabilities, dtype=float)
    if ((probs <= 0) | (probs >= 1)).any():
        raise ForecastInputError(
            [f"probabilities: expected values in (0, 1), got {probs.tolist()}"]
        )
    totals, planned = period_totals(result, targets)
    ratio = np.full((len(targets), len(probs)), np.inf)
    if len(targets):
        q = np.quantile(totals, 1.0 - probs, axis=1).T  # (targets x probs)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(q > 0, planned[:, None] / np.where(q > 0, q, 1.0), np.inf)
    vmin = np.array([t.value_min for t in targets], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        current = np.where(vmin > 0, planned / np.where(vmin > 0, vmin, 1.0), np.inf)
    return CapacityNorm(
        probability=probs, ratio=ratio, current_ratio=current, planned_homes=planned
    )


@dataclass(frozen=True)
class TargetDifference:
    """One target in two forecasts (``a`` against ``b``): homes and chances side by side.

    ``*_diff`` is a minus b (homes, or probability points as a fraction: 0.25 = 25 points);
    ``*_rel`` is (a - b) / b as a fraction (None where b is 0 or missing). ``in_b`` is False
    when forecast b does not answer the target (every b field is then None).
    """

    target_id: str
    in_b: bool
    p50_a: float
    p50_b: float | None
    p50_diff: float | None
    p50_rel: float | None
    mean_a: float
    mean_b: float | None
    mean_diff: float | None
    mean_rel: float | None
    p_min_a: float | None
    p_min_b: float | None
    p_min_diff: float | None


def _rel(a: float, b: float | None) -> float | None:
    return None if b is None or b == 0 else (a - b) / b


def compare_targets(
    a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]
) -> list[TargetDifference]:
    """Per target of forecast ``a`` (in its order) the difference with forecast ``b``.

    Inputs: two forecasts' per-target records (keys ``target_id``, ``p50``, ``mean`` and
    ``p_reach_min``, as ``opgave forecast --json`` prints them). The median and the mean
    differ in homes and relatively; the chance of reaching the minimum in points. Homes are
    what to look at when both chances are 0% or 100%: a scenario can halve a region's
    expected homes without moving a chance that was already 0.
    """
    by_id = {r["target_id"]: r for r in b}
    out = []
    for r in a:
        o = by_id.get(r["target_id"])
        p50_a, mean_a, p_a = float(r["p50"]), float(r["mean"]), r["p_reach_min"]
        p50_b = None if o is None else float(o["p50"])
        mean_b = None if o is None else float(o["mean"])
        p_b = None if o is None else o["p_reach_min"]
        out.append(
            TargetDifference(
                target_id=str(r["target_id"]),
                in_b=o is not None,
                p50_a=p50_a,
                p50_b=p50_b,
                p50_diff=None if p50_b is None else p50_a - p50_b,
                p50_rel=_rel(p50_a, p50_b),
                mean_a=mean_a,
                mean_b=mean_b,
                mean_diff=None if mean_b is None else mean_a - mean_b,
                mean_rel=_rel(mean_a, mean_b),
                p_min_a=None if p_a is None else float(p_a),
                p_min_b=None if p_b is None else float(p_b),
                p_min_diff=None if p_a is None or p_b is None else float(p_a) - float(p_b),
            )
        )
    return out


@dataclass(frozen=True)
class Fan:
    """Cumulative completions of some areas over runs, per year: the fan chart's lines."""

    area_code: tuple[str, ...]
    year: npt.NDArray[np.int64]
    cum_mean: FloatArray
    cum_p10: FloatArray
    cum_p50: FloatArray
    cum_p90: FloatArray


def fan(result: ForecastResult, areas: Sequence[int]) -> Fan:
    """The fan of the given areas only (by row of the result): the summaries of all areas are
    computed at once when first read, which is wasted work when only a few are asked for."""
    index = np.asarray(areas, dtype=np.int64)
    stats = summarise_runs(np.ascontiguousarray(result.completions_by_run[index]))
    return Fan(
        area_code=tuple(result.area_code[i] for i in index),
        year=result.year,
        cum_mean=stats["cum_mean"],
        cum_p10=stats["cum_p10"],
        cum_p50=stats["cum_p50"],
        cum_p90=stats["cum_p90"],
    )
