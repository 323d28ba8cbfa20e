"""A plan list written in stages, so that the database's write lock is held for a second or
two even for 200,000 plans (logins, edits and other writers wait that long at most).

Inputs: the service, the checked plan rows of a list, its source and capture date, whether it
is partial, the principal. Outputs: the :class:`~opgave.service.pipeline.PlanImportReport`;
the database after one write transaction. Derives: what the list does to each plan (added,
changed, unchanged, returning, dropped), on a snapshot of the plans read without any lock.

How: on one connection, (1) the plans and their links are read (a read transaction) and the
outcome of every plan is worked out in Python; (2) the rows to write are put in temporary
tables (a transaction that writes only those: SQLite's write lock on the database stays
free, PostgreSQL locks nothing others use); (3) the write transaction takes the lock, checks
that the plans are as the snapshot had them (a fingerprint: count, versions, dates) - if
another write came in between, it starts again from (1) - and moves the rows with a few
set-based statements (INSERT ... SELECT, UPDATE ... FROM), then audits the import as one
event. A plan whose links change gets a new version too, so the fingerprint sees link
changes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from opgave.access import Placement, Principal
from opgave.ingest.plans import PlanRow
from opgave.model import (
    Plan,
    PlanArea,
    PlanGeometry,
    PlanHistory,
    PlanPrecondition,
    Precondition,
    Source,
)
from opgave.model import table_of as _table_of
from opgave.service import Service, authority, priority
from opgave.service.errors import ServiceError
from opgave.vocabulary import PLAN_FIELDS

PLAN = _table_of(Plan)
HISTORY = _table_of(PlanHistory)
PLAN_AREA = _table_of(PlanArea)
PLAN_PRECONDITION = _table_of(PlanPrecondition)
GEOMETRY = _table_of(PlanGeometry)
ROWS_PER_STATEMENT = 20_000
ATTEMPTS = 3
"""Times the snapshot is taken again when another write changed the plans in between."""


@dataclass
class Current:
    """What the database holds now about the plans a list may touch (read in bulk)."""

    plans: dict[str, dict[str, Any]]
    areas: dict[str, set[str]]
    preconditions: dict[str, set[str]]


def latest_capture(session: Session) -> dt.date | None:
    latest = session.scalar(select(func.max(PLAN.c.valid_from)))
    latest_drop = session.scalar(select(func.max(PLAN.c.dropped_on)))
    return max((d for d in (latest, latest_drop) if d is not None), default=None)


def check_order(session: Session, captured: dt.date, title: str) -> None:
    """Refuse a capture date before the latest list already imported (lists in date order)."""
    refuse_out_of_order(captured, latest_capture(session), title)


def refuse_out_of_order(captured: dt.date, latest: dt.date | None, title: str) -> None:
    """Refuse a capture date before ``latest``, the latest list's (an import checks it before
    reading a file, and again in its write transaction: :func:`check_order`)."""
    if latest is not None and captured < latest:
        raise ServiceError.refused(
            422,
            "out_of_date_order",
            captured=captured,
            latest=latest,
            problems=[
                {
                    "file": title,
                    "field": "date",
                    "message": f"out of date order: {captured} is before {latest}, the "
                    "latest list's date",
                }
            ],
        )


def current_plans(session: Session) -> Current:
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
    return Current(plans, areas, preconditions)


def dropping(current: Current, plan_rows: Sequence[PlanRow], partial: bool) -> list[str]:
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


def placements(
    session: Session,
    plan_rows: Sequence[PlanRow],
    current: Current,
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


_TEMP = MetaData()


def _stage_type(name: str) -> Any:
    if name in ("name", "homes_by_year"):
        return Text
    return String(32) if name in ("gemeente_id", "planstatus") else Integer


STAGE = Table(
    "opgave_stage_plan",
    _TEMP,
    Column("id", String(64), primary_key=True),
    Column("outcome", String(12), nullable=False),
    *(Column(name, _stage_type(name)) for name in PLAN_FIELDS),
    prefixes=["TEMPORARY"],
)
"""Every plan the list touches and what happens to it (added, changed, returning, dropped,
relinked: unchanged but with other links); the new fields (``homes_by_year`` as JSON text)."""
STAGE_AREA = Table(
    "opgave_stage_area",
    _TEMP,
    Column("plan_id", String(64)),
    Column("area_id", String(32)),
    prefixes=["TEMPORARY"],
)
STAGE_PRECONDITION = Table(
    "opgave_stage_precondition",
    _TEMP,
    Column("plan_id", String(64)),
    Column("precondition_id", String(64)),
    prefixes=["TEMPORARY"],
)
STAGE_GEOMETRY = Table(
    "opgave_stage_geometry",
    _TEMP,
    Column("plan_id", String(64)),
    Column("geometry_wkb", LargeBinary),
    prefixes=["TEMPORARY"],
)
RELINKED = ("added", "changed", "returning", "relinked")


class Snapshot:
    """The plans and links as one read transaction saw them, and its fingerprint."""

    def __init__(self, connection: Connection) -> None:
        with connection.begin():
            self.print = fingerprint(connection)
            self.current = current_plans(Session(bind=connection))


def fingerprint(connection: Connection | Session) -> tuple[Any, ...]:
    """What changes whenever any plan or plan link changes: the number of plans, the sum of
    their versions (every write adds one) and the latest capture and drop dates."""
    row = connection.execute(
        select(
            func.count(),
            func.coalesce(func.sum(PLAN.c.version), 0),
            func.max(PLAN.c.valid_from),
            func.max(PLAN.c.dropped_on),
        ).select_from(PLAN)
    ).one()
    return tuple(row)


def _marks(connection: Connection, count: int) -> str:
    style = connection.dialect.paramstyle
    mark = "?" if style == "qmark" else "%s"
    return ", ".join([mark] * count)


def _put(connection: Connection, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows into a temporary table through the driver (no per-row work by SQLAlchemy)."""
    if not rows:
        return
    names = ", ".join(c.name for c in table.columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({_marks(connection, len(table.columns))})"
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        connection.exec_driver_sql(sql, list(rows[start : start + ROWS_PER_STATEMENT]))


@contextmanager
def _staging(connection: Connection) -> Iterator[None]:
    """The temporary tables, empty, for this connection; dropped afterwards."""
    with connection.begin():
        _TEMP.drop_all(connection, checkfirst=True)
        _TEMP.create_all(connection)
    try:
        yield
    finally:
        if not connection.closed and not connection.invalidated:
            if connection.in_transaction():
                connection.rollback()
            with connection.begin():
                _TEMP.drop_all(connection, checkfirst=True)


def stage(
    connection: Connection,
    plan_rows: Sequence[PlanRow],
    snapshot: Snapshot,
    dropped: Sequence[str],
    report: Any,
) -> None:
    """Work out each plan's outcome against the snapshot (filling ``report``) and put the
    rows to write in the temporary tables."""
    plans = snapshot.current.plans
    staged: list[tuple[Any, ...]] = []
    areas: list[tuple[str, str]] = []
    preconditions: list[tuple[str, str]] = []
    geometries: list[tuple[str, bytes]] = []
    for row in plan_rows:
        fields = row.fields()
        plan = plans.get(row.id)
        new_areas, new_preconditions = set(row.area_ids), set(row.precondition_ids)
        relink = plan is None or (
            new_areas != snapshot.current.areas.get(row.id, set())
            or new_preconditions != snapshot.current.preconditions.get(row.id, set())
        )
        if plan is None:
            outcome = "added"
            report.added.append(row.id)
        elif plan["dropped_on"] is None and all(plan[k] == v for k, v in fields.items()):
            outcome = "relinked" if relink else "unchanged"
            report.unchanged.append(row.id)
        elif plan["dropped_on"] is not None:
            outcome = "returning"
            report.added.append(row.id)
        else:
            outcome = "changed"
            report.changed.append(row.id)
            report.changes[row.id] = {k: [plan[k], v] for k, v in fields.items() if plan[k] != v}
        if outcome != "unchanged":
            staged.append(
                (
                    row.id,
                    outcome,
                    *(
                        json.dumps(fields[k]) if k == "homes_by_year" and fields[k] is not None
                        else fields[k]
                        for k in PLAN_FIELDS
                    ),
                )
            )  # fmt: skip
        if relink:
            areas.extend((row.id, a) for a in sorted(new_areas))
            preconditions.extend((row.id, p) for p in sorted(new_preconditions))
        if row.geometry_wkb is not None:
            geometries.append((row.id, row.geometry_wkb))
    staged.extend((pid, "dropped", *([None] * len(PLAN_FIELDS))) for pid in dropped)
    report.dropped = list(dropped)
    with connection.begin():
        _put(connection, STAGE, staged)
        _put(connection, STAGE_AREA, areas)
        _put(connection, STAGE_PRECONDITION, preconditions)
        _put(connection, STAGE_GEOMETRY, geometries)


def _json_column(session: Session) -> Any:
    text = STAGE.c.homes_by_year
    if session.get_bind().dialect.name == "postgresql":
        return cast(text, JSON)
    return type_coerce(text, JSON)


def move(session: Session, source_id: str, captured: dt.date) -> None:
    """The staged rows into the tables, in a few set-based statements (under the lock)."""
    when = bindparam("captured", captured, type_=Date)
    ids = select(STAGE.c.id)
    fields = [c for c in PLAN_FIELDS if c != "homes_by_year"]
    session.execute(
        insert(HISTORY).from_select(
            ["plan_id", "valid_from", "valid_to", "source_id", *PLAN_FIELDS],
            select(
                PLAN.c.id, PLAN.c.valid_from, when, PLAN.c.source_id,
                *(PLAN.c[k] for k in PLAN_FIELDS),
            ).where(PLAN.c.id.in_(ids.where(STAGE.c.outcome.in_(("changed", "dropped"))))),
        )
    )  # fmt: skip
    session.execute(
        insert(PLAN).from_select(
            ["id", *fields, "homes_by_year", "source_id", "valid_from", "dropped_on", "version"],
            select(
                STAGE.c.id, *(STAGE.c[k] for k in fields), _json_column(session),
                literal(source_id, String(64)), when, literal(None, Date), literal(1, Integer),
            ).where(STAGE.c.outcome == "added"),
        )
    )  # fmt: skip
    session.execute(
        update(PLAN)
        .where(PLAN.c.id == STAGE.c.id, STAGE.c.outcome.in_(("changed", "returning")))
        .values(
            **{k: STAGE.c[k] for k in fields},
            homes_by_year=_json_column(session),
            source_id=source_id,
            valid_from=when,
            dropped_on=None,
            version=PLAN.c.version + 1,
        )
    )
    session.execute(
        update(PLAN)
        .where(PLAN.c.id.in_(ids.where(STAGE.c.outcome == "dropped")))
        .values(dropped_on=when, version=PLAN.c.version + 1)
    )
    session.execute(
        update(PLAN)
        .where(PLAN.c.id.in_(ids.where(STAGE.c.outcome == "relinked")))
        .values(version=PLAN.c.version + 1)
    )
    relinked = ids.where(STAGE.c.outcome.in_(RELINKED[1:]))  # a new plan has no links yet
    for table, column, staged in (
        (PLAN_AREA, "area_id", STAGE_AREA),
        (PLAN_PRECONDITION, "precondition_id", STAGE_PRECONDITION),
    ):
        session.execute(delete(table).where(table.c.plan_id.in_(relinked)))
        session.execute(
            insert(table).from_select(
                ["plan_id", column], select(staged.c.plan_id, staged.c[column])
            )
        )
    session.execute(
        delete(GEOMETRY).where(GEOMETRY.c.plan_id.in_(select(STAGE_GEOMETRY.c.plan_id)))
    )
    session.execute(
        insert(GEOMETRY).from_select(
            ["plan_id", "geometry_wkb", "source_id"],
            select(
                STAGE_GEOMETRY.c.plan_id, STAGE_GEOMETRY.c.geometry_wkb,
                literal(source_id, String(64)),
            ),
        )
    )  # fmt: skip


SQLITE_WRITE_CACHE_KIB = 65_536
"""SQLite's page cache while the rows are moved (the default 2 MiB makes a 200,000-plan
insert take half again as long, with the lock held)."""


@contextmanager
def _cache(connection: Connection) -> Iterator[None]:
    """A larger page cache on SQLite for the moves, given back afterwards."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    before = driver.execute("PRAGMA cache_size").fetchone()[0]
    driver.execute(f"PRAGMA cache_size=-{SQLITE_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size={int(before)}")


class _Stale(Exception):
    """Another write changed the plans between the snapshot and the lock."""


def write(
    svc: Service,
    principal: Principal,
    plan_rows: Sequence[PlanRow],
    *,
    source: Source,
    captured: dt.date,
    partial: bool,
    name: str,
    new_report: Callable[[], Any],
    progress: Callable[[float, str], None],
    finish: Callable[[Session, Any], None],
) -> Any:
    """Write a checked list in stages (see the module); ``finish(session, report)`` runs last
    in the write transaction (the audit event, a job's end). Returns the report
    (``new_report()`` filled in)."""
    with svc.connection() as connection:
        for attempt in range(ATTEMPTS + 1):
            report = new_report()
            progress(0.5, "validating")
            snapshot = Snapshot(connection)
            dropped = dropping(snapshot.current, plan_rows, partial)
            if principal.role != "admin":
                with connection.begin():
                    reader = Session(bind=connection)
                    found = placements(reader, plan_rows, snapshot.current, dropped)
                    authority.authorise(reader, principal, "plans.import", found, file=name)
            progress(0.6, "writing")
            try:
                with _staging(connection):
                    stage(connection, plan_rows, snapshot, dropped, report)
                    progress(0.8, "writing")

                    def locked(report: Any = report, snapshot: Snapshot = snapshot) -> None:
                        with svc.writing(connection) as session:
                            check_order(session, captured, name)
                            if fingerprint(session) != snapshot.print:
                                raise _Stale
                            if session.get(Source, source.id) is None:
                                session.add(source)
                                session.flush()
                            with _cache(connection):
                                move(session, source.id, captured)
                            finish(session, report)

                    priority.urgent(locked)  # under the lock: at the normal CPU priority
                    progress(0.95, "writing")
                    return report
            except _Stale:
                if attempt == ATTEMPTS:
                    raise ServiceError.refused(
                        503,
                        "plans_kept_changing",
                        retry_after=5,
                    ) from None
    raise AssertionError("unreachable")
