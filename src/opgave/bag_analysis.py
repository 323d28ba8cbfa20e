"""BAG-derived figures analysed: counts inside polygons, and BAG reconciled with CBS.

Pure functions over plain data (numpy arrays, shapely geometries, dicts as the model's
`to_dict` gives them); the caller reads files and the database.

- `count_in_polygons`: events of dwellings (points in RD New) per polygon, year and month -
  for large-scale housing areas, plan polygons or any other area with an outline. A dwelling
  inside two overlapping polygons counts in both (figures are never summed across areas).
- `reconcile`: per municipality and year, BAG-derived completions split into new-build and
  other additions (measures `homes_completed_new_build`, `homes_completed_other`) against
  CBS's `homes_new_build` and `homes_other_added`, with the difference and the reasons that
  explain it, in the order they are checked (see docs/bag.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "BAG_MEASURES",
    "CBS_MEASURES",
    "EventCount",
    "Reconciliation",
    "count_in_polygons",
    "reconcile",
]

Row = Mapping[str, Any]

BAG_MEASURES = {"new_build": "homes_completed_new_build", "other": "homes_completed_other"}
"""BAG-derived completions by the nieuwbouw rule."""
CBS_MEASURES = {"new_build": "homes_new_build", "other": "homes_other_added"}
"""CBS StatLine: nieuwbouw and overige toevoeging."""
CBS_BAG_START = 2012
"""CBS derives its housing-stock figures from the LV BAG from 1 January 2012."""


@dataclass(frozen=True)
class EventCount:
    """Dwellings with `event` in `year` and `month` inside the polygon `area_id`."""

    area_id: str
    event: str
    year: int
    month: int
    value: int


def count_in_polygons(
    x: np.ndarray,
    y: np.ndarray,
    events: Mapping[str, tuple[np.ndarray, np.ndarray]],
    polygons: Sequence[tuple[str, BaseGeometry]],
) -> list[EventCount]:
    """Per polygon, event, year and month: how many of the points have that event then.

    `x`, `y`: the dwellings' points (same CRS as the polygons, RD New in opgave); `events`:
    per event name, the year and month of each dwelling's event (-1 where it has none);
    `polygons`: (id, geometry). A point on a polygon's edge counts as inside. Polygons with
    the same id are one area (their union). Sorted by area, event, year, month.
    """
    n = len(x)
    if len(y) != n or any(len(yr) != n or len(mo) != n for yr, mo in events.values()):
        raise ValueError("x, y and every event's year and month must have the same length")
    if n == 0 or not polygons:
        return []
    ids = [area for area, _ in polygons]
    tree = shapely.STRtree([geom for _, geom in polygons])
    points = shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    point_idx, poly_idx = tree.query(points, predicate="intersects")
    # Polygons sharing an id are one area: count a point once per area.
    area_names = sorted(set(ids))
    area_of = np.array([area_names.index(a) for a in ids], dtype=np.int64)
    pairs = np.unique(np.stack([point_idx, area_of[poly_idx]]), axis=1)
    point_idx, area_idx = pairs[0], pairs[1]
    out: list[EventCount] = []
    for event in sorted(events):
        years, months = events[event]
        yr = np.asarray(years, dtype=np.int64)[point_idx]
        mo = np.asarray(months, dtype=np.int64)[point_idx]
        keep = yr >= 0
        if not keep.any():
            continue
        keys = np.stack([area_idx[keep], yr[keep], mo[keep]])
        unique, counts = np.unique(keys, axis=1, return_counts=True)
        for (a, yy, mm), c in zip(unique.T, counts, strict=True):
            out.append(EventCount(area_names[int(a)], event, int(yy), int(mm), int(c)))
    out.sort(key=lambda e: (e.area_id, e.event, e.year, e.month))
    return out


# ---------------------------------------------------------------------------------------------
# Reconciliation.


@dataclass(frozen=True)
class Reconciliation:
    """BAG against CBS for one municipality (or the nation) and year, and why they differ."""

    area_id: str
    year: int
    bag_new_build: float | None
    cbs_new_build: float | None
    difference_new_build: float | None
    bag_other_added: float | None
    cbs_other_added: float | None
    difference_other_added: float | None
    difference_total: float | None
    cbs_provisional: bool
    verdict: str
    explanation: tuple[str, ...] = field(default_factory=tuple)


def _tolerance(cbs: float | None, share: float, homes: float) -> float:
    return max(homes, share * abs(cbs or 0.0))


def _figures(
    rows: Sequence[Row], measures: Mapping[str, str]
) -> dict[tuple[str, int], dict[str, Any]]:
    """Per (area, year): value per kind, and whether any figure is provisional."""
    wanted = {m: k for k, m in measures.items()}
    out: dict[tuple[str, int], dict[str, Any]] = defaultdict(
        lambda: {"provisional": False, "sources": set()}
    )
    chosen: dict[tuple[str, int, str], Row] = {}
    for r in rows:
        kind = wanted.get(r["measure"])
        if kind is None or r["first_year"] != r["last_year"]:
            continue
        key = (r["area_id"], int(r["first_year"]), kind)
        best = chosen.get(key)
        # Several figures for one key (two tables or two extracts): a final figure beats a
        # provisional one, then the later source id.
        rank = (not r.get("provisional", False), str(r.get("source_id") or ""))
        if best is None or rank > (
            not best.get("provisional", False),
            str(best.get("source_id") or ""),
        ):
            chosen[key] = r
    for (area, year, kind), r in chosen.items():
        entry = out[(area, year)]
        entry[kind] = float(r["value"])
        entry["provisional"] = entry["provisional"] or bool(r.get("provisional", False))
        entry["sources"].add(r.get("source_id"))
    return dict(out)


def reconcile(
    bag: Sequence[Row],
    cbs: Sequence[Row],
    *,
    year: int | None = None,
    areas: Sequence[str] | None = None,
    national_area: str | None = None,
    merged: Mapping[str, tuple[str, int | None]] | None = None,
    extract_date: date | None = None,
    tolerance_share: float = 0.05,
    tolerance_homes: float = 5.0,
) -> list[Reconciliation]:
    """BAG-derived new-build and other additions against CBS's, per area and year.

    `bag`: realisation rows of one BAG source (measures in `BAG_MEASURES`); `cbs`: CBS
    realisation rows (`CBS_MEASURES`). Only years with a BAG figure or within the BAG
    figures' years are compared, optionally one `year` and some `areas`. `national_area`
    (e.g. "NL01"): also compare the sum of the BAG municipal figures with CBS's figure for
    that area (only meaningful for a national extract). `merged`: old code -> (new code,
    year) of municipal mergers, to explain differences around them. `extract_date`: the
    BAG extract's date, to explain late registrations. Differences within the tolerance
    (`tolerance_homes` or `tolerance_share` of CBS's figure, whichever is larger) agree.
    """
    b = _figures(bag, BAG_MEASURES)
    c = _figures(cbs, CBS_MEASURES)
    if national_area is not None:
        total: dict[tuple[str, int], dict[str, Any]] = {}
        for (area, yr), entry in b.items():
            if area == national_area:
                continue
            t = total.setdefault((national_area, yr), {"provisional": False, "sources": set()})
            for kind in ("new_build", "other"):
                if kind in entry:
                    t[kind] = t.get(kind, 0.0) + entry[kind]
        b.update(total)
    bag_years = {yr for _, yr in b}
    if not bag_years:
        return []
    first, last = min(bag_years), max(bag_years)
    keys = {k for k in b} | {k for k in c if first <= k[1] <= last and (k[0] in {a for a, _ in b})}
    if year is not None:
        keys = {k for k in keys if k[1] == year}
    if areas is not None:
        wanted = set(areas)
        keys = {k for k in keys if k[0] in wanted}
    merged = merged or {}
    into: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for old, (new, when) in merged.items():
        into[new].append((old, when))

    def diff(key: tuple[str, int], kind: str) -> float | None:
        bv, cv = b.get(key, {}).get(kind), c.get(key, {}).get(kind)
        return None if bv is None or cv is None else bv - cv

    out = []
    for key in sorted(keys):
        area, yr = key
        be, ce = b.get(key, {}), c.get(key, {})
        bn, cn = be.get("new_build"), ce.get("new_build")
        bo, co = be.get("other"), ce.get("other")
        dn, do = diff(key, "new_build"), diff(key, "other")
        dt = None if dn is None or do is None else dn + do
        provisional = bool(ce.get("provisional", False))
        reasons: list[str] = []
        tol_n = _tolerance(cn, tolerance_share, tolerance_homes)
        tol_o = _tolerance(co, tolerance_share, tolerance_homes)
        if not ce or (cn is None and co is None):
            verdict = "no CBS figure"
            reasons.append(
                f"no CBS figure for {area} in {yr}: CBS is not ingested for it "
                "(opgave ingest cbs), or the year is not published yet"
            )
        elif not be or (bn is None and bo is None):
            verdict = "no BAG figure"
            reasons.append(
                f"no BAG-derived figure for {area} in {yr}: the extract does not cover it "
                "(a municipality's extract), or no dwelling was completed there"
            )
        elif abs(dn or 0) <= tol_n and abs(do or 0) <= tol_o:
            verdict = "agrees"
            reasons.append(
                f"within tolerance (new-build {dn:+,.0f}, other {do:+,.0f}; "
                f"tolerance {tolerance_homes:.0f} homes or {tolerance_share:.0%})"
            )
        else:
            verdict = "differs"
            reasons += _explain(
                key, b, c, dn, do, dt, tol_n, tol_o, provisional, into, extract_date
            )
        out.append(
            Reconciliation(
                area_id=area,
                year=yr,
                bag_new_build=bn,
                cbs_new_build=cn,
                difference_new_build=dn,
                bag_other_added=bo,
                cbs_other_added=co,
                difference_other_added=do,
                difference_total=dt,
                cbs_provisional=provisional,
                verdict=verdict,
                explanation=tuple(reasons),
            )
        )
    return out


def _explain(
    key: tuple[str, int],
    b: Mapping[tuple[str, int], Mapping[str, Any]],
    c: Mapping[tuple[str, int], Mapping[str, Any]],
    dn: float | None,
    do: float | None,
    dt: float | None,
    tol_n: float,
    tol_o: float,
    provisional: bool,
    into: Mapping[str, list[tuple[str, int | None]]],
    extract_date: date | None,
) -> list[str]:
    """The reasons for a difference, in the order they are checked."""
    area, yr = key
    reasons: list[str] = []
    left = dt if dt is not None else (dn or 0.0) + (do or 0.0)

    def total_diff(k: tuple[str, int]) -> float | None:
        bb, cc = b.get(k, {}), c.get(k, {})
        if not bb or not cc:
            return None
        kinds = ("new_build", "other")
        return float(sum(bb.get(x, 0.0) for x in kinds) - sum(cc.get(x, 0.0) for x in kinds))

    tol = tol_n + tol_o
    if dt is not None and abs(dt) <= tol and (abs(dn or 0) > tol_n or abs(do or 0) > tol_o):
        reasons.append(
            f"same total ({dt:+,.0f}), split differently: {abs(dn or 0):,.0f} homes are "
            "new-build for one and other additions for the other (BAG: the whole pand new by "
            "its bouwjaar or first status; CBS: its own classification of the pand)"
        )
        left = 0.0
    if abs(left) > tol:
        for other in (yr - 1, yr + 1):
            d_other = total_diff((area, other))
            if d_other is not None and d_other * left < 0 and abs(left + d_other) <= tol:
                reasons.append(
                    f"timing: about {min(abs(left), abs(d_other)):,.0f} homes fall in {other} "
                    f"for one and in {yr} for the other (BAG dates a completion on the day it "
                    "came into use, CBS in the month the municipality registered it)"
                )
                left = 0.0
                break
    if provisional:
        reasons.append(
            "the CBS figure is provisional; CBS revises it (mostly upward) as late "
            "registrations come in"
        )
    if (
        extract_date is not None
        and left < 0
        and extract_date.year == yr + 1
        and (extract_date - date(yr, 12, 31)).days < 120
    ):
        reasons.append(
            f"the BAG extract is of {extract_date.isoformat()}, "
            f"{(extract_date - date(yr, 12, 31)).days} days after the year's end: "
            "completions registered later are not in it"
        )
    for old, when in into.get(area, []):
        if when is None or when >= yr:
            reasons.append(
                f"{old} merged into {area}"
                + (f" in {when}" if when is not None else "")
                + f": CBS may publish {yr} under the old code; BAG counts a dwelling where its "
                "latest address is"
            )
    if yr < CBS_BAG_START:
        reasons.append(
            f"before {CBS_BAG_START}: BAG voorkomens then record the registration of existing "
            "stock, not its completion"
        )
    if do is not None and do < -tol_o:
        reasons.append(
            f"other additions {do:+,.0f}: CBS's include administrative corrections and "
            "registrations that are no completion in the BAG (e.g. a dwelling found in an "
            "existing building)"
        )
        left -= do
    if abs(left) > tol and not any(r.startswith("timing") for r in reasons):
        reasons.append(f"unexplained: {left:+,.0f} homes in total")
    return reasons
