"""The map's GeoJSON of plan geometries, made from the WKB (RD New) a register keeps."""

from __future__ import annotations

import json

import shapely

from opgave import plan_geometry


def test_rd_new_wkb_becomes_wgs84_geojson_with_six_decimals() -> None:
    # the RD New origin (Amersfoort, Onze Lieve Vrouwetoren): 155000, 463000
    point = shapely.to_wkb(shapely.Point(155_000, 463_000))
    square = shapely.to_wkb(shapely.box(155_000, 463_000, 155_100, 463_100))
    shown = plan_geometry.geojson([point, None, square])
    assert shown[1] is None
    assert shown[0] is not None and shown[2] is not None
    lon, lat = json.loads(shown[0])["coordinates"]
    assert abs(lon - 5.3872) < 1e-4 and abs(lat - 52.1552) < 1e-4  # within ~10 m
    assert all(len(str(c).split(".")[1]) <= 6 for c in (lon, lat))
    ring = json.loads(shown[2])["coordinates"][0]
    assert len(ring) == 5 and all(5.38 < x < 5.39 and 52.15 < y < 52.16 for x, y in ring)


def test_nothing_in_nothing_out() -> None:
    assert plan_geometry.geojson([]) == []
    assert plan_geometry.geojson([None, None]) == [None, None]
