"""Plan registers through a mapping profile: any supported file -> checked plan rows + report.

Inputs: a file (CSV, XLSX, GeoPackage, Shapefile, GeoJSON; see :mod:`opgave.ingest.readers`),
a :class:`~opgave.ingest.profiles.Profile`, and a :class:`Context`: the municipality codes
the database knows (each to its current code), the area and precondition ids, the capture
date, and polygons of large-scale areas (RD New) to link plans to.
Outputs: a :class:`PlanReading`: :class:`~opgave.ingest.plans.PlanRow` per plan (with its
geometry as GeoJSON in WGS84 when it has one) and the
:class:`~opgave.ingest.import_report.ImportReport`; or :class:`PlanReadError` listing every
problem with file, row and column (and carrying the report), so that nothing is written.
Derives: the current municipality (from the geometry by largest overlap in the division
valid at the plan's date, else from a code or any CBS name since 2015), the DiWi planstatus
of any spelling, net homes from gross minus demolition, homes per year from phase columns
(each phase spread evenly over its years, the earliest years taking the remainder; homes
of unknown timing spread like the known ones), and the large-scale areas a plan overlaps.
The value of each distinct cell is worked out once per column (a 200,000-row file has far
fewer spellings than rows).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from opgave import municipalities
from opgave.exchange import Problem
from opgave.ingest.import_report import FieldMapping, ImportReport
from opgave.ingest.plans import PlanListError, PlanRow
from opgave.ingest.profiles import FIELDS, UNKNOWN, Phase, Profile, planstatus_of
from opgave.ingest.readers import ReadError, SourceTable, read_source
from opgave.ingest.values import (
    DATE_FORMATS,
    ValueProblem,
    fold,
    formula_problem,
    parse_date,
    parse_flag,
    parse_number,
    parse_whole,
)
from opgave.model import PLANSTATUS

SEGMENTS = ("social_rent", "mid_rent", "affordable_buy")
YEAR_RANGE = (1900, 2100)
"""Delivery years outside this range are refused (a typo such as 20255)."""
GEOJSON_DECIMALS = 6
"""Plan geometries are kept in WGS84 with 6 decimals (about 0.1 m)."""


class PlanReadError(PlanListError):
    """The file cannot be imported; ``problems`` names each, ``report`` has the whole story."""

    def __init__(self, problems: list[Problem], report: ImportReport | None = None) -> None:
        super().__init__(problems)
        self.report = report


@dataclass
class Context:
    """What the reader checks values against (from the database, or given by a test)."""

    gemeenten: Mapping[str, str]
    areas: Collection[str] = ()
    preconditions: Collection[str] = ()
    captured: dt.date | None = None
    area_polygons: Mapping[str, Any] = field(default_factory=dict)
    gazetteer: municipalities.Gazetteer | None = None


@dataclass
class PlanReading:
    """The checked plans of a file and the report of how they were read."""

    rows: list[PlanRow]
    report: ImportReport


def read_plans(
    path: Path, profile: Profile, context: Context, *, name: str | None = None
) -> PlanReading:
    """Read, map and check a plan register; raise :class:`PlanReadError` (nothing written)."""
    shown = name or path.name
    options = profile.read
    try:
        table = read_source(
            path,
            name=shown,
            sheet=options.get("sheet"),
            layer=options.get("layer"),
            encoding=options.get("encoding"),
            delimiter=options.get("delimiter"),
            decimal=options.get("decimal"),  # type: ignore[arg-type]
        )
    except ReadError as error:
        report = ImportReport(shown, profile.name, problems=list(error.problems))
        raise PlanReadError(error.problems, report) from None
    return map_table(table, profile, context)


def find_column(header: list[str], alternatives: tuple[str, ...]) -> str | None:
    """The header cell matching one of the names (exactly, else folded: case, accents,
    spaces and underscores ignored)."""
    for wanted in alternatives:
        if wanted in header:
            return wanted
    folded = {fold(h).replace(" ", "_"): h for h in header}
    for wanted in alternatives:
        hit = folded.get(fold(wanted).replace(" ", "_"))
        if hit is not None:
            return hit
    return None


def _text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


class _Memo:
    """A column's parse, worked out once per distinct value: (value, problem)."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        self.parse = parse
        self.cache: dict[Any, tuple[Any, str | None]] = {}

    def __call__(self, raw: Any) -> tuple[Any, str | None]:
        key = (type(raw), raw) if not isinstance(raw, list) else (list, tuple(raw))
        hit = self.cache.get(key)
        if hit is None:
            try:
                hit = (self.parse(raw), None)
            except ValueProblem as problem:
                hit = (None, str(problem))
            self.cache[key] = hit
        return hit


def map_table(table: SourceTable, profile: Profile, context: Context) -> PlanReading:
    """Map a table read from a file to plan rows through a profile (pure)."""
    report = ImportReport(table.name, profile.name, table.kind, list(table.notes))
    report.row_numbers = table.row_numbers
    problems: list[Problem] = report.problems
    header_row = (
        1 if table.kind != "xlsx" else (table.row_numbers[0] - 1 if table.row_numbers else 1)
    )
    columns = {
        f: c for f, names in profile.columns.items() if (c := find_column(table.header, names))
    }
    phases = [p for p in profile.phases if find_column(table.header, (p.column,))]
    phase_columns = {p.column: find_column(table.header, (p.column,)) or p.column for p in phases}
    year_columns: list[tuple[int, str]] = []
    if profile.year_columns:
        pattern = re.compile(profile.year_columns)
        year_columns = sorted(
            (int(m.group(1)), c) for c in table.header if (m := pattern.fullmatch(c))
        )
    has_geometry = table.geometry is not None
    rule = profile.rule

    def missing(field_name: str, why: str) -> None:
        wanted = " or ".join(profile.columns.get(field_name, (field_name,)))
        problems.append(Problem(table.name, header_row, wanted, f"column is missing ({why})"))

    if "plan_id" not in columns and "name" not in columns:
        missing("plan_id", "the plan's identifier")
    if "name" not in columns and "plan_id" in profile.columns and "name" in profile.columns:
        missing("name", FIELDS["name"])
    if "gemeente" not in columns and not (has_geometry and rule("municipality") != "column"):
        missing("gemeente", FIELDS["gemeente"])
    if "homes" not in columns and not phases:
        missing("homes", FIELDS["homes"])
    if "planstatus" not in columns:
        missing("planstatus", FIELDS["planstatus"])
    if not phases and ("first_year" not in columns or "last_year" not in columns):
        for f in ("first_year", "last_year"):
            if f not in columns:
                missing(f, FIELDS[f])
    if rule("strict_columns"):
        known = set(columns.values()) | {c for _, c in year_columns} | set(phase_columns.values())
        mapped_names = {n for names in profile.columns.values() for n in names}
        for column in table.header:
            if column not in known and column not in mapped_names:
                problems.append(
                    Problem(
                        table.name,
                        header_row,
                        column,
                        "unknown column; see `opgave ingest plans --help` or use --mapping",
                    )
                )
    if problems:
        raise PlanReadError(list(problems), report)

    decimal = table.decimal
    date_formats = (profile.read["date_format"],) if "date_format" in profile.read else DATE_FORMATS
    gazetteer = context.gazetteer or municipalities.shipped()
    n = len(table)

    def col(f: str) -> list[Any]:
        return table.column(columns[f]) if f in columns else [None] * n

    def whole(raw: Any) -> int | None:
        return parse_whole(raw, decimal)

    def year(raw: Any) -> int | None:
        value = parse_whole(raw, decimal)
        if value is not None and not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
            raise ValueProblem(f"expected a year {YEAR_RANGE[0]}-{YEAR_RANGE[1]}, got {value}")
        return value

    def text(raw: Any) -> str:
        value = _text(raw)
        problem = formula_problem(value)
        if problem:
            raise ValueProblem(problem)
        return value

    def share(raw: Any) -> float | None:
        value = parse_number(raw, decimal)
        if value is not None and not 0 <= value <= 1:
            raise ValueProblem(f"expected a share between 0 and 1, got {_text(raw)!r}")
        return value

    def status(raw: Any) -> str:
        value = _text(raw)
        if value == "":
            raise ValueProblem("a value is required")
        code = planstatus_of(value, profile.planstatus)
        if code is None:
            raise ValueProblem(
                f"unknown planstatus {value!r}; expected one of {', '.join(PLANSTATUS)} or "
                "their DiWi labels (or map the spelling in the profile's [planstatus])"
            )
        if code == UNKNOWN:
            fallback = str(rule("planstatus_unknown"))
            if fallback == "refuse":
                raise ValueProblem(
                    f"planstatus {value!r} means unknown; a plan needs 1A-4B (set "
                    'rules.planstatus_unknown in the profile, e.g. "4B", to count it as soft)'
                )
            return fallback.upper()
        return code

    def gemeente(raw: Any, province: str | None) -> tuple[str, str]:
        value = _text(raw)
        if value == "":
            raise ValueProblem("a value is required")
        found = gazetteer.resolve(value, province)
        if found.code is None:
            raise ValueProblem(found.problem or f"unknown municipality {value!r}")
        known = context.gemeenten.get(found.code)
        if known is None:
            raise ValueProblem(f"unknown municipality {found.code} (not in the CBS divisions)")
        return known, found.how

    def ids(raw: Any) -> tuple[str, ...]:
        return tuple(p.strip() for p in _text(raw).split(";") if p.strip())

    memo = {
        "plan_id": _Memo(text),
        "name": _Memo(text),
        "homes": _Memo(whole),
        "demolition": _Memo(whole),
        "planstatus": _Memo(status),
        "first_year": _Memo(year),
        "last_year": _Memo(year),
        "date": _Memo(lambda raw: parse_date(raw, date_formats)),
        "estimate": _Memo(parse_flag),
        **{f"{s}_homes": _Memo(whole) for s in SEGMENTS},
        **{f"{s}_share": _Memo(share) for s in SEGMENTS},
    }
    unknown_status = _Memo(lambda raw: planstatus_of(_text(raw), profile.planstatus) == UNKNOWN)
    municipality_memo: dict[tuple[str, str | None], tuple[Any, str | None]] = {}
    province_of = _province_lookup(gazetteer)

    # geometry: municipality by overlap, area links, GeoJSON to keep
    located: list[municipalities.Located | None] = [None] * n
    links: list[tuple[str, ...]] = [()] * n
    geojson: list[str | None] = [None] * n
    if table.geometry is not None:
        dates = [memo["date"](raw)[0] or context.captured for raw in col("date")]
        if rule("municipality") != "column":
            located = municipalities.locate(table.geometry, dates, gazetteer)
        if context.area_polygons:
            links = municipalities.overlapping_areas(table.geometry, context.area_polygons)
        geojson = _to_geojson(table.geometry)

    values: dict[str, list[Any]] = {f: [None] * n for f in (*FIELDS, "gemeente_id")}
    rows: list[PlanRow] = []
    first_row: dict[str, int] = {}
    prefix = str(rule("id_prefix"))
    source_cols = {f: col(f) for f in FIELDS}
    phase_values = {p.column: table.column(phase_columns[p.column]) for p in phases}
    year_values = {y: table.column(c) for y, c in year_columns}
    notes = report.notes
    for i in range(n):
        number = table.row_numbers[i]
        before = len(problems)

        # the two helpers below are called within this iteration only (no late binding)
        def problem(f: str, message: str, column: str | None = None) -> None:
            where = column or columns.get(f, f)
            problems.append(Problem(table.name, number, where, message))  # noqa: B023

        def get(f: str, required: bool = False) -> Any:
            raw = source_cols[f][i]  # noqa: B023
            value, trouble = memo[f](raw)
            if trouble:
                problem(f, trouble)
            elif (value is None and required) or (value == "" and required):
                problem(f, "a value is required")
            values[f][i] = value  # noqa: B023
            return value

        plan_id = get("plan_id", required="plan_id" in columns) if "plan_id" in columns else None
        plan_name = get("name", required="name" in columns) if "name" in columns else None
        plan_id = plan_id or plan_name
        plan_name = plan_name or plan_id
        if plan_id:
            plan_id = prefix + plan_id
        homes = get("homes") if "homes" in columns else None
        demolition = get("demolition") if "demolition" in columns else None
        planstatus = get("planstatus", required=True)
        if planstatus and unknown_status(source_cols["planstatus"][i])[0]:
            notes.append(
                Problem(
                    table.name,
                    number,
                    columns["planstatus"],
                    f"planstatus {_text(source_cols['planstatus'][i])!r} is unknown; "
                    f"counted as {planstatus} (rules.planstatus_unknown)",
                )
            )
        get("date")
        get("estimate")
        for f in ("plantype", "dwelling_type", "tenure", "provincie"):
            values[f][i] = _text(source_cols[f][i]) or None
        # municipality
        gemeente_id = None
        where = located[i]
        if where is not None and where.code is not None:
            gemeente_id = context.gemeenten.get(where.code)
            if gemeente_id is None:
                problem(
                    "gemeente",
                    f"the geometry lies in {where.code}, unknown to this database",
                    "geometry",
                )
            elif where.note:
                notes.append(Problem(table.name, number, "geometry", where.note))
            raw_named = _text(source_cols["gemeente"][i])
            if gemeente_id and raw_named:
                named = gazetteer.resolve(raw_named, province_of(source_cols["provincie"][i]))
                if named.code is not None and named.code != gemeente_id:
                    notes.append(
                        Problem(
                            table.name,
                            number,
                            columns.get("gemeente"),
                            f"the column says {raw_named!r} ({named.code}), the "
                            f"geometry lies in {gemeente_id}; the geometry is used",
                        )
                    )
                elif named.code is None and named.candidates and gemeente_id in named.candidates:
                    notes.append(
                        Problem(
                            table.name,
                            number,
                            columns.get("gemeente"),
                            f"{raw_named!r} was split; the geometry places the "
                            f"plan in {gemeente_id}",
                        )
                    )
        elif "gemeente" in columns or not has_geometry:
            raw = source_cols["gemeente"][i]
            province = province_of(source_cols["provincie"][i])
            key = (_text(raw), province)
            hit = municipality_memo.get(key)
            if hit is None:
                try:
                    hit = (gemeente(raw, province), None)
                except ValueProblem as error:
                    hit = (None, str(error))
                municipality_memo[key] = hit
            if hit[1]:
                problem("gemeente", hit[1])
            elif hit[0] is not None:
                gemeente_id, how = hit[0]
                if "former municipality" in how:
                    notes.append(Problem(table.name, number, columns["gemeente"], how))
        else:
            problem("gemeente", "the plan has no geometry and no municipality", "geometry")
        values["gemeente_id"][i] = gemeente_id
        # years and homes
        first = last = None
        by_year: list[int] | None = None
        if phases:
            counts: list[tuple[Phase, int]] = []
            for phase in phases:
                value, issue = memo["homes"](phase_values[phase.column][i])
                if issue:
                    problem("homes", issue, phase_columns[phase.column])
                elif value:
                    counts.append((phase, value))
            total = sum(c for _, c in counts)
            if homes is not None and total and homes != total and len(problems) == before:
                problem("homes", f"the phase columns add up to {total}, not {homes}")
            if homes is None:
                homes = total
            if len(problems) == before:
                spread = _spread_phases(counts, rule("unknown_phase"))
                if isinstance(spread, str):
                    problem(
                        "homes", spread, phase_columns[counts[-1][0].column] if counts else None
                    )
                elif spread is not None:
                    first, by_year = spread
                    last = first + len(by_year) - 1
                else:  # no homes in any phase: the profile's span
                    spans = [(p.first_year, p.last_year) for p in phases]
                    firsts = [a for a, _ in spans if a is not None]
                    lasts = [b for _, b in spans if b is not None]
                    if firsts and lasts:
                        first, last = min(firsts), max(lasts)
        if first is None and "first_year" in columns:
            first = get("first_year", required=True)
            last = get("last_year", required=True)
            if first is not None and last is not None and last < first:
                problem("last_year", f"last_year {last} is before first_year {first}")
        values["first_year"][i], values["last_year"][i] = first, last
        if year_columns and first is not None and last is not None:
            given: dict[int, int | None] = {}
            for y, column in year_columns:
                value, issue = memo["homes"](year_values[y][i])
                if issue:
                    problem("homes", issue, column)
                given[y] = value
            if any(v is not None for v in given.values()):
                outside = [y for y, v in given.items() if v and not first <= y <= last]
                if outside:
                    problem(
                        "homes",
                        f"homes in {outside[0]}, outside {first}-{last}",
                        dict(year_columns)[outside[0]],
                    )
                by_year = [given.get(y) or 0 for y in range(first, last + 1)]
                if homes is not None and sum(by_year) != homes and len(problems) == before:
                    problem("homes", f"the yearly columns add up to {sum(by_year)}, not {homes}")
        if (
            homes is None
            and "homes" in columns
            and not phases
            and source_cols["homes"][i] in (None, "")
        ):
            problem("homes", "a value is required")
        if demolition and rule("homes_basis") == "gross" and homes is not None:
            if demolition > homes:
                problem(
                    "demolition",
                    f"demolition {demolition} exceeds the {homes} gross homes; "
                    "a plan's net homes cannot be negative",
                )
            else:
                net = homes - demolition
                if by_year is not None and homes:
                    by_year = _largest_remainder([v * net / homes for v in by_year])
                homes = net
        values["homes"][i] = homes
        # segments
        segments: dict[str, int | None] = {}
        for s in SEGMENTS:
            count = get(f"{s}_homes") if f"{s}_homes" in columns else None
            fraction = get(f"{s}_share") if f"{s}_share" in columns else None
            if count is None and fraction is not None and homes is not None:
                count = round(fraction * homes)
            segments[s] = count
        if homes is not None and sum(v or 0 for v in segments.values()) > homes:
            problem("homes", f"the segments add up to more than the {homes} homes of the plan")
        area_ids = ids(source_cols["area_ids"][i])
        for area in area_ids:
            if area not in context.areas:
                problem("area_ids", f"unknown area {area!r}")
        area_ids = tuple(dict.fromkeys([*area_ids, *links[i]]))
        values["area_ids"][i] = area_ids
        precondition_ids = ids(source_cols["precondition_ids"][i])
        for precondition in precondition_ids:
            if precondition not in context.preconditions:
                problem("precondition_ids", f"unknown precondition {precondition!r}")
        values["precondition_ids"][i] = precondition_ids
        if plan_id:
            if plan_id in first_row:
                problem("plan_id", f"duplicate id {plan_id!r} (first in row {first_row[plan_id]})")
            else:
                first_row[plan_id] = number
        report.plan_ids.append(plan_id)
        if len(problems) > before:
            continue
        if gemeente_id is None or homes is None or first is None or last is None or not plan_id:
            if len(problems) == before:
                problem("plan_id", "the row has no plan (no identifier, municipality or years)")
            continue
        rows.append(
            PlanRow(
                id=plan_id,
                name=plan_name or plan_id,
                gemeente_id=gemeente_id,
                homes=homes,
                social_rent_homes=segments["social_rent"],
                mid_rent_homes=segments["mid_rent"],
                affordable_buy_homes=segments["affordable_buy"],
                planstatus=planstatus,
                first_year=first,
                last_year=last,
                homes_by_year=by_year,
                area_ids=area_ids,
                precondition_ids=precondition_ids,
                geometry_json=geojson[i],
            )
        )
    report.fields = [
        FieldMapping(
            f,
            columns.get(f, "geometry" if f == "gemeente" else ""),
            source_cols[f],
            values["gemeente_id" if f == "gemeente" else f],
        )
        for f in FIELDS
        if f in columns or (f == "gemeente" and has_geometry)
    ]
    report.plans = len(rows)
    if problems:
        raise PlanReadError(list(problems), report)
    return PlanReading(rows, report)


def _province_lookup(gazetteer: municipalities.Gazetteer) -> Callable[[Any], str | None]:
    """A province cell (PV27, 27, Noord-Holland, NH) -> its code, or None."""
    names = {
        "groningen": "PV20",
        "gr": "PV20",
        "fryslan": "PV21",
        "friesland": "PV21",
        "fr": "PV21",
        "drenthe": "PV22",
        "dr": "PV22",
        "overijssel": "PV23",
        "ov": "PV23",
        "flevoland": "PV24",
        "fl": "PV24",
        "gelderland": "PV25",
        "gld": "PV25",
        "ge": "PV25",
        "utrecht": "PV26",
        "ut": "PV26",
        "noord holland": "PV27",
        "nh": "PV27",
        "zuid holland": "PV28",
        "zh": "PV28",
        "zeeland": "PV29",
        "ze": "PV29",
        "noord brabant": "PV30",
        "nb": "PV30",
        "limburg": "PV31",
        "l": "PV31",
        "li": "PV31",
    }

    def lookup(raw: Any) -> str | None:
        text = fold(_text(raw))
        if not text:
            return None
        match = re.fullmatch(r"(?:pv)?\s*(\d{2})", text)
        if match:
            return f"PV{match.group(1)}"
        return names.get(text)

    return lookup


def _spread(homes: int, years: int) -> list[int]:
    """``homes`` over ``years`` years evenly; the earliest years take the remainder."""
    base, extra = divmod(homes, years)
    return [base + (1 if k < extra else 0) for k in range(years)]


def _largest_remainder(shares: list[float]) -> list[int]:
    """Whole numbers adding up to the rounded total of ``shares`` (largest remainder)."""
    total = round(sum(shares))
    floors = [int(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda k: -(shares[k] - floors[k]))
    for k in order[: total - sum(floors)]:
        floors[k] += 1
    return floors


def _spread_phases(
    counts: list[tuple[Phase, int]], unknown_rule: Any
) -> tuple[int, list[int]] | str | None:
    """(first year, homes per year) from the homes per phase, or a problem, or None when
    no phase has homes. Homes of unknown timing follow the known ones in proportion, or
    the years of ``unknown_rule`` ([first, last]) when no phase is known."""
    if not counts:
        return None
    known = [(p, c) for p, c in counts if p.first_year is not None]
    unknown = sum(c for p, c in counts if p.first_year is None)
    if not known:
        if isinstance(unknown_rule, list):
            first, last = int(unknown_rule[0]), int(unknown_rule[1])
            return first, _spread(unknown, last - first + 1)
        return (
            "the plan's homes are all in the 'unknown' phase, so it has no delivery years; "
            "set rules.unknown_phase = [first_year, last_year] in the profile"
        )
    first = min(p.first_year for p, _ in known if p.first_year is not None)
    last = max(p.last_year for p, _ in known if p.last_year is not None)
    per_year = [0] * (last - first + 1)
    for phase, count in known:
        assert phase.first_year is not None and phase.last_year is not None
        for k, v in enumerate(_spread(count, phase.last_year - phase.first_year + 1)):
            per_year[phase.first_year - first + k] += v
    if unknown:
        known_total = sum(per_year)
        extra = _largest_remainder([v * unknown / known_total for v in per_year])
        per_year = [a + b for a, b in zip(per_year, extra, strict=True)]
    while per_year and per_year[0] == 0:
        per_year.pop(0)
        first += 1
    while per_year and per_year[-1] == 0:
        per_year.pop()
    return first, per_year


def _to_geojson(geometry: np.ndarray[Any, np.dtype[np.object_]]) -> list[str | None]:
    """RD New geometries as compact GeoJSON text in WGS84 (6 decimals), None where missing."""
    import shapely
    from pyproj import Transformer

    transformer = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)

    def project(xy: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, Any]:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    present = ~shapely.is_missing(geometry)
    result: list[str | None] = [None] * len(geometry)
    if present.any():
        wgs = shapely.set_precision(
            shapely.transform(geometry[present], project), 10**-GEOJSON_DECIMALS
        )
        texts = shapely.to_geojson(wgs)
        for k, index in enumerate(np.flatnonzero(present)):
            result[int(index)] = str(texts[k])
    return result
