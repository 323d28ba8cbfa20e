"""Review: stalled and duplicate plans flagged; corrections applied only where still valid."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from opgave import review
from opgave.cli import app

HEADER = "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year"


def cli(runner: CliRunner, url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


def plan(pid: str, status: str, since: dt.date, name: str = "X", homes: int = 10) -> dict:
    return {"id": pid, "name": name, "gemeente_id": "GM0599", "homes": homes,
            "planstatus": status, "valid_from": since, "dropped_on": None}  # fmt: skip


def test_stalled_counts_from_the_last_status_change() -> None:
    on = dt.date(2025, 6, 1)
    current = [plan("A", "3", dt.date(2024, 1, 1), "Kade"), plan("B", "3", dt.date(2024, 1, 1))]
    history = [
        # A: same status since 2021 (homes changed in 2024, status did not) -> stalled
        {"plan_id": "A", "planstatus": "3", "valid_from": dt.date(2021, 1, 1),
         "valid_to": dt.date(2024, 1, 1)},
        # B: was 4A until 2024 -> status changed recently -> not stalled
        {"plan_id": "B", "planstatus": "4A", "valid_from": dt.date(2020, 1, 1),
         "valid_to": dt.date(2024, 1, 1)},
    ]  # fmt: skip
    assert review.status_since(current[0], history) == dt.date(2021, 1, 1)
    found = review.flags(current, history, on)
    assert [(f.plan_id, f.flag) for f in found] == [("A", "stalled")]
    assert "since 2021-01-01" in found[0].detail


def test_duplicates_same_municipality_name_and_homes() -> None:
    on = dt.date(2022, 1, 1)
    plans = [plan("A", "1A", on, "Havenkwartier", 100), plan("B", "2A", on, " havenkwartier ", 100),
             plan("C", "1A", on, "Havenkwartier", 99)]  # fmt: skip
    found = review.flags(plans, [], on)
    assert [(f.plan_id, f.flag) for f in found] == [("A", "duplicate"), ("B", "duplicate")]


def test_corrections_apply_only_where_old_value_holds(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    plans = tmp_path / "plans.csv"
    plans.write_text(f"{HEADER}\nP1,Kade,GM0599,100,3,2025,2026\nP2,Dijk,GM0599,50,1A,2024,2024\n")
    assert cli(runner, loaded_url, "ingest", "plans", str(plans), "--date", "2024-01-01")[0] == 0
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(
        "plan_id,field,old_value,new_value,reason,date,editor\n"
        "P1,homes,100,120,raadsbesluit,2024-02-01,provincie\n"
        "P2,planstatus,2A,1A,wrong old value,2024-02-01,provincie\n"
        "P9,homes,1,2,no such plan,2024-02-01,provincie\n"
    )
    ledger = tmp_path / "ledger.csv"
    code, out, err = cli(
        runner, loaded_url, "corrections", str(corrections), "--ledger", str(ledger)
    )
    assert code == 0, err
    assert "1 of 3 corrections applied" in out
    assert "row 3 (P2.planstatus): not applied - already holds the new value" in out
    assert "row 4 (P9.homes): not applied - no such plan" in out
    assert (
        ledger.read_text().splitlines()[1]
        == '2,P1,homes,100,120,true,"raadsbesluit (provincie, 2024-02-01)"'
    )
    current = {p["id"]: p for p in json.loads(cli(runner, loaded_url, "plans", "--json")[1])}
    assert current["P1"]["homes"] == 120
    code, out, _ = cli(runner, loaded_url, "corrections", str(corrections))
    assert "0 of 3 corrections applied" in out  # re-running changes nothing
    # a new list with other homes makes the correction obsolete: it is not re-applied
    plans.write_text(f"{HEADER}\nP1,Kade,GM0599,90,3,2025,2026\nP2,Dijk,GM0599,50,1A,2024,2024\n")
    today = dt.date.today().isoformat()
    assert cli(runner, loaded_url, "ingest", "plans", str(plans), "--date", today)[0] == 0
    code, out, _ = cli(runner, loaded_url, "corrections", str(corrections))
    assert "P1.homes): not applied - the field now holds '90', not old_value" in out


def test_bad_corrections_file(runner: CliRunner, loaded_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "plan_id,field,old_value,new_value,reason,date,editor\n"
        "P1,colour,a,b,x,2024-01-01,me\nP1,homes,1,-3,x,01-01-2024,me\nP1,planstatus,1A,9Z,x,2024-01-01,\n"
    )
    code, _, err = cli(runner, loaded_url, "corrections", str(bad))
    assert code == 1
    assert "bad.csv, row 2, field field: expected one of name, gemeente_id, homes" in err
    assert "bad.csv, row 3, field date: expected a date YYYY-MM-DD" in err
    assert "bad.csv, row 4, field editor: a value is required" in err
    assert "bad.csv, row 4, field new_value: expected a planstatus" in err
