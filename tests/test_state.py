"""The programme state decides what counts: one figure per area, measure and year by source
precedence, merged municipalities mapped when read, real and synthetic never combined, plans
and their links as of a date, completeness propagated through groups."""

from __future__ import annotations

import datetime as dt

from state_fixtures import area, figure, make_state, ministry

from opgave import monitor
from opgave.state import plans_as_of, standing_figures

MINISTRY = monitor.DEFINITIONS["ministry"]


def test_one_source_stands_and_two_cbs_tables_are_never_summed() -> None:
    # 81955NED and later 86098NED both give Noord-Holland 2022: one stands (the newer)
    state = make_state(
        realisations=[
            figure("NL01", "homes_new_build", 2022, 74000, "cbs"),
            figure("NL01", "homes_new_build", 2022, 74560, "cbs-new"),
            figure("NL01", "homes_new_build", 2022, 73500, "bag-1"),
            figure("NL01", "homes_new_build", 2022, 70000, "doc"),
        ]
    )
    stood = state.figures.real[("NL01", "homes_new_build", 2022)]
    assert stood.value == 74560 and stood.sources == ("cbs-new",)
    assert len(state.figures.set_aside) == 3
    assert {s.source_id for s in state.figures.set_aside} == {"cbs", "bag-1", "doc"}


def test_a_final_cbs_figure_beats_a_provisional_one_and_bag_beats_a_document() -> None:
    rows = [
        figure("GM1", "homes_new_build", 2023, 100, "cbs-new", provisional=True),
        figure("GM1", "homes_new_build", 2023, 120, "cbs"),
        figure("GM2", "homes_completed", 2023, 40, "doc"),
        figure("GM2", "homes_completed", 2023, 44, "bag-1"),
    ]
    state = make_state(realisations=rows)
    assert state.figures.real[("GM1", "homes_new_build", 2023)].value == 120
    assert state.figures.real[("GM2", "homes_completed", 2023)].tier == "bag"


def test_real_and_synthetic_figures_are_never_combined() -> None:
    # the nation has real figures to 2023; the demo's municipal 2024 must not be added on top
    rows = [*ministry("NL01", 2022, 90000), *ministry("NL01", 2023, 85000)]
    rows += [*ministry("GM1", 2024, 50000, "demo"), *ministry("GM2", 2024, 40000, "demo")]
    state = make_state(realisations=rows)
    nation = monitor.realised_series(state, "NL01", MINISTRY)
    assert nation.yearly == {2022: 90000, 2023: 85000} and not nation.synthetic
    region = monitor.realised_series(state, "R", MINISTRY)
    assert region.yearly == {2024: 90000} and region.synthetic  # only synthetic there: labelled


def test_a_municipal_sum_needs_every_municipality() -> None:
    state = make_state(realisations=[*ministry("GM1", 2022, 500), *ministry("GM1", 2023, 600),
                                     *ministry("GM2", 2023, 400)])  # fmt: skip
    series = monitor.realised_series(state, "R", MINISTRY)
    assert series.yearly == {2023: 1000}  # 2022 lacks GM2: no figure, not a partial sum
    assert series.gap_years == (2021, 2022)


def test_a_merged_municipalitys_figures_belong_to_its_successor_when_read() -> None:
    areas = [
        area("NL01", "nation"),
        area("GM0363", "municipality"),
        area("GM0457", "municipality", valid_to=2022),  # Weesp, merged into Amsterdam in 2022
    ]
    members = [{"parent_id": "NL01", "child_id": a} for a in ("GM0363", "GM0457")]
    changes = [{"old_code": "GM0457", "new_code": "GM0363", "kind": "merged", "year": 2022}]
    rows = [
        figure("GM0363", "homes_new_build", 2021, 7000),
        figure("GM0457", "homes_new_build", 2021, 100),  # Weesp's own year: part of Amsterdam
        figure("GM0363", "homes_new_build", 2023, 5000),
        figure("GM0457", "homes_new_build", 2023, 80),  # after the merger: Amsterdam covers it
    ]
    state = make_state(areas=areas, members=members, realisations=rows, code_changes=changes)
    assert state.figures.real[("GM0363", "homes_new_build", 2021)].value == 7100
    assert state.figures.real[("GM0363", "homes_new_build", 2023)].value == 5000
    [aside] = state.figures.set_aside
    assert aside.area_id == "GM0457" and aside.year == 2023 and "merged into GM0363" in aside.reason
    assert ("GM0457", "homes_new_build", 2021) not in state.figures.real
    assert state.municipalities("NL01") == frozenset({"GM0363"})


def test_the_ministrys_count_is_net_change_plus_demolition() -> None:
    # CBS 82235NED 2022: saldo 79,649 + sloop 10,559 = 90,208 ("ruim 90.000");
    # gross (new-build + other additions) would say 98,637
    rows = [
        figure("NL01", "homes_new_build", 2022, 74560),
        figure("NL01", "homes_other_added", 2022, 24077),
        figure("NL01", "homes_demolished", 2022, 10559),
        figure("NL01", "homes_other_removed", 2022, 8835),
        figure("NL01", "homes_net_added", 2022, 79649),
    ]
    state = make_state(realisations=rows)
    counts = {
        name: monitor.realised_series(state, "NL01", d).yearly[2022]
        for name, d in monitor.DEFINITIONS.items()
    }
    assert counts == {"ministry": 90208, "gross": 98637, "net_stock": 79649}


def test_plans_and_their_links_as_of_a_date() -> None:
    current = [
        {"id": "A", "name": "a", "gemeente_id": "GM1", "homes": 10, "social_rent_homes": None,
         "mid_rent_homes": None, "affordable_buy_homes": None, "planstatus": "1A",
         "first_year": 2025, "last_year": 2026, "homes_by_year": None, "source_id": "s",
         "valid_from": dt.date(2025, 1, 1), "dropped_on": None},
    ]  # fmt: skip
    history: list[dict[str, object]] = []
    assert plans_as_of(current, history, dt.date(2021, 11, 24)) == {}
    state = make_state(plans=[], as_of=dt.date(2021, 11, 24))
    state.plan_areas = [{"plan_id": "A", "area_id": "R"}]  # a link of a plan not yet known
    state.__post_init__()
    assert state.plan_areas == [] and state.plans_in("R") == ()  # was a KeyError


def test_a_group_is_complete_only_when_what_it_relies_on_is() -> None:
    areas = [
        area("GRP", "group"),
        area("R1", "strategy_region"),
        area("R2", "strategy_region", members_complete=False),
        area("GM1", "municipality"),
    ]
    members = [
        {"parent_id": "GRP", "child_id": "R1"},
        {"parent_id": "GRP", "child_id": "R2"},
        {"parent_id": "R1", "child_id": "GM1"},
    ]
    state = make_state(areas=areas, members=members)
    assert state.complete == {"GRP": False, "R1": True, "R2": False, "GM1": True}
    assert monitor.coverage(state, "GRP").lower_bound
    assert monitor.coverage(state, "R1").text == "1 of 1 municipality"


def test_figures_for_several_years_are_not_yearly_figures() -> None:
    found = standing_figures(
        [figure("R", "homes_started", 2018, 23000, "doc", last_year=2020)],
        {"doc": {"id": "doc", "kind": "document", "confidence": "official"}},
        [],
        {},
    )
    assert not found.real and not found.set_aside
