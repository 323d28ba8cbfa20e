"""Counting dwellings inside polygons, and reconciling BAG with CBS."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
from shapely.geometry import MultiPolygon, box

from opgave.bag_analysis import EventCount, count_in_polygons, reconcile

# --- polygons -------------------------------------------------------------------------------


def _events(years: list[int], months: list[int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {"completed": (np.array(years), np.array(months))}


def test_points_are_counted_per_polygon_year_and_month() -> None:
    x = np.array([1.0, 2.0, 5.0, 10.0, 50.0])
    y = np.array([1.0, 2.0, 5.0, 10.0, 50.0])
    events = _events([2021, 2021, 2022, 2021, 2021], [3, 3, 1, 7, 1])
    polygons = [("A", box(0, 0, 10, 10)), ("B", box(4, 4, 20, 20))]
    counts = count_in_polygons(x, y, events, polygons)
    assert counts == [
        EventCount("A", "completed", 2021, 3, 2),
        EventCount("A", "completed", 2021, 7, 1),  # (10, 10) lies on A's edge: inside
        EventCount("A", "completed", 2022, 1, 1),
        EventCount("B", "completed", 2021, 7, 1),  # overlapping areas both count it
        EventCount("B", "completed", 2022, 1, 1),
    ]  # (50, 50) lies in neither


def test_points_without_the_event_and_repeated_ids() -> None:
    x = np.array([1.0, 1.5, 31.0])
    y = np.array([1.0, 1.5, 31.0])
    events = {
        "completed": (np.array([-1, 2020, 2020]), np.array([-1, 5, 6])),
        "permitted": (np.array([2019, 2019, -1]), np.array([2, 2, -1])),
    }
    # Two parts with one id are one area; a multipolygon works the same.
    parts = [("P", box(0, 0, 2, 2)), ("P", box(30, 30, 32, 32)), ("P", box(0, 0, 1.2, 1.2))]
    by_parts = count_in_polygons(x, y, events, parts)
    by_multi = count_in_polygons(
        x, y, events, [("P", MultiPolygon([box(0, 0, 2, 2), box(30, 30, 32, 32)]))]
    )
    assert (
        by_parts
        == by_multi
        == [
            EventCount("P", "completed", 2020, 5, 1),
            EventCount("P", "completed", 2020, 6, 1),
            EventCount("P", "permitted", 2019, 2, 2),  # the first point once, though in two parts
        ]
    )
    assert count_in_polygons(np.array([]), np.array([]), {}, parts) == []
    with pytest.raises(ValueError, match="same length"):
        count_in_polygons(x, y[:2], events, parts)


# --- reconciliation -------------------------------------------------------------------------


def _row(
    area: str, year: int, measure: str, value: float, source: str, provisional: bool = False
) -> dict[str, Any]:
    return {
        "area_id": area,
        "measure": measure,
        "first_year": year,
        "last_year": year,
        "value": value,
        "provisional": provisional,
        "source_id": source,
    }


def _bag(area: str, year: int, new: float, other: float) -> list[dict[str, Any]]:
    return [
        _row(area, year, "homes_completed_new_build", new, "bag-1"),
        _row(area, year, "homes_completed_other", other, "bag-1"),
    ]


def _cbs(
    area: str, year: int, new: float, other: float, provisional: bool = False
) -> list[dict[str, Any]]:
    return [
        _row(area, year, "homes_new_build", new, "cbs-81955NED", provisional),
        _row(area, year, "homes_other_added", other, "cbs-81955NED", provisional),
    ]


def test_agreement_within_tolerance() -> None:
    (row,) = reconcile(_bag("GM0344", 2021, 2_010, 300), _cbs("GM0344", 2021, 2_000, 302))
    assert row.verdict == "agrees"
    assert row.difference_new_build == 10 and row.difference_other_added == -2
    assert row.difference_total == 8


def test_timing_between_two_years_is_named() -> None:
    bag = _bag("GM0344", 2020, 1_100, 200) + _bag("GM0344", 2021, 900, 200)
    cbs = _cbs("GM0344", 2020, 1_000, 200) + _cbs("GM0344", 2021, 1_000, 200)
    rows = {r.year: r for r in reconcile(bag, cbs)}
    assert rows[2020].verdict == rows[2021].verdict == "differs"
    assert rows[2020].explanation[0].startswith("timing: about 100 homes fall in 2021")
    assert rows[2021].explanation[0].startswith("timing: about 100 homes fall in 2020")
    assert not any(e.startswith("unexplained") for r in rows.values() for e in r.explanation)


def test_same_total_split_differently() -> None:
    (row,) = reconcile(_bag("GM0363", 2022, 900, 400), _cbs("GM0363", 2022, 1_200, 100))
    assert row.verdict == "differs"
    assert row.difference_total == 0
    assert row.explanation[0].startswith("same total (+0), split differently: 300 homes")
    assert len(row.explanation) == 1


def test_missing_figures_provisional_and_recent_extracts() -> None:
    bag = _bag("GM0344", 2022, 500, 50) + _bag("GM0599", 2022, 10, 0)
    cbs = _cbs("GM0344", 2022, 800, 200, provisional=True) + _cbs("GM0518", 2022, 900, 90)
    rows = {r.area_id: r for r in reconcile(bag, cbs, extract_date=date(2023, 1, 8))}
    assert set(rows) == {"GM0344", "GM0599"}  # CBS alone for an area BAG never saw: left out
    reasons = " | ".join(rows["GM0344"].explanation)
    assert "provisional" in reasons and "2023-01-08, 8 days after the year's end" in reasons
    assert "administrative corrections" in reasons  # CBS's other additions are larger
    assert rows["GM0599"].verdict == "no CBS figure"
    only_cbs = reconcile(
        _bag("GM0344", 2021, 1, 0), _cbs("GM0344", 2021, 1, 0) + _cbs("GM0344", 2020, 5, 0)
    )
    assert [r.year for r in only_cbs] == [2021]  # 2020 is outside the BAG figures' years


def test_mergers_and_the_national_total() -> None:
    bag = _bag("GM0363", 2021, 3_000, 500) + _bag("GM0344", 2021, 2_000, 100)
    cbs = _cbs("GM0363", 2021, 2_500, 500) + _cbs("NL01", 2021, 5_000, 600)
    rows = {
        r.area_id: r
        for r in reconcile(bag, cbs, national_area="NL01", merged={"GM0457": ("GM0363", 2022)})
    }
    assert rows["NL01"].bag_new_build == 5_000 and rows["NL01"].verdict == "agrees"
    assert any("GM0457 merged into GM0363 in 2022" in e for e in rows["GM0363"].explanation)
    assert rows["GM0344"].verdict == "no CBS figure"
    assert reconcile(bag, cbs, year=2020) == []
    assert [r.area_id for r in reconcile(bag, cbs, areas=["GM0344"])] == ["GM0344"]


def test_a_final_cbs_figure_beats_a_provisional_one() -> None:
    cbs = _cbs("GM0344", 2021, 900, 0, provisional=True)
    cbs += [_row("GM0344", 2021, "homes_new_build", 1_000, "cbs-86098NED")]
    (row,) = reconcile(_bag("GM0344", 2021, 1_000, 0), cbs)
    assert row.cbs_new_build == 1_000 and row.verdict == "agrees"
