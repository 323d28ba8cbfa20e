"""The agreements register: history, due and overdue, the agenda of a meeting, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from opgave.access import Principal
from opgave.agreements import calendar, register
from opgave.cli import app
from opgave.service import Service, ServiceError
from opgave.service import agreements as register_service

D = dt.date


def meeting(mid: str, **fields: Any) -> dict[str, Any]:
    base = {
        "id": mid,
        "name": mid,
        "date_first": None,
        "date_last": None,
        "moment_text": None,
        "year": None,
        "parent_id": None,
    }
    return {**base, **fields}


def agreement(aid: str, **fields: Any) -> dict[str, Any]:
    base = {
        "id": aid,
        "status": "open",
        "due_meeting_id": None,
        "due_date": None,
        "due_text": None,
        "display_order": None,
        "area_id": "NL01",
        "source_section": None,
    }
    return {**base, **fields}


MEETINGS = [
    meeting("BO-2021", date_first=D(2021, 11, 24), date_last=D(2021, 11, 25), year=2021),
    meeting("BO-2021-ZUID", moment_text="24 of 25 november 2021", year=2021, parent_id="BO-2021"),
    meeting("BO-LEEF-2022", moment_text="medio 2022", year=2022),
    meeting("BO-MIRT-2022", moment_text="2022", year=2022),
]
BY_ID = {m["id"]: m for m in MEETINGS}


def test_moments_become_windows() -> None:
    assert calendar.moment_window("medio 2022") == calendar.Window(D(2022, 5, 1), D(2022, 8, 31))
    assert calendar.moment_window("voorjaar 2022").latest == D(2022, 5, 31)
    assert calendar.moment_window("najaar 2020 ('het BO MIRT van vorig jaar')") == (
        calendar.Window(D(2020, 9, 1), D(2020, 12, 31))
    )
    assert calendar.moment_window("bij de actualisatie van het akkoord") is None
    assert calendar.moment_window(None, 2023) == calendar.Window(D(2023, 1, 1), D(2023, 12, 31))


def test_meetings_in_time_order_and_previous() -> None:
    order = [m["id"] for m in calendar.chronological(MEETINGS)]
    assert order == ["BO-2021", "BO-2021-ZUID", "BO-LEEF-2022", "BO-MIRT-2022"]
    assert calendar.previous_meeting("BO-LEEF-2022", MEETINGS)["id"] == "BO-2021"  # type: ignore[index]
    assert calendar.previous_meeting("BO-MIRT-2022", MEETINGS)["id"] == "BO-LEEF-2022"  # type: ignore[index]
    assert calendar.previous_meeting("BO-2021", MEETINGS) is None
    assert calendar.family("BO-2021", MEETINGS) == {"BO-2021", "BO-2021-ZUID"}


def test_due_and_overdue_at_a_meeting() -> None:
    leef = calendar.frame("BO-LEEF-2022", MEETINGS)
    mirt = calendar.frame("BO-MIRT-2022", MEETINGS)
    at_leef = agreement("A", due_meeting_id="BO-LEEF-2022")
    assert calendar.due_at(at_leef, leef, BY_ID) and not calendar.overdue_at(at_leef, leef, BY_ID)
    # still open at the next meeting: overdue there; done: not overdue
    assert calendar.overdue_at(at_leef, mirt, BY_ID) and not calendar.due_at(at_leef, mirt, BY_ID)
    assert not calendar.overdue_at({**at_leef, "status": "done"}, mirt, BY_ID)
    assert not calendar.overdue_at({**at_leef, "status": "superseded"}, mirt, BY_ID)
    # a due date after the previous meeting and before this one: due here, overdue at the next
    by_date = agreement("B", due_date=D(2022, 3, 1))
    assert calendar.due_at(by_date, leef, BY_ID) and not calendar.due_at(by_date, mirt, BY_ID)
    assert calendar.overdue_at(by_date, mirt, BY_ID)
    # the due text is read when nothing else is given: "voorjaar 2022" = by 31 May 2022
    spring = agreement("C", due_text="voorjaar 2022")
    assert calendar.due_of(spring, BY_ID).basis == "text"
    assert calendar.due_at(spring, leef, BY_ID)
    unknown = agreement("D", due_text="bij de actualisatie van het akkoord")
    assert not calendar.due_at(unknown, mirt, BY_ID)
    assert not calendar.overdue_at(unknown, mirt, BY_ID)


def test_overdue_relative_to_a_day() -> None:
    at_leef = agreement("A", due_meeting_id="BO-LEEF-2022")
    assert not calendar.overdue_on(at_leef, D(2022, 8, 31), BY_ID)  # could still be on time
    assert calendar.overdue_on(at_leef, D(2022, 9, 1), BY_ID)
    assert not calendar.overdue_on({**at_leef, "status": "lapsed"}, D(2030, 1, 1), BY_ID)
    assert calendar.overdue_on(agreement("B", due_date=D(2024, 1, 1)), D(2024, 1, 2), BY_ID)
    assert not calendar.overdue_on(agreement("C"), D(2099, 1, 1), BY_ID)


def test_field_problems_are_all_named() -> None:
    known = register.Known(
        areas=frozenset({"NL01"}),
        meetings=frozenset({"BO-2021"}),
        sources=frozenset(),
        agreements=frozenset({"A"}),
    )
    problems = register.field_problems(
        {"area_id": "XX", "themes": ["housing", "vibes"], "status": "done", "text": " "}, known
    )
    assert len(problems) == 4
    assert any("status" in p and "status command" in p for p in problems)
    assert any("unknown area 'XX'" in p for p in problems)
    assert any("'vibes'" in p for p in problems)
    assert register.field_problems({"area_id": "NL01", "text": "x"}, known) == []


def by(name: str) -> Principal:
    return Principal(0, name, "admin")


def test_history_is_kept(loaded_url: str) -> None:
    svc = Service(loaded_url)
    register_service.add(
        svc,
        by("BZK"),
        "ZR-AKKOORD-2022",
        {"area_id": "VS-ZR", "text": "Geactualiseerd akkoord", "themes": ["housing"]},
        on=D(2022, 7, 1),
    )
    register_service.set_status(
        svc, by("regio ZR"), "ZR-ACTUALISATIE", "in_progress", on=D(2022, 3, 1)
    )
    register_service.change(
        svc,
        by("BZK"),
        "ZR-ACTUALISATIE",
        {"due_date": D(2022, 6, 30), "due_text": "juni 2022"},
        on=D(2022, 4, 1),
        reason="verslag BO",
    )
    register_service.set_status(
        svc,
        by("BZK"),
        "ZR-ACTUALISATIE",
        "superseded",
        on=D(2022, 7, 1),
        reason="vervangen door het geactualiseerde akkoord",
        superseded_by_id="ZR-AKKOORD-2022",
    )
    register_service.link(svc, by("BZK"), "ZR-ACTUALISATIE", "target", "ZR-OUDE-LIJN-2040")
    found = register_service.detail(svc, "ZR-ACTUALISATIE")
    entries, links = found["history"], found["links"]
    with pytest.raises(ServiceError, match="needs the id"):
        register_service.set_status(svc, by("x"), "ZR-ACTUALISATIE", "superseded")
    register_service.set_status(svc, by("x"), "EHV-AKKOORD", "done")
    with pytest.raises(ServiceError, match="already done"):
        register_service.set_status(svc, by("x"), "EHV-AKKOORD", "done")
    svc.engine.dispose()
    assert [e.changed_by for e in entries] == ["opgave init", "regio ZR", "BZK", "BZK", "BZK"]
    statuses = ["open", "in_progress", "in_progress", "superseded", "superseded"]
    assert [e.status for e in entries] == statuses
    assert entries[2].reason == "verslag BO"
    assert {(c.field, c.old_value, c.new_value) for c in entries[2].changes} == {
        ("due_date", None, "2022-06-30"),
        ("due_text", "BO Leefomgeving medio 2022", "juni 2022"),
    }
    assert register.superseded_by(entries) == "ZR-AKKOORD-2022"
    assert entries[4].what == "link_target: - -> ZR-OUDE-LIJN-2040"
    assert links["target"] == ["ZR-OUDE-LIJN-2040"]


def test_agenda_of_bo_leefomgeving_2022(loaded_url: str) -> None:
    svc = Service(loaded_url)
    result = register_service.agenda(svc, "BO Leefomgeving 2022")
    svc.engine.dispose()
    due = {b.region["id"]: [a["id"] for a in b.due] for b in result.regions}
    assert due["VS-ZR"] == ["ZR-ACTUALISATIE"]
    assert "EHV-AFSPRAKEN-2030" in due["VS-EHV"]
    assert due["VS-ANF"] == ["ANF-AFSPRAKEN"]
    assert due["VS-GA"] == ["GA-AFSPRAKEN"]
    assert due["VS-MRA"] == ["MRA-PROGRAMMERING"]
    assert result.previous is not None and result.previous["id"] == "BO-VERSTEDELIJKING-2021"
    # national first, then the letter's order; every agreement of the letter is new since then
    assert [b.region["id"] for b in result.regions][:3] == ["NL01", "VS-ZR", "VS-EHV"]
    assert sum(len(b.changed) for b in result.regions) == 31


def run(runner: CliRunner, url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_status_history_agenda(runner: CliRunner, loaded_url: str) -> None:
    code, out, err = run(
        runner, loaded_url, "agreements", "status", "ANF-AFSPRAKEN", "done",
        "--by", "BZK", "--on", "2022-07-01", "--reason", "afspraken gemaakt",
    )  # fmt: skip
    assert code == 0, err
    assert "open -> done" in out
    code, out, err = run(runner, loaded_url, "agreements", "history", "ANF-AFSPRAKEN", "--json")
    assert code == 0, err
    entries = json.loads(out)
    assert [e["status"] for e in entries] == ["open", "done"]
    assert entries[1]["changed_by"] == "BZK" and entries[1]["reason"] == "afspraken gemaakt"
    code, out, err = run(runner, loaded_url, "agenda", "BO MIRT 2022", "--json")
    assert code == 0, err
    regions = {r["area_id"]: r for r in json.loads(out)["regions"]}
    # open after BO Leefomgeving 2022: overdue at BO MIRT 2022; the ANF agreements are done
    assert [a["id"] for a in regions["VS-GA"]["overdue"]] == ["GA-AFSPRAKEN"]
    assert regions["VS-ANF"]["overdue"] == []
    code, out, err = run(runner, loaded_url, "agenda", "BO Leefomgeving 2022")
    assert code == 0, err
    for name in ("ZR-ACTUALISATIE", "EHV-AFSPRAKEN-2030", "ANF-AFSPRAKEN", "GA-AFSPRAKEN"):
        assert name in out
    assert "MRA-PROGRAMMERING" in out and "Groningen-Assen" in out


def test_cli_add_update_and_errors(runner: CliRunner, loaded_url: str) -> None:
    code, _, err = run(
        runner, loaded_url, "agreements", "add", "GA-UITVOERING", "--area", "VS-GA",
        "--text", "Uitvoeringsprogramma", "--theme", "housing", "--due", "BO MIRT 2022",
        "--by", "BZK",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(runner, loaded_url, "agreements", "--due", "BO MIRT 2022", "--json")
    assert "GA-UITVOERING" in {a["id"] for a in json.loads(out)}
    code, out, err = run(
        runner, loaded_url, "agreements", "update", "GA-UITVOERING",
        "--due-date", "2023-01-31", "--clear", "due_meeting_id", "--by", "BZK",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(runner, loaded_url, "agreements", "--overdue-at", "2023-02-01", "--json")
    overdue = {a["id"] for a in json.loads(out)}
    assert "GA-UITVOERING" in overdue and "GA-AFSPRAKEN" in overdue
    code, _, err = run(
        runner, loaded_url, "agreements", "add", "GA-UITVOERING", "--area", "XX",
        "--text", "x", "--by", "me",
    )  # fmt: skip
    assert code == 1
    assert "exists already" in err and "unknown area 'XX'" in err and "nothing changed" in err
    code, _, err = run(runner, loaded_url, "agreements", "status", "GA-AFSPRAKEN", "gone")
    assert code == 1 and "'gone' is not one of" in err
    code, _, err = run(runner, loaded_url, "agenda", "BO Nergens")
    assert code == 1 and '"BO Leefomgeving 2022"' in err


def test_a_month_is_a_month() -> None:
    assert calendar.moment_window("24 of 25 november 2021") == calendar.Window(
        D(2021, 11, 1), D(2021, 11, 30)
    )
    assert calendar.moment_window("februari 2024").latest == D(2024, 2, 29)


def test_due_items_count_what_the_calendar_says_is_due() -> None:
    """One definition of "due at a meeting" for the overview, the agenda and the report."""
    from opgave import monitor

    agreements = [
        agreement("ASSIGNED", due_meeting_id="BO-LEEF-2022"),
        agreement("DONE", due_meeting_id="BO-LEEF-2022", status="done"),
        agreement("SPRING", due_text="voorjaar 2022"),  # by its moment: before medio 2022
        agreement("DATED", due_date=D(2022, 10, 1)),  # after medio 2022: at the BO MIRT
        agreement("PART", due_meeting_id="BO-2021-ZUID"),  # part of BO-2021: counted there
        agreement("NEVER", due_text="bij de actualisatie van het akkoord"),
    ]
    items = monitor.due_items(agreements, MEETINGS)
    assert [(d.meeting_id, d.agreement_ids, d.due, d.not_done) for d in items] == [
        ("BO-2021", ("PART",), 1, 1),
        ("BO-LEEF-2022", ("ASSIGNED", "DONE", "SPRING"), 3, 2),
        ("BO-MIRT-2022", ("DATED",), 1, 1),
    ]
