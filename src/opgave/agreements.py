"""The agreements register: reciprocal agreements and next steps, their history, what is due.

Inputs: rows of ``agreement``, ``agreement_event``, ``agreement_change``, ``meeting``, ``area``
and ``area_member`` (dicts as the model's ``to_dict`` gives them).
Outputs: validated changes written as history (who, when, what, why), the due and overdue
agreements at a meeting or on a day, and the agenda of a meeting per strategy region.
Derives: a date window for every meeting from its exact dates or its fuzzy moment ("medio
2022" = May to August 2022), which orders meetings in time; the due moment of an agreement
from its due meeting, else its due date, else the year in its due text ("voorjaar 2022"); the
strategy region an agreement belongs to (the most specific region containing its area, else
the region whose section of the letter it comes from, else national).

The pure functions take rows and compute; the session functions (``add``, ``update``,
``set_status``, ``link``, ``history``, ``load_agenda``) read and write in the caller's
transaction and raise ``AgreementInputError`` with every problem found.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opgave import areas as area_graph
from opgave.model import (
    AGREEMENT_KINDS,
    AGREEMENT_STATUSES,
    THEMES,
    Agreement,
    AgreementChange,
    AgreementEvent,
    AgreementInstrument,
    AgreementPlan,
    AgreementPrecondition,
    AgreementTarget,
    Area,
    AreaMember,
    Base,
    Instrument,
    Meeting,
    Plan,
    Precondition,
    Source,
    Target,
)

Row = Mapping[str, Any]

CLOSED_STATUSES = ("done", "lapsed", "superseded")
"""Statuses that end an agreement: it is no longer due nor overdue."""
EDITABLE_FIELDS = (
    "kind",
    "meeting_id",
    "area_id",
    "parties",
    "themes",
    "text",
    "text_en",
    "due_meeting_id",
    "due_date",
    "due_text",
    "display_order",
    "source_id",
    "source_section",
)
"""Fields ``update`` may change; the status changes only through ``set_status``."""
LINKS: dict[str, tuple[type[Base], str, type[Base]]] = {
    "target": (AgreementTarget, "target_id", Target),
    "plan": (AgreementPlan, "plan_id", Plan),
    "precondition": (AgreementPrecondition, "precondition_id", Precondition),
    "instrument": (AgreementInstrument, "instrument_id", Instrument),
}
"""Link kind -> (link table, its column for the linked id, the linked table)."""
NATIONAL = "NL01"
"""Where agreements that lie in no strategy region are listed (the nation)."""

MOMENTS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "begin": ((1, 1), (4, 30)),
    "early": ((1, 1), (4, 30)),
    "voorjaar": ((3, 1), (5, 31)),
    "spring": ((3, 1), (5, 31)),
    "medio": ((5, 1), (8, 31)),
    "mid": ((5, 1), (8, 31)),
    "zomer": ((6, 1), (8, 31)),
    "summer": ((6, 1), (8, 31)),
    "najaar": ((9, 1), (12, 31)),
    "autumn": ((9, 1), (12, 31)),
    "eind": ((10, 1), (12, 31)),
    "end": ((10, 1), (12, 31)),
    "late": ((10, 1), (12, 31)),
}
"""Fuzzy moments of the letter and their month window (first day, last day) in the year."""
_MOMENT = re.compile(r"(?:\b([a-z]+)\s+)?\b((?:19|20)\d\d)\b")


class AgreementInputError(ValueError):
    """Input for the register that does not fit; ``problems`` names every one of them."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# ---------------------------------------------------------------- time: meetings and due moments


@dataclass(frozen=True)
class Window:
    """The first and last day something can fall on (a meeting, a due moment)."""

    earliest: dt.date
    latest: dt.date


def moment_window(text: str | None, year: int | None = None) -> Window | None:
    """The days a fuzzy moment can mean: "medio 2022" = 1 May-31 Aug 2022, "2022" = the year.

    The first year in the text counts, with the word just before it when that is a known
    moment (``MOMENTS``); without a year in the text, ``year`` is used as a whole year.
    """
    match = _MOMENT.search(text.lower()) if text else None
    if match is None:
        if year is None:
            return None
        return Window(dt.date(year, 1, 1), dt.date(year, 12, 31))
    word, found = match.group(1), int(match.group(2))
    (m1, d1), (m2, d2) = MOMENTS.get(word or "", ((1, 1), (12, 31)))
    return Window(dt.date(found, m1, d1), dt.date(found, m2, d2))


def meeting_window(meeting: Row) -> Window | None:
    """When a meeting takes (took) place: its dates, else its moment text, else its year."""
    first, last = meeting["date_first"], meeting["date_last"]
    if first or last:
        return Window(first or last, last or first)
    return moment_window(meeting["moment_text"], meeting["year"])


def _meeting_key(meeting: Row) -> tuple[dt.date, dt.date, str]:
    window = meeting_window(meeting)
    if window is None:
        return (dt.date.max, dt.date.max, meeting["id"])
    return (window.latest, window.earliest, meeting["id"])


def chronological(meetings: Iterable[Row]) -> list[Row]:
    """Meetings in time order (by last possible day, then first); undated ones last."""
    return sorted(meetings, key=_meeting_key)


def family(meeting_id: str, meetings: Iterable[Row]) -> set[str]:
    """A meeting with the meetings that are part of it (the four BO's of November 2021)."""
    meetings = list(meetings)
    found = {meeting_id}
    grew = True
    while grew:
        extra = {m["id"] for m in meetings if m["parent_id"] in found} - found
        found |= extra
        grew = bool(extra)
    return found


def previous_meeting(meeting_id: str, meetings: Iterable[Row]) -> Row | None:
    """The meeting before this one: the last top-level meeting earlier in time, or None."""
    meetings = list(meetings)
    by_id = {m["id"]: m for m in meetings}
    own = by_id[meeting_id]
    top = own
    while top["parent_id"] and top["parent_id"] in by_id:
        top = by_id[top["parent_id"]]
    key = _meeting_key(top)
    earlier = [
        m for m in meetings if not m["parent_id"] and m["id"] != top["id"] and _meeting_key(m) < key
    ]
    return chronological(earlier)[-1] if earlier else None


def find_meeting(meetings: Iterable[Row], name_or_id: str) -> Row | None:
    """The meeting with this id or name (case-insensitive), or None."""
    wanted = name_or_id.strip().lower()
    for m in meetings:
        if wanted in (m["id"].lower(), m["name"].lower()):
            return m
    return None


@dataclass(frozen=True)
class Due:
    """When an agreement is due: at a meeting, by a date, or a moment read from its due text."""

    basis: str | None
    """"meeting", "date", "text" or None (no due moment)."""
    meeting_id: str | None
    window: Window | None


def due_of(agreement: Row, meetings_by_id: Mapping[str, Row]) -> Due:
    """The due moment of an agreement: its due meeting, else its due date, else the first
    year (with "voorjaar", "medio", ...) in its due text; otherwise no due moment."""
    mid = agreement["due_meeting_id"]
    if mid:
        return Due("meeting", mid, meeting_window(meetings_by_id[mid]))
    if agreement["due_date"]:
        day = agreement["due_date"]
        return Due("date", None, Window(day, day))
    window = moment_window(agreement["due_text"])
    return Due("text" if window else None, None, window)


def is_closed(agreement: Row) -> bool:
    """True when the agreement is done, lapsed or superseded."""
    return agreement["status"] in CLOSED_STATUSES


@dataclass(frozen=True)
class MeetingFrame:
    """What "due at" and "overdue at" a meeting mean in time.

    Due at the meeting: due at it (or at a meeting that is part of it), or a due date or
    moment after the previous meeting and no later than this one. Overdue: still open and due
    at an earlier meeting, or by a date no later than the previous meeting.
    """

    meeting: Row
    members: frozenset[str]
    previous: Row | None
    since: dt.date | None
    until: dt.date | None
    order: tuple[dt.date, dt.date, str]


def frame(meeting_id: str, meetings: Sequence[Row]) -> MeetingFrame:
    """The time frame of a meeting among all meetings."""
    by_id = {m["id"]: m for m in meetings}
    meeting = by_id[meeting_id]
    previous = previous_meeting(meeting_id, meetings)
    own = meeting_window(meeting)
    before = meeting_window(previous) if previous else None
    return MeetingFrame(
        meeting=meeting,
        members=frozenset(family(meeting_id, meetings)),
        previous=previous,
        since=before.latest if before else None,
        until=own.latest if own else None,
        order=_meeting_key(meeting),
    )


def due_at(agreement: Row, at: MeetingFrame, meetings_by_id: Mapping[str, Row]) -> bool:
    """Whether the agreement is due at the meeting of ``at`` (whatever its status)."""
    due = due_of(agreement, meetings_by_id)
    if due.basis == "meeting":
        return due.meeting_id in at.members
    if due.window is None or at.until is None:
        return False
    day = due.window.latest
    return day <= at.until and (at.since is None or day > at.since)


def overdue_at(agreement: Row, at: MeetingFrame, meetings_by_id: Mapping[str, Row]) -> bool:
    """Whether the agreement is still open although it fell due before the meeting of ``at``."""
    if is_closed(agreement):
        return False
    due = due_of(agreement, meetings_by_id)
    if due.basis == "meeting":
        if due.meeting_id in at.members:
            return False
        return _meeting_key(meetings_by_id[str(due.meeting_id)]) < at.order
    if due.window is None or at.since is None:
        return False
    return due.window.latest <= at.since


def overdue_on(agreement: Row, day: dt.date, meetings_by_id: Mapping[str, Row]) -> bool:
    """Whether the agreement is still open although its due moment ended before ``day``."""
    if is_closed(agreement):
        return False
    due = due_of(agreement, meetings_by_id)
    return due.window is not None and due.window.latest < day


# ---------------------------------------------------------------- regions


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


def agreement_order(agreement: Row) -> tuple[bool, int, str]:
    """The letter's order of agreements (``display_order``; those without one last), then id."""
    order = agreement["display_order"]
    return (order is None, order or 0, agreement["id"])


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class FieldChange:
    """One field one event changed, as text (ISO dates, JSON lists); None = empty."""

    field: str
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True)
class HistoryEntry:
    """One event of an agreement's history: who, when, why, the status after it, and what
    it changed (nothing for the opening entry that records the agreement)."""

    event_id: int
    agreement_id: str
    changed_on: dt.date
    changed_by: str
    reason: str | None
    status: str
    changes: tuple[FieldChange, ...] = ()

    @property
    def what(self) -> str:
        """What happened, in a few words: "recorded", "status: open -> done", ..."""
        if not self.changes:
            return "recorded"
        return "; ".join(
            f"{c.field}: {c.old_value if c.old_value is not None else '-'} -> "
            f"{c.new_value if c.new_value is not None else '-'}"
            for c in self.changes
        )


def history_entries(events: Iterable[Row], changes: Iterable[Row]) -> list[HistoryEntry]:
    """Events with their changes, oldest first (by date, then the order they were written)."""
    by_event: dict[int, list[FieldChange]] = {}
    for c in changes:
        by_event.setdefault(c["event_id"], []).append(
            FieldChange(c["field"], c["old_value"], c["new_value"])
        )
    return [
        HistoryEntry(
            event_id=e["id"],
            agreement_id=e["agreement_id"],
            changed_on=e["changed_on"],
            changed_by=e["changed_by"],
            reason=e["reason"],
            status=e["status"],
            changes=tuple(sorted(by_event.get(e["id"], []), key=lambda c: c.field)),
        )
        for e in sorted(events, key=lambda e: (e["changed_on"], e["id"]))
    ]


def superseded_by(entries: Sequence[HistoryEntry]) -> str | None:
    """The agreement that supersedes this one, from its history (the last word on it)."""
    current: str | None = None
    for entry in entries:
        for c in entry.changes:
            if c.field == "superseded_by":
                current = c.new_value
    return current


def as_text(value: Any) -> str | None:
    """A field value as history text: None stays None, dates ISO, lists JSON."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return str(value)


def field_changes(current: Row, fields: Mapping[str, Any]) -> list[FieldChange]:
    """The fields whose new value differs from the current one, in ``EDITABLE_FIELDS`` order."""
    return [
        FieldChange(name, as_text(current[name]), as_text(fields[name]))
        for name in EDITABLE_FIELDS
        if name in fields and _normalised(fields[name]) != _normalised(current[name])
    ]


def _normalised(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


# ---------------------------------------------------------------- validation


@dataclass(frozen=True)
class Known:
    """Ids that fields of an agreement may refer to."""

    areas: frozenset[str]
    meetings: frozenset[str]
    sources: frozenset[str]
    agreements: frozenset[str]


def field_problems(fields: Mapping[str, Any], known: Known) -> list[str]:
    """Every problem with a set of agreement fields: unknown fields, wrong types, values
    outside the vocabularies, references to areas, meetings or sources that do not exist."""
    problems: list[str] = []
    for name in sorted(set(fields) - set(EDITABLE_FIELDS)):
        hint = " (use the status command)" if name == "status" else ""
        problems.append(f"field {name!r} cannot be set{hint}; fields: {', '.join(EDITABLE_FIELDS)}")
    refs = {
        "area_id": (known.areas, "area", True),
        "meeting_id": (known.meetings, "meeting", False),
        "due_meeting_id": (known.meetings, "meeting", False),
        "source_id": (known.sources, "source", False),
    }
    for name, (ids, what, required) in refs.items():
        if name not in fields:
            continue
        value = fields[name]
        if value is None:
            if required:
                problems.append(f"{name}: an agreement needs an area")
        elif value not in ids:
            problems.append(f"{name}: unknown {what} {value!r}")
    if "kind" in fields and fields["kind"] not in AGREEMENT_KINDS:
        problems.append(f"kind: {fields['kind']!r} is not one of {', '.join(AGREEMENT_KINDS)}")
    if "themes" in fields:
        wrong = [t for t in fields["themes"] or [] if t not in THEMES]
        if wrong:
            problems.append(f"themes: {', '.join(map(repr, wrong))} not in {', '.join(THEMES)}")
    for name in ("parties", "themes"):
        if name in fields and not isinstance(fields[name], list | tuple):
            problems.append(f"{name}: expected a list of text, got {fields[name]!r}")
    if "text" in fields and not (fields["text"] or "").strip():
        problems.append("text: an agreement needs its text (Dutch, as agreed)")
    if "due_date" in fields and not (
        fields["due_date"] is None or isinstance(fields["due_date"], dt.date)
    ):
        problems.append(f"due_date: expected a date YYYY-MM-DD, got {fields['due_date']!r}")
    if "display_order" in fields and not (
        fields["display_order"] is None or isinstance(fields["display_order"], int)
    ):
        problems.append(f"display_order: expected a whole number, got {fields['display_order']!r}")
    return problems


def status_problems(
    current: Row, status: str, superseded_by_id: str | None, known: Known
) -> list[str]:
    """Why a status change is not allowed, or an empty list."""
    problems = []
    if status not in AGREEMENT_STATUSES:
        problems.append(f"status {status!r} is not one of {', '.join(AGREEMENT_STATUSES)}")
    if status == "superseded":
        if not superseded_by_id:
            problems.append("status superseded needs the id of the superseding agreement")
        elif superseded_by_id == current["id"]:
            problems.append("an agreement cannot supersede itself")
        elif superseded_by_id not in known.agreements:
            problems.append(f"unknown superseding agreement {superseded_by_id!r}")
    elif superseded_by_id:
        problems.append("a superseding agreement is given only with status superseded")
    if status == current["status"] and status != "superseded":
        problems.append(f"{current['id']} is already {status}")
    return problems


# ---------------------------------------------------------------- session functions


def _known(session: Session) -> Known:
    return Known(
        areas=frozenset(session.scalars(select(Area.id))),
        meetings=frozenset(session.scalars(select(Meeting.id))),
        sources=frozenset(session.scalars(select(Source.id))),
        agreements=frozenset(session.scalars(select(Agreement.id))),
    )


def _get(session: Session, agreement_id: str) -> Agreement:
    obj = session.get(Agreement, agreement_id)
    if obj is None:
        raise AgreementInputError([f"unknown agreement {agreement_id!r}"])
    return obj


def _event(
    session: Session,
    agreement: Agreement,
    by: str,
    on: dt.date | None,
    reason: str | None,
    changes: Sequence[FieldChange],
) -> HistoryEntry:
    if not by.strip():
        raise AgreementInputError(["who made the change is required (--by)"])
    event = AgreementEvent(
        agreement_id=agreement.id,
        status=agreement.status,
        changed_on=on or dt.date.today(),
        changed_by=by,
        reason=reason,
    )
    session.add(event)
    session.flush()
    for c in changes:
        session.add(
            AgreementChange(
                event_id=event.id, field=c.field, old_value=c.old_value, new_value=c.new_value
            )
        )
    session.flush()
    return history_entries([event.to_dict()], [asdict_change(event.id, c) for c in changes])[0]


def asdict_change(event_id: int, change: FieldChange) -> dict[str, Any]:
    """A change as an ``agreement_change`` row."""
    return {
        "event_id": event_id,
        "field": change.field,
        "old_value": change.old_value,
        "new_value": change.new_value,
    }


def add(
    session: Session,
    agreement_id: str,
    fields: Mapping[str, Any],
    *,
    by: str,
    on: dt.date | None = None,
    reason: str | None = None,
    status: str = "open",
) -> dict[str, Any]:
    """Add an agreement (``fields`` as in ``EDITABLE_FIELDS``; area and text required) and
    open its history. Returns the new record."""
    known = _known(session)
    problems = field_problems(fields, known)
    if not agreement_id.strip():
        problems.insert(0, "id: an agreement needs an id")
    elif agreement_id in known.agreements:
        problems.insert(0, f"id: agreement {agreement_id!r} exists already (use update)")
    for required in ("area_id", "text"):
        if required not in fields:
            problems.append(f"{required} is required")
    if status not in AGREEMENT_STATUSES or status == "superseded":
        problems.append("a new agreement starts as one of open, in_progress, done, lapsed")
    if problems:
        raise AgreementInputError(problems)
    record = {
        "kind": "agreement",
        "parties": [],
        "themes": [],
        **{k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()},
    }
    obj = Agreement(id=agreement_id, status=status, **record)
    session.add(obj)
    session.flush()
    _event(session, obj, by, on, reason or "added to the register", [])
    return obj.to_dict()


def update(
    session: Session,
    agreement_id: str,
    fields: Mapping[str, Any],
    *,
    by: str,
    on: dt.date | None = None,
    reason: str | None = None,
) -> HistoryEntry | None:
    """Change fields of an agreement; the changes become one history event. None when
    nothing differs."""
    obj = _get(session, agreement_id)
    problems = field_problems(fields, _known(session))
    if problems:
        raise AgreementInputError(problems)
    changes = field_changes(obj.to_dict(), fields)
    if not changes:
        return None
    for c in changes:
        value = fields[c.field]
        setattr(obj, c.field, list(value) if isinstance(value, tuple) else value)
    return _event(session, obj, by, on, reason, changes)


def set_status(
    session: Session,
    agreement_id: str,
    status: str,
    *,
    by: str,
    on: dt.date | None = None,
    reason: str | None = None,
    superseded_by_id: str | None = None,
) -> HistoryEntry:
    """Set the status (open, in_progress, done, lapsed, superseded by another agreement)."""
    obj = _get(session, agreement_id)
    current = obj.to_dict()
    problems = status_problems(current, status, superseded_by_id, _known(session))
    before = superseded_by(history(session, agreement_id))
    if status == "superseded" and before == superseded_by_id and current["status"] == status:
        problems.append(f"{agreement_id} is already superseded by {superseded_by_id}")
    if problems:
        raise AgreementInputError(problems)
    changes = []
    if status != current["status"]:
        changes.append(FieldChange("status", current["status"], status))
    if before != superseded_by_id:
        changes.append(FieldChange("superseded_by", before, superseded_by_id))
    obj.status = status
    return _event(session, obj, by, on, reason, changes)


def link(
    session: Session,
    agreement_id: str,
    kind: str,
    ref_id: str,
    *,
    by: str,
    on: dt.date | None = None,
    reason: str | None = None,
    remove: bool = False,
) -> HistoryEntry | None:
    """Link an agreement to a target, plan, precondition or instrument (or remove the link);
    recorded in its history. None when the link was already as asked."""
    obj = _get(session, agreement_id)
    if kind not in LINKS:
        raise AgreementInputError([f"link kind {kind!r} is not one of {', '.join(LINKS)}"])
    link_model, column, linked = LINKS[kind]
    if session.get(linked, ref_id) is None:
        raise AgreementInputError([f"unknown {kind} {ref_id!r}"])
    existing = session.get(link_model, {"agreement_id": agreement_id, column: ref_id})
    if (existing is None) == remove:
        return None
    if remove:
        session.delete(existing)
        change = FieldChange(f"link_{kind}", ref_id, None)
    else:
        session.add(link_model(agreement_id=agreement_id, **{column: ref_id}))
        change = FieldChange(f"link_{kind}", None, ref_id)
    session.flush()
    return _event(session, obj, by, on, reason, [change])


def links_of(session: Session, agreement_id: str) -> dict[str, list[str]]:
    """The ids an agreement is linked to, per link kind."""
    result: dict[str, list[str]] = {}
    for kind, (link_model, column, _) in LINKS.items():
        records = session.scalars(
            select(link_model).where(link_model.__table__.c.agreement_id == agreement_id)
        )
        result[kind] = sorted(str(getattr(r, column)) for r in records)
    return result


def history(session: Session, agreement_id: str) -> list[HistoryEntry]:
    """The full history of an agreement, oldest first."""
    _get(session, agreement_id)
    events = [
        e.to_dict()
        for e in session.scalars(
            select(AgreementEvent).where(AgreementEvent.agreement_id == agreement_id)
        )
    ]
    ids = [e["id"] for e in events]
    changes = (
        [
            c.to_dict()
            for c in session.scalars(
                select(AgreementChange).where(AgreementChange.event_id.in_(ids))
            )
        ]
        if ids
        else []
    )
    return history_entries(events, changes)


# ---------------------------------------------------------------- the agenda of a meeting


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


def _rows(session: Session, model: type[Base]) -> list[dict[str, Any]]:
    return [obj.to_dict() for obj in session.scalars(select(model))]


def load_agenda(session: Session, meeting: str) -> Agenda:
    """The agenda of a meeting (id or name) from the database."""
    meetings = _rows(session, Meeting)
    found = find_meeting(meetings, meeting)
    if found is None:
        names = ", ".join(f'"{m["name"]}"' for m in chronological(meetings))
        raise AgreementInputError([f"unknown meeting {meeting!r}; known meetings: {names}"])
    return agenda(
        found["id"],
        agreements=_rows(session, Agreement),
        events=_rows(session, AgreementEvent),
        changes=_rows(session, AgreementChange),
        meetings=meetings,
        areas=_rows(session, Area),
        members=_rows(session, AreaMember),
    )
