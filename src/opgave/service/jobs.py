"""Background jobs of the API: forecast runs and plan-list imports in worker threads, with
status and progress.

Inputs: a job's kind and parameters (a forecast's area, runs, seed, scenario and a scenario
to compare with; a plan list's file name, capture date and ``partial``), and the work to do.
Outputs: :class:`Job` records - status (queued, running, done, failed), progress 0-1 with
the current stage, and when done the result (a forecast's per-target results in the fields
of ``opgave forecast --json``; a plan list's import report); when failed the reason and,
for a refused input, every problem (a ``ServiceError``).
Derives: nothing itself; the forecast is ``forecasting.run``, the same function the
command line calls, the import ``pipeline.import_upload``. Jobs live in the server
process's memory: they are lost on restart, at most ``max_jobs`` are kept (the oldest
finished ones are forgotten first) and at most ``max_waiting`` may wait. One worker thread
per kind runs that kind's jobs in order (the forecast itself uses every core), so an import
never waits behind a long forecast.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from opgave.access import Principal
from opgave.service import Service, forecasting, pipeline
from opgave.service.errors import ServiceError
from opgave.service.forecasting import BASE

JOB_STATUSES = ("queued", "running", "done", "failed")
Progress = Callable[[float, str], None]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Job:
    """One background job: who asked for what, where it stands, and its result or error."""

    id: str
    kind: str
    params: dict[str, Any]
    user_name: str
    created_at: str
    status: str = "queued"
    progress: float = 0.0
    stage: str = "queued"
    started_at: str | None = None
    finished_at: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    error_status: int | None = None

    def as_dict(self, with_result: bool = True) -> dict[str, Any]:
        """The job as the API shows it (the result only when asked and done)."""
        data = asdict(self)
        if not with_result:
            data["result"] = None
        return data


class JobsFull(RuntimeError):
    """Too many jobs are waiting; the caller should try again later."""


@dataclass
class JobRegistry:
    """The jobs of one server process, each kind's run one at a time by its own daemon worker
    thread."""

    max_jobs: int = 50
    max_waiting: int = 8
    _jobs: dict[str, Job] = field(default_factory=dict)
    _work: dict[str, Callable[[Progress], dict[str, Any]]] = field(default_factory=dict)
    _queues: dict[str, queue.Queue[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: dict[str, threading.Thread] = field(default_factory=dict)

    def submit(
        self,
        kind: str,
        params: Mapping[str, Any],
        user_name: str,
        work: Callable[[Progress], dict[str, Any]],
    ) -> Job:
        """Queue ``work`` (called with a progress callback; returns the result) as a job."""
        with self._lock:
            waiting = sum(1 for j in self._jobs.values() if j.status == "queued")
            if waiting >= self.max_waiting:
                raise JobsFull(f"{waiting} jobs are waiting already; try again in a minute")
            self._forget_old()
            job = Job(
                id=uuid.uuid4().hex[:16],
                kind=kind,
                params=dict(params),
                user_name=user_name,
                created_at=_now(),
            )
            self._jobs[job.id] = job
            self._work[job.id] = work
            lane = self._queues.setdefault(kind, queue.Queue())
            worker = self._workers.get(kind)
            if worker is None or not worker.is_alive():
                worker = threading.Thread(
                    target=self._run, args=(lane,), name=f"opgave-jobs-{kind}", daemon=True
                )
                self._workers[kind] = worker
                worker.start()
        lane.put(job.id)
        return job

    def _forget_old(self) -> None:
        finished = sorted(
            (j for j in self._jobs.values() if j.status in ("done", "failed")),
            key=lambda j: j.finished_at or "",
        )
        while len(self._jobs) >= self.max_jobs and finished:
            self._jobs.pop(finished.pop(0).id, None)

    def get(self, job_id: str) -> Job | None:
        """A copy of the job with this id as it stands now, or None (unknown, forgotten, or
        from before a restart). A copy: the worker goes on changing the job while a page is
        rendered from it, and a page must not see it running at its top and finished below
        (the worker sets a result or an error before the final status, so a copy whose status
        is final has them)."""
        job = self._jobs.get(job_id)
        return replace(job) if job is not None else None

    def recent(self) -> list[Job]:
        """Copies of every job kept, newest first."""
        jobs = [replace(j) for j in list(self._jobs.values())]
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)

    def latest_done(self, kind: str) -> Job | None:
        """The most recently finished successful job of a kind (a copy)."""
        done = [j for j in self.recent() if j.kind == kind and j.status == "done"]
        return max(done, key=lambda j: j.finished_at or "", default=None)

    def _run(self, lane: queue.Queue[str]) -> None:
        while True:
            job_id = lane.get()
            job, work = self._jobs.get(job_id), self._work.pop(job_id, None)
            if job is None or work is None:
                continue
            job.status, job.started_at, job.stage = "running", _now(), "starting"

            def report(progress: float, stage: str, job: Job = job) -> None:
                job.progress, job.stage = min(max(progress, 0.0), 1.0), stage

            try:
                job.result = work(report)
            except ServiceError as error:  # refused: every problem, as the request would get
                job.error, job.problems, job.error_status = (
                    error.detail,
                    error.problems,
                    error.status,
                )
                job.status, job.stage = "failed", "failed"
            except Exception as error:  # a failed job reports why; the worker goes on
                job.error = str(error) or type(error).__name__
                job.status, job.stage = "failed", "failed"
            else:
                job.status, job.progress, job.stage = "done", 1.0, "done"
            job.finished_at = _now()


def forecast_work(
    svc: Service,
    *,
    area: str | None,
    runs: int,
    seed: int,
    scenario: str | None,
    vs: str | None,
) -> Callable[[Progress], dict[str, Any]]:
    """The work of a forecast job: run the scenario (and the one to compare with) and return
    :func:`forecasting.payload`. Progress moves by stage: 0.1 once the data is read, then in
    equal steps per forecast run (the engine reports no progress within a run)."""

    def work(report: Progress) -> dict[str, Any]:
        report(0.02, "loading")
        svc.state()
        chosen = [scenario] if vs is None else [scenario, None if vs == BASE else vs]
        results = []
        for i, name in enumerate(chosen):
            report(0.1 + 0.85 * i / len(chosen), f"forecast {i + 1} of {len(chosen)}")
            results.append(
                forecasting.run(svc, area=area, runs=runs, seed=seed, scenario_name=name)
            )
        report(0.97, "summarising")
        return forecasting.payload(
            results[0], results[1] if len(results) > 1 else None,
            area=area, scenario=scenario, vs=vs,
        )  # fmt: skip

    return work


def plan_list_work(
    svc: Service,
    principal: Principal,
    name: str,
    content: bytes,
    *,
    captured: dt.date,
    partial: bool = False,
) -> Callable[[Progress], dict[str, Any]]:
    """The work of a plan-list job: ``pipeline.import_upload`` with the job's progress; a
    refusal fails the job with every problem."""

    def work(report: Progress) -> dict[str, Any]:
        result = pipeline.import_upload(
            svc, principal, name, content, captured=captured, partial=partial, progress=report
        )
        return asdict(result)

    return work
