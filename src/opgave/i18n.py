"""Numbers, percentages and dates as each language writes them, for every door (Babel).

One place so the dashboard, the report and the CLI never disagree on 900.000 against
900,000 or 117,5% against 117.5%. Dutch is the default language; English is British English
(16 December 2021).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
"""The Babel locale of each language."""


def locale_of(language: str) -> str:
    """The Babel locale of a language (Dutch for an unknown one)."""
    return LOCALES.get(language, LOCALES[DEFAULT_LANGUAGE])


def number(value: float | None, language: str, digits: int = 0) -> str:
    """A number as people write it: 900.000 in Dutch, 900,000 in English; '-' for None."""
    from babel.numbers import format_decimal  # Babel loads on the first number shown

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
    from babel.dates import format_date

    if value is None:
        return "-"
    return str(format_date(value, format="long", locale=locale_of(language)))


def as_date(value: object) -> dt.date | None:
    """A date from a date, a datetime or an ISO text; None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def date_text(value: object, language: str) -> str:
    """A date (or datetime, or ISO text) as the language writes it: 16 december 2021; '-'
    for None; text that is not a date as it is."""
    day = as_date(value)
    if day is None:
        return "-" if value is None or value == "" else str(value)
    return long_date(day, language)


PHRASES: dict[str, dict[str, str]] = {
    "nl": {
        "municipality": "gemeente",
        "municipalities": "gemeenten",
        "of": "{known} van {expected} {noun}",
        "not_stated": "{known} {noun} bekend, het totaal is niet genoemd",
        "lower_bound": "ondergrens: {line}",
        "until": "t/m {year}",  # tot en met: "tot" alone would read as excluding the year
        "from": "vanaf {year}",
        "months": "jan,feb,mrt,apr,mei,jun,jul,aug,sep,okt,nov,dec",
    },
    "en": {
        "municipality": "municipality",
        "municipalities": "municipalities",
        "of": "{known} of {expected} {noun}",
        "not_stated": "{known} {noun} known, total not stated",
        "lower_bound": "lower bound: {line}",
        "until": "to {year}",
        "from": "from {year}",
        "months": "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
    },
}
"""The phrases of coverage, periods and months, which every door writes the same way."""


def coverage(
    known: int,
    expected: int | None,
    lower_bound: bool,
    language: str,
    by_confidence: Iterable[tuple[str, int]] = (),
) -> str:
    """How many municipalities a figure covers: "30 van 30 gemeenten (3 secundair)",
    "ondergrens: 21 van 22 gemeenten", "ondergrens: 5 gemeenten bekend, het totaal is niet
    genoemd" - memberships weaker than official counted in brackets."""
    words = PHRASES["en" if language == "en" else "nl"]
    noun = words["municipality" if (expected or known) == 1 else "municipalities"]
    if expected is None:
        line = words["not_stated"].format(known=number(known, language), noun=noun)
    else:
        line = words["of"].format(
            known=number(known, language), expected=number(expected, language), noun=noun
        )
    if lower_bound:
        line = words["lower_bound"].format(line=line)
    weak = [
        f"{number(n, language)} {label('confidence', c, language)}"
        for c, n in by_confidence
        if c != "official" and n
    ]
    return line + (f" ({', '.join(weak)})" if weak else "")


def period(first: int | None, last: int | None, language: str, otherwise: str = "-") -> str:
    """A period of whole years, both ends included: 2021-2030, 2025, t/m 2030, vanaf 2031;
    ``otherwise`` when it names no year."""
    words = PHRASES["en" if language == "en" else "nl"]
    if first and last:
        return str(first) if first == last else f"{first}-{last}"
    if last:
        return words["until"].format(year=last)
    if first:
        return words["from"].format(year=first)
    return otherwise


def months(last_month: int, year: int, language: str) -> str:
    """The months of a year so far: "jan-sep 2026" ("jan 2026" for January alone)."""
    names = PHRASES["en" if language == "en" else "nl"]["months"].split(",")
    return f"{names[0]}-{names[last_month - 1]} {year}" if last_month > 1 else f"{names[0]} {year}"


WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "area_kind": {
        "nation": ("Nederland", "the Netherlands"),
        "landsdeel": ("landsdeel", "part of the country"),
        "province": ("provincie", "province"),
        "strategy_region": ("verstedelijkingsstrategie", "urbanisation strategy region"),
        "municipality": ("gemeente", "municipality"),
        "large_scale_area": ("grootschalige woningbouwlocatie", "large-scale housing area"),
        "location": ("locatie", "location"),
        "group": ("groep", "group"),
    },
    "measure": {
        "homes_built": ("woningen toegevoegd", "homes added"),
        "homes_permitted": ("woningen vergund (BAG)", "homes permitted (BAG)"),
        "homes_started": ("woningen in aanbouw genomen", "homes started"),
        "homes_completed": ("woningen opgeleverd (BAG)", "homes completed (BAG)"),
        "homes_completed_new_build": ("nieuwbouw opgeleverd (BAG)", "new-build completed (BAG)"),
        "homes_completed_other": ("overige toevoegingen (BAG)", "other additions (BAG)"),
        "homes_affordable_share": ("aandeel betaalbaar", "affordable share"),
        "homes_share_of_task": ("aandeel in de opgave", "share of the task"),
        "homes_added_share_of_stock": (
            "toe te voegen als aandeel van de voorraad",
            "to add as a share of the stock",
        ),
        "plan_capacity_ratio": ("plancapaciteit t.o.v. de opgave", "plan capacity against task"),
        "homes_new_build": ("nieuwbouw", "new-build"),
        "homes_other_added": ("overige toevoeging", "other additions"),
        "homes_other_net_added": (
            "saldo overige toevoegingen en onttrekkingen",
            "other additions less other removals",
        ),
        "homes_demolished": ("sloop", "demolished"),
        "homes_other_removed": ("overige onttrekking", "other removals"),
        "homes_net_added": ("saldo voorraad", "net change of the stock"),
    },
    "agreement_kind": {
        "agreement": ("afspraak", "agreement"),
        "next_step": ("vervolgstap", "next step"),
        "attention_point": ("aandachtspunt", "point of attention"),
    },
    "agreement_status": {
        "open": ("open", "open"),
        "in_progress": ("in uitvoering", "in progress"),
        "done": ("afgerond", "done"),
        "lapsed": ("vervallen", "lapsed"),
        "superseded": ("vervangen", "superseded"),
    },
    "pace_status": {
        "behind": ("achter op schema", "behind"),
        "no_data": ("geen cijfers", "no figures"),
        "on_track": ("op koers", "on track"),
        "period_over": ("periode voorbij", "period over"),
        "reached": ("gehaald", "reached"),
    },
    "target_kind": {
        "capacity": ("ruimte", "capacity"),
        "expectation": ("verwachting", "expectation"),
        "target": ("opgave", "target"),
    },
    "theme": {
        "housing": ("wonen", "housing"),
        "mobility": ("bereikbaarheid", "mobility"),
        "green": ("groen", "green"),
        "water_climate": ("water en klimaat", "water and climate"),
        "energy": ("energie", "energy"),
        "nitrogen": ("stikstof", "nitrogen"),
        "noise": ("geluid", "noise"),
        "finance": ("financiën", "finance"),
        "economy": ("economie", "economy"),
        "social": ("sociaal", "social"),
    },
    "confidence": {
        "official": ("officieel", "official"),
        "press": ("pers", "press"),
        "secondary": ("secundair", "secondary"),
        "inferred": ("afgeleid", "inferred"),
        "synthetic": ("SYNTHETISCH", "SYNTHETIC"),
    },
    "instrument_kind": {
        "budget": ("budget", "budget"),
        "track": ("spoor", "track"),
        "impulse": ("impuls", "impulse"),
        "tranche": ("tranche", "tranche"),
    },
    "audit_action": {
        "create": ("aangemaakt", "created"),
        "delete": ("verwijderd", "deleted"),
        "login": ("ingelogd", "signed in"),
        "update": ("gewijzigd", "changed"),
        "upload": ("geüpload", "uploaded"),
    },
    "role": {
        "admin": ("beheerder", "administrator"),
        "editor": ("redacteur", "editor"),
        "viewer": ("lezer", "reader"),
    },
}
"""The words for the vocabularies' codes (vocabulary.py), Dutch and English: the doors show
these, never the codes."""


def label(vocabulary: str, code: str | None, language: str) -> str:
    """The word for a code of a vocabulary in a language (the code itself when unknown)."""
    if code is None:
        return "-"
    words = WORDS.get(vocabulary, {}).get(code)
    if words is None:
        return code
    return words[1] if language == "en" else words[0]
