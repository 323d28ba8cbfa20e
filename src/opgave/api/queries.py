"""The read side shared by the API and the dashboard: listings with filters, sorting and
paging, the overview, status per area and the map's values, all computed from a snapshot.

Inputs: a :class:`~opgave.api.snapshot.Snapshot` and the caller's filters. Outputs: plain
dicts in the shapes of :mod:`opgave.api.schemas` (pages are ``{total, offset, limit,
items}``). Derives: progress and capacity through :mod:`opgave.monitor` (the same functions
the CLI uses), memoised per snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from typing import Any

from opgave import areas as area_graph
from opgave import monitor
from opgave.api.snapshot import Row, Snapshot

CLOSED_STATUSES = ("done", "superseded", "lapsed")
PLAN_SORTS = ("id", "name", "gemeente_id", "homes", "planstatus", "first_year", "last_year")
AGREEMENT_SORTS = ("id", "area_id", "status", "due_date", "due_meeting_id", "display_order")
AREA_SORTS = ("id", "name", "kind", "display_order")
MAP_MEASURES = ("progress", "capacity", "planned")
AWARD_SORTS = (
    "id",
    "decided_on",
    "amount_eur",
    "homes",
    "affordable_homes",
    "gemeente_id",
    "instrument_id",
    "scheme_name",
)
APPLICATION_SORTS = (
    "id",
    "requested_eur",
    "homes",
    "affordable_homes",
    "start_year",
    "gemeente_id",
    "instrument_id",
)


class QueryError(ValueError):
    """A filter names something that does not exist (answered with 404) or is unusable (400)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _sort_key(field: str) -> Callable[[Row], tuple[bool, Any, str]]:
    def key(row: Row) -> tuple[bool, Any, str]:
        value = row.get(field)
        return (value is None, value if value is not None else 0, str(row.get("id", "")))

    return key


def page(
    rows: Sequence[Row], sort: str | None, order: str, limit: int, offset: int
) -> dict[str, Any]:
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


def require_area(snap: Snapshot, area_id: str) -> Row:
    """The area, or a 404 naming it."""
    area = snap.area_by_id.get(area_id)
    if area is None:
        raise QueryError(404, f"unknown area {area_id!r}")
    return area


def area_scope(snap: Snapshot, area_id: str | None, within: bool) -> set[str] | None:
    """The area ids an area filter admits (None: no filter)."""
    if area_id is None:
        return None
    require_area(snap, area_id)
    return snap.inside(area_id) if within else {area_id}


def list_areas(
    snap: Snapshot,
    *,
    kind: str | None = None,
    within: str | None = None,
    q: str | None = None,
    sort: str = "id",
    order: str = "asc",
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Areas filtered by kind, by lying inside an area, and by a text in id or name."""
    scope = area_scope(snap, within, True)
    needle = (q or "").lower()
    rows = [
        a
        for a in snap.areas
        if (kind is None or a["kind"] == kind)
        and (scope is None or a["id"] in scope)
        and (not needle or needle in a["id"].lower() or needle in a["name"].lower())
    ]
    return page(rows, sort, order, limit, offset)


def area_detail(snap: Snapshot, area_id: str) -> dict[str, Any]:
    """An area with its direct parents and children."""
    return {
        "area": require_area(snap, area_id),
        "parent_ids": snap.parents.get(area_id, []),
        "child_ids": snap.children.get(area_id, []),
    }


def _matching(
    rows: list[Row], scope: set[str] | None, measure: str | None, year: int | None
) -> list[Row]:
    """Targets or figures in the area scope, of the measure, whose period includes the year."""
    return [
        r
        for r in rows
        if (scope is None or r["area_id"] in scope)
        and (measure is None or r["measure"] == measure)
        and (year is None or monitor.in_period(r, year, year))
    ]


def list_targets(
    snap: Snapshot,
    *,
    area: str | None = None,
    within: bool = False,
    measure: str | None = None,
    year: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Targets of an area (and inside it), of a measure, whose period includes a year."""
    rows = _matching(snap.targets, area_scope(snap, area, within), measure, year)
    return page(rows, "id", "asc", limit, offset)


def list_realisations(
    snap: Snapshot,
    *,
    area: str | None = None,
    within: bool = False,
    measure: str | None = None,
    year: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Realised figures of an area (and inside it), of a measure, covering a year."""
    rows = _matching(snap.realisations, area_scope(snap, area, within), measure, year)
    rows.sort(key=lambda r: (r["area_id"], r["measure"], r["first_year"], r["id"]))
    return page(rows, None, "asc", limit, offset)


def overview(snap: Snapshot) -> dict[str, Any]:
    """The national overview (as ``opgave overview``) plus the agreements due next."""

    def compute() -> dict[str, Any]:
        result = monitor.overview(
            targets=snap.targets,
            realisations=snap.realisations,
            plans=snap.plans,
            areas=snap.areas,
            members=snap.members,
            agreements=snap.agreements,
            meetings=snap.meetings,
            sources=snap.sources,
        )
        payload = asdict(result)
        payload["regions"] = [{"area": a, "targets": ts} for a, ts in result.regions]
        pending = [d.meeting_id for d in result.due if d.not_done][:2]
        payload["due_next"] = sorted(
            (
                a
                for a in snap.agreements
                if a["due_meeting_id"] in pending and a["status"] not in CLOSED_STATUSES
            ),
            key=lambda a: (pending.index(a["due_meeting_id"]), a["display_order"] or 0, a["id"]),
        )[:12]
        return payload

    return snap.memo("overview", compute)


def plans_in(snap: Snapshot, area_id: str) -> list[Row]:
    """The current plans in an area: in its municipalities or linked to it or areas inside."""

    def compute() -> list[Row]:
        gemeenten = area_graph.municipalities(area_id, snap.children, snap.kinds)
        inside = snap.inside(area_id)
        linked = {link["plan_id"] for link in snap.plan_areas if link["area_id"] in inside}
        return [p for p in snap.plans if p["gemeente_id"] in gemeenten or p["id"] in linked]

    if area_id == "NL01":
        return snap.plans
    return snap.memo(("plans_in", area_id), compute)


def list_plans(
    snap: Snapshot,
    *,
    area: str | None = None,
    planstatus: Iterable[str] = (),
    q: str | None = None,
    min_homes: int | None = None,
    sort: str = "id",
    order: str = "asc",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Current plans in an area, of some statuses, with a text in id or name, sorted and paged."""
    if area is not None:
        require_area(snap, area)
    base = plans_in(snap, area) if area else snap.plans
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
        return page(base, sort, order, limit, offset)
    ordered = snap.memo(
        ("plans_sorted", area, sort, order),
        lambda: sorted(base, key=_sort_key(sort), reverse=order == "desc"),
    )
    return page(ordered, None, order, limit, offset)


def area_status(snap: Snapshot, area_id: str, plans: Sequence[Row] | None = None) -> list[Any]:
    """Every target of the area and of the areas inside it with progress and capacity
    (``monitor.area_status``); ``plans`` replaces the current plans (for an as-of date)."""
    require_area(snap, area_id)

    def compute(chosen: Sequence[Row]) -> list[Any]:
        return [
            asdict(r)
            for r in monitor.area_status(
                area_id,
                targets=snap.targets,
                realisations=snap.realisations,
                plans=chosen,
                plan_areas=snap.plan_areas,
                areas=snap.areas,
                members=snap.members,
            )
        ]

    if plans is not None:
        return compute(plans)
    return snap.memo(("status", area_id), lambda: compute(snap.plans))


def headline(snap: Snapshot, area_id: str) -> dict[str, Any] | None:
    """The area's own first homes_built target with progress (and capacity), or None."""
    for entry in area_status(snap, area_id):
        target = entry["target"]
        if (
            target["area_id"] == area_id
            and target["measure"] == "homes_built"
            and entry["progress"] is not None
        ):
            return dict(entry)
    return None


def map_values(snap: Snapshot, measure: str, division: str) -> dict[str, Any]:
    """Per province: progress (realised / target) or capacity (planned / target); per
    municipality: planned homes. None where an area has no such figure."""
    if measure not in MAP_MEASURES:
        raise QueryError(400, f"measure {measure!r} is not one of {', '.join(MAP_MEASURES)}")
    if division == "municipality" and measure != "planned":
        raise QueryError(400, "municipalities have no targets: use measure=planned")

    def compute() -> dict[str, Any]:
        kind = "province" if division == "province" else "municipality"
        chosen = [
            a
            for a in snap.areas
            if a["kind"] == kind
            and (a["valid_to"] is None or a["id"] in snap.boundary_ids)
            and (kind == "province" or a["id"] in snap.boundary_ids or not snap.boundary_ids)
        ]
        planned: dict[str, int] = {}
        for p in snap.plans:
            planned[p["gemeente_id"]] = planned.get(p["gemeente_id"], 0) + p["homes"]
        values = []
        for a in sorted(chosen, key=lambda a: a["id"]):
            entry = headline(snap, a["id"]) if kind == "province" else None
            target = entry["target"]["value_min"] if entry else None
            realised = (
                entry["progress"]["realised"]
                if entry and entry["progress"]["realised_years"]
                else None
            )
            capacity = entry["capacity"] if entry else None
            own_planned = (
                sum(p["homes"] for p in plans_in(snap, a["id"]))
                if kind == "province"
                else planned.get(a["id"], 0)
            )
            if measure == "progress":
                value = realised / target if target and realised is not None else None
            elif measure == "capacity":
                value = capacity["ratio_all"] if capacity else None
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
        return {
            "measure": measure,
            "division": division,
            "boundaries": any(v["area_id"] in snap.boundary_ids for v in values),
            "areas": values,
        }

    return snap.memo(("map", measure, division), compute)


def list_agreements(
    snap: Snapshot,
    *,
    area: str | None = None,
    within: bool = True,
    status: str | None = None,
    due_meeting: str | None = None,
    theme: str | None = None,
    sort: str = "display_order",
    order: str = "asc",
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Agreements of an area (and inside it), of a status, due at a meeting, on a theme."""
    scope = area_scope(snap, area, within)
    rows = [
        a
        for a in snap.agreements
        if (scope is None or a["area_id"] in scope)
        and (status is None or a["status"] == status)
        and (due_meeting is None or a["due_meeting_id"] == due_meeting)
        and (theme is None or theme in (a["themes"] or []))
    ]
    return page(rows, sort, order, limit, offset)


def parse_date(value: str | None, name: str) -> dt.date | None:
    """A YYYY-MM-DD parameter as a date, or a 400 naming it."""
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise QueryError(400, f"{name} expects a date YYYY-MM-DD, got {value!r}") from None


def instrument_scope(instruments: Sequence[Row], instrument: str | None) -> set[str] | None:
    """An instrument and its tracks and tranches (``parent_id``), or a 404 naming it."""
    if instrument is None:
        return None
    children: dict[str, list[str]] = {}
    for i in instruments:
        if i["parent_id"] is not None:
            children.setdefault(i["parent_id"], []).append(i["id"])
    if instrument not in {i["id"] for i in instruments}:
        raise QueryError(404, f"unknown instrument {instrument!r}")
    return {instrument} | area_graph.descendants(instrument, children)


def list_funding(
    snap: Snapshot,
    records: Sequence[Row],
    instruments: Sequence[Row],
    *,
    area: str | None = None,
    instrument: str | None = None,
    sort: str = "id",
    order: str = "asc",
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Awards or applications (``records``) of the municipalities in an area (itself, when it
    is one) and of an instrument with its tracks and tranches; sorted and paged."""
    gemeenten = None
    if area is not None:
        require_area(snap, area)
        gemeenten = area_graph.municipalities(area, snap.children, snap.kinds)
    scope = instrument_scope(instruments, instrument)
    rows = [
        r
        for r in records
        if (gemeenten is None or r["gemeente_id"] in gemeenten)
        and (scope is None or r["instrument_id"] in scope)
    ]
    return page(rows, sort, order, limit, offset)
