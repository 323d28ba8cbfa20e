"""The area graph: which areas contain which, the municipalities of an area, a display tree;
membership as of a date, completeness and coverage.

Areas nest and overlap (a municipality lies in a province and in a strategy region), so
memberships form a directed acyclic graph, not a tree. Figures are aggregated through
``municipalities``: a municipality counts once in an area however many paths lead there.

Memberships hold for a period (``valid_from`` / ``valid_to``, inclusive dates): the graph of a
date keeps only those valid that day (``children_on``), so the MRA of 2021 holds Weesp and
Beemster and that of 2023 does not. An area's membership is complete only if its own list is
and every member area it relies on is too (``is_complete``); ``coverage`` says how many
municipalities are known against how many there are. Pure functions over rows as the
model's ``to_dict`` gives them: no database here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from opgave import i18n

Row = Mapping[str, Any]


def children_of(members: Iterable[Row]) -> dict[str, list[str]]:
    """Parent id -> sorted child ids, from ``area_member`` rows."""
    children: dict[str, set[str]] = defaultdict(set)
    for m in members:
        children[m["parent_id"]].add(m["child_id"])
    return {parent: sorted(kids) for parent, kids in children.items()}


def descendants(area_id: str, children: Mapping[str, list[str]]) -> set[str]:
    """Every area inside ``area_id`` (not including itself)."""
    seen: set[str] = set()
    stack = list(children.get(area_id, []))
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(children.get(current, []))
    return seen


def municipalities(
    area_id: str, children: Mapping[str, list[str]], kinds: Mapping[str, str]
) -> set[str]:
    """The municipalities inside an area (itself, if it is one); each counted once."""
    inside = descendants(area_id, children) | {area_id}
    return {a for a in inside if kinds.get(a) == "municipality"}


def display_children(
    children: Mapping[str, list[str]], transparent: Iterable[str] = ()
) -> dict[str, list[str]]:
    """The children to show under each area in a tree: a child also reachable through a
    sibling is shown only there (e.g. provinces under their landsdeel, not under the nation).
    Paths through ``transparent`` areas (municipalities, which a tree may fold away) do not
    count, so a location inside a municipality still shows under its region."""
    hidden = set(transparent)
    opaque = {parent: kids for parent, kids in children.items() if parent not in hidden}
    shown: dict[str, list[str]] = {}
    for parent, kids in children.items():
        via_sibling: set[str] = set()
        for kid in kids:
            via_sibling |= descendants(kid, opaque)
        shown[parent] = [k for k in kids if k not in via_sibling]
    return shown


def roots(areas: Iterable[Row], children: Mapping[str, list[str]]) -> list[str]:
    """Areas that no other area contains."""
    contained = {kid for kids in children.values() for kid in kids}
    return sorted(a["id"] for a in areas if a["id"] not in contained)


# ---------------------------------------------------------------- membership as of a date

PLACED_KINDS = ("location", "large_scale_area")
"""Areas placed inside municipalities (a municipality is their parent): they hold no
municipalities, so an area containing them does not rely on them for its member list."""
DIVISION_KINDS = ("nation", "landsdeel", "province")
"""Divisions of the country: made of divisions and municipalities only, so the strategy
regions and groups placed inside them add nothing to their member lists."""
CONFIDENCE_ORDER = ("official", "secondary", "inferred", "synthetic")
"""Membership confidences from strongest to weakest."""


def valid_on(member: Row, on: dt.date) -> bool:
    """Whether a membership holds on a date (``valid_from`` / ``valid_to`` inclusive, None
    open)."""
    start, end = member.get("valid_from"), member.get("valid_to")
    return (start is None or start <= on) and (end is None or on <= end)


def members_on(members: Iterable[Row], on: dt.date | None) -> list[Row]:
    """The memberships that hold on ``on`` (all of them when ``on`` is None)."""
    return [m for m in members if on is None or valid_on(m, on)]


def children_on(members: Iterable[Row], on: dt.date | None) -> dict[str, list[str]]:
    """Parent id -> sorted child ids of the memberships that hold on ``on``: the membership
    graph as of a date (``children_of`` of ``members_on``)."""
    return children_of(members_on(members, on))


def municipality_union(
    area_ids: Iterable[str], children: Mapping[str, list[str]], kinds: Mapping[str, str]
) -> set[str]:
    """The municipalities of several areas together, each counted once (regions overlap:
    Barneveld and Nijkerk are in Regio Amersfoort and in Foodvalley)."""
    union: set[str] = set()
    for area_id in area_ids:
        union |= municipalities(area_id, children, kinds)
    return union


def relied_on(
    area_id: str,
    children: Mapping[str, list[str]],
    kinds: Mapping[str, str],
    placed_kinds: Iterable[str] = PLACED_KINDS,
) -> list[str]:
    """The member areas an area's municipalities come through: its children that are
    neither municipalities nor placed areas (locations and large-scale areas lie inside
    municipalities and add none). A group of placed areas (the 14) thus relies on nothing:
    its completeness is that of its own list. A division (nation, landsdeel, province)
    relies only on the divisions inside it, not on regions placed in it."""
    kids = children.get(area_id, [])
    if kinds.get(area_id) in DIVISION_KINDS:
        return [k for k in kids if kinds.get(k) in DIVISION_KINDS]
    placed = {*placed_kinds, "municipality"}
    return [k for k in kids if kinds.get(k) not in placed]


def incomplete_parts(
    area_id: str,
    children: Mapping[str, list[str]],
    kinds: Mapping[str, str],
    flags: Mapping[str, bool],
    placed_kinds: Iterable[str] = PLACED_KINDS,
) -> list[str]:
    """The areas that make ``area_id`` incomplete: itself when its own list is flagged
    incomplete, and every incomplete area it relies on, at any depth (sorted, each once)."""
    found: set[str] = set()
    seen: set[str] = set()
    stack = [area_id]
    placed = tuple(placed_kinds)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if not flags.get(current, True):
            found.add(current)
        stack.extend(relied_on(current, children, kinds, placed))
    return sorted(found)


def is_complete(
    area_id: str,
    children: Mapping[str, list[str]],
    kinds: Mapping[str, str],
    flags: Mapping[str, bool],
    placed_kinds: Iterable[str] = PLACED_KINDS,
) -> bool:
    """Whether an area's membership is complete: its own list is complete (``flags``, the
    ``members_complete`` column) and so is every member area it relies on, at any depth."""
    return not incomplete_parts(area_id, children, kinds, flags, placed_kinds)


def municipality_confidence(
    area_id: str,
    members: Iterable[Row],
    kinds: Mapping[str, str],
) -> dict[str, str]:
    """Municipality -> how firmly it belongs to the area: along each path from the area the
    weakest membership counts, and the strongest path wins (Barneveld is official in the
    Utrecht region through Regio Amersfoort, though secondary through Foodvalley)."""
    rank = {c: i for i, c in enumerate(CONFIDENCE_ORDER)}
    edges: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for m in members:
        edges[m["parent_id"]].append(
            (m["child_id"], rank.get(m.get("confidence") or "official", len(rank)))
        )
    best: dict[str, int] = {area_id: 0}
    stack = [area_id]
    while stack:
        current = stack.pop()
        for child, weight in edges.get(current, []):
            strength = max(best[current], weight)
            if child not in best or strength < best[child]:
                best[child] = strength
                stack.append(child)
    weakest = CONFIDENCE_ORDER[-1]
    return {
        a: CONFIDENCE_ORDER[r] if r < len(CONFIDENCE_ORDER) else weakest
        for a, r in best.items()
        if kinds.get(a) == "municipality"
    }


@dataclass(frozen=True)
class Coverage:
    """How many municipalities of an area (or several) are known on a date, against how many
    there are: "30 of 30 municipalities"; "lower bound: 21 of 22 municipalities"; "lower
    bound: 5 municipalities known, total not stated".

    ``known`` counts each municipality once; ``expected`` is ``known`` when the membership is
    complete, the count a source states when it is not (None when no source states one, or
    when the area is a group of locations or large-scale areas, whose stated count is one of
    areas, not municipalities);
    ``by_confidence`` counts the known municipalities per confidence (strongest path);
    ``incomplete`` lists the areas that make the membership incomplete and ``notes`` their
    ``members_note``; ``lower_bound`` says a figure summed over the known municipalities is
    only a lower bound, and ``text`` says all this in the line the doors print (English)."""

    area_ids: tuple[str, ...]
    on: dt.date
    known: int
    expected: int | None
    complete: bool
    by_confidence: tuple[tuple[str, int], ...]
    incomplete: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    lower_bound: bool = False
    text: str = ""


def coverage_text(
    known: int, expected: int | None, complete: bool, by_confidence: Iterable[tuple[str, int]]
) -> str:
    """ "30 of 30 municipalities", "lower bound: 21 of 22 municipalities", "lower bound: 5
    municipalities known, total not stated"; weaker memberships counted in brackets (the
    English of :func:`opgave.i18n.coverage`, as the data says it)."""
    return i18n.coverage(known, known if complete else expected, not complete, "en", by_confidence)


def coverage(
    area_ids: str | Iterable[str],
    areas: Iterable[Row],
    members: Iterable[Row],
    on: dt.date,
    placed_kinds: Iterable[str] = PLACED_KINDS,
) -> Coverage:
    """The coverage of an area, or of several together, on a date: the municipalities known
    through memberships valid that day (each once) against those expected. Several areas are
    complete together only if each is; their expected total is then the union's size."""
    ids = (area_ids,) if isinstance(area_ids, str) else tuple(area_ids)
    area_rows = list(areas)
    kinds = {a["id"]: a["kind"] for a in area_rows}
    flags = {a["id"]: bool(a.get("members_complete", True)) for a in area_rows}
    stated = {a["id"]: a.get("members_expected") for a in area_rows}
    notes_by_area = {a["id"]: a.get("members_note") for a in area_rows}
    valid = members_on(members, on)
    children = children_of(valid)
    placed = tuple(placed_kinds)
    known = municipality_union(ids, children, kinds)
    incomplete = sorted(
        {part for a in ids for part in incomplete_parts(a, children, kinds, flags, placed)}
    )
    complete = not incomplete
    of_areas = bool(ids) and all(
        children.get(a) and all(kinds.get(k) in placed for k in children[a]) for a in ids
    )
    if complete:
        expected: int | None = len(known)
    elif len(ids) == 1 and stated.get(ids[0]) is not None and not of_areas:
        expected = max(int(stated[ids[0]] or 0), len(known))
    else:
        expected = None
    strongest: dict[str, int] = {}
    rank = {c: i for i, c in enumerate(CONFIDENCE_ORDER)}
    for a in ids:
        for code, conf in municipality_confidence(a, valid, kinds).items():
            if code in known:
                strongest[code] = min(strongest.get(code, len(rank)), rank[conf])
    counts = {c: 0 for c in CONFIDENCE_ORDER}
    for r in strongest.values():
        counts[CONFIDENCE_ORDER[r]] += 1
    split = tuple((c, n) for c, n in counts.items() if n)
    return Coverage(
        area_ids=ids,
        on=on,
        known=len(known),
        expected=expected,
        complete=complete,
        by_confidence=split,
        incomplete=tuple(incomplete),
        notes=tuple(n for a in incomplete if (n := notes_by_area.get(a))),
        lower_bound=not complete,
        text=coverage_text(len(known), expected, complete, split),
    )
