"""BAG derivation: hand-made histories with known answers, input validation, synthetic files."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from opgave.ingest.bag import (
    PAND_COLUMNS,
    VBO_COLUMNS,
    BagInputError,
    derive_events,
)
from opgave.synthetic_bag import write_synthetic_bag

GEVORMD = "Verblijfsobject gevormd"
NIET_INGEMETEN = "Verblijfsobject in gebruik (niet ingemeten)"
IN_GEBRUIK = "Verblijfsobject in gebruik"
WONEN = "woonfunctie"

V1, V2, V3, V4 = (f"034401000000000{i}" for i in (1, 2, 3, 4))
V5, V6 = "0457010000000005", "0457010000000006"  # Weesp, merged into Amsterdam in 2022
V7, V8, V9 = "0344010000000007", "0344010000000008", "0363010000000009"
P1, P2, P4, P5 = (f"034410000000000{i}" for i in (1, 2, 4, 5))
P3, P6 = "0457100000000003", "0363100000000006"


def _vbo(vbo_id: str, pand_id: str, code: str, *periods: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of one VBO from (status, gebruiksdoel, begin[, gemeente_code]) periods.

    eind_geldigheid is the next period's begin, empty on the last one.
    """
    rows = []
    for i, (status, doel, begin, *other_code) in enumerate(periods):
        eind = periods[i + 1][2] if i + 1 < len(periods) else ""
        rows.append(
            {
                "vbo_id": vbo_id,
                "status": status,
                "gebruiksdoel": doel,
                "begin_geldigheid": begin,
                "eind_geldigheid": eind,
                "pand_id": pand_id,
                "gemeente_code": other_code[0] if other_code else code,
            }
        )
    return rows


def _vbo_rows() -> list[dict[str, str]]:
    rows = [
        # Completes: permitted 2019, completed 2020 (first of niet ingemeten / in gebruik).
        *_vbo(
            V1,
            P1,
            "0344",
            (GEVORMD, WONEN, "2019-03-01"),
            (NIET_INGEMETEN, WONEN, "2020-06-01"),
            (IN_GEBRUIK, WONEN, "2020-09-01"),
        ),
        # Repeats gevormd and in gebruik: counted once each, at the first.
        *_vbo(
            V2,
            P1,
            "0344",
            (GEVORMD, WONEN, "2019-05-01"),
            (GEVORMD, WONEN, "2020-01-15"),
            (NIET_INGEMETEN, WONEN, "2021-02-01"),
            (IN_GEBRUIK, WONEN, "2021-03-01"),
            ("Verbouwing verblijfsobject", WONEN, "2022-01-01"),
            (IN_GEBRUIK, WONEN, "2022-06-01"),
        ),
        # Not a dwelling: never counted, not even the start of its pand.
        *_vbo(
            V3,
            P2,
            "0344",
            (GEVORMD, "kantoorfunctie", "2019-02-01"),
            (IN_GEBRUIK, "kantoorfunctie", "2020-02-01"),
        ),
        # Shop with a home above: woonfunctie among several gebruiksdoelen counts.
        *_vbo(
            V4,
            P2,
            "0344",
            (GEVORMD, "winkelfunctie;woonfunctie", "2020-04-01"),
            (IN_GEBRUIK, "winkelfunctie;woonfunctie", "2021-05-01"),
        ),
        # Weesp: code 0457 until the merger, 0363 after it.
        *_vbo(
            V5,
            P3,
            "0457",
            (GEVORMD, WONEN, "2020-02-01"),
            (NIET_INGEMETEN, WONEN, "2022-05-01", "0363"),
        ),
        # Weesp, only rows from before the merger: needs the code map.
        *_vbo(V6, P3, "0457", (GEVORMD, WONEN, "2021-01-10")),
        # Permit never used: permitted, not completed.
        *_vbo(
            V7,
            P4,
            "0344",
            (GEVORMD, WONEN, "2021-03-01"),
            ("Niet gerealiseerd verblijfsobject", WONEN, "2022-03-01"),
        ),
        # Office turned into a home: completed as a dwelling when first in use as one.
        *_vbo(
            V8,
            P5,
            "344",
            (IN_GEBRUIK, "kantoorfunctie", "2015-01-01"),
            ("Verbouwing verblijfsobject", WONEN, "2020-05-01"),
            (IN_GEBRUIK, WONEN, "2021-07-01"),
        ),
        # Amsterdam, written with "GM"; its pand has two "Bouw gestart".
        *_vbo(V9, P6, "GM0363", (GEVORMD, WONEN, "2022-02-01")),
    ]
    return rows


def _pand_rows() -> list[dict[str, str]]:
    periods = [
        (P1, "Bouwvergunning verleend", "2019-01-01"),
        (P1, "Bouw gestart", "2019-06-01"),
        (P1, "Bouw gestart", "2019-08-01"),
        (P1, "Pand in gebruik", "2020-09-01"),
        (P2, "Bouwvergunning verleend", "2019-01-15"),
        (P2, "Bouw gestart", "2020-03-01"),
        (P3, "Bouw gestart", "2020-10-01"),
        (P4, "Bouwvergunning verleend", "2021-03-01"),
        (P5, "Pand in gebruik", "2015-01-01"),
        (P6, "Bouw gestart", "2022-09-01"),
        (P6, "Bouw gestart", "2023-01-01"),
    ]
    return [
        {
            "pand_id": p,
            "status": s,
            "begin_geldigheid": b,
            "eind_geldigheid": "",
            "bouwjaar": "2020",
        }
        for p, s, b in periods
    ]


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_parquet(path: Path, rows: list[dict[str, str]]) -> Path:
    """Parquet with typed columns: dates as DATE, empty eind as null."""
    table = pa.Table.from_pylist(
        [{k: (v or None) for k, v in r.items()} for r in rows],
    )
    for name in ("begin_geldigheid", "eind_geldigheid"):
        if name in table.column_names:
            i = table.column_names.index(name)
            table = table.set_column(i, name, table[name].cast(pa.date32()))
    pq.write_table(table, path)
    return path


def _as_dict(table: pa.Table) -> dict[tuple[str, int], tuple[Any, Any, Any]]:
    return {
        (r["gemeente_code"], r["year"]): (r["permitted"], r["started"], r["completed"])
        for r in table.to_pylist()
    }


WEESP = {"GM0457": "GM0363"}

EXPECTED = {
    ("GM0344", 2019): (2, 2, 0),
    ("GM0344", 2020): (1, 1, 1),
    ("GM0344", 2021): (1, 0, 3),
    ("GM0363", 2020): (1, 2, 0),
    ("GM0363", 2021): (1, 0, 0),
    ("GM0363", 2022): (1, 1, 1),
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "vbo_csv": _write_csv(tmp_path / "vbo.csv", _vbo_rows()),
        "pand_csv": _write_csv(tmp_path / "pand.csv", _pand_rows()),
        "vbo_parquet": _write_parquet(tmp_path / "vbo.parquet", _vbo_rows()),
        "pand_parquet": _write_parquet(tmp_path / "pand.parquet", _pand_rows()),
    }


def test_known_answers_with_merger_and_pand(files: dict[str, Path]) -> None:
    result = derive_events(files["vbo_csv"], files["pand_csv"], code_map=WEESP)
    assert result.column_names == ["gemeente_code", "year", "permitted", "started", "completed"]
    assert _as_dict(result) == EXPECTED
    # Sorted by municipality and year, one row each.
    keys = list(zip(result["gemeente_code"].to_pylist(), result["year"].to_pylist(), strict=True))
    assert keys == sorted(EXPECTED)


def test_without_code_map_a_dwelling_counts_where_its_latest_row_says(
    files: dict[str, Path],
) -> None:
    got = _as_dict(derive_events(files["vbo_csv"], files["pand_csv"]))
    # V6 only ever had Weesp's code; V5 moved to Amsterdam's code with the merger.
    assert got[("GM0457", 2020)] == (0, 1, 0)
    assert got[("GM0457", 2021)] == (1, 0, 0)
    assert got[("GM0363", 2020)] == (1, 1, 0)
    assert ("GM0363", 2021) not in got


def test_code_map_chains_and_accepts_any_code_spelling(files: dict[str, Path]) -> None:
    chained = {"457": "0999", "GM0999": "363"}
    got = derive_events(files["vbo_csv"], files["pand_csv"], code_map=chained)
    assert _as_dict(got) == EXPECTED


def test_without_pand_file_started_is_absent(files: dict[str, Path]) -> None:
    result = derive_events(files["vbo_csv"], code_map=WEESP)
    assert result.schema.metadata[b"started"] == b"absent: no pand file"
    assert result["started"].null_count == result.num_rows
    expected = {k: (p, None, c) for k, (p, _, c) in EXPECTED.items() if p or c}
    assert _as_dict(result) == expected


def test_csv_and_parquet_give_the_same_result(files: dict[str, Path]) -> None:
    from_csv = derive_events(files["vbo_csv"], files["pand_csv"], code_map=WEESP)
    from_parquet = derive_events(files["vbo_parquet"], files["pand_parquet"], code_map=WEESP)
    mixed = derive_events(files["vbo_parquet"], files["pand_csv"], code_map=WEESP)
    assert from_csv.to_pylist() == from_parquet.to_pylist() == mixed.to_pylist()
    assert from_csv.schema == from_parquet.schema


def test_parquet_with_integer_ids_and_timestamps_is_read_the_same(
    files: dict[str, Path], tmp_path: Path
) -> None:
    table = pq.read_table(files["vbo_parquet"])
    for name in ("vbo_id", "pand_id", "gemeente_code"):
        i = table.column_names.index(name)
        numbers = [int(v.removeprefix("GM")) for v in table[name].to_pylist()]
        table = table.set_column(i, name, pa.array(numbers, pa.int64()))
    i = table.column_names.index("begin_geldigheid")
    table = table.set_column(
        i, "begin_geldigheid", table["begin_geldigheid"].cast(pa.timestamp("s"))
    )
    pq.write_table(table, tmp_path / "typed.parquet")
    got = derive_events(tmp_path / "typed.parquet", files["pand_parquet"], code_map=WEESP)
    assert _as_dict(got) == EXPECTED


def test_progress_reports_each_phase_to_the_end(files: dict[str, Path]) -> None:
    seen: list[tuple[str, float]] = []
    derive_events(
        files["vbo_parquet"], files["pand_parquet"], progress=lambda p, f: seen.append((p, f))
    )
    phases = [p for p, f in seen if f == 1.0]
    assert phases == ["validate vbo", "validate pand", "derive"]
    assert all(0.0 <= f <= 1.0 for _, f in seen)


def test_schema_is_documented_as_data() -> None:
    assert [c.name for c in VBO_COLUMNS] == [
        "vbo_id",
        "status",
        "gebruiksdoel",
        "begin_geldigheid",
        "eind_geldigheid",
        "pand_id",
        "gemeente_code",
    ]
    assert {c.name for c in PAND_COLUMNS if c.required} == {"pand_id", "status", "begin_geldigheid"}
    assert all(c.description and c.expected for c in (*VBO_COLUMNS, *PAND_COLUMNS))


# --- bad input ------------------------------------------------------------------------------


def _problems(vbo: Path, pand: Path | None = None) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(BagInputError) as info:
        derive_events(vbo, pand)
    return [(Path(p.file).name, p.row, p.column, p.message) for p in info.value.problems]


def test_missing_column_is_named(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "gemeente_code"} for r in _vbo_rows()]
    problems = _problems(_write_csv(tmp_path / "vbo.csv", rows))
    assert len(problems) == 1
    name, row, column, message = problems[0]
    assert (name, row, column) == ("vbo.csv", None, "gemeente_code")
    assert "required column missing" in message


def test_every_bad_value_is_reported_with_row_and_column(tmp_path: Path) -> None:
    rows = _vbo_rows()
    rows[1]["status"] = "Verblijfsobject gebouwd"  # row 2: not an official status
    rows[2]["begin_geldigheid"] = "2020-13-45"  # row 3: not a date
    rows[3]["gemeente_code"] = "Amsterdam"  # row 4: not a code
    rows[4]["gebruiksdoel"] = "woonfunctie;wonen"  # row 5: unknown gebruiksdoel
    rows[6]["eind_geldigheid"] = "2001-01-01"  # row 7: ends before it begins
    problems = _problems(_write_csv(tmp_path / "vbo.csv", rows))
    where = {(row, column) for _, row, column, _ in problems}
    assert where == {
        (2, "status"),
        (3, "begin_geldigheid"),
        (4, "gemeente_code"),
        (5, "gebruiksdoel"),
        (7, "eind_geldigheid"),
    }
    messages = {column: message for _, _, column, message in problems}
    assert "'Verblijfsobject gebouwd'" in messages["status"]
    assert "'2020-13-45'" in messages["begin_geldigheid"]
    assert "'Amsterdam'" in messages["gemeente_code"]
    assert "on or after begin_geldigheid" in messages["eind_geldigheid"]


def test_malformed_identificatie_of_a_dwelling_is_reported(tmp_path: Path) -> None:
    rows = _vbo_rows()
    rows[3]["vbo_id"] = "0344A10000000002"  # letter instead of objecttype 01
    rows[8]["pand_id"] = "34410000000003"  # 14 digits: leading zeros lost
    problems = _problems(_write_parquet(tmp_path / "vbo.parquet", rows))
    assert {(row, column) for _, row, column, _ in problems} == {(4, "vbo_id"), (9, "pand_id")}


def test_bad_parquet_rows_are_numbered_from_one(tmp_path: Path) -> None:
    rows = _vbo_rows()
    rows[-1]["status"] = "Gevormd"
    problems = _problems(_write_parquet(tmp_path / "vbo.parquet", rows))
    assert [(row, column) for _, row, column, _ in problems] == [(len(rows), "status")]


def test_bad_pand_file_is_checked_too(tmp_path: Path) -> None:
    pand = _pand_rows()
    pand[0]["status"] = "Bouw begonnen"
    pand[1]["pand_id"] = "0344010000000001"  # a VBO id in the pand column
    problems = _problems(
        _write_csv(tmp_path / "vbo.csv", _vbo_rows()), _write_csv(tmp_path / "pand.csv", pand)
    )
    assert {(name, row, column) for name, row, column, _ in problems} == {
        ("pand.csv", 1, "status"),
        ("pand.csv", 2, "pand_id"),
    }


def test_malformed_pand_id_in_the_pand_file_alone_is_found(tmp_path: Path) -> None:
    pand = _pand_rows()
    pand[5]["pand_id"] = "0344100000000O02"  # letter O for a zero, on a "Bouw gestart" row
    problems = _problems(
        _write_csv(tmp_path / "vbo.csv", _vbo_rows()), _write_csv(tmp_path / "pand.csv", pand)
    )
    assert [(name, row, column) for name, row, column, _ in problems] == [
        ("pand.csv", 6, "pand_id")
    ]
    assert "'0344100000000O02'" in problems[0][3]


def test_only_the_first_rows_of_a_widespread_problem_are_listed(tmp_path: Path) -> None:
    rows = _vbo_rows()
    for r in rows:
        r["gemeente_code"] = "GM12345"
    problems = _problems(_write_csv(tmp_path / "vbo.csv", rows))
    assert [row for _, row, _, _ in problems] == [1, 2, 3, 4, 5, None]
    assert "more rows" in problems[-1][3]


def test_unreadable_or_unknown_files(tmp_path: Path) -> None:
    assert _problems(tmp_path / "missing.parquet")[0][3] == "VBO file not found"
    odd = tmp_path / "vbo.xlsx"
    odd.write_text("x")
    assert "must end in .parquet or .csv" in _problems(odd)[0][3]
    broken = tmp_path / "vbo.parquet"
    broken.write_bytes(b"not parquet at all")
    assert "cannot read VBO file" in _problems(broken)[0][3]


# --- synthetic generator --------------------------------------------------------------------


def test_synthetic_files_are_labelled_exact_and_reproducible(tmp_path: Path) -> None:
    paths = [tmp_path / f"synthetic_{k}_{i}.parquet" for i in (1, 2) for k in ("vbo", "pand")]
    for i in (0, 2):
        n = write_synthetic_bag(
            paths[i], paths[i + 1], 5_003, 7, ["0344", "0457", "363"], code_changes={"457": "363"}
        )
        assert n[0] == 5_003
    vbo = pq.read_table(paths[0])
    assert vbo.num_rows == 5_003
    assert pq.read_schema(paths[0]).metadata[b"synthetic"] == b"true"
    assert vbo.equals(pq.read_table(paths[2]))
    assert pq.read_table(paths[1]).equals(pq.read_table(paths[3]))
    with pytest.raises(ValueError, match="synthetic"):
        write_synthetic_bag(tmp_path / "vbo.parquet", paths[1], 10, 1, ["0344"])


def test_synthetic_extract_derives_plausible_counts(tmp_path: Path) -> None:
    vbo, pand = tmp_path / "synthetic_vbo.parquet", tmp_path / "synthetic_pand.parquet"
    write_synthetic_bag(
        vbo, pand, 20_000, 3, ["0344", "0457", "0363"], code_changes={"0457": "0363"}
    )
    result = derive_events(vbo, pand, code_map=WEESP)
    assert result.schema.metadata[b"synthetic"] == b"true"
    assert set(result["gemeente_code"].to_pylist()) == {"GM0344", "GM0363"}
    table = pq.read_table(vbo, columns=["vbo_id", "gebruiksdoel"])
    dwellings = {
        v
        for v, d in zip(table["vbo_id"].to_pylist(), table["gebruiksdoel"].to_pylist(), strict=True)
        if "woonfunctie" in d
    }
    totals = {c: sum(result[c].to_pylist()) for c in ("permitted", "started", "completed")}
    # Most dwellings are permitted, started and completed once; none more than once.
    assert 0.7 * len(dwellings) < totals["completed"] <= len(dwellings)
    assert 0.8 * len(dwellings) < totals["permitted"] <= len(dwellings)
    assert 0.8 * len(dwellings) < totals["started"] <= len(dwellings)


def test_cli_ingest_bag_stores_counts_with_provenance(tmp_path: Path, loaded_url: str) -> None:
    from typer.testing import CliRunner

    from opgave.cli import app
    from opgave.synthetic_bag import write_synthetic_bag

    vbo, pand = tmp_path / "vbo_synthetic.parquet", tmp_path / "pand_synthetic.parquet"
    write_synthetic_bag(vbo, pand, 3000, seed=5, gemeente_codes=["GM0363", "GM0344", "GM0457"])
    derived = derive_events(vbo, pand, code_map={"GM0457": "GM0363"}).to_pylist()
    # Whole years from 2012 to the year before the latest event; that year goes by month.
    last = max(r["year"] for r in derived)
    expected = [r for r in derived if 2012 <= r["year"] < last]
    runner = CliRunner()
    args = ["--db", loaded_url, "ingest", "bag", str(vbo), "--pand", str(pand)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "SYNTHETIC" in result.stdout
    stored = json.loads(
        runner.invoke(app, ["--db", loaded_url, "realisations", "--source", "bag", "--json"]).stdout
    )
    totals = {m: sum(f["value"] for f in stored if f["measure"] == m) for m in
              ("homes_permitted", "homes_started", "homes_completed")}  # fmt: skip
    assert totals == {
        "homes_permitted": sum(r["permitted"] or 0 for r in expected),
        "homes_started": sum(r["started"] or 0 for r in expected),
        "homes_completed": sum(r["completed"] or 0 for r in expected),
    }
    assert {f["area_id"] for f in stored} <= {"GM0363", "GM0344"}  # Weesp counted in Amsterdam
    assert {f["first_year"] for f in stored} == {r["year"] for r in expected}
    sources = json.loads(runner.invoke(app, ["--db", loaded_url, "overview", "--json"]).stdout)
    assert any(s.startswith("bag-") for s in sources["synthetic_sources"])
    again = runner.invoke(app, args)
    assert "(realisation): 0 new, 0 updated" in again.stdout


def test_cli_ingest_bag_refuses_a_bad_file(tmp_path: Path, loaded_url: str) -> None:
    from typer.testing import CliRunner

    from opgave.cli import app

    bad = tmp_path / "vbo.csv"
    bad.write_text("vbo_id,status\n0363010000000001,Verblijfsobject gevormd\n")
    runner = CliRunner()
    result = runner.invoke(app, ["--db", loaded_url, "ingest", "bag", str(bad)])
    assert result.exit_code == 1 and "vbo.csv" in result.stderr and "gebruiksdoel" in result.stderr
    stored = runner.invoke(app, ["--db", loaded_url, "realisations", "--source", "bag", "--json"])
    assert json.loads(stored.stdout) == []
