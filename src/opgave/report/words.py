"""The report's words from the shared catalogue (:mod:`opgave.i18n`): vocabulary codes as
words, dates (also ISO text) as each language writes them. Installed into the templates'
Jinja2 environment so that no template shows a raw code or an ISO date.

Inputs: a code and its vocabulary, a date; the report's language. Outputs: text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import Environment

from opgave import i18n
from opgave.i18n import date_text, label


def dates_text(values: Iterable[object], lang: str, joiner: str) -> str:
    """Several dates, the last two joined by ``joiner`` (en, and): 1 mei en 3 juni 2023."""
    texts = [date_text(v, lang) for v in values]
    if len(texts) < 2:
        return "".join(texts)
    return ", ".join(texts[:-1]) + f" {joiner} " + texts[-1]


def period_text(target: Mapping[str, Any], lang: str) -> str:
    """A target's years for a table cell or a chart label: 2022-2030, t/m 2030, vanaf 2025
    (never "-2030"); its own words when it names no year, else "-"."""
    otherwise = str(target.get("period_text") or "-")
    return i18n.period(target.get("first_year"), target.get("last_year"), lang, otherwise)


CHANGE_VOCABULARIES = {"kind": "agreement_kind", "status": "agreement_status", "themes": "theme"}
"""The vocabulary of each agreement field whose changes show codes."""


def change_value(value: str | None, field: str, lang: str) -> str:
    """A changed field's value (as the register keeps it: text, ISO dates, JSON lists) in
    words: codes through their vocabulary, dates written out, "-" for empty."""
    if value is None or value == "":
        return "-"
    vocabulary = CHANGE_VOCABULARIES.get(field)
    if field == "themes":
        try:
            codes = json.loads(value)
        except ValueError:
            codes = [value]
        items = codes if isinstance(codes, list) else [codes]
        return ", ".join(label("theme", str(c), lang) for c in items) or "-"
    if vocabulary:
        return label(vocabulary, value, lang)
    if field == "due_date":
        return date_text(value, lang)
    return value


def slug(text: str) -> str:
    """A heading's anchor as Markdown renderers make it (GitHub style): lower case, spaces
    to hyphens, punctuation dropped: "Regio Zwolle" -> "regio-zwolle"."""
    kept = "".join(c for c in text.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def install(env: Environment, lang: str) -> None:
    """Add the report's filters for ``lang`` to a template environment: ``label``
    (``code|label("theme")``), ``longdate`` (dates and ISO text), ``dates`` (several dates
    in words), ``period`` (a target's years), ``change_value`` (a register change),
    ``slug`` (a Markdown heading's anchor), ``coverage`` (:func:`opgave.i18n.coverage`)."""
    env.filters["label"] = lambda code, vocabulary: label(vocabulary, code, lang)
    env.filters["longdate"] = lambda value: date_text(value, lang)
    env.filters["dates"] = lambda values, joiner: dates_text(values, lang, joiner)
    env.filters["period"] = lambda target: period_text(target, lang)
    env.filters["coverage"] = lambda c: i18n.coverage(
        c.known, c.expected, c.lower_bound, lang, c.by_confidence
    )
    env.filters["change_value"] = lambda value, field: change_value(value, field, lang)
    env.filters["slug"] = slug
