"""The programme state as of a date: the one place that decides what counts.

Inputs: the rows of the programme's tables (the service layer loads them; this module never
touches the database) and an as-of date (None: as known now).
Outputs: a :class:`ProgrammeState` with
- the plans current on the date (dropped plans out, earlier versions from the history) and
  only the plan-area and plan-precondition links of those plans;
- the memberships valid on the date (today's when no date is given), and which areas' member
  lists are complete, propagated through groups (``areas.is_complete``);
- the realised figure that *stands* for each area, measure and year: exactly one, chosen by
  :data:`PRECEDENCE`, never a sum across sources; figures under a merged municipality's code
  read as its successor's (mapped when read, not only at ingest); the figures that did not
  stand are kept in ``set_aside`` with the reason;
- the monthly figures (``realisation_month``, BAG: the year so far) by the same rules, a
  month counting once it has ended on the date (and within its extract's date);
- real and synthetic figures in two separate sets, so that no number mixes them, and the
  synthetic sources present.
Derives: nothing else. Monitoring, the forecast, the report and every door compute from this
object, so a figure means the same wherever it is shown (docs/figures.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from opgave import areas as area_graph
from opgave.message import Message
from opgave.vocabulary import PLAN_FIELDS

Row = Mapping[str, Any]
T = TypeVar("T")
MEMO_LIMIT = 2000
"""Derived results a state keeps (see ``ProgrammeState.memo``) before it forgets them all."""
Key = tuple[str, str, int]
"""(area id, measure, year) of a yearly realised figure."""

PRECEDENCE: tuple[str, ...] = ("cbs_final", "cbs_provisional", "bag", "document", "synthetic")
"""Which source's figure stands when several give one for the same area, measure and year,
best first: a final CBS figure, a provisional CBS figure, a count derived from the BAG, a
figure stated in a document or other dataset. Within one tier the most recently retrieved
(else published) source wins, then the source id. Synthetic figures never compete with real
ones: they form their own set and are used only where no real figure exists (labelled)."""

TIER_TEXT = {
    "cbs_final": "CBS, final",
    "cbs_provisional": "CBS, provisional",
    "bag": "derived from the BAG",
    "document": "stated in a document or dataset",
    "synthetic": "synthetic (demo)",
}
SET_ASIDE_REASONS = {
    "other_source": "another source stands: {source} ({tier})",
    "merged": "{area} merged into {new}; from {year} its figures are {new}'s",
    "other_tier": "part of {new}, whose figure comes from another tier ({tier})",
    "several_years": "a figure for several years: shown, not counted per year",
    "unknown_source": "unknown source",
    "part_month": "the extract of {reference} covers this month only in part",
}
"""Why a realised figure is set aside, by code: the English of :attr:`SetAside.reason`; a
door that speaks another language says the code in its own words (:mod:`opgave.message`)."""


def set_aside_reason(code: str, **values: Any) -> Message:
    """The reason ``code`` of :data:`SET_ASIDE_REASONS` with its values (English text)."""
    return Message.of(SET_ASIDE_REASONS, code, **values)


def tier_of(source: Row | None, provisional: bool) -> str:
    """The precedence tier of a figure from ``source`` (see :data:`PRECEDENCE`)."""
    if source is None:
        return "document"
    if source["confidence"] == "synthetic":
        return "synthetic"
    if source["kind"] == "cbs_table":
        return "cbs_provisional" if provisional else "cbs_final"
    if str(source["id"]).startswith("bag-"):
        return "bag"
    return "document"


@dataclass(frozen=True)
class Figure:
    """The realised figure that stands for an area, measure and year.

    ``parts`` names the areas whose figures make it up when merged municipalities' figures
    were added to their successor's (a territorial sum within one tier, not a sum across
    sources); ``sources`` every source used."""

    area_id: str
    measure: str
    year: int
    value: float
    provisional: bool
    tier: str
    sources: tuple[str, ...]
    parts: tuple[str, ...] = ()

    @property
    def synthetic(self) -> bool:
        """Whether the figure comes from synthetic (demo) data."""
        return self.tier == "synthetic"


@dataclass(frozen=True)
class SetAside:
    """A realised figure that does not stand, and why."""

    area_id: str
    measure: str
    year: int
    value: float
    source_id: str | None
    reason: str
    month: int | None = None
    """The calendar month of a monthly figure (``realisation_month``); None for a year's."""


@dataclass(frozen=True)
class Figures:
    """The standing yearly figures, real and synthetic apart, and what was set aside."""

    real: Mapping[Key, Figure]
    synthetic: Mapping[Key, Figure]
    set_aside: tuple[SetAside, ...]

    def of(self, dataset: str) -> Mapping[Key, Figure]:
        """The figures of one dataset: ``real`` or ``synthetic``."""
        return self.real if dataset == "real" else self.synthetic


def _recency(source: Row | None) -> int:
    if source is None:
        return 0
    day = source.get("retrieved") or source.get("published")
    return day.toordinal() if isinstance(day, dt.date) else 0


def successors(code_changes: Iterable[Row]) -> dict[str, str]:
    """Merged municipality code -> the code it lives on under today (chains followed)."""
    direct = {c["old_code"]: c["new_code"] for c in code_changes if c["kind"] == "merged"}
    resolved: dict[str, str] = {}
    for old in direct:
        new, seen = direct[old], {old}
        while new in direct and new not in seen:
            seen.add(new)
            new = direct[new]
        resolved[old] = new
    return resolved


def standing_figures(
    realisations: Iterable[Row],
    sources: Mapping[str, Row],
    code_changes: Iterable[Row],
    last_year_of: Mapping[str, int | None],
) -> Figures:
    """The one figure per area, measure and year (see :data:`PRECEDENCE`), real and synthetic
    apart, with merged municipalities mapped to their successor when read.

    A merged municipality's figure for a year in which it still existed (up to its
    ``last_year_of``, the area's ``valid_to``) is part of its successor's territory and is
    added to the successor's figure of the same tier; a figure under its code for a later
    year is set aside, because the successor's figure already covers it. Figures for a
    period of several years are not yearly figures and are not part of this set.
    """
    yearly = [r for r in realisations if r["first_year"] == r["last_year"]]
    out, set_aside = _stand(
        yearly,
        lambda r: (r["area_id"], r["measure"], r["first_year"]),
        sources,
        code_changes,
        last_year_of,
    )

    def made(found: Mapping[tuple[Any, ...], _Standing]) -> dict[Key, Figure]:
        return {
            (area, measure, year): Figure(area, measure, year, *standing)
            for (area, measure, year), standing in found.items()
        }

    return Figures(real=made(out["real"]), synthetic=made(out["synthetic"]), set_aside=set_aside)


_Standing = tuple[float, bool, str, tuple[str, ...], tuple[str, ...]]
"""What stands for a key: value, provisional, tier, sources, parts (see :class:`Figure`)."""


def _stand(
    rows: Iterable[Row],
    key_of: Callable[[Row], tuple[Any, ...]],
    sources: Mapping[str, Row],
    code_changes: Iterable[Row],
    last_year_of: Mapping[str, int | None],
) -> tuple[dict[str, dict[tuple[Any, ...], _Standing]], tuple[SetAside, ...]]:
    """The one figure per key (area, measure, year[, month]) by :data:`PRECEDENCE`, real and
    synthetic apart, merged municipalities folded into their successor (see
    :func:`standing_figures`); shared by yearly and monthly figures."""

    def aside(key: tuple[Any, ...], value: float, source_id: str | None, reason: str) -> SetAside:
        return SetAside(
            key[0], key[1], key[2], value, source_id, reason, key[3] if len(key) > 3 else None
        )

    candidates: dict[tuple[str, tuple[Any, ...]], list[Row]] = {}
    for r in rows:
        source = sources.get(r["source_id"] or "")
        dataset = "synthetic" if tier_of(source, r["provisional"]) == "synthetic" else "real"
        candidates.setdefault((dataset, key_of(r)), []).append(r)
    set_aside: list[SetAside] = []
    winners: dict[tuple[str, tuple[Any, ...]], tuple[Row, str]] = {}
    for (dataset, key), found in candidates.items():
        ranked = (
            found
            if len(found) == 1
            else sorted(  # most figures have no competitor
                found,
                key=lambda r: (
                    PRECEDENCE.index(tier_of(sources.get(r["source_id"] or ""), r["provisional"])),
                    -_recency(sources.get(r["source_id"] or "")),
                    str(r["source_id"]),
                ),
            )
        )
        best = ranked[0]
        tier = tier_of(sources.get(best["source_id"] or ""), best["provisional"])
        winners[(dataset, key)] = (best, tier)
        for other in ranked[1:]:
            set_aside.append(
                aside(
                    key,
                    float(other["value"]),
                    other["source_id"],
                    set_aside_reason(
                        "other_source", source=best["source_id"], tier=TIER_TEXT[tier]
                    ),
                )
            )
    merged_into = successors(code_changes)
    out: dict[str, dict[tuple[Any, ...], _Standing]] = {"real": {}, "synthetic": {}}
    folded: list[tuple[str, tuple[Any, ...], Row, str]] = []
    for (dataset, key), (row, tier) in sorted(winners.items(), key=lambda kv: kv[0]):
        if key[0] in merged_into:
            folded.append((dataset, key, row, tier))
            continue
        out[dataset][key] = (
            float(row["value"]), bool(row["provisional"]), tier, (str(row["source_id"]),), ()
        )  # fmt: skip
    for dataset, key, row, tier in folded:
        area, year = key[0], key[2]
        new = merged_into[area]
        last = last_year_of.get(area)
        if last is not None and year > last:
            set_aside.append(
                aside(
                    key, float(row["value"]), row["source_id"],
                    set_aside_reason("merged", area=area, new=new, year=last + 1),
                )
            )  # fmt: skip
            continue
        target = (new, *key[1:])
        current = out[dataset].get(target)
        if current is not None and current[2] != tier:
            set_aside.append(
                aside(
                    key, float(row["value"]), row["source_id"],
                    set_aside_reason("other_tier", new=new, tier=current[2]),
                )
            )  # fmt: skip
            continue
        out[dataset][target] = (
            float(row["value"]) + (current[0] if current else 0.0),
            bool(row["provisional"]) or bool(current and current[1]),
            tier,
            tuple(sorted({str(row["source_id"]), *(current[3] if current else ())})),
            tuple(sorted({area, *(current[4] if current else (new,))})),
        )
    return out, tuple(
        sorted(
            set_aside,
            key=lambda s: (s.area_id, s.measure, s.year, s.month or 0, str(s.source_id)),
        )
    )


MonthKey = tuple[str, str, int, int]
"""(area id, measure, year, month) of a monthly realised figure."""
REFERENCE_DATE = re.compile(r"reference date (\d{4}-\d{2}-\d{2})")
"""How a BAG import's source note states the extract's date (``ingest.bag_ingest``)."""


@dataclass(frozen=True)
class MonthFigure(Figure):
    """The realised figure that stands for an area, measure and calendar month (BAG, the
    year so far): a :class:`Figure` of one month of its year."""

    month: int = field(kw_only=True)


@dataclass(frozen=True)
class MonthFigures:
    """The standing monthly figures, real and synthetic apart, what was set aside, and per
    source the day up to which its months are complete (``complete_to``)."""

    real: Mapping[MonthKey, MonthFigure]
    synthetic: Mapping[MonthKey, MonthFigure]
    set_aside: tuple[SetAside, ...]
    complete_to: Mapping[str, dt.date]

    def of(self, dataset: str) -> Mapping[MonthKey, MonthFigure]:
        """The figures of one dataset: ``real`` or ``synthetic``."""
        return self.real if dataset == "real" else self.synthetic


@functools.lru_cache(maxsize=512)
def month_end(year: int, month: int) -> dt.date:
    """The last day of a calendar month."""
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def reference_date(source: Row) -> dt.date | None:
    """The date of the extract a source's figures were counted from, when its note states it
    (a BAG import's does: "reference date 2026-10-08"); None otherwise."""
    found = REFERENCE_DATE.search(str(source.get("note") or ""))
    if found is None:
        return None
    try:
        return dt.date.fromisoformat(found.group(1))
    except ValueError:
        return None


def standing_month_figures(
    months: Iterable[Row],
    sources: Mapping[str, Row],
    code_changes: Iterable[Row],
    last_year_of: Mapping[str, int | None],
    on: dt.date,
) -> MonthFigures:
    """The one figure per area, measure and month on the date ``on``, by the same rules as the
    yearly figures (:func:`standing_figures`: :data:`PRECEDENCE`, never a sum across sources,
    real and synthetic apart, merged municipalities mapped to their successor).

    A month counts once it has ended on or before ``on`` and, for a source whose note states
    its extract's date, on or before that date too (an extract of 8 October counts October
    only partly: that month is set aside). A figure whose source is not known is set aside."""
    counted: list[Row] = []
    set_aside: list[SetAside] = []
    ends: dict[str, dt.date] = {}
    references: dict[str, dt.date | None] = {}
    for r in months:
        source_id = str(r["source_id"] or "")
        source = sources.get(source_id)
        key = (r["area_id"], r["measure"], r["year"])
        if source is None:
            set_aside.append(
                SetAside(
                    *key,
                    float(r["value"]),
                    r["source_id"],
                    set_aside_reason("unknown_source"),
                    r["month"],
                )
            )
            continue
        end = month_end(r["year"], r["month"])
        if end > on:
            continue  # not ended on the state's date: not yet a figure
        if source_id not in references:
            references[source_id] = reference_date(source)
        reference = references[source_id]
        if reference is not None and end > reference:
            set_aside.append(
                SetAside(
                    *key, float(r["value"]), source_id,
                    set_aside_reason("part_month", reference=reference.isoformat()),
                    r["month"],
                )
            )  # fmt: skip
            continue
        counted.append(r)
        ends[source_id] = max(end, ends.get(source_id, end))
    complete_to = {}  # a dated extract is complete to its date; else to its last month's end
    for source_id, end in ends.items():
        reference = references[source_id]
        complete_to[source_id] = end if reference is None else min(on, reference)
    out, aside = _stand(
        counted,
        lambda r: (r["area_id"], r["measure"], r["year"], r["month"]),
        sources,
        code_changes,
        last_year_of,
    )

    def made(found: Mapping[tuple[Any, ...], _Standing]) -> dict[MonthKey, MonthFigure]:
        return {
            (area, measure, year, month): MonthFigure(area, measure, year, *standing, month=month)
            for (area, measure, year, month), standing in found.items()
        }

    return MonthFigures(
        real=made(out["real"]),
        synthetic=made(out["synthetic"]),
        set_aside=tuple(
            sorted(
                (*aside, *set_aside),
                key=lambda s: (s.area_id, s.measure, s.year, s.month or 0, str(s.source_id)),
            )
        ),
        complete_to=complete_to,
    )


def plans_as_of(
    current: Sequence[Row], history: Sequence[Row], date: dt.date | None
) -> dict[str, dict[str, Any]]:
    """The plans as they were known on ``date`` (None: now), by id: a plan's current version
    if it is not dropped and was captured by then, else its version valid on the date from the
    history (a dropped plan's last version is in the history until the day it was dropped)."""
    state: dict[str, dict[str, Any]] = {}
    for plan in current:
        if plan["dropped_on"] is None and (
            date is None or plan["valid_from"] is None or plan["valid_from"] <= date
        ):
            state[plan["id"]] = _plan_record(plan["id"], plan)
    if date is not None:
        for version in history:
            valid_from = version["valid_from"]
            if (valid_from is None or valid_from <= date) and date < version["valid_to"]:
                state[version["plan_id"]] = _plan_record(version["plan_id"], version)
    return state


def _plan_record(plan_id: str, row: Row) -> dict[str, Any]:
    record = {"id": plan_id, **{k: row[k] for k in PLAN_FIELDS}}
    record["source_id"] = row.get("source_id")
    record["valid_from"] = row.get("valid_from")
    return record


@dataclass
class ProgrammeState:
    """The programme as of a date (see the module docstring). Rows are plain dicts as the
    tables hold them; the indexes below are derived once."""

    as_of: dt.date | None
    areas: list[dict[str, Any]]
    members: list[dict[str, Any]]
    code_changes: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    realisations: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    plan_areas: list[dict[str, Any]]
    plan_preconditions: list[dict[str, Any]]
    meetings: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)
    awards: list[dict[str, Any]] = field(default_factory=list)
    boundary_ids: frozenset[str] = frozenset()
    capacity_totals: list[dict[str, Any]] = field(default_factory=list)
    months: list[dict[str, Any]] = field(default_factory=list)
    area_by_id: dict[str, dict[str, Any]] = field(init=False)
    source_by_id: dict[str, dict[str, Any]] = field(init=False)
    plan_by_id: dict[str, dict[str, Any]] = field(init=False)
    children: dict[str, list[str]] = field(init=False)
    parents: dict[str, list[str]] = field(init=False)
    kinds: dict[str, str] = field(init=False)
    complete: dict[str, bool] = field(init=False)
    figures: Figures = field(init=False)
    synthetic_sources: tuple[str, ...] = field(init=False)
    _inside: dict[str, frozenset[str]] = field(init=False, default_factory=dict)
    _municipalities: dict[str, frozenset[str]] = field(init=False, default_factory=dict)
    _plans_in: dict[str, tuple[dict[str, Any], ...]] = field(init=False, default_factory=dict)
    _memo: dict[Any, Any] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        today = self.as_of or dt.date.today()
        self.members = [m for m in self.members if area_graph.valid_on(m, today)]
        self.area_by_id = {a["id"]: a for a in self.areas}
        self.source_by_id = {s["id"]: s for s in self.sources}
        self.plans = sorted(self.plans, key=lambda p: p["id"])
        self.capacity_totals = [  # captured by the state's date (no date: always known)
            t for t in self.capacity_totals
            if self.as_of is None or t.get("captured_on") is None or t["captured_on"] <= self.as_of
        ]  # fmt: skip
        self.plan_by_id = {p["id"]: p for p in self.plans}
        self.plan_areas = [link for link in self.plan_areas if link["plan_id"] in self.plan_by_id]
        self.plan_preconditions = [
            link for link in self.plan_preconditions if link["plan_id"] in self.plan_by_id
        ]
        self.children = area_graph.children_of(self.members)
        parents: dict[str, list[str]] = {}
        for m in self.members:
            parents.setdefault(m["child_id"], []).append(m["parent_id"])
        self.parents = {k: sorted(v) for k, v in parents.items()}
        self.kinds = {a["id"]: a["kind"] for a in self.areas}
        flags = {a["id"]: bool(a["members_complete"]) for a in self.areas}
        self.complete = {
            a["id"]: area_graph.is_complete(a["id"], self.children, self.kinds, flags)
            for a in self.areas
        }
        self.figures = standing_figures(
            self.realisations,
            self.source_by_id,
            self.code_changes,
            {a["id"]: a["valid_to"] for a in self.areas if a["kind"] == "municipality"},
        )
        self.synthetic_sources = tuple(
            sorted(s["id"] for s in self.sources if s["confidence"] == "synthetic")
        )

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """The result for ``key``, computed once per state (a server keeps one state and
        answers many requests from it); bounded by ``MEMO_LIMIT``."""
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        value = compute()
        with self._lock:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = value
        return value

    @property
    def month_figures(self) -> MonthFigures:
        """The standing monthly figures on the state's date (:func:`standing_month_figures`),
        derived on first use: only the year so far reads them."""
        return self.memo(
            ("month_figures",),
            lambda: standing_month_figures(
                self.months,
                self.source_by_id,
                self.code_changes,
                {a["id"]: a["valid_to"] for a in self.areas if a["kind"] == "municipality"},
                self.as_of or dt.date.today(),
            ),
        )

    def inside(self, area_id: str) -> frozenset[str]:
        """The area and every area inside it (on the state's date)."""
        if area_id not in self._inside:
            self._inside[area_id] = frozenset(
                {area_id} | area_graph.descendants(area_id, self.children)
            )
        return self._inside[area_id]

    def municipalities(self, area_id: str) -> frozenset[str]:
        """The current municipalities inside an area (itself, if it is one), each once; a
        municipality that has merged away is represented by its successor."""
        if area_id not in self._municipalities:
            merged = successors(self.code_changes)
            found = {
                merged.get(a, a)
                for a in self.inside(area_id)
                if self.kinds.get(a) == "municipality"
            }
            self._municipalities[area_id] = frozenset(found)
        return self._municipalities[area_id]

    def plans_in(self, area_id: str) -> tuple[dict[str, Any], ...]:
        """The current plans in an area: in its municipalities, or linked to it or to an
        area inside it; each plan once."""
        if area_id not in self._plans_in:
            if self.kinds.get(area_id) == "nation":
                self._plans_in[area_id] = tuple(self.plans)
            else:
                gemeenten = self.municipalities(area_id)
                inside = self.inside(area_id)
                linked = {link["plan_id"] for link in self.plan_areas if link["area_id"] in inside}
                self._plans_in[area_id] = tuple(
                    p for p in self.plans if p["gemeente_id"] in gemeenten or p["id"] in linked
                )
        return self._plans_in[area_id]

    def is_synthetic(self, source_id: str | None) -> bool:
        """Whether a source is synthetic (demo) data."""
        source = self.source_by_id.get(source_id or "")
        return bool(source and source["confidence"] == "synthetic")

    def area_name(self, area_id: str) -> str:
        """An area's name (its id when unknown)."""
        area = self.area_by_id.get(area_id)
        return str(area["name"]) if area else area_id
