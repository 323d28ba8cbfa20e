"""The report's words: codes, dates, periods and register changes as each language writes
them (opgave.report.words)."""

from __future__ import annotations

import datetime as dt

from opgave.report import words


def test_dates_in_words_from_dates_and_iso_text() -> None:
    assert words.date_text(dt.date(2025, 1, 1), "nl") == "1 januari 2025"
    assert words.date_text("2025-01-01", "en") == "1 January 2025"
    assert words.date_text(dt.datetime(2025, 1, 1, 13, 5), "nl") == "1 januari 2025"
    assert words.date_text("medio 2022", "nl") == "medio 2022"  # not a date: as is
    assert words.date_text(None, "nl") == "-"
    days = [dt.date(2023, 5, 1), dt.date(2023, 6, 3)]
    assert words.dates_text(days, "nl", "en") == "1 mei 2023 en 3 juni 2023"


def test_a_period_is_never_written_as_minus_a_year() -> None:
    t = {"first_year": None, "last_year": 2030, "period_text": "tot 2030"}
    assert words.period_text(t, "nl") == "t/m 2030"  # the last year included
    assert words.period_text(t, "en") == "to 2030"
    assert words.period_text({**t, "first_year": 2022}, "nl") == "2022-2030"
    assert words.period_text({"first_year": 2025, "last_year": None}, "nl") == "vanaf 2025"
    gone = {"first_year": None, "last_year": None, "period_text": "periode niet genoemd"}
    assert words.period_text(gone, "nl") == "periode niet genoemd"


def test_register_changes_show_words_not_codes() -> None:
    assert words.change_value("in_progress", "status", "nl") == "in uitvoering"
    assert words.change_value("next_step", "kind", "en") == "next step"
    assert words.change_value('["housing", "noise"]', "themes", "nl") == "wonen, geluid"
    assert words.change_value("2022-07-01", "due_date", "nl") == "1 juli 2022"
    assert words.change_value(None, "text", "nl") == "-"
    assert words.change_value("Nieuwe tekst", "text", "nl") == "Nieuwe tekst"


def test_markdown_anchors_as_renderers_make_them() -> None:
    assert words.slug("Regio Zwolle") == "regio-zwolle"
    assert words.slug("Validatie-onderzoek Deltaplan voor het Noorden") == (
        "validatie-onderzoek-deltaplan-voor-het-noorden"
    )
    assert words.slug("Verstedelijkingsstrategieën (2021)") == "verstedelijkingsstrategieën-2021"
