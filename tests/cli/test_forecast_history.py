"""`opgave forecast calibrate` and `opgave forecast backtest` on a SYNTHETIC plan-list history
stored in the database (real municipalities, made-up plans)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opgave import store
from opgave.cli import app
from opgave.forecast.assumptions import load_assumptions
from opgave.forecast.backtest import areas_by_municipality
from opgave.forecast.synthetic import SOURCE, synthetic_history
from opgave.model import Area, AreaMember, Plan, PlanHistory, Source


@pytest.fixture
def history_url(loaded_url: str) -> str:
    engine = store.connect(loaded_url)
    with store.transaction(engine) as session:
        areas = [a.to_dict() for a in session.query(Area)]
        members = [m.to_dict() for m in session.query(AreaMember)]
        _, region_of = areas_by_municipality(areas, members)
        chosen = {g: region_of[g] for g in sorted(region_of)[::30]}  # a dozen, several provinces
        h = synthetic_history(load_assumptions(), plans_per_year=60, municipalities=chosen, seed=4)
        session.add(Source(**SOURCE))
        session.flush()
        session.add_all(Plan(**p) for p in h.plans)
        session.flush()
        session.add_all(PlanHistory(**r) for r in h.history)
    engine.dispose()
    return loaded_url


def test_calibrate_writes_a_file_the_forecast_reads(
    runner: CliRunner, history_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "learned.toml"
    result = runner.invoke(app, ["--db", history_url, "forecast", "calibrate", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "learned from 780 plans in 13 lists" in result.stdout
    learned = load_assumptions(out)
    assert learned.evidence["plans"] == 780 and learned.evidence["captures"] == 13
    assert learned.stated[-1].startswith(str(out))
    printed = runner.invoke(app, ["--db", history_url, "forecast", "calibrate"])
    assert printed.exit_code == 0 and printed.stdout == out.read_text()
    early = runner.invoke(
        app, ["--db", history_url, "forecast", "calibrate", "--as-of", "2012-06-01"]
    )
    assert early.exit_code == 1 and "at least two plan lists" in early.stderr


def test_backtest_reports_coverage_calibration_and_error(
    runner: CliRunner, history_url: str
) -> None:
    args = ["--db", history_url, "forecast", "backtest", "--at", "2020-01-01", "--runs", "300"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["start_year"], payload["end_year"]) == (2020, 2023)
    assert payload["synthetic"] and 0 <= payload["coverage_80"] <= 1
    assert [c["stated"] for c in payload["calibration"]] == [0.1, 0.25, 0.5, 0.75, 0.9]
    assert {c["area_id"] for c in payload["cells"]} >= {"NL01"}
    assert payload["assumptions"][0] == "defaults"
    text = runner.invoke(app, args)
    assert text.exit_code == 0 and "Inside the 80% interval" in text.stdout
    late = runner.invoke(app, [*args[:-4], "--at", "2030-01-01"])
    assert late.exit_code == 1 and "later year" in late.stderr
    bad = runner.invoke(app, [*args[:-4], "--at", "soon"])
    assert bad.exit_code == 1 and "--at expects a date" in bad.stderr


def test_the_forecast_itself_still_runs_as_the_group_s_default(
    runner: CliRunner, history_url: str
) -> None:
    result = runner.invoke(app, ["--db", history_url, "forecast", "--runs", "100", "--json"])
    assert result.exit_code == 0, result.stderr
    assert any(
        r["target_id"] == "NL-WONINGEN-2021-2030" for r in json.loads(result.stdout)["targets"]
    )


def test_calibrate_and_backtest_in_dutch(
    runner: CliRunner, history_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_words import BOX, english_leaks, raw_codes

    from opgave.cli import console

    monkeypatch.setattr(console._made(), "_width", 400)  # sentences on one line
    out = tmp_path / "learned.toml"
    args = ["--db", history_url, "--lang", "nl", "forecast"]
    result = runner.invoke(app, [*args, "calibrate", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    text = BOX.sub(" ", result.stdout)
    assert english_leaks(text) == [] and raw_codes(text) == []
    assert "geleerd van 780 plannen in 13 lijsten" in text and "uitval (90%)" in text
    assert re.search(r"\d,\d\d \(\d,\d\d-\d,\d\d\)", text)  # 0,12 (0,08-0,17): decimal commas
    assert f"{out} geschreven; gebruik het met `opgave forecast --assumptions {out}`." in text
    result = runner.invoke(app, [*args, "backtest", "--at", "2020-01-01", "--runs", "300"])
    assert result.exit_code == 0, result.stderr
    text = BOX.sub(" ", result.stdout)
    assert english_leaks(text) == [] and raw_codes(text) == []
    assert "terugtoets per 1 januari 2020" in text and "Binnen het 80%-interval" in text
    assert "Aannames: standaardaannames; geleerd uit de planlijsten t/m 1 januari 2020 (" in text
    assert re.search(r"Gemiddelde fout [+-][\d.]+ woningen per gebiedsjaar \([+-]\d+,\d%", text)
