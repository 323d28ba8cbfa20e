"""Reads and writes of the forecast: runs of the Monte Carlo forecast over the programme
state (optionally under a stored scenario, side by side with another), and the scenarios.

Inputs: the service, the area to answer, runs, seed, an assumptions file and scenario names.
Outputs: :class:`opgave.outlook.Outlook` results and :func:`payload`, the one JSON shape of a
forecast that ``opgave forecast --json`` prints and the API's forecast jobs return (with the
synthetic sources it rests on and the gap years). Derives: nothing - the forecast is
``outlook.run_scenario`` over ``Service.state``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opgave.access import Principal
from opgave.service import Service
from opgave.service.errors import ServiceError
from opgave.service.loading import rows
from opgave.service.monitoring import area_scope

if TYPE_CHECKING:
    from opgave import outlook
    from opgave.forecast.assumptions import ForecastInputError
    from opgave.forecast.backtest import BacktestResult
    from opgave.forecast.history import Learned

BASE = "base"
"""The name that stands for "no scenario" (as in ``opgave forecast --vs base``)."""


def _refused(error: ForecastInputError) -> ServiceError:
    return ServiceError(422, str(error), [{"message": p} for p in error.problems])


def scenarios(svc: Service) -> list[dict[str, Any]]:
    """The stored scenarios."""
    from opgave.model import Scenario

    with svc.engine.connect() as connection:
        return rows(connection, Scenario)


def scenario(svc: Service, name: str | None) -> tuple[str, dict[str, Any]] | None:
    """A stored scenario as ``(label, parsed TOML)``; None for the base case; a 404 naming
    the stored scenarios when it is unknown."""
    from opgave import outlook
    from opgave.forecast.assumptions import ForecastInputError

    if name is None or name == BASE:
        return None
    found = {s["id"]: s for s in scenarios(svc)}
    if name not in found:
        names = ", ".join(sorted(found))
        raise ServiceError.refused(
            404,
            "unknown_scenario" if names else "unknown_scenario_none",
            name=name,
            names=names,
        )
    try:
        data = outlook.parse_scenario(found[name]["overrides_toml"], f"scenario {name}")
    except ForecastInputError as error:
        raise _refused(error) from None
    return (f"scenario {name}", data) if data else None


def run(
    svc: Service,
    *,
    area: str | None = None,
    runs: int = 2000,
    seed: int = 0,
    assumptions_file: Path | None = None,
    scenario_name: str | None = None,
    as_of: dt.date | None = None,
) -> outlook.Outlook:
    """Forecast the programme (as of a date), optionally under a stored scenario."""
    from opgave import outlook
    from opgave.forecast.assumptions import ForecastInputError

    if assumptions_file is not None and not assumptions_file.exists():
        raise ServiceError.refused(404, "no_such_file", path=assumptions_file)
    from opgave.forecast.engine import warm_up

    warm_up()  # numba loads its compiled kernel while the programme state is read
    state = svc.state(as_of)
    area_ids = area_scope(state, area, True)
    chosen = scenario(svc, scenario_name)
    try:
        return outlook.run_scenario(
            state,
            scenario=chosen,
            area_ids=set(area_ids) if area_ids is not None else None,
            runs=runs,
            seed=seed,
            assumptions_file=assumptions_file,
        )
    except ForecastInputError as error:
        raise _refused(error) from None


def silent_regions(svc: Service, result: outlook.Outlook) -> list[str]:
    """The strategy regions the forecast has no target for (no homes number with an end)."""

    state = svc.state()
    answered = {t.area_id for t in result.targets}
    return [
        a["name"]
        for a in state.areas
        if a["kind"] == "strategy_region" and not state.inside(a["id"]) & answered
    ]


def payload(
    result: outlook.Outlook, other: outlook.Outlook | None = None, **settings: Any
) -> dict[str, Any]:
    """A forecast's settings and per-target results, each target with the compared run's
    (``vs``) when there is one; the synthetic sources the figures rest on, the gap years."""

    targets = [asdict(t) for t in result.targets]
    if other is not None:
        by_id = {t.target_id: asdict(t) for t in other.targets}
        for record in targets:
            record["vs"] = by_id.get(record["target_id"])
    return {
        "start_year": result.start_year,
        "runs": result.runs,
        "seed": result.seed,
        "plans": result.plans,
        "definition": result.definition,
        "assumptions": [Path(a).name for a in result.assumptions],
        "gap_years": list(result.gap_years),
        "synthetic": bool(result.synthetic_sources),
        "synthetic_sources": list(result.synthetic_sources),
        **settings,
        "targets": targets,
    }


def add_scenario(svc: Service, principal: Principal, name: str, path: Path) -> None:
    """Store (or replace) a named scenario after checking that it loads."""
    from opgave.service import authority, users  # the ORM, which a forecast run does not need

    authority.require(principal, "scenarios.write")
    from opgave import outlook
    from opgave.forecast.assumptions import ForecastInputError

    if not path.exists():
        raise ServiceError.refused(404, "no_such_file", path=path)
    text = path.read_text(encoding="utf-8")
    try:
        data = outlook.parse_scenario(text, path.name)
        outlook.scenario_assumptions(None, (path.name, data))
        outlook.scenario_plans(data.get("extra_plan", []), path.name)
        outlook.funded_factor(data, path.name)
    except ForecastInputError as error:
        raise _refused(error) from None
    description = str(data.get("description", ""))
    from opgave.model import Scenario, Target

    with svc.writing() as session:
        known = {t.id for t in session.query(Target)}
        unknown = {o.get("id") for o in data.get("target", [])} - known
        if unknown:
            raise ServiceError.refused(
                422, "unknown_targets", file=path.name, targets=sorted(map(str, unknown))
            )
        existing = session.get(Scenario, name)
        before = existing.to_dict() if existing else None
        if existing is None:
            existing = Scenario(id=name, name=name, description=description or None,
                                overrides_toml=text, created_on=dt.date.today())  # fmt: skip
            session.add(existing)
        else:
            existing.overrides_toml, existing.description = text, description or None
        session.flush()
        users.record(session, principal, "create" if before is None else "update", "scenario",
                     name, before, existing.to_dict())  # fmt: skip


def _history(svc: Service) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from opgave.model import Plan, PlanHistory

    with svc.engine.connect() as connection:
        return rows(connection, Plan), rows(connection, PlanHistory)


def calibrate(svc: Service, *, as_of: dt.date | None = None) -> Learned:
    """Drop-out and delay per planstatus learned from the plan-list history (up to a date)."""
    from opgave.forecast.assumptions import ForecastInputError
    from opgave.forecast.history import learn

    plans, history = _history(svc)
    try:
        return learn(plans, history, as_of=as_of)
    except ForecastInputError as error:
        raise _refused(error) from None


def run_backtest(
    svc: Service,
    *,
    at: dt.date,
    runs: int = 2000,
    seed: int = 0,
    assumptions_file: Path | None = None,
) -> tuple[BacktestResult, bool]:
    """Forecast from the plan lists up to ``at`` and compare with what the later lists show;
    with whether synthetic sources are loaded (the backtest then rests on them)."""
    from opgave.forecast.assumptions import ForecastInputError, load_assumptions
    from opgave.forecast.backtest import areas_by_municipality, backtest

    if assumptions_file is not None and not assumptions_file.exists():
        raise ServiceError.refused(404, "no_such_file", path=assumptions_file)
    from opgave.forecast.engine import warm_up

    warm_up()  # numba loads its compiled kernel while the plan lists are read
    plans, history = _history(svc)
    from opgave.model import Area, AreaMember, Source

    with svc.engine.connect() as connection:
        areas_of, region_of = areas_by_municipality(
            rows(connection, Area), rows(connection, AreaMember)
        )
        synthetic = any(s["confidence"] == "synthetic" for s in rows(connection, Source))
    try:
        base = load_assumptions(assumptions_file)
        result = backtest(
            plans, history, at=at, areas_of=areas_of, region_of=region_of, base=base,
            runs=runs, seed=seed,
        )  # fmt: skip
    except ForecastInputError as error:
        raise _refused(error) from None
    return result, synthetic
