"""Where the data lives: the database URL, engines, sessions and schema migrations.

The embedded default is a SQLite file ``./opgave.db``; a PostgreSQL server is the same code
with another URL (``--db`` or ``OPGAVE_DATABASE_URL``). The schema is owned by the Alembic
migrations in ``opgave/migrations``; ``migrate`` brings any database to the newest one.
Alembic is imported only to migrate: the schema check every command makes reads the version
table and the migration files' revision lines itself (Alembic's import costs 0.2 s).

On SQLite every transaction is begun explicitly: a write transaction (``transaction(...,
write=True)``) with ``BEGIN IMMEDIATE``, so that it takes the write lock before it reads and
waits for another writer (the busy timeout) instead of failing when it upgrades a read; a
command that only reads never creates a database file (``create=False``), and a file opened
``read_only`` is never written.
"""

from __future__ import annotations

import functools
import os
import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

DEFAULT_URL = "sqlite:///opgave.db"
ENV_VAR = "OPGAVE_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"
WRITE_OPTION = "opgave_write"
"""Execution option of a write transaction: on SQLite it begins with ``BEGIN IMMEDIATE``."""
SQLITE_BUSY_TIMEOUT_S = 5.0
"""How long a SQLite statement waits for a lock held by another connection by default."""


class NoDatabase(FileNotFoundError):
    """A SQLite file that does not exist, opened by a command that must not create it."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def resolve_url(db: str | None = None) -> str:
    """The database URL from ``--db``, else ``OPGAVE_DATABASE_URL``, else ``./opgave.db``.

    A bare file path (``my.db``) means a SQLite file.
    """
    url = db or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


def shown(url: str) -> str:
    """The URL as it may be printed: any password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show it without what could be a password
        return url.split("@")[-1]


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None (another backend, an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def connect(
    url: str,
    *,
    create: bool = True,
    read_only: bool = False,
    busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S,
    lock_timeout_s: float | None = None,
) -> Engine:
    """An engine for ``url``; SQLite gets foreign-key enforcement like PostgreSQL has.

    On a SQLite file, ``create=False`` refuses a missing file (:class:`NoDatabase`) instead
    of creating an empty one, and ``read_only`` opens it without ever writing to it;
    ``busy_timeout_s`` is how long a statement waits for another writer's lock. On
    PostgreSQL ``lock_timeout_s`` bounds how long a statement waits for a row or table lock.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        args: dict[str, Any] = {"timeout": busy_timeout_s}
        if path is not None and (read_only or not create):
            if not path.exists():
                raise NoDatabase(path)
            mode = "ro" if read_only else "rw"
            target = urllib.parse.quote(str(path.resolve()))
            url = parsed.set(
                database=f"file:{target}", query={"mode": mode, "uri": "true"}
            ).render_as_string(False)
        engine = create_engine(url, connect_args=args)

        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # transactions begin below, not in pysqlite
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            immediate = connection.get_execution_options().get(WRITE_OPTION) and not read_only
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    args = {}
    if lock_timeout_s is not None and parsed.get_backend_name() == "postgresql":
        args["options"] = f"-c lock_timeout={round(lock_timeout_s * 1000)}"
    return create_engine(url, pool_pre_ping=True, connect_args=args)


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the packaged migrations and at ``engine``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest), keeping all data."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database (Alembic's
    ``alembic_version`` table, read without importing Alembic)."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        versions = list(found)
    if len(versions) > 1:
        raise ValueError(f"the database is at several migration heads: {sorted(versions)}")
    return versions[0] if versions else None


REVISION_LINE = re.compile(
    r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(None|['\"]([^'\"]+)['\"])\s*$", re.MULTILINE
)


@functools.cache
def _shipped() -> tuple[frozenset[str], frozenset[str]]:
    """The revisions of the shipped migrations and those some migration revises, read from
    the files' ``revision`` / ``down_revision`` lines (Alembic's own answer is checked
    against this in tests/test_store.py)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = dict(
            (m.group(1), m.group(3)) for m in REVISION_LINE.finditer(path.read_text("utf-8"))
        )
        if found.get("revision"):
            revisions.add(found["revision"])
            if found.get("down_revision"):
                revised.add(found["down_revision"])
    return frozenset(revisions), frozenset(revised)


def head_revision() -> str:
    """The newest migration shipped with this version of opgave: the one no other revises."""
    revisions, revised = _shipped()
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the shipped migrations have {len(heads)} heads: {sorted(heads)}")
    return next(iter(heads))


def is_current(engine: Engine) -> bool:
    """True when the database exists and is at the newest migration."""
    return current_revision(engine) == head_revision()


def known_revisions() -> frozenset[str]:
    """Every migration this version of opgave ships."""
    return _shipped()[0]


def schema_status(engine: Engine) -> tuple[str, str | None]:
    """Where the database's schema stands: ("empty", None) without opgave's tables,
    ("current", head), ("older", revision) to be upgraded by ``opgave init``, or ("newer",
    revision) when a newer opgave wrote it (a revision this version does not know)."""
    if not inspect(engine).has_table("alembic_version"):
        return "empty", None
    revision = current_revision(engine)
    if revision is None:
        return "empty", None
    if revision == head_revision():
        return "current", revision
    return ("older" if revision in known_revisions() else "newer"), revision


@contextmanager
def transaction(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends and rolls everything back on an error.
    ``write``: the transaction takes the database's write lock at once (SQLite)."""
    from sqlalchemy.orm import sessionmaker  # the ORM loads for writes, not for every read

    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    factory = sessionmaker(bind, expire_on_commit=False)
    with factory() as session, session.begin():
        if write:
            session.connection()  # begin now: wait for (or fail on) the lock before any work
        yield session


@contextmanager
def transaction_on(connection: Connection, *, write: bool = False) -> Iterator[Session]:
    """:func:`transaction` on a given connection (which keeps its temporary tables)."""
    connection.execution_options(**{WRITE_OPTION: write})
    try:
        from sqlalchemy.orm import Session

        with Session(bind=connection, expire_on_commit=False) as session, session.begin():
            if write:
                session.connection()
            yield session
    finally:
        connection.execution_options(**{WRITE_OPTION: False})
