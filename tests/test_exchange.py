"""Export and import: byte-identical round trips, and bad folders refused whole."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from opgave import exchange, store
from opgave.model import TABLES


def export(url: str, directory: Path, fmt: str) -> dict[str, bytes]:
    engine = store.connect(url)
    with store.transaction(engine) as session:
        paths = exchange.export_all(session, directory, fmt)
    engine.dispose()
    return {p.name: p.read_bytes() for p in paths}


def fresh(url: str, tmp_path: Path, name: str) -> str:
    """A second empty database beside ``url`` on the same backend."""
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / name}"
    return url  # PostgreSQL: reuse the test's database after dropping its tables


def empty_copy(url: str, tmp_path: Path) -> str:
    target = fresh(url, tmp_path, "copy.db")
    engine = store.connect(target)
    if target == url:
        from opgave.model import Base

        with engine.begin() as c:
            Base.metadata.drop_all(c)
            c.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    store.migrate(engine)
    engine.dispose()
    return target


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_import_export_is_byte_identical(loaded_url: str, tmp_path: Path, fmt: str) -> None:
    first = export(loaded_url, tmp_path / "a", fmt)
    assert set(first) == {
        "manifest.json",
        *(
            f"{m.__tablename__}.{fmt}"
            for m in TABLES
            if m.__tablename__ not in exchange.SECRET_TABLES
        ),
    }
    target = empty_copy(loaded_url, tmp_path)
    engine = store.connect(target)
    with store.transaction(engine) as session:
        counts = exchange.import_all(session, tmp_path / "a")
    assert counts["area"] == 424 and counts["agreement_event"] == 31
    engine.dispose()
    second = export(target, tmp_path / "b", fmt)
    assert first == second


def test_csv_values_are_canonical(loaded_url: str, tmp_path: Path) -> None:
    export(loaded_url, tmp_path, "csv")
    with (tmp_path / "target.csv").open() as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    mra = rows["MRA-WONINGEN-2030"]
    assert (mra["value_min"], mra["value_max"], mra["approximate"]) == (
        "175000.0",
        "220000.0",
        "false",
    )
    with (tmp_path / "agreement.csv").open() as f:
        first = next(csv.DictReader(f))
    assert first["themes"].startswith('["')


def corrupt(directory: Path, table: str, column: str, row: int, value: str | None) -> None:
    """Set one cell of an exported CSV (row numbered as in a spreadsheet), or with
    value None drop the whole column."""
    path = directory / f"{table}.csv"
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    index = rows[0].index(column)
    if value is None:
        for r in rows:
            r.pop(index)
    else:
        rows[row - 1][index] = value
    with path.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def import_problems(url: str, tmp_path: Path, directory: Path) -> list[str]:
    target = empty_copy(url, tmp_path)
    engine = store.connect(target)
    with pytest.raises(exchange.ImportProblems) as raised, store.transaction(engine) as session:
        exchange.import_all(session, directory)
    with store.transaction(engine) as session:
        for model in TABLES:  # nothing was written
            assert session.scalar(select(func.count()).select_from(model.__table__)) == 0
    engine.dispose()
    return [str(p) for p in raised.value.problems]


def test_bad_folder_names_file_row_field_and_writes_nothing(
    loaded_url: str, tmp_path: Path
) -> None:
    export(loaded_url, tmp_path / "x", "csv")
    corrupt(tmp_path / "x", "target", "first_year", 3, "twenty")
    corrupt(tmp_path / "x", "target", "approximate", 4, "yes")
    corrupt(tmp_path / "x", "agreement", "area_id", 4, "VS-NOWHERE")
    corrupt(tmp_path / "x", "meeting", "kind", 1, None)
    problems = import_problems(loaded_url, tmp_path, tmp_path / "x")
    assert "target.csv, row 3, field first_year: expected a whole number, got 'twenty'" in problems
    assert "target.csv, row 4, field approximate: expected true or false, got 'yes'" in problems
    assert "meeting.csv, row 1, field kind: column is missing" in problems
    # references are checked once every file parses; here the missing column stops that
    assert not any("VS-NOWHERE" in p for p in problems)


def test_unknown_reference_is_refused(loaded_url: str, tmp_path: Path) -> None:
    export(loaded_url, tmp_path / "x", "csv")
    corrupt(tmp_path / "x", "agreement", "area_id", 4, "VS-NOWHERE")
    problems = import_problems(loaded_url, tmp_path, tmp_path / "x")
    assert problems == [
        "agreement.csv, row 4, field area_id: unknown reference 'VS-NOWHERE' (no such area.id)"
    ]


def test_import_needs_an_empty_database(loaded_url: str, tmp_path: Path) -> None:
    export(loaded_url, tmp_path / "x", "csv")
    engine = store.connect(loaded_url)
    with pytest.raises(exchange.ImportProblems, match="not empty"), store.transaction(engine) as s:
        exchange.import_all(s, tmp_path / "x")
    engine.dispose()


def test_binary_cells_round_trip_as_hex() -> None:
    """A plan's WKB geometry is written as hexadecimal text and read back as the bytes."""
    from opgave.exchange import _cell, _parse
    from opgave.model import PlanGeometry, table_of

    column = table_of(PlanGeometry).c.geometry_wkb
    assert _cell(column, b"\x01\x02\xff") == "0102ff"
    assert _parse(column, "0102ff") == b"\x01\x02\xff"
    with pytest.raises(ValueError, match="hexadecimal"):
        _parse(column, "not hex")
