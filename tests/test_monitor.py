"""Monitoring functions: the delivery test, supply in years, progress and plan capacity."""

from __future__ import annotations

import datetime as dt

import pytest
from state_fixtures import area, figure, make_state, ministry, month

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
    c = monitor.capacity_against(monitor.planned_in(plans, 2021, 2030), 1000)
    assert (c.planned_hard, c.planned_all) == (500, 1100)
    assert c.ratio_all == pytest.approx(1.1) and not c.meets_norm


def test_plan_capacity_uses_homes_per_year_where_a_plan_has_them() -> None:
    plan = {"homes": 900, "first_year": 2029, "last_year": 2031, "planstatus": "1A",
            "homes_by_year": [100, 200, 600]}  # fmt: skip
    assert monitor.planned_in([plan], 2021, 2030).total == 300


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


def test_yearly_picture_shows_realised_pace_and_plans_without_summing_them() -> None:
    target = {**TARGET, "area_id": "R", "measure": "homes_built", "kind": "range"}
    target.update(value_min=1000, value_max=1000)
    plans = [
        {
            "id": "P1",
            "gemeente_id": "GM1",
            "homes": 300,
            "first_year": 2022,
            "last_year": 2024,
            "planstatus": "1A",
            "source_id": "demo",
        },
        {
            "id": "P2",
            "gemeente_id": "GM2",
            "homes": 50,
            "first_year": 2030,
            "last_year": 2030,
            "planstatus": "4A",
            "source_id": "demo",
        },
    ]
    realisations = [*ministry("GM1", 2021, 80), *ministry("GM2", 2021, 20)]
    realisations += [*ministry("GM1", 2022, 100), *ministry("GM2", 2022, 100)]
    state = make_state(realisations=realisations, targets=[target], plans=plans)
    picture = monitor.yearly_picture(state, "R", "ministry")
    assert picture.years == tuple(range(2021, 2031)) and picture.target_id == "T"
    assert picture.realised == {2021: 100, 2022: 200} and not picture.realised_synthetic
    assert picture.pace_even == {y: 100 for y in range(2021, 2031)}
    assert picture.pace_still == {y: pytest.approx(700 / 8) for y in range(2023, 2031)}
    # P1's 2022 share lies in a realised year: shown as realised only; 2023-2024 as planned
    assert picture.planned_hard == {2023: 100, 2024: 100} and picture.plans_synthetic
    assert picture.planned_soft == {2030: 50}


# ---------------------------------------------------------------- the year so far


def _months(area_id: str, year: int, last: int, value: float, source: str = "bag-2") -> list:
    """Completions (all new-build but one a month) for January to ``last``."""
    rows = []
    for m in range(1, last + 1):
        rows.append(month(area_id, "homes_completed", year, m, value, source))
        rows.append(month(area_id, "homes_completed_new_build", year, m, value - 1, source))
    return rows


def test_year_so_far_counts_a_month_once_it_has_ended_and_within_the_extract() -> None:
    # bag-2 is an extract of 8 October 2026: its October is partial.
    rows = _months("GM1", 2026, 10, 100) + _months("GM2", 2026, 10, 10)
    on = {d: make_state(months=rows, as_of=dt.date.fromisoformat(d)) for d in (
        "2026-06-29", "2026-06-30", "2026-12-01")}  # fmt: skip
    june = monitor.year_so_far(on["2026-06-30"], "R")
    assert june is not None and (june.year, june.last_month) == (2026, 6)
    assert june.to_date == {"homes_completed": 660, "homes_completed_new_build": 648}
    assert june.months_text == "Jan-Jun 2026"
    before = monitor.year_so_far(on["2026-06-29"], "R")
    assert (
        before is not None and before.last_month == 5 and before.to_date["homes_completed"] == 550
    )
    late = monitor.year_so_far(on["2026-12-01"], "R")
    assert late is not None and late.last_month == 9  # not October: the extract is of the 8th
    assert late.to_date["homes_completed"] == 990
    assert late.sources == ("bag-2",) and not late.synthetic and late.provisional
    partial = [s for s in on["2026-12-01"].month_figures.set_aside if s.month == 10]
    assert len(partial) == 4 and "2026-10-08" in partial[0].reason
    # January alone; nothing complete yet: no year so far
    assert make_state(months=rows, as_of=dt.date(2026, 2, 3)).month_figures.real
    jan = monitor.year_so_far(make_state(months=rows, as_of=dt.date(2026, 2, 3)), "GM1")
    assert (
        jan is not None and jan.months_text == "Jan 2026" and jan.to_date["homes_completed"] == 100
    )
    assert monitor.year_so_far(make_state(months=rows, as_of=dt.date(2026, 1, 30)), "R") is None


def test_year_so_far_is_a_lower_bound_when_municipalities_lack_monthly_figures() -> None:
    when = dt.date(2026, 11, 1)
    one = monitor.year_so_far(make_state(months=_months("GM1", 2026, 9, 100), as_of=when), "R")
    assert one is not None and (one.municipalities_with_figures, one.municipalities) == (1, 2)
    assert one.lower_bound and one.coverage_text == "lower bound: 1 of 2 municipalities"
    rows = _months("GM1", 2026, 9, 100) + _months("GM2", 2026, 9, 10)
    both = monitor.year_so_far(make_state(months=rows, as_of=when), "R")
    assert both is not None and not both.lower_bound
    assert both.coverage_text == "2 of 2 municipalities" and both.to_date["homes_completed"] == 990
    # every municipality known has figures, but the region's member list is incomplete
    areas = [area("NL01", "nation"), area("R", "strategy_region", members_complete=False),
             area("GM1", "municipality"), area("GM2", "municipality")]  # fmt: skip
    partial = monitor.year_so_far(make_state(areas=areas, months=rows, as_of=when), "R")
    assert partial is not None and partial.lower_bound
    assert monitor.year_so_far(make_state(areas=areas, months=rows, as_of=when), "GM1") is not None


def test_year_so_far_is_a_lower_bound_when_an_extract_ends_before_the_last_month() -> None:
    # GM1 from the national extract (to September), GM2 from its own of 5 July (to June):
    # January-September for the region, with GM2's July-September missing from the sum
    rows = _months("GM1", 2026, 9, 100) + _months("GM2", 2026, 6, 10, source="bag-gm2")
    region = monitor.year_so_far(make_state(months=rows, as_of=dt.date(2026, 11, 1)), "R")
    assert region is not None and region.last_month == 9
    assert region.to_date["homes_completed"] == 900 + 60
    assert (region.municipalities_with_figures, region.municipalities) == (2, 2)
    assert region.lower_bound  # not the whole of January-September
    alone = monitor.year_so_far(make_state(months=rows, as_of=dt.date(2026, 11, 1)), "GM2")
    assert alone is not None and alone.last_month == 6 and not alone.lower_bound


def test_year_so_far_from_synthetic_figures_says_so_and_never_mixes_them_with_real() -> None:
    when = dt.date(2026, 11, 1)
    demo = [{**r, "provisional": False} for r in _months("GM1", 2026, 9, 7, source="demo")]
    only = monitor.year_so_far(make_state(months=demo, as_of=when), "GM1")
    assert only is not None and only.synthetic and only.sources == ("demo",)
    assert only.to_date["homes_completed"] == 63
    mixed = monitor.year_so_far(make_state(months=demo + _months("GM1", 2026, 9, 100),
                                           as_of=when), "GM1")  # fmt: skip
    assert mixed is not None and not mixed.synthetic and mixed.sources == ("bag-2",)
    assert mixed.to_date["homes_completed"] == 900


def test_year_so_far_takes_one_source_per_month_and_the_same_months_a_year_before() -> None:
    when = dt.date(2026, 11, 1)
    older = _months("GM1", 2026, 9, 55, source="bag-1")  # bag-2 is the more recent import
    rows = older + _months("GM1", 2026, 9, 100) + _months("GM1", 2025, 12, 80, source="bag-1")
    result = monitor.year_so_far(make_state(months=rows, as_of=when), "GM1")
    assert result is not None and result.to_date["homes_completed"] == 900  # never 900 + 495
    assert result.previous == {"homes_completed": 720, "homes_completed_new_build": 711}
    assert result.sources == ("bag-1", "bag-2")
    # the year before stored only to June: no comparison of January-September with it
    short = _months("GM1", 2026, 9, 100) + _months("GM1", 2025, 6, 80, source="bag-1")
    result = monitor.year_so_far(make_state(months=short, as_of=when), "GM1")
    assert result is not None and result.previous is None
    # a figure whose source is not known does not count
    unknown = [*_months("GM1", 2026, 9, 100), month("GM1", "homes_completed", 2026, 3, 5, "x")]
    state = make_state(months=unknown, as_of=when)
    result = monitor.year_so_far(state, "GM1")
    assert result is not None and result.to_date["homes_completed"] == 900
    assert [s.reason for s in state.month_figures.set_aside] == ["unknown source"]


def test_year_so_far_maps_a_merged_municipality_to_its_successor() -> None:
    areas = [
        area("NL01", "nation"),
        area("GM0363", "municipality"),
        area("GM0457", "municipality", valid_to=2021),  # Weesp, merged into Amsterdam
    ]
    members = [{"parent_id": "NL01", "child_id": a} for a in ("GM0363", "GM0457")]
    changes = [{"old_code": "GM0457", "new_code": "GM0363", "kind": "merged", "year": 2022}]
    rows = [
        month("GM0363", "homes_completed", 2021, 3, 700, "bag-1"),
        month("GM0457", "homes_completed", 2021, 3, 10, "bag-1"),  # Weesp's own year
        month("GM0363", "homes_completed", 2026, 3, 500),
        month("GM0457", "homes_completed", 2026, 3, 8),  # after the merger: Amsterdam's
    ]
    state = make_state(
        areas=areas, members=members, code_changes=changes, months=rows, as_of=dt.date(2026, 6, 1)
    )
    assert state.month_figures.real[("GM0363", "homes_completed", 2021, 3)].value == 710
    result = monitor.year_so_far(state, "NL01")
    assert result is not None and result.to_date == {"homes_completed": 500}
    assert (result.municipalities_with_figures, result.municipalities) == (1, 1)
    assert not result.lower_bound
    [aside] = state.month_figures.set_aside
    assert aside.area_id == "GM0457" and aside.month == 3 and "merged into GM0363" in aside.reason


def test_year_so_far_is_this_years_or_last_years_never_older() -> None:
    rows = _months("GM1", 2026, 10, 100) + _months("GM1", 2025, 12, 80, source="bag-1")
    january = monitor.year_so_far(make_state(months=rows, as_of=dt.date(2027, 1, 20)), "GM1")
    assert january is not None and january.months_text == "Jan-Sep 2026"
    assert january.previous == {"homes_completed": 720, "homes_completed_new_build": 711}
    assert monitor.year_so_far(make_state(months=rows, as_of=dt.date(2028, 3, 1)), "GM1") is None
