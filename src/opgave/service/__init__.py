"""The service layer: every read and write of opgave, for every door.

``Service`` is the one object the command line, the API, the dashboard and the report go
through (as datasette's ``Datasette``): it holds the database, hands out the programme state
(:mod:`opgave.state`) - cached for a server, reloaded when the data changes - and opens the
transactions of writes, each with a principal and an audit event. The capabilities live in
one module each (``monitoring``, ``programme``, ``pipeline``, ``agreements``, ``funding``,
``forecasting``, ``reporting``, ``users``, ``jobs``); their functions take the service as
their first argument. No door opens a database session itself (docs/figures.md).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from opgave import store
from opgave.service.errors import ServiceError
from opgave.service.loading import fingerprint, load_outline, load_state
from opgave.state import ProgrammeState

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000
AS_OF_STATES = 8
"""States for past dates kept in memory by a long-running service (the newest used)."""


class Service:
    """The database, the programme state and the transactions of one opgave installation.

    ``cached`` (a server) keeps the current state and reloads it when a cheap fingerprint of
    the tables changes (checked at most every ``check_interval_s``) or after ``max_age_s``;
    without it (the command line, one short process) a state is read once and kept until a
    write through this service.
    """

    def __init__(
        self,
        url: str,
        *,
        cached: bool = False,
        check_interval_s: float = 1.0,
        max_age_s: float = 300.0,
        concurrent: bool = False,
    ) -> None:
        self.url = url
        self.engine: Engine = store.connect(url)
        if concurrent and self.engine.dialect.name == "sqlite":
            _wal(self.engine)
        self.cached = cached
        self.check_interval_s = check_interval_s
        self.max_age_s = max_age_s
        self._current: ProgrammeState | None = None
        self._print: tuple[Any, ...] | None = None
        self._loaded_at = 0.0
        self._checked = 0.0
        self._past: dict[dt.date, tuple[tuple[Any, ...], ProgrammeState]] = {}
        self._local: dict[dt.date | None, ProgrammeState] = {}
        self._outline: ProgrammeState | None = None
        self._lock = threading.Lock()

    def require_schema(self) -> None:
        """Refuse a database that is missing or not at this version's schema, in words."""
        try:
            current = store.is_current(self.engine)
        except OperationalError as error:
            raise ServiceError(400, f"cannot open the database {self.url}: {error.orig}") from None
        if not current:
            raise ServiceError(
                400,
                f"the database {self.url} has no up-to-date opgave schema; run `opgave init` first",
            )

    # ------------------------------------------------------------ reading

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read transaction (for the service modules, not the doors)."""
        with store.transaction(self.engine) as session:
            yield session

    def state(self, as_of: dt.date | None = None) -> ProgrammeState:
        """The programme state as of a date (None: as known now)."""
        if not self.cached:  # a command: read once, until a write of its own
            if as_of not in self._local:
                with self.engine.connect() as connection:
                    self._local[as_of] = load_state(connection, as_of)
            return self._local[as_of]
        if as_of is not None:
            return self._past_state(as_of)
        now = time.monotonic()
        current = self._current
        if (
            current is not None
            and now - self._checked < self.check_interval_s
            and now - self._loaded_at < self.max_age_s
        ):
            return current
        with self._lock:
            now = time.monotonic()
            with self.engine.connect() as connection:
                stamp = fingerprint(connection)
                if (
                    self._current is not None
                    and stamp == self._print
                    and now - self._loaded_at < self.max_age_s
                ):
                    self._checked = now
                    return self._current
                self._current = load_state(connection)
            self._print, self._loaded_at, self._checked = stamp, now, now
            return self._current

    def outline(self) -> ProgrammeState:
        """The programme as known now for listings of areas, targets and meetings: a state
        read from those tables only (no plans, realised figures, agreements or awards -
        they stay empty), or the full state when one is at hand (a server's)."""
        if self.cached:
            return self.state()
        if None in self._local:
            return self._local[None]
        if self._outline is None:
            with self.engine.connect() as connection:
                self._outline = load_outline(connection)
        return self._outline

    def _past_state(self, as_of: dt.date) -> ProgrammeState:
        with self.engine.connect() as connection:
            stamp = fingerprint(connection)
            kept = self._past.get(as_of)
            if kept is not None and kept[0] == stamp:
                return kept[1]
            found = load_state(connection, as_of)
        with self._lock:
            if len(self._past) >= AS_OF_STATES:
                self._past.pop(next(iter(self._past)))
            self._past[as_of] = (stamp, found)
        return found

    def invalidate(self) -> None:
        """Forget the cached states (after a write through this service)."""
        with self._lock:
            self._current, self._print = None, None
            self._past.clear()
            self._local.clear()
            self._outline = None

    # ------------------------------------------------------------ writing

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction: all or nothing; the cached state is dropped afterwards."""
        try:
            with store.transaction(self.engine) as session:
                yield session
        finally:
            self.invalidate()


def database_url(db: str | None = None) -> str:
    """The database URL from ``--db``, else ``OPGAVE_DATABASE_URL``, else ``./opgave.db``."""
    return store.resolve_url(db)


def _wal(engine: Engine) -> None:
    """Write-ahead logging and a busy timeout on a SQLite file, so that a server's pages and
    job polls keep reading while an import writes, and a write waits for another."""

    @event.listens_for(engine, "connect")
    def _concurrent(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


__all__ = ["Service", "ServiceError", "database_url"]
