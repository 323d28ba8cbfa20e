"""The language of the commands beyond overview and status (opgave.cli.words): agreements and
the agenda, forecast and scenarios, funding, jobs and backups, report, serve, users, examples.
Each speaks Dutch with ``--lang nl`` - no English catalogue string, no raw vocabulary code,
numbers as 900.000 - and its English and ``--json`` stay as they were."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from test_words import BOX, dutch, english_leaks, run
from typer.testing import CliRunner


def english(runner: CliRunner, url: str, *args: str) -> str:
    code, out, err = run(runner, url, *args)
    assert code == 0, err
    return BOX.sub(" ", out)


def test_the_check_finds_english_in_these_commands(runner: CliRunner, loaded_url: str) -> None:
    out = english(runner, loaded_url, "agreements", "history", "NL-FASERING")
    assert {"agr_history_title: 'history of'", "column_status_after: 'status after'"} <= set(
        english_leaks(out)
    )


@pytest.mark.usefixtures("wide")
def test_agreements_and_the_agenda_in_dutch(runner: CliRunner, loaded_url: str) -> None:
    out = dutch(runner, loaded_url, "agreements", "--area", "VS-ZR")
    assert re.search(r"afspraken\s", out) and "aan de beurt" in out and "stand" in out
    out = dutch(
        runner, loaded_url, "agreements", "add", "ZR-PROEF", "--area", "VS-ZR", "--text",
        "Proef", "--due-date", "2026-03-01", "--theme", "housing",
    )  # fmt: skip
    assert out.strip() == "ZR-PROEF toegevoegd (open) voor VS-ZR."
    out = dutch(
        runner, loaded_url, "agreements", "update", "ZR-PROEF", "--theme", "mobility",
        "--due-date", "2026-04-01",
    )  # fmt: skip
    assert out.strip() == (
        "ZR-PROEF: uiterste datum: 1 maart 2026 -> 1 april 2026; thema's: wonen -> bereikbaarheid"
    )
    out = dutch(runner, loaded_url, "agreements", "status", "ZR-PROEF", "in_progress")
    assert out.strip() == "ZR-PROEF: stand: open -> in uitvoering"
    out = dutch(runner, loaded_url, "agreements", "history", "ZR-PROEF")
    assert "ZR-PROEF - stand in uitvoering" in out and "geschiedenis van ZR-PROEF" in out
    assert "vastgelegd" in out and "stand daarna" in out
    code, _, err = run(runner, loaded_url, "--lang", "nl", "agreements", "update", "ZR-PROEF")
    assert code == 1 and "niets te wijzigen" in err
    out = dutch(runner, loaded_url, "agenda", "BO Leefomgeving 2022")
    assert "Wijzigingen sinds het vorige overleg" in out and "25 november 2021" in out
    assert "  aan de beurt ZR-ACTUALISATIE (open, BO Leefomgeving 2022)" in out
    assert re.search(r"  nieuw +ZR-ACTUALISATIE", out)
    # English as it was
    out = english(runner, loaded_url, "agenda", "BO Leefomgeving 2022")
    assert "(after 2021-11-25, up to 2022-08-31)" in out
    assert "  due      ZR-ACTUALISATIE (open, BO Leefomgeving 2022)" in out
    out = english(runner, loaded_url, "agreements", "history", "ZR-PROEF")
    assert "status: open -> in_progress" in out and "status in progress" in out


@pytest.mark.usefixtures("wide")
def test_the_forecast_and_scenarios_in_dutch(
    runner: CliRunner, demo_url: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "later.toml"
    scenario.write_text('description = "Later"\n[dropout]\n"4B" = 0.9\n', encoding="utf-8")
    out = dutch(runner, demo_url, "scenario", "add", "later", str(scenario))
    assert "Scenario 'later' opgeslagen; probeer `opgave forecast --scenario later" in out
    out = dutch(runner, demo_url, "scenario", "list")
    assert "omschrijving" in out and "aangemaakt" in out
    args = ["--runs", "200", "--area", "VS-MRA", "--scenario", "later", "--vs", "base", "--norm"]
    out = dutch(runner, demo_url, "forecast", *args)
    assert "synthetische demogegevens" in out
    assert "prognose vanaf 2025: " in out and " simulaties, startgetal 0, scenario later" in out
    assert "P50 basisscenario" in out and "verhouding nu" in out and "procentpunt" in out
    assert "175.000-220.000" in out and "Aannames: standaardaannames, scenario later" in out
    english_out = english(runner, demo_url, "forecast", *args)
    assert (
        "P50 base case" in english_out
        and "175,000-220,000" in english_out
        and " pts" in english_out
    )
    assert "Assumptions: defaults, scenario later" in english_out


def test_the_report_speaks_the_command_line_s_language_unless_told(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "r.md"
    args = ["report", "--format", "md", "--out", str(out)]
    said = dutch(runner, loaded_url, *args)
    assert re.fullmatch(
        rf"{re.escape(str(out))} geschreven \(md, nl\): na .+, 11 hoofdstukken, \d+ "
        r"bronvermeldingen\.\n",
        said,
    )
    assert out.read_text().startswith("# Voortgang woningbouwopgave")
    said = english(runner, loaded_url, "--lang", "en", *args)
    assert said.startswith(f"Wrote {out} (md, en): after ") and "11 sections" in said
    assert out.read_text().startswith("# Progress of the housing programme")
    code, said, _ = run(runner, loaded_url, *args, env={"OPGAVE_LANG": "en"})
    assert code == 0 and out.read_text().startswith("# Progress of the housing programme")
    # the report's own --lang wins; without any, the report is Dutch as the command line is
    said = english(runner, loaded_url, "--lang", "en", *args, "--lang", "nl")
    assert "(md, nl)" in said and out.read_text().startswith("# Voortgang woningbouwopgave")
    code, said, _ = run(runner, loaded_url, *args, env={"OPGAVE_LANG": ""})
    assert "(md, nl)" in said and out.read_text().startswith("# Voortgang woningbouwopgave")
    code, _, err = run(runner, loaded_url, "--lang", "nl", "report", "--format", "pdf")
    assert code == 1 and "een PDF heeft --out BESTAND nodig" in err


def test_serve_users_and_examples_in_dutch(
    runner: CliRunner, loaded_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(options))
    for name in ("OPGAVE_SERVE_URL", "OPGAVE_SERVE_PUBLIC_READ", "OPGAVE_SECURE_COOKIES"):
        monkeypatch.setenv(name, "")  # serve sets them; restored after the test
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    out = dutch(runner, loaded_url, "serve", "--port", port, "--no-jobs")
    assert served and out.splitlines() == [
        f"opgave-dashboard: http://127.0.0.1:{port}/  (API: http://127.0.0.1:{port}/api/v1/docs)",
        "Nog geen gebruikers: voeg er een toe met `opgave users add NAAM --role admin`, of "
        "start met --public-read om rond te kijken.",
    ]
    out = english(runner, loaded_url, "serve", "--port", port, "--no-jobs")
    assert out.startswith(f"opgave dashboard: http://127.0.0.1:{port}/  (API: ")
    assert "No users yet: add one with `opgave users add NAME --role admin`" in out

    monkeypatch.setenv("OPGAVE_PASSWORD", "een lang wachtwoord")
    out = dutch(runner, loaded_url, "users", "add", "piet", "--role", "editor", "--areas", "VS-ZR")
    assert out.strip() == "Gebruiker piet: redacteur voor VS-ZR."
    assert english(runner, loaded_url, "users", "add", "jan").strip() == "User jan: viewer."
    out = dutch(runner, loaded_url, "users", "list")
    assert "gebruikers (2)" in out and re.search(r"piet\s+redacteur\s+VS-ZR\s+ja", out)
    assert re.search(r"jan\s+lezer\s+ja", out) and "actief" in out
    assert dutch(runner, loaded_url, "users", "token", "piet", "--revoke").strip() == (
        "0 token(s) van piet ingetrokken."
    )

    out = dutch(runner, loaded_url, "examples", str(tmp_path))
    assert "geschreven   " in out and "prognosescenario: de OV-schaalsprong" in out
    assert "             daarna: opgave scenario add zonder-ov zonder-ov.toml" in out
    assert "overgeslagen synthetic-plans-2025-07-01.csv: geen SYNTHETISCHE demoplannen" in out
    assert "ongewijzigd  " in dutch(runner, loaded_url, "examples", str(tmp_path))


def test_overdue_titles_in_dutch(runner: CliRunner, loaded_url: str) -> None:
    for given, title in (
        ("today", "afspraken die vandaag over tijd zijn"),
        ("2023-01-01", "afspraken die op 1 januari 2023 over tijd zijn"),
        ("BO Leefomgeving 2022", "afspraken die bij BO Leefomgeving 2022 over tijd zijn"),
    ):
        out = dutch(runner, loaded_url, "agreements", "--overdue-at", given)
        assert out.splitlines()[0].strip() == title
    out = english(runner, loaded_url, "agreements", "--overdue-at", "2023-01-01")
    assert out.splitlines()[0].strip() == "agreements overdue at 2023-01-01"
