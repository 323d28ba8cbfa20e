"""The area graph: overlapping areas count each municipality once."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from opgave import areas

MEMBERS = [
    {"parent_id": "NL", "child_id": "LD"},
    {"parent_id": "NL", "child_id": "P1"},
    {"parent_id": "LD", "child_id": "P1"},
    {"parent_id": "P1", "child_id": "G1"},
    {"parent_id": "P1", "child_id": "G2"},
    {"parent_id": "R", "child_id": "G2"},
    {"parent_id": "R", "child_id": "L"},
    {"parent_id": "G2", "child_id": "L"},
]
KINDS = {"G1": "municipality", "G2": "municipality", "L": "location", "NL": "nation"}


def test_municipalities_counted_once_across_paths() -> None:
    children = areas.children_of(MEMBERS)
    assert areas.municipalities("NL", children, KINDS) == {"G1", "G2"}
    assert areas.municipalities("R", children, KINDS) == {"G2"}
    assert areas.municipalities("G1", children, KINDS) == {"G1"}
    assert areas.descendants("R", children) == {"G2", "L"}


def test_display_children_hide_what_a_sibling_shows() -> None:
    children = areas.children_of(MEMBERS)
    shown = areas.display_children(children)
    assert shown["NL"] == ["LD"]  # P1 shows under its landsdeel
    assert shown["R"] == ["G2"]  # L shows under G2
    folded = areas.display_children(children, transparent={"G1", "G2"})
    assert folded["R"] == ["G2", "L"]  # with municipalities folded away, L shows under R
    assert areas.roots([{"id": "NL"}, {"id": "R"}, {"id": "G1"}], children) == ["NL", "R"]


# ---------------------------------------------------------------- membership as of a date

D = dt.date
REGION_AREAS = [
    {"id": "MRA", "kind": "strategy_region", "members_complete": True, "members_expected": 3},
    {"id": "AMF", "kind": "strategy_region", "members_complete": True, "members_expected": 2},
    {"id": "FV", "kind": "group", "members_complete": True, "members_expected": 2},
    {"id": "ANF", "kind": "strategy_region", "members_complete": True},
    {"id": "ZR", "kind": "strategy_region", "members_complete": False, "members_note": "VA only"},
    {"id": "ZWL", "kind": "strategy_region", "members_complete": False, "members_expected": 22},
    {"id": "VS7", "kind": "group", "members_complete": True},
    {"id": "GWB", "kind": "large_scale_area", "members_complete": False},
    {"id": "GWB14", "kind": "group", "members_complete": True, "members_expected": 14},
    {"id": "PV", "kind": "province", "members_complete": True},
    *(
        {"id": g, "kind": "municipality", "members_complete": True}
        for g in ("AMS", "WEESP", "BEEMSTER", "BARNEVELD", "NIJKERK", "AMF-G", "EDE", "ZW", "RTM")
    ),
]
REGION_MEMBERS = [
    {"parent_id": "MRA", "child_id": "AMS"},
    {"parent_id": "MRA", "child_id": "WEESP", "valid_to": D(2022, 3, 23)},
    {"parent_id": "MRA", "child_id": "BEEMSTER", "valid_to": D(2021, 12, 31)},
    {"parent_id": "AMF", "child_id": "AMF-G"},
    {"parent_id": "AMF", "child_id": "BARNEVELD"},
    {"parent_id": "AMF", "child_id": "NIJKERK"},
    {"parent_id": "FV", "child_id": "BARNEVELD", "confidence": "secondary"},
    {"parent_id": "FV", "child_id": "NIJKERK", "confidence": "secondary"},
    {"parent_id": "FV", "child_id": "EDE", "confidence": "secondary"},
    {"parent_id": "ANF", "child_id": "FV"},
    {"parent_id": "ZWL", "child_id": "ZW", "confidence": "secondary"},
    {"parent_id": "ZR", "child_id": "RTM"},
    {"parent_id": "RTM", "child_id": "GWB"},  # a large-scale area lies in its host
    {"parent_id": "ZR", "child_id": "GWB"},
    {"parent_id": "GWB14", "child_id": "GWB"},
    {"parent_id": "VS7", "child_id": "MRA"},
    {"parent_id": "VS7", "child_id": "AMF"},
    {"parent_id": "VS7", "child_id": "ANF"},
    {"parent_id": "PV", "child_id": "ZR"},  # a region placed in a province
    {"parent_id": "PV", "child_id": "RTM"},
]
RKINDS = {a["id"]: a["kind"] for a in REGION_AREAS}
FLAGS = {a["id"]: a["members_complete"] for a in REGION_AREAS}


def test_membership_by_date_follows_mergers() -> None:
    in_2021 = areas.children_on(REGION_MEMBERS, D(2021, 11, 24))
    in_2022 = areas.children_on(REGION_MEMBERS, D(2022, 1, 1))
    on_merger = areas.children_on(REGION_MEMBERS, D(2022, 3, 24))
    in_2023 = areas.children_on(REGION_MEMBERS, D(2023, 6, 1))
    assert areas.municipalities("MRA", in_2021, RKINDS) == {"AMS", "WEESP", "BEEMSTER"}
    assert areas.municipalities("MRA", in_2022, RKINDS) == {"AMS", "WEESP"}
    assert areas.municipalities("MRA", on_merger, RKINDS) == {"AMS"}
    assert areas.municipalities("MRA", in_2023, RKINDS) == {"AMS"}
    assert areas.valid_on(REGION_MEMBERS[1], D(2022, 3, 23))  # valid_to is inclusive
    assert len(areas.members_on(REGION_MEMBERS, None)) == len(REGION_MEMBERS)


def test_completeness_propagates_through_groups_not_placed_areas() -> None:
    children = areas.children_on(REGION_MEMBERS, D(2023, 1, 1))
    complete = {a: areas.is_complete(a, children, RKINDS, FLAGS) for a in RKINDS}
    assert complete["MRA"] and complete["AMF"] and complete["ANF"]
    assert not complete["ZR"] and not complete["ZWL"]
    assert complete["VS7"]  # its members are complete
    assert not complete["GWB"]  # its hosts are not all known ...
    assert complete["GWB14"]  # ... which says nothing about the list of the 14
    assert complete["PV"]  # a province does not rely on a region placed in it
    flags = {**FLAGS, "FV": False}
    assert not areas.is_complete("ANF", children, RKINDS, flags)
    assert not areas.is_complete("VS7", children, RKINDS, flags)  # two levels up
    assert areas.incomplete_parts("VS7", children, RKINDS, flags) == ["FV"]
    with_zr = {**children, "VS7": [*children["VS7"], "ZR"]}
    assert areas.incomplete_parts("VS7", with_zr, RKINDS, FLAGS) == ["ZR"]


def test_overlapping_regions_count_each_municipality_once() -> None:
    children = areas.children_on(REGION_MEMBERS, D(2023, 1, 1))
    amf = areas.municipalities("AMF", children, RKINDS)
    anf = areas.municipalities("ANF", children, RKINDS)
    assert amf & anf == {"BARNEVELD", "NIJKERK"}  # overlap kept, not resolved
    union = areas.municipality_union(["AMF", "ANF"], children, RKINDS)
    assert union == {"AMF-G", "BARNEVELD", "NIJKERK", "EDE"}
    assert len(union) == 4 < len(amf) + len(anf)
    both = areas.coverage(["AMF", "ANF"], REGION_AREAS, REGION_MEMBERS, D(2023, 1, 1))
    assert (both.known, both.expected, both.complete) == (4, 4, True)
    # Barneveld is official through Amersfoort, though only secondary through Foodvalley
    assert dict(both.by_confidence) == {"official": 3, "secondary": 1}
    conf = areas.municipality_confidence("VS7", REGION_MEMBERS, RKINDS)
    assert conf["BARNEVELD"] == "official" and conf["EDE"] == "secondary"


def test_coverage_lines() -> None:
    def line(area: str, on: dt.date) -> str:
        return areas.coverage(area, REGION_AREAS, REGION_MEMBERS, on).text

    assert line("MRA", D(2021, 6, 1)) == "3 of 3 municipalities"
    assert line("MRA", D(2023, 6, 1)) == "1 of 1 municipality"
    assert line("ZWL", D(2023, 6, 1)) == "lower bound: 1 of 22 municipalities (1 secondary)"
    assert line("ZR", D(2023, 6, 1)) == "lower bound: 1 municipality known, total not stated"
    zr = areas.coverage("ZR", REGION_AREAS, REGION_MEMBERS, D(2023, 6, 1))
    assert zr.lower_bound and zr.incomplete == ("ZR",) and zr.notes == ("VA only",)
    # a group of large-scale areas states a count of areas, not of municipalities
    gwb14 = areas.coverage("GWB14", REGION_AREAS, REGION_MEMBERS, D(2023, 6, 1))
    assert gwb14.expected == 0 and gwb14.complete
    unsure = [{**a, "members_complete": False} if a["id"] == "GWB14" else a for a in REGION_AREAS]
    assert areas.coverage("GWB14", unsure, REGION_MEMBERS, D(2023, 6, 1)).expected is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        zr.known = 9  # type: ignore[misc]
