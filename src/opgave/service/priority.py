"""CPU priority of background work: a job reads and prepares at a lower priority, so that
pages and API answers come first, but holds the database's write lock at the normal one.

Why both: on a busy machine a low-priority process gets a small share of the CPU, and while
it holds SQLite's write lock every other writer waits for it - a second of work under the
lock became ten. So the job's own thread is lowered (Linux: a thread's nice value), and the
work under the lock is handed to a thread kept at the normal priority (:func:`urgent`).
Where a thread's priority cannot be set, everything runs as it is.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_lowered: set[int] = set()
_urgent: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def prepare() -> None:
    """Start the normal-priority thread now, from a thread at the normal priority (a thread
    inherits the priority of the thread that starts it)."""
    global _urgent
    with _lock:
        if _urgent is None:
            _urgent = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opgave-urgent")
            _urgent.submit(lambda: None).result()


def lower_this_thread(by: int) -> bool:
    """Lower the calling thread's CPU priority (nice + ``by``); False where not possible."""
    if by <= 0 or not hasattr(os, "setpriority"):
        return False
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + by))
    except OSError:
        return False
    _lowered.add(threading.get_ident())
    return True


def urgent(work: Callable[[], T]) -> T:
    """Do ``work`` at the normal priority: in the prepared thread when the caller's priority
    was lowered, else right here."""
    if threading.get_ident() not in _lowered or _urgent is None:
        return work()
    return _urgent.submit(work).result()
