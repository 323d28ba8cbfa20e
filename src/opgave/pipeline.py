"""The pipeline over time: what changed between two moments of the plan lists.

Inputs: the plans as known on two dates (``state.plans_as_of``, by id). Outputs: a
:class:`Comparison` - plans added, dropped, delayed and re-classified, each with its homes,
and every changed field with its old and new value. Derives: a delay is a later first or
last year; a re-classification another planstatus.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from opgave.vocabulary import PLAN_FIELDS

Row = Mapping[str, Any]


@dataclass(frozen=True)
class ChangeClass:
    """One class of change: the plans in it and their homes (after the change; for dropped
    plans, before it)."""

    plans: list[str]
    homes: int


@dataclass(frozen=True)
class Comparison:
    """What changed in the pipeline between two capture dates."""

    added: ChangeClass
    dropped: ChangeClass
    delayed: ChangeClass
    reclassified: ChangeClass
    changed: dict[str, dict[str, tuple[Any, Any]]]
    homes_before: int
    homes_after: int


def compare(before: Mapping[str, Row], after: Mapping[str, Row]) -> Comparison:
    """Plans added, dropped and changed (with old and new values) between two states."""
    changed = {
        pid: {
            k: (before[pid][k], after[pid][k])
            for k in PLAN_FIELDS
            if before[pid][k] != after[pid][k]
        }
        for pid in sorted(set(before) & set(after))
    }
    changed = {pid: diff for pid, diff in changed.items() if diff}

    def of(ids: list[str], plans: Mapping[str, Row]) -> ChangeClass:
        return ChangeClass(ids, sum(int(plans[i]["homes"]) for i in ids))

    delayed = [
        pid
        for pid, diff in changed.items()
        if any(k in diff and diff[k][1] > diff[k][0] for k in ("first_year", "last_year"))
    ]
    return Comparison(
        added=of(sorted(set(after) - set(before)), after),
        dropped=of(sorted(set(before) - set(after)), before),
        delayed=of(delayed, after),
        reclassified=of([pid for pid, diff in changed.items() if "planstatus" in diff], after),
        changed=changed,
        homes_before=sum(int(p["homes"]) for p in before.values()),
        homes_after=sum(int(p["homes"]) for p in after.values()),
    )
