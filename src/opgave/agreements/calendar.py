"""Time in the agreements register: when meetings take place and when agreements fall due.

Inputs: rows of ``meeting`` and ``agreement`` (dicts). Outputs: date windows, meetings in
time order, and whether an agreement is due or overdue at a meeting or on a day.
Derives: a date window for every meeting from its exact dates or its fuzzy moment ("medio
2022" = May to August 2022), which orders meetings in time; the due moment of an agreement
from its due meeting, else its due date, else the year in its due text ("voorjaar 2022").
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Row = Mapping[str, Any]
CLOSED_STATUSES = ("done", "lapsed", "superseded")
"""Statuses that end an agreement: it is no longer due nor overdue."""
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
MONTHS: dict[str, int] = {
    name: number
    for names in (
        "januari februari maart april mei juni juli augustus september oktober november december",
        "january february march april may june july august september october november december",
    )
    for number, name in enumerate(names.split(), start=1)
}
"""Month names (Dutch and English): "november 2021" is the month, not the whole year."""
_MOMENT = re.compile(r"(?:\b([a-z]+)\s+)?\b((?:19|20)\d\d)\b")


@dataclass(frozen=True)
class Window:
    """The first and last day something can fall on (a meeting, a due moment)."""

    earliest: dt.date
    latest: dt.date


def moment_window(text: str | None, year: int | None = None) -> Window | None:
    """The days a fuzzy moment can mean: "medio 2022" = 1 May-31 Aug 2022, "november 2021" =
    the month, "2022" = the year.

    The first year in the text counts, with the word just before it when that is a known
    moment (``MOMENTS``) or month (``MONTHS``); without a year in the text, ``year`` is used
    as a whole year.
    """
    match = _MOMENT.search(text.lower()) if text else None
    if match is None:
        if year is None:
            return None
        return Window(dt.date(year, 1, 1), dt.date(year, 12, 31))
    word, found = match.group(1), int(match.group(2))
    if word in MONTHS:
        month = MONTHS[word]
        return Window(dt.date(found, month, 1), dt.date(found, month, monthrange(found, month)[1]))
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


def due_meetings(agreement: Row) -> list[str]:
    """The meetings an agreement is due at (an agreement may be due at more than one)."""
    several = agreement.get("due_meeting_ids")
    if several:
        return list(several)
    return [agreement["due_meeting_id"]] if agreement["due_meeting_id"] else []


def due_of(agreement: Row, meetings_by_id: Mapping[str, Row]) -> Due:
    """The due moment of an agreement: its (last) due meeting, else its due date, else the
    first year (with "voorjaar", "medio", ...) in its due text; otherwise no due moment."""
    due = due_meetings(agreement)
    if due:
        mid = max(due, key=lambda m: _meeting_key(meetings_by_id[m]))
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
        return any(m in at.members for m in due_meetings(agreement))
    if due.window is None or at.until is None:
        return False
    day = due.window.latest
    return day <= at.until and (at.since is None or day > at.since)


def overdue_at(agreement: Row, at: MeetingFrame, meetings_by_id: Mapping[str, Row]) -> bool:
    """Whether the agreement is still open although it fell due before the meeting of ``at``."""
    if is_closed(agreement):
        return False
    due = due_of(agreement, meetings_by_id)
    if due.basis == "meeting":  # overdue once the last meeting it is due at has passed
        if any(m in at.members for m in due_meetings(agreement)):
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
