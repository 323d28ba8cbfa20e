"""Plan registers through a mapping profile: any supported file -> checked plan rows + report.

Inputs: a file (CSV, XLSX, GeoPackage, Shapefile, GeoJSON; see :mod:`opgave.ingest.readers`),
a :class:`~opgave.ingest.profiles.Profile`, and a :class:`Context`: the municipality codes
the database knows (each to its current code), the area and precondition ids, the capture
date, and polygons of large-scale areas (RD New) to link plans to.
Outputs: a :class:`PlanReading`: :class:`~opgave.ingest.plans.PlanRow` per plan (with its
geometry as WKB in RD New when it has one) and the
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
import gc
import operator
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any, cast

import numpy as np

from opgave import municipalities
from opgave.ingest.import_report import FieldMapping, ImportReport
from opgave.ingest.plans import PlanListError, PlanRow
from opgave.ingest.profiles import FIELDS, UNKNOWN, Phase, Profile, planstatus_of
from opgave.ingest.readers import ReadError, SourceTable, read_source, take
from opgave.ingest.values import (
    DATE_FORMATS,
    FORMULA_START,
    ValueProblem,
    fold,
    formula_problem,
    parse_date,
    parse_flag,
    parse_number,
    parse_whole,
)
from opgave.problem import Problem
from opgave.vocabulary import PLANSTATUS

SEGMENTS = ("social_rent", "mid_rent", "affordable_buy")
YEAR_RANGE = (1900, 2100)
"""Delivery years outside this range are refused (a typo such as 20255)."""


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
    enabled = gc.isenabled()
    gc.disable()  # millions of small objects, none cyclic: the collector only costs time
    try:
        return _read_plans(path, profile, context, shown)
    finally:
        if enabled:
            gc.enable()


def _read_plans(path: Path, profile: Profile, context: Context, shown: str) -> PlanReading:
    """:func:`read_plans` with the collector already off."""
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
    enabled = gc.isenabled()
    gc.disable()  # millions of small objects, none cyclic: the collector only costs time
    try:
        return _map_table(table, profile, context)
    finally:
        if enabled:
            gc.enable()


def _map_table(table: SourceTable, profile: Profile, context: Context) -> PlanReading:
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

    none: list[Any] = [None] * n  # one list of empty cells, shared (never changed)
    empties: list[tuple[str, ...]] = [()] * n

    def col(f: str) -> list[Any]:
        return table.column(columns[f]) if f in columns else none

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

    # geometry: municipality by overlap, area links, WKB to keep
    located: list[municipalities.Located | None] = none
    links: list[tuple[str, ...]] = empties
    wkb: list[bytes | None] = none
    if table.geometry is not None:
        if "date" in columns:
            uniques, codes = table.encoding(columns["date"])
            dates = take([memo["date"](u)[0] or context.captured for u in uniques], codes)
        else:
            dates = [context.captured] * n
        if rule("municipality") != "column":
            located = municipalities.locate(table.geometry, dates, gazetteer)
        if context.area_polygons:
            links = municipalities.overlapping_areas(table.geometry, context.area_polygons)
        wkb = table.wkb if table.wkb is not None else _to_wkb(table.geometry)

    # --- column by column: each distinct value parsed once --------------------------------
    notes = report.notes
    bad = [False] * n
    numbers = table.row_numbers
    values: dict[str, list[Any]] = {}
    source_cols = {f: col(f) for f in FIELDS}

    def flag(i: int, column: str, message: str) -> None:
        problems.append(Problem(table.name, numbers[i], column, message))
        bad[i] = True

    def trouble_rows(codes: np.ndarray[Any, Any], wanted: list[int]) -> list[int]:
        """The rows (in order) whose cell is one of the ``wanted`` distinct values."""
        return np.flatnonzero(np.isin(codes, wanted)).tolist() if wanted else []

    holding_none: set[str] = set()  # the mapped fields with an empty value in some row

    def mapped(f: str, required: bool = False) -> list[Any]:
        uniques, codes = table.encoding(columns[f])
        parse = memo[f]
        lookup = [parse(u) for u in uniques]
        column = columns.get(f, f)
        wanted = [
            j for j, (v, t) in enumerate(lookup) if t or (required and (v is None or v == ""))
        ]
        for i in trouble_rows(codes, wanted):
            flag(i, column, lookup[codes[i]][1] or "a value is required")
        result = take([v for v, _ in lookup], codes)
        if any(v is None for v, _ in lookup):  # every distinct value is some row's
            holding_none.add(f)
        values[f] = result
        return result

    def texts(f: str) -> list[str]:
        if columns[f] in table.tidy:  # the reader saw nothing to strip, empty or formula
            values[f] = source_cols[f]
            return source_cols[f]
        uniques, codes = table.encoding(columns[f])
        try:  # text cells (all of a CSV): C-level passes, a column of ids is all distinct
            stripped = list(map(str.strip, uniques))
        except TypeError:
            stripped = [u.strip() if type(u) is str else _text(u) for u in uniques]
        if all(map(operator.is_, stripped, uniques)):
            result = source_cols[f]  # nothing to strip (str.strip returns the same string)
        else:
            result = take(stripped, codes)
        column = columns[f]
        wanted = []
        if "" in stripped or any(map(str.startswith, stripped, repeat(FORMULA_START))):
            wanted = [j for j, v in enumerate(stripped) if v == "" or v[0] in FORMULA_START]
        for i in trouble_rows(codes, wanted):
            value = result[i]
            flag(i, column, formula_problem(value) or "formula" if value else "a value is required")
        values[f] = result
        return result

    ids_column = texts("plan_id") if "plan_id" in columns else None
    names_column = texts("name") if "name" in columns else None
    if ids_column is None:
        assert names_column is not None
        ids_column = names_column
    if names_column is None:
        names_column = ids_column
    prefix = str(rule("id_prefix"))
    if prefix:
        ids_column = [prefix + v if v else v for v in ids_column]
    homes_column = mapped("homes") if "homes" in columns else none
    demolition_column = mapped("demolition") if "demolition" in columns else none
    status_column = mapped("planstatus", required=True)
    if "date" in columns:
        mapped("date")
    if "estimate" in columns:
        mapped("estimate")
    for f in ("plantype", "dwelling_type", "tenure", "provincie"):
        if f in columns:
            uniques, codes = table.encoding(columns[f])
            values[f] = take([_text(u) or None for u in uniques], codes)
    fallback = str(rule("planstatus_unknown"))
    if fallback != "refuse":
        raw_status = source_cols["planstatus"]
        uniques, codes = table.encoding(columns["planstatus"])
        counted = [  # the distinct cells that mean "unknown", counted as the fallback
            j
            for j, u in enumerate(uniques)
            if memo["planstatus"](u)[0] == fallback.upper() and unknown_status(u)[0]
        ]
        for i in trouble_rows(codes, counted):
            code = status_column[i]
            if code == fallback.upper() and unknown_status(raw_status[i])[0]:
                notes.append(
                    Problem(
                        table.name,
                        numbers[i],
                        columns["planstatus"],
                        f"planstatus {_text(raw_status[i])!r} is unknown; counted as "
                        f"{code} (rules.planstatus_unknown)",
                    )
                )
    use_years_columns = not phases or "first_year" in columns
    first_column = mapped("first_year", required=not phases) if "first_year" in columns else none
    last_column = mapped("last_year", required=not phases) if "last_year" in columns else none
    segment_columns = {
        f: mapped(f) for s in SEGMENTS for f in (f"{s}_homes", f"{s}_share") if f in columns
    }
    area_column = [ids(v) for v in source_cols["area_ids"]] if "area_ids" in columns else None
    precondition_column = (
        [ids(v) for v in source_cols["precondition_ids"]] if "precondition_ids" in columns else None
    )
    # municipality: geometry first (rules.municipality), else the column
    gemeente_column: list[str | None] = [None] * n
    gemeente_complete = False  # known to hold a municipality in every row
    raw_gemeente = source_cols["gemeente"]
    raw_province = source_cols["provincie"]
    if table.geometry is None and "gemeente" in columns and "provincie" not in columns:
        # no geometry: each distinct municipality cell is resolved once
        resolved: dict[str, tuple[Any, str | None]] = {}
        uniques, codes = table.encoding(columns["gemeente"])
        for raw in {_text(u) for u in uniques}:
            try:
                resolved[raw] = (gemeente(raw, None), None)
            except ValueProblem as error:
                resolved[raw] = (None, str(error))
        lookup = [resolved[_text(u)] for u in uniques]
        gemeente_column = take([hit[0] if hit else None for hit, _ in lookup], codes)
        gemeente_complete = all(hit for hit, _ in lookup)
        special = [
            j
            for j, (hit, issue) in enumerate(lookup)
            if issue or (hit and "former municipality" in hit[1])
        ]
        for i in trouble_rows(codes, special):
            hit, issue = lookup[codes[i]]
            if issue:
                flag(i, columns["gemeente"], issue)
            elif hit:
                notes.append(Problem(table.name, numbers[i], columns["gemeente"], hit[1]))
        located_rows: range = range(0)
    else:
        located_rows = range(n)
    named_memo: dict[tuple[Any, Any], municipalities.Resolution] = {}
    for i in located_rows:
        where = located[i]
        if where is not None and where.code is not None:
            gemeente_id = context.gemeenten.get(where.code)
            if gemeente_id is None:
                flag(i, "geometry", f"the geometry lies in {where.code}, unknown to this database")
                continue
            gemeente_column[i] = gemeente_id
            if where.note:
                notes.append(Problem(table.name, numbers[i], "geometry", where.note))
            raw_cell = raw_gemeente[i]
            raw_named = raw_cell.strip() if type(raw_cell) is str else _text(raw_cell)
            if raw_named:
                named_key = (raw_named, raw_province[i])
                named = named_memo.get(named_key)
                if named is None:
                    named = gazetteer.resolve(raw_named, province_of(raw_province[i]))
                    named_memo[named_key] = named
                if named.code is not None and named.code != gemeente_id:
                    notes.append(
                        Problem(
                            table.name,
                            numbers[i],
                            columns.get("gemeente"),
                            f"the column says {raw_named!r} ({named.code}), the geometry "
                            f"lies in {gemeente_id}; the geometry is used",
                        )
                    )
                elif named.code is None and gemeente_id in named.candidates:
                    notes.append(
                        Problem(
                            table.name,
                            numbers[i],
                            columns.get("gemeente"),
                            f"{raw_named!r} was split; the geometry places the plan in "
                            f"{gemeente_id}",
                        )
                    )
        elif "gemeente" in columns:
            province = province_of(raw_province[i]) if "provincie" in columns else None
            key = (raw_gemeente[i], province)
            hit = municipality_memo.get(key)
            if hit is None:
                try:
                    hit = (gemeente(raw_gemeente[i], province), None)
                except ValueProblem as error:
                    hit = (None, str(error))
                municipality_memo[key] = hit
            if hit[1]:
                flag(i, columns["gemeente"], hit[1])
            elif hit[0] is not None:
                gemeente_column[i], how = hit[0]
                if "former municipality" in how:
                    notes.append(Problem(table.name, numbers[i], columns["gemeente"], how))
        else:
            flag(i, "geometry", "the plan has no geometry and no municipality")
    values["gemeente_id"] = gemeente_column

    # --- what needs the whole row -------------------------------------------------------------
    rows: list[PlanRow] = []
    first_row: dict[str, int] = {}
    # phase columns: each distinct cell parsed once, then homes per year for every row at once
    phase_issues: list[list[str | None]] = []
    phase_counts = np.zeros((n, len(phases)), dtype=np.int64)
    phase_trouble: set[int] = set()
    for k, phase in enumerate(phases):
        uniques, codes = table.encoding(phase_columns[phase.column])
        parsed = [memo["homes"](u) for u in uniques]
        issues = [trouble for _, trouble in parsed]
        phase_issues.append(take(issues, codes))
        counts = [value if value and not trouble else 0 for value, trouble in parsed]
        phase_counts[:, k] = np.asarray(counts, dtype=np.int64)[codes]
        phase_trouble.update(trouble_rows(codes, [j for j, t in enumerate(issues) if t]))
    phase_totals = phase_counts.sum(axis=1).tolist() if phases else []
    spreads = _spread_phases_all(phase_counts, phases, rule("unknown_phase")) if phases else []
    year_values = {y: table.column(c) for y, c in year_columns}
    gross = rule("homes_basis") == "gross"
    # a plain list (no phases, yearly or segment columns, links or demolition) without a
    # problem so far needs no per-row checks: its rows are made in one pass; any doubt
    # (a missing value, a duplicate, reversed years) takes the row-by-row path below
    plain_list = (
        not phases
        and not year_columns
        and not segment_columns
        and area_column is None
        and precondition_column is None
        and not any(links)
        and not (gross and "demolition" in columns)
        and not any(bad)
        and all(ids_column)
        and all(
            f in columns and f not in holding_none for f in ("homes", "first_year", "last_year")
        )
        and (gemeente_complete or None not in gemeente_column)
        and len(set(ids_column)) == n
        and not any(map(operator.lt, last_column, first_column))
    )
    if plain_list:
        rows = PlanRow.from_columns(
            (
                ids_column,
                names_column,  # no empty name here: texts() flags those
                gemeente_column,
                homes_column,
                none,
                none,
                none,
                status_column,
                first_column,
                last_column,
                none,
                empties,
                empties,
                wkb,
            )
        )
    else:
        homes_out: list[Any] = list(homes_column)
        firsts: list[Any] = list(first_column)
        lasts: list[Any] = list(last_column)
        # each row's plan, by field (a row is made only if ``keep``): the rows that need no
        # per-row check are worked out in one tight pass, the others go through the checks
        by_years: list[Any] = [None] * n
        area_out: list[Any] = list(links)  # a row without area columns: its links only
        precondition_out: list[Any] = [()] * n if precondition_column is not None else empties
        segment_out: dict[str, list[Any]] = {
            s: [None] * n if segment_columns else none for s in SEGMENTS
        }
        keep = [False] * n
        slow_rows = (
            range(n)
            if year_columns
            or segment_columns
            or area_column is not None
            or precondition_column is not None
            else _quick_rows(
                ids_column,
                homes_column,
                gemeente_column,
                demolition_column if gross and "demolition" in columns else none,
                bad,
                (phases, phase_trouble, phase_totals, spreads),
                (first_column, last_column) if use_years_columns else None,
                (homes_out, firsts, lasts, by_years, keep),
            )
        )
        for i in slow_rows:
            number = numbers[i]
            plan_id = ids_column[i]
            if plan_id:
                if plan_id in first_row:
                    flag(
                        i,
                        columns.get("plan_id", columns.get("name", "plan_id")),
                        f"duplicate id {plan_id!r} (first in row {first_row[plan_id]})",
                    )
                else:
                    first_row[plan_id] = number
            homes = homes_column[i]
            first = last = None
            by_year: list[int] | None = None
            if phases:
                if i in phase_trouble:
                    for k, phase in enumerate(phases):
                        issue = phase_issues[k][i]
                        if issue:
                            flag(i, phase_columns[phase.column], issue)
                if bad[i]:
                    continue
                total = phase_totals[i]
                if homes is not None and total and homes != total:
                    flag(i, columns["homes"], f"the phase columns add up to {total}, not {homes}")
                    continue
                if homes is None:
                    homes = total
                spread = spreads[i]
                if isinstance(spread, str):
                    last_phase = [p for k, p in enumerate(phases) if phase_counts[i, k]][-1]
                    flag(i, phase_columns[last_phase.column], spread)
                    continue
                if spread is not None:
                    first, by_year = spread
                    last = first + len(by_year) - 1
                else:  # no homes in any phase: the profile's span
                    spans = [(p.first_year, p.last_year) for p in phases]
                    known_firsts = [a for a, _ in spans if a is not None]
                    known_lasts = [b for _, b in spans if b is not None]
                    if known_firsts and known_lasts:
                        first, last = min(known_firsts), max(known_lasts)
            if first is None and use_years_columns:
                first, last = first_column[i], last_column[i]
                if first is not None and last is not None and last < first:
                    flag(i, columns["last_year"], f"last_year {last} is before first_year {first}")
                    continue
            firsts[i], lasts[i] = first, last
            if year_columns and first is not None and last is not None:
                given: dict[int, int | None] = {}
                for y, column in year_columns:
                    value, issue = memo["homes"](year_values[y][i])
                    if issue:
                        flag(i, column, issue)
                    given[y] = value
                if any(v is not None for v in given.values()):
                    outside = [y for y, v in given.items() if v and not first <= y <= last]
                    if outside:
                        flag(
                            i,
                            dict(year_columns)[outside[0]],
                            f"homes in {outside[0]}, outside {first}-{last}",
                        )
                    by_year = [given.get(y) or 0 for y in range(first, last + 1)]
                    if homes is not None and sum(by_year) != homes and not bad[i]:
                        flag(
                            i,
                            columns["homes"],
                            f"the yearly columns add up to {sum(by_year)}, not {homes}",
                        )
            if homes is None and "homes" in columns and not phases and not bad[i]:
                flag(i, columns["homes"], "a value is required")
            demolition = demolition_column[i]
            if demolition and gross and homes is not None:
                if demolition > homes:
                    flag(
                        i,
                        columns["demolition"],
                        f"demolition {demolition} exceeds the {homes} gross homes; a plan's net "
                        "homes cannot be negative",
                    )
                else:
                    net = homes - demolition
                    if by_year is not None and homes:
                        by_year = _largest_remainder([v * net / homes for v in by_year])
                    homes = net
            homes_out[i] = homes
            segments: dict[str, int | None] = {}
            if segment_columns:
                for s in SEGMENTS:
                    count = (
                        segment_columns[f"{s}_homes"][i]
                        if f"{s}_homes" in segment_columns
                        else None
                    )
                    fraction = (
                        segment_columns[f"{s}_share"][i]
                        if f"{s}_share" in segment_columns
                        else None
                    )
                    if count is None and fraction is not None and homes is not None:
                        count = round(fraction * homes)
                    segments[s] = count
                if homes is not None and sum(v or 0 for v in segments.values()) > homes:
                    flag(
                        i,
                        columns.get("homes", "homes"),
                        f"the segments add up to more than the {homes} homes of the plan",
                    )
            area_ids: tuple[str, ...] = ()
            if area_column is not None:
                area_ids = area_column[i]
                for area in area_ids:
                    if area not in context.areas:
                        flag(i, columns["area_ids"], f"unknown area {area!r}")
            if links[i]:
                area_ids = tuple(dict.fromkeys([*area_ids, *links[i]]))
            precondition_ids: tuple[str, ...] = ()
            if precondition_column is not None:
                precondition_ids = precondition_column[i]
                for precondition in precondition_ids:
                    if precondition not in context.preconditions:
                        flag(
                            i, columns["precondition_ids"], f"unknown precondition {precondition!r}"
                        )
            if bad[i]:
                continue
            gemeente_id = gemeente_column[i]
            if gemeente_id is None or homes is None or first is None or last is None or not plan_id:
                flag(i, "plan_id", "the row has no plan (no identifier, municipality or years)")
                continue
            keep[i] = True
            by_years[i], area_out[i] = by_year, area_ids
            if precondition_column is not None:
                precondition_out[i] = precondition_ids
            if segment_columns:
                for s in SEGMENTS:
                    segment_out[s][i] = segments.get(s)
        kept = np.flatnonzero(np.fromiter(keep, dtype=bool, count=n))
        kept_ids = take(ids_column, kept)
        rows = PlanRow.from_columns(
            (
                kept_ids,
                [
                    name or plan_id
                    for name, plan_id in zip(take(names_column, kept), kept_ids, strict=True)
                ],
                take(gemeente_column, kept),
                take(homes_out, kept),
                *(take(segment_out[s], kept) for s in SEGMENTS),
                take(status_column, kept),
                take(firsts, kept),
                take(lasts, kept),
                take(by_years, kept),
                take(area_out, kept),
                take(precondition_out, kept),
                take(wkb, kept),
            )
        )
        values["homes"], values["first_year"], values["last_year"] = homes_out, firsts, lasts
    report.plan_ids = list(ids_column)
    problems.sort(key=lambda p: p.row or 0)
    report.fields = [
        FieldMapping(
            f,
            columns.get(f, "geometry" if f == "gemeente" else ""),
            source_cols[f],
            values.get("gemeente_id" if f == "gemeente" else f) or none,
        )
        for f in FIELDS
        if f in columns or (f == "gemeente" and has_geometry)
    ]
    report.plans = len(rows)
    report.synthetic = says_synthetic(table)
    if report.synthetic:
        report.detected.append("SYNTHETIC: every row is marked synthetic")
    if problems:
        raise PlanReadError(list(problems), report)
    return PlanReading(rows, report)


def _quick_rows(
    ids: list[Any],
    homes_column: list[Any],
    gemeente_column: list[Any],
    demolition: list[Any],
    bad: list[bool],
    phased: tuple[list[Phase], set[int], list[int], list[Any]],
    year_columns: tuple[list[Any], list[Any]] | None,
    out: tuple[list[Any], list[Any], list[Any], list[Any], list[bool]],
) -> list[int]:
    """Work out in one tight pass the rows that need no per-row check, as the checks
    would (homes, first and last year, homes per year into ``out``, ``keep`` set), and
    return the others (in order): a row already flagged, with a duplicate or missing id,
    no municipality, a phase problem, homes that differ from the phases' total, more
    demolition than homes (``demolition`` given only when homes are gross), reversed
    or missing years. Only for rows without yearly, segment, area or precondition columns."""
    phases, phase_trouble, phase_totals, spreads = phased
    homes_out, firsts, lasts, by_years, keep = out
    duplicated: set[Any] = set()
    if len(set(ids)) != len(ids):
        seen: set[Any] = set()
        duplicated = {v for v in ids if v in seen or seen.add(v)}  # type: ignore[func-returns-value]
    span_first = span_last = None
    known_firsts = [p.first_year for p in phases if p.first_year is not None]
    known_lasts = [p.last_year for p in phases if p.last_year is not None]
    if known_firsts and known_lasts:
        span_first, span_last = min(known_firsts), max(known_lasts)
    skip = list(bad)  # rows the checks must see whatever their values
    for i in phase_trouble:
        skip[i] = True
    if duplicated:
        for i, plan_id in enumerate(ids):
            if plan_id in duplicated:
                skip[i] = True
    n = len(ids)
    no_years: list[Any] = [None] * n
    given_first, given_last = year_columns or (no_years, no_years)
    slow: list[int] = []
    for i, plan_id, homes, gemeente_id, flagged, total, spread, demolished in zip(
        range(n),
        ids,
        homes_column,
        gemeente_column,
        skip,
        phase_totals if phases else repeat(0, n),
        spreads if phases else repeat(None, n),
        demolition,
        strict=True,
    ):
        if flagged or not plan_id or gemeente_id is None:
            slow.append(i)
            continue
        first = last = by_year = None
        if phases:
            if homes is not None and total and homes != total:
                slow.append(i)
                continue
            if homes is None:
                homes = total
            if spread is None:
                first, last = span_first, span_last
            elif type(spread) is tuple:
                first, by_year = spread
                last = first + len(by_year) - 1
            else:  # a problem
                slow.append(i)
                continue
        if first is None and year_columns is not None:
            first, last = given_first[i], given_last[i]
        if homes is None or first is None or last is None or last < first:
            slow.append(i)
            continue
        if demolished:  # gross homes: the net ones, homes per year in proportion
            if demolished > homes:
                slow.append(i)
                continue
            net = homes - demolished
            if by_year is not None and homes:
                by_year = _largest_remainder([v * net / homes for v in by_year])
            homes = net
        homes_out[i], firsts[i], lasts[i], by_years[i] = homes, first, last, by_year
        keep[i] = True
    return slow


SYNTHETIC_COLUMNS = ("synthetisch", "synthetic", "synthetisc")
"""A column by one of these names (a .dbf keeps 10 characters) that marks every row with a
yes (ja, yes, true, 1) says the file is synthetic - as opgave's own synthetic registers do
(:mod:`opgave.synthetic_register`)."""
YES = frozenset({"ja", "yes", "true", "1", "j", "y"})


def says_synthetic(table: SourceTable) -> bool:
    """Whether the file marks every row synthetic (see :data:`SYNTHETIC_COLUMNS`)."""
    for column in table.header:
        if column.strip().lower() in SYNTHETIC_COLUMNS and len(table):
            uniques, _ = table.encoding(column)
            return all(str(v).strip().lower() in YES for v in uniques)
    return False


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
    behind = [f - s for s, f in zip(shares, floors, strict=True)]  # minus the remainders
    order = sorted(range(len(shares)), key=behind.__getitem__)
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


def _spread_phases_all(
    counts: np.ndarray[Any, np.dtype[np.int64]], phases: list[Phase], unknown_rule: Any
) -> list[tuple[int, list[int]] | str | None]:
    """:func:`_spread_phases` for every row of ``counts`` (rows x phases, 0 = none) at once,
    with the same arithmetic: each phase spread evenly, the earliest years taking the
    remainder; unknown timing by largest remainder in proportion (ties to the earlier
    year); leading and trailing empty years dropped. Rows without a known phase go
    through :func:`_spread_phases` itself."""
    n = counts.shape[0]
    known = [k for k, p in enumerate(phases) if p.first_year is not None]
    unknown_cols = [k for k, p in enumerate(phases) if p.first_year is None]
    result: list[tuple[int, list[int]] | str | None] = [None] * n
    known_total = counts[:, known].sum(axis=1) if known else np.zeros(n, dtype=np.int64)
    for i in np.flatnonzero(known_total == 0).tolist():
        row = [(phases[k], int(counts[i, k])) for k in range(len(phases)) if counts[i, k]]
        result[i] = _spread_phases(row, unknown_rule)
    rows = np.flatnonzero(known_total > 0)
    if len(rows) == 0:
        return result
    start = min(int(phases[k].first_year or 0) for k in known)
    end = max(int(phases[k].last_year or 0) for k in known)
    per_year = np.zeros((len(rows), end - start + 1), dtype=np.int64)
    for k in known:
        first, last = phases[k].first_year, phases[k].last_year
        assert first is not None and last is not None
        years = last - first + 1
        base, extra = np.divmod(counts[rows, k], years)
        per_year[:, first - start : last + 1 - start] += base[:, None] + (
            np.arange(years)[None, :] < extra[:, None]
        )
    unknown = counts[rows][:, unknown_cols].sum(axis=1) if unknown_cols else None
    if unknown is not None and (unknown > 0).any():
        some = np.flatnonzero(unknown > 0)
        shares = (per_year[some] * unknown[some, None]).astype(np.float64) / known_total[
            rows[some], None
        ].astype(np.float64)
        running = np.zeros(len(some))
        for column in range(shares.shape[1]):  # summed in order, as Python's sum() does
            running = running + shares[:, column]
        floors = shares.astype(np.int64)
        order = np.argsort(-(shares - floors), axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(shares.shape[1])[None, :], axis=1)
        adds = np.rint(running).astype(np.int64) - floors.sum(axis=1)
        per_year[some] += floors + (rank < adds[:, None])
    filled = per_year > 0
    lead = filled.argmax(axis=1)
    trail = per_year.shape[1] - filled[:, ::-1].argmax(axis=1)
    # rows by their span of years (few distinct): each row's list made for its span only
    spans, members = np.unique(lead * (per_year.shape[1] + 1) + trail, return_inverse=True)
    by_span = np.argsort(members, kind="stable")
    bounds = np.searchsorted(members[by_span], np.arange(len(spans) + 1))
    for k in range(len(spans)):
        group = by_span[bounds[k] : bounds[k + 1]]
        a, b = int(lead[group[0]]), int(trail[group[0]])
        for i, homes_row in zip(rows[group].tolist(), per_year[group, a:b].tolist(), strict=True):
            result[i] = (start + a, homes_row)
    return result


def _to_wkb(geometry: np.ndarray[Any, np.dtype[np.object_]]) -> list[bytes | None]:
    """RD New geometries as WKB (kept for the map, which makes its GeoJSON when it asks:
    :mod:`opgave.plan_geometry`), None where missing."""
    import shapely

    return cast(list[bytes | None], shapely.to_wkb(geometry).tolist())
