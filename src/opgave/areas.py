"""The area graph: which areas contain which, the municipalities of an area, a display tree.

Areas nest and overlap (a municipality lies in a province and in a strategy region), so
memberships form a directed acyclic graph, not a tree. Figures are aggregated through
``municipalities``: a municipality counts once in an area however many paths lead there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

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
