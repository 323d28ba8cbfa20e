"""The programme's outlook: plans, areas, targets and realised figures to a forecast per target.

Inputs: the programme state (:mod:`opgave.state`: the current plans with their area and
precondition links, areas and memberships, targets, the standing realised figures) and
forecast ``Assumptions``; a scenario may add plans and override targets.
Outputs: per target the distribution of homes in its period (realised so far + simulated),
the probability of reaching its minimum and maximum, the plan-capacity ratio needed for 50/80/90%,
and per area the cumulative fan (P10/P50/P90 against the target line).
Derives: the forecast start (the year after the nation's last realised year, under the
definition of homes built used everywhere); the gap years (from the start on, years in which
no plan delivers anything: reported, never read as zero); each plan's
schedule from that year on (homes per year given, else spread evenly); which plans count for
which area (its municipalities, once each, and plans linked to it or to areas inside it); what
each target still needs (value minus realised in its period, from ``monitor.realised_series``).
The engine is ``opgave.forecast.engine``.
``run_scenario`` forecasts the stored programme under a named scenario (extra plans, target
overrides, assumption overrides, funded drop-out); ``opgave forecast`` and the API call it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from opgave import monitor
from opgave.forecast import engine, questions
from opgave.forecast.assumptions import (
    Assumptions,
    ForecastInputError,
    assumption_documents,
    assumptions_from,
)
from opgave.state import ProgrammeState

Row = Mapping[str, Any]
FORECAST_MEASURES = ("homes_built",)
NORM_PROBABILITIES = (0.5, 0.8, 0.9)


@dataclass(frozen=True)
class TargetOutlook:
    """A target's forecast: homes in its period (realised + simulated) and P(reaching it)."""

    target_id: str
    area_id: str
    area_name: str
    first_year: int
    last_year: int
    value_min: float | None
    value_max: float | None
    approximate: bool
    realised: float
    planned: float
    mean: float
    p10: float
    p50: float
    p90: float
    p_reach_min: float | None
    p_reach_max: float | None
    norm: dict[str, float | None] | None
    gap_years: tuple[int, ...]
    synthetic: bool


@dataclass(frozen=True)
class Outlook:
    """A forecast run over the programme: settings, per-target results and per-area fans."""

    start_year: int
    runs: int
    seed: int
    plans: int
    assumptions: tuple[str, ...]
    targets: list[TargetOutlook]
    fans: dict[str, dict[str, Any]]
    definition: str
    gap_years: tuple[int, ...]
    synthetic_sources: tuple[str, ...]


def _finite(value: float) -> float | None:
    """A ratio, or None where it is unbounded (the pipeline cannot reach the target)."""
    return float(value) if np.isfinite(value) else None


def forecast_targets(targets: Sequence[Row], area_ids: set[str] | None, start: int) -> list[Row]:
    """Targets the forecast answers: homes built, a number, a last year not before ``start``."""
    return [
        t
        for t in targets
        if t["measure"] in FORECAST_MEASURES
        and (t["value_min"] is not None or t["value_max"] is not None)
        and t["last_year"] is not None
        and t["last_year"] >= start
        and (area_ids is None or t["area_id"] in area_ids)
    ]


def start_year(state: ProgrammeState, definition: str, today: dt.date) -> int:
    """The first simulated year: after the nation's last realised year (else this year)."""
    series = monitor.realised_series(
        state, monitor.NATION, monitor.definition_for("homes_built", definition)
    )
    return max(series.yearly) + 1 if series.yearly else today.year


def _province(state: ProgrammeState, municipality: str) -> str:
    """The province a municipality lies in on the state's date ("" when none is known): the
    region whose part of the year conditions its plans share."""
    found = sorted(
        a for a in state.parents.get(municipality, []) if state.kinds.get(a) == "province"
    )
    return found[0] if found else ""


def run(
    state: ProgrammeState,
    *,
    assumptions: Assumptions,
    plans: Sequence[Row] | None = None,
    targets: Sequence[Row] | None = None,
    area_ids: set[str] | None = None,
    runs: int = 2000,
    seed: int = 0,
    today: dt.date | None = None,
    dropout: Mapping[str, float] | None = None,
    definition: str = monitor.DEFAULT_DEFINITION,
) -> Outlook:
    """Simulate the pipeline and answer every target of ``area_ids`` (all when None).

    ``plans`` and ``targets`` replace the state's (a scenario's extra plans and target
    overrides); ``dropout`` overrides the drop-out probability of single plans (by plan id),
    e.g. for plans that received funding in a scenario.
    """
    today = today or dt.date.today()
    plans = state.plans if plans is None else plans
    targets = state.targets if targets is None else targets
    start = start_year(state, definition, today)
    chosen = forecast_targets(targets, area_ids, start)
    target_areas = sorted({t["area_id"] for t in chosen})
    plan_list = sorted(plans, key=lambda p: p["id"])
    index = {p["id"]: i for i, p in enumerate(plan_list)}
    linked: dict[str, list[int]] = {}  # plan rows per linked area (a large-scale area ...)
    for link in state.plan_areas:
        if link["plan_id"] in index:
            linked.setdefault(link["area_id"], []).append(index[link["plan_id"]])
    municipality_codes = sorted({p["gemeente_id"] for p in plan_list})
    position = {m: k for k, m in enumerate(municipality_codes)}
    plan_municipality = np.array([position[p["gemeente_id"]] for p in plan_list], dtype=np.int64)
    member = np.zeros((len(plan_list), len(target_areas)), dtype=np.uint8)
    # a plan counts in the areas its municipality lies in, and in those it is linked to (and
    # the areas those lie in)
    for column, area in enumerate(target_areas):
        covers = np.zeros(len(municipality_codes), dtype=bool)
        covers[[position[m] for m in state.municipalities(area) if m in position]] = True
        inside = covers[plan_municipality]
        for a in state.inside(area):
            inside[linked.get(a, [])] = True
        member[:, column] = inside
    last = max([p["last_year"] for p in plan_list] + [start])
    earliest = min([p["first_year"] for p in plan_list] + [start])
    even = engine.delivery_schedule(
        [p["homes"] for p in plan_list],
        [p["first_year"] for p in plan_list],
        [p["last_year"] for p in plan_list],
        schedule_first_year=earliest,
        n_years=last - earliest + 1,
    )
    for i, p in enumerate(plan_list):  # homes per year given by the list replace the even spread
        if p["homes_by_year"]:
            even[i] = 0
            for offset, homes in enumerate(p["homes_by_year"]):
                even[i, p["first_year"] + offset - earliest] += homes
    schedule = even[:, start - earliest :]  # years before the start are past (realised)
    planned_by_year = schedule.sum(axis=0)
    horizon = max((t["last_year"] for t in chosen), default=start - 1)
    gap_years = tuple(
        year
        for year in range(start, horizon + 1)
        if year - start >= schedule.shape[1] or planned_by_year[year - start] == 0
    )
    pre_ids = sorted({link["precondition_id"] for link in state.plan_preconditions
                      if link["plan_id"] in index})  # fmt: skip
    preconditions = None
    depends = None
    if pre_ids:
        values = [assumptions.precondition(pid) for pid in pre_ids]
        width = max(len(d) for _, d in values)
        delay = np.zeros((len(pre_ids), width))
        for j, (_, dist) in enumerate(values):
            delay[j, : len(dist)] = dist
        preconditions = engine.Preconditions(
            name=tuple(pre_ids), p_met=np.array([m for m, _ in values]), delay_prob=delay
        )
        depends = np.zeros((len(plan_list), len(pre_ids)), dtype=np.uint8)
        column_of = {pid: j for j, pid in enumerate(pre_ids)}
        for link in state.plan_preconditions:
            if link["plan_id"] in index:
                depends[index[link["plan_id"]], column_of[link["precondition_id"]]] = 1
    overrides = None
    if dropout:
        overrides = np.full(len(plan_list), np.nan)
        for pid, probability in dropout.items():
            if pid in index:
                overrides[index[pid]] = probability
    province_of = {m: _province(state, m) for m in municipality_codes}  # once per municipality
    region_code = tuple(sorted(set(province_of.values())))
    region_of = {m: region_code.index(r) for m, r in province_of.items()}
    inputs = engine.PlanInputs(
        region=np.array([region_of[p["gemeente_id"]] for p in plan_list], dtype=np.int64),
        region_code=region_code,
        dropout_prob=overrides,
        planstatus=np.array([p["planstatus"] for p in plan_list], dtype=str),
        schedule_homes=schedule,
        first_year=start,
        area_member=member,
        area_code=tuple(target_areas),
        depends_on=depends,
        preconditions=preconditions,
    )
    result = engine.simulate(inputs, assumptions, runs=runs, seed=seed)
    realised: list[float] = []
    realised_gaps: list[tuple[int, ...]] = []
    synthetic: list[bool] = []
    engine_targets = []
    homes_built = monitor.definition_for("homes_built", definition)
    for t in chosen:
        first = t["first_year"] or monitor.PROGRAMME_START
        series = monitor.realised_series(state, t["area_id"], homes_built, since=first)
        before = [y for y in series.yearly if first <= y < start]
        done = sum(series.yearly[y] for y in before)  # realised within the period, before start
        realised.append(done)
        realised_gaps.append(tuple(y for y in series.gap_years if first <= y < start))
        synthetic.append(bool(before) and series.synthetic)
        engine_targets.append(
            questions.Target(
                area_index=target_areas.index(t["area_id"]),
                first_year=max(t["first_year"] or monitor.PROGRAMME_START, start),
                last_year=t["last_year"],
                value_min=max((t["value_min"] or 0.0) - done, 0.0),
                value_max=max((t["value_max"] or t["value_min"] or 0.0) - done, 0.0),
            )
        )
    summary = questions.summarise_targets(result, engine_targets)
    norm = questions.required_capacity_ratio(result, engine_targets, NORM_PROBABILITIES)
    synthetic_ids = {s for s in {p.get("source_id") for p in plan_list} if state.is_synthetic(s)}
    plan_synthetic = np.fromiter(
        (p.get("source_id") in synthetic_ids for p in plan_list), dtype=bool, count=len(plan_list)
    )
    outlooks = []
    for i, t in enumerate(chosen):
        done = realised[i]
        outlooks.append(
            TargetOutlook(
                target_id=t["id"],
                area_id=t["area_id"],
                area_name=state.area_name(t["area_id"]),
                first_year=t["first_year"] or monitor.PROGRAMME_START,
                last_year=t["last_year"],
                value_min=t["value_min"],
                value_max=t["value_max"],
                approximate=bool(t["approximate"]),
                realised=done,
                planned=float(summary.planned_homes[i]),
                mean=done + float(summary.mean[i]),
                p10=done + float(summary.p10[i]),
                p50=done + float(summary.p50[i]),
                p90=done + float(summary.p90[i]),
                p_reach_min=float(summary.p_reach_min[i]) if t["value_min"] is not None else None,
                p_reach_max=float(summary.p_reach_max[i]) if t["value_max"] is not None else None,
                norm={
                    f"p{round(p * 100)}": _finite(r)
                    for p, r in zip(norm.probability, norm.ratio[i], strict=True)
                }
                | {"current": _finite(norm.current_ratio[i])},
                gap_years=tuple(
                    sorted({*realised_gaps[i]} | {y for y in gap_years if y <= t["last_year"]})
                ),
                synthetic=synthetic[i]
                or bool(plan_synthetic[member[:, target_areas.index(t["area_id"])] == 1].any()),
            )
        )
    fans = {
        area: {
            "year": result.year.tolist(),
            "cum_p10": result.cum_p10[k].tolist(),
            "cum_p50": result.cum_p50[k].tolist(),
            "cum_p90": result.cum_p90[k].tolist(),
            "cum_mean": result.cum_mean[k].tolist(),
        }
        for k, area in enumerate(target_areas)
    }
    return Outlook(
        start_year=start,
        runs=runs,
        seed=seed,
        plans=len(plan_list),
        assumptions=assumptions.stated,
        targets=outlooks,
        fans=fans,
        definition=definition,
        gap_years=gap_years,
        synthetic_sources=state.synthetic_sources,
    )


# --------------------------------------------------------------------------------------------
# Scenarios: the forecast of the programme as stored, optionally under a named scenario
# --------------------------------------------------------------------------------------------

SCENARIO_TABLES = ("extra_plan", "target", "description", "funded")
"""Tables of a scenario file besides the assumption tables (see docs/forecast.md)."""
EXTRA_PLAN_FIELDS = ("id", "gemeente_id", "homes", "planstatus", "first_year", "last_year")


def parse_scenario(text: str, where: str) -> dict[str, Any]:
    """A scenario's TOML text as a dict, or a ForecastInputError naming ``where``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ForecastInputError([f"{where}: not valid TOML ({error})"]) from None


def scenario_assumptions(
    base: Path | None, scenario: tuple[str, Mapping[str, Any]] | None
) -> Assumptions:
    """The shipped defaults, overridden by the ``base`` file, then by the scenario's tables
    (all but :data:`SCENARIO_TABLES`)."""
    documents = assumption_documents(base)
    if scenario is not None:
        name, data = scenario
        documents.append((name, {k: v for k, v in data.items() if k not in SCENARIO_TABLES}))
    return assumptions_from(documents)


def scenario_plans(records: Sequence[Mapping[str, Any]], where: str) -> list[dict[str, Any]]:
    """A scenario's ``[[extra_plan]]`` records in the shape of plan rows (ids prefixed
    ``scenario:``); a record missing a field is refused naming it."""
    result = []
    for number, r in enumerate(records, start=1):
        missing = set(EXTRA_PLAN_FIELDS) - set(r)
        if missing:
            raise ForecastInputError(
                [f"{where}: [[extra_plan]] {number}: missing {', '.join(sorted(missing))}"]
            )
        result.append(
            {
                "id": f"scenario:{r['id']}",
                "name": r.get("name", r["id"]),
                "gemeente_id": r["gemeente_id"],
                "homes": int(r["homes"]),
                "planstatus": str(r["planstatus"]),
                "first_year": int(r["first_year"]),
                "last_year": int(r["last_year"]),
                "homes_by_year": None,
            }
        )
    return result


def funded_factor(data: Mapping[str, Any] | None, where: str) -> float | None:
    """The scenario's ``[funded] dropout_factor``, checked; None when it has none."""
    funded = (data or {}).get("funded")
    if funded is None:
        return None
    factor = funded.get("dropout_factor") if isinstance(funded, dict) else None
    if isinstance(factor, bool) or not isinstance(factor, int | float) or factor < 0:
        raise ForecastInputError([f"{where}: [funded].dropout_factor: expected a number >= 0"])
    return float(factor)


def funded_dropout(
    awards: Sequence[Row],
    data: Mapping[str, Any] | None,
    assumptions: Assumptions,
    plans: Sequence[Row],
) -> dict[str, float] | None:
    """With ``[funded] dropout_factor = f`` in a scenario: plans with an award drop out f times
    as often as their planstatus says (funding removes a public funding gap)."""
    factor = funded_factor(data, "scenario")
    if factor is None:
        return None
    awarded = {a["plan_id"] for a in awards if a["plan_id"]}
    status = {p["id"]: p["planstatus"] for p in plans}
    return {
        pid: min(1.0, float(assumptions.dropout_prob[status[pid]]) * factor)
        for pid in awarded
        if pid in status
    }


def run_scenario(
    state: ProgrammeState,
    *,
    scenario: tuple[str, Mapping[str, Any]] | None = None,
    area_ids: set[str] | None = None,
    runs: int = 2000,
    seed: int = 0,
    assumptions_file: Path | None = None,
    today: dt.date | None = None,
) -> Outlook:
    """Forecast the stored programme, optionally under a scenario ``(label, parsed TOML)``;
    the label names the scenario in error messages and in ``Outlook.assumptions``.

    Inputs: the programme state, the scenario, the areas to answer (None: all), runs, seed
    and an assumptions file. Output: the :class:`Outlook` (``opgave forecast`` and the API's
    forecast jobs both call this). Derives: the assumptions (defaults < file < scenario), the
    plans plus the scenario's extra plans, the targets with the scenario's overrides, the
    drop-out of funded plans. Raises ``ForecastInputError`` on a bad scenario.
    """
    where = scenario[0] if scenario else "scenario"
    data = scenario[1] if scenario else None
    assumptions = scenario_assumptions(assumptions_file, (where, data) if data else None)
    plans = list(state.plans)
    if data:
        plans += scenario_plans(data.get("extra_plan", []), where)
    dropout = funded_dropout(state.awards, data, assumptions, plans)
    overrides = {o["id"]: o for o in (data or {}).get("target", [])}
    targets = [{**t, **overrides.get(t["id"], {})} for t in state.targets]
    return run(
        state,
        plans=plans,
        targets=targets,
        assumptions=assumptions,
        area_ids=area_ids,
        runs=runs,
        seed=seed,
        today=today,
        dropout=dropout,
    )
