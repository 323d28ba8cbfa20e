"""Cell values as Dutch offices write them: numbers, dates, names, formula-like text."""

from __future__ import annotations

import datetime as dt

import pytest

from opgave.ingest.values import (
    ValueProblem,
    fold,
    formula_problem,
    parse_date,
    parse_flag,
    parse_number,
    parse_whole,
)


@pytest.mark.parametrize(
    ("raw", "decimal", "expected"),
    [
        ("1.200", ",", 1200.0),
        ("1.200,5", ",", 1200.5),
        ("1 200", ",", 1200.0),
        ("1\u00a0200", ",", 1200.0),
        ("12,5", ",", 12.5),
        ("1.5", ",", 1.5),
        ("0.300", ",", 0.3),  # a leading zero never groups thousands
        ("1,200", ".", 1200.0),
        ("1,200.5", ".", 1200.5),
        ("1.200", ".", 1.2),
        (" 42 ", ",", 42.0),
        (7, ",", 7.0),
        ("", ",", None),
        (None, ",", None),
    ],
)
def test_numbers_with_either_separator(raw: object, decimal: str, expected: float | None) -> None:
    assert parse_number(raw, decimal) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("veel", "expected a whole number, got 'veel'"),
        ("-5", "expected a number >= 0, got -5"),
        ("12,5", "expected a whole number, got '12,5'"),
        ("100-150", "expected one whole number, got the range '100-150'"),
        ("1.200,5", "expected a whole number"),
        (True, "expected a whole number"),
    ],
)
def test_whole_numbers_refuse_text_negative_fraction_and_range(raw: object, message: str) -> None:
    with pytest.raises(ValueProblem, match=message):
        parse_whole(raw, ",")


def test_whole_numbers_accept_dutch_thousands() -> None:
    assert parse_whole("1.200", ",") == 1200
    assert parse_whole(1200.0, ",") == 1200
    assert parse_whole("", ",") is None


def test_dates_dutch_first() -> None:
    assert parse_date("5-3-2024") == dt.date(2024, 3, 5)
    assert parse_date("2024-03-05") == dt.date(2024, 3, 5)
    assert parse_date(dt.datetime(2024, 3, 5, 12)) == dt.date(2024, 3, 5)
    with pytest.raises(ValueProblem, match="expected a date as d-m-yyyy"):
        parse_date("maart 2024")


def test_flags_and_folding() -> None:
    assert parse_flag("Ja") is True and parse_flag("nee") is False and parse_flag("") is None
    with pytest.raises(ValueProblem):
        parse_flag("misschien")
    assert fold("Súdwest-Fryslân") == "sudwest fryslan"
    assert fold("'s-Hertogenbosch") == fold("s Hertogenbosch")


def test_formula_like_text_is_named() -> None:
    assert formula_problem('=HYPERLINK("http://x")') is not None
    for start in ("+", "-", "@"):
        assert formula_problem(start + "cmd") is not None
    assert formula_problem("Oostflank") is None
