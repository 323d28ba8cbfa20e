"""Background jobs of the API: forecast runs and plan-list imports in worker threads, with
status and progress.

Inputs: a job's kind and parameters (a forecast's area, runs, seed, scenario and a scenario
to compare with; a plan list's file name, capture date and ``partial``), and the work to do.
Outputs: :class:`Job` records - status (queued, running, done, failed), progress 0-1 with
the current stage, and when done the result (a forecast's per-target results in the fields
of ``opgave forecast --json``; a plan list's import report); when failed the reason and,
for bad input, every problem (:class:`JobInputError`).
Derives: nothing itself; the forecast is ``outlook.run_scenario``, the same function the
command line calls, the import ``api.writes.import_plan_list``. Jobs live in the server
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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from opgave import outlook, store
from opgave.model import Scenario

JOB_STATUSES = ("queued", "running", "done", "failed")
BASE = "base"
"""The name that stands for "no scenario" (as in ``opgave forecast --vs base``)."""
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


class JobInputError(ValueError):
    """A job refused its input: why, every problem (file, row, field, message) and the HTTP
    status the same request would have had answered at once (422 bad input, 403 outside the
    writer's areas)."""

    def __init__(self, detail: str, problems: list[dict[str, Any]], status: int = 422) -> None:
        super().__init__(detail)
        self.problems = problems
        self.status = status


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
        """The job with this id, or None (unknown, forgotten, or from before a restart)."""
        return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        """Every job kept, newest first."""
        return sorted(self._jobs.values(), key=lambda j: j.created_at, reverse=True)

    def latest_done(self, kind: str) -> Job | None:
        """The most recently finished successful job of a kind."""
        done = [j for j in self._jobs.values() if j.kind == kind and j.status == "done"]
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
            except JobInputError as error:  # bad input: every problem, as the request would get
                job.error, job.problems, job.error_status = str(error), error.problems, error.status
                job.status, job.stage = "failed", "failed"
            except Exception as error:  # a failed job reports why; the worker goes on
                job.error = str(error) or type(error).__name__
                job.status, job.stage = "failed", "failed"
            else:
                job.status, job.progress, job.stage = "done", 1.0, "done"
            job.finished_at = _now()


def scenario_data(engine: Engine, name: str | None) -> tuple[str, dict[str, Any]] | None:
    """A stored scenario as ``(label, parsed TOML)`` (None for the base case); raises
    ``KeyError`` naming the stored scenarios when it is unknown, ``ForecastInputError`` when
    its TOML does not parse."""
    if name is None or name == BASE:
        return None
    with store.transaction(engine) as session:
        stored = session.get(Scenario, name)
        if stored is None:
            names = sorted(s for s in session.scalars(select(Scenario.id)))
            raise KeyError(f"unknown scenario {name!r}; scenarios: {', '.join(names) or 'none'}")
        text = stored.overrides_toml
    data = outlook.parse_scenario(text, f"scenario {name}")
    return (f"scenario {name}", data) if data else None


def forecast_payload(result: outlook.Outlook) -> dict[str, Any]:
    """A forecast's settings and per-target results (the fields of ``opgave forecast --json``)."""
    return {
        "start_year": result.start_year,
        "runs": result.runs,
        "seed": result.seed,
        "plans": result.plans,
        "assumptions": [Path(a).name for a in result.assumptions],
        "targets": [asdict(t) for t in result.targets],
    }


def forecast_work(
    engine: Engine,
    *,
    area: str | None,
    runs: int,
    seed: int,
    scenario: str | None,
    vs: str | None,
) -> Callable[[Progress], dict[str, Any]]:
    """The work of a forecast job: load the programme, run the scenario (and the one to
    compare with), and return the payload. Progress moves by stage: 0.1 once the data is
    read, then in equal steps per forecast run (the engine reports no progress within a run)."""

    def work(report: Progress) -> dict[str, Any]:
        report(0.02, "loading")
        with store.transaction(engine) as session:
            programme = outlook.load_programme(session)
        area_ids = outlook.area_scope(area, programme.areas, programme.members)
        chosen = [scenario_data(engine, scenario)]
        if vs is not None:
            chosen.append(scenario_data(engine, vs))
        results = []
        for i, data in enumerate(chosen):
            report(0.1 + 0.85 * i / len(chosen), f"forecast {i + 1} of {len(chosen)}")
            results.append(
                outlook.run_scenario(
                    programme, scenario=data, area_ids=area_ids, runs=runs, seed=seed
                )
            )
        report(0.97, "summarising")
        payload = forecast_payload(results[0])
        if vs is not None:
            other = {t.target_id: asdict(t) for t in results[1].targets}
            for record in payload["targets"]:
                record["vs"] = other.get(record["target_id"])
        payload.update(area=area, scenario=scenario, vs=vs)
        return payload

    return work


__all__ = [
    "BASE",
    "JOB_STATUSES",
    "Job",
    "JobInputError",
    "JobRegistry",
    "JobsFull",
    "forecast_payload",
    "forecast_work",
    "scenario_data",
]
