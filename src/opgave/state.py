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
- real and synthetic figures in two separate sets, so that no number mixes them, and the
  synthetic sources present.
Derives: nothing else. Monitoring, the forecast, the report and every door compute from this
object, so a figure means the same wherever it is shown (docs/figures.md).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from opgave import areas as area_graph
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
    candidates: dict[tuple[str, Key], list[Row]] = {}
    for r in realisations:
        if r["first_year"] != r["last_year"]:
            continue
        source = sources.get(r["source_id"] or "")
        dataset = "synthetic" if tier_of(source, r["provisional"]) == "synthetic" else "real"
        key = (r["area_id"], r["measure"], r["first_year"])
        candidates.setdefault((dataset, key), []).append(r)
    set_aside: list[SetAside] = []
    winners: dict[tuple[str, Key], tuple[Row, str]] = {}
    for (dataset, key), rows in candidates.items():
        ranked = (
            rows
            if len(rows) == 1
            else sorted(  # most figures have no competitor
                rows,
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
                SetAside(
                    *key,
                    value=float(other["value"]),
                    source_id=other["source_id"],
                    reason=f"another source stands: {best['source_id']} ({TIER_TEXT[tier]})",
                )
            )
    merged_into = successors(code_changes)
    out: dict[str, dict[Key, Figure]] = {"real": {}, "synthetic": {}}
    folded: list[tuple[str, Key, Row, str]] = []
    for (dataset, key), (row, tier) in sorted(winners.items(), key=lambda kv: kv[0]):
        area, measure, year = key
        if area in merged_into:
            folded.append((dataset, key, row, tier))
            continue
        out[dataset][key] = Figure(
            area, measure, year, float(row["value"]), bool(row["provisional"]), tier,
            (str(row["source_id"]),),
        )  # fmt: skip
    for dataset, (area, measure, year), row, tier in folded:
        new = merged_into[area]
        last = last_year_of.get(area)
        if last is not None and year > last:
            set_aside.append(
                SetAside(
                    area, measure, year, float(row["value"]), row["source_id"],
                    f"{area} merged into {new}; from {last + 1} its figures are {new}'s",
                )
            )  # fmt: skip
            continue
        target = (new, measure, year)
        current = out[dataset].get(target)
        if current is not None and current.tier != tier:
            set_aside.append(
                SetAside(
                    area, measure, year, float(row["value"]), row["source_id"],
                    f"part of {new}, whose figure comes from another tier ({current.tier})",
                )
            )  # fmt: skip
            continue
        value = float(row["value"]) + (current.value if current else 0.0)
        out[dataset][target] = Figure(
            new,
            measure,
            year,
            value,
            bool(row["provisional"]) or bool(current and current.provisional),
            tier,
            tuple(sorted({str(row["source_id"]), *(current.sources if current else ())})),
            tuple(sorted({area, *(current.parts if current else (new,))})),
        )
    return Figures(
        real=out["real"],
        synthetic=out["synthetic"],
        set_aside=tuple(
            sorted(set_aside, key=lambda s: (s.area_id, s.measure, s.year, str(s.source_id)))
        ),
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
