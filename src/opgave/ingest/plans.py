"""Plan lists (CSV, Excel or GIS, in opgave's format or through a mapping profile): read and
validate; the service layer writes them with history.

Inputs: a file with one row per plan and the known municipalities, areas and preconditions.
Outputs: checked :class:`PlanRow` records (and the import report), or
:class:`PlanListError` naming every problem by file, row and column. The write (upsert by
plan id, history, drops, geometries) is :func:`opgave.service.pipeline.write_plans`.
Derives: DiWi status codes from their labels, segment counts from shares, the current
municipality code of merged municipalities (see :mod:`opgave.ingest.register`).
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import datetime as dt
import itertools
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


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One validated plan of a list (slots: a 50 MB list holds about a million)."""

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
    geometry_wkb: bytes | None = None
    """The plan's outline or point as WKB in RD New (GIS registers), else None; the map's
    GeoJSON is made from it when asked (:func:`opgave.plan_geometry.geojson`)."""

    def fields(self) -> dict[str, Any]:
        """The plan's versioned fields (those kept in history)."""
        return {name: getattr(self, name) for name in PLAN_FIELDS}

    @classmethod
    def from_columns(cls, columns: Sequence[Sequence[Any]]) -> list[PlanRow]:
        """Many rows from one value list per field (in field order): each field set for
        every row by its slot in one C-level pass - the generated frozen ``__init__``
        sets fields one call at a time, a third of a 200,000-plan import."""
        names = [f.name for f in dataclasses.fields(cls)]
        if len(columns) != len(names):
            raise ValueError(f"expected {len(names)} columns, got {len(columns)}")
        count = len(columns[0])
        rows: list[PlanRow] = list(map(object.__new__, itertools.repeat(cls, count)))
        for name, values in zip(names, columns, strict=True):
            if len(values) != count:
                raise ValueError(f"column {name} has {len(values)} values, not {count}")
            collections.deque(map(cls.__dict__[name].__set__, rows, values), maxlen=0)
        return rows


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
    profile: str | Path = "opgave",
    captured: dt.date | None = None,
    area_polygons: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> list[PlanRow]:
    """Read and check a plan list; raise :class:`PlanListError` listing every problem.

    ``gemeenten`` maps each known municipality code to its current code (a merged
    municipality maps to the one it merged into). The file is read through a mapping
    profile (default: opgave's own format); see :mod:`opgave.ingest.register`, which also
    gives the import report.
    """
    reading = read_plan_register(
        path,
        gemeenten=gemeenten,
        areas=areas,
        preconditions=preconditions,
        profile=profile,
        captured=captured,
        area_polygons=area_polygons,
        name=name,
    )
    return list(reading.rows)


def read_plan_register(
    path: Path,
    *,
    gemeenten: Mapping[str, str],
    areas: Iterable[str] = (),
    preconditions: Iterable[str] = (),
    profile: str | Path = "opgave",
    captured: dt.date | None = None,
    area_polygons: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> Any:
    """:func:`read_plan_list` with the import report: a ``register.PlanReading``."""
    from opgave.ingest import profiles, register

    try:
        chosen = profiles.load_profile(profile)
    except profiles.ProfileError as error:
        raise PlanListError(error.problems) from None
    context = register.Context(
        gemeenten=gemeenten,
        areas=set(areas),
        preconditions=set(preconditions),
        captured=captured,
        area_polygons=area_polygons or {},
    )
    return register.read_plans(path, chosen, context, name=name)
