"""Numbers, percentages and dates as each language writes them, for every door (Babel).

One place so the dashboard, the report and the CLI never disagree on 900.000 against
900,000 or 117,5% against 117.5%. Dutch is the default language; English is British English
(16 December 2021).
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
"""The Babel locale of each language."""


def locale_of(language: str) -> str:
    """The Babel locale of a language (Dutch for an unknown one)."""
    return LOCALES.get(language, LOCALES[DEFAULT_LANGUAGE])


def number(value: float | None, language: str, digits: int = 0) -> str:
    """A number as people write it: 900.000 in Dutch, 900,000 in English; '-' for None."""
    if value is None:
        return "-"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(round(value, digits), format=pattern, locale=locale_of(language)))


def percent(value: float | None, language: str, digits: int | None = None) -> str:
    """A ratio as a percentage: 1.3 -> 130%, 1.175 -> 117,5% (nl); ``digits`` None shows a
    decimal only where the value needs one."""
    if value is None:
        return "-"
    hundred = value * 100
    if digits is None:
        digits = 0 if abs(hundred - round(hundred)) < 0.05 else 1
    return number(hundred, language, digits) + "%"


def long_date(value: dt.date | None, language: str) -> str:
    """16 december 2021 (nl), 16 December 2021 (en); '-' for None."""
    if value is None:
        return "-"
    return str(format_date(value, format="long", locale=locale_of(language)))
