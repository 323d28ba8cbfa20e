"""Review of the pipeline: flags for stalled and duplicate plans, and manual corrections.

Inputs: the current plans and their history (rows as dicts), a reference date; a corrections
file (CSV: plan_id, field, old_value, new_value, reason, date, editor).
Outputs: flags per plan; a ledger saying for every correction whether it was applied and why
not. Derives: since when each plan has had its present planstatus (from its history);
duplicate groups (same municipality, name and homes).

Corrections are kept as a data file, as NYC's Housing Database does: a correction applies only
where the field still holds ``old_value``, so re-running a file never overwrites newer data,
and a correction that a later plan list made obsolete says so in the ledger.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opgave.message import Message
from opgave.problem import Problem
from opgave.vocabulary import PLAN_FIELDS, PLANSTATUS

Row = Mapping[str, Any]
STALLED_YEARS = 3
"""A plan whose planstatus has not changed for this many years is flagged stalled."""
CORRECTION_COLUMNS = ("plan_id", "field", "old_value", "new_value", "reason", "date", "editor")
CORRECTABLE = tuple(f for f in PLAN_FIELDS if f not in ("homes_by_year",))
INTEGER_FIELDS = (
    "homes",
    "social_rent_homes",
    "mid_rent_homes",
    "affordable_buy_homes",
    "first_year",
    "last_year",
)
FLAG_DETAILS = {
    "stalled": "planstatus {status} since {since} ({years:.1f} years)",
    "duplicate": "same municipality ({gemeente}), name and homes ({homes}) as {others}",
}
"""The detail of a flag, by the flag's code (English; a door may say the code its own way)."""
CORRECTION_NOTES = {
    "no_such_plan": "no such plan",
    "dropped": "the plan was dropped on {date}",
    "already": "already holds the new value",
    "now_holds": "the field now holds {value!r}, not old_value",
}
"""Why a correction was not applied, by code (English; a door may say the code its own way)."""


@dataclass(frozen=True)
class Flag:
    """Something in a plan a reviewer should look at."""

    plan_id: str
    flag: str
    detail: str


def status_since(plan: Row, history: Sequence[Row]) -> dt.date | None:
    """Since when the plan has had its present planstatus (the start of that run of versions)."""
    since = plan["valid_from"]
    for version in sorted(history, key=lambda v: v["valid_to"], reverse=True):
        if version["planstatus"] != plan["planstatus"] or version["valid_to"] != since:
            break
        since = version["valid_from"]
    return since  # type: ignore[no-any-return]


def flags(plans: Sequence[Row], history: Sequence[Row], on: dt.date) -> list[Flag]:
    """Stalled plans (no status change for ``STALLED_YEARS``+ years by ``on``) and duplicates."""
    by_plan: dict[str, list[Row]] = defaultdict(list)
    for version in history:
        by_plan[version["plan_id"]].append(version)
    result = []
    current = [p for p in plans if p["dropped_on"] is None]
    for plan in current:
        since = status_since(plan, by_plan.get(plan["id"], []))
        if since is not None and (on - since).days >= 365.25 * STALLED_YEARS:
            years = (on - since).days / 365.25
            result.append(
                Flag(
                    plan["id"],
                    "stalled",
                    Message.of(
                        FLAG_DETAILS,
                        "stalled",
                        status=plan["planstatus"],
                        since=since,
                        years=years,
                    ),
                )
            )
    groups: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for plan in current:
        key = (plan["gemeente_id"], " ".join(plan["name"].lower().split()), plan["homes"])
        groups[key].append(plan["id"])
    for (gemeente, _, homes), ids in groups.items():
        if len(ids) > 1:
            for plan_id in ids:
                others = ", ".join(i for i in ids if i != plan_id)
                result.append(
                    Flag(
                        plan_id,
                        "duplicate",
                        Message.of(
                            FLAG_DETAILS,
                            "duplicate",
                            gemeente=gemeente,
                            homes=homes,
                            others=others,
                        ),
                    )
                )
    return sorted(result, key=lambda f: (f.flag, f.plan_id))


@dataclass(frozen=True)
class Correction:
    """One row of a corrections file."""

    row: int
    plan_id: str
    field: str
    old_value: str
    new_value: str
    reason: str
    date: dt.date
    editor: str


@dataclass(frozen=True)
class LedgerEntry:
    """What happened to one correction."""

    row: int
    plan_id: str
    field: str
    old_value: str
    new_value: str
    applied: bool
    note: str


def read_corrections(path: Path) -> list[Correction]:
    """Read a corrections CSV; raise ValueError listing every malformed row."""
    from opgave.ingest.plans import PlanListError, read_table

    header, body = read_table(path)
    problems = [
        Problem(path.name, 1, c, "column is missing") for c in CORRECTION_COLUMNS if c not in header
    ]
    if problems:
        raise PlanListError(problems)
    result = []
    for number, cells in enumerate(body, start=2):
        record = dict(zip(header, [c.strip() for c in cells], strict=False))
        for column in ("plan_id", "field", "reason", "editor", "date"):
            if not record.get(column):
                problems.append(Problem(path.name, number, column, "a value is required"))
        if record.get("field") and record["field"] not in CORRECTABLE:
            problems.append(
                Problem(path.name, number, "field", f"expected one of {', '.join(CORRECTABLE)}")
            )
        try:
            date = dt.date.fromisoformat(record.get("date", ""))
        except ValueError:
            problems.append(Problem(path.name, number, "date", "expected a date YYYY-MM-DD"))
            continue
        problem = _value_problem(record.get("field", ""), record.get("new_value", ""))
        if problem:
            problems.append(Problem(path.name, number, "new_value", problem))
        result.append(
            Correction(
                number,
                record.get("plan_id", ""),
                record.get("field", ""),
                record.get("old_value", ""),
                record.get("new_value", ""),
                record.get("reason", ""),
                date,
                record.get("editor", ""),
            )
        )
    if problems:
        raise PlanListError(problems)
    return result


def _value_problem(field: str, value: str) -> str | None:
    optional = value == "" and field.endswith("_homes")
    if field in INTEGER_FIELDS and not optional and not value.isdigit():
        return f"expected a whole number >= 0 for {field}, got {value!r}"
    if field == "planstatus" and value not in PLANSTATUS:
        return f"expected a planstatus ({', '.join(PLANSTATUS)}), got {value!r}"
    if field in ("name", "gemeente_id") and not value:
        return f"{field} cannot be empty"
    return None


def as_text(value: Any) -> str:
    """A field value as it is written in a corrections file."""
    return "" if value is None else str(value)


def parse_value(field: str, text: str) -> Any:
    """A corrections-file value as the plan field's type."""
    if field in INTEGER_FIELDS:
        return None if text == "" else int(text)
    return text


def ledger(corrections: Sequence[Correction], plans: Mapping[str, Row]) -> list[LedgerEntry]:
    """Which corrections apply: the plan exists, is current, and the field holds old_value."""
    entries = []
    for c in corrections:
        plan = plans.get(c.plan_id)
        note: str
        if plan is None:
            applied, note = False, Message.of(CORRECTION_NOTES, "no_such_plan")
        elif plan["dropped_on"] is not None:
            applied, note = False, Message.of(CORRECTION_NOTES, "dropped", date=plan["dropped_on"])
        elif as_text(plan[c.field]) == c.new_value:
            applied, note = False, Message.of(CORRECTION_NOTES, "already")
        elif as_text(plan[c.field]) != c.old_value:
            value = as_text(plan[c.field])
            applied, note = False, Message.of(CORRECTION_NOTES, "now_holds", value=value)
        else:
            applied, note = True, f"{c.reason} ({c.editor}, {c.date})"
        entries.append(
            LedgerEntry(c.row, c.plan_id, c.field, c.old_value, c.new_value, applied, note)
        )
    return entries


def write_ledger(path: Path, entries: Sequence[LedgerEntry]) -> None:
    """The ledger as CSV: one row per correction, applied true/false and why."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["row", "plan_id", "field", "old_value", "new_value", "applied", "note"])
        for e in entries:
            writer.writerow(
                [
                    e.row,
                    e.plan_id,
                    e.field,
                    e.old_value,
                    e.new_value,
                    "true" if e.applied else "false",
                    e.note,
                ]
            )
