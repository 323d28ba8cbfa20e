"""`opgave ingest bag` on the LV BAG extract: the hand-made extract's exact counts in every
layout, canonical input still read, polygons, the GeoPackage, storing, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from lvbag_data import (
    HANDMADE,
    HANDMADE_MONTHS,
    HANDMADE_YEARS,
    NLEXTRACT,
    WEESP,
    figures_by_key,
    national_zip,
)
from sqlalchemy import select
from typer.testing import CliRunner

from opgave import store
from opgave.cli import app
from opgave.ingest import bag_ingest, lvbag
from opgave.ingest.bag import BagInputError
from opgave.model import Realisation, RealisationMonth, Source


def test_handmade_extract_gives_exactly_its_known_events(tmp_path: Path) -> None:
    figures = bag_ingest.read_bag(HANDMADE, code_map=WEESP, workers=1)
    years, months = figures_by_key(figures.municipal)
    assert years == HANDMADE_YEARS
    assert months == HANDMADE_MONTHS
    assert figures.as_of.isoformat() == "2023-06-30" and figures.years == (2012, 2022)
    assert figures.synthetic and figures.source["confidence"] == "synthetic"
    assert figures.source["checksum"].startswith("sha256:")
    assert "area: Nederland" in figures.source["note"]


def test_every_layout_gives_the_same_figures(tmp_path: Path) -> None:
    stored = bag_ingest.read_bag(national_zip(tmp_path / "a"), code_map=WEESP, workers=2)
    compressed = bag_ingest.read_bag(
        national_zip(tmp_path / "b", compress_inner=True), code_map=WEESP, workers=1
    )
    assert figures_by_key(stored.municipal) == figures_by_key(compressed.municipal)
    assert figures_by_key(stored.municipal) == (HANDMADE_YEARS, HANDMADE_MONTHS)
    assert stored.source["id"].startswith("bag-") and stored.source["id"] != compressed.source["id"]


def test_without_the_code_map_weesp_keeps_its_own_code(tmp_path: Path) -> None:
    years, _ = figures_by_key(bag_ingest.read_bag(HANDMADE, workers=1).municipal)
    # V7 was only ever permitted, in Weesp before the merger.
    assert years[("GM0457", 2020)] == {"homes_permitted": 1, "homes_started": 1}
    assert years[("GM0363", 2020)] == {"homes_permitted": 1, "homes_started": 1}


def test_since_and_as_of_choose_the_years(tmp_path: Path) -> None:
    figures = bag_ingest.read_bag(
        HANDMADE, code_map=WEESP, since=2020, as_of=bag_ingest.dt.date(2022, 3, 31), workers=1
    )
    years, months = figures_by_key(figures.municipal)
    assert min(y for _, y in years) == 2020 and max(y for _, y in years) == 2021
    assert ("GM1904", 2018) not in years
    # 2022 up to March: V10's withdrawn permit is no event; P4's start in January is.
    assert months == {("GM0363", 2022, 1): {"homes_started": 2}}


def test_real_municipality_extract(tmp_path: Path) -> None:
    figures = bag_ingest.read_bag(NLEXTRACT, since=2000, workers=1)
    years, _ = figures_by_key(figures.municipal)
    # The one dwelling of the sample: first in use in 2011, in a pand of 1585.
    assert years == {("GM0221", 2011): {"homes_completed": 1, "homes_completed_other": 1}}
    assert not figures.synthetic and figures.source["confidence"] == "official"
    assert figures.as_of.isoformat() == "2020-09-15"
    assert figures.stats["gemeente_via"] == {"address": 5}


def test_input_kind_is_detected() -> None:
    assert bag_ingest.input_kind(Path("vbo.parquet")) == "canonical"
    assert bag_ingest.input_kind(Path("vbo.csv.gz")) == "canonical"
    assert bag_ingest.input_kind(Path("lvbag-extract-nl.zip")) == "extract"
    assert bag_ingest.input_kind(HANDMADE) == "extract"
    with pytest.raises(BagInputError, match="current state only"):
        bag_ingest.input_kind(Path("bag-light.gpkg"))
    with pytest.raises(BagInputError, match="expected an LV BAG extract"):
        bag_ingest.input_kind(Path("vbo.json"))


# --- polygons -------------------------------------------------------------------------------


def _polygon_file(path: Path) -> Path:
    """Two areas in WGS84 (GeoJSON's default): one around pand P1 in Utrecht, one around P4."""
    from pyproj import Transformer

    to_wgs84 = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)

    def square(x: float, y: float) -> list[list[float]]:
        corners = [(x - 100, y - 100), (x + 100, y - 100), (x + 100, y + 100), (x - 100, y + 100)]
        ring = [list(to_wgs84.transform(a, b)) for a, b in corners]
        return [*ring, ring[0]]

    features = [
        {"type": "Feature", "properties": {"area_id": "LOC-LEIDSCHE-RIJN-ZUILEN"},
         "geometry": {"type": "Polygon", "coordinates": [square(136000, 456000)]}},
        {"type": "Feature", "properties": {"area_id": "PLAN-0363-042"},
         "geometry": {"type": "Polygon", "coordinates": [square(121000, 487000)]}},
    ]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_dwellings_are_counted_inside_polygons(tmp_path: Path) -> None:
    polygons = _polygon_file(tmp_path / "areas.geojson")
    figures = bag_ingest.read_bag(HANDMADE, code_map=WEESP, polygons=polygons, workers=1)
    years, months = figures_by_key(figures.polygons)
    # V1, V2, V13 and V14 lie in P1 (V3 is an office); P1 is the only pand in the square.
    assert years == {
        ("LOC-LEIDSCHE-RIJN-ZUILEN", 2019): {"homes_permitted": 4, "homes_started": 4},
        ("LOC-LEIDSCHE-RIJN-ZUILEN", 2020): {"homes_completed": 4, "homes_completed_new_build": 4},
        ("PLAN-0363-042", 2021): {"homes_permitted": 2},
        ("PLAN-0363-042", 2022): {"homes_started": 2},
    }
    assert months == {
        ("PLAN-0363-042", 2023, 3): {"homes_completed": 1, "homes_completed_new_build": 1},
        ("PLAN-0363-042", 2023, 5): {"homes_completed": 1, "homes_completed_new_build": 1},
    }
    assert figures.municipal  # the municipal figures are there as always


def test_polygon_file_problems_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"name": "x"},
                 "geometry": {"type": "Point", "coordinates": [5, 52]}}]}
        )
    )  # fmt: skip
    with pytest.raises(BagInputError, match="no id field; expected area_id or id"):
        bag_ingest.read_polygons(bad)
    with pytest.raises(BagInputError, match="expected a polygon"):
        bag_ingest.read_polygons(bad, "name")
    with pytest.raises(BagInputError, match="polygon file not found"):
        bag_ingest.read_bag(HANDMADE, polygons=tmp_path / "missing.geojson", workers=1)


def test_canonical_files_with_a_geopackage_get_points(tmp_path: Path) -> None:
    import pyogrio.raw
    import shapely

    keep = tmp_path / "keep"
    bag_ingest.read_bag(HANDMADE, code_map=WEESP, keep=keep, workers=1)
    vbo, pand = keep / "vbo.parquet", keep / "pand.parquet"
    # The canonical files without points, and a GeoPackage holding them.
    import pyarrow.parquet as pq

    table = pq.read_table(vbo).drop_columns(["x", "y"])
    pq.write_table(table, tmp_path / "vbo.parquet")
    ids = sorted(set(table["vbo_id"].to_pylist()))
    points = {i: (136000.0 + k, 456000.0) for k, i in enumerate(ids)}
    pyogrio.raw.write(
        tmp_path / "bag.gpkg",
        shapely.to_wkb(shapely.points(np.array([points[i] for i in ids]))),
        [np.array(ids, dtype=object), np.array(["0344"] * len(ids), dtype=object)],
        ["identificatie", "gemeentecode"],
        layer="verblijfsobject",
        driver="GPKG",
        geometry_type="Point",
        crs="EPSG:28992",
    )
    figures = bag_ingest.read_bag(
        tmp_path / "vbo.parquet",
        pand=pand,
        geopackage=tmp_path / "bag.gpkg",
        polygons=_polygon_file(tmp_path / "areas.geojson"),
        code_map=WEESP,
        workers=1,
    )
    # The canonical municipality stays (the file's own values win); the points are filled:
    # every dwelling now lies in the Utrecht square.
    assert figures_by_key(figures.municipal)[0] == HANDMADE_YEARS
    inside = figures_by_key(figures.polygons)[0]
    assert sum(v.get("homes_permitted", 0) for v in inside.values()) == 12
    assert figures.stats["geopackage"] == {"rows": 15, "with_gemeente": 15, "with_point": 15}


def test_polygons_need_points(tmp_path: Path) -> None:
    keep = tmp_path / "keep"
    bag_ingest.read_bag(HANDMADE, code_map=WEESP, keep=keep, workers=1)
    import pyarrow.parquet as pq

    pq.write_table(
        pq.read_table(keep / "vbo.parquet").drop_columns(["x", "y"]), tmp_path / "v.parquet"
    )
    with pytest.raises(BagInputError, match="no coordinates"):
        bag_ingest.read_bag(
            tmp_path / "v.parquet", polygons=_polygon_file(tmp_path / "a.geojson"), workers=1
        )


# --- storing and the CLI ---------------------------------------------------------------------


def _stored(url: str) -> tuple[list[dict], list[dict], list[dict]]:
    engine = store.connect(url)
    with store.transaction(engine) as session:
        years = [
            r.to_dict()
            for r in session.scalars(select(Realisation))
            if (r.source_id or "").startswith("bag-")
        ]
        months = [r.to_dict() for r in session.scalars(select(RealisationMonth))]
        sources = [s.to_dict() for s in session.scalars(select(Source)) if s.id.startswith("bag-")]
    engine.dispose()
    return years, months, sources


def test_store_writes_years_and_months_once(tmp_path: Path, loaded_url: str) -> None:
    polygons = _polygon_file(tmp_path / "areas.geojson")
    figures = bag_ingest.read_bag(HANDMADE, code_map=WEESP, polygons=polygons, workers=1)
    engine = store.connect(loaded_url)
    with store.transaction(engine) as session:
        report = bag_ingest.store_bag_figures(session, figures)
    with store.transaction(engine) as session:
        again = bag_ingest.store_bag_figures(session, figures)
    engine.dispose()
    assert report.municipalities == 3 and report.unknown_codes == []
    assert report.polygon_areas == ["LOC-LEIDSCHE-RIJN-ZUILEN"]
    assert report.polygons_not_areas == ["PLAN-0363-042"]
    assert (again.inserted, again.updated, again.months_inserted) == (0, 0, 0)
    years, months, sources = _stored(loaded_url)
    municipal = {(r["area_id"], r["first_year"]): r for r in years if r["area_id"].startswith("GM")}
    expected = {(a, y, m): v for (a, y), ms in HANDMADE_YEARS.items() for m, v in ms.items()}
    got = {
        (r["area_id"], r["first_year"], r["measure"]): r["value"]
        for r in years
        if r["area_id"].startswith("GM")
    }
    assert got == expected and all(not r["provisional"] for r in municipal.values())
    assert {r["area_id"] for r in years} - {"GM0344", "GM0363", "GM1904"} == {
        "LOC-LEIDSCHE-RIJN-ZUILEN"
    }
    # Months: only the extract's own year, provisional, in realisation_month alone.
    assert {(r["area_id"], r["year"], r["month"], r["measure"]): r["value"] for r in months} == {
        (a, y, m, measure): v
        for (a, y, m), ms in HANDMADE_MONTHS.items()
        for measure, v in ms.items()
    }
    assert all(r["provisional"] for r in months)
    assert not any(r["first_year"] == 2023 for r in years)
    (source,) = sources
    assert source["confidence"] == "synthetic" and source["checksum"].startswith("sha256:")


def test_cli_ingests_the_national_layout_and_reconciles(tmp_path: Path, loaded_url: str) -> None:
    runner = CliRunner()
    extract = national_zip(tmp_path)
    result = runner.invoke(
        app, ["--db", loaded_url, "ingest", "bag", str(extract), "--workers", "1"]
    )
    assert result.exit_code == 0, result.stderr
    assert "SYNTHETIC" in result.stdout and "Skipped" in result.stdout
    years, months, _ = _stored(loaded_url)
    assert len(months) == 4 and years
    again = runner.invoke(app, ["--db", loaded_url, "ingest", "bag", str(extract), "--json"])
    report = json.loads(again.stdout)[0]
    assert (report["inserted"], report["updated"], report["months_inserted"]) == (0, 0, 0)
    assert report["years"] == [2012, 2022] and report["synthetic"] is True
    # The national CBS figures ship with the programme: the extract's total is compared.
    rows = json.loads(runner.invoke(app, ["--db", loaded_url, "bag", "reconcile", "--json"]).stdout)
    national = {r["year"]: r for r in rows if r["area_id"] == "NL01"}
    assert national[2020]["bag_new_build"] == 4 and national[2020]["cbs_new_build"] == 69_985
    assert national[2020]["verdict"] == "differs" and national[2020]["explanation"]
    municipal = [r for r in rows if r["area_id"] == "GM0344"]
    assert municipal and all(r["verdict"] == "no CBS figure" for r in municipal)
    one = json.loads(
        runner.invoke(
            app, ["--db", loaded_url, "bag", "reconcile", "--year", "2021", "--json"]
        ).stdout
    )
    assert {r["year"] for r in one} == {2021}
    text = runner.invoke(app, ["--db", loaded_url, "bag", "reconcile"])
    assert text.exit_code == 0 and "SYNTHETIC" in text.stdout


def test_cli_refuses_a_broken_extract_and_writes_nothing(tmp_path: Path, loaded_url: str) -> None:
    from lvbag_data import GDAL

    folder = tmp_path / "broken"
    folder.mkdir()
    shutil.copy(GDAL / "vbo.xml", folder / "vbo.xml")
    shutil.copy(GDAL / "inval_pnd.xml", folder / "inval_pnd.xml")
    result = CliRunner().invoke(app, ["--db", loaded_url, "ingest", "bag", str(folder)])
    assert result.exit_code == 1
    assert "inval_pnd.xml" in result.stderr and "line 69" in result.stderr
    assert "Traceback" not in result.stderr
    assert _stored(loaded_url) == ([], [], [])
    empty = CliRunner().invoke(app, ["--db", loaded_url, "bag", "reconcile"])
    assert empty.exit_code == 1 and "ingest bag" in empty.stderr


def test_discovered_members_are_what_the_parse_reads(tmp_path: Path) -> None:
    extract = lvbag.discover(national_zip(tmp_path), tmp_path / "work")
    assert sorted(m.kind for m in extract.members) == ["GWR", "NUM", "OPR", "PND", "VBO", "WPL"]
