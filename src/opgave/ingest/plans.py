"""Plan lists (CSV or Excel): read and validate; the service layer writes them with history.

Inputs: a file with one row per plan (columns in ``COLUMNS``) and the known municipalities,
areas and preconditions.
Outputs: checked :class:`PlanRow` records, or :class:`PlanListError` naming every problem by
file, row and column. The write (upsert by plan id, history, drops) is
:func:`opgave.service.pipeline.apply_plan_list`.
Derives: DiWi status codes from their labels, segment counts from shares, the current
municipality code of merged municipalities.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opgave.problem import Problem
from opgave.vocabulary import PLAN_FIELDS, PLANSTATUS

COLUMNS: dict[str, str] = {
    "plan_id": "required; unique id of the plan within the list (text)",
    "name": "required; name of the plan",
    "gemeente_code": "required; CBS municipality code: GM0363, 0363 or 363",
    "homes": "required; whole number of homes (net, >= 0)",
    "planstatus": "required; DiWi code 1A, 1B, 1C, 2A, 2B, 2C, 3, 4A, 4B or its label",
    "first_year": "required; first year of delivery",
    "last_year": "required; last year of delivery (>= first_year)",
    "social_rent_homes": "optional; homes in social rent (or social_rent_share, 0-1)",
    "mid_rent_homes": "optional; homes in mid-market rent (or mid_rent_share)",
    "affordable_buy_homes": "optional; affordable homes for sale (or affordable_buy_share)",
    "area_ids": "optional; ';'-separated ids of areas the plan lies in (e.g. GWB-OOSTFLANK)",
    "precondition_ids": "optional; ';'-separated ids of preconditions it depends on",
    "homes_YYYY": "optional; homes delivered in year YYYY (they must add up to homes)",
}
"""The plan-list format: column -> what it holds. Metadata as code; the docs print it."""
REQUIRED = ("plan_id", "name", "gemeente_code", "homes", "planstatus", "first_year", "last_year")
SEGMENTS = ("social_rent", "mid_rent", "affordable_buy")
YEAR_COLUMN = re.compile(r"homes_(\d{4})")
STATUS_BY_LABEL = {label.lower(): code for code, label in PLANSTATUS.items()}
GEMEENTE_CODE = re.compile(r"(?:GM)?(\d{1,4})", re.IGNORECASE)


class PlanListError(ValueError):
    """The plan list has problems; nothing was written. ``problems`` names each one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:100])
        more = f"\n  ... and {len(problems) - 100} more" if len(problems) > 100 else ""
        super().__init__(
            f"{len(problems)} problem(s) in the plan list, nothing written:\n{shown}{more}"
        )


@dataclass(frozen=True)
class PlanRow:
    """One validated plan of a list."""

    id: str
    name: str
    gemeente_id: str
    homes: int
    social_rent_homes: int | None
    mid_rent_homes: int | None
    affordable_buy_homes: int | None
    planstatus: str
    first_year: int
    last_year: int
    homes_by_year: list[int] | None
    area_ids: tuple[str, ...] = ()
    precondition_ids: tuple[str, ...] = ()

    def fields(self) -> dict[str, Any]:
        """The plan's versioned fields (those kept in history)."""
        return {name: getattr(self, name) for name in PLAN_FIELDS}


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV (comma or semicolon) or the first sheet of an Excel file."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        cells = [
            ["" if v is None else _excel_text(v) for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        book.close()
    elif path.suffix.lower() in (".csv", ".txt"):
        text = path.read_text(encoding="utf-8-sig")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        cells = list(csv.reader(text.splitlines(), delimiter=delimiter))
    else:
        raise PlanListError([Problem(path.name, None, None, "expected a .csv or .xlsx file")])
    cells = [row for row in cells if any(c.strip() for c in row)]
    if not cells:
        raise PlanListError([Problem(path.name, None, None, "the file is empty")])
    return [c.strip() for c in cells[0]], cells[1:]


def _excel_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_plan_list(
    path: Path,
    *,
    gemeenten: Mapping[str, str],
    areas: Iterable[str] = (),
    preconditions: Iterable[str] = (),
) -> list[PlanRow]:
    """Read and check a plan list; raise :class:`PlanListError` listing every problem.

    ``gemeenten`` maps each known municipality code to its current code (a merged
    municipality maps to the one it merged into).
    """
    header, body = read_table(path)
    problems: list[Problem] = []
    name = path.name
    for column in REQUIRED:
        if column not in header:
            problems.append(Problem(name, 1, column, f"column is missing ({COLUMNS[column]})"))
    known = set(COLUMNS) - {"homes_YYYY"} | {f"{s}_share" for s in SEGMENTS}
    for column in header:
        if column not in known and not YEAR_COLUMN.fullmatch(column):
            problems.append(
                Problem(name, 1, column, "unknown column; see `opgave ingest plans --help`")
            )
    if problems:
        raise PlanListError(problems)
    known_areas, known_preconditions = set(areas), set(preconditions)
    year_columns = sorted((int(m.group(1)), c) for c in header if (m := YEAR_COLUMN.fullmatch(c)))
    rows: list[PlanRow] = []
    first_row: dict[str, int] = {}
    for number, cells in enumerate(body, start=2):
        record = dict(zip(header, [c.strip() for c in cells], strict=False))
        row = _check_row(
            name,
            number,
            record,
            year_columns,
            gemeenten,
            known_areas,
            known_preconditions,
            problems,
        )
        if row is None:
            continue
        if row.id in first_row:
            problems.append(
                Problem(
                    name,
                    number,
                    "plan_id",
                    f"duplicate id {row.id!r} (first in row {first_row[row.id]})",
                )
            )
            continue
        first_row[row.id] = number
        rows.append(row)
    if problems:
        raise PlanListError(problems)
    return rows


def _check_row(
    file: str,
    number: int,
    record: dict[str, str],
    year_columns: Sequence[tuple[int, str]],
    gemeenten: Mapping[str, str],
    known_areas: set[str],
    known_preconditions: set[str],
    problems: list[Problem],
) -> PlanRow | None:
    """One row as a PlanRow, or None after adding its problems."""
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(Problem(file, number, column, message))

    def whole(column: str, required: bool = True) -> int | None:
        raw = record.get(column, "")
        if raw == "":
            if required:
                problem(column, "a value is required")
            return None
        if not re.fullmatch(r"-?\d+(\.0+)?", raw):
            problem(column, f"expected a whole number, got {raw!r}")
            return None
        value = int(float(raw))
        if value < 0:
            problem(column, f"expected a number >= 0, got {value}")
            return None
        return value

    plan_id = record.get("plan_id", "")
    if not plan_id:
        problem("plan_id", "a value is required")
    plan_name = record.get("name", "")
    if not plan_name:
        problem("name", "a value is required")
    gemeente_id = None
    raw_code = record.get("gemeente_code", "")
    match = GEMEENTE_CODE.fullmatch(raw_code)
    if not match:
        problem("gemeente_code", f"expected a municipality code like GM0363, got {raw_code!r}")
    else:
        code = f"GM{int(match.group(1)):04d}"
        gemeente_id = gemeenten.get(code)
        if gemeente_id is None:
            problem("gemeente_code", f"unknown municipality {code} (not in the CBS divisions)")
    homes = whole("homes")
    raw_status = record.get("planstatus", "")
    status = raw_status.upper() if raw_status.upper() in PLANSTATUS else None
    status = status or STATUS_BY_LABEL.get(raw_status.lower())
    if status is None:
        problem(
            "planstatus",
            f"unknown planstatus {raw_status!r}; expected one of {', '.join(PLANSTATUS)} "
            "or their DiWi labels",
        )
    first, last = whole("first_year"), whole("last_year")
    if first is not None and last is not None and last < first:
        problem("last_year", f"last_year {last} is before first_year {first}")
    segments: dict[str, int | None] = {}
    for segment in SEGMENTS:
        count = whole(f"{segment}_homes", required=False)
        share_raw = record.get(f"{segment}_share", "")
        if share_raw and count is None:
            try:
                share = float(share_raw)
            except ValueError:
                share = -1.0
            if not 0 <= share <= 1:
                problem(f"{segment}_share", f"expected a share between 0 and 1, got {share_raw!r}")
            elif homes is not None:
                count = round(share * homes)
        segments[segment] = count
    if homes is not None and sum(v or 0 for v in segments.values()) > homes:
        problem("homes", f"the segments add up to more than the {homes} homes of the plan")
    by_year: list[int] | None = None
    given = {year: whole(column, required=False) for year, column in year_columns}
    if (
        any(record.get(column, "") for _, column in year_columns)
        and first is not None
        and last is not None
    ):
        outside = [y for y, v in given.items() if v and not first <= y <= last]
        if outside:
            problem(f"homes_{outside[0]}", f"homes in {outside[0]}, outside {first}-{last}")
        by_year = [given.get(y) or 0 for y in range(first, last + 1)]
        if homes is not None and sum(by_year) != homes:
            problem("homes", f"the yearly columns add up to {sum(by_year)}, not {homes}")
    area_ids = tuple(a.strip() for a in record.get("area_ids", "").split(";") if a.strip())
    for area in area_ids:
        if area not in known_areas:
            problem("area_ids", f"unknown area {area!r}")
    precondition_ids = tuple(
        p.strip() for p in record.get("precondition_ids", "").split(";") if p.strip()
    )
    for precondition in precondition_ids:
        if precondition not in known_preconditions:
            problem("precondition_ids", f"unknown precondition {precondition!r}")
    if len(problems) > before:
        return None
    assert gemeente_id and homes is not None and status and first is not None and last is not None
    return PlanRow(
        id=plan_id,
        name=plan_name,
        gemeente_id=gemeente_id,
        homes=homes,
        social_rent_homes=segments["social_rent"],
        mid_rent_homes=segments["mid_rent"],
        affordable_buy_homes=segments["affordable_buy"],
        planstatus=status,
        first_year=first,
        last_year=last,
        homes_by_year=by_year,
        area_ids=area_ids,
        precondition_ids=precondition_ids,
    )
