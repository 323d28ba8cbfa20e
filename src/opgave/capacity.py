"""Plan capacity of an area against a target, from plans where they exist and capacity
totals where only totals exist - never both for the same municipality and period.

Inputs (plain data): the municipalities of the area, the target's period and homes, the
current plans (dicts with gemeente_id, homes, planstatus, first_year, last_year,
homes_by_year), the capacity totals (:class:`Total`), and the municipalities of each region
that has totals.
Outputs: a :class:`CapacityResult`: hard / soft / unknown capacity in the period, the
municipalities counted from plans, from municipal totals, through a region's totals, and
without any figure; the ratio to the target and whether it meets the norm (130%); notes on
every total that was prorated or left out, and on gross totals counted next to net plans.
Derives: the part of a plan or a total inside the target's period by the rule
:data:`PRORATE_EVEN`, or (``prorate=False``) leaves out totals whose period does not lie
within the target's and reports them. Of several totals for the same area, hardness and
period, the latest capture counts. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opgave.vocabulary import HARD_PLANSTATUS

NORM_SHARE = 1.3
"""The national norm: plan capacity of 130% of the target (Kamerstuk 34 682 nr. 90)."""
PRORATE_EVEN = "even-per-year"
"""The prorating rule: a figure for years Y1-Y2 is spread evenly over those years, and the
part in the target's period counted (a plan with homes per year uses those instead)."""


@dataclass(frozen=True)
class Total:
    """A capacity total for an area (municipality or region)."""

    area_id: str
    hardness: str
    first_year: int
    last_year: int
    homes: float
    gross_or_net: str = "unknown"
    captured_on: dt.date | None = None
    source_id: str | None = None


@dataclass
class CapacityResult:
    """Capacity of an area in a period, where it came from, and against the target."""

    area_id: str
    first_year: int
    last_year: int
    hard: float = 0.0
    soft: float = 0.0
    unknown: float = 0.0
    target: float | None = None
    norm_share: float = NORM_SHARE
    from_plans: list[str] = field(default_factory=list)
    from_totals: list[str] = field(default_factory=list)
    from_region_totals: list[str] = field(default_factory=list)
    without_figures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    rule: str = PRORATE_EVEN

    @property
    def total(self) -> float:
        """All capacity in the period (hard + soft + not split)."""
        return self.hard + self.soft + self.unknown

    @property
    def ratio(self) -> float | None:
        """Capacity over the target (1.3 = the norm), or None without a target."""
        return self.total / self.target if self.target else None

    @property
    def norm_homes(self) -> float | None:
        """The capacity the norm asks: ``norm_share`` x the target."""
        return self.target * self.norm_share if self.target is not None else None

    @property
    def meets_norm(self) -> bool | None:
        """Whether capacity reaches the norm (None without a target)."""
        ratio = self.ratio
        return None if ratio is None else ratio >= self.norm_share - 1e-9


def _part(first: int, last: int, lo: int, hi: int) -> float:
    """The share of an even spread over first-last that falls in lo-hi."""
    overlap = min(last, hi) - max(first, lo) + 1
    return max(overlap, 0) / (last - first + 1)


def plan_homes_in(plan: Mapping[str, Any], lo: int, hi: int) -> float:
    """Homes of a plan delivered in lo-hi (its yearly figures, else an even spread)."""
    by_year = plan.get("homes_by_year")
    if by_year:
        return float(sum(v for k, v in enumerate(by_year) if lo <= plan["first_year"] + k <= hi))
    return float(plan["homes"]) * _part(plan["first_year"], plan["last_year"], lo, hi)


def _latest(totals: Iterable[Total]) -> list[Total]:
    """Of totals for the same area, hardness and period, the latest captured."""
    best: dict[tuple[str, str, int, int], Total] = {}
    for total in totals:
        key = (total.area_id, total.hardness, total.first_year, total.last_year)
        held = best.get(key)
        if held is None or (total.captured_on or dt.date.min) > (held.captured_on or dt.date.min):
            best[key] = total
    return list(best.values())


def capacity(
    area_id: str,
    municipalities: Collection[str],
    first_year: int,
    last_year: int,
    plans: Iterable[Mapping[str, Any]],
    totals: Iterable[Total],
    *,
    target: float | None = None,
    regions: Mapping[str, Collection[str]] | None = None,
    prorate: bool = True,
    norm_share: float = NORM_SHARE,
) -> CapacityResult:
    """Capacity of ``area_id`` (made of ``municipalities``) in first_year-last_year.

    A municipality with plans counts its plans; one without plans counts its own totals;
    a region's totals count for the region when none of its municipalities has plans or
    totals of its own (else they are left out and reported: counting both would count the
    same homes twice). A region counts only when all its municipalities lie in the area.
    """
    members = set(municipalities)
    result = CapacityResult(area_id, first_year, last_year, target=target, norm_share=norm_share)
    with_plans: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for plan in plans:
        if plan["gemeente_id"] in members:
            with_plans[plan["gemeente_id"]].append(plan)
    for municipality in sorted(with_plans):
        for plan in with_plans[municipality]:
            homes = plan_homes_in(plan, first_year, last_year)
            if plan["planstatus"] in HARD_PLANSTATUS:
                result.hard += homes
            else:
                result.soft += homes
        result.from_plans.append(municipality)
    add_totals(result, members, totals, regions=regions, prorate=prorate)
    return result


def add_totals(
    result: CapacityResult,
    municipalities: Collection[str],
    totals: Iterable[Total],
    *,
    regions: Mapping[str, Collection[str]] | None = None,
    prorate: bool = True,
) -> None:
    """Add to ``result`` the totals of the municipalities that have no plans in it (those in
    ``result.from_plans``), then the totals of the regions none of whose municipalities has
    plans or totals of its own; what is left out is said in ``result.notes``."""
    members = set(municipalities)
    first_year, last_year = result.first_year, result.last_year
    chosen = _latest(totals)
    own_totals: dict[str, list[Total]] = defaultdict(list)
    for total in chosen:
        own_totals[total.area_id].append(total)

    def add(total: Total, where: str) -> None:
        inside = first_year <= total.first_year and total.last_year <= last_year
        share = _part(total.first_year, total.last_year, first_year, last_year)
        if share == 0:
            return
        if not inside:
            if not prorate:
                result.notes.append(
                    f"{where}: the {total.hardness} total for {total.first_year}-{total.last_year} "
                    f"does not lie within {first_year}-{last_year}; left out"
                )
                return
            result.notes.append(
                f"{where}: {share:.0%} of the {total.hardness} total for "
                f"{total.first_year}-{total.last_year} counted ({PRORATE_EVEN})"
            )
        value = total.homes * share
        if total.hardness == "hard":
            result.hard += value
        elif total.hardness == "soft":
            result.soft += value
        else:
            result.unknown += value
        if total.source_id and total.source_id not in result.sources:
            result.sources.append(total.source_id)
        if total.gross_or_net != "net":
            gross_note = f"totals that are {total.gross_or_net} are counted next to net plans"
            if gross_note not in result.notes:
                result.notes.append(gross_note)

    covered: set[str] = set(result.from_plans)
    for municipality in sorted(members - covered):
        if own_totals.get(municipality):
            for total in own_totals[municipality]:
                add(total, municipality)
            result.from_totals.append(municipality)
            covered.add(municipality)
    for municipality in sorted(set(result.from_plans) & set(own_totals)):
        result.notes.append(f"{municipality}: has plans, so its capacity totals are left out")
    for region, region_members in sorted((regions or {}).items()):
        if region not in own_totals:
            continue
        inside = set(region_members)
        if not inside <= members:
            continue
        overlap = inside & covered
        if overlap:
            result.notes.append(
                f"{region}: {len(overlap)} of its municipalities have plans or totals of their "
                "own, so the region's totals are left out"
            )
            continue
        for total in own_totals[region]:
            add(total, region)
        result.from_region_totals.append(region)
        covered |= inside
    result.without_figures = sorted(members - covered)


def totals_from_rows(rows: Sequence[Mapping[str, Any]]) -> list[Total]:
    """:class:`Total` records from ``capacity_total`` rows (as dicts)."""
    return [
        Total(
            r["area_id"],
            r["hardness"],
            r["first_year"],
            r["last_year"],
            float(r["homes"]),
            r["gross_or_net"],
            r.get("captured_on"),
            r.get("source_id"),
        )
        for r in rows
    ]
