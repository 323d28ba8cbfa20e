"""Sign-ins under attack (break 5): failed sign-ins slow down per account and per address
(429 + Retry-After), and password hashes are computed one per core at a time."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_fixtures import PASSWORD

from opgave.api import create_app
from opgave.service import ServiceError, throttle, users
from opgave.service.throttle import LoginThrottle


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_break_5_delays_grow_per_account_after_five_failures() -> None:
    """4.7 wrong guesses per second per client, no lockout: now 5 free, then 1, 2, 4, ... s."""
    clock = Clock()
    limit = LoginThrottle(clock=clock)
    for _ in range(5):
        limit.check("rijk", "10.0.0.1")
        limit.failed("rijk", "10.0.0.1")
    assert limit.wait_s("rijk", "10.0.0.1") == 0.0  # five failures are free
    limit.failed("rijk", "10.0.0.1")
    waits = [limit.wait_s("rijk", "10.0.0.2")]  # another address, the same account
    for _ in range(4):
        clock.now += waits[-1]
        limit.failed("rijk", "10.0.0.3")
        waits.append(limit.wait_s("rijk", "10.0.0.4"))
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0]
    with pytest.raises(ServiceError) as refused:
        limit.check("rijk", "10.0.0.5")
    assert refused.value.status == 429 and refused.value.retry_after == 16
    assert limit.wait_s("zr", "10.0.0.5") == 0.0  # other accounts are not held up
    clock.now += 3600 + 16
    limit.failed("rijk", "10.0.0.1")
    assert limit.wait_s("rijk", "10.0.0.9") == 0.0  # the window forgot


def test_break_5_an_address_guessing_many_accounts_is_slowed_too() -> None:
    clock = Clock()
    limit = LoginThrottle(clock=clock)
    for i in range(20):
        limit.failed(f"user{i}", "10.0.0.1")
    assert limit.wait_s("user99", "10.0.0.1") == 0.0
    limit.failed("user20", "10.0.0.1")
    assert limit.wait_s("user99", "10.0.0.1") == 1.0  # a fresh account, the same address
    limit.succeeded("user20", "10.0.0.1")  # one good account does not launder the address
    assert limit.wait_s("user99", "10.0.0.1") == 1.0
    limit.succeeded("rijk", None)
    assert limit.wait_s("user99", "10.0.0.2") == 0.0


def test_break_5_the_api_answers_429_with_retry_after(
    sqlite_url: str, tokens: dict[str, str]
) -> None:
    app = create_app(sqlite_url)
    frozen = time.monotonic()  # the wait must not run out while a loaded machine hashes
    app.state.opgave.service.logins.clock = lambda: frozen
    with TestClient(app) as client:
        codes = [
            client.post("/api/v1/auth/login", json={"name": "rijk", "password": f"fout-{i:04d}"})
            for i in range(6)
        ]
        assert [c.status_code for c in codes] == [401] * 6
        held = client.post("/api/v1/auth/login", json={"name": "rijk", "password": PASSWORD})
        assert held.status_code == 429  # even the right password waits its turn
        assert int(held.headers["retry-after"]) >= 1
        assert "try again in" in held.json()["detail"]
        page = client.post("/login", data={"name": "rijk", "password": PASSWORD, "next": "/"})
        assert page.status_code == 429 and 'data-testid="login-throttled"' in page.text
        other = client.post("/api/v1/auth/login", json={"name": "zr", "password": PASSWORD})
        assert other.status_code == 200  # another account from the same address: fine
    app.state.opgave.service.engine.dispose()


def test_break_5_password_hashes_run_one_per_core_at_most(monkeypatch: Any) -> None:
    """40 sign-ins at once took the server from 530 MB to 1.45 GB (argon2 at 64 MiB each):
    now at most HASH_SLOTS hashes run at once, each with OWASP's 19 MiB."""
    assert users.ARGON2_MEMORY_KIB == 19_456 and users._hasher().memory_cost == 19_456
    running, most = 0, 0
    lock = threading.Lock()

    class Slow:
        def verify(self, _hash: str, _password: str) -> bool:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.02)
            with lock:
                running -= 1
            return True

    monkeypatch.setattr(users, "_hasher", Slow)
    threads = [
        threading.Thread(target=users.verify_password, args=("$argon2id$x", "secret"))
        for _ in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 1 <= most <= throttle.HASH_SLOTS


def test_break_5_hashing_waits_for_a_slot_and_refuses_in_words_when_none_frees(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(throttle, "_SLOTS", threading.BoundedSemaphore(1))
    with (
        throttle.hash_slot(),  # the only slot taken
        pytest.raises(ServiceError) as refused,
        throttle.hash_slot(wait_s=0.05),
    ):
        pass
    assert refused.value.status == 503 and refused.value.retry_after == 1
