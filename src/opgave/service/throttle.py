"""Sign-in throttling: growing delays after failed sign-ins, per account and per client
address, and a cap on password hashes computed at once.

Inputs: the account name and the client's address of each sign-in, whether it failed.
Outputs: how long a sign-in must wait (0: go ahead) - the API answers 429 with
``Retry-After`` - and a slot to compute a password hash in. Derives: after ``free`` failures
within ``window_s`` the next attempt waits ``base_delay_s``, then twice that after each
further failure, up to ``max_delay_s``; a success forgives the account (not the address: one
good account must not launder guesses at others). State lives in the process (with several
workers each counts its own; docs/operations.md).

Why a cap on hashes: argon2id takes memory and CPU by design; forty sign-ins at once took a
server from 530 MB to 1.45 GB and a reader's latency to 2.9 s. At most ``HASH_SLOTS``
hashes run at once, the others wait their turn (briefly: one takes about 30 ms).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from opgave.service.errors import ServiceError

HASH_SLOTS = max(1, os.cpu_count() or 1)
"""Password hashes computed at once (one per core)."""
HASH_WAIT_S = 10.0
"""How long a sign-in waits for a hash slot before it is refused (503)."""
_SLOTS = threading.BoundedSemaphore(HASH_SLOTS)


@contextmanager
def hash_slot(wait_s: float = HASH_WAIT_S) -> Iterator[None]:
    """A slot to compute one password hash in (waiting for one; 503 when none frees up)."""
    if not _SLOTS.acquire(timeout=wait_s):
        raise ServiceError.refused(503, "sign_ins_busy", retry_after=1)
    try:
        yield
    finally:
        _SLOTS.release()


@dataclass
class _Count:
    failures: int = 0
    last_failure: float = 0.0
    blocked_until: float = 0.0


class LoginThrottle:
    """Failed sign-ins per account and per address with growing delays (thread-safe)."""

    def __init__(
        self,
        *,
        free_per_account: int = 5,
        free_per_address: int = 20,
        base_delay_s: float = 1.0,
        max_delay_s: float = 900.0,
        window_s: float = 3600.0,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = {"account": free_per_account, "address": free_per_address}
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.window_s = window_s
        self.max_keys = max_keys
        self.clock = clock
        self._counts: dict[tuple[str, str], _Count] = {}
        self._lock = threading.Lock()

    def _keys(self, account: str, address: str | None) -> list[tuple[str, str]]:
        return [("account", account)] + ([("address", address)] if address else [])

    def wait_s(self, account: str, address: str | None) -> float:
        """How long this sign-in must wait before it may be tried (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [
                count.blocked_until - now
                for key in self._keys(account, address)
                if (count := self._counts.get(key)) is not None
            ]
        return max([0.0, *waits])

    def check(self, account: str, address: str | None) -> None:
        """Refuse (429 with the seconds to wait) a sign-in that must wait."""
        wait = self.wait_s(account, address)
        if wait > 0:
            seconds = math.ceil(wait)
            raise ServiceError.refused(
                429, "sign_ins_throttled", seconds=seconds, retry_after=seconds
            )

    def delay_s(self, kind: str, failures: int) -> float:
        """The wait after ``failures`` failures in a row of an account or an address."""
        over = failures - self.free[kind]
        if over <= 0:
            return 0.0
        return float(min(self.base_delay_s * 2 ** (over - 1), self.max_delay_s))

    def failed(self, account: str, address: str | None) -> None:
        """Count a failed sign-in against the account and the address."""
        now = self.clock()
        with self._lock:
            if len(self._counts) >= self.max_keys:
                self._forget(now)
            for key in self._keys(account, address):
                count = self._counts.setdefault(key, _Count())
                if now - count.last_failure > self.window_s:
                    count.failures = 0
                count.failures += 1
                count.last_failure = now
                count.blocked_until = now + self.delay_s(key[0], count.failures)

    def succeeded(self, account: str, address: str | None) -> None:
        """A good sign-in forgives the account's failures."""
        with self._lock:
            self._counts.pop(("account", account), None)

    def _forget(self, now: float) -> None:
        """Drop what the window has forgotten; if still full, the oldest half."""
        self._counts = {
            k: c for k, c in self._counts.items() if now - c.last_failure <= self.window_s
        }
        if len(self._counts) >= self.max_keys:
            kept = sorted(self._counts.items(), key=lambda kc: kc[1].last_failure)
            self._counts = dict(kept[len(kept) // 2 :])
