"""Durable background jobs (break 6): jobs lived in the server process - lost on restart,
and with `--workers N` a job started on one worker was a 404 on another. Now they are
stored: any worker shows and runs them, a restart resumes them (or fails them with the
reason), and they can be cancelled."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_fixtures import GOOD_PLANS

from opgave.api import create_app
from opgave.service import Service, jobs, users
from opgave.service.jobs import JobRegistry

RELEASE = threading.Event()
STEPS: list[str] = []


@jobs.kind("test-steps")
def _steps(svc: Any, params: Any, spec: Any, file: Any, report: Any, done: Any) -> dict[str, Any]:
    """Reports progress until released (a cancellation stops it at a report)."""
    for step in range(500):
        report(step / 500, f"step {step}")
        STEPS.append(f"step {step}")
        if RELEASE.wait(0.01):
            break
    return {"steps": len(STEPS)}


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def finished(registry: JobRegistry, job_id: str, timeout: float = 30) -> jobs.Job:
    deadline = time.monotonic() + timeout
    while True:
        job = registry.get(job_id)
        assert job is not None
        if job.status in jobs.FINISHED or time.monotonic() > deadline:
            return job
        time.sleep(0.02)


def test_break_6_a_job_started_on_one_worker_is_seen_and_done_by_another(
    sqlite_url: str, tokens: dict[str, str]
) -> None:
    """Two server processes on one database (as `serve --workers 2`): the one that did not
    start the job answers for it, and the job runs in one of them."""
    first, second = create_app(sqlite_url, run_jobs=False), create_app(sqlite_url)
    with TestClient(first) as one, TestClient(second) as two:
        started = one.post(
            "/api/v1/jobs/plans",
            headers=headers(tokens["rijk"]),
            files={"file": ("plannen.csv", GOOD_PLANS.encode(), "text/csv")},
            data={"date": "2025-01-01", "partial": "true"},
        )
        assert started.status_code == 202
        job_id = started.json()["id"]
        seen = two.get(f"/api/v1/jobs/{job_id}", headers=headers(tokens["kijker"]))
        assert seen.status_code == 200  # was a 404 on another worker
        done = finished(second.state.opgave.jobs, job_id)
        assert done.status == "done" and done.result is not None
        assert sorted(done.result["added"]) == ["P-AMS-1", "P-AMS-2", "P-RTD-1"]
        again = one.get(f"/api/v1/jobs/{job_id}", headers=headers(tokens["kijker"])).json()
        assert again["status"] == "done" and again["result"]["added"] == done.result["added"]
    for app in (first, second):
        app.state.opgave.service.engine.dispose()


def test_break_6_a_queued_job_survives_a_restart_with_its_file(
    sqlite_url: str, db_file: Path
) -> None:
    """A plan list queued before a restart is imported by the server that comes up after,
    from the file kept with the job (which is let go of once the job has ended)."""
    svc = Service(sqlite_url, concurrent=True)
    editor = users.find_user(svc, "mra")
    assert editor is not None
    before = JobRegistry(svc, run=False)  # the server that stops before doing it
    work = jobs.plan_list_work(
        svc, editor, "plannen.csv", GOOD_PLANS.encode(), captured=_date(), partial=True
    )
    job = before.submit("plans", work.params, editor.name, work)
    before.close()
    with sqlite3.connect(db_file) as connection:
        assert connection.execute("SELECT count(*) FROM job_file").fetchone()[0] == 1
    after = JobRegistry(Service(sqlite_url, concurrent=True))  # the restarted server
    after.start()
    done = finished(after, job.id)
    after.close()
    # the MRA's editor may not write Rotterdam's plan: refused as the upload would be
    assert done.status == "failed" and done.error_status == 403, done
    with sqlite3.connect(db_file) as connection:
        assert connection.execute("SELECT count(*) FROM job_file").fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM plan").fetchone()[0] == 0
    svc.engine.dispose()


def _date() -> Any:
    import datetime as dt

    return dt.date(2025, 1, 1)


def _orphan(db_file: Path, job_id: str, attempts: int) -> None:
    """Make a job look as if its worker died while running it (a process that is gone)."""
    dead = f"{socket.gethostname()}:999999999:gone"
    with sqlite3.connect(db_file) as connection:
        connection.execute(
            "UPDATE job SET status = 'running', worker = ?, attempts = ?, "
            "heartbeat_at = '2025-01-01T00:00:00Z' WHERE id = ?",
            (dead, attempts, job_id),
        )


def test_break_6_a_job_whose_worker_died_is_resumed_then_failed_with_the_reason(
    sqlite_url: str, db_file: Path
) -> None:
    svc = Service(sqlite_url, concurrent=True)
    stopped = JobRegistry(svc, run=False)
    RELEASE.set()
    resumed = stopped.submit("forecast", {}, "rijk", jobs.Work("test-steps", {}))
    given_up = stopped.submit("forecast", {}, "rijk", jobs.Work("test-steps", {}))
    _orphan(db_file, resumed.id, attempts=1)
    _orphan(db_file, given_up.id, attempts=2)
    restarted = JobRegistry(svc)
    assert sorted(restarted.recover(force=True)) == sorted([resumed.id, given_up.id])
    restarted.start()
    assert finished(restarted, resumed.id).status == "done"
    failed = restarted.get(given_up.id)
    assert failed is not None and failed.status == "failed"
    assert failed.error is not None and "stopped 2 time(s)" in failed.error
    assert "start it again" in failed.error
    restarted.close()
    svc.engine.dispose()


def test_break_6_jobs_are_cancelled_queued_or_running(sqlite_url: str, tmp_path: Path) -> None:
    svc = Service(sqlite_url, concurrent=True)
    rijk, zr = users.find_user(svc, "rijk"), users.find_user(svc, "zr")
    assert rijk is not None and zr is not None
    idle = JobRegistry(svc, run=False)
    queued = idle.submit("forecast", {}, "rijk", jobs.Work("test-steps", {}))
    with pytest.raises(jobs.ServiceError) as not_yours:
        idle.cancel(queued.id, zr)
    assert not_yours.value.status == 403
    cancelled = idle.cancel(queued.id, rijk)
    assert cancelled.status == "cancelled" and cancelled.finished_at is not None
    RELEASE.clear()
    STEPS.clear()
    working = JobRegistry(svc)
    running = working.submit("forecast", {}, "rijk", jobs.Work("test-steps", {}))
    deadline = time.monotonic() + 10
    while len(STEPS) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    working.cancel(running.id, rijk)
    stopped = finished(working, running.id)
    assert stopped.status == "cancelled" and len(STEPS) < 500
    with pytest.raises(jobs.ServiceError) as ended:
        working.cancel(running.id, rijk)
    assert ended.value.status == 409
    working.close()
    idle.close()
    RELEASE.set()
    svc.engine.dispose()


def test_break_6_a_cancelled_import_writes_nothing(sqlite_url: str, tokens: dict[str, str]) -> None:
    """Cancelling a plan list before it is written: nothing of it is stored."""
    app = create_app(sqlite_url, run_jobs=False)
    with TestClient(app) as client:
        started = client.post(
            "/api/v1/jobs/plans",
            headers=headers(tokens["rijk"]),
            files={"file": ("plannen.csv", GOOD_PLANS.encode(), "text/csv")},
            data={"date": "2025-01-01"},
        )
        job_id = started.json()["id"]
        cancelled = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=headers(tokens["rijk"]))
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        plans = client.get("/api/v1/plans", headers=headers(tokens["rijk"])).json()
        assert plans["total"] == 0
    app.state.opgave.service.engine.dispose()
