"""The command line's words in Dutch and English, by key, and the language a command speaks.

One catalogue for the CLI's sentences, table titles and column headers, beside the
dashboard's (:mod:`opgave.web.i18n`) and the report's templates; the words for vocabulary
codes and the way numbers, percentages and dates are written come from :mod:`opgave.i18n`
(Babel: 900.000 and 117,5% in Dutch), so the doors never disagree.

The language is ``--lang`` (before the command), else ``OPGAVE_LANG``, else English. So far
the reading commands ``overview`` and ``status`` speak it; the other commands are English
until they are translated, and then the default becomes Dutch, as on the dashboard.
Markup (Rich) stays out of the catalogue: the commands mark the values they put in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opgave import i18n

if TYPE_CHECKING:
    from opgave.areas import Coverage

ENVIRONMENT = "OPGAVE_LANG"
"""The environment variable that chooses the language when ``--lang`` is not given."""
CLI_DEFAULT_LANGUAGE = "en"
"""The command line's language when neither ``--lang`` nor ``OPGAVE_LANG`` says: English
until every command is translated, then Dutch (:data:`opgave.i18n.DEFAULT_LANGUAGE`)."""
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "synthetic": "SYNTHETIC",
        "synthetic_plans": "SYNTHETIC plans",
        "synthetic_loaded_overview": "Synthetic demo data is loaded: {sources}. "
        "Figures marked SYNTHETIC rest on it.",
        "synthetic_loaded_status": "Synthetic demo data is loaded ({sources}): "
        "figures marked SYNTHETIC rest on it.",
        "coverage_line": "Coverage: {coverage}.",
        "municipality": "municipality",
        "municipalities": "municipalities",
        "realised_line": "Realised {years}{provisional}: {amount} homes added ({definition})"
        "{share}",
        "provisional_years": " ({years} provisional)",
        "at_least": "at least {value}",
        "up_to": "up to {value}",
        "share_of_target": " = {share} of the target",
        "gap_line": "No figure under this definition for {years}: the realised total is a "
        "lower bound.",
        "remaining_line": "Remaining: {remaining} in {years} years -> {needed} a year needed; "
        "mean of the last 3 years {recent} -> {status}",
        "no_realised": "No realised figures yet: run `opgave ingest cbs` (or load a dataset).",
        "capacity_line": "Plan capacity {first}-{last}: {planned} homes in {plans} plans = "
        "{ratio} of the {against} still to be built (hard {hard}); norm {norm}: {verdict}",
        "met": "met",
        "not_met": "not met",
        "plans_line": "Plans in the area: {plans} with {homes} homes{synthetic}.",
        "no_national_target": "No national homes target is loaded; run `opgave init`.",
        "target_source": "Target source: {source}, {section}",
        "source": "Source: {sources}",
        "no_capacity": "Plan capacity: no plan lists loaded yet (norm: 130% of the task, "
        "Kamerstuk 34 682 nr. 90).",
        "regions_title": "Regional urbanisation strategies (letter order); "
        "`opgave status AREA` for their coverage",
        "column_region": "region",
        "column_realised": "realised",
        "column_capacity": "capacity",
        "column_targets": "targets",
        "lower_bound": "lower bound",
        "due_title": "Agreements due at the next meetings",
        "column_meeting": "meeting",
        "column_when": "when",
        "column_due": "due",
        "column_not_done": "not done",
        "as_of": " as of {date}",
        "targets_title": "targets of {area} and inside it",
        "column_target": "target",
        "column_area": "area",
        "column_period": "period",
        "column_pace": "pace needed / last 3 yrs",
        "column_capacity_remaining": "plan capacity vs what remains",
        "capacity_cell": "{planned} = {ratio} (hard {hard}); {norm} {verdict}",
        "of_maximum": "; {ratio} of the maximum",
        "funding_line": "Funding awarded in {area} (and areas inside it): {awards} awards, "
        "EUR {amount} for {homes} homes ({affordable} affordable).",
        "lower_bound_note": "≥ Only the municipalities a source names are counted for such an "
        "area, so its realised figures and plan capacity are lower bounds.",
        "year_so_far": "Year so far (BAG, {months}): {said}; {coverage}",
        "ysf_completed": "{count} homes completed",
        "ysf_new_build": ", of which {count} new-build",
        "ysf_permitted": "{count} homes permitted",
        "ysf_started": "{count} homes started",
        "ysf_previous": " ({count} in the same months of {year})",
        "ysf_provisional": "; provisional",
        "homes_suffix": "{value} homes",
        "open": "open",
        "no_period": "no period",
    },
    "nl": {
        "synthetic": "SYNTHETISCH",
        "synthetic_plans": "SYNTHETISCHE plannen",
        "synthetic_loaded_overview": "Er zijn synthetische demogegevens geladen: {sources}. "
        "Cijfers met SYNTHETISCH erbij rusten daarop.",
        "synthetic_loaded_status": "Er zijn synthetische demogegevens geladen ({sources}): "
        "cijfers met SYNTHETISCH erbij rusten daarop.",
        "coverage_line": "Dekking: {coverage}.",
        "municipality": "gemeente",
        "municipalities": "gemeenten",
        "realised_line": "Gerealiseerd {years}{provisional}: {amount} woningen toegevoegd "
        "({definition}){share}",
        "provisional_years": " ({years} voorlopig)",
        "at_least": "ten minste {value}",
        "up_to": "tot {value}",
        "share_of_target": " = {share} van de opgave",
        "gap_line": "Geen cijfer onder deze telling voor {years}: het gerealiseerde totaal is "
        "een ondergrens.",
        "remaining_line": "Nog te bouwen: {remaining} in {years} jaar -> {needed} per jaar "
        "nodig; gemiddelde van de laatste 3 jaar {recent} -> {status}",
        "no_realised": "Nog geen realisatiecijfers: draai `opgave ingest cbs` (of laad een "
        "dataset).",
        "capacity_line": "Plancapaciteit {first}-{last}: {planned} woningen in {plans} plannen "
        "= {ratio} van de {against} die nog gebouwd moeten worden (hard {hard}); norm {norm}: "
        "{verdict}",
        "met": "gehaald",
        "not_met": "niet gehaald",
        "plans_line": "Plannen in het gebied: {plans} met {homes} woningen{synthetic}.",
        "no_national_target": "Er is geen landelijke woningbouwopgave geladen; draai "
        "`opgave init`.",
        "target_source": "Bron van de opgave: {source}, {section}",
        "source": "Bron: {sources}",
        "no_capacity": "Plancapaciteit: nog geen planlijsten geladen (norm: 130% van de "
        "opgave, Kamerstuk 34 682 nr. 90).",
        "regions_title": "Verstedelijkingsstrategieën (volgorde van de brief); "
        "`opgave status GEBIED` voor hun dekking",
        "column_region": "regio",
        "column_realised": "gerealiseerd",
        "column_capacity": "plancapaciteit",
        "column_targets": "doelen",
        "lower_bound": "ondergrens",
        "due_title": "Afspraken die bij de volgende overleggen aan de beurt zijn",
        "column_meeting": "overleg",
        "column_when": "wanneer",
        "column_due": "aan de beurt",
        "column_not_done": "niet afgerond",
        "as_of": " stand per {date}",
        "targets_title": "doelen van {area} en de gebieden daarbinnen",
        "column_target": "doel",
        "column_area": "gebied",
        "column_period": "periode",
        "column_pace": "benodigd tempo / laatste 3 jaar",
        "column_capacity_remaining": "plancapaciteit t.o.v. wat nog moet",
        "capacity_cell": "{planned} = {ratio} (hard {hard}); {norm} {verdict}",
        "of_maximum": "; {ratio} van het maximum",
        "funding_line": "Toegekende financiering in {area} (en de gebieden daarbinnen): "
        "{awards} toekenningen, EUR {amount} voor {homes} woningen ({affordable} betaalbaar).",
        "lower_bound_note": "≥ Voor zo'n gebied tellen alleen de gemeenten die een bron noemt, "
        "dus de gerealiseerde cijfers en de plancapaciteit zijn ondergrenzen.",
        "year_so_far": "Dit jaar tot nu toe (BAG, {months}): {said}; {coverage}",
        "ysf_completed": "{count} woningen opgeleverd",
        "ysf_new_build": ", waarvan {count} nieuwbouw",
        "ysf_permitted": "{count} woningen vergund",
        "ysf_started": "{count} woningen in aanbouw genomen",
        "ysf_previous": " ({count} in dezelfde maanden van {year})",
        "ysf_provisional": "; voorlopig",
        "homes_suffix": "{value} woningen",
        "open": "open",
        "no_period": "geen periode",
    },
}
"""The sentences, titles and column headers of the translated commands, per language."""


def language(option: str | None, environ: Mapping[str, str]) -> str:
    """The language a command speaks: ``--lang``, else ``OPGAVE_LANG``, else English.

    Raises ValueError with the one line to print for a language opgave does not speak."""
    for name, value in (("--lang", option), (ENVIRONMENT, environ.get(ENVIRONMENT))):
        if value is None or (name == ENVIRONMENT and not value.strip()):
            continue
        chosen = value.strip().lower()
        if chosen not in i18n.LANGUAGES:
            spoken = " or ".join(i18n.LANGUAGES)
            raise ValueError(f"{name} expects {spoken}, got {value!r}")
        return chosen
    return CLI_DEFAULT_LANGUAGE


class Words:
    """The words of one language: ``t(key, **values)`` fills in a sentence; numbers,
    percentages, dates and vocabulary codes as that language writes them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._texts = TEXTS[lang]

    def __call__(self, key: str, **values: Any) -> str:
        """The sentence ``key`` with ``values`` filled in."""
        text = self._texts[key]
        return text.format(**values) if values else text

    def number(self, value: float | None, digits: int = 0) -> str:
        """A number of homes (or any count): 900.000 in Dutch, 900,000 in English."""
        return i18n.number(value, self.lang, digits)

    def percent(self, value: float | None, digits: int = 0) -> str:
        """A ratio as a percentage with a fixed number of decimals: 117,5% in Dutch."""
        return i18n.percent(value, self.lang, digits)

    def date(self, value: dt.date) -> str:
        """A date: 1 januari 2025 in Dutch; ISO (2025-01-01) in English, as before."""
        return value.isoformat() if self.lang == "en" else i18n.long_date(value, self.lang)

    def word(self, vocabulary: str, code: str | None) -> str:
        """The word for a vocabulary code ('on_track' -> 'op koers')."""
        return i18n.label(vocabulary, code, self.lang)

    def coverage(self, c: Coverage) -> str:
        """An area's coverage: "30 van 30 gemeenten (3 secundair)", "ondergrens: 21 van 22
        gemeenten" (:func:`opgave.i18n.coverage`, as the dashboard and the report say it)."""
        return i18n.coverage(c.known, c.expected, c.lower_bound, self.lang, c.by_confidence)

    def period(self, t: Mapping[str, Any]) -> str:
        """A target's inclusive years: 2021-2030, t/m 2040, vanaf 2031, geen periode."""
        return i18n.period(t["first_year"], t["last_year"], self.lang, self("no_period"))

    def target_value(self, t: Mapping[str, Any]) -> str:
        """A target's value as the letter says it: ranges, "ca.", "ten minste", open."""
        lo, hi = t["value_min"], t["value_max"]
        unit = t["unit"]

        def fmt(v: float) -> str:
            return self.percent(v) if unit in ("ratio", "share") else self.number(v)

        if lo is None and hi is None:
            text = t["qualitative"] or self("open")
        elif lo is not None and hi is not None:
            text = fmt(lo) if lo == hi else f"{fmt(lo)}-{fmt(hi)}"
        elif lo is not None:
            text = self("at_least", value=fmt(lo))
        else:
            text = self("up_to", value=fmt(hi))
        if unit == "homes" and (lo is not None or hi is not None):
            text = self("homes_suffix", value=text)
        return f"ca. {text}" if t["approximate"] else text

    def months(self, last_month: int, year: int) -> str:
        """The months of a year so far: "jan-sep 2026" ("jan 2026" for January alone)."""
        return i18n.months(last_month, year, self.lang)
