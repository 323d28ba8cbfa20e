"""Shared fixtures: a fresh database per test on every backend, and a CLI runner.

Tests that take ``db_url`` run once on SQLite and once on PostgreSQL. PostgreSQL comes from
``OPGAVE_TEST_DATABASE_URL`` (a server URL; each test gets its own new database there). On a
laptop without it those runs are skipped with the reason; with ``OPGAVE_REQUIRE_POSTGRES=1``
(as in CI) a missing or unreachable server fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from opgave import programme, store

PG_ENV = "OPGAVE_TEST_DATABASE_URL"
LANG_ENV = "OPGAVE_LANG"
REQUIRE_ENV = "OPGAVE_REQUIRE_POSTGRES"


def _postgres_server() -> str | None:
    """The PostgreSQL server URL for tests, or None (skip) - or fail when it is required."""
    url = os.environ.get(PG_ENV)
    required = os.environ.get(REQUIRE_ENV) == "1"
    if not url:
        if required:
            pytest.fail(f"{REQUIRE_ENV}=1 but {PG_ENV} is not set")
        return None
    try:
        with create_engine(url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # pragma: no cover - depends on the machine
        if required:
            pytest.fail(f"PostgreSQL at {url} is required but unreachable: {error}")
        return None
    return url


@pytest.fixture(autouse=True, scope="session")
def english_unless_asked() -> Iterator[None]:
    """The command line speaks Dutch by default; the tests read its English unless they ask
    for Dutch (``--lang nl``, ``OPGAVE_LANG``) - whatever the developer's shell says. The
    default itself has its own test (tests/cli/test_words.py)."""
    before = os.environ.get(LANG_ENV)
    os.environ[LANG_ENV] = "en"
    yield
    if before is None:
        os.environ.pop(LANG_ENV, None)
    else:
        os.environ[LANG_ENV] = before


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'opgave.db'}"
        return
    server = _postgres_server()
    if server is None:
        pytest.skip(f"PostgreSQL not available: set {PG_ENV} to a server URL to run these")
    name = f"opgave_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def loaded_url(db_url: str) -> str:
    """A database migrated to the newest schema with the default programme loaded."""
    engine = store.connect(db_url)
    store.migrate(engine)
    with store.transaction(engine) as session:
        programme.load(session)
    engine.dispose()
    return db_url


@pytest.fixture
def runner() -> CliRunner:
    """A CLI runner that keeps stderr apart from stdout."""
    return CliRunner()
