"""The register's rules: which fields an agreement has, what a valid change is, its history.

Inputs: an agreement (dict), the fields or status a user wants to set, the ids that exist,
and rows of ``agreement_event`` / ``agreement_change``. Outputs: every problem with a change
in words; the changes as field-by-field history; history entries (who, when, what, why).
The service layer (:mod:`opgave.service.agreements`) writes what these rules allow.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opgave.vocabulary import AGREEMENT_KINDS, AGREEMENT_STATUSES, THEMES

Row = Mapping[str, Any]
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
LINK_KINDS = ("target", "plan", "precondition", "instrument")
"""What an agreement can be linked to."""
STATUSES_TO_START = ("open", "in_progress", "done", "lapsed")
"""The statuses a new agreement may have (superseded needs a history)."""


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


def agreement_order(agreement: Row) -> tuple[bool, int, str]:
    """The letter's order of agreements (``display_order``; those without one last), then id."""
    order = agreement["display_order"]
    return (order is None, order or 0, agreement["id"])
