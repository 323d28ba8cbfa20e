"""The synthetic demo: reproducible, labelled, consistent with the programme's scale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opgave import demo
from opgave.cli import app


def cli(runner: CliRunner, url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_demo_is_labelled_reproducible_and_idempotent(runner: CliRunner, loaded_url: str) -> None:
    code, out, err = cli(runner, loaded_url, "demo", "--plans", "400")
    assert code == 0, err
    assert "SYNTHETIC" in out and "400 plans added" in out
    code, out, _ = cli(runner, loaded_url, "demo", "--plans", "400")
    assert "0 plans added, 400 unchanged" in out and "0 municipal realisation" in out
    plans = json.loads(cli(runner, loaded_url, "plans", "--json")[1])
    assert len(plans) == 400 and all(p["id"].startswith("SYN-") for p in plans)
    overview = json.loads(cli(runner, loaded_url, "overview", "--json")[1])
    assert overview["synthetic_sources"] == ["synthetic-demo"]
    assert "Synthetic demo data is loaded" in cli(runner, loaded_url, "overview")[1]
    code, _, err = cli(runner, loaded_url, "demo", "--plans", "400", "--seed", "2")
    assert code == 1 and "another seed" in err


def test_demo_plan_list_round_trips_through_ingest(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "demo.csv"
    code, _, err = cli(
        runner, loaded_url, "demo", "--plans", "300", "--seed", "7", "--out", str(out)
    )
    assert code == 0, err
    code, text, err = cli(runner, loaded_url, "ingest", "plans", str(out), "--date", "2025-01-01")
    assert code == 0, err and "300 added" in text
    again = tmp_path / "again.csv"
    cli(runner, loaded_url, "demo", "--plans", "300", "--seed", "7", "--out", str(again))
    assert out.read_bytes() == again.read_bytes()  # same seed, same file


def test_pipeline_scale_and_weights() -> None:
    weight = demo.weights([("A", "P1"), ("B", "P1"), ("C", "P2")], {"P1": 100, "P2": 100}, {"A"})
    assert abs(sum(weight.values()) - 1) < 1e-12
    assert weight["A"] == pytest.approx(demo.CITY_BOOST * weight["B"]) and weight["C"] == 0.5
    plans = demo.synthetic_plans(weight, n_plans=2000, seed=3, total_homes=100_000)
    assert abs(sum(p.homes for p in plans) - 100_000) < 2000  # rounding of 2,000 plans
    hard = sum(p.planstatus[0] in "12" for p in plans) / len(plans)
    assert 0.4 < hard < 0.5
    assert {p.gemeente_id for p in plans} == {"A", "B", "C"}


def test_demo_places_plans_and_figures_in_municipalities_only(
    runner: CliRunner, loaded_url: str
) -> None:
    # regression: strategy region VS-SB (a member of province PV30) was taken for a
    # municipality: plans and figures under "VS-SB" that then vanished from every total
    assert cli(runner, loaded_url, "demo", "--plans", "2000")[0] == 0
    kinds = {a["id"]: a["kind"] for a in json.loads(cli(runner, loaded_url, "areas", "--json")[1])}
    plans = json.loads(cli(runner, loaded_url, "plans", "--json")[1])
    assert {kinds[p["gemeente_id"]] for p in plans} == {"municipality"}
    figures = json.loads(cli(runner, loaded_url, "realisations", "--source", "synthetic",
                             "--json")[1])  # fmt: skip
    assert figures and {kinds[f["area_id"]] for f in figures} == {"municipality"}
    assert all(f["synthetic"] for f in figures)
    # the nation's planned homes equal the sum of the plans: none is lost
    head = json.loads(cli(runner, loaded_url, "overview", "--json")[1])["headline"]
    assert head["planned_homes"] == sum(p["homes"] for p in plans)
    assert head["synthetic_parts"] == ["plans"]  # realised stays real (CBS)


def test_status_as_of_a_date_before_the_demo_plans(runner: CliRunner, loaded_url: str) -> None:
    # regression: plan-area links were not filtered by date while plans were (KeyError, 500)
    assert cli(runner, loaded_url, "demo", "--plans", "600")[0] == 0
    code, out, err = cli(runner, loaded_url, "status", "VS-MRA", "--as-of", "2021-11-24")
    assert code == 0, err
    assert "Synthetic demo data is loaded" in out and "SYNTHETIC" in out
    status = json.loads(
        cli(runner, loaded_url, "status", "VS-MRA", "--as-of", "2021-11-24", "--json")[1]
    )
    assert status["headline"]["plans"] == 0 and status["as_of"] == "2021-11-24"
