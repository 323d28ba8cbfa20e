"""SYNTHETIC plan-list histories generated with known parameters, to test what is learned.

Inputs: the true assumptions (drop-out and delay per planstatus, shared shocks), how many plans
enter the lists each year, the years of the lists, the regions, a seed.
Outputs: :class:`SyntheticHistory`: rows shaped like the ``plan`` and ``plan_history``
tables (a yearly list captured on 1 January, versions kept as ``opgave ingest plans`` keeps
them), the municipalities' regions, and each plan's true fate. Everything is labelled
synthetic (source ``synthetic-history``, confidence ``synthetic``).
Derives: each plan's fate exactly as the engine models it - one draw against its planstatus's
thresholds under the year condition of its due year (national and regional, AR(1)) - and what
the lists show: a pending plan with its first year moved forward as it slips
(``max(due, capture year)``), a started plan with its real first year until its last year,
then removed; a plan that drops out removed at a random list between its first list and two
years after its due year.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from opgave.forecast.assumptions import PLANSTATUSES, Assumptions
from opgave.forecast.engine import level_thresholds, shock_levels

__all__ = ["SOURCE", "SyntheticHistory", "synthetic_history"]

SOURCE: dict[str, Any] = {
    "id": "synthetic-history",
    "kind": "dataset",
    "title": "SYNTHETIC plan-list history (opgave.forecast.synthetic)",
    "citation": "generated with known parameters; not real data",
    "confidence": "synthetic",
}
STATUS_SHARES = (0.18, 0.05, 0.04, 0.12, 0.04, 0.03, 0.24, 0.20, 0.10)
"""Share of plans per planstatus (as the demo's)."""


@dataclass(frozen=True)
class SyntheticHistory:
    """A generated history: ``plans`` and ``history`` rows, each municipality's region, the
    capture dates, the true assumptions and per plan its fate ``(due year, class, start)``
    (class -1: drops out; else the delay in years; start None when it drops out)."""

    plans: list[dict[str, Any]]
    history: list[dict[str, Any]]
    region_of: dict[str, str]
    captures: list[dt.date]
    truth: Assumptions
    fate: dict[str, tuple[int, int, int | None]]


def _year_conditions(
    rng: np.random.Generator, years: int, regions: int, truth: Assumptions
) -> np.ndarray[Any, Any]:
    """Level of the year condition per region and year (as the engine draws them)."""
    phi, w = truth.shocks.persistence, truth.shocks.regional_share
    e = rng.standard_normal((regions + 1, years))
    z = e.copy()
    for y in range(1, years):
        z[:, y] = phi * z[:, y - 1] + math.sqrt(1 - phi**2) * e[:, y]
    x = math.sqrt(1 - w) * z[0][None, :] + math.sqrt(w) * z[1:]
    bounds, _ = shock_levels()
    levels: np.ndarray[Any, Any] = np.searchsorted(bounds, x)
    return levels


def synthetic_history(
    truth: Assumptions,
    *,
    plans_per_year: int = 250,
    first_year: int = 2012,
    last_year: int = 2024,
    regions: int = 4,
    municipalities_per_region: int = 3,
    municipalities: Mapping[str, str] | None = None,
    seed: int = 0,
) -> SyntheticHistory:
    """Generate a yearly plan-list history from ``first_year`` to ``last_year`` (lists
    captured on 1 January) under the ``truth`` assumptions; see the module's docblock.
    ``municipalities`` (gemeente id -> region) replaces the made-up ones (``SYN-GM..`` in
    ``regions`` regions of ``municipalities_per_region``)."""
    rng = np.random.default_rng(seed)
    captures = [dt.date(y, 1, 1) for y in range(first_year, last_year + 1)]
    region_of = dict(municipalities) if municipalities else {
        f"SYN-GM{r}{m}": f"SYN-R{r}"
        for r in range(regions)
        for m in range(municipalities_per_region)
    }  # fmt: skip
    names = sorted(set(region_of.values()))
    region_index = {name: i for i, name in enumerate(names)}
    regions = len(names)
    gemeenten = sorted(region_of)
    horizon = last_year + 12
    levels = _year_conditions(rng, horizon - first_year + 1, regions, truth)
    dropout = truth.dropout_for(np.array(PLANSTATUSES))
    delay = truth.delay_for(np.array(PLANSTATUSES))
    table = level_thresholds(dropout, delay, truth.shocks)  # (status x K x levels)
    plans: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    fate: dict[str, tuple[int, int, int | None]] = {}
    number = 0
    for entry_year in range(first_year, last_year + 1):
        for _ in range(plans_per_year):
            number += 1
            pid = f"SYN-P{number:06d}"
            s = int(rng.choice(len(PLANSTATUSES), p=STATUS_SHARES))
            due = entry_year + int(rng.integers(0, 6))
            length = int(rng.integers(2, 5))
            homes = int(min(round(rng.lognormal(3.5, 0.9)), 2000)) + 1
            gm = gemeenten[int(rng.integers(len(gemeenten)))]
            g = region_index[region_of[gm]]
            c = table[s, :, levels[g, due - first_year] if table.shape[2] > 1 else 0]
            u = rng.random()
            if u < c[0]:
                k, start = -1, None
                removed: int | None = int(rng.integers(entry_year + 1, due + 3))
            else:
                k = int((u >= c[1:]).sum())
                start = due + k
                removed = start + length
            fate[pid] = (due, k, start)
            shown: list[tuple[int, int] | None] = []
            for y in range(entry_year, last_year + 1):
                if removed is not None and y >= removed:
                    shown.append(None)
                elif start is not None and start < y:
                    shown.append((start, start + length - 1))
                else:
                    first = max(due, y)
                    shown.append((first, first + length - 1))
            base = {
                "name": f"Synthetic plan {number}",
                "gemeente_id": gm,
                "homes": homes,
                "social_rent_homes": None,
                "mid_rent_homes": None,
                "affordable_buy_homes": None,
                "planstatus": PLANSTATUSES[s],
                "homes_by_year": None,
                "source_id": SOURCE["id"],
            }
            _rows(pid, base, shown, entry_year, plans, history)
    return SyntheticHistory(plans, history, region_of, captures, truth, fate)


def _rows(
    pid: str,
    base: Mapping[str, Any],
    shown: list[tuple[int, int] | None],
    entry_year: int,
    plans: list[dict[str, Any]],
    history: list[dict[str, Any]],
) -> None:
    """The plan and history rows a yearly import of these states leaves behind."""
    versions: list[tuple[int, int | None, tuple[int, int]]] = []  # from year, to year, state
    for i, state in enumerate(shown):
        year = entry_year + i
        if state is None:
            if versions and versions[-1][1] is None:
                versions[-1] = (versions[-1][0], year, versions[-1][2])
            break
        if versions and versions[-1][2] == state:
            continue
        if versions:
            versions[-1] = (versions[-1][0], year, versions[-1][2])
        versions.append((year, None, state))
    for start, end, (first, last) in versions:
        fields = {**base, "first_year": first, "last_year": last}
        if end is not None:
            history.append(
                {
                    "plan_id": pid,
                    **fields,
                    "valid_from": dt.date(start, 1, 1),
                    "valid_to": dt.date(end, 1, 1),
                }
            )
    start, end, (first, last) = versions[-1]
    plans.append(
        {
            "id": pid,
            **base,
            "first_year": first,
            "last_year": last,
            "valid_from": dt.date(start, 1, 1),
            "dropped_on": None if end is None else dt.date(end, 1, 1),
            "version": len(versions),
        }
    )
