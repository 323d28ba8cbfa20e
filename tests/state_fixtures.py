"""Small programme states built from rows, for tests of the state and of monitoring."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opgave.state import ProgrammeState

SOURCES = {
    "cbs": {"id": "cbs", "kind": "cbs_table", "confidence": "official"},
    "cbs-new": {
        "id": "cbs-new",
        "kind": "cbs_table",
        "confidence": "official",
        "retrieved": dt.date(2025, 7, 1),
    },
    "bag-1": {"id": "bag-1", "kind": "import", "confidence": "official"},
    "bag-2": {
        "id": "bag-2",
        "kind": "import",
        "confidence": "official",
        "retrieved": dt.date(2026, 10, 20),
        "note": "area: Nederland; reference date 2026-10-08; started: True; since 2012",
    },
    "bag-gm2": {  # a municipality's own, earlier extract
        "id": "bag-gm2",
        "kind": "import",
        "confidence": "official",
        "retrieved": dt.date(2026, 7, 10),
        "note": "area: GM2; reference date 2026-07-05; started: True; since 2012",
    },
    "doc": {"id": "doc", "kind": "document", "confidence": "official"},
    "demo": {"id": "demo", "kind": "dataset", "confidence": "synthetic"},
}


def area(area_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    """An area row with the fields the state reads."""
    return {
        "id": area_id,
        "kind": kind,
        "name": extra.pop("name", area_id),
        "members_complete": extra.pop("members_complete", True),
        "valid_from": extra.pop("valid_from", None),
        "valid_to": extra.pop("valid_to", None),
        "display_order": extra.pop("display_order", None),
        **extra,
    }


def figure(
    area_id: str, measure: str, year: int, value: float, source: str = "cbs", **extra: Any
) -> dict[str, Any]:
    """A yearly realisation row."""
    return {
        "area_id": area_id,
        "measure": measure,
        "first_year": year,
        "last_year": extra.pop("last_year", year),
        "value": value,
        "provisional": extra.pop("provisional", False),
        "source_id": source,
        **extra,
    }


def month(
    area_id: str, measure: str, year: int, month_: int, value: float, source: str = "bag-2"
) -> dict[str, Any]:
    """A monthly realisation row (``realisation_month``)."""
    return {
        "area_id": area_id,
        "measure": measure,
        "year": year,
        "month": month_,
        "value": value,
        "provisional": True,
        "source_id": source,
    }


def ministry(area_id: str, year: int, homes: float, source: str = "cbs") -> list[dict[str, Any]]:
    """The two figures the ministry's count of ``homes`` is made of (net change + demolition)."""
    return [
        figure(area_id, "homes_net_added", year, homes - 10, source),
        figure(area_id, "homes_demolished", year, 10, source),
    ]


def make_state(
    *,
    areas: list[dict[str, Any]] | None = None,
    members: list[dict[str, Any]] | None = None,
    realisations: list[dict[str, Any]] | None = None,
    targets: list[dict[str, Any]] | None = None,
    plans: list[dict[str, Any]] | None = None,
    code_changes: list[dict[str, Any]] | None = None,
    months: list[dict[str, Any]] | None = None,
    as_of: dt.date | None = None,
) -> ProgrammeState:
    """A state of a nation with two municipalities (GM1, GM2) in region R unless told otherwise."""
    return ProgrammeState(
        as_of=as_of,
        areas=areas
        or [
            area("NL01", "nation"),
            area("R", "strategy_region"),
            area("GM1", "municipality"),
            area("GM2", "municipality"),
        ],
        members=members
        or [
            {"parent_id": "NL01", "child_id": "GM1"},
            {"parent_id": "NL01", "child_id": "GM2"},
            {"parent_id": "R", "child_id": "GM1"},
            {"parent_id": "R", "child_id": "GM2"},
        ],
        code_changes=code_changes or [],
        targets=targets or [],
        sources=list(SOURCES.values()),
        realisations=realisations or [],
        plans=plans or [],
        plan_areas=[],
        plan_preconditions=[],
        months=months or [],
    )
