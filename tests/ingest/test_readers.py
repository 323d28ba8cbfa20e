"""Readers: CSV encodings and delimiters, streamed XLSX, refusals with a message."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from openpyxl import Workbook
from xlsx_fixtures import BILLION_LAUGHS, cell, sheet, write_xlsx

from opgave.ingest.readers import ReadError, detect_delimiter, read_excel, read_source

ROWS = "plan_id;naam;aantal\nP1;Fryslân ëé;1.200\n\nP2;Snits;5\n"


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(ROWS.encode(encoding))
    table = read_source(path)
    assert f"encoding {detected} (detected)" in table.notes
    assert table.header == ["plan_id", "naam", "aantal"]
    assert table.columns["naam"] == ["Fryslân ëé", "Snits"]
    assert table.row_numbers == [2, 4]  # the blank line 3 still counts as a row
    assert table.decimal == ","


def test_latin1_bytes_undefined_in_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes(b"a;b\n\x81x;1\n")
    table = read_source(path)
    assert "encoding latin-1 (detected)" in table.notes
    assert table.columns["a"] == ["\x81x"]


def test_delimiters() -> None:
    assert detect_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert detect_delimiter("a,b,c\n1,2,3\n") == ","
    assert detect_delimiter("a\tb\n1\t2\n") == "\t"
    assert detect_delimiter('a,"b;c"\n1,"2;3"\n') == ","


def test_comma_file_reads_english_numbers(tmp_path: Path) -> None:
    path = tmp_path / "en.csv"
    path.write_text('plan_id,homes\nP1,"1,200"\n', encoding="utf-8")
    table = read_source(path)
    assert table.decimal == "." and table.columns["homes"] == ["1,200"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\n\n  \n", "the file is empty"),
        ("header.csv", b"plan_id;name\n", "row 1: the file has a header but no rows"),
        ("header-semis.csv", b"plan_id;name\n;\n", "the file has a header but no rows"),
        ("binary.csv", b"\x00\x01\x02\x03plan", "this is a binary file, not CSV text"),
        ("zip.csv", b"PK\x03\x04rest", "this is a zip file"),
        ("corrupt.xlsx", b"PK\x03\x04 not really a zip", "not a valid Excel workbook"),
        ("text.xlsx", b"plan_id;name\n", "not a valid Excel workbook"),
        ("plans.pdf", b"%PDF-1.4", "expected a file ending in"),
        ("broken.gpkg", b"SQLite format 3\x00garbage", "not a readable GIS file"),
        ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "not a readable GIS"),
        ("broken.zip", b"PK\x03\x04junk", "not a valid zip file"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError) as caught:
        read_source(path)
    assert message in str(caught.value)
    assert all(p.file == name for p in caught.value.problems)


def test_ragged_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("a;b;c\n1;2;3\n4;5\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"r.csv, row 3: expected 3 cells, got 2"):
        read_source(path)


def test_duplicate_header_names(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a;A\n1;2\n", encoding="utf-8")
    with pytest.raises(ReadError, match="appears twice"):
        read_source(path)


def test_xlsx_formula_values_as_last_computed(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {
            "Blad1": sheet(
                [
                    ["Titel boven de tabel"],
                    [],
                    ["plan_id", "homes"],
                    ["P1", cell("?", 300, formula="100+200")],
                    ["P2", 5],
                ]
            )
        },
    )
    with pytest.raises(ReadError, match=r"f\.xlsx, row 3: a value 'homes' beyond the last named"):
        read_source(path)  # the first non-empty row (a title) is taken as the header

    table = read_excel(path, "f.xlsx", header_row=3)
    assert table.columns == {"plan_id": ["P1", "P2"], "homes": [300, 5]}
    assert table.row_numbers == [4, 5]


def test_declared_dimension_is_ignored_in_bounded_memory(tmp_path: Path) -> None:
    """A small sheet declaring A1:XFD1048576 is read as the two rows it holds."""
    path = write_xlsx(
        tmp_path / "dim.xlsx",
        {"Blad1": sheet([["plan_id", "homes"], ["P1", 12]], dimension="A1:XFD1048576")},
    )
    assert path.stat().st_size < 2000
    tracemalloc.start()
    try:
        table = read_source(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert table.columns == {"plan_id": ["P1"], "homes": [12]}
    assert peak < 200 * 2**20


def test_entity_bomb_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "bomb.xlsx",
        {
            "Blad1": sheet([["&lol9;"]], prolog=BILLION_LAUGHS).replace(
                '<c r="A1" t="inlineStr"><is><t>&amp;lol9;</t></is></c>',
                '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>',
            )
        },
    )
    with pytest.raises(ReadError, match=r"bomb\.xlsx: not a readable Excel workbook") as caught:
        read_source(path)
    assert "entit" in str(caught.value).lower() or "DTD" in str(caught.value)


def test_missing_sheet_and_wide_rows(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["plan_id", "homes"])
    ws.append(["P1", 1, "stray"])
    book.save(tmp_path / "w.xlsx")
    with pytest.raises(ReadError, match=r"no sheet 'Plannen'"):
        read_source(tmp_path / "w.xlsx", sheet="Plannen")
    with pytest.raises(ReadError, match=r"w\.xlsx, row 2: a value 'stray' beyond the last named"):
        read_source(tmp_path / "w.xlsx")
