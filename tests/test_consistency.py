"""One figure, every door: the nation's and every strategy region's headline figures are the
same through the CLI (--json), the API, the dashboard's HTML and the report (Markdown), on
SQLite and PostgreSQL, with and without the demo, as known now and on an earlier date."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_fixtures import shown_figures

from opgave.api import create_app
from opgave.cli import app as cli_app
from opgave.i18n import number, percent

AS_OF = (None, "2025-06-01")
FIGURES = ("realised", "remaining", "pace_needed", "capacity_ratio", "meets_norm", "plans",
           "planned_homes")  # fmt: skip


def headline_figures(head: dict[str, Any]) -> dict[str, Any]:
    """The figures compared, from a headline as the API and ``--json`` give it."""
    p, c = head["progress"], head["capacity"]
    realised = p if p and p["realised_years"] else None
    return {
        "realised": realised["realised"] if realised else None,
        "remaining": realised["remaining_min"] if realised else None,
        "pace_needed": realised["required_pace_min"] if realised else None,
        "capacity_ratio": c["ratio_all"] if c else None,
        "meets_norm": c["meets_norm"] if c else None,
        "plans": head["plans"],
        "planned_homes": head["planned_homes"],
    }


def cli_json(runner: CliRunner, url: str, *args: str) -> Any:
    result = runner.invoke(cli_app, ["--db", url, *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(params=["plain", "demo"])
def programme_url(request: pytest.FixtureRequest, loaded_url: str, runner: CliRunner) -> str:
    """The letter's programme, and the same with the synthetic demo loaded."""
    if request.param == "demo":
        result = runner.invoke(cli_app, ["--db", loaded_url, "demo", "--plans", "800"])
        assert result.exit_code == 0, result.stderr
    return loaded_url


@pytest.fixture
def client(programme_url: str) -> Iterator[TestClient]:
    app = create_app(programme_url, public_read=True)
    with TestClient(app) as c:
        yield c
    app.state.opgave.service.engine.dispose()


def sections(markdown: str) -> dict[str, str]:
    """The report's text per area: everything before the first region's section for the
    nation (summary, introduction), each region's section."""
    found = {"NL01": ""}
    for part in markdown.split("\n## ")[1:]:
        region = [line for line in part.splitlines() if line.startswith("*Regio: ")]
        if not region:
            if len(found) == 1:
                found["NL01"] += part
            continue
        found[region[0][len("*Regio: ") :].split(" · ")[0].rstrip("*")] = part
    return found


@pytest.mark.slow
@pytest.mark.parametrize("as_of", AS_OF)
def test_headline_figures_agree_in_every_door(
    runner: CliRunner, programme_url: str, client: TestClient, as_of: str | None
) -> None:
    date = ["--as-of", as_of] if as_of else []
    from_cli = cli_json(runner, programme_url, "overview", *date, "--json")
    api = client.get("/api/v1/overview", params={"as_of": as_of} if as_of else {})
    assert api.status_code == 200, api.text
    assert api.json() == from_cli  # the same object, field for field
    heads = {from_cli["headline"]["area_id"]: from_cli["headline"]}
    names = {from_cli["headline"]["area_id"]: "Nederland"}
    for region in from_cli["regions"]:
        heads[region["headline"]["area_id"]] = region["headline"]
        names[region["headline"]["area_id"]] = region["area"]["name"]
    assert len(heads) == 11  # the nation and the ten regions of the letter

    page = client.get("/", params={"as_of": as_of} if as_of else {})
    assert page.status_code == 200
    shown = shown_figures(page.text)
    report = runner.invoke(
        cli_app, ["--db", programme_url, "report", "--lang", "nl", "--format", "md", *date]
    )
    assert report.exit_code == 0, report.stderr
    text = sections(report.stdout)

    for area_id, head in heads.items():
        expected = headline_figures(head)
        on_page = shown[area_id]
        for name in FIGURES:
            value = expected[name]
            if name == "meets_norm":
                if value is not None:
                    assert on_page[name] == str(value), (area_id, name)
                continue
            assert on_page[name] == ("" if value is None else str(value)) or (
                value is not None and float(on_page[name]) == pytest.approx(value)
            ), (area_id, name, on_page[name], value)
        section = text["NL01" if area_id == "NL01" else names[area_id]]
        for name in ("realised", "remaining", "pace_needed", "plans", "planned_homes"):
            if expected[name] is not None:
                assert number(expected[name], "nl") in section, (area_id, name)
        if expected["capacity_ratio"] is not None:
            assert percent(expected["capacity_ratio"], "nl") in section, area_id
            verdict = "niet gehaald" if not expected["meets_norm"] else "gehaald"
            assert verdict in section, area_id


@pytest.mark.slow
def test_status_agrees_with_the_overview(
    runner: CliRunner, programme_url: str, client: TestClient
) -> None:
    overview = cli_json(runner, programme_url, "overview", "--json")
    for region in overview["regions"]:
        area_id = region["headline"]["area_id"]
        status = client.get(f"/api/v1/status/{area_id}").json()
        assert status["headline"] == region["headline"], area_id
        assert cli_json(runner, programme_url, "status", area_id, "--json") == status


def test_the_year_so_far_is_the_same_in_every_door(runner: CliRunner, loaded_url: str) -> None:
    """The BAG-derived year so far (monitor.year_so_far) in ``status --json``, the status
    text, the API's status and the region page, for a municipality, a region and the nation;
    absent everywhere without monthly figures."""
    from lvbag_data import HANDMADE

    before = cli_json(runner, loaded_url, "status", "GM0363", "--json")
    assert before["year_so_far"] is None
    plain = runner.invoke(cli_app, ["--db", loaded_url, "status", "GM0363"])
    assert plain.exit_code == 0 and "Year so far" not in plain.stdout
    result = runner.invoke(
        cli_app, ["--db", loaded_url, "ingest", "bag", str(HANDMADE), "--workers", "1"]
    )
    assert result.exit_code == 0, result.stderr
    app = create_app(loaded_url, public_read=True)
    with TestClient(app) as client:
        # The extract is of 30 June 2023; Amsterdam completed a home in March and in May.
        for as_of, months, completed in (
            ("2023-07-01", "Jan-Jun", 2),
            ("2023-05-15", "Jan-Apr", 1),
        ):
            for area_id in ("GM0363", "VS-MRA", "NL01"):
                from_cli = cli_json(
                    runner, loaded_url, "status", area_id, "--as-of", as_of, "--json"
                )["year_so_far"]
                api = client.get(f"/api/v1/status/{area_id}", params={"as_of": as_of})
                assert api.status_code == 200, api.text
                assert api.json()["year_so_far"] == from_cli, (area_id, as_of)
                assert from_cli["to_date"]["homes_completed"] == completed
                assert from_cli["synthetic"] and from_cli["year"] == 2023
                assert from_cli["lower_bound"] == (area_id != "GM0363")
                page = client.get(f"/regions/{area_id}", params={"as_of": as_of})
                shown = shown_figures(page.text)[area_id]
                assert shown["year_so_far_months"] == f"2023-{from_cli['last_month']}"
                for measure, value in from_cli["to_date"].items():
                    assert float(shown[f"year_so_far_{measure}"]) == value, (area_id, measure)
                assert (
                    int(shown["year_so_far_municipalities"])
                    == (from_cli["municipalities_with_figures"])
                )
                text = runner.invoke(cli_app, ["--db", loaded_url, "status", area_id, "--as-of",
                                               as_of])  # fmt: skip
                line = next(x for x in text.stdout.splitlines() if x.startswith("Year so far"))
                assert line.startswith(
                    f"Year so far (BAG, {months} 2023): {completed} homes completed, of which "
                    f"{completed} new-build; "
                ), line
                assert line.endswith("SYNTHETIC") and (
                    "lower bound" in line) == from_cli["lower_bound"]  # fmt: skip
    app.state.opgave.service.engine.dispose()


def test_agreements_due_at_a_meeting_are_counted_once(runner: CliRunner, loaded_url: str) -> None:
    """The overview's "due at" table, the meeting's agenda and the report's summary count the
    same agreements: assigned to the meeting, or due by a date or moment in its time frame
    (EHV-AKKOORD, "voorjaar 2022", is due at the BO Leefomgeving medio 2022 by its moment)."""
    overview = cli_json(runner, loaded_url, "overview", "--json")
    due = {d["meeting_id"]: d for d in overview["due"]}
    assert [d["meeting_id"] for d in overview["due"]] == ["BO-LEEFOMGEVING-2022", "BO-MIRT-2022"]
    leefomgeving = due["BO-LEEFOMGEVING-2022"]
    assert "EHV-AKKOORD" in leefomgeving["agreement_ids"]
    assert (leefomgeving["due"], due["BO-MIRT-2022"]["due"]) == (8, 7)
    for meeting_id, item in due.items():
        agenda = cli_json(runner, loaded_url, "agenda", meeting_id, "--json")
        on_agenda = [a["id"] for block in agenda["regions"] for a in block["due"]]
        assert sorted(on_agenda) == sorted(item["agreement_ids"]), meeting_id
        listed = cli_json(runner, loaded_url, "agreements", "--due", meeting_id, "--json")
        assert sorted(a["id"] for a in listed) == sorted(item["agreement_ids"]), meeting_id
    report = runner.invoke(
        cli_app, ["--db", loaded_url, "report", "--lang", "nl", "--format", "md"]
    )
    assert report.exit_code == 0, report.stderr
    assert "8 staan op de agenda van het BO Leefomgeving 2022" in report.stdout
