"""Authorisation on the write path: every write of the service layer asks here, whichever
door it came through (command line, API, dashboard).

Inputs: the service, the principal, the operation (a key of :data:`opgave.access.OPERATIONS`)
and the placements of the write - the old and the new value of every field that places a
record in an area (a plan's municipality, area links and precondition links; an
application's municipality and instrument; an agreement's area; a capacity total's area).
Outputs: nothing when allowed; a ``ServiceError`` 403 naming every placement outside the
writer's areas otherwise (before anything is written). Derives: the area graph from the
caller's transaction (so that the decision and the write see the same memberships), the
areas an instrument is meant for; the decision itself is :func:`opgave.access.decide`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from opgave import access
from opgave import areas as area_graph
from opgave.access import Placement, Principal
from opgave.model import AreaMember, InstrumentArea
from opgave.service.errors import ServiceError

MAX_PROBLEMS = 1000
"""At most this many placements are listed in a refusal (the count says how many)."""


def children(session: Session) -> dict[str, list[str]]:
    """The area graph (parent -> children) of the memberships valid today, as the caller's
    transaction sees it (the same graph ``ProgrammeState.children`` holds, without loading
    the state)."""
    today = dt.date.today()
    members = (m.to_dict() for m in session.scalars(select(AreaMember)))
    return area_graph.children_of(m for m in members if area_graph.valid_on(m, today))


def decide(
    session: Session,
    principal: Principal,
    operation: str,
    placements: Iterable[Placement] = (),
) -> access.Decision:
    """The decision on a write (:func:`opgave.access.decide`) with the area graph of the
    caller's transaction (read only when an editor's areas matter)."""
    rule = access.OPERATIONS[operation]
    if principal.role == "admin" or not principal.can_write or rule.role == "admin":
        graph: dict[str, list[str]] = {}
    else:
        graph = children(session)
    return access.decide(principal, operation, placements, graph)


def authorise(
    session: Session,
    principal: Principal,
    operation: str,
    placements: Iterable[Placement] = (),
    *,
    file: str | None = None,
) -> None:
    """Refuse (403) unless ``principal`` may do ``operation`` with these placements."""
    decision = decide(session, principal, operation, placements)
    if decision.allowed:
        return
    problems = [
        {
            "file": file,
            "field": p.field,
            "message": f"{p.record}: {p.area_id}"
            + (" (as it stands now)" if p.when == "old" else "")
            + f" is outside the areas of {principal.name}",
        }
        for p in decision.outside[:MAX_PROBLEMS]
    ]
    raise ServiceError(403, decision.reason, problems=[
        {k: v for k, v in p.items() if v is not None} for p in problems
    ])  # fmt: skip


def require(principal: Principal, operation: str) -> None:
    """Refuse (403) at once a principal whose role may not do ``operation`` at all - before
    a download or a long read; the placements are checked in the write transaction."""
    decision = access.decide(principal, operation, (), {})
    if not decision.allowed:
        raise ServiceError(403, decision.reason)


def instrument_placement(
    session: Session, instrument_id: str, record: str, when: str = "new"
) -> Placement | None:
    """Where using an instrument places a record: in the areas the instrument is meant for
    (and what lies inside them) - None for an instrument meant for every area."""
    meant = set(
        session.scalars(
            select(InstrumentArea.area_id).where(InstrumentArea.instrument_id == instrument_id)
        )
    )
    if not meant:
        return None
    graph = children(session)
    inside = set(meant)
    for area in meant:
        inside |= area_graph.descendants(area, graph)
    return Placement(
        "instrument_id", sorted(meant)[0], record, when, alternatives=frozenset(inside)
    )
