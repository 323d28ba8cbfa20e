"""Backups of a whole database and restoring one, while servers go on using it.

Inputs: the service (its database URL) and a backup file. Outputs: the file written, or the
database replaced by the backup's content; a :class:`BackupReport` (file, bytes, schema
revision). Derives: nothing - SQLite's online backup API copies a consistent snapshot page
by page (readers and writers go on; in WAL mode they are not even paused) into a temporary
file that is renamed into place when whole, so a failed backup leaves no half file; a
restore copies the backup into the live database in one step (other connections see the old
content, then the new). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``,
run when they are installed, else the exact commands are named (docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from opgave import store
from opgave.service import Service, newer_schema
from opgave.service.errors import ServiceError
from opgave.service.failures import disk_full

SQLITE_BACKUP = "sqlite backup"
"""The method of a backup made with SQLite's online backup (a report's ``method``)."""


@dataclass(frozen=True)
class BackupReport:
    """A backup written or restored: the file, its size, the schema revision it holds."""

    file: str
    bytes: int
    revision: str | None
    method: str


def _revision(path: Path) -> str | None:
    """The schema revision of a SQLite file (None: not an opgave database)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _pg(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment that carries it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise ServiceError.refused(
            400, "cannot_run", command=command[0], reason=error.strerror
        ) from None
    if done.returncode != 0:
        first = (done.stderr.strip() or done.stdout.strip() or "failed").splitlines()[0]
        raise ServiceError.refused(400, "tool_failed", tool=what, reason=first[:300])


def backup(svc: Service, target: Path, *, overwrite: bool = False) -> BackupReport:
    """Copy the whole database into ``target`` (an existing file only with ``overwrite``)."""
    if target.exists() and (target.is_dir() or not overwrite):
        raise ServiceError.refused(400, "backup_exists", target=target)
    path = store.sqlite_path(svc.url)
    if path is None:
        return _pg_dump(svc, target)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with (
            sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source,
            sqlite3.connect(partial) as copy,
        ):
            source.backup(copy)
        os.replace(partial, target)
    except sqlite3.OperationalError as error:
        partial.unlink(missing_ok=True)
        if "full" in str(error).lower():
            raise disk_full(f"writing {target}") from None
        raise ServiceError.refused(
            400, "cannot_back_up", url=svc.shown_url, target=target, reason=str(error)
        ) from None
    except OSError as error:
        partial.unlink(missing_ok=True)
        said = svc.failure(error)
        raise said or ServiceError.refused(
            400, "file_failed", path=target, reason=error.strerror
        ) from None
    return BackupReport(str(target), target.stat().st_size, _revision(target), SQLITE_BACKUP)


def _pg_dump(svc: Service, target: Path) -> BackupReport:
    libpq, env = _pg(svc.url)
    tool = shutil.which("pg_dump")
    if tool is None:
        raise ServiceError.refused(400, "no_pg_dump", target=target, url=store.shown(libpq))
    _run([tool, "--format=custom", "--no-owner", f"--file={target}", libpq], env, "pg_dump")
    return BackupReport(str(target), target.stat().st_size, None, "pg_dump --format=custom")


def restore(svc: Service, source: Path, *, replace: bool = False) -> BackupReport:
    """Replace the database's content with a backup's (a database that holds an opgave
    schema already only with ``replace``); a backup a newer opgave wrote is refused."""
    if not source.is_file():
        raise ServiceError.refused(404, "no_backup_file", path=source)
    status, _revision_now = svc.schema()
    if status != "empty" and not replace:
        raise ServiceError.refused(400, "restore_over_data", url=svc.shown_url)
    path = store.sqlite_path(svc.url)
    if path is None:
        return _pg_restore(svc, source)
    revision = _revision(source)
    if revision is None:
        raise ServiceError.refused(422, "not_a_backup", path=source)
    if revision not in store.known_revisions():
        raise newer_schema(str(source), revision)
    svc.engine.dispose()
    try:
        with (
            sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_file,
            sqlite3.connect(path, timeout=30) as live,
        ):
            backup_file.backup(live)
    except sqlite3.OperationalError as error:
        text = str(error).lower()
        if "locked" in text or "busy" in text:
            raise ServiceError.refused(
                503, "restore_busy", url=svc.shown_url, retry_after=2
            ) from None
        if "full" in text:
            raise disk_full(f"writing {svc.shown_url}") from None
        raise ServiceError.refused(
            400, "cannot_restore", url=svc.shown_url, reason=str(error)
        ) from None
    svc.invalidate()
    if revision != store.head_revision():
        store.migrate(svc.engine)  # a backup of an older opgave: brought up to date
    return BackupReport(str(source), source.stat().st_size, revision, SQLITE_BACKUP)


def _pg_restore(svc: Service, source: Path) -> BackupReport:
    libpq, env = _pg(svc.url)
    tool = shutil.which("pg_restore")
    if tool is None:
        raise ServiceError.refused(400, "no_pg_restore", url=store.shown(libpq), path=source)
    svc.engine.dispose()
    _run(
        [tool, "--clean", "--if-exists", "--no-owner", "--single-transaction",
         f"--dbname={libpq}", str(source)],
        env,
        "pg_restore",
    )  # fmt: skip
    svc.invalidate()
    status, revision = svc.schema()
    if status == "older":
        store.migrate(svc.engine)
    return BackupReport(str(source), source.stat().st_size, revision, "pg_restore")
