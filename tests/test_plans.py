"""Plan lists: validation with row and column, upsert with history, --as-of and --compare."""

from __future__ import annotations

import json
from pathlib import Path

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
