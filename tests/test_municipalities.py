"""Municipality resolution: codes, every CBS name since 2015, geometries by overlap."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely

from opgave import boundaries, municipalities
from opgave.municipalities import shipped


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("GM0363", "GM0363"),
        ("363", "GM0363"),
        (" gm0599 ", "GM0599"),
        ("GM0457", "GM0363"),  # Weesp, merged into Amsterdam
        ("Beemster", "GM0439"),
        ("heerhugowaard", "GM1980"),
        ("LANGEDIJK", "GM1980"),
        ("Leeuwarderadeel", "GM0080"),
        ("Bussum", "GM1942"),
        ("Brielle", "GM1992"),
        ("Sudwest-Fryslan", "GM1900"),
        ("Súdwest-Fryslân", "GM1900"),
        ("s-Gravenhage", "GM0518"),
        ("Den Haag", "GM0518"),
        ("Bergen (NH.)", "GM0373"),
        ("bergen (l.)", "GM0893"),
        ("Bergen NH", "GM0373"),
        ("Hengelo", "GM0164"),
        ("Hengelo (O.)", "GM0164"),
        ("Nuenen, Gerwen en Nederwetten", "GM0820"),
    ],
)
def test_codes_and_names_resolve_to_the_current_municipality(raw: str, code: str) -> None:
    assert shipped().resolve(raw).code == code


def test_problems_name_the_reason() -> None:
    g = shipped()
    haaren = g.resolve("Haaren")
    assert haaren.code is None and set(haaren.candidates) == {
        "GM0824",
        "GM0865",
        "GM0757",
        "GM0855",
    }
    assert "split over" in (haaren.problem or "") and "geometry" in (haaren.problem or "")
    bergen = g.resolve("Bergen")
    assert bergen.code is None and "ambiguous" in (bergen.problem or "")
    assert g.resolve("Bergen", province="PV31").code == "GM0893"
    assert "unknown municipality GM9999" in (g.resolve("GM9999").problem or "")
    assert "unknown municipality 'Atlantis'" in (g.resolve("Atlantis").problem or "")


def test_every_name_of_the_shipped_divisions_resolves_to_itself_or_its_successor() -> None:
    g = shipped()
    for code, entity in g.entities.items():
        found = g.resolve(entity.name, entity.province)
        assert found.code in (g.successors(code) if len(g.successors(code)) == 1 else (None,)), (
            entity
        )


def test_boundaries_ship_for_both_divisions() -> None:
    assert len(boundaries.wgs84("gemeente", 2022).codes) == 345
    assert len(boundaries.rd_new("gemeente", 2025).codes) == 342
    assert len(boundaries.rd_new("provincie", 2025).codes) == 12
    assert boundaries.division_year(dt.date(2024, 12, 31)) == 2022
    assert boundaries.division_year(dt.date(2025, 1, 1)) == 2025
    amsterdam = boundaries.rd_new("gemeente", 2025)
    area = shapely.area(amsterdam.geometry[amsterdam.codes.index("GM0363")]) / 1e6
    assert 200 < area < 240  # km2, land and water


def test_locate_by_overlap_division_and_crossing() -> None:
    division = boundaries.rd_new("gemeente", 2022)
    weesp = division.geometry[division.codes.index("GM0457")]
    point = shapely.Point(*shapely.get_coordinates(shapely.point_on_surface(weesp))[0])
    # a box straddling the Utrecht / De Bilt border (both exist in both divisions)
    utrecht = division.geometry[division.codes.index("GM0344")]
    debilt = division.geometry[division.codes.index("GM0310")]
    border = shapely.intersection(utrecht.boundary, debilt.boundary)
    x, y = shapely.get_coordinates(border)[0]
    box = shapely.box(x - 400, y - 400, x + 400, y + 400)
    found = municipalities.locate(
        np.array([point, box, None], dtype=object),
        [dt.date(2023, 1, 1), dt.date(2025, 6, 1), None],
    )
    assert found[0] is not None and found[0].code == "GM0363" and found[0].division == 2022
    assert found[1] is not None and found[1].code in ("GM0344", "GM0310")
    assert found[1].note is not None and "across municipalities" in found[1].note
    assert found[2] is None


def test_overlapping_areas() -> None:
    areas = {"GWB-X": shapely.box(0, 0, 100, 100), "LOC-Y": shapely.box(200, 200, 300, 300)}
    geoms = np.array(
        [shapely.box(50, 50, 150, 150), shapely.Point(250, 250), shapely.box(100, 0, 120, 10)],
        dtype=object,
    )
    assert municipalities.overlapping_areas(geoms, areas) == [("GWB-X",), ("LOC-Y",), ()]


def test_shipped_ids_are_the_areas_with_a_shipped_outline() -> None:
    ids = boundaries.shipped_ids()
    assert ids == frozenset(boundaries.shipped_geojson())
    assert len(ids) == 342 + 12 and {"GM0363", "PV27"} <= ids
