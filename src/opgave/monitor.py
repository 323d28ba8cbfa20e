"""Monitoring: realised series, progress against targets, the pace still needed, plan capacity
against the 130% norm, the headline figures per area, delivery tests.

Inputs: a :class:`~opgave.state.ProgrammeState` (what counts: current plans, the standing
realised figures, memberships and their completeness) and, for the small helpers, plain
numbers. Outputs: typed results (:class:`Series`, :class:`Progress`, :class:`Capacity`,
:class:`Headline`, :class:`Overview`) that every door shows as they are. Derives: homes
added by a named :data:`DEFINITIONS` entry (the ministry's count by default), progress over
a target's period, the pace needed, plan capacity against what remains, coverage, and the
BAG-derived year so far from the monthly figures (:func:`year_so_far`). Every headline
figure is computed here and only here (docs/figures.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, Literal, get_args

from opgave import areas as area_graph
from opgave import capacity as capacity_totals
from opgave import i18n
from opgave.agreements import calendar
from opgave.areas import Coverage
from opgave.state import Figure, MonthFigure, MonthKey, ProgrammeState, month_end
from opgave.vocabulary import HARD_PLANSTATUS

Row = Mapping[str, Any]

PROGRAMME_START = 2021
"""First year of the national programme (900,000 homes in 2021-2030); the start assumed for
targets stated only "to" a year."""
PLAN_CAPACITY_NORM = 1.3
"""The 130% norm agreed with the provinces (Kamerstuk 34 682 nr. 90, opening)."""
HOME_MEASURES = ("homes_built", "homes_started")
"""Target measures that progress is measured for."""
NATION = "NL01"


@dataclass(frozen=True)
class Definition:
    """How a target's measure is counted from CBS's measures: ``formulas`` are ways of
    computing the same quantity, each a tuple of (measure, sign) terms; per year the first
    formula whose terms all stand gives the figure, else the year has none."""

    name: str
    label: str
    label_nl: str
    formulas: tuple[tuple[tuple[str, int], ...], ...]
    citation: str


DEFINITIONS: dict[str, Definition] = {
    "ministry": Definition(
        "ministry",
        "new-build plus the net of other additions and removals, CBS 'woningen erbij' "
        "(net change + demolition)",
        "nieuwbouw plus saldo overige toevoegingen en onttrekkingen, CBS 'woningen erbij' "
        "(saldo voorraad + sloop)",
        (
            (("homes_new_build", 1), ("homes_other_net_added", 1)),
            (("homes_net_added", 1), ("homes_demolished", 1)),
        ),
        "CBS StatLine 82235NED/81955NED; the count the minister reports (90,208 in 2022, "
        "82,000 in 2024)",
    ),
    "gross": Definition(
        "gross",
        "gross: new-build plus other additions (removals not deducted)",
        "bruto: nieuwbouw plus overige toevoegingen",
        ((("homes_new_build", 1), ("homes_other_added", 1)),),
        "CBS StatLine 82235NED/81955NED, nieuwbouw + overige toevoeging",
    ),
    "net_stock": Definition(
        "net_stock",
        "net change of the housing stock (after demolition and all removals)",
        "saldo woningvoorraad (na sloop en alle onttrekkingen)",
        ((("homes_net_added", 1),),),
        "CBS StatLine 82235NED/81955NED, saldo voorraad",
    ),
}
"""The definitions of "homes built" that can be chosen; ``ministry`` is the default."""
DefinitionName = Literal["ministry", "gross", "net_stock"]
DEFAULT_DEFINITION: DefinitionName = "ministry"
assert set(get_args(DefinitionName)) == set(DEFINITIONS)
STARTED = Definition(
    "started",
    "homes whose construction started",
    "woningen in aanbouw genomen",
    ((("homes_started", 1),),),
    "as the source states",
)


def definition_for(measure: str, name: str = DEFAULT_DEFINITION) -> Definition:
    """The definition a target's measure is counted by (``name`` chooses for homes built)."""
    if measure == "homes_started":
        return STARTED
    if name not in DEFINITIONS:
        raise ValueError(f"unknown definition {name!r}; choose one of {', '.join(DEFINITIONS)}")
    return DEFINITIONS[name]


def in_period(row: Row, first: int, last: int) -> bool:
    """Whether a target's (or figure's) inclusive period overlaps ``first..last``. An open
    start or end is unbounded, so a target stated only "to 2030", or with no period at all
    (an ambition that always applies), overlaps every year up to its end."""
    start = row["first_year"] if row["first_year"] is not None else -(10**6)
    end = row["last_year"] if row["last_year"] is not None else 10**6
    return start <= last and first <= end


# ---------------------------------------------------------------- coverage and series


def coverage(state: ProgrammeState, area_id: str) -> Coverage:
    """The coverage of an area on the state's date (``areas.coverage``): the municipalities
    known through the memberships valid that day against those expected."""
    return state.memo(
        ("coverage", area_id),
        lambda: area_graph.coverage(
            area_id, state.areas, state.members, state.as_of or dt.date.today()
        ),
    )


@dataclass(frozen=True)
class Series:
    """Realised values per year for an area under one definition, with where they come
    from. ``basis`` is ``own`` (figures stated for the area), ``municipalities`` (the sum of
    its municipalities, only for years every one of them has) or ``none``; ``gap_years`` are
    years from the start to the last realised year without a figure (never read as zero)."""

    area_id: str
    definition: str
    yearly: dict[int, float]
    provisional_years: tuple[int, ...]
    gap_years: tuple[int, ...]
    sources: tuple[str, ...]
    synthetic: bool
    basis: str


def _year_value(
    figures: Mapping[tuple[str, str, int], Figure],
    area: str,
    year: int,
    formulas: Sequence[Sequence[tuple[str, int]]],
) -> tuple[float, list[Figure]] | None:
    for terms in formulas:
        found = [figures.get((area, measure, year)) for measure, _ in terms]
        if all(f is not None for f in found):
            used = [f for f in found if f is not None]
            return sum(f.value * sign for f, (_, sign) in zip(used, terms, strict=True)), used
    return None


def _figure_years(
    figures: Mapping[tuple[str, str, int], Figure],
) -> dict[str, set[tuple[str, int]]]:
    """Area -> the (measure, year) pairs it has a standing figure for (built once per state:
    a report asks for the series of some sixty areas)."""
    index: dict[str, set[tuple[str, int]]] = {}
    for area, measure, year in figures:
        index.setdefault(area, set()).add((measure, year))
    return index


def _years_of(
    index: Mapping[str, set[tuple[str, int]]],
    areas: frozenset[str],
    formulas: Sequence[Sequence[tuple[str, int]]],
) -> set[int]:
    measures = {m for terms in formulas for m, _ in terms}
    return {y for a in areas for (m, y) in index.get(a, ()) if m in measures}


def realised_series(
    state: ProgrammeState,
    area_id: str,
    definition: Definition,
    since: int = PROGRAMME_START,
) -> Series:
    """The realised series of an area from ``since`` on.

    Per year: the area's own standing figure where there is one; else the sum over its
    municipalities, but only when every one of them has a figure that year. Real figures
    only, unless the area has none at all: then the synthetic (demo) figures, and the series
    says so. Real and synthetic are never combined."""
    municipalities = state.municipalities(area_id) - {area_id}
    for dataset in ("real", "synthetic"):
        figures = state.figures.of(dataset)
        yearly: dict[int, float] = {}
        used: list[Figure] = []
        bases: set[str] = set()
        index = state.memo(("figure_years", dataset), partial(_figure_years, figures))
        candidates = _years_of(index, frozenset({area_id}) | municipalities, definition.formulas)
        for year in sorted(y for y in candidates if y >= since):
            own = _year_value(figures, area_id, year, definition.formulas)
            if own is not None:
                yearly[year], parts = own
                used.extend(parts)
                bases.add("own")
                continue
            if not municipalities:
                continue
            values = [_year_value(figures, g, year, definition.formulas) for g in municipalities]
            if all(v is not None for v in values):
                yearly[year] = sum(v[0] for v in values if v is not None)
                used.extend(f for v in values if v is not None for f in v[1])
                bases.add("municipalities")
        if yearly:
            years = sorted(yearly)
            return Series(
                area_id=area_id,
                definition=definition.name,
                yearly=yearly,
                provisional_years=tuple(sorted({f.year for f in used if f.provisional})),
                gap_years=tuple(y for y in range(since, years[-1]) if y not in yearly),
                sources=tuple(sorted({s for f in used for s in f.sources})),
                synthetic=dataset == "synthetic",
                basis="own" if bases == {"own"} else "municipalities" if "own" not in bases
                else "own+municipalities",
            )  # fmt: skip
    return Series(area_id, definition.name, {}, (), (), (), False, "none")


# ---------------------------------------------------------------- progress and capacity


@dataclass(frozen=True)
class Progress:
    """Where a homes target stands: realised so far, what is left, the pace needed.

    ``lower_bound`` is true when the realised figure may understate the truth: years
    without a figure inside the realised span, or an area whose members are incomplete.
    ``share_min``: realised as a share of the minimum (None without one); ``years_left``: the
    target's years after the last realised one - every door prints these, none divides."""

    target_id: str
    area_id: str
    first_year: int
    last_year: int
    value_min: float | None
    value_max: float | None
    approximate: bool
    definition: str
    realised: float
    realised_years: tuple[int, ...]
    provisional_years: tuple[int, ...]
    gap_years: tuple[int, ...]
    remaining_min: float | None
    remaining_max: float | None
    required_pace_min: float | None
    required_pace_max: float | None
    recent_pace: float | None
    status: str
    sources: tuple[str, ...]
    synthetic: bool
    lower_bound: bool
    share_min: float | None
    years_left: int


def progress_of(target: Row, series: Series, coverage_: Coverage | None = None) -> Progress:
    """Realised within the target's period (from ``series``), what is left and the pace still
    needed. A target without a first year counts from ``PROGRAMME_START``. ``recent_pace``
    is the mean of the last three realised years; the status is ``on_track`` when that pace
    meets the pace the minimum still needs, ``behind`` when not, ``no_data`` without realised
    figures, ``reached`` when met, ``period_over`` when no year is left."""
    first, last = target["first_year"] or PROGRAMME_START, target["last_year"] or 0
    yearly = {y: v for y, v in series.yearly.items() if first <= y <= last}
    years = tuple(sorted(yearly))
    realised = sum(yearly.values())
    gaps = tuple(y for y in series.gap_years if first <= y <= last)
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
        approximate=bool(target["approximate"]),
        definition=series.definition,
        realised=realised,
        realised_years=years,
        provisional_years=tuple(y for y in series.provisional_years if y in yearly),
        gap_years=gaps,
        remaining_min=remaining(target["value_min"]),
        remaining_max=remaining(target["value_max"]),
        required_pace_min=need,
        required_pace_max=pace(target["value_max"]),
        recent_pace=recent_pace,
        status=status,
        sources=series.sources if years else (),
        synthetic=series.synthetic and bool(years),
        lower_bound=bool(gaps) or bool(coverage_ and coverage_.lower_bound and years),
        share_min=realised / target["value_min"] if target["value_min"] else None,
        years_left=max(left_years, 0),
    )


@dataclass(frozen=True)
class Capacity:
    """Planned homes in a period against a number of homes and the 130% norm, by hardness."""

    first_year: int
    last_year: int
    against: float
    planned_hard: int
    planned_all: int
    plans: int
    ratio_hard: float
    ratio_all: float
    norm: float
    meets_norm: bool
    synthetic: bool
    sources: tuple[str, ...]
    as_of: str | None
    from_totals: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Totals:
    """The capacity totals that may count for an area: the totals, the area's
    municipalities, and the municipalities of each region with totals (see
    :mod:`opgave.capacity`: plans where they exist, totals only where they do not)."""

    totals: tuple[capacity_totals.Total, ...] = ()
    municipalities: frozenset[str] = frozenset()
    regions: Mapping[str, Collection[str]] = field(default_factory=dict)


TOTALS_KINDS = ("nation", "landsdeel", "province", "strategy_region", "municipality", "group")
"""Areas made of whole municipalities: a municipality's or region's capacity total counts for
them. A large-scale area or location is part of a municipality, so its totals never do."""


def totals_for(state: ProgrammeState, area_id: str) -> Totals:
    """The capacity totals that may count for an area on the state's date."""
    if not state.capacity_totals or state.kinds.get(area_id) not in TOTALS_KINDS:
        return Totals()
    totals = tuple(capacity_totals.totals_from_rows(state.capacity_totals))
    regions = {
        t.area_id: state.municipalities(t.area_id)
        for t in totals
        if state.kinds.get(t.area_id) != "municipality"
    }
    return Totals(totals, state.municipalities(area_id), regions)


@dataclass(frozen=True)
class Planned:
    """What the plans (and totals) of an area hold for a period, before any target: the sums
    one pass over the plans gives, shared by a range target's two capacity figures."""

    first_year: int
    last_year: int
    hard: float
    total: float
    plans: int
    sources: tuple[str, ...]
    as_of: str | None
    from_totals: tuple[str, ...]
    notes: tuple[str, ...]


def planned_in(
    plans: Sequence[Row], first_year: int, last_year: int, totals: Totals = Totals()
) -> Planned:
    """Homes of the plans falling in [first_year, last_year] (a plan's homes per year, else
    spread evenly over its years), plus the capacity totals of municipalities and regions
    without plans in the period; hard = DiWi 1A-2C."""
    hard = total = 0.0
    count = 0
    sources: set[str] = set()
    municipalities: set[str] = set()
    latest = ""
    for plan in plans:
        first, last = plan["first_year"], plan["last_year"]
        if last < first or min(last, last_year) < max(first, first_year):
            continue
        count += 1
        homes = capacity_totals.plan_homes_in(plan, first_year, last_year)
        total += homes
        if plan["planstatus"] in HARD_PLANSTATUS:
            hard += homes
        if source := plan.get("source_id"):
            sources.add(str(source))
        if (captured := plan.get("valid_from")) and str(captured) > latest:
            latest = str(captured)
        if totals.totals:  # the municipalities whose plans count instead of their totals
            municipalities.add(str(plan["gemeente_id"]))
    from_totals = capacity_totals.CapacityResult("", first_year, last_year)
    if totals.totals:
        from_totals.from_plans = sorted(municipalities)
        capacity_totals.add_totals(
            from_totals, totals.municipalities, totals.totals, regions=totals.regions
        )
        hard += from_totals.hard
        total += from_totals.total
    return Planned(
        first_year=first_year,
        last_year=last_year,
        hard=hard,
        total=total,
        plans=count,
        sources=tuple(sorted(sources | set(from_totals.sources))),
        as_of=latest or None,
        from_totals=tuple(from_totals.from_totals + from_totals.from_region_totals),
        notes=tuple(from_totals.notes),
    )


def capacity_against(
    planned: Planned,
    target_homes: float,
    norm: float = PLAN_CAPACITY_NORM,
    synthetic_sources: Sequence[str] = (),
) -> Capacity:
    """The planned homes against ``target_homes`` and the norm."""
    ratio_all = planned.total / target_homes if target_homes else 0.0
    return Capacity(
        first_year=planned.first_year,
        last_year=planned.last_year,
        against=target_homes,
        planned_hard=round(planned.hard),
        planned_all=round(planned.total),
        plans=planned.plans,
        ratio_hard=planned.hard / target_homes if target_homes else 0.0,
        ratio_all=ratio_all,
        norm=norm,
        meets_norm=ratio_all >= norm,
        synthetic=any(s in synthetic_sources for s in planned.sources),
        sources=planned.sources,
        as_of=planned.as_of,
        from_totals=planned.from_totals,
        notes=planned.notes,
    )


def remaining_capacity(
    plans: Sequence[Row],
    target: Row,
    status: Progress,
    synthetic_sources: Sequence[str] = (),
    totals: Totals = Totals(),
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
    wanted_max = need_max and target["value_max"] != target["value_min"]
    if not need_min and not wanted_max:
        return None, None
    planned = planned_in(plans, first, status.last_year, totals)
    low = (
        capacity_against(planned, need_min, synthetic_sources=synthetic_sources)
        if need_min
        else None
    )
    high = (
        capacity_against(planned, need_max, synthetic_sources=synthetic_sources)
        if need_max and wanted_max
        else None
    )
    return low, high


# ---------------------------------------------------------------- per area


@dataclass(frozen=True)
class TargetStatus:
    """One target of an area (or of an area inside it) with its progress and plan capacity."""

    target: dict[str, Any]
    area_name: str
    coverage: Coverage
    progress: Progress | None
    capacity: Capacity | None
    capacity_max: Capacity | None

    @property
    def members_complete(self) -> bool:
        """Whether the target's area has a complete member list."""
        return not self.coverage.lower_bound


def target_status(
    state: ProgrammeState, target: Row, definition: str = DEFAULT_DEFINITION
) -> TargetStatus:
    """Progress and plan capacity of one target, over the municipalities of its area (each
    once) and the plans in it."""
    area_id = target["area_id"]
    cover = coverage(state, area_id)
    numeric = target["value_min"] is not None or target["value_max"] is not None
    progress = capacity = capacity_max = None
    if target["measure"] in HOME_MEASURES and numeric and target["last_year"]:
        series = realised_series(
            state,
            area_id,
            definition_for(target["measure"], definition),
            since=target["first_year"] or PROGRAMME_START,
        )
        progress = progress_of(target, series, cover)
        plans = state.plans_in(area_id)
        totals = totals_for(state, area_id)
        if plans or totals.totals:
            capacity, capacity_max = remaining_capacity(
                plans, target, progress, state.synthetic_sources, totals
            )
    return TargetStatus(dict(target), state.area_name(area_id), cover, progress, capacity,
                        capacity_max)  # fmt: skip


def area_status(
    state: ProgrammeState, area_id: str, definition: str = DEFAULT_DEFINITION
) -> list[TargetStatus]:
    """Every target of the area and of the areas inside it, the area's own first."""
    inside = state.inside(area_id)
    chosen = sorted(
        (t for t in state.targets if t["area_id"] in inside),
        key=lambda t: (t["area_id"] != area_id, t["area_id"], t["id"]),
    )
    return [target_status(state, t, definition) for t in chosen]


def headline_target(state: ProgrammeState, area_id: str) -> dict[str, Any] | None:
    """The area's own homes-built target with a number and an end: the one whose period
    includes the reference year (the as-of date's, else this year), else the first to end."""
    own = [
        t
        for t in state.targets
        if t["area_id"] == area_id
        and t["measure"] == "homes_built"
        and t["kind"] != "capacity"
        and (t["value_min"] is not None or t["value_max"] is not None)
        and t["last_year"] is not None
    ]
    if not own:
        return None
    year = (state.as_of or dt.date.today()).year
    return min(
        own,
        key=lambda t: (not in_period(t, year, year), t["last_year"], t["id"]),
    )


@dataclass(frozen=True)
class Headline:
    """An area's headline figures, as every door shows them: the target, realised, what
    remains, the pace needed, plan capacity against the 130% norm, the plans in the area,
    the coverage, and whether any of it rests on synthetic data (``synthetic_parts``:
    "realised", "plans")."""

    area_id: str
    area_name: str
    kind: str
    coverage: Coverage
    target: dict[str, Any] | None
    progress: Progress | None
    capacity: Capacity | None
    plans: int
    planned_homes: int
    synthetic: bool
    synthetic_parts: tuple[str, ...]


def headline(state: ProgrammeState, area_id: str, definition: str = DEFAULT_DEFINITION) -> Headline:
    """The headline figures of one area (see :class:`Headline`)."""
    target = headline_target(state, area_id)
    status = target_status(state, target, definition) if target else None
    plans = state.plans_in(area_id)
    parts = []
    if status and status.progress and status.progress.synthetic:
        parts.append("realised")
    synthetic = set(state.synthetic_sources)
    if synthetic and any(p.get("source_id") in synthetic for p in plans):
        parts.append("plans")
    return Headline(
        area_id=area_id,
        area_name=state.area_name(area_id),
        kind=state.kinds.get(area_id, ""),
        coverage=coverage(state, area_id),
        target=dict(target) if target else None,
        progress=status.progress if status else None,
        capacity=status.capacity if status else None,
        plans=len(plans),
        planned_homes=sum(int(p["homes"]) for p in plans),
        synthetic=bool(parts),
        synthetic_parts=tuple(parts),
    )


def strategy_regions(state: ProgrammeState) -> list[dict[str, Any]]:
    """The strategy regions in the letter's order."""
    return sorted(
        (a for a in state.areas if a["kind"] == "strategy_region"),
        key=lambda a: (a["display_order"] is None, a["display_order"] or 0, a["id"]),
    )


# ---------------------------------------------------------------- the overview


@dataclass(frozen=True)
class DueItem:
    """How many agreements are due at a meeting, and how many of them are still open."""

    meeting_id: str
    meeting_name: str
    moment: str | None
    due: int
    not_done: int
    agreement_ids: tuple[str, ...] = ()
    """The agreements due there, in register order."""


@dataclass(frozen=True)
class RegionLine:
    """A strategy region in the overview: its headline and its targets (and those of the
    areas inside it)."""

    area: dict[str, Any]
    headline: Headline
    targets: list[dict[str, Any]]


@dataclass
class Overview:
    """The national picture: the headline, the regions, what is due, the synthetic sources."""

    headline: Headline
    definition: Definition
    regions: list[RegionLine] = field(default_factory=list)
    due: list[DueItem] = field(default_factory=list)
    synthetic_sources: list[str] = field(default_factory=list)
    as_of: str | None = None


def due_items(agreements: Sequence[Row], meetings: Sequence[Row]) -> list[DueItem]:
    """Per meeting, in time order, the agreements due there and how many are not done.

    "Due at a meeting" is the calendar's one definition (:func:`opgave.agreements.calendar.
    due_at`): assigned to it (or to a meeting that is part of it), or due by a date or moment
    after the previous meeting and no later than this one. Meetings that are part of another
    count as that one; meetings with nothing due are left out.
    """
    by_id = {m["id"]: m for m in meetings}
    items = []
    for meeting in calendar.chronological(m for m in meetings if not m["parent_id"]):
        at = calendar.frame(meeting["id"], meetings)
        due = [a for a in agreements if calendar.due_at(a, at, by_id)]
        if due:
            items.append(
                DueItem(
                    meeting_id=meeting["id"],
                    meeting_name=meeting["name"],
                    moment=meeting["moment_text"],
                    due=len(due),
                    not_done=sum(1 for a in due if not calendar.is_closed(a)),
                    agreement_ids=tuple(a["id"] for a in due),
                )
            )
    return items


def overview(state: ProgrammeState, definition: str = DEFAULT_DEFINITION) -> Overview:
    """The national overview: the nation's headline, each strategy region with its headline
    and targets (its own and those of the areas inside it), what is due at the meetings."""
    by_area: dict[str, list[dict[str, Any]]] = {}
    for t in sorted(state.targets, key=lambda t: t["id"]):
        by_area.setdefault(t["area_id"], []).append(t)
    regions = [
        RegionLine(
            area=r,
            headline=headline(state, r["id"], definition),
            targets=[
                t
                for a in [r["id"], *sorted(state.inside(r["id"]) - {r["id"]})]
                for t in by_area.get(a, [])
            ],
        )
        for r in strategy_regions(state)
    ]
    return Overview(
        headline=headline(state, NATION, definition),
        definition=definition_for("homes_built", definition),
        regions=regions,
        due=due_items(state.agreements, state.meetings),
        synthetic_sources=list(state.synthetic_sources),
        as_of=state.as_of.isoformat() if state.as_of else None,
    )


# ---------------------------------------------------------------- funding in an area


@dataclass(frozen=True)
class Funding:
    """Awards in an area: how many, how much money, how many (affordable) homes."""

    awards: int
    amount_eur: int
    homes: int
    affordable_homes: int


def funding_in(state: ProgrammeState, area_id: str) -> Funding:
    """Awards to projects in the area's municipalities or in plans linked to it (once each)."""
    municipalities = state.municipalities(area_id)
    inside = state.inside(area_id)
    linked = {link["plan_id"] for link in state.plan_areas if link["area_id"] in inside}
    chosen = [
        a for a in state.awards if a["gemeente_id"] in municipalities or a["plan_id"] in linked
    ]
    return Funding(
        awards=len(chosen),
        amount_eur=sum(a["amount_eur"] for a in chosen),
        homes=sum(a["homes"] for a in chosen),
        affordable_homes=sum(a["affordable_homes"] for a in chosen),
    )


# ---------------------------------------------------------------- delivery tests


@dataclass(frozen=True)
class DeliveryTest:
    """Delivered against required; ``band`` is the most severe threshold undershot."""

    ratio: float
    percent: int
    band: str | None


def hdt_thresholds(measurement_year: int) -> tuple[tuple[float, str], ...]:
    """England's Housing Delivery Test consequences (NPPF) for a measurement year: an action
    plan below 95%, a 20% buffer below 85%, the presumption in favour of development below
    25% (2018), 45% (2019) or 75% (from 2020)."""
    presumption = 25 if measurement_year <= 2018 else 45 if measurement_year == 2019 else 75
    return ((95, "action_plan"), (85, "buffer"), (presumption, "presumption"))


def _decimal(value: float | int) -> Decimal:
    return Decimal(str(value))


def delivery_test(
    required: Sequence[float],
    delivered: Sequence[float],
    year_fractions: Sequence[float] | None = None,
    thresholds: Sequence[tuple[float, str]] | None = None,
    measurement_year: int = 2020,
) -> DeliveryTest:
    """Delivered homes as a share of the homes required over the same years (England's HDT).

    ``year_fractions`` pro-rates the requirement per year (e.g. 8/12 for a shortened year);
    ``percent`` is rounded half up; ``band`` is the label of the lowest threshold the
    percent falls below, or None. Thresholds default to those of ``measurement_year``
    (:func:`hdt_thresholds`).
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
    chosen = thresholds if thresholds is not None else hdt_thresholds(measurement_year)
    undershot = [(p, label) for p, label in chosen if percent < p]
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


# ---------------------------------------------------------------- per year (an area's page)


@dataclass(frozen=True)
class YearlyPicture:
    """An area's homes per year: realised (one figure per year, as everywhere), the pace its
    headline target needs - spread evenly over the target's period (``pace_even``) and what
    is still needed per remaining year (``pace_still``, from the year after the last
    realised one) - and the current plans by the year they are planned for (their yearly
    figures, else an even spread), hard (planstatus 1x/2x) and soft."""

    area_id: str
    target_id: str | None
    years: tuple[int, ...]
    realised: dict[int, float]
    pace_even: dict[int, float]
    pace_still: dict[int, float]
    planned_hard: dict[int, float]
    planned_soft: dict[int, float]
    realised_synthetic: bool
    plans_synthetic: bool


def yearly_picture(
    state: ProgrammeState, area_id: str, definition: str = DEFAULT_DEFINITION
) -> YearlyPicture:
    """The :class:`YearlyPicture` of an area: from the programme's start (or the target's
    first year) to the target's last year, or to the last planned year without a target."""
    from opgave.capacity import plan_homes_in

    target = headline_target(state, area_id)
    series = realised_series(state, area_id, definition_for("homes_built", definition))
    plans = state.plans_in(area_id)
    first = (target["first_year"] if target else None) or PROGRAMME_START
    last_planned = max((int(p["last_year"]) for p in plans), default=first)
    last = int(target["last_year"]) if target else max(last_planned, first)
    years = tuple(range(min(first, *series.yearly) if series.yearly else first, last + 1))
    pace_even: dict[int, float] = {}
    pace_still: dict[int, float] = {}
    if target and target["value_min"] is not None:
        start = target["first_year"] or PROGRAMME_START
        span = last - start + 1
        pace_even = {y: target["value_min"] / span for y in years if start <= y <= last}
        progress = progress_of(target, series)
        if progress.required_pace_min is not None:
            after = progress.realised_years[-1] + 1 if progress.realised_years else start
            pace_still = {y: progress.required_pace_min for y in years if after <= y <= last}
    hard: dict[int, float] = {}
    soft: dict[int, float] = {}
    planned_from = max(series.yearly, default=first - 1) + 1
    for plan in plans:
        bucket = hard if plan["planstatus"] in HARD_PLANSTATUS else soft
        for year in range(int(plan["first_year"]), int(plan["last_year"]) + 1):
            if year in years and year >= planned_from:
                bucket[year] = bucket.get(year, 0.0) + plan_homes_in(plan, year, year)
    return YearlyPicture(
        area_id=area_id,
        target_id=target["id"] if target else None,
        years=years,
        realised={y: v for y, v in series.yearly.items() if y in years},
        pace_even=pace_even,
        pace_still=pace_still,
        planned_hard=hard,
        planned_soft=soft,
        realised_synthetic=series.synthetic,
        plans_synthetic=any(state.is_synthetic(p.get("source_id")) for p in plans),
    )


# ---------------------------------------------------------------- the year so far (BAG, monthly)


YEAR_SO_FAR_MEASURES = (
    "homes_completed",
    "homes_completed_new_build",
    "homes_completed_other",
    "homes_permitted",
    "homes_started",
)
"""The BAG-derived measures the year so far sums (as `opgave ingest bag` stores them)."""


@dataclass(frozen=True)
class YearSoFar:
    """An area's BAG-derived figures of one year from January to ``last_month`` (the last
    month complete on the state's date): per measure the sum over the area's municipalities
    (``to_date``), the same months of the year before (``previous``, None when not stored),
    how many of the municipalities have monthly figures (``lower_bound`` when not all, or
    when the area's member list is incomplete), the sources and whether they are synthetic.
    Monthly figures are provisional: registrations come in late."""

    area_id: str
    year: int
    last_month: int
    to_date: dict[str, float]
    previous: dict[str, float] | None
    municipalities: int
    municipalities_with_figures: int
    lower_bound: bool
    sources: tuple[str, ...]
    synthetic: bool
    provisional: bool = True

    @property
    def months_text(self) -> str:
        """The months summed, in English: "Jan-Sep 2026" ("Jan 2026" for January alone)."""
        return i18n.months(self.last_month, self.year, "en")

    @property
    def coverage_text(self) -> str:
        """ "9 of 9 municipalities", "lower bound: 7 of 9 municipalities"."""
        return i18n.coverage(
            self.municipalities_with_figures, self.municipalities, self.lower_bound, "en"
        )


def _last_complete_month(day: dt.date, year: int) -> int:
    """The last month of ``year`` that has ended on ``day`` (0: none, 12: all)."""
    if day.year != year:
        return 12 if day.year > year else 0
    return day.month if day == month_end(year, day.month) else day.month - 1


def _months_by_area(figures: Mapping[MonthKey, MonthFigure]) -> dict[str, list[MonthFigure]]:
    """Area -> its standing monthly figures (built once per state and dataset)."""
    index: dict[str, list[MonthFigure]] = {}
    for found in figures.values():
        index.setdefault(found.area_id, []).append(found)
    return index


def year_so_far(state: ProgrammeState, area_id: str) -> YearSoFar | None:
    """The year so far of an area from the standing monthly figures (``state.month_figures``):
    the latest year with figures for its municipalities - the state's year, or the year before
    while no month of this year is complete in an extract - January up to the last month that
    is complete in the sources used (on the state's date, within the extract's date). An area's
    figure is the sum over its municipalities (a municipality: its own). Real figures only,
    unless there are none: then the synthetic ones, labelled; never combined. None without
    monthly figures."""
    municipalities = state.municipalities(area_id)
    if not municipalities:
        return None
    first_year = (state.as_of or dt.date.today()).year - 1  # older months are no "so far"
    for dataset in ("real", "synthetic"):
        index = state.memo(
            ("months_by_area", dataset),
            partial(_months_by_area, state.month_figures.of(dataset)),
        )
        found = [f for m in sorted(municipalities) for f in index.get(m, ())]
        year = max((f.year for f in found), default=0)
        if year < first_year:
            continue
        this_year = [f for f in found if f.year == year]
        reached_by: dict[str, int] = {}  # each municipality's last complete month
        for f in this_year:
            for s in f.sources:
                month = _last_complete_month(state.month_figures.complete_to[s], year)
                reached_by[f.area_id] = max(reached_by.get(f.area_id, 0), month)
        last_month = max(reached_by.values())
        with_figures = set(reached_by)
        # a municipality whose extract ends before the last month is summed to its own end:
        # the sum is then a lower bound for January up to the last month, and says so
        behind = any(month < last_month for month in reached_by.values())
        to_date = {
            measure: sum(f.value for f in this_year if f.measure == measure)
            for measure in YEAR_SO_FAR_MEASURES
            if any(f.measure == measure for f in this_year)
        }
        before = [
            f
            for f in found
            if f.year == year - 1 and f.month <= last_month and f.area_id in with_figures
        ]
        reached = max(
            (
                _last_complete_month(state.month_figures.complete_to[s], year - 1)
                for f in before
                for s in f.sources
            ),
            default=0,
        )
        previous = (
            {m: sum(f.value for f in before if f.measure == m) for m in to_date}
            if before and reached >= last_month
            else None
        )
        return YearSoFar(
            area_id=area_id,
            year=year,
            last_month=last_month,
            to_date=to_date,
            previous=previous,
            municipalities=len(municipalities),
            municipalities_with_figures=len(with_figures),
            lower_bound=len(with_figures) < len(municipalities)
            or behind
            or coverage(state, area_id).lower_bound,
            sources=tuple(sorted({s for f in this_year + before for s in f.sources})),
            synthetic=dataset == "synthetic",
            provisional=any(f.provisional for f in this_year),
        )
    return None
