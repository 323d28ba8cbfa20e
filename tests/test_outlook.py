"""The programme's forecast through the CLI: per-target probabilities, seeds, scenarios, charts."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opgave import outlook
from opgave.cli import app, console
from opgave.forecast.assumptions import PLANSTATUSES, Assumptions, load_assumptions
from opgave.state import ProgrammeState


def cli(runner: CliRunner, url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo_url(loaded_url: str, runner: CliRunner) -> str:
    code, _, err = cli(runner, loaded_url, "demo", "--plans", "600", "--seed", "3")
    assert code == 0, err
    return loaded_url


def sure(tmp_path: Path) -> Assumptions:
    """Assumptions under which every plan delivers on time."""
    path = tmp_path / "sure.toml"
    statuses = PLANSTATUSES
    path.write_text(
        "[dropout]\n" + "".join(f'"{s}" = 0.0\n' for s in statuses)
        + "[delay]\n" + "".join(f'"{s}" = [1.0]\n' for s in statuses)
    )  # fmt: skip
    return load_assumptions(path)


def area(area_id: str, kind: str) -> dict[str, object]:
    return {"id": area_id, "kind": kind, "name": area_id, "members_complete": True,
            "valid_from": None, "valid_to": None, "display_order": None}  # fmt: skip


def test_realised_counts_first_and_the_pipeline_is_simulated_after(tmp_path: Path) -> None:
    target = {"id": "T", "area_id": "NL01", "measure": "homes_built", "first_year": 2021,
              "last_year": 2026, "value_min": 1000.0, "value_max": 1200.0,
              "approximate": False}  # fmt: skip
    realised = [{"area_id": "NL01", "measure": m, "first_year": y, "last_year": y,
                 "value": v, "provisional": False, "source_id": "s"}
                for y in (2021, 2022, 2023)
                for m, v in (("homes_net_added", 180.0), ("homes_demolished", 20.0))]  # fmt: skip
    plans = [{"id": "P", "gemeente_id": "GM1", "homes": 450, "planstatus": "1A",
              "first_year": 2023, "last_year": 2025, "homes_by_year": None}]  # fmt: skip

    def state() -> ProgrammeState:
        return ProgrammeState(
            as_of=None,
            areas=[area("NL01", "nation"), area("GM1", "municipality")],
            members=[{"parent_id": "NL01", "child_id": "GM1"}],
            code_changes=[],
            targets=[target],
            sources=[{"id": "s", "kind": "cbs_table", "confidence": "official"}],
            realisations=realised,
            plans=plans,
            plan_areas=[],
            plan_preconditions=[],
        )

    result = outlook.run(state(), assumptions=sure(tmp_path), runs=100, today=dt.date(2024, 6, 1))
    assert result.start_year == 2024  # after the last realised year
    [t] = result.targets
    assert t.realised == 600  # 3 years of net change + demolition (the ministry's count)
    # the plan's 2023 homes (150) are past; 2024 and 2025 bring 300: 900 < 1000
    assert t.mean == t.p10 == t.p90 == 900 and t.p_reach_min == 0
    assert result.gap_years == (2026,)  # no realised figure and no plan: reported, not zero
    plans[0]["homes"] = 1200  # 400 a year: 2024 + 2025 bring 800 -> 1400 >= 1200
    result = outlook.run(state(), assumptions=sure(tmp_path), runs=100, today=dt.date(2024, 6, 1))
    assert result.targets[0].mean == 1400 and result.targets[0].p_reach_max == 1


def test_an_area_counts_its_municipalities_plans_and_the_plans_linked_to_it(
    tmp_path: Path,
) -> None:
    """A large-scale area holds the plans linked to it (not its municipality's others); the
    province holds all plans of its municipalities; a target resting on synthetic plans says so."""
    targets = [{"id": f"T-{a}", "area_id": a, "measure": "homes_built", "first_year": 2025,
                "last_year": 2026, "value_min": 1.0, "value_max": None, "approximate": False}
               for a in ("PV1", "GR1")]  # fmt: skip
    plans = [{"id": f"P{i}", "gemeente_id": g, "homes": h, "planstatus": "1A", "first_year": 2025,
              "last_year": 2025, "homes_by_year": None, "source_id": s}
             for i, (g, h, s) in enumerate([("GM1", 100, "real"), ("GM1", 20, "demo"),
                                            ("GM2", 3, "real")])]  # fmt: skip
    state = ProgrammeState(
        as_of=None,
        areas=[
            area("PV1", "province"),
            area("GM1", "municipality"),
            area("GM2", "municipality"),
            area("GR1", "large_scale_area"),
        ],
        members=[{"parent_id": "PV1", "child_id": "GM1"}, {"parent_id": "PV1", "child_id": "GM2"}],
        code_changes=[],
        targets=targets,
        sources=[
            {"id": "real", "kind": "register", "confidence": "official"},
            {"id": "demo", "kind": "demo", "confidence": "synthetic"},
        ],
        realisations=[],
        plans=plans,
        plan_areas=[{"plan_id": "P1", "area_id": "GR1"}, {"plan_id": "P2", "area_id": "GR1"}],
        plan_preconditions=[],
    )
    result = outlook.run(state, assumptions=sure(tmp_path), runs=50, today=dt.date(2025, 1, 1))
    by_area = {t.area_id: t for t in result.targets}
    assert by_area["PV1"].mean == 123 and by_area["GR1"].mean == 23
    assert by_area["PV1"].synthetic and by_area["GR1"].synthetic
    plans[1]["source_id"] = "real"
    result = outlook.run(state, assumptions=sure(tmp_path), runs=50, today=dt.date(2025, 1, 1))
    assert not any(t.synthetic for t in result.targets)


def test_forecast_json_per_target_and_reproducible(
    runner: CliRunner, demo_url: str, tmp_path: Path
) -> None:
    code, out, err = cli(runner, demo_url, "forecast", "--runs", "200", "--json")
    assert code == 0, err
    records = {r["target_id"]: r for r in json.loads(out)["targets"]}
    for key in ("mean", "p10", "p50", "p90", "p_reach_min", "p_reach_max"):
        assert key in records["NL-WONINGEN-2021-2030"]
    mra = records["MRA-WONINGEN-2030"]
    assert 0 <= mra["p_reach_max"] <= mra["p_reach_min"] <= 1
    assert {"EHV-WONINGEN-2030", "MRU-WONINGEN-2030", "GA-WONINGEN-2040", "ZR-VA-2040"} <= set(
        records
    )
    again = cli(runner, demo_url, "forecast", "--runs", "200", "--json")[1]
    assert again == out  # same seed, same figures
    assert cli(runner, demo_url, "forecast", "--runs", "200", "--seed", "9", "--json")[1] != out
    gloomy = tmp_path / "gloomy.toml"
    gloomy.write_text('[dropout]\n"1A" = 0.5\n"2A" = 0.5\n"3" = 0.9\n"4A" = 0.9\n')
    code, worse, err = cli(
        runner, demo_url, "forecast", "--runs", "200", "--assumptions", str(gloomy), "--json"
    )
    assert code == 0, err
    worse_nl = {r["target_id"]: r for r in json.loads(worse)["targets"]}["NL-WONINGEN-2021-2030"]
    assert worse_nl["mean"] < records["NL-WONINGEN-2021-2030"]["mean"]


def test_scenario_cancelling_a_precondition(
    runner: CliRunner, demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'description = "no OV-schaalsprong"\n'
        '[precondition."PC-OV-OUDE-LIJN"]\np_met = 0.0\ndelay = [1.0]\n'
        '[[target]]\nid = "MRA-WONINGEN-2030"\nvalue_min = 1\n'
    )
    code, _, err = cli(runner, demo_url, "scenario", "add", "zonder-ov", str(scenario))
    assert code == 0, err
    code, out, err = cli(
        runner, demo_url, "forecast", "--runs", "200", "--scenario", "zonder-ov", "--vs", "base",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    records = {r["target_id"]: r for r in json.loads(out)["targets"]}
    oude_lijn = records["ZR-OUDE-LIJN-2040"]
    assert oude_lijn["mean"] == 0 < oude_lijn["vs"]["mean"]  # every Oude Lijn plan depends on it
    assert records["MRA-WONINGEN-2030"]["p_reach_min"] == 1  # target lowered to 1 home
    # the difference column shows homes, absolute and relative, not only the chance (which
    # is 0% in both for the Oude Lijn: the old column said +0% on every such row)
    monkeypatch.setattr(console._made(), "_width", 250)  # a wide terminal: whole cells
    code, text, err = cli(
        runner, demo_url, "forecast", "--runs", "200", "--scenario", "zonder-ov", "--vs", "base",
        "--area", "VS-ZR",
    )  # fmt: skip
    assert code == 0, err
    [row] = [line for line in text.splitlines() if "Oude Lijn" in line]
    assert re.search(r"P50 -\d[\d,]* \(-100%\), P\(min\) \+0 pts", row), row
    assert [
        s["id"] for s in json.loads(cli(runner, demo_url, "scenario", "list", "--json")[1])
    ] == ["zonder-ov"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[precondition."PC-X"]\np_met = 2\n')
    code, _, err = cli(runner, demo_url, "scenario", "add", "bad", str(bad))
    assert code == 1 and "p_met: expected a probability in [0, 1]" in err
    code, _, err = cli(runner, demo_url, "forecast", "--scenario", "nope")
    assert code == 1 and "unknown scenario 'nope'; scenarios: zonder-ov" in err


def test_norm_and_charts(runner: CliRunner, demo_url: str, tmp_path: Path) -> None:
    code, out, err = cli(
        runner, demo_url, "forecast", "--runs", "200", "--norm", "--area", "VS-MRU",
        "--chart", str(tmp_path / "charts"),
    )  # fmt: skip
    assert code == 0, err
    assert "Synthetic demo data" in out
    code, out, _ = cli(runner, demo_url, "forecast", "--runs", "200", "--area", "VS-MRU", "--json")
    norm = {r["target_id"]: r["norm"] for r in json.loads(out)["targets"]}["MRU-WONINGEN-2030"]
    assert set(norm) == {"p50", "p80", "p90", "current"}
    assert norm["p50"] <= norm["p80"] <= norm["p90"]
    files = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert files == ["VS-MRU.html", "VS-MRU.png"]
    html = (tmp_path / "charts" / "VS-MRU.html").read_text()
    assert 'src="http' not in html and "Plotly.newPlot" in html  # plotly.js inlined: offline
    assert (tmp_path / "charts" / "VS-MRU.png").read_bytes()[:4] == b"\x89PNG"


def test_report_with_a_forecast(runner: CliRunner, demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    code, _, err = cli(
        runner,
        demo_url,
        "report",
        "--lang",
        "nl",
        "--format",
        "md",
        "--forecast-runs",
        "200",
        "--out",
        str(out),
    )
    assert code == 0, err
    text = out.read_text()
    assert "Volgens de prognose is de kans dat de opgave van 900.000 woningen wordt gehaald" in text
    assert "Prognose van opgave: 200 simulaties, seed 0" in text  # cited like any source
