"""Forecast engine: Monte Carlo realisation of the plan pipeline, inputs -> simulated runs.

Inputs: the pipeline as arrays (:class:`PlanInputs`: planstatus, homes per year, area
membership, optional per-plan overrides, preconditions and regions) and the
:class:`~opgave.forecast.assumptions.Assumptions`. Output: a :class:`ForecastResult` with the
completions of every area, year and run (and, computed when first read, their mean and
P10/P50/P90). What is asked of the runs (targets, the capacity ratio needed, scenario
differences) is in :mod:`opgave.forecast.questions`. No database access; seeded and
reproducible. See docs/forecast.md for the model.

Model, per run:

* every plan draws ONE uniform ``u``; by inverse CDF it decides drop-out and otherwise its
  delay class ``k`` (0, 1, 2, ... whole years); its whole delivery schedule moves ``k`` years;
* **shared shocks**: each year has a building climate, the same for every plan in the country
  (plus, when plans carry a region, a regional part) and correlated from one year to the
  next. A plan's drop-out and delay probabilities depend on the climate of the year it is due
  to start (Vasicek's one-factor model: the marginal probabilities stay exactly those of its
  planstatus, the shock only makes plans due in the same year fail or slip together);
* each precondition draws one uniform the same way: not met, or met ``k`` years late; a plan
  delivers only if it survives AND every precondition it depends on is met, late by its own
  delay plus the largest delay of its preconditions;
* with a national production ceiling, homes above it in a year move to the next year.

Speed: a kernel compiled with numba draws each plan's 32-bit random words (numpy's SFC64
stream, stepped in the kernel for 16 blocks of runs side by side: vector code, off the GIL
and out of memory), classifies each against the plan's thresholds for that run and adds the
plan's schedule, moved by its (total) delay, into the completions of its *group* (plans with
the same area membership), run by run. Groups are then summed into areas (compiled too).
All values are whole homes below 2**24, so float32
sums are exact and results do not depend on chunking, threading or the order of the adds.
"""

from __future__ import annotations

import functools
import math
import os
import statistics
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from opgave.forecast.assumptions import Assumptions, ForecastInputError, Shocks, status_index

__all__ = [
    "LANES",
    "RUN_BLOCK",
    "SHOCK_LEVELS",
    "ForecastResult",
    "PlanInputs",
    "Preconditions",
    "delivery_schedule",
    "simulate",
    "warm_up",
]

RUN_BLOCK = 64
"""Runs per random-number block: block ``b`` (runs ``b*64 .. b*64+63``) always draws from
the generators seeded with ``SeedSequence(seed, spawn_key=(b, stream))``, so results do not
depend on the chunk size, the thread count or the total number of runs."""
LANES = 16
"""Blocks a chunk steps side by side: the kernel advances the SFC64 states of 16 blocks at
once (the compiler turns that into AVX-512/AVX2 vector code, 2.5x the speed of one state at a
time), so a chunk is at most 16 blocks (1,024 runs)."""
SHOCK_LEVELS = 256
"""The year condition takes one of this many equally likely levels (a fine discretisation of
the standard normal); thresholds per level are tabulated once per simulation."""
MAX_CAPACITY_YEARS = 50
"""A production ceiling may push completions at most this many years past the schedule."""

_EXACT_LIMIT = float(2**24)  # float32 represents every integer below this exactly
_NEVER = 2**31  # a 31-bit uniform is never >= this threshold
_TOL = 1e-9

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
UIntArray = npt.NDArray[np.uint32]


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def delivery_schedule(
    homes: npt.ArrayLike,
    first_year: npt.ArrayLike,
    last_year: npt.ArrayLike,
    *,
    schedule_first_year: int,
    n_years: int,
) -> npt.NDArray[np.int64]:
    """Spread each plan's homes evenly over its years, whole homes, remainder to the earliest.

    Inputs: per plan ``homes`` (>= 0 integers), ``first_year`` and ``last_year`` (inclusive).
    Output: (n_plans x n_years) homes per calendar year from ``schedule_first_year``. Years
    outside the window are an error (a plan list should not be silently cut).
    """
    h = np.asarray(homes, dtype=np.int64).reshape(-1)
    y0 = np.asarray(first_year, dtype=np.int64).reshape(-1)
    y1 = np.asarray(last_year, dtype=np.int64).reshape(-1)
    problems: list[str] = []
    if not len(h) == len(y0) == len(y1):
        raise ForecastInputError(
            [f"homes, first_year, last_year: lengths differ ({len(h)}, {len(y0)}, {len(y1)})"]
        )
    window_end = schedule_first_year + n_years - 1
    for name, rows in (
        ("homes: expected >= 0", np.flatnonzero(h < 0)),
        ("last_year: expected >= first_year", np.flatnonzero(y1 < y0)),
        (
            f"first_year: expected >= {schedule_first_year}",
            np.flatnonzero(y0 < schedule_first_year),
        ),
        (f"last_year: expected <= {window_end}", np.flatnonzero(y1 > window_end)),
    ):
        if len(rows):
            problems.append(f"{name} (rows {rows[:10].tolist()}{'...' if len(rows) > 10 else ''})")
    if problems:
        raise ForecastInputError(problems)
    span = y1 - y0 + 1
    base, rest = np.divmod(h, span)
    years = np.arange(n_years)[None, :] + schedule_first_year
    offset = years - y0[:, None]
    inside = (offset >= 0) & (years <= y1[:, None])
    out = np.where(inside, base[:, None] + (offset < rest[:, None]), 0)
    return out.astype(np.int64)


@dataclass(frozen=True)
class Preconditions:
    """Preconditions (a rail upgrade, a nitrogen permit, ...) that gate plans.

    ``p_met[j]`` is the probability precondition ``j`` is met at all; ``delay_prob[j, k]`` the
    probability it is met ``k`` years late (rows add up to 1).
    """

    name: tuple[str, ...]
    p_met: FloatArray
    delay_prob: FloatArray


@dataclass(frozen=True)
class PlanInputs:
    """The plan pipeline as plain arrays, one row per plan.

    * ``planstatus``: (n_plans,) DiWi codes, see ``assumptions.PLANSTATUSES``.
    * ``schedule_homes``: (n_plans x n_years) whole homes per calendar year from ``first_year``
      (build it with :func:`delivery_schedule`).
    * ``area_member``: (n_plans x n_areas) 0/1, 1 for every area containing the plan's
      municipality (areas overlap: municipality, region, province, nation ...).
    * ``area_code``: (n_areas,) the area codes, in column order.
    * ``dropout_prob`` / ``delay_prob``: optional per-plan overrides (NaN = use assumptions);
      ``delay_prob`` is (n_plans x n_delay) with whole rows NaN or a distribution.
    * ``depends_on``: optional (n_plans x n_preconditions) 0/1, with ``preconditions``.
    * ``region``: optional (n_plans,) index into ``region_code`` (e.g. the province): plans
      of one region share the regional part of the year shocks.
    """

    planstatus: npt.NDArray[Any]
    schedule_homes: npt.NDArray[Any]
    first_year: int
    area_member: npt.NDArray[Any]
    area_code: tuple[str, ...]
    dropout_prob: FloatArray | None = None
    delay_prob: FloatArray | None = None
    depends_on: npt.NDArray[Any] | None = None
    preconditions: Preconditions | None = None
    region: npt.NDArray[Any] | None = None
    region_code: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastResult:
    """Completions per area (rows), calendar year (columns) and run, with their summaries.

    ``completions_by_run`` (n_areas x n_years x runs, float32, whole homes) keeps every run
    for the questions of :mod:`opgave.forecast.questions`. ``planned_homes``: the schedule as
    planned (no drop-out, no delay). ``mean``/``p10``/``p50``/``p90``: completions in that
    year over runs; ``cum_*``: cumulative completions up to and including that year (from
    ``year[0]``); both are computed when first read. The year axis runs from the schedule's
    first year to its last year plus the longest possible delay (and the years a production
    ceiling may add), so no delivery falls off the end. Percentiles equal ``np.quantile``
    (linear interpolation). ``assumptions``: which assumptions were used (``stated``).
    """

    area_code: tuple[str, ...]
    year: IntArray
    runs: int
    seed: int
    planned_homes: FloatArray
    completions_by_run: Float32Array = field(repr=False)
    assumptions: tuple[str, ...] = ()

    @functools.cached_property
    def _stats(self) -> dict[str, FloatArray]:
        return summarise_runs(self.completions_by_run)

    @property
    def mean(self) -> FloatArray:
        return self._stats["mean"]

    @property
    def p10(self) -> FloatArray:
        return self._stats["p10"]

    @property
    def p50(self) -> FloatArray:
        return self._stats["p50"]

    @property
    def p90(self) -> FloatArray:
        return self._stats["p90"]

    @property
    def cum_mean(self) -> FloatArray:
        return self._stats["cum_mean"]

    @property
    def cum_p10(self) -> FloatArray:
        return self._stats["cum_p10"]

    @property
    def cum_p50(self) -> FloatArray:
        return self._stats["cum_p50"]

    @property
    def cum_p90(self) -> FloatArray:
        return self._stats["cum_p90"]


# --------------------------------------------------------------------------------------------
# Shared shocks: thresholds per level of the year condition
# --------------------------------------------------------------------------------------------

_ERFC = (  # Numerical Recipes' erfcc: fractional error below 1.2e-7 everywhere
    -1.26551223,
    1.00002368,
    0.37409196,
    0.09678418,
    -0.18628806,
    0.27886807,
    -1.13520398,
    1.48851587,
    -0.82215223,
    0.17087277,
)


def _ndtr(x: FloatArray) -> FloatArray:
    """The standard normal CDF, vectorised (numpy has no erf)."""
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = np.full_like(t, _ERFC[-1])
    for c in _ERFC[-2:0:-1]:
        poly = c + t * poly
    r = t * np.exp(-z * z + _ERFC[0] + t * poly)
    out: FloatArray = np.where(x >= 0, 1.0 - 0.5 * r, 0.5 * r)
    return out


def _npdf(x: FloatArray) -> FloatArray:
    out: FloatArray = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return out


@functools.cache
def shock_levels(n: int = SHOCK_LEVELS) -> tuple[FloatArray, FloatArray]:
    """``n`` equally likely levels of a standard normal: the ``n - 1`` bounds between them
    and each level's conditional mean (the value the thresholds are computed at)."""
    normal = statistics.NormalDist()
    bounds = np.array([normal.inv_cdf(i / n) for i in range(1, n)])
    pdf = np.concatenate([[0.0], _npdf(bounds), [0.0]])
    means = n * (pdf[:-1] - pdf[1:])
    return bounds, means


def _solve_offsets(
    target: FloatArray, loading: float, x: FloatArray, weight: FloatArray | None = None
) -> FloatArray:
    """Per problem ``i`` the offset ``a_i`` with ``mean_l w_il * Phi((a_i + b*x_l)/s)`` equal
    to ``target_i`` (``s = sqrt(1 - b^2)``, weighted mean over levels): the conditional
    probability whose average over the year conditions is exactly the marginal one. Newton's
    method from the continuous solution ``Phi^-1(target)``."""
    normal = statistics.NormalDist()
    a = np.array([normal.inv_cdf(min(max(float(t), 1e-15), 1 - 1e-15)) for t in target])
    s = math.sqrt(1.0 - loading**2)
    w = np.ones((len(target), len(x))) if weight is None else weight
    w = w / w.sum(axis=1, keepdims=True)
    for _ in range(60):
        z = (a[:, None] + loading * x[None, :]) / s
        value = (w * _ndtr(z)).sum(axis=1)
        slope = (w * _npdf(z)).sum(axis=1) / s
        step = np.clip((value - target) / np.maximum(slope, 1e-300), -2.0, 2.0)
        a = a - step
        if np.abs(step).max(initial=0.0) < 1e-13:
            break
    return a


def _thresholds(dropout: FloatArray, delay: FloatArray) -> FloatArray:
    """Inverse-CDF thresholds ``c_k`` (no shocks): a uniform ``u >= c_k`` means 'delivers, at
    least k years late'. ``c_k = 1 - (1 - dropout) * P(delay >= k)``; impossible classes get
    ``inf`` so rounding can never turn a zero probability into a tiny positive one."""
    tail = np.cumsum(delay[:, ::-1], axis=1)[:, ::-1]  # P(delay >= k)
    tail = np.where(tail > _TOL, np.minimum(tail, 1.0), 0.0)
    c = 1.0 - (1.0 - dropout[:, None]) * tail
    c[:, 0] = np.where(dropout >= 1.0 - _TOL, np.inf, np.where(dropout <= _TOL, 0.0, dropout))
    c[tail <= 0.0] = np.inf
    return c


def level_thresholds(dropout: FloatArray, delay: FloatArray, shocks: Shocks) -> FloatArray:
    """Thresholds ``c_k`` per class and level of the year condition: (classes x K x levels).

    Level ``l`` of the condition (``x_l``, high = a bad year) gives the conditional drop-out
    ``Phi((a + b_d x_l) / s_d)`` and the conditional ``P(delay >= k | delivers)``
    ``Phi((a_k + b_l x_l) / s_l)`` (``b = sqrt(correlation)``); the offsets are solved so that
    averaged over the levels they equal the class's drop-out and delay exactly (the delay
    weighted by the chance to deliver). Without shocks there is one level: :func:`_thresholds`.
    """
    base = _thresholds(dropout, delay)
    if not shocks.active or not len(dropout):
        return base[:, :, None]
    _, x = shock_levels()
    p_drop = np.repeat(dropout[:, None], len(x), axis=1)
    b_d = math.sqrt(shocks.dropout_correlation)
    free = (dropout > _TOL) & (dropout < 1.0 - _TOL)
    if b_d > 0 and free.any():
        a = _solve_offsets(dropout[free], b_d, x)
        p_drop[free] = _ndtr((a[:, None] + b_d * x[None, :]) / math.sqrt(1 - b_d**2))
    tail = np.cumsum(delay[:, ::-1], axis=1)[:, ::-1]
    tail = np.where(tail > _TOL, np.minimum(tail, 1.0), 0.0)
    tails = np.repeat(tail[:, :, None], len(x), axis=2)  # (classes x K x levels)
    b_l = math.sqrt(shocks.delay_correlation)
    cls, ks = np.nonzero((tail > _TOL) & (tail < 1.0 - _TOL) & (dropout[:, None] < 1 - _TOL))
    if b_l > 0 and len(cls):
        weight = 1.0 - p_drop[cls]
        a = _solve_offsets(tail[cls, ks], b_l, x, weight)
        tails[cls, ks] = _ndtr((a[:, None] + b_l * x[None, :]) / math.sqrt(1 - b_l**2))
    c = 1.0 - (1.0 - p_drop[:, None, :]) * tails
    c[:, 0, :] = p_drop
    c[np.isinf(base)] = np.inf  # impossible stays impossible, certain stays certain
    c[:, 0, :] = np.where((dropout <= _TOL)[:, None], 0.0, c[:, 0, :])
    return c


def _as_words(c: FloatArray) -> UIntArray:
    """Thresholds as 31-bit integers: a 31-bit uniform word ``w`` is ``>= t`` with probability
    ``1 - t / 2**31``; ``inf`` (never) becomes ``2**31``."""
    words = np.where(np.isinf(c), float(_NEVER), np.rint(np.clip(c, 0.0, 1.0) * _NEVER))
    return words.astype(np.uint32)


# --------------------------------------------------------------------------------------------
# Preparation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    """Everything a chunk needs, plans in draw order (by area pattern, then input order);
    a *group* is the plans sharing one area pattern, a *combo* the plans sharing one
    threshold class, due year and region (they share thresholds in every run)."""

    n_plans: int
    n_groups: int
    n_year_axis: int
    n_years: int  # schedule years (the years the shocks are drawn for)
    n_regions: int
    shocks: Shocks
    table: UIntArray  # (classes x K x levels) 31-bit thresholds
    combo_class: IntArray
    combo_due: IntArray
    combo_region: IntArray
    plan_combo: IntArray  # (n_plans,)
    plan_classes: IntArray  # (n_plans,) delay classes a plan can reach (0: never delivers)
    pre_threshold: FloatArray  # (n_pre x K): precondition met with delay >= k thresholds
    pre_sets: tuple[IntArray, ...]  # distinct precondition sets of gated plans
    n_set_delays: int  # most delays (0, 1, ...) of any precondition set
    plan_first: IntArray  # (n_plans,) first schedule year with homes
    plan_len: IntArray  # (n_plans,) years from plan_first to the last with homes (0: none)
    plan_homes: Float32Array  # (n_plans x W) homes per year from plan_first on
    plan_group: IntArray  # (n_plans,) the plan's group
    plan_set: IntArray  # (n_plans,) precondition set of gated plans, -1 for the others
    sum_area: IntArray  # areas with plans
    sum_start: IntArray  # (len(sum_area) + 1,) area i's groups: sum_group[start[i]:start[i+1]]
    sum_group: IntArray  # the groups of each area, area after area
    n_areas: int
    ceiling: float | None  # national production ceiling per year
    planned_homes: FloatArray  # (n_areas x schedule years): no drop-out, no delay


def _check_inputs(plans: PlanInputs) -> list[str]:
    """Shape and value checks of :class:`PlanInputs`; returns the problems found."""
    problems: list[str] = []
    sched = np.asarray(plans.schedule_homes)
    if sched.ndim != 2:
        return [f"schedule_homes: expected a 2-D (plans x years) array, got shape {sched.shape}"]
    n = sched.shape[0]
    status = np.asarray(plans.planstatus)
    if status.shape != (n,):
        problems.append(f"planstatus: expected shape ({n},), got {status.shape}")
    ok = np.isfinite(sched) & (sched >= 0) & (sched == np.round(sched))
    if not ok.all():
        rows = np.flatnonzero(~ok.all(axis=1))
        problems.append(f"schedule_homes: expected whole homes >= 0 (rows {rows[:10].tolist()})")
    member = np.asarray(plans.area_member)
    if member.ndim != 2 or member.shape[0] != n:
        problems.append(f"area_member: expected shape ({n}, n_areas), got {member.shape}")
    elif member.shape[1] != len(plans.area_code):
        problems.append(
            f"area_member: {member.shape[1]} columns but {len(plans.area_code)} area codes"
        )
    elif member.dtype != np.bool_ and not _is_01(member):
        problems.append("area_member: expected 0/1 values")
    if plans.dropout_prob is not None:
        d = np.asarray(plans.dropout_prob, dtype=float)
        if d.shape != (n,):
            problems.append(f"dropout_prob: expected shape ({n},), got {d.shape}")
        else:
            rows = np.flatnonzero(~np.isnan(d) & ~((d >= 0) & (d <= 1)))
            if len(rows):
                problems.append(
                    "dropout_prob: expected NaN or a probability in [0, 1] "
                    f"(rows {rows[:10].tolist()})"
                )
    if plans.delay_prob is not None:
        q = np.asarray(plans.delay_prob, dtype=float)
        if q.ndim != 2 or q.shape[0] != n:
            problems.append(f"delay_prob: expected shape ({n}, n_delay), got {q.shape}")
        else:
            nan = np.isnan(q)
            partial = np.flatnonzero(nan.any(axis=1) & ~nan.all(axis=1))
            given = ~nan.any(axis=1)
            wrong = (q < 0).any(axis=1) | (q > 1).any(axis=1) | (np.abs(q.sum(axis=1) - 1) > _TOL)
            bad = np.flatnonzero(given & wrong)
            if len(partial):
                problems.append(
                    "delay_prob: rows must be all NaN or all numbers "
                    f"(rows {partial[:10].tolist()})"
                )
            if len(bad):
                problems.append(
                    "delay_prob: rows must be probabilities adding up to 1 "
                    f"(rows {bad[:10].tolist()})"
                )
    pre = plans.preconditions
    n_pre = 0 if pre is None else len(pre.name)
    if pre is not None:
        p_met = np.asarray(pre.p_met, dtype=float)
        dq = np.asarray(pre.delay_prob, dtype=float)
        if p_met.shape != (n_pre,) or not ((p_met >= 0) & (p_met <= 1)).all():
            problems.append(f"preconditions.p_met: expected {n_pre} probabilities in [0, 1]")
        if dq.ndim != 2 or dq.shape[0] != n_pre:
            problems.append(
                f"preconditions.delay_prob: expected shape ({n_pre}, n_delay), got {dq.shape}"
            )
        else:
            wrong = (dq < 0).any(axis=1) | (dq > 1).any(axis=1)
            wrong |= np.abs(dq.sum(axis=1) - 1) > _TOL
            for j in np.flatnonzero(wrong):
                problems.append(
                    f"preconditions.delay_prob: row {j} ({pre.name[j]!r}) must be "
                    "probabilities adding up to 1"
                )
    if plans.depends_on is not None:
        dep = np.asarray(plans.depends_on)
        if dep.shape != (n, n_pre):
            problems.append(
                f"depends_on: expected shape ({n}, {n_pre}) (plans x preconditions), "
                f"got {dep.shape}"
            )
        elif not _is_01(dep):
            problems.append("depends_on: expected 0/1 values")
    if plans.region is not None:
        reg = np.asarray(plans.region)
        n_reg = len(plans.region_code)
        if reg.shape != (n,) or (n and (reg.min() < 0 or reg.max() >= n_reg)):
            problems.append(
                f"region: expected ({n},) indices into region_code (0..{n_reg - 1}), "
                f"got shape {reg.shape}"
            )
    return problems


def _is_01(x: npt.NDArray[Any]) -> bool:
    """True when every value is 0 or 1 (or False/True)."""
    return bool(((x == 0) | (x == 1)).all())


def _row_ids(rows: npt.NDArray[Any]) -> IntArray:
    """Number distinct rows 0, 1, ... in order of first appearance (exact, by their bytes)."""
    if not rows.size:  # no rows, or rows without bytes: all alike
        return np.zeros(len(rows), dtype=np.int64)
    rows = np.ascontiguousarray(rows)
    keys = rows.view(np.dtype((np.void, rows.shape[1] * rows.itemsize)))
    _, first, inverse = np.unique(keys.reshape(-1), return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    ids: IntArray = rank[inverse.reshape(-1)]
    return ids


def _prepare(plans: PlanInputs, assumptions: Assumptions) -> _Model:
    """Validate the inputs and derive groups, threshold tables, combos and compact schedules.

    Inputs: the plan arrays and assumptions. Output: a :class:`_Model`, plans in draw order
    (the order uniforms are drawn: by area membership pattern, then input order).
    """
    problems = _check_inputs(plans)
    if problems:
        raise ForecastInputError(problems)
    sched = np.asarray(plans.schedule_homes, dtype=np.float64)
    n, n_years = sched.shape
    member = np.asarray(plans.area_member).astype(bool)
    n_areas = member.shape[1]
    dropout = assumptions.dropout_for(plans.planstatus) if n else np.zeros(0)
    delay = assumptions.delay_for(plans.planstatus) if n else np.zeros((0, 1))
    if plans.dropout_prob is not None:
        over = np.asarray(plans.dropout_prob, dtype=float)
        dropout = np.where(np.isnan(over), dropout, over)
    if plans.delay_prob is not None:
        over_q = np.asarray(plans.delay_prob, dtype=float)
        width = max(delay.shape[1], over_q.shape[1])
        delay = np.pad(delay, ((0, 0), (0, width - delay.shape[1])))
        over_q = np.pad(over_q, ((0, 0), (0, width - over_q.shape[1])))
        given = ~np.isnan(over_q).any(axis=1)
        delay[given] = over_q[given]

    # threshold classes: plans with the same drop-out and delay distribution
    keys = np.concatenate([dropout[:, None], delay], axis=1)
    if plans.dropout_prob is None and plans.delay_prob is None and n:
        plan_class = status_index(np.asarray(plans.planstatus).astype(str))  # the usual case
    else:
        plan_class = _row_ids(keys)
    first_of = np.zeros(int(plan_class.max(initial=-1)) + 1, dtype=np.int64)
    first_of[plan_class[::-1]] = np.arange(n)[::-1]  # a plan of each class
    class_keys = keys[first_of] if n else np.zeros((0, 2))
    marginal = _thresholds(class_keys[:, 0], class_keys[:, 1:])
    class_reach = (marginal < 1.0).sum(axis=1).astype(np.int64)  # reachable delay classes
    n_k = max(int(class_reach.max(initial=0)), 1)
    shocks = assumptions.shocks
    if n:
        levels = level_thresholds(class_keys[:, 0], class_keys[:, 1:], shocks)
        table = _as_words(levels[:, :n_k, :])
    else:
        table = np.full((0, 1, 1), _NEVER, dtype=np.uint32)

    pre = plans.preconditions
    n_pre = 0 if pre is None else len(pre.name)
    if pre is not None and n_pre:
        pre_c = _thresholds(
            1.0 - np.asarray(pre.p_met, dtype=float),
            np.asarray(pre.delay_prob, dtype=float),
        )
        pre_max_delay = np.maximum((pre_c < 1.0).sum(axis=1) - 1, 0)
    else:
        pre_c = np.zeros((0, 1))
        pre_max_delay = np.zeros(0, dtype=np.int64)
    dep = (
        np.asarray(plans.depends_on).astype(bool)
        if plans.depends_on is not None
        else np.zeros((n, n_pre), dtype=bool)
    )
    gated: BoolArray = np.asarray(dep.any(axis=1), dtype=bool)
    if gated.any():
        sets, set_of_gated = np.unique(dep[gated], axis=0, return_inverse=True)
        set_of_plan = np.full(n, -1, dtype=np.int64)
        set_of_plan[gated] = set_of_gated.reshape(-1)
    else:
        sets = np.zeros((0, n_pre), dtype=bool)
        set_of_plan = np.full(n, -1, dtype=np.int64)
    pre_sets = tuple(np.flatnonzero(s).astype(np.int64) for s in sets)
    set_delay = np.array([int(pre_max_delay[s].max()) for s in pre_sets], dtype=np.int64)
    n_axis = n_years + (n_k - 1) + (int(set_delay.max()) if len(set_delay) else 0)

    ceiling = assumptions.capacity.national_max_homes_per_year
    total = float(sched.sum())
    if ceiling:
        extra = math.ceil(total / ceiling)
        if extra > MAX_CAPACITY_YEARS:
            raise ForecastInputError(
                [
                    f"capacity: a ceiling of {ceiling:.0f} homes a year would push the "
                    f"pipeline's {total:.0f} homes more than {MAX_CAPACITY_YEARS} years "
                    "past its schedule; raise [capacity].national_max_homes_per_year"
                ]
            )
        n_axis += extra

    # draw order: area pattern, planstatus, due year (first year with homes), input order -
    # plans that share thresholds come together (cache), and the order does not depend on
    # the assumptions' values (a scenario changing them reuses the same random numbers)
    pattern = _row_ids(np.packbits(member, axis=1))
    has_homes = sched != 0
    due_in = (
        np.where(has_homes.any(axis=1), has_homes.argmax(axis=1), 0)
        if n_years
        else np.zeros(n, dtype=np.int64)
    )
    status_code = status_index(np.asarray(plans.planstatus).astype(str)) if n else pattern
    order = np.lexsort((np.arange(n), due_in, status_code, pattern))
    n_groups = int(pattern.max()) + 1 if n else 0
    bounds = np.searchsorted(pattern[order], np.arange(n_groups + 1))
    group_member = np.zeros((n_groups, n_areas), dtype=bool)
    limit = total
    for g in range(n_groups):
        idx = order[int(bounds[g]) : int(bounds[g + 1])]
        group_member[g] = member[idx[0]]
        col = float(sched[idx].sum(axis=0).max(initial=0.0))
        limit = max(limit, float(sched[idx].sum()) + col)
    if limit >= _EXACT_LIMIT:  # float32 sums of whole homes are exact below 2**24
        raise ForecastInputError(
            [
                f"schedule_homes: sums up to {limit:.0f} homes exceed what float32 adds exactly "
                f"({_EXACT_LIMIT:.0f}); split the simulation by area"
            ]
        )
    plan_group = pattern[order].astype(np.int64)

    # compact schedules: the years from the first to the last with homes
    with_homes = sched[order] != 0
    has = with_homes.any(axis=1)
    plan_first = np.where(has, with_homes.argmax(axis=1), 0) if n_years else np.zeros(n, int)
    plan_last = (
        np.where(has, n_years - 1 - with_homes[:, ::-1].argmax(axis=1), -1)
        if n_years
        else plan_first - 1
    )
    plan_len = (plan_last - plan_first + 1).astype(np.int64)
    span = np.arange(int(plan_len.max(initial=0)))
    cols = np.minimum(plan_first[:, None] + span[None, :], max(n_years - 1, 0))
    plan_homes = np.where(
        span[None, :] < plan_len[:, None],
        np.take_along_axis(sched[order].astype(np.float32), cols, axis=1),
        0.0,
    )

    # combos: threshold class x due year x region (shared thresholds in every run)
    n_regions = max(len(plans.region_code), 1) if plans.region is not None else 1
    region = (
        np.asarray(plans.region, dtype=np.int64)[order]
        if plans.region is not None
        else np.zeros(n, dtype=np.int64)
    )
    due = plan_first.astype(np.int64) if shocks.active else np.zeros(n, dtype=np.int64)
    if not shocks.active:
        region = np.zeros(n, dtype=np.int64)
    n_due = max(n_years, 1)
    key = (plan_class[order] * n_due + due) * n_regions + region
    unique_keys, plan_combo = np.unique(key, return_inverse=True)
    combos = np.stack(
        [
            unique_keys // (n_due * n_regions),
            unique_keys // n_regions % n_due,
            unique_keys % n_regions,
        ],
        axis=1,
    ).astype(np.int64)

    per_area = group_member.sum(axis=0)
    sum_area = np.flatnonzero(per_area > 0)
    _, area_group = np.nonzero(group_member[:, sum_area].T)  # groups, area after area
    sum_start = np.concatenate([[0], np.cumsum(per_area[sum_area])])
    return _Model(
        n_plans=n,
        n_groups=n_groups,
        n_year_axis=n_axis,
        n_years=n_years,
        n_regions=n_regions,
        shocks=shocks,
        table=np.ascontiguousarray(table),
        combo_class=combos[:, 0].copy(),
        combo_due=combos[:, 1].copy(),
        combo_region=combos[:, 2].copy(),
        plan_combo=np.asarray(plan_combo, dtype=np.int64).reshape(-1),
        plan_classes=class_reach[plan_class[order]] if n else np.zeros(0, dtype=np.int64),
        pre_threshold=pre_c,
        pre_sets=pre_sets,
        n_set_delays=int(set_delay.max(initial=0)) + 1,
        plan_first=plan_first.astype(np.int64),
        plan_len=plan_len,
        plan_homes=np.ascontiguousarray(plan_homes, dtype=np.float32),
        plan_group=plan_group,
        plan_set=set_of_plan[order].astype(np.int64),
        sum_area=sum_area.astype(np.int64),
        sum_start=sum_start.astype(np.int64),
        sum_group=np.asarray(area_group, dtype=np.int64),
        n_areas=n_areas,
        ceiling=ceiling,
        planned_homes=_planned_homes(sched, member, order, bounds),
    )


def _planned_homes(
    sched: FloatArray, member: BoolArray, order: IntArray, bounds: IntArray
) -> FloatArray:
    """Planned homes per area and schedule year: schedules summed per membership pattern
    (plans in draw order, pattern ``g`` from ``bounds[g]``), then patterns into areas."""
    planned = np.zeros((member.shape[1], sched.shape[1]))
    if len(bounds) > 1:
        by_pattern = np.add.reduceat(sched[order], bounds[:-1], axis=0)
        planned = member[order[bounds[:-1]]].T.astype(np.float64) @ by_pattern
    return planned


# --------------------------------------------------------------------------------------------
# One chunk of runs
# --------------------------------------------------------------------------------------------


def _block_generator(seed: int, block: int, stream: int) -> np.random.Generator:
    """The generator of one run block; stream 0 = plans, 1 = preconditions, 2 = year shocks."""
    seq = np.random.SeedSequence(seed, spawn_key=(block, stream))
    return np.random.Generator(np.random.SFC64(seq))


def _year_levels(model: _Model, seed: int, first_block: int, n_blocks: int) -> IntArray:
    """Level of the year condition per schedule year, region and run: (years x regions x runs).

    The national condition is a stationary AR(1) series of standard normals per run
    (``Z_y = phi Z_{y-1} + sqrt(1 - phi^2) e_y``), each region's likewise; a region's
    condition is ``sqrt(1 - w) Z_national + sqrt(w) Z_region``, cut into the equally likely
    levels of :func:`shock_levels`. One draw per block (stream 2), so no chunking matters.
    """
    shocks = model.shocks
    n_y, n_r = max(model.n_years, 1), model.n_regions
    regional = n_r > 1 and shocks.regional_share > 0
    parts = []
    for b in range(n_blocks):
        gen = _block_generator(seed, first_block + b, 2)
        national = gen.standard_normal((n_y, RUN_BLOCK))
        local = gen.standard_normal((n_r, n_y, RUN_BLOCK)) if regional else None
        parts.append((national, local))
    phi = shocks.persistence
    keep = math.sqrt(1.0 - phi**2)

    def ar(e: FloatArray) -> FloatArray:
        z = e.copy()
        for y in range(1, z.shape[-2]):
            z[..., y, :] = phi * z[..., y - 1, :] + keep * e[..., y, :]
        return z

    national = ar(np.concatenate([p[0] for p in parts], axis=1))  # (years x runs)
    if regional:
        local = ar(np.concatenate([p[1] for p in parts if p[1] is not None], axis=2))
        w = shocks.regional_share
        x = math.sqrt(1.0 - w) * national[None, :, :] + math.sqrt(w) * local
        x = x.transpose(1, 0, 2)  # (years x regions x runs)
    else:
        x = np.broadcast_to(national[:, None, :], (n_y, n_r, national.shape[1]))
    bounds, _ = shock_levels()
    levels: IntArray = np.searchsorted(bounds, x).astype(np.int64)
    return levels


def _chunk_thresholds(
    model: _Model, seed: int, first_block: int, n_blocks: int, order: IntArray
) -> UIntArray:
    """Thresholds per combo, delay class and position of the chunk's runs: (combos x K x
    positions), position ``i`` holding run ``order[i]`` (runs past the chunk: level 0)."""
    width = len(order)
    if not model.shocks.active or not len(model.combo_class):
        fixed = model.table[model.combo_class, :, 0]  # one level
        return np.ascontiguousarray(np.broadcast_to(fixed[:, :, None], (*fixed.shape, width)))
    levels = _year_levels(model, seed, first_block, n_blocks)
    at = np.zeros((len(model.combo_class), n_blocks * RUN_BLOCK + 1), dtype=np.int64)
    at[:, :-1] = levels[model.combo_due, model.combo_region]  # (combos x runs), then level 0
    at = np.ascontiguousarray(at[:, np.minimum(order, n_blocks * RUN_BLOCK)])
    out = np.empty((len(model.combo_class), model.table.shape[1], width), dtype=np.uint32)
    _kernels()[1](model.table, model.combo_class, at, out)
    return out


def _fill_thresholds(table: UIntArray, combo_class: IntArray, at: IntArray, out: UIntArray) -> None:
    """``out[c, k, r] = table[class of c, k, level of c in run r]`` (compiled: numpy's fancy
    indexing takes about 8 ns an element here)."""
    n_c, n_k, n_r = out.shape
    for c in range(n_c):
        cls = combo_class[c]
        for k in range(n_k):
            row = table[cls, k]
            dst = out[c, k]
            for r in range(n_r):
                dst[r] = row[at[c, r]]


def _set_met(model: _Model, seed: int, first_block: int, n_blocks: int) -> Float32Array:
    """``met[set, e, run]`` = 1 when the precondition set is met with a delay of ``e`` years.

    Each precondition draws one uniform per run (inverse CDF: not met, or met ``k`` years
    late); a set is met when all its preconditions are, with the largest of their delays.
    """
    width = n_blocks * RUN_BLOCK
    n_pre = model.pre_threshold.shape[0]
    n_e = model.n_set_delays
    met = np.zeros((max(len(model.pre_sets), 1), n_e, LANES * RUN_BLOCK), dtype=np.float32)
    if not model.pre_sets:
        return met
    u = np.concatenate(
        [
            _block_generator(seed, first_block + b, 1).random((n_pre, RUN_BLOCK))
            for b in range(n_blocks)
        ],
        axis=1,
    )
    pre_delay = (u[:, None, :] >= model.pre_threshold[:, :, None]).sum(axis=1) - 1  # -1: not met
    for s, members in enumerate(model.pre_sets):
        d = pre_delay[members]
        state = np.where((d < 0).any(axis=0), -1, d.max(axis=0))
        met[s, :, :width] = state[None, :] == np.arange(n_e)[:, None]
    return met


def _apply_ceiling(group_out: Float32Array, ceiling: float) -> None:
    """Cap national completions per year and run at ``ceiling``: in a year over it every
    group delivers ``floor(demand * ceiling / national demand)`` whole homes and carries the
    rest into the next year (so at most one home per group below the ceiling is carried as
    well). Exact whole numbers, elementwise per run: independent of chunking."""
    n_groups, n_axis, width = group_out.shape
    carry = np.zeros((n_groups, width))
    for t in range(n_axis):
        demand = group_out[:, t, :] + carry
        total = demand.sum(axis=0)
        over = total > ceiling
        if over.any():
            scale = np.where(over, ceiling / np.where(over, total, 1.0), 1.0)
            delivered = np.where(over[None, :], np.floor(demand * scale[None, :]), demand)
        else:
            delivered = demand
        group_out[:, t, :] = delivered
        carry = demand - delivered
    if carry.any():  # cannot happen: the year axis is long enough (see _prepare)
        raise AssertionError("production ceiling: completions left beyond the year axis")


def _simulate_chunk(
    model: _Model,
    seed: int,
    first_block: int,
    n_blocks: int,
    buffers: dict[str, Float32Array],
    out: Float32Array,
) -> None:
    """Completions per area, year and run for runs ``first_block*RUN_BLOCK`` onwards.

    Lets the compiled kernel draw one 32-bit random word per plan and run (plans in draw
    order, each block of runs from its own generator, up to 16 blocks side by side) and add
    every plan's moved schedule into its group's completions (groups x years x runs, the runs
    interleaved); applies the production ceiling; then sums the groups of every area into
    ``out`` in run order (compiled). Output: written into
    ``out`` (n_areas x n_year_axis x the runs of the chunk; areas without plans stay as they
    are).
    """
    width = n_blocks * RUN_BLOCK
    n_axis = model.n_year_axis
    n_groups = model.n_groups
    # the kernel keeps a chunk's runs interleaved (see _add_completions): position i holds run
    # order[i] (runs past the chunk's belong to unused lanes and are never copied out)
    order, position = _lane_order()
    met = _set_met(model, seed, first_block, n_blocks)[:, :, order]
    thresholds = _chunk_thresholds(model, seed, first_block, n_blocks, order)
    group_out = _buffer(buffers, "group_out", (n_groups, n_axis, LANES * RUN_BLOCK))
    group_out[...] = 0.0
    kernel = _kernel()
    states = np.zeros((4, LANES), dtype=np.uint64)  # unused lanes step a zero state
    for b in range(n_blocks):
        gen = _block_generator(seed, first_block + b, 0)
        states[:, b] = gen.bit_generator.state["state"]["state"]
    kernel(
        states,
        model.n_plans,
        model.plan_combo,
        model.plan_classes,
        thresholds,
        model.plan_first,
        model.plan_len,
        model.plan_homes,
        model.plan_group,
        model.plan_set,
        met,
        group_out,
    )
    if model.ceiling:
        _apply_ceiling(group_out, model.ceiling)
    if len(model.sum_area):  # groups into areas, compiled (a 0/1 matrix product costs more)
        row = _buffer(buffers, "row", (LANES * RUN_BLOCK,))
        _kernels()[2](
            group_out, model.sum_start, model.sum_group, model.sum_area, position[:width], row, out
        )


@functools.cache
def _lane_order() -> tuple[IntArray, IntArray]:
    """The kernel's interleaved run order: position ``i = 2*LANES*j + LANES*h + b`` holds
    word ``2*j + h`` of lane (block) ``b``, that is run ``b*RUN_BLOCK + 2*j + h`` of the
    chunk. Returns that run per position and the position of each run."""
    i = np.arange(LANES * RUN_BLOCK)
    j, h, b = i // (2 * LANES), i // LANES % 2, i % LANES
    order = (b * RUN_BLOCK + 2 * j + h).astype(np.int64)
    position = np.argsort(order).astype(np.int64)
    return order, position


def _buffer(buffers: dict[str, Float32Array], name: str, shape: tuple[int, ...]) -> Float32Array:
    """A float32 scratch array of ``shape``, reusing the worker's largest allocation so far."""
    size = math.prod(shape)
    buf = buffers.get(name)
    if buf is None or buf.size < size:
        buf = np.empty(size, dtype=np.float32)
        buffers[name] = buf
    return buf[:size].reshape(shape)


def _sum_rows(
    src: Float32Array,
    start: IntArray,
    groups: IntArray,
    areas: IntArray,
    at: IntArray,
    row: Float32Array,
    out: Float32Array,
) -> None:
    """``out[areas[i], y, r]`` = the sum over the groups ``groups[start[i]:start[i+1]]`` of
    ``src[group, y, at[r]]``, for the runs of ``out`` (a strided view into every run kept;
    ``at``: where the kernel's interleaved order keeps run ``r``; ``row``: scratch)."""
    n_axis, n_r = out.shape[1], out.shape[2]
    n_w = src.shape[2]
    for i in range(len(areas)):
        g0, g1 = start[i], start[i + 1]
        for y in range(n_axis):
            dst = out[areas[i], y]
            if g1 - g0 == 1:
                first = src[groups[g0], y]
                for r in range(n_r):
                    dst[r] = first[at[r]]
                continue
            first = src[groups[g0], y]
            for r in range(n_w):
                row[r] = first[r]
            for k in range(g0 + 1, g1):
                more = src[groups[k], y]
                for r in range(n_w):
                    row[r] += more[r]
            for r in range(n_r):
                dst[r] = row[at[r]]


def _add_completions(
    states: npt.NDArray[np.uint64],
    n_plans: int,
    combo: IntArray,
    classes: IntArray,
    threshold: UIntArray,
    first: IntArray,
    length: IntArray,
    homes: Float32Array,
    group: IntArray,
    pre_set: IntArray,
    met: Float32Array,
    out: Float32Array,
) -> None:
    """Draw every plan's random words and add its completions to ``out`` (groups x year axis
    x the chunk's runs in interleaved order).

    ``states[:, b]`` is the SFC64 state of block ``b``'s generator (lane ``b``): the kernel
    steps it exactly as numpy's ``SFC64.random_raw`` does (one 64-bit word = two 32-bit words,
    low half first), RUN_BLOCK words per plan and block, plans in draw order, so the numbers
    are numpy's and the same whatever the chunking; drawing here keeps them out of memory and
    off the GIL (numpy's ``random_raw`` holds it). The 16 lanes step side by side (vector
    code), so the runs are interleaved: position ``2*LANES*j + LANES*h + b`` is word
    ``2*j + h`` of lane ``b`` (see :func:`_lane_order`); thresholds, ``met`` and ``out`` use
    the same order. Per plan and delay class ``k``: the 31-bit uniform
    ``u = word >> 1``; ``w = [u >= t_k] - [u >= t_{k+1}]`` (1 when the plan delivers exactly
    ``k`` years late in that run: thresholds increase with ``k``), times ``[set delay == e]``
    for a gated plan; the plan's schedule moved ``k + e`` years is added ``w`` times. Loops run
    along the runs (vectorised; row slices are taken first: indexing inside the run loop keeps
    LLVM from vectorising). All values are whole homes below 2**24: float32 sums are exact.
    """
    n_r = LANES * RUN_BLOCK
    w_k = np.empty(n_r, dtype=np.float32)
    w = np.empty(n_r, dtype=np.float32)
    u = np.empty(n_r, dtype=np.uint32)
    low = np.uint64(0xFFFFFFFF)
    x0, x1, x2, x3 = states[0].copy(), states[1].copy(), states[2].copy(), states[3].copy()
    for p in range(n_plans):
        for j in range(RUN_BLOCK // 2):  # the plan's words, every lane one step at a time
            lo_half = u[2 * LANES * j : 2 * LANES * j + LANES]
            hi_half = u[2 * LANES * j + LANES : 2 * LANES * (j + 1)]
            for b in range(LANES):  # vectorised: 16 independent SFC64 states
                a0, a1, a2, a3 = x0[b], x1[b], x2[b], x3[b]
                tmp = a0 + a1 + a3
                x3[b] = a3 + np.uint64(1)
                x0[b] = a1 ^ (a1 >> np.uint64(11))
                x1[b] = a2 + (a2 << np.uint64(3))
                x2[b] = ((a2 << np.uint64(24)) | (a2 >> np.uint64(40))) + tmp
                lo_half[b] = np.uint32(tmp & low) >> np.uint32(1)
                hi_half[b] = np.uint32(tmp >> np.uint64(32)) >> np.uint32(1)
        n_y = length[p]
        n_k = classes[p]
        if n_y == 0 or n_k == 0:
            continue
        g = group[p]
        f = first[p]
        s = pre_set[p]
        c = combo[p]
        for k in range(n_k):
            lo = threshold[c, k]
            if k + 1 < n_k:
                hi = threshold[c, k + 1]
                for r in range(n_r):
                    w_k[r] = np.float32(u[r] >= lo[r]) - np.float32(u[r] >= hi[r])
            else:
                for r in range(n_r):
                    w_k[r] = np.float32(u[r] >= lo[r])
            if s < 0:
                for j in range(n_y):
                    h = homes[p, j]
                    dst = out[g, f + k + j]
                    for r in range(n_r):
                        dst[r] += w_k[r] * h
                continue
            for e in range(met.shape[1]):
                gate = met[s, e]
                for r in range(n_r):
                    w[r] = w_k[r] * gate[r]
                for j in range(n_y):
                    h = homes[p, j]
                    dst = out[g, f + k + e + j]
                    for r in range(n_r):
                        dst[r] += w[r] * h


_KERNELS: list[tuple[Any, Any, Any]] = []
_kernel_lock = threading.Lock()


def _kernels() -> tuple[Any, Any, Any]:
    """:func:`_add_completions`, :func:`_fill_thresholds` and :func:`_sum_rows` compiled by
    numba: on first use in a process, loaded from numba's on-disk cache (importing numba and
    loading the code take about 0.3-0.5 s on this machine) or compiled when the cache is
    missing or stale (a few seconds). They release the GIL: worker threads run in parallel."""
    with _kernel_lock:
        if not _KERNELS:
            import numba  # imported here: importing the engine stays cheap

            jit = numba.njit(cache=True, nogil=True)
            add, fill = jit(_add_completions), jit(_fill_thresholds)
            # call each once on empty arrays of the exact types: loads (or compiles) the
            # machine code now, not in the middle of the first chunk
            i64, f32 = np.zeros(0, dtype=np.int64), np.zeros((1, 1, 1), dtype=np.float32)
            add(
                np.zeros((4, LANES), dtype=np.uint64), 0, i64, i64,
                np.zeros((1, 1, 1), dtype=np.uint32), i64, i64,
                np.zeros((0, 1), dtype=np.float32), i64, i64, f32, f32,
            )  # fmt: skip
            fill(
                np.zeros((1, 1, 1), dtype=np.uint32), i64, np.zeros((0, 1), dtype=np.int64),
                np.zeros((0, 1, 1), dtype=np.uint32),
            )  # fmt: skip
            copy = jit(_sum_rows)
            copy(
                f32, i64, i64, i64, i64, np.zeros(1, dtype=np.float32),
                np.zeros((2, 1, 4), dtype=np.float32)[:, :, :2],  # a view, as in simulate
            )  # fmt: skip
            _KERNELS.append((add, fill, copy))
        return _KERNELS[0]


def _kernel() -> Any:
    """The compiled :func:`_add_completions`."""
    return _kernels()[0]


def warm_up() -> threading.Thread:
    """Start loading the compiled kernels in a background thread (a caller about to read its
    plans can call this first: numba's import and the cache load then overlap the reading)."""
    thread = threading.Thread(target=_kernels, name="opgave-forecast-warm-up", daemon=True)
    thread.start()
    return thread


# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------


def simulate(
    plans: PlanInputs,
    assumptions: Assumptions,
    *,
    runs: int = 10_000,
    seed: int = 0,
    chunk_runs: int = LANES * RUN_BLOCK,
    threads: int | None = None,
) -> ForecastResult:
    """Run the Monte Carlo forecast: completions per area, year and run.

    Inputs: the plan arrays, the assumptions (with shocks and ceiling), the number of runs,
    the seed, the runs per chunk (rounded up to a multiple of :data:`RUN_BLOCK`, at most
    :data:`LANES` blocks; fewer leave lanes of the kernel idle) and the
    worker threads (default: the CPU count, at most one per chunk). Output: a
    :class:`ForecastResult`. The same seed gives identical numbers whatever ``chunk_runs`` and
    ``threads``, and run ``r`` is the same run in a simulation of any length. Peak memory in
    bytes, with A areas, Y years on the axis, R runs, T threads, C = chunk_runs, G groups:
    ``4*A*Y*R`` (every run kept) ``+ T*4*C*(G + M)*Y`` (a chunk's completions of its groups
    and M multi-group areas) ``+ T*4*C*K*N`` (the thresholds of the chunk's runs, K delay
    classes, N combos of threshold class, due year and region), plus, when the summaries are
    read, ``12*32*Y*R`` per thread.
    """
    if runs < 1:
        raise ForecastInputError([f"runs: expected >= 1, got {runs}"])
    blocks_per_chunk = min(max(1, -(-chunk_runs // RUN_BLOCK)), LANES)
    loading = warm_up() if not _KERNELS else None  # numba loads while the inputs are prepared
    model = _prepare(plans, assumptions)
    if loading is not None:
        loading.join()
    n_axis = model.n_year_axis
    n_blocks = -(-runs // RUN_BLOCK)
    chunks = [
        (b, min(blocks_per_chunk, n_blocks - b)) for b in range(0, n_blocks, blocks_per_chunk)
    ]
    n_threads = max(1, min(threads or os.cpu_count() or 1, len(chunks)))
    by_run = np.empty((model.n_areas, n_axis, runs), dtype=np.float32)
    by_run.fill(0.0)  # touched in order now: the chunks' scattered first writes cost 10-20x more

    queue = iter(chunks)  # handed out one at a time: a busy core gets fewer chunks
    lock = threading.Lock()

    def work(worker: int) -> None:
        buffers: dict[str, Float32Array] = {}
        while True:
            with lock:
                first, count = next(queue, (-1, 0))
            if first < 0:
                return
            r0 = first * RUN_BLOCK
            r1 = min(r0 + count * RUN_BLOCK, runs)
            _simulate_chunk(model, seed, first, count, buffers, by_run[:, :, r0:r1])

    # no BLAS in the chunks; should numpy reach for it, its threads on top of ours only hurt
    with threadpool_limits(limits=1, user_api="blas"):
        if n_threads == 1:
            work(0)
        else:
            with ThreadPoolExecutor(n_threads) as pool:
                list(pool.map(work, range(n_threads)))

    planned = np.zeros((model.n_areas, n_axis))
    planned[:, : model.planned_homes.shape[1]] = model.planned_homes
    return ForecastResult(
        area_code=tuple(plans.area_code),
        year=np.arange(n_axis, dtype=np.int64) + int(plans.first_year),
        runs=runs,
        seed=seed,
        planned_homes=planned,
        completions_by_run=by_run,
        assumptions=assumptions.stated,
    )


# --------------------------------------------------------------------------------------------
# Summaries over runs
# --------------------------------------------------------------------------------------------


def summarise_runs(by_run: Float32Array, threads: int | None = None) -> dict[str, FloatArray]:
    """Mean and P10/P50/P90 over runs, per year and cumulative (keys ``mean``, ``p10``, ...,
    ``cum_mean``, ``cum_p10``, ...), in blocks of 32 areas on the worker threads."""
    n_areas, n_axis, runs = by_run.shape
    names = ("mean", "p10", "p50", "p90")
    out = {f"{p}{n}": np.zeros((n_areas, n_axis)) for p in ("", "cum_") for n in names}

    def one(a0: int) -> None:
        part = by_run[a0 : a0 + 32]
        cum = np.empty_like(part)
        if n_axis:
            cum[:, 0] = part[:, 0]
        for y in range(1, n_axis):  # year by year: contiguous adds, much faster than cumsum
            np.add(cum[:, y - 1], part[:, y], out=cum[:, y])
        for prefix, x in (("", part), ("cum_", cum)):
            out[prefix + "mean"][a0 : a0 + 32] = x.mean(axis=2, dtype=np.float64)
            q = whole_number_quantiles(x.reshape(-1, runs), (0.1, 0.5, 0.9))
            for i, name in enumerate(names[1:]):
                out[prefix + name][a0 : a0 + 32] = q[i].reshape(-1, n_axis)

    starts = range(0, n_areas, 32)
    n_threads = threads or os.cpu_count() or 1
    if n_threads > 1 and len(starts) > 1 and runs:
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(n_threads) as pool:
            list(pool.map(one, starts))
    elif runs:
        for a0 in starts:
            one(a0)
    return out


def whole_number_quantiles(
    x: Float32Array, probs: Sequence[float], max_bins: int = 1 << 17
) -> FloatArray:
    """Quantiles along the last axis of whole numbers, equal to ``np.quantile`` (linear).

    Counts values per row with one ``bincount`` over all rows (row ``r`` shifted to its own
    bin range) and reads order statistics from the cumulative counts: about 4 ns per value
    against about 20 ns for ``np.quantile``'s partitioning. Output: (len(probs) x rows).
    """
    rows, n = x.shape
    h = np.asarray(probs, dtype=np.float64) * (n - 1)
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    gamma = h - lo
    ks = np.unique(np.concatenate([lo, hi]))
    stat = np.empty((len(ks), rows))
    mn = x.min(axis=1).astype(np.int64)
    span = x.max(axis=1).astype(np.int64) - mn + 1
    r0 = 0
    while r0 < rows:  # rows whose bins together fit in cache
        c = np.cumsum(span[r0:])
        r1 = r0 + max(1, int(np.searchsorted(c, max_bins, side="right")))
        offset = np.concatenate([[0], c[: r1 - r0 - 1]])
        shift = offset - mn[r0:r1]  # row r: values from offset[r] on
        n_bins = int(c[r1 - r0 - 1])
        if n_bins < _EXACT_LIMIT and np.abs(shift).max() < _EXACT_LIMIT:
            # whole numbers below 2**24: the float32 sum is exact
            keys = (x[r0:r1] + shift.astype(np.float32)[:, None]).astype(np.intp)
        else:
            keys = x[r0:r1].astype(np.intp) + shift[:, None]
        cum = np.cumsum(np.bincount(keys.reshape(-1), minlength=n_bins))
        need = (np.arange(r1 - r0) * n)[None, :] + ks[:, None] + 1
        stat[:, r0:r1] = np.searchsorted(cum, need) - offset[None, :] + mn[None, r0:r1]
        r0 = r1
    where = {int(k): i for i, k in enumerate(ks)}
    a = stat[[where[int(k)] for k in lo]]
    b = stat[[where[int(k)] for k in hi]]
    g = gamma[:, None]
    lerp: FloatArray = np.where(g >= 0.5, b - (b - a) * (1 - g), a + (b - a) * g)  # as numpy
    return lerp
