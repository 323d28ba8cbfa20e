"""The service layer: every read and write of opgave, for every door.

``Service`` is the one object the command line, the API, the dashboard and the report go
through (as datasette's ``Datasette``): it holds the database, hands out the programme state
(:mod:`opgave.state`) - cached for a server, reloaded when the data changes - and opens the
transactions of writes, each with a principal and an audit event. The capabilities live in
one module each (``monitoring``, ``programme``, ``pipeline``, ``agreements``, ``funding``,
``forecasting``, ``reporting``, ``users``, ``jobs``); their functions take the service as
their first argument. No door opens a database session itself (docs/figures.md).

Failures of the machine become refusals with one line of text (:mod:`.failures`): a write
takes the database's write lock first and, when another process holds it, waits up to
``lock_wait_s`` (telling ``on_wait`` once) before answering 503 "busy"; a database written by
a newer opgave, a read-only file, a full disk, an unreachable server are said in words, with
any password in the URL blanked out. A command never creates an empty database file unless
it means to (``create``).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from opgave import store
from opgave.service import failures
from opgave.service.errors import ServiceError
from opgave.service.loading import fingerprint, load_outline, load_state
from opgave.service.throttle import LoginThrottle
from opgave.state import ProgrammeState

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

SERVER_BUSY_TIMEOUT_S = 5.0
"""How long a server's write waits for another writer's lock before answering 503."""
LOCK_WAIT_ENV = "OPGAVE_LOCK_WAIT_S"
"""Environment variable: how long a command waits for a busy database (default 300 s)."""
COMMAND_LOCK_WAIT_S = 300.0
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
        create: bool = True,
        read_only: bool | None = None,
        lock_wait_s: float = 0.0,
        busy_timeout_s: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        """``concurrent`` (a server): WAL and a lock timeout, so that reads go on while one
        writes. ``create``: a missing SQLite file may be created (``opgave init``), else it
        is refused without leaving a file behind. ``read_only`` (None: when the SQLite file
        or its folder cannot be written, for a server): writes are refused in words.
        ``lock_wait_s``: how long a write waits for a busy database, telling ``on_wait``."""
        self.url = url
        self.shown_url = store.shown(url)
        self._secret = _password(url)
        path = store.sqlite_path(url)
        if read_only is None:
            read_only = bool(
                concurrent
                and path is not None
                and path.exists()
                and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
            )
        self.read_only = read_only
        self.lock_wait_s = lock_wait_s
        self.on_wait = on_wait
        if busy_timeout_s is None:
            busy_timeout_s = SERVER_BUSY_TIMEOUT_S if concurrent else store.SQLITE_BUSY_TIMEOUT_S
        try:
            self.engine: Engine = store.connect(
                url,
                create=create,
                read_only=read_only,
                busy_timeout_s=busy_timeout_s,
                lock_timeout_s=SERVER_BUSY_TIMEOUT_S if concurrent else None,
            )
        except store.NoDatabase as missing:
            raise ServiceError.refused(400, "no_database", path=missing.path) from None
        if concurrent and not read_only and self.engine.dialect.name == "sqlite":
            _wal(self.engine, busy_timeout_s)
        self.logins = LoginThrottle()
        """Failed sign-ins of this process (growing delays per account and address)."""
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

    def failure(self, error: BaseException) -> ServiceError | None:
        """A failure of the database or the machine as a refusal in words (or None)."""
        return failures.translate(error, self.shown_url, self._secret)

    def schema(self) -> tuple[str, str | None]:
        """Where the schema stands (``store.schema_status``), failures said in words."""
        try:
            return store.schema_status(self.engine)
        except DBAPIError as error:
            raise self._said(error) from None

    def require_schema(self) -> None:
        """Refuse a database that is missing, older or newer than this version's schema."""
        status, revision = self.schema()
        if status == "newer":
            raise newer_schema(self.shown_url, revision)
        if status == "empty":
            raise ServiceError.refused(400, "not_opgave_database", url=self.shown_url)
        if status == "older":
            raise ServiceError.refused(400, "older_schema", url=self.shown_url, revision=revision)

    def _said(self, error: BaseException) -> BaseException:
        """The refusal for a failure, or the error itself when it is not one."""
        return self.failure(error) or error

    # ------------------------------------------------------------ reading

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read transaction (for the service modules, not the doors)."""
        try:
            with store.transaction(self.engine) as session:
                yield session
        except DBAPIError as error:
            raise self._said(error) from None

    def state(self, as_of: dt.date | None = None) -> ProgrammeState:
        """The programme state as of a date (None: as known now)."""
        try:
            return self._state(as_of)
        except DBAPIError as error:
            raise self._said(error) from None

    def _state(self, as_of: dt.date | None) -> ProgrammeState:
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
        # One thread checks (and reloads); meanwhile the others are served the state they
        # had - a large programme takes seconds to load, and a reader must not wait for a
        # change another process made. After a write of this process there is no state to
        # serve: everyone waits for the fresh one (a writer reads its own writes).
        if not self._lock.acquire(blocking=current is None):
            assert current is not None
            return current
        try:
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
        finally:
            self._lock.release()

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

    def expire(self) -> None:
        """Have the next read check whether the data changed (a job of this process wrote
        through a service of its own), keeping the current state to serve meanwhile."""
        self._checked = 0.0

    def invalidate(self) -> None:
        """Forget the cached states (after a write through this service)."""
        with self._lock:
            self._current, self._print = None, None
            self._past.clear()
            self._local.clear()
            self._outline = None

    # ------------------------------------------------------------ writing

    @contextmanager
    def writing(
        self, connection: Connection | None = None, *, changes_state: bool = True
    ) -> Iterator[Session]:
        """A write transaction: all or nothing; the cached state is dropped afterwards.

        It takes the write lock before anything else (SQLite: ``BEGIN IMMEDIATE``); while
        another process holds it, it waits up to ``lock_wait_s`` and then refuses (503
        busy). Failures of the database or the disk are refusals in words (nothing written).
        ``connection``: on this connection (from :meth:`connection`: a staged write that
        prepared its rows in temporary tables there first). ``changes_state=False``: a write
        of what the programme state is not made of (sign-ins, tokens, jobs), which keeps
        the cached state.
        """
        if self.read_only:
            raise failures.read_only(self.shown_url)
        try:
            with ExitStack() as stack:
                session = self._begin_write(stack, connection)
                yield session
        except (DBAPIError, OSError, MemoryError) as error:
            raise self._said(error) from None
        finally:
            if changes_state:
                self.invalidate()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """One connection for several transactions in a row (a staged write: its rows are
        prepared in temporary tables before the write transaction takes the lock)."""
        try:
            with self.engine.connect() as connection:
                yield connection
        except DBAPIError as error:
            raise self._said(error) from None

    def _begin_write(self, stack: ExitStack, connection: Connection | None = None) -> Session:
        """The write transaction's session, once the lock is taken (waiting while busy)."""
        deadline = time.monotonic() + self.lock_wait_s
        told = False
        while True:
            try:
                if connection is not None:
                    return stack.enter_context(store.transaction_on(connection, write=True))
                return stack.enter_context(store.transaction(self.engine, write=True))
            except DBAPIError as error:
                if not failures.is_busy(error) or time.monotonic() >= deadline:
                    raise
                if not told and self.on_wait is not None:
                    self.on_wait(
                        f"the database {self.shown_url} is busy (another process is writing); "
                        f"waiting up to {self.lock_wait_s:.0f} s"
                    )
                    told = True
                time.sleep(min(0.25, max(deadline - time.monotonic(), 0.0)))


def newer_schema(shown_url: str, revision: str | None) -> ServiceError:
    """The refusal of a database a newer opgave wrote."""
    return ServiceError.refused(400, "newer_schema", url=shown_url, revision=revision)


def database_url(db: str | None = None) -> str:
    """The database URL from ``--db``, else ``OPGAVE_DATABASE_URL``, else ``./opgave.db``."""
    return store.resolve_url(db)


def command_lock_wait_s() -> float:
    """How long a command waits for a busy database: ``OPGAVE_LOCK_WAIT_S`` or 300 s."""
    try:
        return float(os.environ.get(LOCK_WAIT_ENV, COMMAND_LOCK_WAIT_S))
    except ValueError:
        return COMMAND_LOCK_WAIT_S


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except Exception:
        return None


def _wal(engine: Engine, busy_timeout_s: float) -> None:
    """Write-ahead logging and a busy timeout on a SQLite file, so that a server's pages and
    job polls keep reading while an import writes, and a write waits for another."""

    @event.listens_for(engine, "connect")
    def _concurrent(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={round(busy_timeout_s * 1000)}")
        cursor.close()


__all__ = ["Service", "ServiceError", "database_url"]
