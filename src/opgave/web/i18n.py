"""The dashboard's words in Dutch (the default) and English, by key.

A missing key falls back to Dutch and then to the key itself, so that a forgotten
translation shows up as a readable word instead of an error.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "opgave - woningbouwopgave",
        "overview": "Overzicht",
        "map": "Kaart",
        "regions": "Regio's",
        "upload": "Planlijst uploaden",
        "login": "Inloggen",
        "logout": "Uitloggen",
        "name": "Naam",
        "password": "Wachtwoord",
        "signed_in_as": "Ingelogd als",
        "login_failed": "Onbekende gebruiker of verkeerd wachtwoord.",
        "national": "Landelijk beeld",
        "target": "Opgave",
        "realised": "Gerealiseerd",
        "of_target": "van de opgave",
        "remaining": "Nog te bouwen",
        "pace_needed": "Benodigd tempo per jaar",
        "recent_pace": "Gemiddelde laatste 3 jaar",
        "status": "Stand",
        "capacity": "Plancapaciteit",
        "capacity_vs_norm": "Plancapaciteit t.o.v. norm 130%",
        "hard": "hard",
        "plans": "Plannen",
        "norm_met": "norm gehaald",
        "norm_not_met": "norm niet gehaald",
        "no_plans": "Nog geen planlijsten geladen.",
        "no_realised": "Nog geen realisatiecijfers.",
        "due_next": "Afspraken die als eerste aan de beurt zijn",
        "due_at": "Agenderen voor",
        "not_done": "niet afgerond",
        "agreements": "Afspraken",
        "agreement": "Afspraak",
        "targets": "Doelen",
        "area": "Gebied",
        "period": "Periode",
        "value": "Waarde",
        "progress": "Voortgang",
        "audit": "Wijzigingslog",
        "when": "Wanneer",
        "who": "Wie",
        "what": "Wat",
        "before": "Voor",
        "after": "Na",
        "edit": "Wijzigen",
        "save": "Opslaan",
        "reason": "Toelichting",
        "history": "Geschiedenis",
        "version": "Versie",
        "saved": "Opgeslagen.",
        "conflict": "Iemand anders heeft deze afspraak intussen gewijzigd (versie {current}, u "
        "werkte op versie {yours}). Bekijk de wijzigingen hieronder en probeer het opnieuw.",
        "forbidden": "U mag dit niet wijzigen.",
        "filter": "Filter",
        "search": "Zoek op naam of id",
        "all_statuses": "alle statussen",
        "page": "Pagina",
        "of": "van",
        "previous": "Vorige",
        "next": "Volgende",
        "homes": "Woningen",
        "gemeente": "Gemeente",
        "planstatus": "Planstatus",
        "years": "Jaren",
        "file": "Bestand",
        "capture_date": "Peildatum",
        "partial": "Gedeeltelijke lijst (ontbrekende plannen niet laten vervallen)",
        "send": "Versturen",
        "upload_ok": "Planlijst verwerkt: {added} toegevoegd, {changed} gewijzigd, "
        "{dropped} vervallen, {unchanged} ongewijzigd.",
        "upload_problems": "De planlijst is niet verwerkt; er is niets opgeslagen.",
        "row": "Rij",
        "column": "Kolom",
        "problem": "Probleem",
        "synthetic": "Let op: synthetische demodata geladen ({sources}). Deze cijfers zijn "
        "verzonnen.",
        "map_progress": "Voortgang (gerealiseerd / opgave)",
        "map_capacity": "Plancapaciteit (plannen / opgave)",
        "map_planned": "Geplande woningen",
        "schematic": "Schematische kaart: er zijn nog geen grenzen geladen (opgave ingest geo).",
        "source": "Bron",
        "none": "geen",
        "strategy_regions": "Verstedelijkingsstrategieën",
        "provinces": "Provincies",
        "language": "English",
        "read_only": "Alleen lezen",
        "no_data": "geen gegevens",
        "on_track": "op koers",
        "behind": "achter",
        "reached": "gehaald",
        "period_over": "periode voorbij",
    },
    "en": {
        "title": "opgave - housing programme",
        "overview": "Overview",
        "map": "Map",
        "regions": "Regions",
        "upload": "Upload plan list",
        "login": "Sign in",
        "logout": "Sign out",
        "name": "Name",
        "password": "Password",
        "signed_in_as": "Signed in as",
        "login_failed": "Unknown user or wrong password.",
        "national": "National picture",
        "target": "Target",
        "realised": "Realised",
        "of_target": "of the target",
        "remaining": "Still to build",
        "pace_needed": "Pace needed per year",
        "recent_pace": "Mean of the last 3 years",
        "status": "Status",
        "capacity": "Plan capacity",
        "capacity_vs_norm": "Plan capacity against the 130% norm",
        "hard": "hard",
        "plans": "Plans",
        "norm_met": "norm met",
        "norm_not_met": "norm not met",
        "no_plans": "No plan lists loaded yet.",
        "no_realised": "No realised figures yet.",
        "due_next": "Agreements due next",
        "due_at": "Due at",
        "not_done": "not done",
        "agreements": "Agreements",
        "agreement": "Agreement",
        "targets": "Targets",
        "area": "Area",
        "period": "Period",
        "value": "Value",
        "progress": "Progress",
        "audit": "Audit trail",
        "when": "When",
        "who": "Who",
        "what": "What",
        "before": "Before",
        "after": "After",
        "edit": "Edit",
        "save": "Save",
        "reason": "Reason",
        "history": "History",
        "version": "Version",
        "saved": "Saved.",
        "conflict": "Someone else changed this agreement in the meantime (version {current}; "
        "you worked on version {yours}). Check the changes below and try again.",
        "forbidden": "You may not change this.",
        "filter": "Filter",
        "search": "Search name or id",
        "all_statuses": "all statuses",
        "page": "Page",
        "of": "of",
        "previous": "Previous",
        "next": "Next",
        "homes": "Homes",
        "gemeente": "Municipality",
        "planstatus": "Planning status",
        "years": "Years",
        "file": "File",
        "capture_date": "Capture date",
        "partial": "Partial list (do not drop plans missing from it)",
        "send": "Send",
        "upload_ok": "Plan list imported: {added} added, {changed} changed, {dropped} dropped, "
        "{unchanged} unchanged.",
        "upload_problems": "The plan list was not imported; nothing was written.",
        "row": "Row",
        "column": "Column",
        "problem": "Problem",
        "synthetic": "Note: synthetic demo data is loaded ({sources}). These figures are made up.",
        "map_progress": "Progress (realised / target)",
        "map_capacity": "Plan capacity (plans / target)",
        "map_planned": "Planned homes",
        "schematic": "Schematic map: no boundaries loaded yet (opgave ingest geo).",
        "source": "Source",
        "none": "none",
        "strategy_regions": "Urbanisation strategies",
        "provinces": "Provinces",
        "language": "Nederlands",
        "read_only": "Read only",
        "no_data": "no data",
        "on_track": "on track",
        "behind": "behind",
        "reached": "reached",
        "period_over": "period over",
    },
}


def translator(language: str) -> Callable[..., str]:
    """``t(key, **values)``: the text for ``key`` in ``language`` with ``values`` filled in."""
    texts = TEXTS.get(language, TEXTS[DEFAULT_LANGUAGE])

    def t(key: str, **values: object) -> str:
        text = texts.get(key) or TEXTS[DEFAULT_LANGUAGE].get(key) or key
        return text.format(**values) if values else text

    return t


def number(value: float | None, language: str, digits: int = 0) -> str:
    """A number as people write it: 900.000 in Dutch, 900,000 in English; '-' for None."""
    if value is None:
        return "-"
    text = f"{value:,.{digits}f}"
    if language == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def percent(value: float | None, language: str, digits: int = 0) -> str:
    """A ratio as a percentage: 1.3 -> 130%."""
    return "-" if value is None else number(value * 100, language, digits) + "%"
