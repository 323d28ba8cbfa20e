"""Mapping profiles: a small TOML file saying how a source's columns and values map to a plan.

Inputs: a profile file (or the name of a shipped one: ``opgave``, ``diwi``, ``gis-register``;
``capacity-*`` for capacity totals), and for :func:`propose_profile` a table read from a file.
Outputs: a :class:`Profile` (columns, phase columns, planstatus spellings, rules, read
options), checked: unknown keys, fields and codes are refused with the profile's name.
Derives: the DiWi planstatus (1A-4B, or ``unknown``) of any spelling through
:func:`planstatus_of`: the profile's own spellings first, then the built-in vocabulary (the
leading code of "2B vastgesteld + Uitwerkingsplicht", the DiWi labels, and the words
onherroepelijk / vastgesteld / voorbereiding / visie / optie / onbekend).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from opgave.ingest.values import fold
from opgave.problem import Problem
from opgave.vocabulary import PLANSTATUS

FIELDS: dict[str, str] = {
    "plan_id": "identifier of the plan (unique in the file)",
    "name": "name of the plan (plannaam)",
    "gemeente": "municipality: a CBS code (GM0363) or a name (any CBS name since 2015)",
    "provincie": "province code or name, to settle ambiguous municipality names",
    "homes": "homes of the plan (net, or gross when rules.homes_basis = 'gross')",
    "demolition": "homes demolished (sloop); subtracted when homes are gross",
    "planstatus": "planning status in any spelling (mapped to DiWi 1A-4B or unknown)",
    "first_year": "first year of delivery",
    "last_year": "last year of delivery",
    "date": "date of the plan's information (d-m-yyyy unless read.date_format says)",
    "estimate": "flag: the figure is an estimate (ja/nee)",
    "plantype": "kind of plan (verdichting, uitleg, transformatie ...); reported only",
    "dwelling_type": "grondgebonden / appartement / onbekend; reported only",
    "tenure": "huur / koop / onbekend; reported only",
    "social_rent_homes": "homes in social rent",
    "mid_rent_homes": "homes in mid-market rent",
    "affordable_buy_homes": "affordable homes for sale",
    "social_rent_share": "share 0-1 in social rent",
    "mid_rent_share": "share 0-1 in mid-market rent",
    "affordable_buy_share": "share 0-1 affordable for sale",
    "area_ids": "';'-separated ids of areas the plan lies in",
    "precondition_ids": "';'-separated ids of preconditions it depends on",
}
"""The canonical plan fields a profile can map a column to."""
REPORTED_ONLY = ("plantype", "dwelling_type", "tenure", "estimate", "date", "provincie")
RULES: dict[str, Any] = {
    "homes_basis": "net",
    "planstatus_unknown": "refuse",
    "municipality": "auto",
    "strict_columns": False,
    "id_prefix": "",
    "unknown_phase": "spread",
}
"""Rules and their defaults (see docs/plans.md)."""
READ_OPTIONS = ("sheet", "layer", "encoding", "delimiter", "decimal", "date_format")
UNKNOWN = "unknown"
_CODE = re.compile(r"([1-4])\s*([abc])?(?![a-z0-9])")
_WORDS = (
    ("status onbekend", UNKNOWN),
    ("onbekend", UNKNOWN),
    ("unknown", UNKNOWN),
    ("onherroepelijk", "1A"),
    ("vastgesteld", "2A"),
    ("voorbereiding", "3"),
    ("niet opgenomen in visie", "4B"),
    ("visie", "4A"),
    ("optie", "4B"),
)
_VALID = set(PLANSTATUS)


class ProfileError(ValueError):
    """The profile has problems; ``problems`` names each (file, key)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            "problem(s) in the mapping profile:\n" + "\n".join(f"  {p}" for p in problems)
        )


@dataclass(frozen=True)
class Phase:
    """A phase column: the homes it holds are delivered in ``first_year``-``last_year``
    (None for the column of homes whose timing is unknown)."""

    column: str
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True)
class Profile:
    """How one kind of source maps to canonical plan rows."""

    name: str
    description: str = ""
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_columns: str | None = None
    phases: tuple[Phase, ...] = ()
    planstatus: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Any] = field(default_factory=lambda: dict(RULES))
    read: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    def rule(self, key: str) -> Any:
        """A rule's value (the profile's, else the default)."""
        return self.rules.get(key, RULES.get(key))


SHIPPED = ("opgave", "diwi", "gis-register")
"""Plan profiles shipped in ``opgave/ingest/profiles/`` (capacity profiles start with capacity-)."""


def shipped_names() -> list[str]:
    """Names of every shipped profile."""
    folder = resources.files("opgave") / "ingest" / "profiles"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def profile_text(name_or_path: str | Path) -> tuple[str, str]:
    """(name, TOML text) of a shipped profile name or a profile file."""
    candidate = Path(name_or_path)
    if candidate.suffix.lower() == ".toml" or candidate.exists():
        try:
            return candidate.name, candidate.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise ProfileError(
                [Problem(candidate.name, None, None, f"cannot read: {error}")]
            ) from None
    folder = resources.files("opgave") / "ingest" / "profiles"
    shipped = folder / f"{name_or_path}.toml"
    if not shipped.is_file():
        raise ProfileError(
            [
                Problem(
                    str(name_or_path),
                    None,
                    None,
                    f"no such profile file, nor a shipped profile ({', '.join(shipped_names())})",
                )
            ]
        )
    return f"{name_or_path}.toml", shipped.read_text(encoding="utf-8")


def load_profile(name_or_path: str | Path) -> Profile:
    """A plan profile by shipped name or path; raise :class:`ProfileError` naming each problem."""
    name, text = profile_text(name_or_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError([Problem(name, None, None, f"not valid TOML: {error}")]) from None
    return parse_profile(name, data)


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def parse_profile(name: str, data: Mapping[str, Any]) -> Profile:
    """Check a profile's TOML data and build the :class:`Profile`."""
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(name, None, key, message))

    for key in data:
        if key not in ("profile", "read", "columns", "phases", "planstatus", "rules", "years"):
            bad(
                key,
                "unknown section; expected profile, read, columns, years, phases, "
                "planstatus, rules",
            )
    meta = data.get("profile", {})
    if meta.get("kind", "plans") != "plans":
        bad("profile.kind", f"a {meta.get('kind')!r} profile is not a plan profile")
    columns: dict[str, tuple[str, ...]] = {}
    for key, value in data.get("columns", {}).items():
        if key not in FIELDS:
            bad(f"columns.{key}", f"unknown field; expected one of {', '.join(FIELDS)}")
            continue
        names = _strings(value)
        if names is None:
            bad(f"columns.{key}", "expected a column name or a list of alternative names")
            continue
        columns[key] = names
    years = data.get("years", {})
    year_columns = years.get("pattern") if isinstance(years, dict) else None
    if year_columns is not None:
        try:
            if re.compile(year_columns).groups != 1:
                bad("years.pattern", "the pattern needs one group capturing the year")
        except re.error as error:
            bad("years.pattern", f"not a regular expression: {error}")
    phases: list[Phase] = []
    for column, period in data.get("phases", {}).items():
        if period == UNKNOWN:
            phases.append(Phase(column, None, None))
        elif (
            isinstance(period, list)
            and len(period) == 2
            and all(isinstance(y, int) for y in period)
            and period[0] <= period[1]
        ):
            phases.append(Phase(column, period[0], period[1]))
        else:
            bad(f"phases.{column}", 'expected [first_year, last_year] or "unknown"')
    statuses: dict[str, str] = {}
    for spelling, code in data.get("planstatus", {}).items():
        value = str(code).upper() if str(code).lower() != UNKNOWN else UNKNOWN
        if value not in _VALID and value != UNKNOWN:
            bad(f"planstatus.{spelling}", f"expected one of {', '.join(PLANSTATUS)} or unknown")
        statuses[fold(spelling)] = value
    rules = dict(RULES)
    for key, value in data.get("rules", {}).items():
        if key not in RULES:
            bad(f"rules.{key}", f"unknown rule; expected one of {', '.join(RULES)}")
            continue
        rules[key] = value
    if rules["homes_basis"] not in ("net", "gross"):
        bad("rules.homes_basis", "expected 'net' or 'gross'")
    unknown_rule = str(rules["planstatus_unknown"])
    if unknown_rule != "refuse" and unknown_rule.upper() not in _VALID:
        bad("rules.planstatus_unknown", f"expected 'refuse' or one of {', '.join(PLANSTATUS)}")
    if rules["municipality"] not in ("auto", "geometry", "column"):
        bad("rules.municipality", "expected 'auto', 'geometry' or 'column'")
    if rules["unknown_phase"] != "spread" and not (
        isinstance(rules["unknown_phase"], list) and len(rules["unknown_phase"]) == 2
    ):
        bad("rules.unknown_phase", "expected 'spread' or [first_year, last_year]")
    read = {}
    for key, value in data.get("read", {}).items():
        if key not in READ_OPTIONS:
            bad(f"read.{key}", f"unknown option; expected one of {', '.join(READ_OPTIONS)}")
        elif key == "decimal" and value not in (",", "."):
            bad("read.decimal", "expected ',' or '.'")
        else:
            read[key] = str(value)
    if "plan_id" not in columns and "name" not in columns:
        bad("columns", "map at least plan_id or name (the identifier)")
    if problems:
        raise ProfileError(problems)
    return Profile(
        name=str(meta.get("name", name)),
        description=str(meta.get("description", "")),
        columns=columns,
        year_columns=year_columns,
        phases=tuple(phases),
        planstatus=statuses,
        rules=rules,
        read=read,
        raw=dict(data),
    )


def planstatus_of(raw: str, own: Mapping[str, str] | None = None) -> str | None:
    """The DiWi code (1A-4B), ``unknown``, or None (not a planstatus) of a spelling."""
    key = fold(raw)
    if own and key in own:
        return own[key]
    if key == "":
        return None
    match = _CODE.match(key)
    if match:
        code = (match.group(1) + (match.group(2) or "")).upper()
        return code if code in _VALID else None
    for label, code in ((fold(v), k) for k, v in PLANSTATUS.items()):
        if key == label:
            return code
    for word, code in _WORDS:
        if word in key:
            return code
    return None


# --- proposing a profile -------------------------------------------------------------------

_GUESSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "plan_id",
        (
            "plan_id",
            "planid",
            "plancode",
            "id",
            "identificatie",
            "projectnummer",
            "plannummer",
            "code",
            "fid",
        ),
    ),
    ("name", ("name", "naam", "plannaam", "projectnaam", "plan")),
    ("gemeente", ("gemeente_code", "gemeentecode", "gemeente", "gemeentenaam", "gm_code")),
    ("provincie", ("provincie",)),
    (
        "homes",
        ("homes", "aantal", "aantal_woningen", "restcapaciteit", "restcapaci", "woningen", "netto"),
    ),
    ("demolition", ("sloop", "demolition", "te_slopen")),
    ("planstatus", ("planstatus", "planologische_planstatus", "status", "planfase")),
    ("first_year", ("first_year", "startjaar", "start_bouw", "jaar_start")),
    ("last_year", ("last_year", "eindjaar", "opleverjaar", "jaar_gereed")),
    ("date", ("datum", "date", "peildatum", "mutatiedatum")),
    ("estimate", ("schatting", "inschatting", "geschat")),
    ("plantype", ("plantype", "type_plan", "soort_plan")),
    ("dwelling_type", ("woningtype", "type_woning", "woonvorm")),
    ("tenure", ("eigendom", "huur_koop", "huurkoop", "tenure")),
    ("social_rent_homes", ("social_rent_homes", "sociale_huur")),
    ("mid_rent_homes", ("mid_rent_homes", "middenhuur")),
    ("affordable_buy_homes", ("affordable_buy_homes", "betaalbare_koop")),
    ("area_ids", ("area_ids",)),
    ("precondition_ids", ("precondition_ids",)),
)
_PHASE = re.compile(r"(?i)op\s*(\d{4})(?:\s*[-–]\s*(\d{4}))?")


def _key(column: str) -> str:
    return fold(column).replace(" ", "_")


def propose_profile(header: list[str], columns: Mapping[str, list[Any]], file_name: str) -> str:
    """A profile (TOML text) for a file, guessed from its header and values, for the user
    to check and edit: known column names, phase columns ("OP2020-2024"), and every
    planstatus spelling found with the code it would map to."""
    taken: set[str] = set()
    mapped: dict[str, str] = {}
    for canonical, names in _GUESSES:
        for column in header:
            if column not in taken and _key(column) in names:
                mapped[canonical] = column
                taken.add(column)
                break
    phases: list[tuple[str, str]] = []
    years_pattern = None
    for column in header:
        if column in taken:
            continue
        match = _PHASE.fullmatch(column.strip())
        if match:
            first = int(match.group(1))
            last = int(match.group(2) or match.group(1))
            phases.append((column, f"[{first}, {last}]"))
        elif _key(column) == "onbekend":
            phases.append((column, '"unknown"'))
        elif re.fullmatch(r"homes_\d{4}", column):
            years_pattern = r"homes_(\d{4})"
    lines = [
        "# Mapping profile proposed by `opgave ingest propose-mapping` - check every line.",
        "[profile]",
        f'name = "{Path(file_name).stem}"',
        f'description = "Proposed from {file_name}"',
        'kind = "plans"',
        "",
        "[columns]",
    ]
    for canonical in FIELDS:
        if canonical in mapped:
            lines.append(f'{canonical} = "{mapped[canonical]}"')
        else:
            lines.append(f'# {canonical} = ""  # {FIELDS[canonical]}')
    unused = [c for c in header if c not in taken and c not in {p for p, _ in phases}]
    if unused:
        lines.append("# columns not mapped: " + ", ".join(unused))
    if years_pattern:
        lines += ["", "[years]", f'pattern = "{years_pattern}"']
    if phases:
        lines += ["", '[phases]  # homes per period; "unknown": timing not known']
        lines += [f'"{c}" = {p}' for c, p in phases]
    status_column = mapped.get("planstatus")
    if status_column:
        seen: dict[str, str | None] = {}
        for value in columns.get(status_column, []):
            text = "" if value is None else str(value).strip()
            if text and text not in seen and len(seen) < 200:
                seen[text] = planstatus_of(text)
        lines += ["", "[planstatus]  # each spelling found; the built-in vocabulary maps the rest"]
        for text, code in seen.items():
            escaped = text.replace("\\", "\\\\").replace('"', '\\"')
            if code is None:
                lines.append(f'"{escaped}" = ""  # NOT RECOGNISED: write 1A-4B or unknown')
            else:
                lines.append(f'"{escaped}" = "{code}"')
    lines += [
        "",
        "[rules]",
        f'homes_basis = "{"gross" if "demolition" in mapped else "net"}"  # net or gross',
        'planstatus_unknown = "refuse"  # or a code such as "4B" for status onbekend',
        'municipality = "auto"  # geometry when present, else the gemeente column',
    ]
    return "\n".join(lines) + "\n"
