"""The tour's sample files (opgave.examples, service.examples, `opgave examples`): shipped
files that load, and a later SYNTHETIC plan list of the demo whose import stays synthetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opgave import outlook
from opgave.cli import app
from opgave.examples import LATER, SAMPLES, later_plan_list


def run(runner: CliRunner, url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


def plan(i: int, gemeente: str = "GM0034", status: str = "3") -> dict[str, object]:
    return {
        "id": f"SYN-{i:06d}", "name": f"plan {i}", "gemeente_id": gemeente, "homes": 100 + i,
        "social_rent_homes": 30, "mid_rent_homes": 20, "affordable_buy_homes": None,
        "planstatus": status, "first_year": 2026, "last_year": 2027,
    }  # fmt: skip


def test_the_later_list_changes_the_demo_plans_in_fixed_ways() -> None:
    plans = [plan(i) for i in range(22)] + [plan(99, gemeente="GM0363")]
    rows = later_plan_list(plans, {"SYN-000003": ["LOC-X"]}, {"SYN-000003": ["PC-X"]})
    by_id = {r.id: r for r in rows}
    assert "SYN-000099" not in by_id  # another municipality: not in the list
    assert {"SYN-000005", "SYN-000016"}.isdisjoint(by_id)  # every 11th from the 6th: dropped
    assert by_id["SYN-000001"].planstatus == "2C"  # every 5th from the 2nd: one step firmer
    assert (by_id["SYN-000003"].first_year, by_id["SYN-000003"].last_year) == (2027, 2028)
    assert by_id["SYN-000003"].area_ids == ("LOC-X",)  # links kept as they were
    assert by_id["SYN-000003"].precondition_ids == ("PC-X",)
    assert by_id["SYN-000000"].planstatus == "3" and by_id["SYN-000000"].first_year == 2026
    new = [r for r in rows if r.id.startswith("SYN-9")]
    assert [(r.homes, r.gemeente_id) for r in new] == [
        (250, "GM0034"), (120, "GM0392"), (80, "GM0479")
    ]  # fmt: skip
    assert later_plan_list(plans, {}, {}) == later_plan_list(plans, {}, {})  # deterministic


def test_the_shipped_samples_exist_and_the_scenario_loads() -> None:
    shipped = [s for s in SAMPLES if s.shipped is not None]
    assert [s.name for s in shipped] == ["zonder-ov.toml", "applications.csv"]
    assert all(s.shipped is not None and s.shipped.is_file() for s in shipped)
    path = SAMPLES[0].shipped
    assert path is not None
    scenario = outlook.parse_scenario(path.read_text(encoding="utf-8"), path.name)
    assert "Oude Lijn" in str(scenario)


def test_examples_writes_the_files_the_tour_uses(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "here"
    code, out, err = run(runner, loaded_url, "examples", str(folder))
    assert code == 0, err
    assert (folder / "zonder-ov.toml").is_file() and (folder / "applications.csv").is_file()
    assert "skipped    synthetic-plans-2025-07-01.csv: no SYNTHETIC demo plans" in out
    assert "next: opgave scenario add zonder-ov zonder-ov.toml" in out
    code, _, err = run(
        runner, loaded_url, "scenario", "add", "zonder-ov", str(folder / "zonder-ov.toml")
    )
    assert code == 0, err
    code, out, err = run(runner, loaded_url, "funding", "import", str(folder / "applications.csv"))
    assert code == 0 and "40 applications added" in out, err

    assert run(runner, loaded_url, "demo", "--plans", "2000")[0] == 0
    code, out, err = run(runner, loaded_url, "examples", str(folder))
    assert code == 0, err
    assert "unchanged  " in out and "written    " in out
    later = folder / f"synthetic-plans-{LATER}.csv"
    code, out, err = run(runner, loaded_url, "ingest", "plans", str(later), "--date", str(LATER))
    assert code == 0, err
    assert "SYNTHETIC: it updates synthetic plans." in out
    # the plans of the later list stay synthetic everywhere they are shown
    code, out, _ = run(runner, loaded_url, "plans", "--area", "GM0034", "--json")
    assert code == 0
    plans = json.loads(out)
    assert plans and all(p["synthetic"] for p in plans)
    code, out, _ = run(
        runner, loaded_url, "status", "--compare", "2025-01-01", str(LATER), "--json"
    )
    diff = json.loads(out)
    assert diff["added"]["plans"] == ["SYN-900001", "SYN-900002", "SYN-900003"]
    assert diff["dropped"]["plans"] and diff["delayed"]["plans"] and diff["reclassified"]["plans"]
    assert {p[:4] for p in diff["dropped"]["plans"]} == {"SYN-"}


def test_examples_refuses_to_overwrite_a_different_file(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    (tmp_path / "zonder-ov.toml").write_text("# mine\n")
    code, _, err = run(runner, loaded_url, "examples", str(tmp_path))
    assert code == 1 and "zonder-ov.toml already exist(s)" in err and "--force" in err
    assert (tmp_path / "zonder-ov.toml").read_text() == "# mine\n"
    assert not (tmp_path / "applications.csv").exists()  # nothing written
    code, _, err = run(runner, loaded_url, "examples", str(tmp_path), "--force")
    assert code == 0, err
    assert "OV-schaalsprong" in (tmp_path / "zonder-ov.toml").read_text()


def test_a_real_plan_list_is_not_labelled_synthetic(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    assert run(runner, loaded_url, "demo", "--plans", "300")[0] == 0
    own = tmp_path / "eigen.csv"
    own.write_text(
        "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year\n"
        "HLM-1,Haarlem Zuid,GM0392,400,1A,2026,2028\n"
    )
    code, out, err = run(
        runner, loaded_url, "ingest", "plans", str(own), "--date", "2025-03-01", "--partial"
    )
    assert code == 0, err
    assert "SYNTHETIC" not in out
    plans = {p["id"]: p for p in json.loads(run(runner, loaded_url, "plans", "--json")[1])}
    assert plans["HLM-1"]["synthetic"] is False


@pytest.mark.parametrize("name", ["zonder-ov.toml"])
def test_the_tour_names_the_shipped_files(name: str) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert name in readme and "opgave examples" in readme
