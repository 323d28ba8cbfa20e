"""The area graph: overlapping areas count each municipality once."""

from __future__ import annotations

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
