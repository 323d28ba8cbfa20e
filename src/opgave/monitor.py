"""Monitoring: progress against targets, the pace still needed, plan capacity, delivery tests.

Pure functions over plain data (dicts as the model's ``to_dict`` gives them, numbers, lists);
the caller loads from the database. The national overview is what ``opgave overview``
prints: the 900,000 target, what was realised with its source, the pace still needed, plan
capacity against the 130% norm and what is due at the next meetings.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from opgave import areas as area_graph
from opgave.model import HARD_PLANSTATUS

Row = Mapping[str, Any]

HDT_THRESHOLDS: tuple[tuple[float, str], ...] = (
    (95, "action_plan"),
    (85, "buffer"),
    (75, "presumption"),
)
"""England's Housing Delivery Test consequences (NPPF): below 95%, 85%, 75% delivered."""
PROGRAMME_START = 2021
"""First year of the national programme (900,000 homes in 2021-2030); the start assumed for
targets stated only "to" a year."""
PLAN_CAPACITY_NORM = 1.3
"""The 130% norm agreed with the provinces (Kamerstuk 34 682 nr. 90, opening)."""
ADDED_MEASURES = ("homes_new_build", "homes_other_added")
"""CBS measures that together count as homes added for a ``homes_built`` target."""


def in_period(row: Row, first: int, last: int) -> bool:
    """Whether a target's (or figure's) inclusive period overlaps ``first..last``. An open
    start or end is unbounded, so a target stated only "to 2030", or with no period at all
    (an ambition that always applies), overlaps every year up to its end."""
    start = row["first_year"] if row["first_year"] is not None else -(10**6)
    end = row["last_year"] if row["last_year"] is not None else 10**6
    return start <= last and first <= end


@dataclass(frozen=True)
class DeliveryTest:
    """Delivered against required; ``band`` is the most severe threshold undershot."""

    ratio: float
    percent: int
    band: str | None


def _decimal(value: float | int) -> Decimal:
    return Decimal(str(value))


def delivery_test(
    required: Sequence[float],
    delivered: Sequence[float],
    year_fractions: Sequence[float] | None = None,
    thresholds: Sequence[tuple[float, str]] | None = None,
) -> DeliveryTest:
    """Delivered homes as a share of the homes required over the same years (England's HDT).

    ``year_fractions`` pro-rates the requirement per year (e.g. 8/12 for a shortened year);
    ``percent`` is rounded half up; ``band`` is the label of the lowest threshold the
    percent falls below, or None. Thresholds default to the HDT's 95/85/75.
    """
    if len(required) != len(delivered):
        raise ValueError(f"required has {len(required)} years, delivered {len(delivered)}")
    fractions = [1.0] * len(required) if year_fractions is None else list(year_fractions)
    if len(fractions) != len(required):
        raise ValueError(f"year_fractions has {len(fractions)} years, required {len(required)}")
    need = sum(_decimal(r) * _decimal(f) for r, f in zip(required, fractions, strict=True))
    if need <= 0:
        raise ValueError("the requirement over these years is zero; the test is undefined")
    ratio = sum((_decimal(d) for d in delivered), Decimal(0)) / need
    percent = int((ratio * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    undershot = [(p, label) for p, label in (thresholds or HDT_THRESHOLDS) if percent < p]
    band = min(undershot)[1] if undershot else None
    return DeliveryTest(ratio=float(ratio), percent=percent, band=band)


@dataclass(frozen=True)
class SupplyYears:
    """Plan supply against five years of requirement with a buffer, as a ratio and in years."""

    ratio: float
    years: float


def supply_years(supply: float, annual_requirement: float, buffer: float = 0.0) -> SupplyYears:
    """Supply / (5 x requirement x (1 + buffer)) and supply in years of buffered requirement.

    The 130% norm is the same computation: plan capacity against the task with buffer 0.3.
    """
    per_year = annual_requirement * (1 + buffer)
    if per_year <= 0:
        raise ValueError("the annual requirement must be positive")
    return SupplyYears(ratio=supply / (5 * per_year), years=supply / per_year)


@dataclass(frozen=True)
class Progress:
    """Where a ``homes_built`` target stands: realised so far, what is left, the pace needed."""

    target_id: str
    area_id: str
    first_year: int
    last_year: int
    value_min: float | None
    value_max: float | None
    approximate: bool
    realised: float
    realised_years: tuple[int, ...]
    provisional_years: tuple[int, ...]
    remaining_min: float | None
    remaining_max: float | None
    required_pace_min: float | None
    required_pace_max: float | None
    recent_pace: float | None
    status: str
    sources: tuple[str, ...]


def yearly_figures(
    area_id: str,
    realisations: Sequence[Row],
    measures: Sequence[str] = ADDED_MEASURES,
    municipalities: Collection[str] = (),
) -> tuple[dict[int, float], set[int], set[str]]:
    """Realised values per year for an area: its own figures where stated, else the sum of
    its municipalities' figures (each municipality once). Also the provisional years and
    the sources used."""
    own: dict[int, float] = {}
    summed: dict[int, float] = {}
    provisional: dict[str, set[int]] = {"own": set(), "summed": set()}
    sources: dict[str, set[str]] = {"own": set(), "summed": set()}
    for r in realisations:
        if r["measure"] not in measures or r["first_year"] != r["last_year"]:
            continue
        if r["area_id"] == area_id:
            bucket, which = own, "own"
        elif r["area_id"] in municipalities:
            bucket, which = summed, "summed"
        else:
            continue
        year = r["first_year"]
        bucket[year] = bucket.get(year, 0.0) + float(r["value"])
        sources[which].add(r["source_id"])
        if r["provisional"]:
            provisional[which].add(year)
    yearly = {**summed, **own}
    used = {"own"} if own else set()
    if set(summed) - set(own):
        used.add("summed")
    return (
        yearly,
        {y for w in used for y in provisional[w] if y in yearly},
        {src for w in used for src in sources[w]},
    )


def progress(
    target: Row,
    realisations: Sequence[Row],
    measures: Sequence[str] = ADDED_MEASURES,
    municipalities: Collection[str] = (),
) -> Progress:
    """Realised homes within the target's period, what is left and the pace still needed.

    Figures come from ``yearly_figures`` (the area's own, else its municipalities', never a
    sum across overlapping areas). A target without a first year counts from
    ``PROGRAMME_START``. ``recent_pace`` is the mean of the last three realised years; the
    status is ``on_track`` when that pace meets the pace the minimum still needs,
    ``behind`` when not, ``no_data`` without realised figures, ``reached`` when met.
    """
    first, last = target["first_year"] or PROGRAMME_START, target["last_year"] or 0
    figures, provisional_all, sources = yearly_figures(
        target["area_id"], realisations, measures, municipalities
    )
    yearly = {y: v for y, v in figures.items() if first <= y <= last}
    provisional = {y for y in provisional_all if y in yearly}
    years = tuple(sorted(yearly))
    realised = sum(yearly.values())
    left_years = last - (years[-1] if years else first - 1)
    recent = [yearly[y] for y in years[-3:]]
    recent_pace = sum(recent) / len(recent) if recent else None

    def remaining(value: float | None) -> float | None:
        return None if value is None else max(value - realised, 0.0)

    def pace(value: float | None) -> float | None:
        left = remaining(value)
        return None if left is None or left_years <= 0 else left / left_years

    need = pace(target["value_min"])
    if not years:
        status = "no_data"
    elif remaining(target["value_min"]) == 0:
        status = "reached"
    elif need is None:
        status = "period_over"
    else:
        status = "on_track" if recent_pace is not None and recent_pace >= need else "behind"
    return Progress(
        target_id=target["id"],
        area_id=target["area_id"],
        first_year=first,
        last_year=last,
        value_min=target["value_min"],
        value_max=target["value_max"],
        approximate=target["approximate"],
        realised=realised,
        realised_years=years,
        provisional_years=tuple(sorted(provisional)),
        remaining_min=remaining(target["value_min"]),
        remaining_max=remaining(target["value_max"]),
        required_pace_min=need,
        required_pace_max=pace(target["value_max"]),
        recent_pace=recent_pace,
        status=status,
        sources=tuple(sorted(sources)),
    )


@dataclass(frozen=True)
class Capacity:
    """Planned homes in a period against a target and the 130% norm, by hardness."""

    planned_hard: int
    planned_all: int
    ratio_hard: float
    ratio_all: float
    norm: float
    meets_norm: bool


def plan_capacity(
    plans: Sequence[Row],
    target_homes: float,
    first_year: int,
    last_year: int,
    norm: float = PLAN_CAPACITY_NORM,
) -> Capacity:
    """Homes of the plans falling in [first_year, last_year] (spread evenly over each plan's
    years) against ``target_homes``; hard = DiWi 1A-2C."""
    hard = total = 0.0
    for plan in plans:
        span = plan["last_year"] - plan["first_year"] + 1
        inside = min(plan["last_year"], last_year) - max(plan["first_year"], first_year) + 1
        if span <= 0 or inside <= 0:
            continue
        homes = plan["homes"] * inside / span
        total += homes
        if plan["planstatus"] in HARD_PLANSTATUS:
            hard += homes
    ratio_all = total / target_homes if target_homes else 0.0
    return Capacity(
        planned_hard=round(hard),
        planned_all=round(total),
        ratio_hard=hard / target_homes if target_homes else 0.0,
        ratio_all=ratio_all,
        norm=norm,
        meets_norm=ratio_all >= norm,
    )


def remaining_capacity(
    plans: Sequence[Row], target: Row, status: Progress
) -> tuple[Capacity | None, Capacity | None]:
    """Plan capacity against what is still to be built: the plans' homes from the year after
    the last realised year to the target's last year, against the remaining minimum (and,
    for a range, the remaining maximum). Without realised figures: the whole period and the
    whole target. The 130% norm applies to this ratio."""
    if status.realised_years:
        first = status.realised_years[-1] + 1
        need_min, need_max = status.remaining_min, status.remaining_max
    else:
        first = status.first_year
        need_min, need_max = target["value_min"], target["value_max"]
    last = status.last_year
    low = plan_capacity(plans, need_min, first, last) if need_min else None
    high = (
        plan_capacity(plans, need_max, first, last)
        if need_max and target["value_max"] != target["value_min"]
        else None
    )
    return low, high


@dataclass(frozen=True)
class DueItem:
    """How many agreements are due at a meeting, and how many of them are still open."""

    meeting_id: str
    meeting_name: str
    moment: str | None
    due: int
    not_done: int


@dataclass
class Overview:
    """The national picture: the headline target, regions, capacity and what is due."""

    target: Row
    progress: Progress
    capacity: Capacity | None
    plan_count: int
    regions: list[tuple[Row, list[Row]]] = field(default_factory=list)
    due: list[DueItem] = field(default_factory=list)
    synthetic_sources: list[str] = field(default_factory=list)


def overview(
    targets: Sequence[Row],
    realisations: Sequence[Row],
    plans: Sequence[Row],
    areas: Sequence[Row],
    members: Sequence[Row],
    agreements: Sequence[Row],
    meetings: Sequence[Row],
    sources: Sequence[Row],
    nation: str = "NL01",
) -> Overview:
    """Assemble the national overview from the programme's rows.

    Each strategy region lists its own targets and those of the areas inside it (the
    Zuidelijke Randstad's numbers are set for the Oude Lijn and the Verstedelijkingsalliantie).
    """
    headline = next(
        t
        for t in sorted(targets, key=lambda t: t["id"])
        if t["area_id"] == nation and t["measure"] == "homes_built" and t["value_min"]
    )
    status = progress(headline, realisations)
    capacity = remaining_capacity(plans, headline, status)[0] if plans else None
    regions = sorted(
        (a for a in areas if a["kind"] == "strategy_region"),
        key=lambda a: (a["display_order"] is None, a["display_order"] or 0, a["id"]),
    )
    children = area_graph.children_of(members)
    by_area: dict[str, list[Row]] = {}
    for t in targets:
        by_area.setdefault(t["area_id"], []).append(t)
    meeting_by_id = {m["id"]: m for m in meetings}
    due: dict[str, list[Row]] = {}
    for a in agreements:
        if a["due_meeting_id"]:
            due.setdefault(a["due_meeting_id"], []).append(a)
    due_items = [
        DueItem(
            meeting_id=mid,
            meeting_name=meeting_by_id[mid]["name"],
            moment=meeting_by_id[mid]["moment_text"],
            due=len(items),
            not_done=sum(1 for a in items if a["status"] not in ("done", "superseded", "lapsed")),
        )
        for mid, items in sorted(
            due.items(), key=lambda kv: (meeting_by_id[kv[0]]["year"] or 0, kv[0])
        )
    ]
    return Overview(
        target=headline,
        progress=status,
        capacity=capacity,
        plan_count=len(plans),
        regions=[
            (
                r,
                [
                    t
                    for a in [r["id"], *sorted(area_graph.descendants(r["id"], children))]
                    for t in sorted(by_area.get(a, []), key=lambda t: t["id"])
                ],
            )
            for r in regions
        ],
        due=due_items,
        synthetic_sources=[s["id"] for s in sources if s["confidence"] == "synthetic"],
    )


@dataclass(frozen=True)
class TargetStatus:
    """One target of an area (or of an area inside it) with its progress and plan capacity."""

    target: Row
    area_name: str
    members_complete: bool
    progress: Progress | None
    capacity: Capacity | None
    capacity_max: Capacity | None


def area_status(
    area_id: str,
    targets: Sequence[Row],
    realisations: Sequence[Row],
    plans: Sequence[Row],
    plan_areas: Sequence[Row],
    areas: Sequence[Row],
    members: Sequence[Row],
) -> list[TargetStatus]:
    """Every target of the area and of the areas inside it, with realised figures and plan
    capacity against the 130% norm; both aggregate each area's own municipalities (once) and
    the plans linked to it or to the areas inside it."""
    children = area_graph.children_of(members)
    kinds = {a["id"]: a["kind"] for a in areas}
    names = {a["id"]: a["name"] for a in areas}
    complete = {a["id"]: a["members_complete"] for a in areas}
    inside = {area_id} | area_graph.descendants(area_id, children)
    plans_by_gemeente: dict[str, list[Row]] = {}
    for plan in plans:
        plans_by_gemeente.setdefault(plan["gemeente_id"], []).append(plan)
    plans_by_id = {p["id"]: p for p in plans}
    linked: dict[str, set[str]] = {}
    for link in plan_areas:
        linked.setdefault(link["area_id"], set()).add(link["plan_id"])
    result = []
    for target in sorted(targets, key=lambda t: (t["area_id"] != area_id, t["area_id"], t["id"])):
        if target["area_id"] not in inside:
            continue
        tid = target["area_id"]
        municipalities = area_graph.municipalities(tid, children, kinds)
        numeric = target["value_min"] is not None or target["value_max"] is not None
        homes = target["measure"] in ("homes_built", "homes_started") and numeric
        progress_ = None
        capacity = capacity_max = None
        if homes and target["last_year"]:
            measures = ADDED_MEASURES if target["measure"] == "homes_built" else ("homes_started",)
            progress_ = progress(target, realisations, measures, municipalities)
            in_area = {p["id"] for g in municipalities for p in plans_by_gemeente.get(g, [])}
            for a in {tid} | area_graph.descendants(tid, children):
                in_area |= linked.get(a, set())
            chosen = [plans_by_id[i] for i in sorted(in_area)]
            if chosen:
                capacity, capacity_max = remaining_capacity(chosen, target, progress_)
        result.append(
            TargetStatus(
                target,
                str(names.get(tid, tid)),
                bool(complete.get(tid, True)),
                progress_,
                capacity,
                capacity_max,
            )
        )
    return result


@dataclass(frozen=True)
class Funding:
    """Awards in an area: how many, how much money, how many (affordable) homes."""

    awards: int
    amount_eur: int
    homes: int
    affordable_homes: int


def funding_in(
    area_id: str,
    awards: Sequence[Row],
    areas: Sequence[Row],
    members: Sequence[Row],
    plan_areas: Sequence[Row] = (),
) -> Funding:
    """Awards to projects in the area's municipalities or in plans linked to it (once each)."""
    children = area_graph.children_of(members)
    kinds = {a["id"]: a["kind"] for a in areas}
    municipalities = area_graph.municipalities(area_id, children, kinds)
    inside = {area_id} | area_graph.descendants(area_id, children)
    linked = {link["plan_id"] for link in plan_areas if link["area_id"] in inside}
    chosen = [a for a in awards if a["gemeente_id"] in municipalities or a["plan_id"] in linked]
    return Funding(
        awards=len(chosen),
        amount_eur=sum(a["amount_eur"] for a in chosen),
        homes=sum(a["homes"] for a in chosen),
        affordable_homes=sum(a["affordable_homes"] for a in chosen),
    )
