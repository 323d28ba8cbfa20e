"""The vocabularies of the domain: metadata as code, with no database behind it.

Area kinds, measures, themes, statuses, planstatus codes, roles: the loaders and importers
validate against these, the doors list them, and ``model`` builds its tables on them. Kept
apart from the tables so that analysis modules and the doors can use them without importing
the ORM.
"""

from __future__ import annotations

from typing import Any

AREA_KINDS = (
    "nation",
    "landsdeel",
    "province",
    "strategy_region",
    "municipality",
    "large_scale_area",
    "location",
    "group",
)
TARGET_KINDS = ("target", "expectation", "capacity")
MEASURES = {
    "homes_built": "homes added to the stock (new-build and other additions)",
    "homes_permitted": "BAG: dwellings first registered 'Verblijfsobject gevormd' (permit)",
    "homes_started": "homes whose construction started",
    "homes_completed": "BAG: dwellings first 'in gebruik' (completed)",
    "homes_completed_new_build": "BAG: completed dwellings in a wholly new pand (CBS's nieuwbouw)",
    "homes_completed_other": "BAG: other completed dwellings (transformation, splitting, ...)",
    "homes_affordable_share": "share of homes in the affordable segments (0-1)",
    "homes_share_of_task": "share of a containing area's whole housing task (0-1)",
    "homes_added_share_of_stock": "homes still to add as a share of the stock needed (0-1)",
    "plan_capacity_ratio": "planned homes divided by the housing task (1.3 = 130%)",
    "homes_new_build": "CBS nieuwbouw: homes in wholly new buildings",
    "homes_other_added": "CBS overige toevoeging: splitting, transformation, corrections",
    "homes_other_net_added": "CBS saldo overige toevoegingen en onttrekkingen (net, may be < 0)",
    "homes_demolished": "CBS sloop",
    "homes_other_removed": "CBS overige onttrekking",
    "homes_net_added": "CBS saldo voorraad: net change of the housing stock",
}
UNITS = ("homes", "ratio", "share")
THEMES = (
    "housing",
    "mobility",
    "green",
    "water_climate",
    "energy",
    "nitrogen",
    "noise",
    "finance",
    "economy",
    "social",
)
AGREEMENT_KINDS = ("agreement", "next_step", "attention_point")
AGREEMENT_STATUSES = ("open", "in_progress", "done", "lapsed", "superseded")
SOURCE_KINDS = ("document", "cbs_table", "dataset", "import")
CONFIDENCES = ("official", "press", "secondary", "inferred", "synthetic")
"""How far a source can be trusted: official (government, CBS, a region's own body), press
(news quoting an official source), secondary (directories, encyclopaedias, aggregators),
inferred (our own deduction or a proxy), synthetic (made-up demo data)."""
MEMBER_CONFIDENCES = ("official", "secondary", "inferred", "synthetic")
"""How far an area membership is established: official (named in an official member list),
secondary (named only in a secondary list), inferred (a proxy or a deduction, e.g. from a
stated count), synthetic (demo data)."""
INSTRUMENT_KINDS = ("budget", "track", "impulse", "tranche")
PLANSTATUS = {
    "1A": "onherroepelijk",
    "1B": "onherroepelijk met uitwerking nodig",
    "1C": "onherroepelijk met BW nodig",
    "2A": "vastgesteld",
    "2B": "vastgesteld met uitwerking nodig",
    "2C": "vastgesteld met BW nodig",
    "3": "in voorbereiding",
    "4A": "opgenomen in visie",
    "4B": "niet opgenomen in visie",
}
"""DiWi planologische planstatus (VNG): hard = 1* and 2*, soft = 3 and 4*."""
HARD_PLANSTATUS = ("1A", "1B", "1C", "2A", "2B", "2C")

VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("area", "kind"): AREA_KINDS,
    ("target", "kind"): TARGET_KINDS,
    ("target", "measure"): tuple(MEASURES),
    ("target", "unit"): UNITS,
    ("realisation", "measure"): tuple(MEASURES),
    ("realisation_month", "measure"): tuple(MEASURES),
    ("agreement", "kind"): AGREEMENT_KINDS,
    ("agreement", "status"): AGREEMENT_STATUSES,
    ("agreement", "themes"): THEMES,
    ("agreement_event", "status"): AGREEMENT_STATUSES,
    ("precondition", "theme"): THEMES,
    ("source", "kind"): SOURCE_KINDS,
    ("source", "confidence"): CONFIDENCES,
    ("area_member", "confidence"): MEMBER_CONFIDENCES,
    ("instrument", "kind"): INSTRUMENT_KINDS,
    ("area_code_change", "kind"): ("merged", "renamed", "split"),
    ("plan", "planstatus"): tuple(PLANSTATUS),
    ("plan_history", "planstatus"): tuple(PLANSTATUS),
    ("award", "method"): ("optimal", "ranking", "decision"),
}
"""Allowed values per (table, column); for list columns, per element."""

JSON_ELEMENT_TYPES: dict[tuple[str, str], type] = {
    ("plan", "homes_by_year"): int,
    ("plan_history", "homes_by_year"): int,
}
"""The element type of JSON list columns; the rest hold lists of text."""


def vocabulary_problem(table: str, column: str, value: Any) -> str | None:
    """Why ``value`` is not allowed in ``table.column``, or None when it is."""
    allowed = VOCABULARIES.get((table, column))
    if allowed is None or value is None:
        return None
    values = value if isinstance(value, list) else [value]
    wrong = [v for v in values if v not in allowed]
    if wrong:
        return f"{column} {', '.join(map(repr, wrong))} is not one of: {', '.join(allowed)}"
    return None


PLAN_FIELDS = (
    "name",
    "gemeente_id",
    "homes",
    "social_rent_homes",
    "mid_rent_homes",
    "affordable_buy_homes",
    "planstatus",
    "first_year",
    "last_year",
    "homes_by_year",
)
"""The fields of a plan that a plan list sets and whose changes are kept as history."""


ROLES = {
    "admin": "Rijk: reads and writes everything, manages users",
    "editor": "a region's programme office: writes only its own areas and what lies inside them",
    "viewer": "reads everything, writes nothing",
}
VOCABULARIES[("app_user", "role")] = tuple(ROLES)
VOCABULARIES[("audit_event", "action")] = ("create", "update", "delete", "upload", "login")

HARDNESS = ("hard", "soft", "unknown")
"""Capacity hardness: hard = planstatus 1x/2x, soft = 3/4x, unknown = not split."""
GROSS_OR_NET = ("gross", "net", "unknown")
VOCABULARIES[("capacity_total", "hardness")] = HARDNESS
VOCABULARIES[("capacity_total", "gross_or_net")] = GROSS_OR_NET
