"""What a failure of the machine means, in words: database errors, full disks, missing files.

Inputs: an exception raised below the service layer (SQLAlchemy wrapping sqlite3 or psycopg,
an ``OSError``, ``MemoryError``) and the database URL as it may be shown. Outputs: a
:class:`~opgave.service.errors.ServiceError` with one line that says what happened and what
to do - or None when the error is not one of these (a bug: let it be seen). Derives: the
kind of failure from SQLite's error name or PostgreSQL's SQLSTATE, never from the text of
the message alone, and never shows a password.

Statuses (the HTTP vocabulary of :mod:`opgave.service.errors`): 503 with ``retry_after``
when the database is busy (another writer holds the lock) or unreachable, 503 without it
when it is read-only, 507 when the disk (or the memory) is full, 400 when the file is not
usable as a database; the command line turns 503 into exit code 75 (try again later) and 507
into 74 (I/O error).
"""

from __future__ import annotations

import errno
from typing import Any

from sqlalchemy.exc import DBAPIError

from opgave.service.errors import ServiceError

BUSY_RETRY_AFTER_S = 2
"""What a busy database answers in ``Retry-After``: a write holds the lock for seconds."""
UNREACHABLE_RETRY_AFTER_S = 10
DATABASE_ERRORS: tuple[type[BaseException], ...] = (DBAPIError,)
"""The exception classes :func:`translate` knows about the database (for a door's handler)."""
EXIT_CODES = {503: 75, 507: 74}
"""The command line's exit code for a status (others: 1): 75 EX_TEMPFAIL, 74 EX_IOERR."""
PG_BUSY = {"55P03", "40P01", "40001", "57014"}
"""lock_not_available, deadlock_detected, serialization_failure, query_canceled (timeout)."""
PG_FULL = {"53100", "53200"}
"""disk_full, out_of_memory."""
PG_READ_ONLY = {"25006"}
PG_UNAVAILABLE = {"53300", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006"}


def exit_code(status: int) -> int:
    """The command line's exit code for a refusal's status."""
    return EXIT_CODES.get(status, 1)


def busy(shown_url: str) -> ServiceError:
    """The database is locked by another writer: try again shortly."""
    return ServiceError.refused(503, "busy", url=shown_url, retry_after=BUSY_RETRY_AFTER_S)


def read_only(shown_url: str) -> ServiceError:
    """The database cannot be written (a read-only file or server)."""
    return ServiceError.refused(503, "read_only", url=shown_url)


def disk_full(where: str) -> ServiceError:
    """No space left: the write was rolled back."""
    return ServiceError.refused(507, "disk_full", where=where)


def _sqlite_name(orig: Any) -> str:
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str):
        return name
    text = str(orig).lower()  # before Python 3.11 or a driver without the name
    for needle, guessed in (
        ("database is locked", "SQLITE_BUSY"),
        ("database table is locked", "SQLITE_LOCKED"),
        ("database or disk is full", "SQLITE_FULL"),
        ("readonly database", "SQLITE_READONLY"),
        ("unable to open database", "SQLITE_CANTOPEN"),
        ("file is not a database", "SQLITE_NOTADB"),
        ("disk i/o error", "SQLITE_IOERR"),
    ):
        if needle in text:
            return guessed
    return ""


def is_busy(error: BaseException) -> bool:
    """True when the error says another connection holds the lock (worth waiting for)."""
    failure = translate(error, "")
    return failure is not None and failure.retry_after == BUSY_RETRY_AFTER_S


def translate(
    error: BaseException, shown_url: str, secret: str | None = None
) -> ServiceError | None:
    """The failure as a refusal with one line of text, or None when it is not a failure of
    the machine (a bug, a constraint violated: those are not translated). ``secret`` (the
    URL's password) is blanked out of any driver message that is shown."""
    if isinstance(error, ServiceError):
        return error
    if isinstance(error, MemoryError):
        return ServiceError.refused(507, "out_of_memory")
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
        if error.errno == errno.ENOSPC:
            return disk_full(error.filename or "writing a file")
        return None
    if not isinstance(error, DBAPIError):
        return None
    orig = error.orig
    if type(orig).__module__.startswith("sqlite3"):
        name = _sqlite_name(orig)
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return busy(shown_url)
        if name.startswith("SQLITE_FULL"):
            return disk_full(f"writing {shown_url}")
        if name.startswith("SQLITE_READONLY"):
            return read_only(shown_url)
        if name.startswith("SQLITE_CANTOPEN"):
            return ServiceError.refused(400, "cannot_open", url=shown_url)
        if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            return ServiceError.refused(400, "not_sqlite", url=shown_url, reason=str(orig))
        if name.startswith("SQLITE_IOERR"):
            return ServiceError.refused(507, "disk_failed", url=shown_url, reason=str(orig))
        return None
    state = getattr(orig, "sqlstate", None)
    if state in PG_BUSY:
        return busy(shown_url)
    if state in PG_FULL:
        return disk_full(f"the database server of {shown_url}")
    if state in PG_READ_ONLY:
        return read_only(shown_url)
    if state in PG_UNAVAILABLE or (state is None and type(orig).__name__ == "OperationalError"):
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        if secret:
            first = first.replace(secret, "***")
        return ServiceError.refused(
            503,
            "unreachable",
            url=shown_url,
            reason=first[:300],
            retry_after=UNREACHABLE_RETRY_AFTER_S,
        )
    return None
