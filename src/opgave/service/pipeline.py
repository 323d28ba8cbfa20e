"""Writes of the pipeline and of realised figures: plan lists (with their history), CBS and BAG
figures, the synthetic demo, manual corrections; and the reads that need the plans' history.

Inputs: the service, the principal who writes, and a file (path or uploaded bytes) or a
download. Outputs: import reports; the database after one transaction per call (all or
nothing). Derives: which plans are added, changed, unchanged or dropped on a capture date;
whether the writer may place each record where the file puts it - on the old and the new
value of every placing field (municipality, area links, precondition links), decided by
:mod:`opgave.access`; one audit event per import (its diff: the plans per outcome).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from opgave import monitor, programme, review
from opgave.access import Placement, Principal
from opgave.ingest import cbs, file_source, gemeente_codes, geo, network
from opgave.ingest import plans as plan_lists
from opgave.model import (
    Area,
    AreaCodeChange,
    Plan,
    PlanArea,
    PlanGeometry,
    PlanHistory,
    PlanPrecondition,
    Precondition,
    Realisation,
    Source,
    table_of,
)
from opgave.service import Service, authority, users
from opgave.service.errors import ServiceError
from opgave.service.loading import rows
from opgave.vocabulary import PLAN_FIELDS

CBS_TABLE = cbs.DEFAULT_TABLE
"""The CBS table ``opgave ingest cbs`` reads by default."""
PLAN_LIST_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
Progress = Callable[[float, str], None]


@dataclass
class PlanImportReport:
    """What an import did, plan ids per outcome."""

    source_id: str
    captured: dt.date
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    changes: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    synthetic: bool = False
    reading: str = ""
    """How the file was read (the import report's summary: rows, plans, problems, notes)."""

    @property
    def writes(self) -> int:
        """Plans added, changed or dropped."""
        return len(self.added) + len(self.changed) + len(self.dropped)


def _problems(error: plan_lists.PlanListError) -> list[dict[str, Any]]:
    return [asdict(p) for p in error.problems]


# ---------------------------------------------------------------- plan lists: the history


PLAN = table_of(Plan)
HISTORY = table_of(PlanHistory)
PLAN_AREA = table_of(PlanArea)
PLAN_PRECONDITION = table_of(PlanPrecondition)
GEOMETRY = table_of(PlanGeometry)
BATCH = 20_000
"""Rows per bulk statement: a large list is written in a few statements of bounded size."""


class _Batch:
    """Rows for one bulk statement, executed every :data:`BATCH` rows (bounded memory)."""

    def __init__(self, session: Session, statement: Any) -> None:
        self.session = session
        self.statement = statement
        self.rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.session.execute(self.statement, self.rows)
            self.rows = []


@dataclass
class _Current:
    """What the database holds now about the plans a list may touch (read in bulk)."""

    plans: dict[str, dict[str, Any]]
    areas: dict[str, set[str]]
    preconditions: dict[str, set[str]]


def _latest_capture(session: Session) -> dt.date | None:
    latest = session.scalar(select(func.max(Plan.valid_from)))
    latest_drop = session.scalar(select(func.max(Plan.dropped_on)))
    return max((d for d in (latest, latest_drop) if d is not None), default=None)


def _check_order(session: Session, captured: dt.date, title: str) -> None:
    """Refuse a capture date before the latest list already imported (lists in date order)."""
    newest = _latest_capture(session)
    if newest is not None and captured < newest:
        raise ServiceError(
            422,
            f"capture date {captured} is before the latest plan list already imported "
            f"({newest}); import lists in date order",
            problems=[{"file": title, "field": "date", "message": "out of date order"}],
        )


def _current(session: Session) -> _Current:
    """Every plan (its versioned fields, validity and version) and every plan's links, in
    three queries - a 200,000-plan database is read in well under a second."""
    columns = [PLAN.c[k] for k in ("id", *PLAN_FIELDS, "valid_from", "dropped_on", "source_id",
                                   "version")]  # fmt: skip
    plans = {r["id"]: dict(r) for r in session.execute(select(*columns)).mappings()}
    areas: dict[str, set[str]] = {}
    for pid, area in session.execute(select(PLAN_AREA.c.plan_id, PLAN_AREA.c.area_id)):
        areas.setdefault(pid, set()).add(area)
    preconditions: dict[str, set[str]] = {}
    for pid, pre in session.execute(
        select(PLAN_PRECONDITION.c.plan_id, PLAN_PRECONDITION.c.precondition_id)
    ):
        preconditions.setdefault(pid, set()).add(pre)
    return _Current(plans, areas, preconditions)


def _dropping(
    current: _Current, plan_rows: Sequence[plan_lists.PlanRow], partial: bool
) -> list[str]:
    """The plans a list drops: current plans of its municipalities it does not list."""
    if partial:
        return []
    listed = {row.id for row in plan_rows}
    scope = {row.gemeente_id for row in plan_rows}
    return [
        pid
        for pid, plan in current.plans.items()
        if pid not in listed and plan["gemeente_id"] in scope and plan["dropped_on"] is None
    ]


def _history_row(plan: Mapping[str, Any], until: dt.date) -> dict[str, Any]:
    """The plan's current version, closed on ``until`` (a ``plan_history`` row)."""
    return {
        "plan_id": plan["id"],
        "valid_from": plan["valid_from"],
        "valid_to": until,
        "source_id": plan["source_id"],
        **{k: plan[k] for k in PLAN_FIELDS},
    }


def apply_plan_list(
    session: Session,
    plan_rows: Sequence[plan_lists.PlanRow],
    *,
    source: Source,
    captured: dt.date,
    partial: bool = False,
    progress: Callable[[int, int], None] | None = None,
    current: _Current | None = None,
) -> PlanImportReport:
    """Write a checked list as the state on ``captured``; earlier versions go to history.

    A plan absent from the list is dropped when its municipality is in the list (unless
    ``partial``). Lists must come in date order: a capture date before the latest one
    already imported is refused. Written in bulk (one statement per table and kind of
    change), so that a 200,000-plan list holds the write lock for seconds, not minutes.
    ``progress(plans done, plans listed)`` is called as the stages go by and at the end.
    """
    _check_order(session, captured, source.title)
    if session.get(Source, source.id) is None:
        session.add(source)
        session.flush()
    report = PlanImportReport(
        source_id=source.id, captured=captured, synthetic=source.confidence == "synthetic"
    )
    total = len(plan_rows)
    tell = progress or (lambda _done, _total: None)
    current = current or _current(session)
    history = _Batch(session, insert(HISTORY))
    added = _Batch(session, insert(PLAN))
    updated = _Batch(
        session,
        update(PLAN).where(PLAN.c.id == bindparam("b_id")).values(version=PLAN.c.version + 1),
    )
    for done, row in enumerate(plan_rows, start=1):
        fields = row.fields()
        plan = current.plans.get(row.id)
        if plan is None:
            added.add({"id": row.id, "source_id": source.id, "valid_from": captured,
                       "dropped_on": None, "version": 1, **fields})  # fmt: skip
            report.added.append(row.id)
        elif plan["dropped_on"] is None and all(plan[k] == v for k, v in fields.items()):
            report.unchanged.append(row.id)
        else:
            returning = plan["dropped_on"] is not None
            if not returning:
                history.add(_history_row(plan, captured))
                report.changes[row.id] = {
                    k: [plan[k], v] for k, v in fields.items() if plan[k] != v
                }
            updated.add({"b_id": row.id, "source_id": source.id, "valid_from": captured,
                         "dropped_on": None, **fields})  # fmt: skip
            (report.added if returning else report.changed).append(row.id)
        if done % BATCH == 0:
            tell(done // 2, total)
    dropped = _dropping(current, plan_rows, partial)
    for pid in dropped:
        history.add(_history_row(current.plans[pid], captured))
    report.dropped = dropped
    for batch in (history, added, updated):
        batch.flush()
    tell(total // 2, total)
    if dropped:
        session.execute(
            update(PLAN)
            .where(PLAN.c.id == bindparam("b_id"))
            .values(dropped_on=captured, version=PLAN.c.version + 1),
            [{"b_id": pid} for pid in dropped],
        )
    tell(3 * total // 4, total)
    _replace_links(session, plan_rows, current)
    _replace_geometries(session, plan_rows, source.id)
    session.expire_all()  # the ORM's copies of plans (if any) are stale now
    tell(total, total)
    return report


def correct(
    session: Session, plan: Plan, changes: Mapping[str, Any], *, source_id: str, on: dt.date
) -> None:
    """Change fields of a plan by hand (a correction), keeping the old version in history."""
    if plan.valid_from != on:
        session.add(PlanHistory(**_history_row(plan.to_dict(), on)))
    for key, value in changes.items():
        setattr(plan, key, value)
    plan.valid_from, plan.source_id = on, source_id


def _replace_links(
    session: Session, plan_rows: Sequence[plan_lists.PlanRow], current: _Current
) -> None:
    """Set each listed plan's areas and preconditions to those of the list (only the plans
    whose links differ are rewritten)."""
    for table, column, old, new in (
        (PLAN_AREA, "area_id", current.areas, {r.id: set(r.area_ids) for r in plan_rows}),
        (PLAN_PRECONDITION, "precondition_id", current.preconditions,
         {r.id: set(r.precondition_ids) for r in plan_rows}),
    ):  # fmt: skip
        changed = [pid for pid, links in new.items() if links != old.get(pid, set())]
        gone = [pid for pid in changed if old.get(pid)]
        if gone:
            session.execute(
                delete(table).where(table.c.plan_id == bindparam("b_id")),
                [{"b_id": pid} for pid in gone],
            )
        links = [{"plan_id": pid, column: link} for pid in changed for link in sorted(new[pid])]
        if links:
            session.execute(insert(table), links)


def _replace_geometries(
    session: Session, plan_rows: Sequence[plan_lists.PlanRow], source_id: str
) -> None:
    """Keep the geometry of each listed plan that has one (GIS registers) for the map."""
    shaped = [r for r in plan_rows if r.geometry_json is not None]
    if not shaped:
        return
    session.execute(
        delete(GEOMETRY).where(GEOMETRY.c.plan_id == bindparam("b_id")),
        [{"b_id": r.id} for r in shaped],
    )
    session.execute(
        insert(GEOMETRY),
        [{"plan_id": r.id, "geometry_json": r.geometry_json, "source_id": source_id}
         for r in shaped],
    )  # fmt: skip


# ---------------------------------------------------------------- plan lists: importing


def placements(
    session: Session,
    plan_rows: Sequence[plan_lists.PlanRow],
    current: _Current,
    dropped: Sequence[str],
) -> list[Placement]:
    """Every placing field of every plan a list touches, as the file has it (new) and as
    the database has it now (old): the municipality, the linked areas and the areas of the
    linked preconditions - also of the plans it drops (dropping a plan linked to another
    region's area lowers that region's capacity)."""
    precondition_area = dict(session.execute(select(Precondition.id, Precondition.area_id)).all())
    found: list[Placement] = []

    def place(pid: str, when: str, gemeente: str, areas: Iterable[str],
              preconditions: Iterable[str]) -> None:  # fmt: skip
        record = f"plan {pid}"
        found.append(Placement("gemeente_code", gemeente, record, when))
        found.extend(Placement("area_ids", a, record, when) for a in sorted(areas))
        found.extend(
            Placement("precondition_ids", precondition_area.get(p) or p, record, when)
            for p in sorted(preconditions)
        )

    for r in plan_rows:
        place(r.id, "new", r.gemeente_id, r.area_ids, r.precondition_ids)
    for pid in [*(r.id for r in plan_rows), *dropped]:
        old = current.plans.get(pid)
        if old is not None:
            place(pid, "old", old["gemeente_id"], current.areas.get(pid, ()),
                  current.preconditions.get(pid, ()))  # fmt: skip
    return found


def _read_context(svc: Service) -> dict[str, Any]:
    """What a plan list is checked against (municipality codes, area and precondition ids,
    large-scale area outlines), read before the file and outside any write."""
    with svc.reading() as session:
        return {
            "gemeenten": gemeente_codes(session),
            "areas": session.scalars(select(Area.id)).all(),
            "preconditions": session.scalars(select(Precondition.id)).all(),
            "area_polygons": geo.area_polygons(session),
            "latest": _latest_capture(session),
            "synthetic_plans": set(
                session.scalars(
                    select(Plan.id)
                    .join(Source, Plan.source_id == Source.id)
                    .where(Source.confidence == "synthetic")
                )
            ),
        }


def import_plans(
    svc: Service,
    principal: Principal,
    path: Path,
    *,
    captured: dt.date,
    partial: bool = False,
    name: str | None = None,
    progress: Progress | None = None,
    source_note: str | None = None,
    mapping: str | Path = "opgave",
    report_path: Path | None = None,
    on_written: Callable[[Session, PlanImportReport], None] | None = None,
) -> PlanImportReport:
    """Read (through the mapping profile: opgave's format, a shipped profile or a TOML
    file), validate and write a plan list, in stages it reports to ``progress(0-1,
    stage)``: ``reading`` (every row checked, outside any write transaction), ``validating``
    and ``writing`` (one transaction: the writer's areas on the old and new placements, then
    the plans in bulk). Refuses with every problem (422 per row, 403 outside the writer's
    areas) and then writes nothing; audited as one event listing the plans per outcome.
    ``report_path`` receives the import report (HTML or CSV), also when the file is refused.
    ``on_written(session, report)`` runs inside the write transaction (a job records its
    outcome there, so that the import and its job's state are committed together)."""
    report_progress = progress or (lambda _share, _stage: None)
    name = name or path.name
    authority.require(principal, "plans.import")
    if not path.exists():
        raise ServiceError(404, f"{path}: no such file")
    report_progress(0.02, "reading")
    context = _read_context(svc)
    if context["latest"] is not None and captured < context["latest"]:
        raise ServiceError(
            422,
            f"capture date {captured} is before the latest plan list already imported "
            f"({context['latest']}); import lists in date order",
            problems=[{"file": name, "field": "date", "message": "out of date order"}],
        )
    try:
        reading = plan_lists.read_plan_register(
            path,
            gemeenten=context["gemeenten"],
            areas=context["areas"],
            preconditions=context["preconditions"],
            profile=mapping,
            captured=captured,
            area_polygons=context["area_polygons"],
            name=name,
        )
        plan_rows = reading.rows
        if report_path is not None:
            reading.report.write(report_path)
    except plan_lists.PlanListError as error:
        failed = getattr(error, "report", None)
        if failed is not None and report_path is not None:
            failed.write(report_path)
        raise ServiceError(
            422,
            f"{len(error.problems)} problem(s) in the plan list, nothing written",
            problems=_problems(error),
        ) from None
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, KeyError, OSError) as error:
        raise _unreadable(name, error) from None
    # a list that changes plans resting on synthetic data (a later version of the demo's
    # plans) is synthetic too: no synthetic plan turns real by an import
    synthetic = any(row.id in context["synthetic_plans"] for row in plan_rows)
    source = Source(
        **file_source(
            path,
            "plans",
            f"Plan list {name} ({len(plan_rows)} plans), captured {captured}"
            + (f", {source_note}" if source_note else "")
            + (", SYNTHETIC: a later version of synthetic plans" if synthetic else ""),
            retrieved=captured,
            title=name,
            confidence="synthetic" if synthetic else "official",
        )
    )
    del context
    summary = reading.report.summary()

    def new_report() -> PlanImportReport:
        return PlanImportReport(
            source_id=source.id,
            captured=captured,
            synthetic=source.confidence == "synthetic",
            reading=summary,
        )

    def finish(session: Session, report: PlanImportReport) -> None:
        _audit_import(session, principal, report)
        if on_written is not None:
            on_written(session, report)

    from opgave.service import plan_staging

    report: PlanImportReport = plan_staging.write(
        svc, principal, plan_rows, source=source, captured=captured, partial=partial,
        name=name, new_report=new_report, progress=report_progress, finish=finish,
    )  # fmt: skip
    return report


def _audit_import(session: Session, principal: Principal, report: PlanImportReport) -> None:
    users.record(
        session,
        principal,
        "upload",
        "plan",
        report.source_id,
        None,
        {
            "captured": report.captured,
            "added": report.added,
            "changed": report.changed,
            "dropped": report.dropped,
            "unchanged": len(report.unchanged),
            "changes": report.changes,
        },
    )


def check_upload(filename: str | None, content: bytes, what: str = "plan list") -> str:
    """The name to use for an uploaded file, after checking its suffix, its size and that it
    is text (in any encoding the reader detects) or a workbook at all (a 422 naming the file
    otherwise), so that a job need not be started for such a file."""
    name = Path(filename or "upload.csv").name or "upload.csv"
    suffix = Path(name).suffix.lower()
    if suffix not in PLAN_LIST_SUFFIXES:
        raise ServiceError(
            422,
            f"the {what} is not a .csv or .xlsx file",
            problems=[{"file": name, "message": "expected a .csv or .xlsx file"}],
        )
    if len(content) > MAX_UPLOAD_BYTES:
        raise ServiceError(422, f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    try:
        if suffix in (".xlsx", ".xlsm"):
            zipfile.ZipFile(io.BytesIO(content)).close()
        elif b"\x00" in content[:65536] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ValueError("a binary file, not CSV text")  # any text encoding is read later
    except (ValueError, zipfile.BadZipFile) as error:
        raise _unreadable(name, error) from None
    return name


def _unreadable(name: str, error: Exception) -> ServiceError:
    return ServiceError(
        422,
        "the file cannot be read as a plan list",
        problems=[{"file": name, "message": f"not a readable CSV or Excel file: {error}"}],
    )


def import_upload(
    svc: Service,
    principal: Principal,
    filename: str | None,
    content: bytes,
    *,
    captured: dt.date,
    partial: bool = False,
    progress: Progress | None = None,
    on_written: Callable[[Session, PlanImportReport], None] | None = None,
) -> PlanImportReport:
    """:func:`import_plans` for an uploaded file (the API and the dashboard)."""
    name = check_upload(filename, content)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        return import_plans(
            svc, principal, path, captured=captured, partial=partial, name=name,
            progress=progress, source_note=f"uploaded by {principal.name}",
            on_written=on_written,
        )  # fmt: skip


def plan_detail(svc: Service, plan_id: str) -> dict[str, Any]:
    """One plan (also a dropped one) with the areas it lies in and its earlier versions."""
    with svc.engine.connect() as connection:
        found = rows(connection, Plan, Plan.id == plan_id)
        if not found:
            raise ServiceError(404, f"unknown plan {plan_id!r}")
        links = rows(connection, PlanArea, PlanArea.plan_id == plan_id)
        history = rows(connection, PlanHistory, PlanHistory.plan_id == plan_id)
    plan = found[0]
    return {
        "plan": {**plan, "synthetic": svc.state().is_synthetic(plan["source_id"])},
        "area_ids": sorted(link["area_id"] for link in links),
        "history": history,
    }


def flags(svc: Service, on: dt.date) -> list[review.Flag]:
    """Plans to review on a date: stalled and duplicates."""
    with svc.engine.connect() as connection:
        return review.flags(rows(connection, Plan), rows(connection, PlanHistory), on)


def apply_corrections(
    svc: Service, principal: Principal, path: Path, today: dt.date
) -> list[review.LedgerEntry]:
    """Apply a corrections file: each only where the field still holds ``old_value``; every
    change keeps the old version in history and is audited."""
    authority.require(principal, "plans.correct")
    if not path.exists():
        raise ServiceError(404, f"{path}: no such file")
    try:
        corrections = review.read_corrections(path)
    except plan_lists.PlanListError as error:
        raise ServiceError(
            422, f"{len(error.problems)} problem(s) in {path.name}", problems=_problems(error)
        ) from None
    with svc.writing() as session:
        plans = {p.id: p.to_dict() for p in session.scalars(select(Plan))}
        entries = review.ledger(corrections, plans)
        applied = [e for e in entries if e.applied]
        if principal.role != "admin":
            current = _current(session)
            touched = sorted({e.plan_id for e in applied})
            found = placements(session, [], current, touched)  # where each plan lies now
            found += [
                Placement(
                    "gemeente_id",
                    str(review.parse_value(e.field, e.new_value)),
                    f"plan {e.plan_id}",
                )
                for e in applied
                if e.field == "gemeente_id"
            ]
            authority.authorise(session, principal, "plans.correct", found, file=path.name)
        source = Source(
            **file_source(path, "corrections", f"Manual corrections {path.name}", retrieved=today)
        )
        if any(e.applied for e in entries) and session.get(Source, source.id) is None:
            session.add(source)
        for entry in entries:
            if entry.applied:
                plan = session.get(Plan, entry.plan_id)
                assert plan is not None
                value = review.parse_value(entry.field, entry.new_value)
                before = {entry.field: getattr(plan, entry.field)}
                correct(session, plan, {entry.field: value}, source_id=source.id, on=today)
                users.record(
                    session, principal, "update", "plan", plan.id, before,
                    {entry.field: value, "source_id": source.id},
                )  # fmt: skip
    return entries


# ---------------------------------------------------------------- realised figures


@dataclass(frozen=True)
class FiguresReport:
    """What an ingest of realised figures wrote."""

    source_id: str
    figures: int
    inserted: int
    updated: int
    areas: int
    unknown_codes: list[str]
    synthetic: bool


def _merged(session: Session) -> dict[str, str]:
    return {
        c.old_code: c.new_code
        for c in session.scalars(select(AreaCodeChange))
        if c.kind == "merged"
    }


def _write_figures(
    session: Session,
    principal: Principal,
    source: Mapping[str, Any],
    figures: Sequence[Mapping[str, Any]],
    unknown: Sequence[str] = (),
) -> FiguresReport:
    authority.authorise(session, principal, "realisations.ingest")
    counts = programme.LoadReport()
    programme.upsert(session, Source, [dict(source)], counts)
    programme.upsert(session, Realisation, [dict(f) for f in figures], counts)
    report = FiguresReport(
        source_id=str(source["id"]),
        figures=len(figures),
        inserted=counts.inserted.get("realisation", 0),
        updated=counts.updated.get("realisation", 0),
        areas=len({f["area_id"] for f in figures}),
        unknown_codes=sorted(unknown),
        synthetic=source.get("confidence") == "synthetic",
    )
    users.record(session, principal, "upload", "realisation", report.source_id, None,
                 asdict(report))  # fmt: skip
    return report


def ingest_cbs(
    svc: Service,
    principal: Principal,
    table: str,
    years: Sequence[int],
    *,
    catalog_url: str | None = None,
    use_https: bool = True,
) -> FiguresReport:
    """Download a CBS table (online; ``catalog_url`` for a mirror) and store it as realised
    figures under its source."""
    authority.require(principal, "realisations.ingest")
    try:
        raw = cbs.fetch(table, years, catalog_url=catalog_url, use_https=use_https)
    except Exception as error:  # network, HTTP or JSON errors from cbsodata/requests
        why = network.problem(error, catalog_url or "opendata.cbs.nl")
        raise ServiceError(
            502, f"could not download CBS table {table}: {why}; nothing written"
        ) from None
    with svc.writing() as session:
        code_map = {
            a: a for a in session.scalars(select(Area.id).where(Area.kind == "municipality"))
        }
        code_map.update(_merged(session))
        try:
            figures = cbs.derive(table, raw, code_map, years)
        except cbs.CbsError as error:
            raise ServiceError(422, str(error)) from None
        source = cbs.source_record(figures, dt.date.today())
        return _write_figures(
            session,
            principal,
            source,
            [{**r, "source_id": source["id"]} for r in figures.rows],
            figures.unknown_regions,
        )


# ---------------------------------------------------------------- the synthetic demo


def _demo_weights(svc: Service) -> tuple[dict[str, float], float]:
    """The demo's weight per municipality of today (kind municipality, not merged away), from
    its province's target, the letter's named municipalities more; and the homes the demo
    pipeline holds (``demo.PIPELINE_RATIO`` times what remains of the national task)."""
    from opgave import demo

    state = svc.state()
    year = dt.date.today().year
    current = {
        a["id"]
        for a in state.areas
        if a["kind"] == "municipality" and (a["valid_to"] is None or a["valid_to"] >= year)
    }
    gemeenten = sorted(
        (m["child_id"], m["parent_id"])
        for m in state.members
        if m["child_id"] in current and state.kinds.get(m["parent_id"]) == "province"
    )
    province_targets = {
        t["area_id"]: t["value_min"]
        for t in state.targets
        if state.kinds.get(t["area_id"]) == "province"
        and t["measure"] == "homes_built"
        and t["value_min"]
    }
    named = {
        g
        for r in state.areas
        if r["kind"] == "strategy_region"
        for g in state.municipalities(r["id"])
    }
    national = monitor.headline(state, monitor.NATION)
    remaining = (
        national.progress.remaining_min
        if national.progress and national.progress.remaining_min is not None
        else (national.target or {}).get("value_min") or 0.0
    )
    weight = demo.weights(gemeenten, province_targets, named)
    return weight, demo.PIPELINE_RATIO * float(remaining)


def demo_plan_list(svc: Service, path: Path, seed: int, n_plans: int) -> int:
    """Write the demo's SYNTHETIC plans as a plan list (for benchmarks); returns how many."""
    from opgave import demo

    weight, total = _demo_weights(svc)
    plan_rows = demo.synthetic_plans(
        weight, n_plans=n_plans, seed=seed, total_homes=total, links=demo.DEMO_LINKS
    )
    demo.write_plan_list(path, plan_rows)
    return len(plan_rows)


@dataclass(frozen=True)
class DemoReport:
    """What ``opgave demo`` added (all of it synthetic)."""

    seed: int
    plans_added: int
    plans_unchanged: int
    realisations_added: int
    synthetic: bool = True


def load_demo(svc: Service, principal: Principal, seed: int, n_plans: int) -> DemoReport:
    """Add the seeded, labelled SYNTHETIC pipeline and municipal realised figures."""
    from opgave import demo

    weight, total = _demo_weights(svc)
    plan_rows = demo.synthetic_plans(
        weight, n_plans=n_plans, seed=seed, total_homes=total, links=demo.DEMO_LINKS
    )
    with svc.writing() as session:
        authority.authorise(session, principal, "realisations.ingest")
        source = Source(**demo.source_record(seed))
        existing = session.get(Source, source.id)
        # the seed is in the citation's first part (the rest is words that may change)
        if (
            existing is not None
            and existing.citation.split(":")[0] != source.citation.split(":")[0]
        ):
            raise ServiceError(
                409,
                f"demo data with another seed is loaded ({existing.citation}); "
                "start from a new database to change the seed",
            )
        report = apply_plan_list(
            session, plan_rows, source=source, captured=demo.CAPTURED, partial=True
        )
        _audit_import(session, principal, report)
        figures = demo.synthetic_realisations(weight, seed=seed, years=demo.YEARS)
        counts = programme.LoadReport()
        programme.upsert(session, Realisation, figures, counts)
        users.record(session, principal, "upload", "realisation", source.id, None,
                     {"figures": len(figures), "synthetic": True})  # fmt: skip
    return DemoReport(
        seed, len(report.added), len(report.unchanged), counts.inserted.get("realisation", 0)
    )
