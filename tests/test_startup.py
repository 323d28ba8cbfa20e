"""A command starts without the heavy libraries: ``import opgave.cli`` and the service layer
load none of them at module level, and a listing run end to end loads none either (each
checked in a fresh interpreter, where ``sys.modules`` shows what was really imported).

Timings are in benchmarks/cli_startup.py; these tests keep the imports from creeping back.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import opgave.service

HEAVY = (
    "numpy",
    "pyarrow",
    "duckdb",
    "alembic",
    "weasyprint",
    "matplotlib",
    "plotly",
    "highspy",
    "shapely",
    "pyogrio",
    "pyproj",
    "numba",
    "pandas",
)
"""Libraries that load only when a command needs them (analysis, files, reports, migrations)."""


def _loaded_after(code: str, cwd: Path | None = None) -> set[str]:
    """The top-level packages of ``HEAVY`` and SQLAlchemy loaded after running ``code``."""
    watched = sorted({*HEAVY, "sqlalchemy"})
    probe = (
        f"{code}\nimport sys, json\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({watched!r}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library_nor_the_database_layer() -> None:
    assert _loaded_after("import opgave.cli") == set()


def test_help_loads_no_heavy_library() -> None:
    code = (
        "from opgave.cli import app\n"
        "try:\n    app(prog_name='opgave', args=['--help'])\nexcept SystemExit:\n    pass"
    )
    assert _loaded_after(code) == set()


@pytest.mark.parametrize(
    "module",
    sorted(
        f"opgave.service.{m.name}"
        for m in pkgutil.iter_modules(opgave.service.__path__)
        if m.name != "records"  # the API's pydantic shapes: only the API imports it
    ),
)
def test_service_modules_import_no_heavy_library(module: str) -> None:
    """The service layer imports SQLAlchemy (every database command needs it) and nothing
    heavier at module level: numpy, pyarrow, DuckDB, Alembic, ... load inside the functions
    that use them."""
    assert _loaded_after(f"import {module}") <= {"sqlalchemy"}


@pytest.fixture(scope="module")
def programme_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file with the default programme (the imports do not depend on the backend)."""
    from opgave import programme, store

    url = f"sqlite:///{tmp_path_factory.mktemp('startup') / 'opgave.db'}"
    engine = store.connect(url)
    store.migrate(engine)
    with store.transaction(engine) as session:
        programme.load(session)
    engine.dispose()
    return url


@pytest.mark.parametrize(
    "args",
    [
        ["targets", "--json"],
        ["targets", "--area", "VS-ZR", "--within"],
        ["meetings", "--json"],
        ["areas", "--json"],
        ["agreements", "--json"],
        ["overview", "--json"],
    ],
)
def test_a_listing_loads_no_heavy_library(
    programme_db: str, args: list[str], tmp_path: Path
) -> None:
    code = (
        "from opgave.cli import app\n"
        f"try:\n    app(prog_name='opgave', args={['--db', programme_db, *args]!r})\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code"
    )
    assert _loaded_after(code, cwd=tmp_path) == {"sqlalchemy"}


@pytest.mark.parametrize("args", [["targets", "--json"], ["meetings", "--json"]])
def test_listings_of_targets_and_meetings_read_without_the_orm(
    programme_db: str, args: list[str], tmp_path: Path
) -> None:
    """They read through the driver (the layouts of the service's loading): neither the ORM
    nor the model."""
    code = (
        "import sys, json\nfrom opgave.cli import app\n"
        f"try:\n    app(prog_name='opgave', args={['--db', programme_db, *args]!r})\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print(json.dumps(sorted(m for m in ('sqlalchemy.orm', 'opgave.model') "
        "if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_defaults_kept_in_the_cli_are_the_services() -> None:
    """The CLI states two defaults itself so that its commands register without importing
    the service layer; they must stay the service's."""
    from opgave import monitor
    from opgave.cli import pipeline as cli_pipeline
    from opgave.cli import programme as cli_programme
    from opgave.service import pipeline

    assert cli_pipeline.CBS_TABLE == pipeline.CBS_TABLE
    assert cli_programme.DEFAULT_DEFINITION == monitor.DEFAULT_DEFINITION


def test_the_cli_states_the_defaults_of_the_modules_it_does_not_import() -> None:
    from opgave.cli import bag as bag_commands
    from opgave.ingest import bag_ingest

    assert bag_commands.DEFAULT_SINCE == bag_ingest.DEFAULT_SINCE
