"""Which municipality a plan belongs to: from a code, a name, or its geometry.

Inputs: the CBS divisions of 2022 and 2025 and their changes (``programme/gemeenten.csv``,
``programme/gemeente_changes.csv``), the municipalities merged or split since 2015
(``data/gemeente_history.csv``), and for geometries the shipped boundaries
(:mod:`opgave.boundaries`).
Outputs: a :class:`Resolution` per value - the current municipality (the 2025 division),
how it was found, and the problem when there is none: an unknown code or name, an
ambiguous name ("Bergen": Noord-Holland or Limburg), a municipality that was split
(Haaren, 2021) and so needs a geometry; for geometries a :class:`Located` with the share
of the plan in each municipality it overlaps.
Derives: current codes by following mergers and splits forward; names matched without
regard to case, diacritics, hyphens or the CBS suffixes "(NH.)", "(L.)", "(O.)" ... .
Pure: no database; the caller checks the result against the areas it knows.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from opgave.ingest.values import fold

CODE = re.compile(r"\s*(?:GM)?\s*(\d{1,4})\s*", re.IGNORECASE)
ALIASES = {
    "den haag": "GM0518",
    "the hague": "GM0518",
    "den bosch": "GM0796",
    "de friese meren": "GM1921",
    "littenseradeel": "GM0140",
    "ferwerderadeel": "GM1722",
    "nuenen": "GM0820",
    "nuenen c a": "GM0820",
}
"""Common names that are not CBS names (folded) -> the CBS code they mean."""
CROSSING_SHARE = 0.05
"""A plan is reported as lying across municipalities when another municipality holds at
least this share (5%) of its area; smaller overlaps are the generalised boundaries' noise."""
NEAREST_WITHIN_M = 2_000.0
"""A geometry outside every (generalised) boundary is assigned to the nearest municipality
within this distance (the coast line of the generalised layer is coarse), and reported."""


@dataclass(frozen=True)
class Entity:
    """A municipality as CBS listed it in some year: code, name, province."""

    code: str
    name: str
    province: str


@dataclass(frozen=True)
class Change:
    """A change of the division: ``old`` went (wholly or partly) to ``new`` in ``year``."""

    year: int | None
    old: str
    new: str
    kind: str


@dataclass(frozen=True)
class Resolution:
    """The current municipality of a value, how it was found, or why there is none."""

    code: str | None
    how: str
    problem: str | None = None
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Located:
    """The municipality a geometry lies in (current code), its share, and the others."""

    code: str | None
    share: float
    division: int
    shares: tuple[tuple[str, float], ...] = ()
    note: str | None = None


@dataclass
class Gazetteer:
    """Every municipality since 2015 with its successors; resolves codes and names."""

    current_year: int
    entities: dict[str, Entity]
    current: frozenset[str]
    changes: list[Change]
    _names: dict[str, set[str]] = field(default_factory=dict)
    _successors: dict[str, list[Change]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names: dict[str, set[str]] = defaultdict(set)
        for entity in self.entities.values():
            for key in name_keys(entity.name):
                names[key].add(entity.code)
        for alias, code in ALIASES.items():
            names[alias].add(code)
        self._names = dict(names)
        successors: dict[str, list[Change]] = defaultdict(list)
        for change in self.changes:
            if change.old != change.new:
                successors[change.old].append(change)
        self._successors = dict(successors)

    def name(self, code: str) -> str:
        """The name of a code (the latest CBS name), or the code itself."""
        entity = self.entities.get(code)
        return entity.name if entity else code

    def successors(self, code: str) -> tuple[str, ...]:
        """The current municipalities a code's territory is in now (itself if current)."""
        if code in self.current:
            return (code,)
        found: list[str] = []
        for change in self._successors.get(code, []):
            for successor in self.successors(change.new):
                if successor not in found:
                    found.append(successor)
        return tuple(found)

    def _history(self, code: str) -> str:
        steps = self._successors.get(code, [])
        if not steps:
            return ""
        kind, year = steps[0].kind, steps[0].year
        news = ", ".join(f"{self.name(s.new)} ({s.new})" for s in steps)
        verb = "split over" if kind == "split" else "merged into"
        return f"{verb} {news}" + (f" in {year}" if year else "")

    def _from_code(self, code: str, how: str) -> Resolution:
        successors = self.successors(code)
        if not successors:
            return Resolution(None, how, f"unknown municipality {code} (not a CBS code since 2015)")
        if len(successors) > 1:
            return Resolution(
                None,
                how,
                f"{self.name(code)} ({code}) was {self._history(code)}; give the plan a "
                "geometry or its current municipality",
                successors,
            )
        if successors[0] != code:
            how = f"{how}; former municipality {self.name(code)} ({code}), {self._history(code)}"
        return Resolution(successors[0], how)

    def by_code(self, raw: str) -> Resolution:
        """A CBS code (GM0363, 0363, 363) -> its current municipality."""
        match = CODE.fullmatch(raw)
        if not match:
            return Resolution(
                None, "code", f"expected a municipality code like GM0363, got {raw!r}"
            )
        code = f"GM{int(match.group(1)):04d}"
        return self._from_code(code, f"code {code}")

    def by_name(self, raw: str, province: str | None = None) -> Resolution:
        """A name (any CBS name since 2015, any case, with or without diacritics and the
        suffixes "(NH.)", "(L.)" ...) -> its current municipality; ``province`` (PV27)
        settles an ambiguous name."""
        codes: set[str] = set()
        for key in name_keys(raw)[:1]:
            codes = set(self._names.get(key, set()))
        if not codes:
            base = name_keys(raw)[-1]
            codes = set(self._names.get(base, set()))
        if not codes:
            return Resolution(
                None, "name", f"unknown municipality {raw!r} (no CBS name since 2015)"
            )
        if len(codes) > 1 and province:
            codes = {
                c for c in codes if c in self.entities and self.entities[c].province == province
            }
        if len(codes) > 1:
            listed = ", ".join(f"{self.name(c)} ({c})" for c in sorted(codes))
            return Resolution(
                None,
                "name",
                f"the name {raw!r} is ambiguous: {listed}; write the name as CBS does "
                "(e.g. 'Bergen (NH.)') or give a code or a geometry",
                tuple(sorted(codes)),
            )
        if not codes:
            return Resolution(None, "name", f"no municipality {raw!r} in province {province}")
        code = codes.pop()
        return self._from_code(code, f"name {raw!r} = {code}")

    def resolve(self, raw: str, province: str | None = None) -> Resolution:
        """A code or a name, whichever the text is."""
        if CODE.fullmatch(raw):
            return self.by_code(raw)
        return self.by_name(raw, province)


def name_keys(name: str) -> list[str]:
    """Match keys of a name: the whole name with its suffix letters ("bergen nh") and,
    last, the name without the parenthesised suffix ("bergen")."""
    suffix = re.search(r"\(([^)]*)\)\s*$", name)
    base = fold(name[: suffix.start()] if suffix else name)
    if suffix:
        letters = re.sub(r"[^a-z]", "", fold(suffix.group(1)))
        return [f"{base} {letters}".strip(), base]
    return [base, base]


def _package_csv(*parts: str) -> list[dict[str, str]]:
    path = resources.files("opgave")
    for part in parts:
        path = path / part
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


@cache
def shipped() -> Gazetteer:
    """The gazetteer of the shipped CBS data (divisions 2022 and 2025, changes since 2015)."""
    entities: dict[str, Entity] = {}
    latest = 0
    by_year: dict[int, set[str]] = defaultdict(set)
    for row in _package_csv("data", "gemeente_history.csv"):
        entities[row["old_code"]] = Entity(row["old_code"], row["old_naam"], row["old_provincie"])
    for row in sorted(_package_csv("programme", "gemeenten.csv"), key=lambda r: r["year"]):
        year = int(row["year"])
        latest = max(latest, year)
        by_year[year].add(row["gemeente_code"])
        entities[row["gemeente_code"]] = Entity(
            row["gemeente_code"], row["gemeente_naam"], row["provincie_code"]
        )
    changes = [
        Change(int(r["year"]), r["old_code"], r["new_code"], r["kind"])
        for r in _package_csv("data", "gemeente_history.csv")
    ] + [
        Change(int(r["year"]) if r["year"] else None, r["old_code"], r["new_code"], r["kind"])
        for r in _package_csv("programme", "gemeente_changes.csv")
    ]
    gazetteer = Gazetteer(latest, entities, frozenset(by_year[latest]), changes)
    for row in _package_csv("programme", "gemeente_changes.csv"):
        if row["kind"] == "renamed":  # the old name stays findable
            for key in name_keys(row["old_naam"]):
                gazetteer._names.setdefault(key, set()).add(row["old_code"])
    return gazetteer


# --- by geometry --------------------------------------------------------------------------


@cache
def _tree(year: int) -> Any:
    from opgave import boundaries

    return boundaries.rd_new("gemeente", year).index()


def locate(
    geometry: np.ndarray[Any, np.dtype[np.object_]],
    dates: Sequence[dt.date | None],
    gazetteer: Gazetteer | None = None,
) -> list[Located | None]:
    """The municipality each geometry (RD New) lies in, in the division valid on its date:
    the one holding the largest part of a polygon (or of a line; the one containing a
    point), mapped to the current division; None for a missing geometry.

    Plans wholly inside one municipality are found by one vectorised test of the prepared
    boundaries ("contains") on the bounding-box candidates; only the others are
    intersected. A geometry outside every boundary goes to the nearest municipality
    within :data:`NEAREST_WITHIN_M` (reported in ``note``)."""
    import shapely

    from opgave import boundaries

    gazetteer = gazetteer or shipped()
    result: list[Located | None] = [None] * len(geometry)
    present = ~shapely.is_missing(geometry) & ~shapely.is_empty(geometry)
    year_of = {d: boundaries.division_year(d) for d in set(dates)}  # few distinct dates
    years = np.array([year_of[d] for d in dates], dtype=int)
    for year in np.unique(years):
        wanted = np.flatnonzero(present & (years == year))
        if len(wanted) == 0:
            continue
        division = boundaries.rd_new("gemeente", int(year))
        tree = _tree(int(year))
        shapely.prepare(division.geometry)  # idempotent; the boundaries are cached
        geoms = geometry[wanted]
        # candidates by bounding box, then one vectorised prepared test per pair:
        # "a within b" is "b contains a", and a plan inside one polygon needs no intersection
        pairs = tree.query(geoms)
        holds = shapely.contains(division.geometry[pairs[1]], geoms[pairs[0]])
        inside = np.full(len(wanted), -1, dtype=np.int64)
        inside[pairs[0][holds]] = pairs[1][holds]  # the last one, as the tree's order goes
        held = np.flatnonzero(inside >= 0)
        holders, which = np.unique(inside[held], return_inverse=True)
        hits = np.fromiter(  # one Located per municipality, shared by the plans inside it
            (_located(gazetteer, [(division.codes[j], 1.0)], int(year)) for j in holders.tolist()),
            dtype=object,
            count=len(holders),
        )
        for k, hit in zip(wanted[held].tolist(), hits[which].tolist(), strict=True):
            result[k] = hit
        rest = np.flatnonzero(inside < 0).tolist()
        if not rest:
            continue
        rest_geoms = geoms[rest]
        position = np.full(len(wanted), -1, dtype=np.int64)
        position[rest] = np.arange(len(rest))
        crossing = position[pairs[0]] >= 0
        pairs = np.vstack([position[pairs[0][crossing]], pairs[1][crossing]])
        meets = shapely.intersects(division.geometry[pairs[1]], rest_geoms[pairs[0]])
        pairs = pairs[:, meets]
        dims = shapely.get_dimensions(rest_geoms)
        parts = shapely.intersection(rest_geoms[pairs[0]], division.geometry[pairs[1]])
        weight = np.where(
            dims[pairs[0]] == 2,
            shapely.area(parts),
            np.where(dims[pairs[0]] == 1, shapely.length(parts), 1.0),
        )
        overlaps: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for i, j, w in zip(pairs[0].tolist(), pairs[1].tolist(), weight.tolist(), strict=True):
            if w > 0:
                overlaps[i].append((division.codes[j], w))
        for k, i in enumerate(rest):
            found = overlaps.get(k)
            if found:
                total = sum(w for _, w in found)
                shares = sorted(((c, w / total) for c, w in found), key=lambda cw: -cw[1])
                result[wanted[i]] = _located(gazetteer, shares, int(year))
                continue
            index, distance = tree.query_nearest(
                rest_geoms[k], max_distance=NEAREST_WITHIN_M, return_distance=True
            )
            if len(index):
                code = division.codes[int(index[0])]
                located = _located(gazetteer, [(code, 1.0)], int(year))
                result[wanted[i]] = Located(
                    located.code,
                    1.0,
                    int(year),
                    located.shares,
                    f"outside every boundary; nearest municipality {code} at "
                    f"{float(distance[0]):.0f} m",
                )
    return result


def _located(gazetteer: Gazetteer, shares: list[tuple[str, float]], year: int) -> Located:
    """Map division codes to current ones (summing shares that merge) and describe."""
    current: dict[str, float] = defaultdict(float)
    for code, share in shares:
        successors = gazetteer.successors(code) or (code,)
        current[successors[0]] += share
    ordered = sorted(current.items(), key=lambda cs: -cs[1])
    code, share = ordered[0]
    note = None
    others = [(c, s) for c, s in ordered[1:] if s >= CROSSING_SHARE]
    if others:
        note = "lies across municipalities; assigned by largest overlap: " + ", ".join(
            f"{c} {s:.0%}" for c, s in ordered if s >= CROSSING_SHARE
        )
    return Located(code, share, year, tuple(ordered), note)


def overlapping_areas(
    geometry: np.ndarray[Any, np.dtype[np.object_]], areas: Mapping[str, Any]
) -> list[tuple[str, ...]]:
    """For each geometry (RD New) the ids of the areas (id -> polygon in RD New) it
    overlaps: a polygon sharing area with it, a point inside it."""
    import shapely

    found: list[list[str]] = [[] for _ in range(len(geometry))]
    if not areas or len(geometry) == 0:
        return [() for _ in range(len(geometry))]
    ids = list(areas)
    polygons = np.array([areas[i] for i in ids], dtype=object)
    tree = shapely.STRtree(polygons)
    pairs = tree.query(geometry, predicate="intersects")
    if pairs.shape[1]:
        a, b = geometry[pairs[0]], polygons[pairs[1]]
        dims = shapely.get_dimensions(a)
        overlap = np.where(dims == 2, shapely.area(shapely.intersection(a, b)) > 0, True)
        for i, j, keep in zip(pairs[0], pairs[1], overlap, strict=True):
            if keep and ids[int(j)] not in found[int(i)]:
                found[int(i)].append(ids[int(j)])
    return [tuple(sorted(f)) for f in found]


def geometry_from_geojson(texts: Iterable[str]) -> np.ndarray[Any, np.dtype[np.object_]]:
    """GeoJSON geometry texts (WGS84, as ``area_boundary`` keeps them) in RD New."""
    import shapely
    from pyproj import Transformer

    geoms = shapely.from_geojson(list(texts), on_invalid="ignore")
    transformer = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)

    def project(xy: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, Any]:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    projected = shapely.transform(geoms, project)
    invalid = ~shapely.is_valid(projected) & ~shapely.is_missing(projected)
    if invalid.any():
        projected[invalid] = shapely.make_valid(projected[invalid])
    return np.asarray(projected, dtype=object)
