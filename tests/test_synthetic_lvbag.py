"""The synthetic LV BAG extract: the real schema, labelled synthetic, reproducible, and read
back by the XML reader into exactly the canonical files it was made from."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import duckdb
import pytest
from lxml import etree

from opgave.ingest import lvbag
from opgave.synthetic_lvbag import SYNTHETIC_MARKER, write_synthetic_extract

CODES = ["0344", "0457", "0363"]


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("synthetic")
    made = write_synthetic_extract(
        folder / "lvbag-synthetic.zip",
        6_000,
        5,
        gemeente_codes=CODES,
        voorkomens_per_file=2_500,
        canonical_dir=folder / "canonical",
    )
    assert made.voorkomens["VBO"] >= 6_000
    return made.path, folder


def test_laid_out_like_the_national_product_and_labelled(extract: tuple[Path, Path]) -> None:
    path, _ = extract
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "Leveringsdocument-BAG-Extract.xml" in names
        assert {"9999VBO08102025.zip", "9999PND08102025.zip", "9999NUM08102025.zip"} <= set(names)
        assert "GEM-WPL-RELATIE-08102025.zip" in names and "9999Inactief08102025.zip" in names
        assert all(
            i.compress_type == zipfile.ZIP_STORED
            for i in z.infolist()
            if i.filename.endswith(".zip")
        )
        assert SYNTHETIC_MARKER in z.read("Leveringsdocument-BAG-Extract.xml").decode()
    found = lvbag.discover(path, path.parent / "discover")
    assert found.synthetic and found.stand_date is not None
    assert len(found.of("VBO")) >= 3  # split over numbered documents


def test_documents_use_the_kadaster_namespaces(extract: tuple[Path, Path]) -> None:
    path, folder = extract
    found = lvbag.discover(path, folder / "ns")
    with lvbag.open_member(found.of("VBO")[0].chain) as f:
        root = etree.parse(f).getroot()
    ns = {
        "O": "www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601",
        "H": "www.kadaster.nl/schemas/lvbag/imbag/historie/v20200601",
        "sl": "http://www.kadaster.nl/schemas/standlevering-generiek/1.0",
    }
    assert (
        root.tag
        == "{http://www.kadaster.nl/schemas/lvbag/extract-deelbestand-lvc/v20200601}bagStand"
    )
    objects = root.findall(".//O:Verblijfsobject", ns)
    assert objects and all(
        o.find("O:voorkomen/H:Voorkomen/H:beginGeldigheid", ns) is not None for o in objects
    )
    ended = [
        o for o in objects if o.find("O:voorkomen/H:Voorkomen/H:eindGeldigheid", ns) is not None
    ]
    assert 0 < len(ended) < len(objects)  # history: closed and current voorkomens


def test_same_arguments_same_extract(tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        made = write_synthetic_extract(
            tmp_path / name / "synthetic.zip",
            500,
            9,
            gemeente_codes=CODES,
            canonical_dir=tmp_path / name,
        )
        digests.append(
            hashlib.sha256((tmp_path / name / "synthetic_vbo.parquet").read_bytes()).hexdigest()
        )
        found = lvbag.discover(made.path, tmp_path / name / "work")
        with lvbag.open_member(found.of("VBO")[0].chain) as f:  # zip times differ, XML not
            digests.append(hashlib.sha256(f.read()).hexdigest())
    assert digests[0] == digests[2] and digests[1] == digests[3]
    with pytest.raises(ValueError, match="synthetic"):
        write_synthetic_extract(tmp_path / "extract.zip", 10, 1)


def test_reader_reproduces_the_canonical_files_exactly(extract: tuple[Path, Path]) -> None:
    path, folder = extract
    result = lvbag.read_extract(path, folder / "work", workers=2)
    assert result.canonical.gemeente_via == {"address": result.canonical.rows["vbo"]}
    truth = folder / "canonical"
    con = duckdb.connect()
    (differences,) = con.execute(
        f"""SELECT count(*) FROM read_parquet('{result.canonical.vbo}') a
        FULL JOIN read_parquet('{truth / "synthetic_vbo.parquet"}') b
            USING (vbo_id, begin_geldigheid)
        WHERE a.vbo_id IS NULL OR b.vbo_id IS NULL
            OR a.gemeente_code IS DISTINCT FROM b.gemeente_code
            OR a.status <> b.status OR a.gebruiksdoel <> b.gebruiksdoel OR a.pand_id <> b.pand_id
            OR a.eind_geldigheid IS DISTINCT FROM b.eind_geldigheid OR abs(a.x - b.x) > 0.001"""
    ).fetchall()[0]
    assert differences == 0
    # Weesp's dwellings change municipality with the merger, as in the canonical files.
    (moved,) = con.execute(
        f"SELECT count(DISTINCT vbo_id) FROM read_parquet('{result.canonical.vbo}') "
        "WHERE vbo_id LIKE '0457%' AND gemeente_code = '0363'"
    ).fetchall()[0]
    assert moved > 0
    (pand_differences,) = con.execute(
        f"""SELECT count(*) FROM (
            SELECT pand_id, status, begin_geldigheid, eind_geldigheid, CAST(bouwjaar AS INTEGER)
            FROM read_parquet('{result.canonical.pand}')
            EXCEPT SELECT pand_id, CAST(status AS VARCHAR), begin_geldigheid, eind_geldigheid,
                CAST(bouwjaar AS INTEGER)
            FROM read_parquet('{truth / "synthetic_pand.parquet"}'))"""
    ).fetchall()[0]
    assert pand_differences == 0
