"""Reads of monitoring: the overview, status per area, headline figures, realised figures with
whether they stand, the plans in an area, what changed in the pipeline, the map's values.

Inputs: the service (its programme state for the date asked) and the caller's filters.
Outputs: the typed results of :mod:`opgave.monitor` (the same objects for every door) or,
for listings, pages ``{total, offset, limit, items}``. Derives: nothing of its own - every
figure is computed by :mod:`opgave.monitor` over :mod:`opgave.state`; results are kept per
state, so a server answers repeated questions from memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from opgave import monitor, pipeline
from opgave.service import Service
from opgave.service.errors import ServiceError
from opgave.state import TIER_TEXT, ProgrammeState, set_aside_reason, tier_of

Row = dict[str, Any]
PLAN_SORTS = ("id", "name", "gemeente_id", "homes", "planstatus", "first_year", "last_year")
MAP_MEASURES = ("progress", "capacity", "planned")


# ---------------------------------------------------------------- shared helpers


def parse_date(value: str | None, name: str) -> dt.date | None:
    """A YYYY-MM-DD parameter as a date, or a 400 naming it."""
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ServiceError.refused(400, "bad_date", name=name, value=value) from None


def require_area(state: ProgrammeState, area_id: str) -> Row:
    """The area, or a 404 naming it."""
    area = state.area_by_id.get(area_id)
    if area is None:
        raise ServiceError.refused(404, "unknown_area", area=area_id)
    return area


def area_scope(state: ProgrammeState, area_id: str | None, within: bool) -> frozenset[str] | None:
    """The area ids an area filter admits (None: no filter)."""
    if area_id is None:
        return None
    require_area(state, area_id)
    return state.inside(area_id) if within else frozenset({area_id})


def check_definition(definition: str) -> str:
    """A definition name of homes built, or a 400 listing the choices."""
    if definition not in monitor.DEFINITIONS:
        raise ServiceError.refused(
            400,
            "unknown_definition",
            definition=definition,
            choices=", ".join(monitor.DEFINITIONS),
        )
    return definition


def _sort_key(field: str) -> Callable[[Row], tuple[bool, Any, str]]:
    def key(row: Row) -> tuple[bool, Any, str]:
        value = row.get(field)
        return (value is None, value if value is not None else 0, str(row.get("id", "")))

    return key


def page(rows: Sequence[Row], sort: str | None, order: str, limit: int, offset: int) -> Row:
    """A page of ``rows`` sorted by ``sort`` (None: as given), ascending or descending."""
    ordered = list(rows)
    if sort is not None:
        ordered.sort(key=_sort_key(sort), reverse=order == "desc")
    return {
        "total": len(ordered),
        "offset": offset,
        "limit": limit,
        "items": ordered[offset : offset + limit],
    }


# ---------------------------------------------------------------- headline figures


def overview(
    svc: Service, as_of: dt.date | None = None, definition: str = monitor.DEFAULT_DEFINITION
) -> monitor.Overview:
    """The national overview (``opgave overview``, ``/api/v1/overview``, the dashboard's
    first page and the report's opening)."""
    check_definition(definition)
    state = svc.state(as_of)
    return state.memo(("overview", definition), lambda: monitor.overview(state, definition))


@dataclass(frozen=True)
class AreaStatus:
    """An area's headline and every target of it and of the areas inside it, with the
    funding awarded there and the BAG-derived year so far (None without monthly figures)."""

    area: Row
    headline: monitor.Headline
    targets: list[monitor.TargetStatus]
    funding: monitor.Funding
    synthetic_sources: list[str]
    as_of: str | None
    year_so_far: monitor.YearSoFar | None = None


def status(
    svc: Service,
    area_id: str,
    as_of: dt.date | None = None,
    definition: str = monitor.DEFAULT_DEFINITION,
) -> AreaStatus:
    """Progress and plan capacity per target of an area (``opgave status``, the API's
    ``/status/{area}``, a region's page)."""
    check_definition(definition)
    state = svc.state(as_of)
    area = require_area(state, area_id)

    def compute() -> AreaStatus:
        return AreaStatus(
            area=area,
            headline=monitor.headline(state, area_id, definition),
            targets=monitor.area_status(state, area_id, definition),
            funding=monitor.funding_in(state, area_id),
            synthetic_sources=list(state.synthetic_sources),
            as_of=as_of.isoformat() if as_of else None,
            year_so_far=year_so_far_of(state, area_id),
        )

    return state.memo(("status", area_id, definition), compute)


def year_so_far_of(state: ProgrammeState, area_id: str) -> monitor.YearSoFar | None:
    """An area's BAG-derived year so far (:func:`opgave.monitor.year_so_far`), once per state."""
    return state.memo(("year_so_far", area_id), lambda: monitor.year_so_far(state, area_id))


def headlines(
    svc: Service, as_of: dt.date | None = None, definition: str = monitor.DEFAULT_DEFINITION
) -> list[monitor.Headline]:
    """The headline figures of the nation and of every strategy region."""
    result = overview(svc, as_of, definition)
    return [result.headline, *(r.headline for r in result.regions)]


# ---------------------------------------------------------------- realised figures


def realisations(
    svc: Service,
    *,
    area: str | None = None,
    within: bool = True,
    measure: str | None = None,
    year: int | None = None,
    source: str | None = None,
) -> list[Row]:
    """Realised figures of an area (and inside it), each with ``stands`` (whether it is the
    figure that counts for its area, measure and year) and, when not, ``set_aside_reason``;
    plus its tier and whether it is synthetic."""
    state = svc.state()
    scope = area_scope(state, area, within)
    aside = {(s.area_id, s.measure, s.year, s.source_id): s.reason for s in state.figures.set_aside}
    out = []
    for r in state.realisations:
        if scope is not None and r["area_id"] not in scope:
            continue
        if measure is not None and r["measure"] != measure:
            continue
        if year is not None and not monitor.in_period(r, year, year):
            continue
        if source is not None and not str(r["source_id"] or "").startswith(source):
            continue
        reason = aside.get((r["area_id"], r["measure"], r["first_year"], r["source_id"]))
        if r["first_year"] != r["last_year"]:
            reason = set_aside_reason("several_years")
        tier = tier_of(state.source_by_id.get(r["source_id"] or ""), r["provisional"])
        out.append(
            {
                **r,
                "tier": tier,
                "tier_text": TIER_TEXT[tier],
                "synthetic": tier == "synthetic",
                "stands": reason is None,
                "set_aside_reason": reason,
            }
        )
    out.sort(key=lambda r: (r["area_id"], r["measure"], r["first_year"], r["id"]))
    return out


def series(
    svc: Service,
    area_id: str,
    as_of: dt.date | None = None,
    definition: str = monitor.DEFAULT_DEFINITION,
) -> monitor.Series:
    """The realised series of an area under a definition of homes built."""
    check_definition(definition)
    state = svc.state(as_of)
    require_area(state, area_id)
    return monitor.realised_series(
        state, area_id, monitor.definition_for("homes_built", definition)
    )


# ---------------------------------------------------------------- plans


def plans(
    svc: Service,
    *,
    area: str | None = None,
    as_of: dt.date | None = None,
    planstatus: Iterable[str] = (),
    q: str | None = None,
    min_homes: int | None = None,
    sort: str = "id",
    order: str = "asc",
    limit: int = 50,
    offset: int = 0,
) -> Row:
    """Current plans (or as known on a date) in an area, of some statuses, with a text in id
    or name, sorted and paged; each plan says whether it is synthetic."""
    state = svc.state(as_of)
    if sort not in PLAN_SORTS:
        raise ServiceError.refused(400, "bad_sort", choices=", ".join(PLAN_SORTS), sort=sort)
    if area is not None:
        require_area(state, area)
    base = list(state.plans_in(area)) if area else state.plans
    statuses = set(planstatus)
    needle = (q or "").lower()
    if statuses or needle or min_homes is not None:
        base = [
            p
            for p in base
            if (not statuses or p["planstatus"] in statuses)
            and (not needle or needle in p["id"].lower() or needle in p["name"].lower())
            and (min_homes is None or p["homes"] >= min_homes)
        ]
        ordered = sorted(base, key=_sort_key(sort), reverse=order == "desc")
    else:
        ordered = state.memo(
            ("plans_sorted", area, sort, order),
            lambda: sorted(base, key=_sort_key(sort), reverse=order == "desc"),
        )
    result = page(ordered, None, order, limit, offset)
    result["items"] = [
        {**p, "synthetic": state.is_synthetic(p.get("source_id"))} for p in result["items"]
    ]
    return result


def compare(
    svc: Service, first: dt.date, second: dt.date, area: str | None = None
) -> pipeline.Comparison:
    """What changed in the pipeline (of an area) between two capture dates, with homes."""
    before, after = svc.state(first), svc.state(second)
    if area is not None:
        require_area(after, area)
        return pipeline.compare(
            {p["id"]: p for p in before.plans_in(area)}, {p["id"]: p for p in after.plans_in(area)}
        )
    return pipeline.compare(before.plan_by_id, after.plan_by_id)


# ---------------------------------------------------------------- the map


def map_values(svc: Service, measure: str, division: str) -> Row:
    """Per province: progress (realised / target) or capacity (planned / what remains); per
    municipality: planned homes (municipalities have no targets: their progress and capacity
    are None). None where an area has no such figure. Provinces take their figures from
    :func:`opgave.monitor.headline`, as everywhere else."""
    if measure not in MAP_MEASURES:
        raise ServiceError.refused(
            400, "not_one_of", name="measure", value=measure, choices=", ".join(MAP_MEASURES)
        )
    if division not in ("province", "municipality"):
        raise ServiceError.refused(
            400, "not_one_of", name="division", value=division, choices="province, municipality"
        )
    state = svc.state()
    boundary_ids = state.boundary_ids

    def compute() -> Row:
        kind = division
        year = dt.date.today().year
        chosen = [
            a
            for a in state.areas
            if a["kind"] == kind
            and (a["valid_to"] is None or a["valid_to"] >= year or a["id"] in boundary_ids)
            and (kind == "province" or a["id"] in boundary_ids or not boundary_ids)
        ]
        planned: dict[str, int] = {}
        for p in state.plans:
            planned[p["gemeente_id"]] = planned.get(p["gemeente_id"], 0) + p["homes"]
        values = []
        synthetic = False
        for a in sorted(chosen, key=lambda a: a["id"]):
            head = monitor.headline(state, a["id"]) if kind == "province" else None
            target = head.target["value_min"] if head and head.target else None
            progress = head.progress if head else None
            realised = progress.realised if progress and progress.realised_years else None
            capacity = head.capacity if head else None
            own_planned = head.planned_homes if head else planned.get(a["id"], 0)
            if measure == "progress":
                value = realised / target if target and realised is not None else None
                synthetic |= bool(progress and progress.synthetic and value is not None)
            elif measure == "capacity":
                value = capacity.ratio_all if capacity else None
                synthetic |= bool(capacity and capacity.synthetic)
            else:
                value = float(own_planned)
            values.append(
                {
                    "area_id": a["id"],
                    "name": a["name"],
                    "value": value,
                    "target_homes": target,
                    "realised": realised,
                    "planned": own_planned,
                }
            )
        if measure == "planned":
            synthetic = any(state.is_synthetic(p.get("source_id")) for p in state.plans)
        return {
            "measure": measure,
            "division": division,
            "boundaries": any(v["area_id"] in boundary_ids for v in values),
            "synthetic": synthetic,
            "areas": values,
        }

    return state.memo(("map", measure, division), compute)


def yearly(
    svc: Service,
    area_id: str,
    as_of: dt.date | None = None,
    definition: str = monitor.DEFAULT_DEFINITION,
) -> monitor.YearlyPicture:
    """An area's homes per year: realised, the pace its target needs, plans by planned year
    (a region's page; computed by :func:`opgave.monitor.yearly_picture`)."""
    check_definition(definition)
    state = svc.state(as_of)
    require_area(state, area_id)
    return state.memo(
        ("yearly", area_id, definition),
        lambda: monitor.yearly_picture(state, area_id, definition),
    )
