"""Clean failures (break 7): a busy, full, read-only, newer or unreachable database, an
export path that exists, a missing database file - each one line and an exit code, never a
traceback, nothing half written and no empty database file left behind."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from web_fixtures import PASSWORD

from opgave import store
from opgave.cli import app as cli_app

PLANS = (
    "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year\n"
    "P-1,Haven-Stad,GM0363,1200,1A,2025,2028\n"
    "P-2,Feyenoord City,GM0599,2000,2B,2025,2030\n"
)


def cli(url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the command line in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli_app, ["--db", url, *args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: the test fails with it
    return result.exit_code, result.stdout, result.stderr


def plan_file(folder: Path, text: str = PLANS) -> Path:
    path = folder / "plannen.csv"
    path.write_text(text, encoding="utf-8")
    return path


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def held(db_file: Path) -> Iterator[sqlite3.Connection]:
    """Another process's write lock on the database (BEGIN IMMEDIATE, never committed)."""
    other = sqlite3.connect(db_file, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA journal_mode=WAL")  # as a server leaves it
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.execute("ROLLBACK")
    other.close()


def test_break_7_a_busy_database_is_waited_for_and_said_in_one_line(
    sqlite_url: str, db_file: Path, tmp_path: Path, held: sqlite3.Connection
) -> None:
    """Two writers on one SQLite file: `database is locked` was a traceback. Now the second
    says it waits, and after OPGAVE_LOCK_WAIT_S gives up in one line, exit code 75."""
    path = plan_file(tmp_path)
    code, _out, err = cli(
        sqlite_url, "ingest", "plans", str(path), env={"OPGAVE_LOCK_WAIT_S": "1.5"}
    )
    assert code == 75
    assert "waiting: the database" in err and "is busy" in err
    assert err.count("error:") == 1 and "Traceback" not in err
    assert "try again" in err
    held.execute("ROLLBACK")
    held.execute("BEGIN")  # let the fixture's ROLLBACK find a transaction
    assert count(db_file, "plan") == 0


def test_break_7_a_the_waiting_writer_goes_on_when_the_lock_is_freed(
    sqlite_url: str,
    db_file: Path,
    tmp_path: Path,
    held: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from opgave import cli as cli_module

    say = cli_module.errors.print

    def saying(text: Any, *args: Any, **kwargs: Any) -> None:
        if str(text).startswith("waiting:"):  # the other writer lets go once it is waited for
            threading.Timer(0.5, lambda: held.execute("ROLLBACK")).start()
        say(text, *args, **kwargs)

    monkeypatch.setattr(cli_module.errors, "print", saying)
    path = plan_file(tmp_path)
    code, out, err = cli(sqlite_url, "ingest", "plans", str(path), env={"OPGAVE_LOCK_WAIT_S": "30"})
    held.execute("BEGIN")
    assert code == 0, err
    assert "waiting: the database" in err and count(db_file, "plan") == 2
    assert "2 added" in out or "added" in out


def test_break_7_b_a_full_disk_is_one_line_and_rolls_back(
    sqlite_url: str, db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full gave 92 lines of traceback (though it rolled back): now one line, exit 74.
    The disk is made full by capping the database's pages at what it has now."""
    with sqlite3.connect(db_file) as connection:
        pages = int(connection.execute("PRAGMA page_count").fetchone()[0])
    audited = count(db_file, "audit_event")
    connect = store.connect

    def capped(url: str, **kwargs: Any) -> Any:
        from sqlalchemy import event

        engine = connect(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _cap(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

        return engine

    monkeypatch.setattr(store, "connect", capped)
    rows = "".join(f"P-{i},Plan {i} {'x' * 200},GM0363,10,1A,2025,2026\n" for i in range(3000))
    path = plan_file(tmp_path, PLANS.splitlines(keepends=True)[0] + rows)
    code, _out, err = cli(sqlite_url, "ingest", "plans", str(path))
    assert code == 74, err
    assert err.startswith("error: the disk is full") and err.count("\n") == 1
    assert "nothing was written" in err
    monkeypatch.undo()
    assert count(db_file, "plan") == 0 and count(db_file, "audit_event") == audited


@pytest.fixture
def newer(sqlite_url: str, db_file: Path) -> str:
    with sqlite3.connect(db_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    return sqlite_url


@pytest.mark.parametrize("command", [["overview"], ["init"], ["targets", "--json"]])
def test_break_7_c_a_newer_schema_says_upgrade_opgave(newer: str, command: list[str]) -> None:
    """A database written by a newer opgave said "run `opgave init` first", which cannot
    help; init itself was a traceback."""
    code, _out, err = cli(newer, *command)
    assert code == 1
    assert "was written by a newer opgave (revision 0099); upgrade opgave" in err
    assert "opgave init" not in err and "Traceback" not in err


def test_break_7_c_the_server_refuses_a_newer_schema_in_words(newer: str) -> None:
    from opgave.api import create_app
    from opgave.service import ServiceError

    with pytest.raises(ServiceError, match="newer opgave"):
        create_app(newer)


def test_break_7_d_an_unreachable_server_is_named_without_its_password() -> None:
    url = "postgresql+psycopg://opgave:zeer-geheim@127.0.0.1:1/opgave"
    code, out, err = cli(url, "overview")
    assert code == 75
    assert err.startswith("error: cannot reach the database") and err.count("\n") == 1
    assert "zeer-geheim" not in out + err and "***" in err


def test_break_7_e_export_never_overwrites_and_names_a_file_path(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Exporting onto an existing file was a traceback."""
    target = tmp_path / "export.csv"
    target.write_text("mine", encoding="utf-8")
    code, _out, err = cli(sqlite_url, "export", str(target))
    assert code == 1 and "is a file; export writes a folder" in err
    assert target.read_text(encoding="utf-8") == "mine"
    folder = tmp_path / "out"
    assert cli(sqlite_url, "export", str(folder))[0] == 0
    code, _out, err = cli(sqlite_url, "export", str(folder))
    assert code == 1 and "holds an export already" in err and "--overwrite" in err
    assert cli(sqlite_url, "export", str(folder), "--overwrite")[0] == 0


def test_break_7_f_no_empty_database_file_is_left_behind(tmp_path: Path) -> None:
    """`opgave --db new.db overview` created an empty new.db; a failed init or import left
    a half-made one."""
    missing = tmp_path / "new.db"
    code, _out, err = cli(f"sqlite:///{missing}", "overview")
    assert code == 1 and "there is no database at" in err and "opgave init" in err
    assert not missing.exists()
    bad_folder = tmp_path / "not-an-export"
    bad_folder.mkdir()
    code, _out, err = cli(f"sqlite:///{missing}", "import", str(bad_folder))
    assert code == 1 and not missing.exists()


def test_break_7_g_a_write_to_a_read_only_database_is_one_line(
    sqlite_url: str, db_file: Path, tmp_path: Path
) -> None:
    """A read-only database gave a traceback (the file opened read-only here: as root the
    file's permissions do not stop a write, so the test opens it read-only itself)."""
    from opgave.service import Service, ServiceError, pipeline, users

    svc = Service(sqlite_url, read_only=True, create=False)
    assert svc.state().areas  # reading works
    with pytest.raises(ServiceError) as refused:
        pipeline.import_plans(svc, users.operator(svc), plan_file(tmp_path), captured=_date())
    assert refused.value.status == 503 and "read-only" in refused.value.detail
    svc.engine.dispose()


def _date() -> Any:
    import datetime as dt

    return dt.date(2025, 1, 1)


def _unprivileged() -> list[str]:
    """A prefix that runs a child without the power to override file permissions when the
    tests run as root (root writes a read-only file regardless): util-linux's setpriv."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only file cannot be made")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


@pytest.fixture
def read_only_copy(db_file: Path) -> Iterator[Path]:
    """A copy of the database in a folder and file nobody may write."""
    folder = Path(tempfile.mkdtemp(prefix="opgave-ro-"))
    copy = folder / "alleen-lezen.db"
    shutil.copy(db_file, copy)
    copy.chmod(0o444)
    folder.chmod(0o555)
    yield copy
    folder.chmod(0o755)
    shutil.rmtree(folder)


def _child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_unprivileged(), sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/tmp",
        check=False,
    )


def test_break_7_g_a_read_only_file_is_read_and_writes_are_refused(
    read_only_copy: Path,
) -> None:
    """The command line on a file it may not write: listings work, a write is one line
    (exit 75: try again when it can be written)."""
    url = f"sqlite:///{read_only_copy}"
    listing = _child(
        "import sys; from opgave.cli import app; app(['--db', sys.argv[1], 'targets', "
        "'--json'], prog_name='opgave')",
        url,
    )
    assert listing.returncode == 0, listing.stderr
    writing = _child(
        "import sys; from opgave.cli import app; app(['--db', sys.argv[1], 'demo', '--plans', "
        "'10'], prog_name='opgave')",
        url,
    )
    assert writing.returncode == 75, writing.stderr
    assert "read-only" in writing.stderr and "Traceback" not in writing.stderr
    assert writing.stderr.count("error:") == 1


def test_break_7_h_serve_starts_read_only_on_a_read_only_file(read_only_copy: Path) -> None:
    """`opgave serve` would not start on a read-only database even to read (it set WAL)."""
    code = """
import sys
from fastapi.testclient import TestClient
from opgave.api import create_app
app = create_app(sys.argv[1], public_read=True)
with TestClient(app) as client:
    print(client.get("/api/v1/overview").status_code)
    answer = client.post("/api/v1/auth/login", json={"name": "rijk", "password": "x" * 12})
    print(answer.status_code, answer.json()["detail"][:60])
"""
    done = _child(code, f"sqlite:///{read_only_copy}")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "200"
    assert lines[1].startswith(("401", "503"))  # no session can be stored; never a 500
    assert not (read_only_copy.parent / "alleen-lezen.db-wal").exists()


def test_break_7_api_answers_a_busy_database_with_503_and_retry_after(
    sqlite_url: str, tokens: dict[str, str], held: sqlite3.Connection, monkeypatch: Any
) -> None:
    """Logins and agreement edits waited 30 s behind an import and answered 500 "database is
    locked": now a write waits at most the server's lock timeout, then 503 + Retry-After;
    reads go on."""
    from fastapi.testclient import TestClient

    from opgave import service as service_module
    from opgave.api import create_app

    monkeypatch.setattr(service_module, "SERVER_BUSY_TIMEOUT_S", 0.3)
    app = create_app(sqlite_url)
    headers = {"Authorization": f"Bearer {tokens['rijk']}"}
    with TestClient(app) as client:
        started = time.monotonic()
        login = client.post("/api/v1/auth/login", json={"name": "rijk", "password": PASSWORD})
        edit = client.patch(
            "/api/v1/agreements/ZR-ACTUALISATIE",
            json={"status": "in_progress", "version": 1},
            headers=headers,
        )
        read = client.get("/api/v1/overview", headers=headers)
        took = time.monotonic() - started
    assert login.status_code == 503 and int(login.headers["retry-after"]) >= 1
    assert edit.status_code == 503 and int(edit.headers["retry-after"]) >= 1
    assert "busy" in edit.json()["detail"]
    assert read.status_code == 200 and took < 10
    app.state.opgave.service.engine.dispose()
