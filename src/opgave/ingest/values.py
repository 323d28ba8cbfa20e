"""Cell values as Dutch offices write them: numbers with thousands and decimal separators,
dates as d-m-yyyy, names with and without diacritics, and text a spreadsheet would run.

Pure functions over single values; the readers apply them once per distinct value of a
column, so a 200,000-row file costs as many calls as it has different spellings.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Literal

Decimal = Literal[",", "."]
"""The decimal separator of a file: "," (Dutch: 1.200,5) or "." (English: 1,200.5)."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Text starting with one of these runs as a formula when a spreadsheet opens the file
(OWASP "CSV injection"). Text fields holding such text are refused (see docs/plans.md)."""

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_PLAIN = re.compile(r"[+-]?\d+")
_DECIMAL_POINT = re.compile(r"[+-]?(\d+\.\d*|\.\d+)")
_DECIMAL_COMMA = re.compile(r"[+-]?(\d+,\d*|,\d+)")
_GROUPED_DOT = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d*)?")
_GROUPED_COMMA = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?")


class ValueProblem(ValueError):
    """A cell that cannot be read as the value its column needs; the message says why."""


def parse_number(raw: object, decimal: Decimal = ",") -> float | None:
    """A number from a cell: None when empty; raise :class:`ValueProblem` otherwise.

    Numbers written by a program (int, float) are taken as they are. Text may carry spaces
    (also non-breaking and thin ones) and apostrophes as thousands separators. With the
    decimal comma (Dutch files) "1.200" is 1200 and "1.200,5" 1200.5; with the decimal point
    "1,200" is 1200 and "1.5" 1.5. A dot in a Dutch file that does not group thousands
    ("1.5") and a comma in an English file that does not ("1,5") are read as the decimal
    separator; a value using both in the other order is refused.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueProblem(f"expected a number, got {raw!r}")
    if isinstance(raw, int | float):
        value = float(raw)
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise ValueProblem(f"expected a number, got {raw!r}")
        return value
    text = str(raw).strip()
    if text == "":
        return None
    compact = _SPACES.sub("", text)
    try:
        if _PLAIN.fullmatch(compact):
            return float(int(compact))
        if decimal == ",":
            if _GROUPED_DOT.fullmatch(compact):
                return float(compact.replace(".", "").replace(",", "."))
            if _DECIMAL_COMMA.fullmatch(compact) or _DECIMAL_POINT.fullmatch(compact):
                return float(compact.replace(",", "."))
        else:
            if _GROUPED_COMMA.fullmatch(compact):
                return float(compact.replace(",", ""))
            if _DECIMAL_POINT.fullmatch(compact) or _DECIMAL_COMMA.fullmatch(compact):
                return float(compact.replace(",", "."))
    except ValueError:
        pass
    raise ValueProblem(f"expected a number, got {text!r}")


def parse_whole(raw: object, decimal: Decimal = ",", *, minimum: int | None = 0) -> int | None:
    """A whole number (homes, a year) from a cell: None when empty; refuses fractions,
    ranges ("100-150"), text and numbers below ``minimum`` with a message."""
    if isinstance(raw, str) and re.fullmatch(r"\s*\d[\d.,\s]*\s*[-–]\s*\d[\d.,\s]*", raw):
        raise ValueProblem(f"expected one whole number, got the range {raw.strip()!r}")
    try:
        value = parse_number(raw, decimal)
    except ValueProblem:
        raise ValueProblem(f"expected a whole number, got {_shown(raw)}") from None
    if value is None:
        return None
    if not value.is_integer():
        raise ValueProblem(f"expected a whole number, got {_shown(raw)}")
    if minimum is not None and value < minimum:
        raise ValueProblem(f"expected a number >= {minimum}, got {int(value)}")
    return int(value)


def _shown(raw: object) -> str:
    return repr(raw.strip()) if isinstance(raw, str) else repr(raw)


DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%y")
"""Date formats tried when a profile gives none: Dutch d-m-yyyy first, then ISO."""


def parse_date(raw: object, formats: tuple[str, ...] = DATE_FORMATS) -> dt.date | None:
    """A date from a cell (a date, a datetime, or text in one of ``formats``); None when
    empty; raise :class:`ValueProblem` otherwise."""
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    if text == "":
        return None
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    shown = " or ".join(
        f.replace("%d", "d").replace("%m", "m").replace("%Y", "yyyy") for f in formats
    )
    raise ValueProblem(f"expected a date as {shown}, got {text!r}")


def parse_flag(raw: object) -> bool | None:
    """A yes/no cell (ja/nee, yes/no, true/false, 1/0, x); None when empty."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text == "":
        return None
    if text in ("ja", "j", "yes", "y", "true", "waar", "1", "x", "schatting", "geschat"):
        return True
    if text in ("nee", "n", "no", "false", "onwaar", "0"):
        return False
    raise ValueProblem(f"expected ja/nee (yes/no), got {text!r}")


def fold(text: str) -> str:
    """Text folded for matching: no diacritics, lower case, one space between words, and
    hyphens, apostrophes and dots treated as spaces ("Súdwest-Fryslân" -> "sudwest fryslan")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[-‐–_'’`´.,/]+", " ", plain.lower())
    return " ".join(plain.split())


def formula_problem(text: str) -> str | None:
    """Why ``text`` would run as a spreadsheet formula, or None. Numbers such as "-5" are
    not text and are left to the number checks."""
    if text and text[0] in FORMULA_START:
        return (
            f"text starting with {text[0]!r} would run as a formula in a spreadsheet "
            f"({text[:30]!r}); remove the leading character"
        )
    return None
