"""Who may write what: the principal behind a request or command and its scope.

Roles (``vocabulary.ROLES``): ``admin`` (Rijk) writes everything; ``editor`` writes only
its own areas and what lies inside them (a region's programme office); ``viewer`` reads.
Pure functions: the service layer's write path calls them for every write, whichever door
it came through.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from opgave import areas as area_graph


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
