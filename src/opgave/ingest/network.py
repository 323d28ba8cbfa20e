"""Why a download failed, in one line a person can act on (no urllib3 or requests text)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

UNRESOLVED = (
    "NameResolutionError",
    "Name or service not known",
    "Temporary failure in name resolution",
    "nodename nor servname",
    "getaddrinfo failed",
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, its causes and contexts, and the errors it carries (urllib3's ``reason``)."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        for nxt in (e.__cause__, e.__context__, getattr(e, "reason", None), *e.args):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def problem(error: BaseException, host: str) -> str:
    """What went wrong when reaching ``host``: 'cannot reach opendata.cbs.nl: the name does not
    resolve (no internet connection?)', 'refused the connection', 'did not answer in time',
    'answered HTTP 404', else the error's first line."""
    chain = list(_chain(error))
    text = " ".join(str(e) for e in chain)
    if any(isinstance(e, socket.gaierror) for e in chain) or any(u in text for u in UNRESOLVED):
        return f"cannot reach {host}: the name does not resolve (no internet connection?)"
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "Connection refused" in text:
        return f"cannot reach {host}: it refused the connection"
    if any(isinstance(e, TimeoutError | socket.timeout) for e in chain) or "timed out" in text:
        return f"cannot reach {host}: it did not answer in time"
    for e in chain:
        status = getattr(getattr(e, "response", None), "status_code", None) or getattr(
            e, "code", None
        )
        if isinstance(status, int):
            return f"{host} answered HTTP {status}"
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return f"cannot reach {host}: the secure connection failed"
    first = (str(error).splitlines() or [type(error).__name__])[0]
    return f"{host}: {first[:200]}"
