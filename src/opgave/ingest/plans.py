"""Plan lists (CSV or Excel): read -> validate -> write in one transaction, keeping history.

Inputs: a file with one row per plan (columns in ``COLUMNS``), the capture date (peildatum)
of the list, and the known municipalities, areas and preconditions.
Outputs: the ``plan`` table as it stands after the list, ``plan_history`` with every
superseded version, ``plan_area`` / ``plan_precondition`` links, and a ``source`` row with
the file's name and checksum.
Derives: DiWi status codes from their labels, segment counts from shares, the current
municipality code of merged municipalities; a list is complete for the municipalities it
contains, so their plans missing from it are dropped as of the capture date (unless
``partial``).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opgave.exchange import Problem
from opgave.ingest import checksum as checksum
from opgave.model import (
    PLAN_FIELDS,
    PLANSTATUS,
    Plan,
    PlanArea,
    PlanGeometry,
    PlanHistory,
    PlanPrecondition,
    Source,
)

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
PROGRESS_EVERY = 1000
"""``apply_plan_list`` reports its progress after every this many plans."""


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
    geometry_json: str | None = None
    """The plan's outline or point as GeoJSON text in WGS84 (GIS registers), else None."""

    def fields(self) -> dict[str, Any]:
        """The plan's versioned fields (those kept in history)."""
        return {name: getattr(self, name) for name in PLAN_FIELDS}


@dataclass
class PlanImportReport:
    """What an import did, plan ids per outcome."""

    source_id: str
    captured: dt.date
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        """Plans added, changed or dropped."""
        return len(self.added) + len(self.changed) + len(self.dropped)


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


def apply_plan_list(
    session: Session,
    rows: Sequence[PlanRow],
    *,
    source: Source,
    captured: dt.date,
    partial: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> PlanImportReport:
    """Write a checked list as the state on ``captured``; earlier versions go to history.

    A plan absent from the list is dropped when its municipality is in the list (unless
    ``partial``). Lists must come in date order: a capture date before the latest one
    already imported is refused. ``progress(plans done, plans listed)`` is called every
    ``PROGRESS_EVERY`` plans and once at the end (for a background job's progress bar).
    """
    latest = session.scalar(select(Plan.valid_from).order_by(Plan.valid_from.desc()).limit(1))
    latest_drop = session.scalar(select(Plan.dropped_on).order_by(Plan.dropped_on.desc()).limit(1))
    newest = max((d for d in (latest, latest_drop) if d is not None), default=None)
    if newest is not None and captured < newest:
        raise PlanListError(
            [
                Problem(
                    source.title,
                    None,
                    None,
                    f"capture date {captured} is before the latest "
                    f"plan list already imported ({newest}); import lists in date order",
                )
            ]
        )
    if session.get(Source, source.id) is None:
        session.add(source)
    report = PlanImportReport(source_id=source.id, captured=captured)
    existing = {p.id: p for p in session.scalars(select(Plan))}
    for done, row in enumerate(rows):
        if progress is not None and done and done % PROGRESS_EVERY == 0:
            progress(done, len(rows))
        plan = existing.get(row.id)
        if plan is None:
            session.add(Plan(id=row.id, source_id=source.id, valid_from=captured, **row.fields()))
            report.added.append(row.id)
        elif plan.dropped_on is None and all(
            getattr(plan, k) == v for k, v in row.fields().items()
        ):
            report.unchanged.append(row.id)
        else:
            returning = plan.dropped_on is not None
            if not returning:
                session.add(_history(plan, captured))
            for key, value in row.fields().items():
                setattr(plan, key, value)
            plan.valid_from, plan.dropped_on, plan.source_id = captured, None, source.id
            (report.added if returning else report.changed).append(row.id)
    if not partial:
        listed = {row.id for row in rows}
        scope = {row.gemeente_id for row in rows}
        for plan in existing.values():
            if plan.id not in listed and plan.gemeente_id in scope and plan.dropped_on is None:
                session.add(_history(plan, captured))
                plan.dropped_on = captured
                report.dropped.append(plan.id)
    session.flush()
    _replace_links(session, rows)
    _replace_geometries(session, rows, source.id)
    session.flush()
    if progress is not None:
        progress(len(rows), len(rows))
    return report


def _history(plan: Plan, until: dt.date) -> PlanHistory:
    """The plan's current version, closed on ``until``."""
    return PlanHistory(
        plan_id=plan.id,
        valid_from=plan.valid_from,
        valid_to=until,
        source_id=plan.source_id,
        **{k: getattr(plan, k) for k in PLAN_FIELDS},
    )


def correct(
    session: Session, plan: Plan, changes: Mapping[str, Any], *, source_id: str, on: dt.date
) -> None:
    """Change fields of a plan by hand (a correction), keeping the old version in history."""
    if plan.valid_from != on:
        session.add(_history(plan, on))
    for key, value in changes.items():
        setattr(plan, key, value)
    plan.valid_from, plan.source_id = on, source_id


def _replace_links(session: Session, rows: Sequence[PlanRow]) -> None:
    """Set each listed plan's areas and preconditions to those of the list."""
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        session.execute(delete(PlanArea).where(PlanArea.plan_id.in_(chunk)))
        session.execute(delete(PlanPrecondition).where(PlanPrecondition.plan_id.in_(chunk)))
    session.add_all(PlanArea(plan_id=r.id, area_id=a) for r in rows for a in r.area_ids)
    session.add_all(
        PlanPrecondition(plan_id=r.id, precondition_id=p) for r in rows for p in r.precondition_ids
    )


def _replace_geometries(session: Session, rows: Sequence[PlanRow], source_id: str) -> None:
    """Keep the geometry of each listed plan that has one (GIS registers) for the map."""
    shaped = [r for r in rows if r.geometry_json is not None]
    if not shaped:
        return
    ids = [r.id for r in shaped]
    for start in range(0, len(ids), 900):
        session.execute(
            delete(PlanGeometry).where(PlanGeometry.plan_id.in_(ids[start : start + 900]))
        )
    session.add_all(
        PlanGeometry(plan_id=r.id, geometry_json=r.geometry_json, source_id=source_id)
        for r in shaped
    )


def plans_as_of(
    current: Sequence[Mapping[str, Any]], history: Sequence[Mapping[str, Any]], date: dt.date | None
) -> dict[str, dict[str, Any]]:
    """The plans as they were known on ``date`` (None: now), by id, from plan and history rows."""
    state: dict[str, dict[str, Any]] = {}
    for plan in current:
        if plan["dropped_on"] is None and (
            date is None or plan["valid_from"] is None or plan["valid_from"] <= date
        ):
            state[plan["id"]] = {k: plan[k] for k in ("id", *PLAN_FIELDS)}
    if date is not None:
        for version in history:
            if (version["valid_from"] is None or version["valid_from"] <= date) and date < version[
                "valid_to"
            ]:
                state[version["plan_id"]] = {
                    "id": version["plan_id"],
                    **{k: version[k] for k in PLAN_FIELDS},
                }
    return state


@dataclass(frozen=True)
class Comparison:
    """What changed in the pipeline between two capture dates."""

    added: list[str]
    dropped: list[str]
    changed: dict[str, dict[str, tuple[Any, Any]]]
    delayed: list[str]
    reclassified: list[str]


def compare(
    before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
) -> Comparison:
    """Plans added, dropped and changed (with old and new values); delayed = a later first or
    last year; reclassified = another planstatus."""
    changed = {
        pid: {
            k: (before[pid][k], after[pid][k])
            for k in PLAN_FIELDS
            if before[pid][k] != after[pid][k]
        }
        for pid in sorted(set(before) & set(after))
    }
    changed = {pid: diff for pid, diff in changed.items() if diff}
    return Comparison(
        added=sorted(set(after) - set(before)),
        dropped=sorted(set(before) - set(after)),
        changed=changed,
        delayed=[
            pid
            for pid, diff in changed.items()
            if any(k in diff and diff[k][1] > diff[k][0] for k in ("first_year", "last_year"))
        ],
        reclassified=[pid for pid, diff in changed.items() if "planstatus" in diff],
    )
