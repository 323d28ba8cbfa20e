"""Forecast: Monte Carlo realisation of the plan pipeline (drop-out, delay, preconditions).

numpy plus one small numba kernel, seeded and reproducible; no database access. The caller
turns plan lists into a :class:`PlanInputs` (arrays), loads :class:`Assumptions` with
:func:`load_assumptions`, runs :func:`simulate` and asks the :class:`ForecastResult` questions
with :func:`summarise_targets` and :func:`required_capacity_ratio`. See docs/forecast.md for
the model and its assumptions.

Model, per run:

* each plan draws ONE uniform ``u``; by inverse CDF it decides drop-out (``u < dropout``) and
  otherwise the delay class ``k`` (0, 1, 2, ... whole years), so the whole delivery schedule
  moves ``k`` years later;
* each precondition draws one uniform the same way: not met (probability ``1 - p_met``) or
  met with a delay of ``k`` years;
* a plan delivers only if it survives AND every precondition it depends on is met; its delay
  is its own delay PLUS the largest delay of its preconditions (it waits for the last one).
  A precondition's outcome is shared by all its plans in a run, which correlates them.

Speed: the uniforms are drawn with numpy in cache-sized batches of plans; a small kernel
compiled with numba then classifies each uniform against the plan's thresholds and adds the
plan's schedule, moved by its (total) delay, straight into the completions of its *group*
(plans with the same area membership), run by run. Groups are then summed into areas with a
small 0/1 matrix. All values are whole homes and all sums stay below 2**24, so float32 sums
are exact and results do not depend on chunking, threading or the order of the adds.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import threading
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "PLANSTATUSES",
    "Assumptions",
    "CapacityNorm",
    "ForecastInputError",
    "ForecastResult",
    "PlanInputs",
    "Preconditions",
    "Target",
    "TargetSummary",
    "delivery_schedule",
    "load_assumptions",
    "required_capacity_ratio",
    "simulate",
    "summarise_targets",
]

PLANSTATUSES: tuple[str, ...] = ("1A", "1B", "1C", "2A", "2B", "2C", "3", "4A", "4B")
"""DiWi ``planologische_planstatus`` codes; 1x/2x are hard plans, 3/4x soft plans."""

DEFAULT_ASSUMPTIONS_PATH = Path(__file__).parent / "data" / "forecast_assumptions.toml"

RUN_BLOCK = 128
"""Runs per random-number block: block ``b`` (runs ``b*128 .. b*128+127``) always draws from
the generator seeded with ``SeedSequence(seed, spawn_key=(b, stream))``, so results do not
depend on the chunk size, the thread count or the total number of runs."""

_BATCH_CELLS = 128 * 1024
"""Uniforms per kernel call (plans x runs of a chunk): 512 kB, kept in the core's L2 cache."""
_EXACT_LIMIT = float(2**24)  # float32 represents every integer below this exactly
_TOL = 1e-9

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


class ForecastInputError(ValueError):
    """Bad forecast input: carries every problem found, each naming where and what was expected."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "; ".join(self.problems)
            if len(self.problems) < 2
            else f"{len(self.problems)} problems:\n  " + "\n  ".join(self.problems)
        )


# --------------------------------------------------------------------------------------------
# Assumptions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumptions:
    """Drop-out probability and delay distribution per planstatus, with a source note each.

    ``delay_prob[status][k]`` is the probability of ``k`` years' delay for a plan that delivers.
    ``source_file`` lists the files the values came from (defaults first, then the override).
    """

    dropout_prob: Mapping[str, float]
    delay_prob: Mapping[str, tuple[float, ...]]
    source_note: Mapping[str, str]
    source_file: tuple[str, ...] = ()
    precondition_p_met: Mapping[str, float] = field(default_factory=dict)
    precondition_delay: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    def precondition(self, precondition_id: str) -> tuple[float, tuple[float, ...]]:
        """Probability a precondition is met and its delay distribution: its own values
        where the assumptions give them, else those of ``[precondition_default]``."""
        default = PRECONDITION_DEFAULT
        return (
            self.precondition_p_met.get(precondition_id, self.precondition_p_met[default]),
            self.precondition_delay.get(precondition_id, self.precondition_delay[default]),
        )

    def dropout_for(self, planstatus: npt.ArrayLike) -> FloatArray:
        """Drop-out probability per plan, looked up by planstatus."""
        statuses = np.asarray(planstatus).astype(str)
        table = np.array([self.dropout_prob[s] for s in PLANSTATUSES])
        return table[_status_index(statuses)]

    def delay_for(self, planstatus: npt.ArrayLike) -> FloatArray:
        """Delay distribution per plan (n_plans x n_delay), zero-padded to the longest."""
        statuses = np.asarray(planstatus).astype(str)
        n_delay = max(len(v) for v in self.delay_prob.values())
        table = np.zeros((len(PLANSTATUSES), n_delay))
        for i, s in enumerate(PLANSTATUSES):
            dist = self.delay_prob[s]
            table[i, : len(dist)] = dist
        return table[_status_index(statuses)]


def _status_index(statuses: npt.NDArray[np.str_]) -> IntArray:
    lookup = {s: i for i, s in enumerate(PLANSTATUSES)}
    bad = sorted({str(s) for s in np.unique(statuses)} - lookup.keys())
    if bad:
        raise ForecastInputError(
            [f"planstatus: unknown value(s) {bad}; expected one of {list(PLANSTATUSES)}"]
        )
    uniq, inverse = np.unique(statuses, return_inverse=True)  # few distinct codes: map those
    codes = np.array([lookup[str(s)] for s in uniq], dtype=np.int64)
    return codes[inverse.reshape(-1)]


PRECONDITION_DEFAULT = "*"
"""Key of the ``[precondition_default]`` values in ``Assumptions.precondition_*``."""


def load_assumptions(path: Path | Sequence[Path] | None = None) -> Assumptions:
    """Load the shipped default assumptions, overridden key by key by ``path`` when given.

    Inputs: optional TOML files (later ones override earlier ones) with tables ``[dropout]``,
    ``[delay]`` and ``[source]`` keyed by planstatus, and ``[precondition_default]`` /
    ``[precondition."ID"]`` (see docs/forecast.md). Output: validated :class:`Assumptions`
    covering all nine DiWi statuses. Raises :class:`ForecastInputError` listing every problem,
    each naming the file and the key.
    """
    return assumptions_from(assumption_documents(path))


def assumption_documents(path: Path | Sequence[Path] | None = None) -> list[tuple[str, Any]]:
    """The shipped defaults and the given files as parsed TOML documents ``(file, data)``,
    in override order, for :func:`assumptions_from` (which callers may extend first)."""
    overrides = [path] if isinstance(path, Path) else list(path or [])
    documents: list[tuple[str, Any]] = []
    for file in [DEFAULT_ASSUMPTIONS_PATH, *overrides]:
        try:
            with open(file, "rb") as fh:
                documents.append((str(file), tomllib.load(fh)))
        except OSError as exc:
            raise ForecastInputError([f"{file}: cannot read ({exc.strerror})"]) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ForecastInputError([f"{file}: not valid TOML ({exc})"]) from exc
    return documents


def assumptions_from(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> Assumptions:
    """Assumptions from parsed TOML documents ``(name, data)``, later ones overriding earlier
    ones key by key; the first must be complete (the shipped defaults are). Problems name
    the document and the key."""
    dropout: dict[str, float] = {}
    delay: dict[str, tuple[float, ...]] = {}
    note: dict[str, str] = {}
    pre_met: dict[str, float] = {}
    pre_delay: dict[str, tuple[float, ...]] = {}
    problems: list[str] = []
    for name, document in documents:
        data = dict(document)
        _parse_preconditions(Path(name), data, pre_met, pre_delay, problems)
        _parse_assumptions(Path(name), data, dropout, delay, note, problems)
    last = documents[-1][0] if documents else "<none>"
    for status in PLANSTATUSES:
        if status not in dropout:
            problems.append(f"{last}: [dropout] has no value for planstatus {status!r}")
        if status not in delay:
            problems.append(f"{last}: [delay] has no value for planstatus {status!r}")
    if PRECONDITION_DEFAULT not in pre_met or PRECONDITION_DEFAULT not in pre_delay:
        problems.append(f"{last}: [precondition_default] needs p_met and delay")
    if problems:
        raise ForecastInputError(problems)
    return Assumptions(
        dropout_prob=MappingProxyType({s: dropout[s] for s in PLANSTATUSES}),
        delay_prob=MappingProxyType({s: delay[s] for s in PLANSTATUSES}),
        source_note=MappingProxyType({s: note.get(s, "") for s in PLANSTATUSES}),
        source_file=tuple(name for name, _ in documents),
        precondition_p_met=MappingProxyType(pre_met),
        precondition_delay=MappingProxyType(pre_delay),
    )


def _parse_preconditions(
    file: Path,
    data: dict[str, Any],
    p_met: dict[str, float],
    delay: dict[str, tuple[float, ...]],
    problems: list[str],
) -> None:
    """Take ``[precondition_default]`` and ``[precondition."ID"]`` tables out of ``data``:
    each has ``p_met`` (probability the precondition is met at all) and ``delay``
    (probabilities of 0, 1, 2, ... years' delay, adding up to 1)."""
    tables: dict[str, tuple[Any, str]] = {}
    if "precondition_default" in data:
        tables[PRECONDITION_DEFAULT] = (
            data.pop("precondition_default"),
            "[precondition_default]",
        )
    for key, value in data.pop("precondition", {}).items():
        tables[key] = (value, f"[precondition.{key!r}]")
    for key, (value, where) in tables.items():
        if not isinstance(value, dict) or set(value) - {"p_met", "delay"}:
            problems.append(f"{file}: {where}: expected a table with p_met and delay only")
            continue
        if "p_met" in value:
            met = value["p_met"]
            if isinstance(met, bool) or not isinstance(met, int | float) or not 0 <= met <= 1:
                problems.append(f"{file}: {where}.p_met: expected a probability in [0, 1]")
            else:
                p_met[key] = float(met)
        if "delay" in value:
            dist = value["delay"]
            if (
                not isinstance(dist, list)
                or not dist
                or any(isinstance(v, bool) or not isinstance(v, int | float) for v in dist)
                or any(not 0 <= v <= 1 for v in dist)
                or abs(math.fsum(dist) - 1.0) > _TOL
            ):
                problems.append(
                    f"{file}: {where}.delay: expected probabilities of 0, 1, 2, ... years' "
                    f"delay adding up to 1, got {dist!r}"
                )
            else:
                delay[key] = tuple(float(v) for v in dist)


def _parse_assumptions(
    file: Path,
    data: dict[str, Any],
    dropout: dict[str, float],
    delay: dict[str, tuple[float, ...]],
    note: dict[str, str],
    problems: list[str],
) -> None:
    """Validate one TOML document and merge its keys into the accumulators."""
    for table in sorted(set(data) - {"dropout", "delay", "source"}):
        problems.append(f"{file}: unknown table [{table}]; expected [dropout], [delay], [source]")
    for table in ("dropout", "delay", "source"):
        value = data.get(table, {})
        if not isinstance(value, dict):
            problems.append(f"{file}: {table} must be a table [{table}], got {value!r}")
            data[table] = {}
            continue
        for key in value:
            if key not in PLANSTATUSES:
                problems.append(
                    f"{file}: [{table}].{key!r}: unknown planstatus; "
                    f"expected one of {list(PLANSTATUSES)}"
                )
    for key, value in data.get("dropout", {}).items():
        if key not in PLANSTATUSES:
            continue
        where = f"{file}: [dropout].{key!r}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{where}: expected a probability (number in [0, 1]), got {value!r}")
        elif not 0.0 <= float(value) <= 1.0:
            problems.append(f"{where}: expected a probability in [0, 1], got {value}")
        else:
            dropout[key] = float(value)
    for key, value in data.get("delay", {}).items():
        if key not in PLANSTATUSES:
            continue
        where = f"{file}: [delay].{key!r}"
        if (
            not isinstance(value, list)
            or not value
            or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)
        ):
            problems.append(
                f"{where}: expected a list of probabilities of 0, 1, 2, ... years' delay, "
                f"got {value!r}"
            )
            continue
        bad = [v for v in value if not 0.0 <= float(v) <= 1.0]
        if bad:
            problems.append(f"{where}: expected probabilities in [0, 1], got {bad}")
        elif abs(math.fsum(value) - 1.0) > _TOL:
            problems.append(
                f"{where}: probabilities must add up to 1, they add up to {math.fsum(value):.12g}"
            )
        else:
            delay[key] = tuple(float(v) for v in value)
    for key, value in data.get("source", {}).items():
        if key not in PLANSTATUSES:
            continue
        if not isinstance(value, str):
            problems.append(f"{file}: [source].{key!r}: expected a text, got {value!r}")
        else:
            note[key] = value


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

    * ``planstatus``: (n_plans,) DiWi codes, see :data:`PLANSTATUSES`.
    * ``schedule_homes``: (n_plans x n_years) whole homes per calendar year from ``first_year``
      (build it with :func:`delivery_schedule`).
    * ``area_member``: (n_plans x n_areas) 0/1, 1 for every area containing the plan's
      municipality (areas overlap: municipality, region, province, nation ...).
    * ``area_code``: (n_areas,) the area codes, in column order.
    * ``dropout_prob`` / ``delay_prob``: optional per-plan overrides (NaN = use assumptions);
      ``delay_prob`` is (n_plans x n_delay) with whole rows NaN or a distribution.
    * ``depends_on``: optional (n_plans x n_preconditions) 0/1, with ``preconditions``.
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


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastResult:
    """Distribution over runs of completions per area (rows) and calendar year (columns).

    ``mean``/``p10``/``p50``/``p90``: completions in that year; ``cum_*``: cumulative
    completions up to and including that year (from ``year[0]``). ``planned_homes``: the
    schedule as planned (no drop-out, no delay). ``completions_by_run`` (n_areas x n_years x
    runs, float32, whole homes) keeps every run for target questions. The year axis runs from
    the schedule's first year to its last year plus the longest possible delay, so no
    delivery falls off the end. Percentiles use numpy's default (linear) interpolation.
    """

    area_code: tuple[str, ...]
    year: IntArray
    runs: int
    seed: int
    planned_homes: FloatArray
    mean: FloatArray
    p10: FloatArray
    p50: FloatArray
    p90: FloatArray
    cum_mean: FloatArray
    cum_p10: FloatArray
    cum_p50: FloatArray
    cum_p90: FloatArray
    completions_by_run: Float32Array = field(repr=False)


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


# --------------------------------------------------------------------------------------------
# Engine
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    """Everything a chunk needs, plans in draw order (by area pattern, then plans without
    preconditions, then input order); a *group* is the plans sharing one area pattern."""

    n_plans: int
    n_groups: int
    n_year_axis: int
    pre_threshold: FloatArray  # (n_pre x K): precondition met with delay >= k thresholds
    pre_sets: tuple[IntArray, ...]  # distinct precondition sets of gated plans
    n_set_delays: int  # most delays (0, 1, ...) of any precondition set
    plan_threshold: Float32Array  # (n_plans x K) c_k per plan, inf where never reached
    plan_first: IntArray  # (n_plans,) first schedule year with homes
    plan_len: IntArray  # (n_plans,) years from plan_first to the last with homes (0: none)
    plan_homes: Float32Array  # (n_plans x W) homes per year from plan_first on
    plan_group: IntArray  # (n_plans,) the plan's group
    plan_set: IntArray  # (n_plans,) precondition set of gated plans, -1 for the others
    single_area: IntArray  # areas made of exactly one group
    single_group: IntArray  # that group
    multi_area: IntArray  # areas made of several groups
    multi_matrix: Float32Array  # (len(multi_area) x n_groups) 0/1
    n_areas: int
    planned_homes: FloatArray  # (n_areas x schedule years): no drop-out, no delay


def _thresholds(dropout: FloatArray, delay: FloatArray) -> FloatArray:
    """Inverse-CDF thresholds ``c_k``: a uniform ``u >= c_k`` means 'delivers, >= k years late'.

    ``c_k = 1 - (1 - dropout) * P(delay >= k)``; impossible classes get ``inf`` so rounding
    can never turn a zero probability into a tiny positive one.
    """
    tail = np.cumsum(delay[:, ::-1], axis=1)[:, ::-1]  # P(delay >= k)
    tail = np.where(tail > _TOL, np.minimum(tail, 1.0), 0.0)
    c = 1.0 - (1.0 - dropout[:, None]) * tail
    c[:, 0] = np.where(dropout >= 1.0 - _TOL, np.inf, np.where(dropout <= _TOL, 0.0, dropout))
    c[tail <= 0.0] = np.inf
    return c


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
    elif not _is_01(member):
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
    return problems


def _is_01(x: npt.NDArray[Any]) -> bool:
    """True when every value is 0 or 1 (or False/True)."""
    return bool(((x == 0) | (x == 1)).all())


def _row_ids(rows: npt.NDArray[np.uint8]) -> IntArray:
    """Number distinct rows 0, 1, ... in order of first appearance (exact, by their bytes)."""
    if not rows.size:  # no rows, or rows without bytes: all alike
        return np.zeros(len(rows), dtype=np.int64)
    keys = np.ascontiguousarray(rows).view(np.dtype((np.void, rows.shape[1] * rows.itemsize)))
    _, first, inverse = np.unique(keys.reshape(-1), return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    ids: IntArray = rank[inverse.reshape(-1)]
    return ids


def _prepare(plans: PlanInputs, assumptions: Assumptions) -> tuple[_Model, IntArray]:
    """Validate the inputs and derive groups, thresholds and compact schedules.

    Inputs: the plan arrays and assumptions. Output: a :class:`_Model` and the draw order
    (input row of each plan in the order uniforms are drawn: by area membership pattern, then
    plans without preconditions first, then input order).
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
    c = _thresholds(dropout, delay)  # (n x K)
    n_active_plan = (c < 1.0).sum(axis=1)
    c32 = c.astype(np.float32)
    sched32 = sched.astype(np.float32)

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
    # distinct precondition sets of gated plans, and each gated plan's set
    if gated.any():
        sets, set_of_gated = np.unique(dep[gated], axis=0, return_inverse=True)
        set_of_plan = np.full(n, -1, dtype=np.int64)
        set_of_plan[gated] = set_of_gated.reshape(-1)
    else:
        sets = np.zeros((0, n_pre), dtype=bool)
        set_of_plan = np.full(n, -1, dtype=np.int64)
    pre_sets = tuple(np.flatnonzero(s).astype(np.int64) for s in sets)
    set_delay = np.array([int(pre_max_delay[s].max()) for s in pre_sets], dtype=np.int64)
    max_own = int(n_active_plan.max()) - 1 if n else 0
    n_axis = n_years + max(max_own, 0) + (int(set_delay.max()) if len(set_delay) else 0)

    # draw order: area pattern, plans without preconditions first, input order
    pattern = _row_ids(np.packbits(member, axis=1))
    order = np.lexsort((np.arange(n), gated, pattern))
    n_patterns = int(pattern.max()) + 1 if n else 0
    bounds = np.searchsorted(pattern[order], np.arange(n_patterns + 1))

    # thresholds per plan in draw order: a plan without preconditions uses as many levels as
    # the most of its group, a gated plan as many as the most of all gated plans
    k_gated = int(n_active_plan[gated].max(initial=0))
    n_groups = n_patterns
    n_thr = max(int(n_active_plan.max(initial=0)), 1)
    plan_threshold = np.full((n, n_thr), np.inf, dtype=np.float32)
    plan_group = np.zeros(n, dtype=np.int64)
    group_member = np.zeros((n_groups, n_areas), dtype=bool)
    limit = float(sched.sum())
    for g in range(n_groups):
        start, stop = int(bounds[g]), int(bounds[g + 1])
        idx = order[start:stop]
        plain = idx[~gated[idx]]
        k_plain = int(n_active_plan[plain].max(initial=0))
        mid = start + len(plain)
        plan_threshold[start:mid, :k_plain] = c32[plain, :k_plain]
        plan_threshold[mid:stop, :k_gated] = c32[idx[len(plain) :], :k_gated]
        plan_group[start:stop] = g
        group_member[g] = member[idx[0]]
        col = float(sched[idx].sum(axis=0).max(initial=0.0))
        limit = max(limit, float(sched[idx].sum()) + col)
    # float32 sums of whole homes are exact below 2**24
    if limit >= _EXACT_LIMIT:
        raise ForecastInputError(
            [
                f"schedule_homes: sums up to {limit:.0f} homes exceed what float32 adds exactly "
                f"({_EXACT_LIMIT:.0f}); split the simulation by area"
            ]
        )
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
        np.take_along_axis(sched32[order], cols, axis=1),
        0.0,
    )

    per_area = group_member.sum(axis=0)
    single_area = np.flatnonzero(per_area == 1)
    single_group = np.argmax(group_member[:, single_area], axis=0) if n_groups else single_area
    multi_area = np.flatnonzero(per_area > 1)
    model = _Model(
        n_plans=n,
        n_groups=n_groups,
        n_year_axis=n_axis,
        pre_threshold=pre_c,
        pre_sets=pre_sets,
        n_set_delays=int(set_delay.max(initial=0)) + 1,
        plan_threshold=plan_threshold,
        plan_first=plan_first.astype(np.int64),
        plan_len=plan_len,
        plan_homes=np.ascontiguousarray(plan_homes, dtype=np.float32),
        plan_group=plan_group,
        plan_set=set_of_plan[order].astype(np.int64),
        single_area=single_area.astype(np.int64),
        single_group=single_group.astype(np.int64),
        multi_area=multi_area.astype(np.int64),
        multi_matrix=np.ascontiguousarray(group_member[:, multi_area].T, dtype=np.float32),
        n_areas=n_areas,
        planned_homes=_planned_homes(sched, member, order, bounds),
    )
    return model, order.astype(np.int64)


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


def _block_generator(seed: int, block: int, stream: int) -> np.random.Generator:
    """The generator of one run block; stream 0 = plans, 1 = preconditions."""
    seq = np.random.SeedSequence(seed, spawn_key=(block, stream))
    return np.random.Generator(np.random.SFC64(seq))


def _add_completions(
    u: Float32Array,
    p0: int,
    threshold: Float32Array,
    first: IntArray,
    length: IntArray,
    homes: Float32Array,
    group: IntArray,
    pre_set: IntArray,
    met: Float32Array,
    out: Float32Array,
) -> None:
    """Add the completions of plans ``p0 ..`` (uniforms ``u``: blocks x plans x runs) to
    ``out`` (groups x year axis x runs).

    Per plan, block and delay class ``k``: ``w = [u >= c_k] - [u >= c_{k+1}]`` (1 when the
    plan delivers exactly ``k`` years late: thresholds increase), times ``[set delay == e]``
    for a gated plan, and the plan's schedule moved ``k + e`` years is added ``w`` times.
    Loops run along the 128 runs of a block (vectorised). All values are whole homes below
    2**24, so float32 sums are exact and equal to those of any other order.
    """
    n_blocks, n_p, n_r = u.shape
    n_k = threshold.shape[1]
    inf = np.float32(np.inf)
    w_k = np.empty(n_r, dtype=np.float32)
    w = np.empty(n_r, dtype=np.float32)
    for i in range(n_p):
        p = p0 + i
        n_y = length[p]
        if n_y == 0:
            continue
        g = group[p]
        f = first[p]
        s = pre_set[p]
        for b in range(n_blocks):
            base = b * n_r
            for k in range(n_k):
                lo = threshold[p, k]
                hi = threshold[p, k + 1] if k + 1 < n_k else inf
                if lo == inf and hi == inf:
                    continue
                for r in range(n_r):
                    x = u[b, i, r]
                    w_k[r] = np.float32(x >= lo) - np.float32(x >= hi)
                if s < 0:
                    for j in range(n_y):
                        h = homes[p, j]
                        row = f + k + j
                        for r in range(n_r):
                            out[g, row, base + r] += w_k[r] * h
                    continue
                for e in range(met.shape[1]):
                    for r in range(n_r):
                        w[r] = w_k[r] * met[s, e, base + r]
                    for j in range(n_y):
                        h = homes[p, j]
                        row = f + k + e + j
                        for r in range(n_r):
                            out[g, row, base + r] += w[r] * h


_KERNEL: list[Any] = []
_kernel_lock = threading.Lock()


def _kernel() -> Any:
    """:func:`_add_completions` compiled by numba: on first use in a process, loaded from
    numba's on-disk cache (about 0.15 s, plus 0.3 s to import numba) or compiled when the
    cache is missing or stale (about 1 s). It releases the GIL, so worker threads run it
    in parallel."""
    with _kernel_lock:
        if not _KERNEL:
            import numba  # imported here: `import opgave.forecast` stays cheap

            _KERNEL.append(numba.njit(cache=True, nogil=True)(_add_completions))
        return _KERNEL[0]


def _set_met(model: _Model, seed: int, first_block: int, n_blocks: int) -> Float32Array:
    """``met[set, e, run]`` = 1 when the precondition set is met with a delay of ``e`` years.

    Each precondition draws one uniform per run (inverse CDF: not met, or met ``k`` years
    late); a set is met when all its preconditions are, with the largest of their delays.
    """
    width = n_blocks * RUN_BLOCK
    n_pre = model.pre_threshold.shape[0]
    n_e = model.n_set_delays
    met = np.zeros((max(len(model.pre_sets), 1), n_e, width), dtype=np.float32)
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
        met[s] = state[None, :] == np.arange(n_e)[:, None]
    return met


def _simulate_chunk(
    model: _Model,
    seed: int,
    first_block: int,
    n_blocks: int,
    buffers: dict[str, Float32Array],
    out: Float32Array,
) -> None:
    """Completions per area, year and run for runs ``first_block*RUN_BLOCK`` onwards.

    Draws one float32 uniform per plan and run (plans in draw order, block by block, each
    block from its own generator) in cache-sized batches of plans, and lets the compiled
    kernel add every plan's moved schedule into its group's completions (groups x years x
    runs); then groups are copied to their municipality areas and added to the overlapping
    higher areas with a small 0/1 matrix product. Output: written into ``out`` (n_areas x
    n_year_axis x the first runs of the chunk; areas without plans are left as they are).
    """
    width = n_blocks * RUN_BLOCK
    n_axis = model.n_year_axis
    n_groups = model.n_groups
    n_kept = out.shape[2]
    gens = [_block_generator(seed, first_block + b, 0) for b in range(n_blocks)]
    met = _set_met(model, seed, first_block, n_blocks)
    group_out = _buffer(buffers, "group_out", (n_groups, n_axis, width))
    group_out[...] = 0.0
    kernel = _kernel()
    step = max(1, _BATCH_CELLS // width)
    for p0 in range(0, model.n_plans, step):
        p1 = min(p0 + step, model.n_plans)
        u = _buffer(buffers, "u", (n_blocks, p1 - p0, RUN_BLOCK))
        for b, gen in enumerate(gens):
            gen.random(out=u[b], dtype=np.float32)
        kernel(
            u,
            p0,
            model.plan_threshold,
            model.plan_first,
            model.plan_len,
            model.plan_homes,
            model.plan_group,
            model.plan_set,
            met,
            group_out,
        )
    if len(model.single_area):
        out[model.single_area] = group_out[model.single_group, :, :n_kept]
    if len(model.multi_area):
        multi = model.multi_matrix @ group_out.reshape(n_groups, n_axis * width)
        out[model.multi_area] = multi.reshape(-1, n_axis, width)[:, :, :n_kept]


def _buffer(buffers: dict[str, Float32Array], name: str, shape: tuple[int, ...]) -> Float32Array:
    """A float32 scratch array of ``shape``, reusing the worker's largest allocation so far."""
    size = math.prod(shape)
    buf = buffers.get(name)
    if buf is None or buf.size < size:
        buf = np.empty(size, dtype=np.float32)
        buffers[name] = buf
    return buf[:size].reshape(shape)


def simulate(
    plans: PlanInputs,
    assumptions: Assumptions,
    *,
    runs: int = 10_000,
    seed: int = 0,
    chunk_runs: int = 256,
    threads: int | None = None,
) -> ForecastResult:
    """Run the Monte Carlo forecast and summarise completions per area and year.

    Inputs: the plan arrays, the assumptions, the number of runs, the seed, the runs per chunk
    (rounded up to a multiple of :data:`RUN_BLOCK`) and the worker threads (default: the CPU
    count, at most one per chunk). Output: a :class:`ForecastResult`. The same seed gives
    identical numbers whatever ``chunk_runs`` and ``threads``, and run ``r`` is the same run
    in a simulation of any length. Peak memory in bytes, with A areas, Y years on the axis, R
    runs, T threads, C = chunk_runs:
    ``4*A*Y*R`` (every run kept) ``+ T*4*C*(G + M)*Y`` (a chunk's completions of its G groups
    and M multi-group areas) ``+ T*2**19`` (a batch of uniforms) ``+ T*(12*32*Y*R + 2**20)``
    (summaries, 32 areas at a time).
    """
    if runs < 1:
        raise ForecastInputError([f"runs: expected >= 1, got {runs}"])
    blocks_per_chunk = max(1, -(-chunk_runs // RUN_BLOCK))
    model, _ = _prepare(plans, assumptions)
    n_axis = model.n_year_axis
    n_blocks = -(-runs // RUN_BLOCK)
    chunks = [
        (b, min(blocks_per_chunk, n_blocks - b)) for b in range(0, n_blocks, blocks_per_chunk)
    ]
    n_threads = max(1, min(threads or os.cpu_count() or 1, len(chunks)))
    by_run = np.zeros((model.n_areas, n_axis, runs), dtype=np.float32)

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

    with _blas_threads(1):  # small products: OpenBLAS threads only get in the way
        if n_threads == 1:
            work(0)
        else:
            with ThreadPoolExecutor(n_threads) as pool:
                list(pool.map(work, range(n_threads)))
        stats = _summarise_runs(by_run, n_threads)

    planned = np.zeros((model.n_areas, n_axis))
    planned[:, : model.planned_homes.shape[1]] = model.planned_homes
    return ForecastResult(
        area_code=tuple(plans.area_code),
        year=np.arange(n_axis, dtype=np.int64) + int(plans.first_year),
        runs=runs,
        seed=seed,
        planned_homes=planned,
        completions_by_run=by_run,
        **stats,
    )


def _summarise_runs(by_run: Float32Array, n_threads: int) -> dict[str, FloatArray]:
    """Mean and P10/P50/P90 over runs, per year and cumulative, in blocks of 32 areas."""
    n_areas, n_axis, runs = by_run.shape
    names = ("mean", "p10", "p50", "p90")
    out = {f"{p}{n}": np.zeros((n_areas, n_axis)) for p in ("", "cum_") for n in names}

    def one(a0: int) -> None:
        part = by_run[a0 : a0 + 32]
        cum = np.empty_like(part)
        cum[:, 0] = part[:, 0]
        for y in range(1, n_axis):  # year by year: contiguous adds, much faster than cumsum
            np.add(cum[:, y - 1], part[:, y], out=cum[:, y])
        for prefix, x in (("", part), ("cum_", cum)):
            out[prefix + "mean"][a0 : a0 + 32] = x.mean(axis=2, dtype=np.float64)
            q = _whole_number_quantiles(x.reshape(-1, runs), (0.1, 0.5, 0.9))
            for i, name in enumerate(names[1:]):
                out[prefix + name][a0 : a0 + 32] = q[i].reshape(-1, n_axis)

    starts = range(0, n_areas, 32)
    if n_threads > 1 and len(starts) > 1:
        with ThreadPoolExecutor(n_threads) as pool:
            list(pool.map(one, starts))
    else:
        for a0 in starts:
            one(a0)
    return out


def _whole_number_quantiles(
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


# --------------------------------------------------------------------------------------------
# Questions to the result
# --------------------------------------------------------------------------------------------


def _period_totals(
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
    totals, planned = _period_totals(result, targets)
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
    target's size, only on how the pipeline realises (inf when that quantile is 0).
    """
    probs = np.asarray(probabilities, dtype=float)
    if ((probs <= 0) | (probs >= 1)).any():
        raise ForecastInputError(
            [f"probabilities: expected values in (0, 1), got {probs.tolist()}"]
        )
    totals, planned = _period_totals(result, targets)
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


# --------------------------------------------------------------------------------------------
# BLAS threads
# --------------------------------------------------------------------------------------------

_blas_lock = threading.Lock()


def _openblas_functions() -> tuple[Any, Any] | None:
    """numpy's OpenBLAS get/set_num_threads, found among the loaded libraries (Linux only)."""
    try:
        with open("/proc/self/maps") as fh:
            paths = {line.split()[-1] for line in fh if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                try:
                    get = getattr(lib, f"{prefix}_get_num_threads{suffix}")
                    set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}")
                except AttributeError:
                    continue
                get.restype = ctypes.c_int
                set_.argtypes = [ctypes.c_int]
                return get, set_
    return None


@contextlib.contextmanager
def _blas_threads(n: int) -> Iterator[None]:
    """Limit OpenBLAS to ``n`` threads for the duration (restored afterwards).

    The engine calls many small matrix products from its own worker threads; OpenBLAS's
    threads on top of them oversubscribe the cores (measured: 2-4x slower). This is what
    threadpoolctl does, without the dependency; without OpenBLAS it does nothing.
    """
    funcs = _openblas_functions()
    if funcs is None:
        yield
        return
    get, set_ = funcs
    with _blas_lock:
        before = int(get())
        set_(n)
        try:
            yield
        finally:
            set_(before)
