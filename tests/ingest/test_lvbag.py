"""Reading the LV BAG XML extract: finding the documents, parsing them, the address chain."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from lvbag_data import GDAL, HANDMADE, NLEXTRACT, national_zip

from opgave.ingest import lvbag


def _rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


# --- the real-format samples ----------------------------------------------------------------


def test_municipality_extract_is_found_like_the_national_product(tmp_path: Path) -> None:
    extract = lvbag.discover(NLEXTRACT, tmp_path)
    assert extract.stand_date is not None and extract.stand_date.isoformat() == "2020-09-15"
    assert extract.area == "gemeente 0221 Doesburg"
    assert not extract.synthetic
    assert sorted({m.kind for m in extract.members}) == ["GWR", "NUM", "OPR", "PND", "VBO", "WPL"]
    # Nested stored zips are read in place through GDAL's /vsizip/.
    vbo = extract.of("VBO")[0]
    assert vbo.gdal_path.startswith("/vsizip//vsizip/") and vbo.gdal_path.endswith(
        "9999VBO15092020.zip/0221VBO15092020-000001.xml"
    )
    reasons = " | ".join(extract.skipped)
    for part in ("Inactief", "InOnderzoek", "NietBag", "LIG", "STA"):
        assert part in reasons
    assert "__MACOSX" not in " ".join(m.label for m in extract.members)


def test_municipality_extract_reads_through_the_address_chain(tmp_path: Path) -> None:
    result = lvbag.read_extract(NLEXTRACT, tmp_path, workers=1)
    assert result.stats.rows == {"VBO": 5, "PND": 6, "NUM": 14, "OPR": 201, "WPL": 1, "GWR": 8504}
    assert result.canonical.gemeente_via == {"address": 5}
    vbo = _rows(result.canonical.vbo)
    assert {r["gemeente_code"] for r in vbo} == {"0221"}  # Doesburg, from the relation
    dwelling = sorted(
        (r for r in vbo if r["vbo_id"] == "0221010000330226"), key=lambda r: r["begin_geldigheid"]
    )
    assert [r["status"] for r in dwelling] == [
        "Verblijfsobject in gebruik",
        "Verblijfsobject in gebruik",
        "Verblijfsobject in gebruik (niet ingemeten)",
        "Verbouwing verblijfsobject",
    ]
    assert dwelling[0]["pand_id"] == "0221100000312938"
    assert dwelling[0]["x"] == pytest.approx(206335.699)
    pand = _rows(result.canonical.pand)
    assert {r["bouwjaar"] for r in pand if r["pand_id"] == "0221100000312938"} == {9999, 1585}


def test_gdal_documents_without_relation_fall_back_on_the_identificatie(tmp_path: Path) -> None:
    folder = tmp_path / "gdal"
    folder.mkdir()
    for name in ("vbo.xml", "pnd.xml", "num.xml", "opr.xml", "wpl.xml", "archive_mixed.zip"):
        shutil.copy(GDAL / name, folder / name)
    result = lvbag.read_extract(folder, tmp_path / "work", workers=1)
    assert result.stats.rows["VBO"] == 3
    # pnd.xml plus the two pand documents inside the mixed zip; its standplaats is skipped.
    assert result.stats.documents["PND"] == 3
    assert any("2_sta.xml" in s and "standplaatsen" in s for s in result.extract.skipped)
    assert result.canonical.gemeente_via == {"identificatie": 3}
    assert any("GEM-WPL-RELATIE" in n for n in result.canonical.notes)
    assert {r["gemeente_code"] for r in _rows(result.canonical.vbo)} == {"0106"}


def test_a_broken_document_is_named_with_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    shutil.copy(GDAL / "vbo.xml", folder / "vbo.xml")
    shutil.copy(GDAL / "inval_pnd.xml", folder / "inval_pnd.xml")
    with pytest.raises(lvbag.LvbagInputError) as info:
        lvbag.read_extract(folder, tmp_path / "work", workers=1)
    (problem,) = info.value.problems
    assert problem.startswith("inval_pnd.xml: ") and "line 69" in problem


def test_no_vbo_document_is_refused(tmp_path: Path) -> None:
    with pytest.raises(lvbag.LvbagInputError, match="no verblijfsobject"):
        lvbag.discover(GDAL / "archive_pnd.zip", tmp_path)
    with pytest.raises(lvbag.LvbagInputError, match="no such file"):
        lvbag.discover(tmp_path / "missing.zip", tmp_path)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(lvbag.LvbagInputError, match="not a readable zip"):
        lvbag.discover(bad, tmp_path)


# --- the hand-made extract: the address chain valid at each date ----------------------------


def _codes(result: lvbag.ExtractResult) -> dict[tuple[str, str], str]:
    return {
        (r["vbo_id"], r["begin_geldigheid"].isoformat()): r["gemeente_code"]
        for r in _rows(result.canonical.vbo)
    }


def test_address_chain_is_taken_on_each_voorkomens_first_day(tmp_path: Path) -> None:
    result = lvbag.read_extract(HANDMADE, tmp_path, workers=1)
    codes = _codes(result)
    # Weesp's woonplaats belongs to Weesp before the merger and to Amsterdam after it.
    assert codes[("0457010000000006", "2020-05-01")] == "0457"
    assert codes[("0457010000000006", "2022-05-01")] == "0363"
    # The address's own woonplaats (ligtIn) wins over its street's.
    assert codes[("0344010000000012", "2018-09-01")] == "1904"
    # The address moved to Maarssen in 2021; the dwelling's voorkomens are older.
    assert codes[("0344010000000013", "2020-10-01")] == "0344"
    # A voorkomen older than its address's first voorkomen takes that first one.
    assert codes[("0344010000000014", "2019-01-10")] == "0344"
    assert result.canonical.gemeente_via == {"address": 33}
    # The inactive voorkomen is not read.
    assert "0344010000000099" not in {v for v, _ in codes}
    assert result.extract.synthetic


def test_national_layout_and_compressed_inner_zips_read_the_same(tmp_path: Path) -> None:
    folder = lvbag.read_extract(HANDMADE, tmp_path / "a", workers=1)
    stored = lvbag.read_extract(national_zip(tmp_path / "zip"), tmp_path / "b", workers=2)
    packed = national_zip(tmp_path / "packed", compress_inner=True)
    compressed = lvbag.read_extract(packed, tmp_path / "c", workers=1)
    assert _codes(folder) == _codes(stored) == _codes(compressed)
    assert stored.stats.rows == folder.stats.rows
    assert any("Inactief" in s for s in stored.extract.skipped)
    assert stored.extract.stand_date == folder.extract.stand_date
    with zipfile.ZipFile(packed) as z:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())


def test_open_member_reads_a_document_inside_nested_zips(tmp_path: Path) -> None:
    extract = lvbag.discover(national_zip(tmp_path), tmp_path / "work")
    (relation,) = extract.of("GWR")
    with lvbag.open_member(relation.chain) as f:
        text = f.read().decode()
    assert text == (HANDMADE / "GEM-WPL-RELATIE-30062023-000001.xml").read_text()
    assert lvbag._bare_parse(extract.of("VBO")[0].chain) == 33


# --- the GeoPackage ----------------------------------------------------------------------


def _geopackage(path: Path, columns: dict[str, list], points: list[tuple[float, float]]) -> Path:
    import numpy as np
    import pyogrio.raw
    import shapely

    geometry = shapely.to_wkb(shapely.points(np.array(points)))
    pyogrio.raw.write(
        path,
        geometry,
        [np.array(v, dtype=object) for v in columns.values()],
        list(columns),
        layer="verblijfsobject",
        driver="GPKG",
        geometry_type="Point",
        crs="EPSG:28992",
    )
    return path


def test_geopackage_gives_municipality_and_point(tmp_path: Path) -> None:
    gpkg = _geopackage(
        tmp_path / "bag.gpkg",
        {
            "identificatie": ["0344010000000001", "0457010000000006"],
            "gemeentecode": ["344", "GM0363"],
        },
        [(136001.0, 456001.5), (130006.0, 482001.5)],
    )
    out, info = lvbag.read_geopackage(gpkg, tmp_path / "gpkg.parquet")
    assert info == {"rows": 2, "with_gemeente": 2, "with_point": 2}
    rows = {r["vbo_id"]: r for r in _rows(out)}
    assert rows["0344010000000001"]["gemeente_code"] == "0344"
    assert rows["0457010000000006"]["gemeente_code"] == "0363"
    assert rows["0344010000000001"]["x"] == pytest.approx(136001.0)


def test_geopackage_without_a_municipality_column_says_what_it_found(tmp_path: Path) -> None:
    gpkg = _geopackage(
        tmp_path / "bag.gpkg",
        {"identificatie": ["0344010000000001"], "status": ["x"]},
        [(1.0, 2.0)],
    )
    with pytest.raises(lvbag.LvbagInputError) as info:
        lvbag.read_geopackage(gpkg, tmp_path / "gpkg.parquet")
    message = str(info.value)
    assert "no municipality column" in message and "gemeentecode" in message and "status" in message


def test_geopackage_fills_the_municipality_when_the_chain_is_missing(tmp_path: Path) -> None:
    folder = tmp_path / "vbo-only"
    folder.mkdir()
    for kind in ("VBO", "PND"):
        name = f"9999{kind}30062023-000001.xml"
        shutil.copy(HANDMADE / name, folder / name)
    gpkg = _geopackage(
        tmp_path / "bag.gpkg",
        {"identificatie": ["0344010000000001"], "gemeente_code": ["0344"]},
        [(136001.0, 456001.5)],
    )
    result = lvbag.read_extract(folder, tmp_path / "work", workers=1, geopackage=gpkg)
    via = result.canonical.gemeente_via
    assert via["geopackage"] == 3 and via["identificatie"] == 30
    codes = _codes(result)
    assert codes[("0344010000000001", "2019-01-10")] == "0344"
    assert codes[("0457010000000006", "2022-05-01")] == "0457"  # from its identificatie
