"""Capacity totals: workbooks that give plan capacity per area and period instead of per plan.

Inputs: a workbook (or CSV) and a capacity profile (TOML, ``kind = "capacity"``): per sheet
the column naming the area (a municipality code or name, or a region), and per total column
its hardness (hard / soft / unknown), its years and whether it is gross or net; the known
municipality codes and area ids.
Outputs: :class:`TotalRow` records (area, hardness, first_year-last_year, gross_or_net,
homes, sheet and row) and an import report; or a
:class:`~opgave.ingest.register.PlanReadError` naming file, sheet, row and column.
Derives: nothing is summed or prorated here (that is :mod:`opgave.capacity`). "No data" is
not zero: an empty cell or one of :data:`NO_DATA` ("n.b.", "-", "geen gegevens" ...) gives
no record, and the report says so; "0" gives a record of 0 homes. Formula cells hold the
value Excel last computed. Rows whose area cell matches ``skip`` (totals) are left out.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opgave import municipalities
from opgave.ingest.import_report import FieldMapping, ImportReport
from opgave.ingest.profiles import ProfileError, profile_text
from opgave.ingest.readers import ReadError, read_source
from opgave.ingest.register import PlanReadError, find_column
from opgave.ingest.values import ValueProblem, fold, parse_whole
from opgave.problem import Problem
from opgave.vocabulary import GROSS_OR_NET, HARDNESS

NO_DATA = ("n.b.", "nb", "n.v.t.", "nvt", "-", "--", "?", "geen gegevens", "onbekend", "x")
"""Cells meaning "no figure" (not zero)."""
AREA_KINDS = ("municipality", "region")


@dataclass(frozen=True)
class TotalColumn:
    """A column holding totals of one hardness for one period."""

    column: str
    hardness: str
    first_year: int
    last_year: int
    gross_or_net: str


@dataclass(frozen=True)
class SheetSpec:
    """How one sheet (one province's shape) is laid out."""

    sheet: str | None
    area_column: str
    area_kind: str
    header_row: int | None
    totals: tuple[TotalColumn, ...]
    regions: dict[str, str]
    skip: str | None


@dataclass(frozen=True)
class CapacityProfile:
    """A capacity-totals profile: its name and the layout of each sheet."""

    name: str
    sheets: tuple[SheetSpec, ...]


@dataclass(frozen=True)
class TotalRow:
    """One total: homes of a hardness for an area over an inclusive period."""

    area_id: str
    hardness: str
    first_year: int
    last_year: int
    gross_or_net: str
    homes: int
    source_section: str


@dataclass
class TotalsReading:
    """The totals of a workbook and the report of how they were read."""

    rows: list[TotalRow]
    reports: list[ImportReport] = field(default_factory=list)


def load_capacity_profile(name_or_path: str | Path) -> CapacityProfile:
    """A capacity profile by shipped name or path; raise :class:`ProfileError`."""
    name, text = profile_text(name_or_path)
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(name, None, key, message))

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError([Problem(name, None, None, f"not valid TOML: {error}")]) from None
    meta = data.get("profile", {})
    if meta.get("kind") != "capacity":
        bad("profile.kind", 'a capacity profile needs kind = "capacity"')
    default_basis = meta.get("gross_or_net", "unknown")
    sheets: list[SheetSpec] = []
    for k, spec in enumerate(data.get("sheets", []), start=1):
        where = f"sheets[{k}]"
        totals = []
        for j, total in enumerate(spec.get("totals", []), start=1):
            years = total.get("years")
            hardness = total.get("hardness", "unknown")
            basis = total.get("gross_or_net", spec.get("gross_or_net", default_basis))
            if not (
                isinstance(years, list)
                and len(years) == 2
                and all(isinstance(y, int) for y in years)
                and years[0] <= years[1]
            ):
                bad(f"{where}.totals[{j}].years", "expected [first_year, last_year]")
                continue
            if hardness not in HARDNESS:
                bad(f"{where}.totals[{j}].hardness", f"expected one of {', '.join(HARDNESS)}")
            if basis not in GROSS_OR_NET:
                bad(
                    f"{where}.totals[{j}].gross_or_net",
                    f"expected one of {', '.join(GROSS_OR_NET)}",
                )
            if not isinstance(total.get("column"), str):
                bad(f"{where}.totals[{j}].column", "expected the column name")
                continue
            totals.append(TotalColumn(total["column"], hardness, years[0], years[1], basis))
        if spec.get("area_kind", "municipality") not in AREA_KINDS:
            bad(f"{where}.area_kind", "expected municipality or region")
        if not isinstance(spec.get("area"), str):
            bad(f"{where}.area", "expected the column naming the area")
        if not totals:
            bad(f"{where}.totals", "expected at least one [[sheets.totals]] column")
        sheets.append(
            SheetSpec(
                sheet=spec.get("sheet"),
                area_column=str(spec.get("area", "")),
                area_kind=spec.get("area_kind", "municipality"),
                header_row=spec.get("header_row"),
                totals=tuple(totals),
                regions={fold(k): v for k, v in spec.get("regions", {}).items()},
                skip=spec.get("skip"),
            )
        )
    if not sheets:
        bad("sheets", "expected at least one [[sheets]] table")
    if problems:
        raise ProfileError(problems)
    return CapacityProfile(str(meta.get("name", name)), tuple(sheets))


def read_totals(
    path: Path,
    profile: CapacityProfile,
    *,
    gemeenten: Mapping[str, str],
    areas: Collection[str],
    name: str | None = None,
) -> TotalsReading:
    """Read every sheet the profile names; raise :class:`PlanReadError` (nothing written)."""
    shown = name or path.name
    gazetteer = municipalities.shipped()
    known_areas = set(areas)
    result = TotalsReading([])
    problems: list[Problem] = []
    for spec in profile.sheets:
        label = f"{shown} [{spec.sheet}]" if spec.sheet else shown
        try:
            table = read_source(path, name=shown, sheet=spec.sheet, header_row=spec.header_row)
        except ReadError as error:
            problems.extend(error.problems)
            continue
        report = ImportReport(label, profile.name, table.kind, list(table.notes))
        report.row_numbers = table.row_numbers
        result.reports.append(report)
        header_row = (table.row_numbers[0] - 1) if table.row_numbers else 1
        area_column = find_column(table.header, (spec.area_column,))
        located = {t.column: find_column(table.header, (t.column,)) for t in spec.totals}
        if area_column is None:
            problems.append(Problem(label, header_row, spec.area_column, "column is missing"))
        for column, found in located.items():
            if found is None:
                problems.append(Problem(label, header_row, column, "column is missing"))
        if area_column is None or None in located.values():
            continue
        areas_mapped: list[Any] = []
        cache: dict[str, tuple[str | None, str | None]] = {}
        for i, raw in enumerate(table.column(area_column)):
            number = table.row_numbers[i]
            text = "" if raw is None else str(raw).strip()
            if not text or (spec.skip and re.search(spec.skip, text)):
                areas_mapped.append(None)
                continue
            if text not in cache:
                cache[text] = _area(text, spec, gazetteer, gemeenten, known_areas)
            area_id, trouble = cache[text]
            areas_mapped.append(area_id)
            if trouble:
                problems.append(Problem(label, number, area_column, trouble))
                continue
            assert area_id is not None
            for total in spec.totals:
                found_column = located[total.column]
                assert found_column is not None
                column = found_column
                cell = table.column(column)[i]
                if _no_data(cell):
                    report.notes.append(
                        Problem(label, number, column, f"no data for {area_id} (not counted as 0)")
                    )
                    continue
                try:
                    homes = parse_whole(cell, table.decimal)
                except ValueProblem as error:
                    problems.append(Problem(label, number, column, str(error)))
                    continue
                assert homes is not None
                result.rows.append(
                    TotalRow(
                        area_id,
                        total.hardness,
                        total.first_year,
                        total.last_year,
                        total.gross_or_net,
                        homes,
                        f"{spec.sheet or 'sheet'} row {number}",
                    )
                )
        report.fields = [FieldMapping("area", area_column, table.column(area_column), areas_mapped)]
        report.plans = sum(1 for a in areas_mapped if a)
    seen: dict[tuple[str, str, int, int], str] = {}
    for row in result.rows:
        key = (row.area_id, row.hardness, row.first_year, row.last_year)
        if key in seen:
            problems.append(
                Problem(
                    shown,
                    None,
                    None,
                    f"{row.area_id} has two {row.hardness} totals for {row.first_year}-"
                    f"{row.last_year} ({seen[key]} and {row.source_section})",
                )
            )
        seen[key] = row.source_section
    if problems:
        report = result.reports[0] if result.reports else ImportReport(shown, profile.name)
        report.problems.extend(problems)
        raise PlanReadError(problems, report)
    return result


def _no_data(cell: Any) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        return cell.strip() == "" or cell.strip().lower() in NO_DATA
    return False


def _area(
    text: str,
    spec: SheetSpec,
    gazetteer: municipalities.Gazetteer,
    gemeenten: Mapping[str, str],
    known: set[str],
) -> tuple[str | None, str | None]:
    """(area id, problem) of an area cell."""
    if spec.area_kind == "region":
        area_id = spec.regions.get(fold(text), text)
        if area_id not in known:
            return None, f"unknown region {text!r} (map it in the profile's [sheets.regions])"
        return area_id, None
    found = gazetteer.resolve(text)
    if found.code is None:
        return None, found.problem
    current = gemeenten.get(found.code)
    if current is None:
        return None, f"unknown municipality {found.code} (not in the CBS divisions)"
    return current, None


def captured_default() -> dt.date:
    """The capture date when none is given: today."""
    return dt.date.today()
