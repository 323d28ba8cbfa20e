"""The programme as the API and dashboard read it: one in-memory snapshot, checked for changes.

Inputs: the database (engine). Outputs: a :class:`Snapshot` with every row the read
endpoints need (areas, targets, realised figures, the current plans, agreements with their
version, meetings, sources) and a memo of results derived from it (overview, status per
area, plans per area, serialised responses).
Derives: nothing new; it only keeps what monitor and the query functions compute, so that
a page or API call does not reload 50,000 plans. Freshness: writes through the API drop the
snapshot at once; other writers (the CLI) are noticed through a cheap fingerprint of the
tables, checked at most every ``check_interval_s``; every snapshot is reloaded after
``max_age_s`` whatever the fingerprint says.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine, event, func, select, text

from opgave import areas as area_graph
from opgave import store
from opgave.model import (
    Agreement,
    AgreementEvent,
    Area,
    AreaBoundary,
    AreaMember,
    Base,
    Meeting,
    Plan,
    PlanArea,
    Realisation,
    Source,
    Target,
    table_of,
)

Row = dict[str, Any]
T = TypeVar("T")
MEMO_LIMIT = 2000
"""Derived results kept per snapshot before the memo is cleared (bounds memory)."""
FINGERPRINT_SQL = text(
    "SELECT "
    + ", ".join(
        [
            "(SELECT count(*) FROM plan)",
            "(SELECT coalesce(sum(version), 0) FROM plan)",
            "(SELECT count(*) FROM plan_history)",
            "(SELECT count(*) FROM plan_area)",
            "(SELECT count(*) FROM realisation)",
            "(SELECT coalesce(max(id), 0) FROM realisation)",
            "(SELECT count(*) FROM target)",
            "(SELECT count(*) FROM area)",
            "(SELECT count(*) FROM area_member)",
            "(SELECT count(*) FROM agreement)",
            "(SELECT coalesce(max(id), 0) FROM agreement_event)",
            "(SELECT count(*) FROM meeting)",
            "(SELECT count(*) FROM source)",
            "(SELECT count(*) FROM area_boundary)",
            "(SELECT coalesce(max(id), 0) FROM audit_event)",
        ]
    )
)
"""Cheap aggregates that change when the rows the read endpoints show change."""


@dataclass
class Snapshot:
    """Rows of the programme at one moment, plus derived results keyed by what they answer."""

    areas: list[Row]
    members: list[Row]
    targets: list[Row]
    realisations: list[Row]
    plans: list[Row]
    plan_areas: list[Row]
    agreements: list[Row]
    meetings: list[Row]
    sources: list[Row]
    boundary_ids: frozenset[str]
    fingerprint: tuple[Any, ...]
    loaded_at: float
    area_by_id: dict[str, Row] = field(init=False)
    children: dict[str, list[str]] = field(init=False)
    parents: dict[str, list[str]] = field(init=False)
    kinds: dict[str, str] = field(init=False)
    plan_by_id: dict[str, Row] = field(init=False)
    agreement_by_id: dict[str, Row] = field(init=False)
    _memo: dict[Any, Any] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.area_by_id = {a["id"]: a for a in self.areas}
        self.children = area_graph.children_of(self.members)
        parents: dict[str, list[str]] = {}
        for m in self.members:
            parents.setdefault(m["child_id"], []).append(m["parent_id"])
        self.parents = {k: sorted(v) for k, v in parents.items()}
        self.kinds = {a["id"]: a["kind"] for a in self.areas}
        self.plan_by_id = {p["id"]: p for p in self.plans}
        self.agreement_by_id = {a["id"]: a for a in self.agreements}

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """The result for ``key``, computed once per snapshot."""
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        value = compute()
        with self._lock:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = value
        return value

    def inside(self, area_id: str) -> set[str]:
        """The area and every area inside it."""
        return self.memo(
            ("inside", area_id), lambda: {area_id} | area_graph.descendants(area_id, self.children)
        )


def _rows(connection: Any, model: type[Base], where: Any = None) -> list[Row]:
    query = select(table_of(model))
    if where is not None:
        query = query.where(where)
    return [dict(r._mapping) for r in connection.execute(query)]


def load_snapshot(engine: Engine) -> Snapshot:
    """Read every row the read endpoints need, in one transaction."""
    with engine.connect() as connection:
        fingerprint = tuple(connection.execute(FINGERPRINT_SQL).one())
        versions = dict(
            connection.execute(
                select(AgreementEvent.agreement_id, func.count()).group_by(
                    AgreementEvent.agreement_id
                )
            ).all()
        )
        agreements = _rows(connection, Agreement)
        for a in agreements:
            a["version"] = int(versions.get(a["id"], 0))
        plans = _rows(connection, Plan, Plan.dropped_on.is_(None))
        snapshot = Snapshot(
            areas=_rows(connection, Area),
            members=_rows(connection, AreaMember),
            targets=_rows(connection, Target),
            realisations=_rows(connection, Realisation),
            plans=sorted(plans, key=lambda p: p["id"]),
            plan_areas=_rows(connection, PlanArea),
            agreements=agreements,
            meetings=_rows(connection, Meeting),
            sources=_rows(connection, Source),
            boundary_ids=frozenset(connection.execute(select(AreaBoundary.area_id)).scalars()),
            fingerprint=fingerprint,
            loaded_at=time.monotonic(),
        )
    return snapshot


class SnapshotCache:
    """Hands out the current snapshot; reloads it when the data changed (see module doc)."""

    def __init__(
        self, engine: Engine, check_interval_s: float = 1.0, max_age_s: float = 300.0
    ) -> None:
        self.engine = engine
        self.check_interval_s = check_interval_s
        self.max_age_s = max_age_s
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Drop the snapshot (after a write); the next ``get`` reloads."""
        with self._lock:
            self._snapshot = None

    def _fingerprint(self) -> tuple[Any, ...]:
        with self.engine.connect() as connection:
            return tuple(connection.execute(FINGERPRINT_SQL).one())

    def get(self) -> Snapshot:
        """The current snapshot (loading or re-checking it when due)."""
        snapshot, now = self._snapshot, time.monotonic()
        if (
            snapshot is not None
            and now - self._checked < self.check_interval_s
            and now - snapshot.loaded_at < self.max_age_s
        ):
            return snapshot
        with self._lock:
            snapshot, now = self._snapshot, time.monotonic()
            if snapshot is not None and now - snapshot.loaded_at < self.max_age_s:
                if now - self._checked < self.check_interval_s:
                    return snapshot
                if self._fingerprint() == snapshot.fingerprint:
                    self._checked = time.monotonic()
                    return snapshot
            snapshot = load_snapshot(self.engine)
            self._snapshot, self._checked = snapshot, time.monotonic()
            return snapshot


SQLITE_BUSY_TIMEOUT_MS = 30_000


def open_engine(database_url: str) -> Engine:
    """An engine for the app; refuses a database without the current schema. A SQLite file
    is switched to write-ahead logging, so that pages and job polls keep reading while a
    background import writes, and a write waits up to ``SQLITE_BUSY_TIMEOUT_MS`` for another."""
    engine = store.connect(database_url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _concurrent(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.close()

    if not store.is_current(engine):
        raise RuntimeError(
            f"the database {database_url} has no up-to-date opgave schema; run `opgave init` first"
        )
    return engine


def rows_by(rows: list[Row], key: str) -> Mapping[Any, list[Row]]:
    """Rows grouped by one field."""
    grouped: dict[Any, list[Row]] = {}
    for r in rows:
        grouped.setdefault(r[key], []).append(r)
    return grouped
