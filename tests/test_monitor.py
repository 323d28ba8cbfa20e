"""Monitoring functions: the delivery test, supply in years, progress and plan capacity."""

from __future__ import annotations

import pytest
from state_fixtures import figure, make_state, ministry

from opgave import monitor


def test_delivery_test_bands_rounding_and_fractions() -> None:
    assert monitor.delivery_test([100, 100, 100], [100, 100, 100]).band is None
    result = monitor.delivery_test([100, 100, 100], [80, 80, 80])
    assert (result.percent, result.band) == (80, "buffer")
    assert monitor.delivery_test([100, 100], [70, 70]).band == "presumption"
    assert monitor.delivery_test([100, 100], [90, 90]).band == "action_plan"
    # half up: 94.5% rounds to 95 (no action plan); 189/200 is exactly 94.5
    assert monitor.delivery_test([100, 100], [94, 95]).percent == 95
    assert monitor.delivery_test([100, 100], [94, 95]).band is None
    # a requirement counted for 8 months of 12
    pro_rated = monitor.delivery_test([120, 120], [120, 80], year_fractions=[1, 8 / 12])
    assert pro_rated.ratio == pytest.approx(1.0) and pro_rated.percent == 100
    custom = monitor.delivery_test([10], [5], thresholds=[(60, "red"), (40, "black")])
    assert custom.band == "red"
    with pytest.raises(ValueError, match="3 years, delivered 2"):
        monitor.delivery_test([1, 2, 3], [1, 2])


def test_supply_years_matches_gateshead_examples() -> None:
    # March 2023: requirement 4,514 over five years with a 5% buffer; supply 3,226
    result = monitor.supply_years(3226, 4514 / 5, buffer=0.05)
    assert round(result.ratio * 100, 1) == 68.1 and round(result.years, 2) == 3.40
    # June 2019: 4,172 with a 20% buffer; supply 5,226
    result = monitor.supply_years(5226, 4172 / 5, buffer=0.2)
    assert round(result.ratio * 100, 1) == 104.4 and round(result.years, 2) == 5.22
    # the 130% norm is the same computation: capacity 1.3 x task -> ratio 1 with buffer 0.3
    assert monitor.supply_years(1300, 200, buffer=0.3).ratio == pytest.approx(1.0)


TARGET = {
    "id": "T",
    "area_id": "NL01",
    "first_year": 2021,
    "last_year": 2030,
    "value_min": 900000,
    "value_max": 900000,
    "approximate": False,
}


def test_progress_counts_the_ministrys_homes_in_the_targets_period() -> None:
    realisations = [
        *ministry("NL01", 2020, 99999),
        *ministry("NL01", 2021, 70000),
        *ministry("NL01", 2022, 80000),
        *ministry("NL01", 2023, 90000),
        figure("NL01", "homes_new_build", 2022, 20000),  # another measure: not counted
        *ministry("GM1", 2022, 5000),  # a municipality: the nation has its own figures
    ]
    realisations[6]["provisional"] = realisations[7]["provisional"] = True
    state = make_state(realisations=realisations)
    series = monitor.realised_series(state, "NL01", monitor.DEFINITIONS["ministry"])
    p = monitor.progress_of(TARGET, series)
    assert p.realised == 240000 and p.realised_years == (2021, 2022, 2023)
    assert p.provisional_years == (2023,)
    assert p.remaining_min == 660000 and p.required_pace_min == pytest.approx(660000 / 7)
    assert p.recent_pace == pytest.approx(240000 / 3) and p.status == "behind"
    empty = monitor.realised_series(make_state(), "NL01", monitor.DEFINITIONS["ministry"])
    assert monitor.progress_of(TARGET, empty).status == "no_data"


def test_plan_capacity_spreads_homes_evenly_and_splits_hard() -> None:
    plans = [
        {"homes": 1000, "first_year": 2029, "last_year": 2032, "planstatus": "1A"},  # half inside
        {"homes": 600, "first_year": 2025, "last_year": 2026, "planstatus": "3"},
        {"homes": 400, "first_year": 2031, "last_year": 2033, "planstatus": "2A"},  # outside
    ]
    c = monitor.plan_capacity(plans, 1000, 2021, 2030)
    assert (c.planned_hard, c.planned_all) == (500, 1100)
    assert c.ratio_all == pytest.approx(1.1) and not c.meets_norm


def test_plan_capacity_uses_homes_per_year_where_a_plan_has_them() -> None:
    plan = {"homes": 900, "first_year": 2029, "last_year": 2031, "planstatus": "1A",
            "homes_by_year": [100, 200, 600]}  # fmt: skip
    assert monitor.plan_capacity([plan], 1000, 2021, 2030).planned_all == 300


def test_the_norm_counts_totals_only_where_a_municipality_has_no_plans() -> None:
    """Region R = GM1 + GM2, target 1,000 homes 2022-2030, nothing realised. GM1 has a plan
    of 400 homes (its total of 5,000 is left out); GM2 has only a total of 1,000 for
    2021-2030, of which 9/10 counts: 400 + 900 = 1,300 = 130%, the norm exactly."""
    target = {"id": "TR", "area_id": "R", "measure": "homes_built", "kind": "target",
              "first_year": 2022, "last_year": 2030, "value_min": 1000, "value_max": 1000,
              "approximate": False, "unit": "homes"}  # fmt: skip
    plan = {"id": "P1", "gemeente_id": "GM1", "homes": 400, "planstatus": "2A",
            "first_year": 2024, "last_year": 2025, "homes_by_year": None,
            "source_id": "doc"}  # fmt: skip

    def total(area_id: str, homes: int) -> dict[str, object]:
        return {"area_id": area_id, "hardness": "hard", "first_year": 2021, "last_year": 2030,
                "homes": homes, "gross_or_net": "net", "captured_on": None,
                "source_id": "doc"}  # fmt: skip

    state = make_state(targets=[target], plans=[plan])
    state.capacity_totals = [total("GM1", 5000), total("GM2", 1000)]
    status = monitor.target_status(state, target)
    assert status.capacity is not None
    assert status.capacity.planned_all == 1300 and status.capacity.meets_norm
    assert status.capacity.from_totals == ("GM2",) and status.capacity.plans == 1
    assert any("GM1: has plans" in note for note in status.capacity.notes)
    # without the totals the same region has 40%: the totals are what meets the norm
    bare = monitor.target_status(make_state(targets=[target], plans=[plan]), target).capacity
    assert bare is not None and bare.planned_all == 400 and not bare.meets_norm


def test_in_period_treats_open_ends_as_unbounded() -> None:
    to_2030 = {"first_year": None, "last_year": 2030}
    assert monitor.in_period(to_2030, 1990, 1990) and not monitor.in_period(to_2030, 2031, 2040)
    between = {"first_year": 2031, "last_year": 2040}
    assert monitor.in_period(between, 2029, 2031) and not monitor.in_period(between, 2025, 2030)
    assert monitor.in_period({"first_year": None, "last_year": None}, 2099, 2099)


def test_delivery_test_consequences_follow_the_measurement_year() -> None:
    # regression: one set of thresholds for every year; Adur's 2018 result (41%) meant a
    # buffer then (presumption below 25% in 2018, 45% in 2019, 75% from 2020)
    adur = monitor.delivery_test([100, 100, 100], [41, 41, 41], measurement_year=2018)
    assert adur.percent == 41 and adur.band == "buffer"
    assert monitor.delivery_test([100], [41], measurement_year=2019).band == "presumption"
    assert monitor.delivery_test([100], [70], measurement_year=2019).band == "buffer"
    assert monitor.delivery_test([100], [70], measurement_year=2021).band == "presumption"
