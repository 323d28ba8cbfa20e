"""The catalogue of refusals: both languages for every code, the same values in each, and
the English a refusal always had (the API and the English command line show it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opgave import refusals
from opgave.message import Message, code_of
from opgave.refusals import REFUSALS, counted, placeholders, refusal, say
from opgave.service.errors import ServiceError

SERVICE = Path(refusals.__file__).parent / "service"
USED = re.compile(r'(?:refused\(\s*\w+,\s*|refusal\(\s*|counted\(\s*)"(\w+)"')
"""A code given to ServiceError.refused, refusal or counted in the service's source."""
SAME_IN_BOTH = {"file_failed"}  # "{path}: {reason}": no words of its own


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_every_refusal_has_its_dutch_with_the_same_values(code: str) -> None:
    english, dutch = REFUSALS[code]
    assert english.strip() and dutch.strip(), code
    assert placeholders(english) == placeholders(dutch), code
    if code not in SAME_IN_BOTH:
        assert english != dutch, f"{code} is not translated"


def test_placeholders_tell_a_missing_or_renamed_value_apart() -> None:
    assert placeholders("{a!r} of {n:n}") == {"a!r:", "n!:n"}
    assert placeholders("{a} of {n}") != placeholders("{a!r} of {n:n}")


def test_every_code_the_service_uses_is_in_the_catalogue() -> None:
    used = {m for f in SERVICE.glob("*.py") for m in USED.findall(f.read_text("utf-8"))}
    assert len(used) > 50
    assert sorted(used - set(REFUSALS)) == []


def test_a_refusal_is_its_english_with_its_code_and_values() -> None:
    said = refusal("unknown_area", area="NOPE")
    assert isinstance(said, Message)
    assert said == "unknown area 'NOPE'; `opgave areas` lists them"
    assert code_of(said) == "unknown_area" and said.values == {"area": "NOPE"}
    assert say(said, "nl") == "onbekend gebied 'NOPE'; `opgave areas` noemt ze"
    assert say(said, "en") == said
    assert say("plain English", "nl") == "plain English"  # no code: as written


def test_numbers_are_written_as_the_language_writes_them() -> None:
    said = refusal("plan_list_problems", count=1200)
    assert said == "1200 problem(s) in the plan list, nothing written"  # as it always was
    assert say(said, "nl") == "1.200 problemen in de planlijst, er is niets opgeslagen"


def test_one_problem_is_singular_in_dutch_and_unchanged_in_english() -> None:
    one, two = counted("problems_nothing_changed", 1), counted("problems_nothing_changed", 2)
    assert one == "1 problem(s), nothing changed:" and two == "2 problem(s), nothing changed:"
    assert say(one, "nl") == "1 probleem, er is niets gewijzigd:"
    assert say(two, "nl") == "2 problemen, er is niets gewijzigd:"


def test_service_error_refused_keeps_status_options_and_english() -> None:
    error = ServiceError.refused(503, "busy", url="t.db", retry_after=2)
    assert (error.status, error.retry_after, error.code) == (503, 2, "busy")
    assert (
        str(error)
        == error.detail
        == (
            "the database t.db is busy: another process is writing to it; nothing was written, "
            "try again in a moment"
        )
    )
    assert error.lines() == [error.detail]
    assert ServiceError(400, "plain").code is None
