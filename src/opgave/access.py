"""Who may write what: the principal behind a request or command and its scope.

Roles (``vocabulary.ROLES``): ``admin`` (Rijk) writes everything; ``editor`` writes only
its own areas and what lies inside them (a region's programme office); ``viewer`` reads.
Pure functions: the service layer's write path calls them for every write, whichever door
it came through (:mod:`opgave.service.authority`). ``OPERATIONS`` is the one table of who
may write what: the lowest role per kind of write and the fields that place its records in
areas; ``decide`` checks a write against it, on the old and the new value of every placing
field (moving a record out of another region is writing that region).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from opgave import areas as area_graph
from opgave.refusals import counted, refusal


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user (or token holder) with role and area scope."""

    id: int
    name: str
    role: str
    area_ids: tuple[str, ...] = ()

    @property
    def can_write(self) -> bool:
        """Admins and editors write (editors within their areas); viewers do not."""
        return self.role in ("admin", "editor")


def writable_areas(principal: Principal, children: Mapping[str, list[str]]) -> set[str] | None:
    """The areas a principal may write: None for all (admin), an editor's areas and everything
    inside them, nothing for a viewer."""
    if principal.role == "admin":
        return None
    if principal.role != "editor":
        return set()
    scope: set[str] = set()
    for area in principal.area_ids:
        scope |= {area} | area_graph.descendants(area, children)
    return scope


def may_write(principal: Principal, area_id: str, children: Mapping[str, list[str]]) -> bool:
    """True when the principal may write records of ``area_id``."""
    scope = writable_areas(principal, children)
    return scope is None or area_id in scope


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a form's or header's CSRF token with the session's."""
    return given is not None and secrets.compare_digest(expected.encode(), given.encode())


# ---------------------------------------------------------------- the write policy


@dataclass(frozen=True)
class Operation:
    """A kind of write: the lowest role that may do it (``editor``: admins, and editors
    within their areas; ``admin``: admins only) and the fields that place its records."""

    name: str
    role: str
    placing: tuple[str, ...] = ()
    description: str = ""


OPERATIONS: dict[str, Operation] = {
    o.name: o
    for o in (
        Operation(
            "plans.import",
            "editor",
            ("gemeente_code", "area_ids", "precondition_ids"),
            "import a plan list",
        ),
        Operation("plans.correct", "editor", ("gemeente_id",), "correct plans by hand"),
        Operation(
            "applications.import",
            "editor",
            ("gemeente_code", "instrument_id"),
            "import funding applications",
        ),
        Operation(
            "agreements.write",
            "editor",
            ("area_id",),
            "add, change, link or set the status of agreements",
        ),
        Operation("capacity.import", "editor", ("area_id",), "import capacity totals"),
        Operation("forecast.run", "editor", (), "run forecasts"),
        Operation("scenarios.write", "admin", (), "store forecast scenarios"),
        Operation("awards.record", "admin", (), "record funding awards"),
        Operation("realisations.ingest", "admin", (), "store realised figures (CBS, BAG, demo)"),
        Operation("boundaries.ingest", "admin", (), "store map boundaries"),
        Operation("users.manage", "admin", (), "add users and hand out their tokens"),
    )
}
"""Every write of the service layer and who may do it: the one table the write path asks."""


@dataclass(frozen=True)
class Placement:
    """Where a write puts (or takes) a record: a placing field and the area its value lies in
    - before the write (``old``) or after it (``new``). ``alternatives``: the write may
    place the record when any one of them is the writer's (an instrument is meant for
    several areas; an editor may use it when one of them is its own)."""

    field: str
    area_id: str
    record: str
    when: str = "new"
    alternatives: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Decision:
    """Whether a write may go ahead: the reason when not, and the placements outside the
    writer's areas."""

    allowed: bool
    reason: str = ""
    outside: tuple[Placement, ...] = ()


def decide(
    principal: Principal,
    operation: str,
    placements: Iterable[Placement],
    children: Mapping[str, list[str]],
) -> Decision:
    """May ``principal`` do ``operation`` with these placements (old and new values of every
    placing field)? Viewers never write; admin-only operations refuse editors; an editor
    may place (and take away) records only within its areas and what lies inside them."""
    rule = OPERATIONS[operation]
    if not principal.can_write:
        return Decision(False, refusal("read_only_role", name=principal.name, role=principal.role))
    if rule.role == "admin" and principal.role != "admin":
        return Decision(
            False, f"only an admin may {rule.description}; {principal.name} is a {principal.role}"
        )
    scope = writable_areas(principal, children)
    if scope is None:
        return Decision(True)
    outside = tuple(
        p
        for p in placements
        if (p.area_id not in scope if not p.alternatives else not (p.alternatives & scope))
    )
    if outside:
        return Decision(
            False, counted("placements_outside", len(outside), name=principal.name), outside
        )
    return Decision(True)
