"""The agenda of a meeting: per strategy region what is due, overdue and changed.

Inputs: rows of ``agreement``, ``agreement_event``, ``agreement_change``, ``meeting``, ``area``
and ``area_member``. Outputs: an :class:`Agenda`, national part first, then the regions in
the letter's order. Derives: the strategy region an agreement belongs to (the most specific
region containing its area, else the region whose section of the letter it comes from, else
national).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opgave import areas as area_graph
from opgave.agreements.calendar import due_at, frame, overdue_at
from opgave.agreements.register import HistoryEntry, agreement_order, history_entries

Row = Mapping[str, Any]
NATIONAL = "NL01"
"""Where agreements that lie in no strategy region are listed (the nation)."""


def regions_in_order(areas: Iterable[Row]) -> list[Row]:
    """The strategy regions in the letter's order (``display_order``)."""
    return sorted(
        (a for a in areas if a["kind"] == "strategy_region"),
        key=lambda a: (a["display_order"] is None, a["display_order"] or 0, a["id"]),
    )


@dataclass(frozen=True)
class RegionIndex:
    """Which strategy region a record belongs to, by its area and the letter's section."""

    regions: tuple[Row, ...]
    inside: Mapping[str, frozenset[str]]

    def region_of(self, area_id: str, source_section: str | None = None) -> str:
        """The most specific region containing the area (fewest areas inside it), else the
        region whose section of the letter the record comes from, else ``NATIONAL``."""
        containing = [r for r in self.regions if area_id in self.inside[r["id"]]]
        if containing:
            return str(min(containing, key=lambda r: len(self.inside[r["id"]]))["id"])
        if source_section:
            for r in self.regions:
                sections = (r["source_section"] or "").split("; ")
                if source_section == sections[0]:
                    return str(r["id"])
        return NATIONAL


def region_index(areas: Iterable[Row], members: Iterable[Row]) -> RegionIndex:
    """The regions with the areas inside each (itself included)."""
    children = area_graph.children_of(members)
    regions = tuple(regions_in_order(areas))
    return RegionIndex(
        regions=regions,
        inside={
            r["id"]: frozenset(area_graph.descendants(r["id"], children) | {r["id"]})
            for r in regions
        },
    )


@dataclass(frozen=True)
class Changed:
    """An agreement with the history events dated since the previous meeting."""

    agreement: Row
    entries: tuple[HistoryEntry, ...]


@dataclass
class RegionAgenda:
    """What one region has on the table at a meeting."""

    region: Row
    due: list[Row] = field(default_factory=list)
    overdue: list[Row] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing due, overdue or changed."""
        return not (self.due or self.overdue or self.changed)


@dataclass
class Agenda:
    """Per region (national first, then the letter's order): due, overdue and changed."""

    meeting: Row
    previous: Row | None
    since: dt.date | None
    until: dt.date | None
    regions: list[RegionAgenda]


def agenda(
    meeting_id: str,
    agreements: Sequence[Row],
    events: Sequence[Row],
    changes: Sequence[Row],
    meetings: Sequence[Row],
    areas: Sequence[Row],
    members: Sequence[Row],
) -> Agenda:
    """The agenda of a meeting: per region what is due at it, what is overdue (still open,
    due earlier) and what changed since the previous meeting (history events dated after
    the previous meeting's last possible day and no later than this meeting's)."""
    at = frame(meeting_id, meetings)
    meetings_by_id = {m["id"]: m for m in meetings}
    index = region_index(areas, members)
    by_id = {a["id"]: a for a in areas}
    blocks = {NATIONAL: RegionAgenda(by_id.get(NATIONAL, {"id": NATIONAL, "name": "Nederland"}))}
    for r in index.regions:
        blocks[r["id"]] = RegionAgenda(r)
    entries: dict[str, list[HistoryEntry]] = {}
    for entry in history_entries(events, changes):
        day = entry.changed_on
        if (at.since is None or day > at.since) and (at.until is None or day <= at.until):
            entries.setdefault(entry.agreement_id, []).append(entry)
    for a in sorted(agreements, key=agreement_order):
        block = blocks[index.region_of(a["area_id"], a["source_section"])]
        if due_at(a, at, meetings_by_id):
            block.due.append(a)
        elif overdue_at(a, at, meetings_by_id):
            block.overdue.append(a)
        if a["id"] in entries:
            block.changed.append(Changed(a, tuple(entries[a["id"]])))
    return Agenda(
        meeting=at.meeting,
        previous=at.previous,
        since=at.since,
        until=at.until,
        regions=list(blocks.values()),
    )
