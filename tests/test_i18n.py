"""The words and numbers every door shares (opgave.i18n)."""

from __future__ import annotations

import datetime as dt

from opgave import i18n, vocabulary


def test_numbers_and_dates_as_each_language_writes_them() -> None:
    assert i18n.number(900000, "nl") == "900.000"
    assert i18n.number(900000, "en") == "900,000"
    assert i18n.percent(1.175, "nl") == "117,5%"
    assert i18n.percent(1.3, "en") == "130%"
    assert i18n.long_date(dt.date(2021, 12, 16), "nl") == "16 december 2021"
    assert i18n.long_date(dt.date(2021, 12, 16), "en") == "16 December 2021"


def test_every_code_of_the_shown_vocabularies_has_its_words() -> None:
    shown = {
        "area_kind": vocabulary.AREA_KINDS,
        "measure": tuple(vocabulary.MEASURES),
        "agreement_kind": vocabulary.AGREEMENT_KINDS,
        "agreement_status": vocabulary.AGREEMENT_STATUSES,
        "theme": vocabulary.THEMES,
        "confidence": vocabulary.CONFIDENCES,
        "instrument_kind": vocabulary.INSTRUMENT_KINDS,
        "role": tuple(vocabulary.ROLES),
        "audit_action": vocabulary.VOCABULARIES[("audit_event", "action")],
        "target_kind": vocabulary.TARGET_KINDS,
    }
    for name, codes in shown.items():
        assert set(i18n.WORDS[name]) == set(codes), name
    assert i18n.label("area_kind", "strategy_region", "nl") == "verstedelijkingsstrategie"
    assert i18n.label("measure", "homes_built", "en") == "homes added"


def test_coverage_periods_and_months_are_written_once_for_every_door() -> None:
    """The CLI, the dashboard and the report call these; a change shows in all of them."""
    from opgave.i18n import coverage, months, period

    assert coverage(30, 30, False, "nl") == "30 van 30 gemeenten"
    assert coverage(1, 1, False, "nl", [("official", 1)]) == "1 van 1 gemeente"
    assert coverage(21, 22, True, "nl", [("official", 18), ("secondary", 3)]) == (
        "ondergrens: 21 van 22 gemeenten (3 secundair)"
    )
    assert coverage(1234, None, True, "en") == (
        "lower bound: 1,234 municipalities known, total not stated"
    )
    assert [period(2021, 2030, "nl"), period(2025, 2025, "nl"), period(None, 2030, "nl")] == [
        "2021-2030", "2025", "t/m 2030"
    ]  # fmt: skip
    assert period(2031, None, "en") == "from 2031" and period(None, None, "nl", "open") == "open"
    assert months(9, 2026, "nl") == "jan-sep 2026" and months(1, 2026, "en") == "Jan 2026"
