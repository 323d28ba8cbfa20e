"""The shape every benchmark's ``--json`` prints: one JSON object per figure, one per line.

Keys: ``name``, ``value`` and ``unit`` (the figure), ``floor`` (the floor or baseline measured
in the same run, in the same unit, or null), ``ratio`` (value / floor, or null), ``goal`` (the
bound: on the ratio when there is a floor, else on the value; null for a figure shown for
information), ``passed`` (ratio or value <= goal; null without a goal), ``goal_on`` (``ratio``
or ``value``: an absolute goal can stand beside a floor shown for comparison) and
``floor_name`` (what the floor is). ``benchmarks/run_all.py`` collects them into one table.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
from collections.abc import Iterator, Sequence
from typing import Any


def figure(
    name: str,
    value: float,
    unit: str,
    floor: float | None,
    goal: float | None,
    floor_name: str | None = None,
    goal_on: str | None = None,
    ratio: float | None = None,
) -> dict[str, Any]:
    """One figure (see the module docstring); ``ratio`` when it is not value / floor (e.g. the
    median of ratios measured pairwise)."""
    if ratio is None:
        ratio = value / floor if floor else None
    goal_on = goal_on or ("ratio" if ratio is not None else "value")
    measured = ratio if goal_on == "ratio" and ratio is not None else value
    return {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "floor": None if floor is None else round(floor, 4),
        "ratio": None if ratio is None else round(ratio, 3),
        "goal": goal,
        "passed": None if goal is None else bool(measured <= goal),
        "goal_on": goal_on,
        "floor_name": floor_name,
    }


def median(values: Sequence[float]) -> float:
    """The median of the runs (the figure a user meets on a shared machine, not the best)."""
    return float(statistics.median(values))


@contextlib.contextmanager
def reporting(as_json: bool) -> Iterator[None]:
    """With ``--json`` the human-readable lines go to stderr, so stdout holds only the JSON."""
    if not as_json:
        yield
        return
    with contextlib.redirect_stdout(sys.stderr):
        yield


def emit(figures: Sequence[dict[str, Any]], as_json: bool) -> None:
    """The figures as JSON lines (``--json``) or as a small table."""
    if as_json:
        for f in figures:
            print(json.dumps(f), flush=True)
        return
    for f in figures:
        floor = "" if f["floor"] is None else f" floor {f['floor']:g} {f['unit']}"
        ratio = "" if f["ratio"] is None else f" ratio {f['ratio']:.2f}"
        on = (
            "x"
            if f.get("goal_on", "ratio") == "ratio" and f["ratio"] is not None
            else f" {f['unit']}"
        )
        goal = "" if f["goal"] is None else f" goal <= {f['goal']:g}{on}"
        verdict = {None: "", True: " PASS", False: " MISS"}[f["passed"]]
        print(f"{f['name']}: {f['value']:g} {f['unit']}{floor}{ratio}{goal}{verdict}")
