"""Where the data lives: the database URL, engines, sessions and schema migrations.

The embedded default is a SQLite file ``./opgave.db``; a PostgreSQL server is the same code
with another URL (``--db`` or ``OPGAVE_DATABASE_URL``). The schema is owned by the Alembic
migrations in ``opgave/migrations``; ``migrate`` brings any database to the newest one.
Alembic is imported only to migrate: the schema check every command makes reads the version
table and the migration files' revision lines itself (Alembic's import costs 0.2 s).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session

DEFAULT_URL = "sqlite:///opgave.db"
ENV_VAR = "OPGAVE_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"


def resolve_url(db: str | None = None) -> str:
    """The database URL from ``--db``, else ``OPGAVE_DATABASE_URL``, else ``./opgave.db``.

    A bare file path (``my.db``) means a SQLite file.
    """
    url = db or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


def connect(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign-key enforcement like PostgreSQL has."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


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
def head_revision() -> str:
    """The newest migration shipped with this version of opgave: the revision no other
    migration revises, read from the files' ``revision`` / ``down_revision`` lines (Alembic's
    own answer is checked against this in tests/test_store.py)."""
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
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the shipped migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def is_current(engine: Engine) -> bool:
    """True when the database exists and is at the newest migration."""
    return current_revision(engine) == head_revision()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends and rolls everything back on an error."""
    from sqlalchemy.orm import sessionmaker  # the ORM loads for writes, not for every read

    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
