"""Funding through the command line: import applications, allocate, record awards."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from test_words import BOX, english_leaks, raw_codes
from typer.testing import CliRunner

from opgave.cli import app
from opgave.cli.funding import allocation_text
from opgave.cli.words import Words
from opgave.funding.allocation import NOTES, Allocation, AllocationReport, ConstraintUse
from opgave.funding.applications import read_applications
from opgave.funding.scheme import SCHEMES_DIR, load_scheme
from opgave.message import Message

EXAMPLE = SCHEMES_DIR / "example_applications.csv"


def cli(runner: CliRunner, url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_import_allocate_record(runner: CliRunner, loaded_url: str) -> None:
    code, out, err = cli(
        runner, loaded_url, "funding", "import", str(EXAMPLE), "--instrument", "WBI-T4"
    )
    assert code == 0, err
    assert "40 applications added" in out
    assert "40 unchanged" in cli(runner, loaded_url, "funding", "import", str(EXAMPLE))[1]
    code, out, err = cli(
        runner, loaded_url, "funding", "allocate", "--scheme", "woningbouwimpuls_t4", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["status"] == "optimal"
    assert report["objective"] >= report["ranking"]["objective"]
    assert report["spent_eur"] <= 250_000_000
    assert set(report) >= {
        "awarded",
        "objective",
        "homes",
        "affordable_homes",
        "spent_eur",
        "ranking",
    }
    code, out, err = cli(
        runner,
        loaded_url,
        "funding",
        "allocate",
        "--scheme",
        "woningbouwimpuls_t4",
        "--record",
        "--instrument",
        "WBI-T4",
        "--date",
        "2022-12-15",
    )
    assert code == 0, err
    assert "Synthetic applications" in out and "optimal" in out
    awards = json.loads(cli(runner, loaded_url, "funding", "awards", "--json")[1])
    assert sorted(a["application_id"] for a in awards) == sorted(report["awarded"])
    assert sum(a["homes"] for a in awards) == report["homes"]
    assert {a["instrument_id"] for a in awards} == {"WBI-T4"}


def test_clear_errors(runner: CliRunner, loaded_url: str, tmp_path: Path) -> None:
    code, _, err = cli(runner, loaded_url, "funding", "allocate", "--scheme", "nope")
    assert code == 1 and "shipped schemes: impuls_14_gebieden, woningbouwimpuls_t4" in err
    code, _, err = cli(runner, loaded_url, "funding", "allocate", "--scheme", "woningbouwimpuls_t4")
    assert code == 1 and "no applications" in err
    bad = tmp_path / "bad.csv"
    lines = EXAMPLE.read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("application_id"))
    row = lines[header + 1].split(",")
    row[lines[header].split(",").index("homes")] = "veel"
    bad.write_text("\n".join([lines[header], ",".join(row)]) + "\n")
    code, _, err = cli(runner, loaded_url, "funding", "import", str(bad))
    assert code == 1 and "bad.csv" in err and "homes" in err and "veel" in err
    assert json.loads(cli(runner, loaded_url, "funding", "applications", "--json")[1]) == []


def test_awards_show_in_status_and_funded_plans_drop_out_less(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    plans = tmp_path / "plans.csv"
    plans.write_text(
        "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year\n"
        "P1,Kanaalzone,GM0363,3000,4B,2026,2028\n"
    )
    assert cli(runner, loaded_url, "ingest", "plans", str(plans), "--date", "2025-01-01")[0] == 0
    apps = tmp_path / "apps.csv"
    apps.write_text(
        "application_id,plan_id,gemeente_code,homes,affordable_homes,requested_eur,"
        "public_deficit_eur,cofinancing_eur,start_year,score_noodzaak,score_effectiviteit,"
        "score_efficientie,score_urgentie\n"
        "A1,P1,GM0363,3000,2000,10000000,30000000,20000000,2024,8,8,8,8\n"
    )
    assert cli(runner, loaded_url, "funding", "import", str(apps))[0] == 0
    code, _, err = cli(
        runner, loaded_url, "funding", "allocate", "--scheme", "woningbouwimpuls_t4",
        "--record", "--instrument", "WBI-T4", "--date", "2022-12-15",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = cli(runner, loaded_url, "status", "VS-MRA")
    assert "1 awards, EUR 10,000,000 for 3,000 homes (2,000 affordable)" in out
    scenario = tmp_path / "funded.toml"
    scenario.write_text("[funded]\ndropout_factor = 0.0\n")
    assert cli(runner, loaded_url, "scenario", "add", "funded", str(scenario))[0] == 0
    code, out, err = cli(
        runner, loaded_url, "forecast", "--area", "VS-MRA", "--runs", "400",
        "--scenario", "funded", "--vs", "base", "--json",
    )  # fmt: skip
    assert code == 0, err
    mra = {r["target_id"]: r for r in json.loads(out)["targets"]}["MRA-WONINGEN-2030"]
    # a funded 4B plan no longer drops out; it still slips (0-3 years, 1/4 each), so by 2030
    # it delivers 3,000 homes unless 3 years late (2,000): 2,750 expected, sd ~433/sqrt(400)
    funded_mean = mra["mean"] - mra["realised"]
    base_mean = mra["vs"]["mean"] - mra["vs"]["realised"]
    assert abs(funded_mean - 2750) < 5 * 433 / 20
    assert base_mean < 0.7 * funded_mean  # 4B drops out 45% of the time without funding
    bad = tmp_path / "bad.toml"
    bad.write_text("[funded]\ndropout_factor = -1\n")
    code, _, err = cli(runner, loaded_url, "scenario", "add", "bad", str(bad))
    assert code == 1 and "[funded].dropout_factor: expected a number >= 0" in err


def _reports() -> list[AllocationReport]:
    """Allocation reports through every branch of the text: the example tranche, and made-up
    ones with caps, floors, a per-gemeente limit, a marginal step and every kind of note."""
    from opgave.funding.allocation import allocate

    real = allocate(
        load_scheme(SCHEMES_DIR / "woningbouwimpuls_t4.toml"), read_applications(EXAMPLE), {}
    )
    optimal = Allocation(
        "optimal", ("A01", "A03"), (("A01", 1.0),), 1900.0, 1900.0, 650.0, 3.5e6, 1842.1
    )
    ranking = Allocation("ranking", (), (), 0.0, 0.0, 0.0, 0.0, None, ("VS-MRA",))
    constraints = (
        ConstraintUse("budget", "budget", "eur", 4e6, 3.5e6, 5e5, True, 1000.0, True),
        ConstraintUse("region_cap VS-ZR", "region_cap", "eur", 2e6, 2e6, 0.0, None, 12.5),
        ConstraintUse("region_floor VS-MRA", "region_floor", "eur", 1e6, 9e5, -1e5, False, None),
        ConstraintUse(
            "max_awards_per_gemeente", "max_awards_per_gemeente", "awards", 1.0, 1.0, 0.0,
            True, 300.0, True, "at the limit: GM0363, GM0599",
        ),
    )  # fmt: skip
    notes = (
        Message.of(NOTES, "unmet", areas="VS-MRA"),
        Message.of(NOTES, "stopped", status="time_limit", gap=0.00123),
        Message.of(NOTES, "synthetic"),
        Message.of(NOTES, "unproven", names="budget, region_cap VS-ZR"),
    )
    assert notes[1] == "solver stopped with status time_limit; gap 1.23e-03"
    made = AllocationReport(
        "proef", "affordable_homes", "time_limit", optimal, ranking, "ratio", constraints,
        133.3333, 133.3333, 1e-3, 0.5, 12, 9, (), notes, 1.5e6,
    )  # fmt: skip
    return [
        real,
        made,
        replace(made, marginal_step_eur=None, ranking_rule="score", objective_kind="score"),
        replace(made, marginal_objective_per_meur=None, status="optimal", notes=()),
    ]


def test_the_allocation_text_in_english_is_the_report_s_own_and_dutch_has_its_figures() -> None:
    for report in _reports():
        assert allocation_text(report, Words("en")) == report.as_text()
        dutch = allocation_text(report, Words("nl"))
        assert english_leaks(dutch) == [], english_leaks(dutch)
        assert len(dutch.splitlines()) == len(report.as_text().splitlines())
    made = allocation_text(_reports()[1], Words("nl"))
    assert "proef: 9 van 12 aanvragen komen in aanmerking; doel betaalbare woningen; status " in (
        made
    )
    assert "tijdslimiet bereikt" in made
    assert "\nbesteed (EUR)                3.500.000               0      +3.500.000\n" in made
    assert "\nEUR per woning                   1.842               -\n" in made
    assert "marginale waarde van het budget: 133,3 betaalbare woningen per extra EUR 1 mln" in made
    assert "de kleinste verhoging die meer oplevert is EUR 1.500.000, voor 200 meer" in made
    assert (
        "  budget: grens EUR 4.000.000, gebruikt EUR 3.500.000, ruimte EUR 500.000 - knelt; "
        in (made)
    )
    assert "zonder deze grens 1.000 meer" in made
    assert "  plafond van VS-ZR: grens EUR 2.000.000" in made and "ten minste 12 meer" in made
    assert (
        "  minimum voor VS-MRA: grens EUR 1.000.000, gebruikt EUR 900.000, ruimte EUR -100.000"
        in (made)
    )
    assert "(op de grens: GM0363, GM0599)" in made and "toegekend: A01, A03" in made
    assert "toekenningen volgens de rangorde: geen" in made
    assert "let op: de rangorde haalt het minimum voor VS-MRA niet" in made
    assert "let op: de solver stopte met status tijdslimiet bereikt; gap 1.23e-03" in made
    assert "het loslaten van budget, plafond van VS-ZR is een ondergrens" in made


def test_funding_in_dutch(
    runner: CliRunner, loaded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opgave.cli import console

    monkeypatch.setattr(console._made(), "_width", 400)
    nl = ("--lang", "nl", "funding")

    def dutch(*args: str) -> str:
        code, out, err = cli(runner, loaded_url, *nl, *args)
        assert code == 0, err
        text = BOX.sub(" ", out)
        assert english_leaks(text) == [] and raw_codes(text) == [], args
        return text

    out = dutch("import", str(EXAMPLE), "--instrument", "WBI-T4")
    assert "40 aanvragen toegevoegd, 0 gewijzigd, 0 ongewijzigd." in out
    out = dutch("applications")
    assert "Synthetische aanvragen (demogegevens)" in out and "aanvragen (40)" in out
    assert re.search(r"\d{1,3}\.\d{3}\.\d{3}", out)  # EUR 12.500.000
    out = dutch("schemes")
    assert "meegeleverde regelingen" in out and "EUR 250.000.000" in out and "woningen" in out
    out = dutch(
        "allocate", "--scheme", "woningbouwimpuls_t4", "--record", "--instrument", "WBI-T4",
        "--date", "2022-12-15",
    )  # fmt: skip
    assert "aanvragen komen in aanmerking; doel woningen; status optimaal" in out
    assert "toekenningen vastgelegd (besluit van 15 december 2022)." in out
    out = dutch("awards")
    assert "toekenningen (" in out and "15 december 2022" in out and "besloten" in out
