"""Plan lists: validation with row and column, upsert with history, --as-of and --compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from opgave.cli import app

HEADER = "plan_id,name,gemeente_code,homes,social_rent_share,planstatus,first_year,last_year"
FIRST = [
    HEADER,
    "P1,Oostflank fase 1,GM0599,1200,0.3,1A,2023,2026",
    "P2,Binckhorst Noord,0518,800,,vastgesteld,2024,2027",
    "P3,Weesp Centrum,GM0457,300,,3,2025,2026",
]
SECOND = [
    HEADER,
    "P1,Oostflank fase 1,GM0599,1200,0.3,1A,2024,2027",  # delayed a year
    "P2,Binckhorst Noord,0518,800,,1A,2024,2027",  # reclassified 2A -> 1A
    "P4,Merwedekanaal,GM0344,2000,0.4,4A,2026,2030",  # added; P3 (Amsterdam) dropped
    "P5,Amsterdam West,GM0363,100,,2B,2025,2025",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli(runner: CliRunner, url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_import_twice_as_of_and_compare(runner: CliRunner, loaded_url: str, tmp_path: Path) -> None:
    first = write(tmp_path / "plans_2021.csv", FIRST)
    code, out, err = cli(runner, loaded_url, "ingest", "plans", str(first), "--date", "2021-11-24")
    assert code == 0, err
    assert "3 added, 0 changed, 0 dropped" in out
    code, out, _ = cli(runner, loaded_url, "ingest", "plans", str(first), "--date", "2021-11-24")
    assert "0 added, 0 changed, 0 dropped, 3 unchanged" in out  # re-running changes nothing
    plans = {p["id"]: p for p in json.loads(cli(runner, loaded_url, "plans", "--json")[1])}
    assert plans["P3"]["gemeente_id"] == "GM0363"  # Weesp merged into Amsterdam
    assert plans["P2"]["planstatus"] == "2A" and plans["P1"]["social_rent_homes"] == 360
    second = write(tmp_path / "plans_2022.csv", SECOND)
    code, out, err = cli(runner, loaded_url, "ingest", "plans", str(second), "--date", "2022-06-01")
    assert code == 0, err
    assert "2 added, 2 changed, 1 dropped" in out
    then = json.loads(cli(runner, loaded_url, "plans", "--as-of", "2021-11-24", "--json")[1])
    assert {p["id"]: (p["first_year"], p["planstatus"]) for p in then} == {
        "P1": (2023, "1A"),
        "P2": (2024, "2A"),
        "P3": (2025, "3"),
    }
    assert json.loads(cli(runner, loaded_url, "plans", "--as-of", "2021-01-01", "--json")[1]) == []
    code, out, _ = cli(
        runner, loaded_url, "status", "--compare", "2021-11-24", "2022-06-01", "--json"
    )
    diff = json.loads(out)
    assert diff["added"]["plans"] == ["P4", "P5"] and diff["dropped"]["plans"] == ["P3"]
    assert diff["delayed"]["plans"] == ["P1"] and diff["reclassified"]["plans"] == ["P2"]
    assert diff["changed"]["P1"]["first_year"] == [2023, 2024]

    # capacity as of each date follows the list of that date
    def zr_capacity(*extra: str) -> float:
        result = json.loads(cli(runner, loaded_url, "status", "VS-ZR", *extra, "--json")[1])
        va = next(r for r in result["targets"] if r["target"]["id"] == "ZR-VA-2040")
        return float(va["capacity"]["planned_all"])

    assert zr_capacity("--as-of", "2021-11-24") == 2000
    assert zr_capacity() == 2000

    def national_capacity(*extra: str) -> float:
        result = json.loads(cli(runner, loaded_url, "status", *extra, "--json")[1])
        return float(result["headline"]["capacity"]["planned_all"])

    # the ministry's count runs to 2024 (provisional), so capacity counts 2025-2030: P1 2/4 of
    # 1200, P2 3/4 of 800, P3
    assert national_capacity("--as-of", "2021-11-24") == 600 + 600 + 300
    assert national_capacity() == 900 + 600 + 2000 + 100  # P1 moved into 2024-2027


def test_lists_must_come_in_date_order(runner: CliRunner, loaded_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", FIRST)
    assert cli(runner, loaded_url, "ingest", "plans", str(path), "--date", "2022-01-01")[0] == 0
    code, _, err = cli(runner, loaded_url, "ingest", "plans", str(path), "--date", "2021-01-01")
    assert code == 1 and "import lists in date order" in err


def test_bad_list_names_every_problem_and_writes_nothing(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    bad = write(
        tmp_path / "bad.csv",
        [
            HEADER,
            "P1,Goed,GM0599,100,,1A,2023,2024",
            "P2,Geen getal,GM0599,veel,,1A,2023,2024",
            "P3,Onbekende gemeente,GM9999,10,,1A,2023,2024",
            "P1,Dubbel,GM0599,10,,1A,2023,2024",
            "P4,Negatief,GM0599,-5,,1A,2023,2024",
            "P5,Status,GM0599,5,,5X,2023,2024",
            "P6,Jaren,GM0599,5,1.5,2A,2025,2024",
        ],
    )
    code, _, err = cli(runner, loaded_url, "ingest", "plans", str(bad))
    assert code == 1
    for expected in [
        "bad.csv, row 3, field homes: expected a whole number, got 'veel'",
        "bad.csv, row 4, field gemeente_code: unknown municipality GM9999",
        "bad.csv, row 5, field plan_id: duplicate id 'P1' (first in row 2)",
        "bad.csv, row 6, field homes: expected a number >= 0, got -5",
        "bad.csv, row 7, field planstatus: unknown planstatus '5X'",
        "bad.csv, row 8, field last_year: last_year 2024 is before first_year 2025",
        "bad.csv, row 8, field social_rent_share: expected a share between 0 and 1",
    ]:
        assert expected in err, expected
    assert json.loads(cli(runner, loaded_url, "plans", "--json")[1]) == []
    missing = write(tmp_path / "missing.csv", ["plan_id,name,homes", "P1,X,5"])
    code, _, err = cli(runner, loaded_url, "ingest", "plans", str(missing))
    assert code == 1 and "missing.csv, row 1, field gemeente_code: column is missing" in err


def test_excel_with_yearly_columns(runner: CliRunner, loaded_url: str, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            "plan_id",
            "name",
            "gemeente_code",
            "homes",
            "planstatus",
            "first_year",
            "last_year",
            "homes_2025",
            "homes_2026",
            "area_ids",
            "precondition_ids",
        ]
    )
    sheet.append(
        [
            "X1",
            "Oude Lijn Leiden",
            "GM0546",
            500,
            "2A",
            2025,
            2026,
            200,
            300,
            "GWB-OUDE-LIJN",
            "PC-OV-OUDE-LIJN",
        ]
    )
    sheet.append(["X2", "Fout", "GM0546", 500, "2A", 2025, 2026, 200, 200, "", ""])
    book.save(tmp_path / "plans.xlsx")
    code, _, err = cli(runner, loaded_url, "ingest", "plans", str(tmp_path / "plans.xlsx"))
    assert code == 1 and "plans.xlsx, row 3, field homes: the yearly columns add up to 400" in err
    sheet.delete_rows(3)
    book.save(tmp_path / "plans.xlsx")
    code, _, err = cli(runner, loaded_url, "ingest", "plans", str(tmp_path / "plans.xlsx"))
    assert code == 0, err
    plans = json.loads(cli(runner, loaded_url, "plans", "--area", "GWB-OUDE-LIJN", "--json")[1])
    assert [(p["id"], p["homes_by_year"]) for p in plans] == [("X1", [200, 300])]


# --- issue 12: plan lists as Dutch offices make them -------------------------------------

DUTCH = [
    "plan_id;name;gemeente_code;homes;planstatus;first_year;last_year",
    "F1;Leeuwarden Súd;GM0080; 1.200 ;1a;2024;2027",
    "F2; Snits ;Súdwest-Fryslân;2.500;2A Vastgesteld;2025;2028",
    "F3;Dokkum;gm1970;40;3 In voorbereiding;2026;2026",
]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
def test_dutch_files_are_accepted(
    runner: CliRunner, loaded_url: str, tmp_path: Path, encoding: str
) -> None:
    """Windows-1252 (was a UnicodeDecodeError traceback), a BOM, ';', "1.200" (was refused),
    stray spaces, lower-case codes and a municipality name."""
    path = tmp_path / "fryslan.csv"
    path.write_bytes(("\r\n".join(DUTCH) + "\r\n").encode(encoding))
    code, out, err = cli(runner, loaded_url, "ingest", "plans", str(path), "--date", "2022-06-01")
    assert code == 0, err
    assert "3 added" in out
    plans = {p["id"]: p for p in json.loads(cli(runner, loaded_url, "plans", "--json")[1])}
    assert plans["F1"]["homes"] == 1200 and plans["F2"]["homes"] == 2500
    assert plans["F1"]["name"] == "Leeuwarden Súd" and plans["F2"]["name"] == "Snits"
    assert plans["F2"]["gemeente_id"] == "GM1900" and plans["F3"]["planstatus"] == "3"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "header.csv",
            HEADER.encode() + b"\n",
            "header.csv, row 1: the file has a header but no rows",
        ),
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("corrupt.xlsx", b"PK\x03\x04garbage", "corrupt.xlsx: not a valid Excel workbook"),
        ("binary.csv", bytes(range(256)), "binary.csv: this is a binary file"),
    ],
)
def test_unreadable_lists_are_refused_without_traceback(
    runner: CliRunner, loaded_url: str, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = cli(runner, loaded_url, "ingest", "plans", str(path))
    assert code == 1 and message in err and "Traceback" not in err
    assert json.loads(cli(runner, loaded_url, "plans", "--json")[1]) == []


def test_refusals_name_file_row_and_column_and_write_nothing(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    bad = write(
        tmp_path / "bad.csv",
        [
            HEADER,
            "P1,Goed,GM0599,100,,1A,2023,2024",
            "P2,Fractie,GM0599,12.5,,1A,2023,2024",
            "P3,Bereik,GM0599,100-150,,1A,2023,2024",
            'P4,=HYPERLINK("x"),GM0599,5,,1A,2023,2024',
            "P5,Jaar,GM0599,5,,1A,2023,20244",
        ],
    )
    report = tmp_path / "report.csv"
    code, _, err = cli(runner, loaded_url, "ingest", "plans", str(bad), "--report", str(report))
    assert code == 1
    for expected in (
        "bad.csv, row 3, field homes: expected a whole number, got '12.5'",
        "bad.csv, row 4, field homes: expected one whole number, got the range '100-150'",
        "bad.csv, row 5, field name: text starting with '=' would run as a formula",
        "bad.csv, row 6, field last_year: expected a year 1900-2100, got 20244",
    ):
        assert expected in err, expected
    assert json.loads(cli(runner, loaded_url, "plans", "--json")[1]) == []
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "row,plan_id,field,column,source_value,mapped_value,message"
    assert any(line.startswith("3,P2,problem,homes") for line in lines)
    assert any("'=HYPERLINK" in line for line in lines)  # quoted, never executable


def test_gis_register_with_mapping_report_and_geometry(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    from opgave import synthetic_register

    path = tmp_path / "register.gpkg"
    synthetic_register.write(path, 60, seed=3)
    report = tmp_path / "report.html"
    code, out, err = cli(
        runner,
        loaded_url,
        "ingest",
        "plans",
        str(path),
        "--mapping",
        "gis-register",
        "--date",
        "2025-06-01",
        "--report",
        str(report),
    )
    assert code == 0, err
    assert "60 added" in out and "profile gis-register" in out
    html = report.read_text(encoding="utf-8")
    assert "How values were mapped" in html and "planstatus" in html
    plans = json.loads(cli(runner, loaded_url, "plans", "--json")[1])
    assert len(plans) == 60
    from sqlalchemy import create_engine, func, select

    from opgave.model import PlanGeometry

    with create_engine(loaded_url).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(PlanGeometry)) == 60
    from opgave.service import Service, geo

    outlines = geo.plan_outlines(Service(loaded_url))  # the map's GeoJSON, made when asked
    assert len(outlines) == 60 and {p["id"] for p in plans} == set(outlines)
    assert {json.loads(t)["type"] for t in outlines.values()} <= {
        "Polygon",
        "MultiPolygon",
        "Point",
    }
    code, out, _ = cli(runner, loaded_url, "ingest", "propose-mapping", str(path))
    assert code == 0 and 'name = "plannaam"' in out and '"OP2020-2024" = [2020, 2024]' in out


def test_capacity_totals_through_the_cli(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    profile = tmp_path / "cap.toml"
    profile.write_text(
        '[profile]\nkind = "capacity"\n[[sheets]]\narea = "gemeente"\n[[sheets.totals]]\n'
        'column = "hard 2022-2030"\nhardness = "hard"\nyears = [2022, 2030]\n'
        'gross_or_net = "net"\n',
        encoding="utf-8",
    )
    path = tmp_path / "totals.csv"
    path.write_text("gemeente;hard 2022-2030\nUtrecht;1.500\nZeist;n.b.\n", encoding="cp1252")
    code, out, err = cli(
        runner,
        loaded_url,
        "ingest",
        "capacity",
        str(path),
        "--mapping",
        str(profile),
        "--date",
        "2022-06-01",
    )
    assert code == 0, err
    assert "1 capacity totals for 1 areas" in out
    code, out, _ = cli(runner, loaded_url, "capacity-totals", "--json")
    totals = json.loads(out)
    assert [(t["area_id"], t["homes"], t["gross_or_net"]) for t in totals] == [
        ("GM0344", 1500, "net")
    ]


def test_rows_from_columns_equal_rows_made_one_by_one() -> None:
    """The column-wise constructor makes the same frozen rows as ``PlanRow(...)``."""
    import dataclasses

    from opgave.ingest.plans import PlanRow

    made = [
        PlanRow("P1", "Eén", "GM0363", 10, 1, None, 2, "1A", 2025, 2026, [5, 5], ("X",), (), None),
        PlanRow("P2", "Twee", "GM0599", 3, None, None, None, "4B", 2030, 2030, None),
    ]
    columns = [[getattr(r, f.name) for r in made] for f in dataclasses.fields(PlanRow)]
    rows = PlanRow.from_columns(columns)
    assert rows == made and hash(rows[1]) == hash(made[1])
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].homes = 11  # type: ignore[misc]
    with pytest.raises(ValueError, match="expected 14 columns"):
        PlanRow.from_columns(columns[:3])
