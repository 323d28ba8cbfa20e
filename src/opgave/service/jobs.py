"""Background jobs: forecast runs and plan-list imports, stored in the database so that any
worker process picks them up and shows them, and a restart does not lose them.

Inputs: a job's kind and its :class:`Work` - the parameters shown (a forecast's area, runs,
seed, scenario and the one to compare with; a plan list's file name, size, capture date and
``partial``), what re-creates the work (who asked, with role and areas) and the uploaded file.
Outputs: :class:`Job` records (copies) - status (queued, running, done, failed, cancelled),
progress 0-1 with the current stage, and when done the result (a forecast's per-target
results in the fields of ``opgave forecast --json``; a plan list's import report); when
failed the reason and, for a refused input, every problem (a ``ServiceError``).
Derives: nothing itself; the forecast is ``forecasting.run``, the same function the
command line calls, the import ``pipeline.import_upload`` - re-created from the stored job
by the function registered for its kind (:data:`KINDS`).

How they run: a :class:`JobRegistry` with ``run=True`` has one worker thread per kind
(an import never waits behind a long forecast) that claims the oldest queued job of its kind
(an atomic update: with several server processes, or ``opgave jobs work`` beside them, each
job runs once), beats a heartbeat while it works, and stores the outcome - a plan list's in
the import's own transaction, so that the import and its job's end are committed together.
A job whose worker stopped (a restart, a crash: its process is gone, or its heartbeat is older
than ``stale_s``) is run again (imports are all or nothing, forecasts only read) up to
``max_attempts`` times, then marked failed with the reason. A queued job can be cancelled at
once; a running one stops at its next progress report (an import before it commits).
At most ``max_waiting`` jobs may wait; of the finished ones the newest ``max_jobs`` are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from opgave import store
from opgave.access import Principal
from opgave.model import Job as JobRow
from opgave.model import JobFile, table_of
from opgave.service import Service, failures, forecasting, pipeline, priority, users
from opgave.service.errors import ServiceError
from opgave.service.forecasting import BASE

FINISHED = ("done", "failed", "cancelled")
CANCELLED_BEFORE = "cancelled before it started"
CANCELLED_WHILE = "cancelled while it ran; nothing written"
OUT_OF_MEMORY = "not enough memory; nothing was written"
"""How a job ended when it did not finish its work (a job's ``error``; the CLI says them in
its language by these constants)."""
Progress = Callable[[float, str], None]
JOB = table_of(JobRow)
JOB_FILE = table_of(JobFile)
HEARTBEAT_S = 2.0
"""How often a running job's worker writes its heartbeat (and progress) and reads whether
the job was cancelled."""
JOB_LOCK_WAIT_S = 120.0
"""How long a job's write waits for the database lock (a job is in no hurry)."""
BOOKKEEPING_TIMEOUT_S = 0.25
"""How long a heartbeat or claim waits for the database lock (an import may hold it; the
next beat tries again)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def _ago(stamp: str | None) -> float:
    """Seconds since an ISO UTC timestamp (infinite for none)."""
    if not stamp:
        return float("inf")
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (dt.datetime.now(dt.UTC) - moment).total_seconds()


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


@dataclass(frozen=True)
class Work:
    """What a job does, as data that can be stored and done again by any worker: its kind,
    the parameters shown, what re-creates the work (``spec``) and the file it works on."""

    kind: str
    params: dict[str, Any]
    spec: dict[str, Any] = field(default_factory=dict)
    file: tuple[str, bytes] | None = None


class JobsFull(RuntimeError):
    """Too many jobs are waiting; the caller should try again later."""


class JobCancelled(Exception):
    """The job was cancelled while it ran (raised at its next progress report)."""


Done = Callable[[Session, dict[str, Any]], None]
"""Stores a job's result inside the caller's write transaction (an import's own)."""
KindRun = Callable[
    [Service, Mapping[str, Any], Mapping[str, Any], bytes | None, Progress, Done],
    dict[str, Any],
]
KINDS: dict[str, KindRun] = {}
"""Job kind -> the function that does a stored job: (service, params, spec, file, progress,
done in a transaction) -> result."""


def kind(name: str) -> Callable[[KindRun], KindRun]:
    """Register the function that does the jobs of a kind."""

    def register(run: KindRun) -> KindRun:
        KINDS[name] = run
        return run

    return register


def _load(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _job(row: Mapping[str, Any]) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        params=_load(row["params_json"], {}),
        user_name=row["user_name"],
        created_at=row["created_at"],
        status=row["status"],
        progress=float(row["progress"] or 0.0),
        stage=row["stage"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        result=_load(row["result_json"], None),
        error=row["error"],
        problems=_load(row["problems_json"], []),
        error_status=row["error_status"],
    )


@dataclass
class _Live:
    """A job running in this process: its progress between heartbeats, whether it was
    cancelled, and whether its outcome is already stored."""

    progress: float = 0.0
    stage: str = "starting"
    cancelled: threading.Event = field(default_factory=threading.Event)
    stored: bool = False


class JobRegistry:
    """The jobs of one installation, in its database; with ``run`` this process works on
    them too (one worker thread per kind, started by :meth:`start` or the first submit)."""

    def __init__(
        self,
        service: Service,
        *,
        max_jobs: int = 50,
        max_waiting: int = 8,
        run: bool = True,
        poll_s: float = 0.5,
        stale_s: float = 60.0,
        max_attempts: int = 2,
        kinds: tuple[str, ...] | None = None,
        nice: int = 0,
    ) -> None:
        self.svc = service
        self.max_jobs = max_jobs
        self.max_waiting = max_waiting
        self.run = run and not service.read_only
        self.poll_s = poll_s
        self.stale_s = stale_s
        self.max_attempts = max_attempts
        self.kinds = kinds
        self.nice = nice
        """How much lower the CPU priority of the worker threads is (the work under the
        database's lock runs at the normal one: :mod:`opgave.service.priority`)."""
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._book: Engine | None = None
        self._live: dict[str, _Live] = {}
        self._lock = threading.Lock()
        self._wake: dict[str, threading.Event] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._stop = threading.Event()
        self._recovered = 0.0

    # ------------------------------------------------------------ bookkeeping

    def _bookkeeping(self) -> Engine:
        """An engine for heartbeats and claims that waits only briefly for a lock."""
        if self._book is None:
            self._book = store.connect(
                self.svc.url,
                create=False,
                busy_timeout_s=BOOKKEEPING_TIMEOUT_S,
                lock_timeout_s=BOOKKEEPING_TIMEOUT_S,
            )
        return self._book

    def _quick(self, write: Callable[[Session], Any]) -> Any:
        """A short write that gives up when the database is busy (None then)."""
        try:
            with store.transaction(self._bookkeeping(), write=True) as session:
                return write(session)
        except DBAPIError as error:
            if failures.is_busy(error):
                return None
            raise

    def close(self) -> None:
        """Stop this process's worker threads (a running job finishes first) and let go of
        the database."""
        self._stop.set()
        for event in self._wake.values():
            event.set()
        for thread in list(self._threads.values()):
            thread.join(timeout=30)
        if self._book is not None:
            self._book.dispose()

    # ------------------------------------------------------------ the API

    def submit(
        self,
        kind_name: str,
        params: Mapping[str, Any],
        user_name: str,
        work: Work,
    ) -> Job:
        """Store ``work`` as a queued job (``params``: what the job shows) and wake a worker."""
        if work.kind not in KINDS:
            raise ValueError(f"no function does jobs of kind {work.kind!r}")
        job = Job(
            id=uuid.uuid4().hex[:16],
            kind=kind_name,
            params=json.loads(_dump(dict(params)) or "{}"),
            user_name=user_name,
            created_at=_now(),
        )
        with self.svc.writing(changes_state=False) as session:
            waiting = session.scalar(
                select(func.count()).select_from(JOB).where(JOB.c.status == "queued")
            )
            if (waiting or 0) >= self.max_waiting:
                raise JobsFull(f"{waiting} jobs are waiting already; try again in a minute")
            self._forget_old(session)
            session.execute(
                JOB.insert().values(
                    id=job.id, kind=job.kind, status="queued", params_json=_dump(job.params),
                    work_json=_dump({"work_kind": work.kind, **work.spec}),
                    user_name=user_name, created_at=job.created_at, progress=0.0,
                    stage="queued", attempts=0, cancel_requested=False,
                )
            )  # fmt: skip
            if work.file is not None:
                session.execute(
                    JOB_FILE.insert().values(job_id=job.id, name=work.file[0], content=work.file[1])
                )
        if self.run:
            self.start()
            self._wake_up(kind_name)
        return replace(job)

    def _forget_old(self, session: Session) -> None:
        """Keep the newest ``max_jobs - 1`` finished jobs (room for the one being added)."""
        finished = session.scalars(
            select(JOB.c.id)
            .where(JOB.c.status.in_(FINISHED))
            .order_by(JOB.c.finished_at.desc(), JOB.c.created_at.desc())
        ).all()
        total = session.scalar(select(func.count()).select_from(JOB)) or 0
        surplus = max(0, total + 1 - self.max_jobs)
        old = list(finished[len(finished) - surplus :]) if surplus else []
        for start in range(0, len(old), 500):
            chunk = old[start : start + 500]
            session.execute(delete(JOB_FILE).where(JOB_FILE.c.job_id.in_(chunk)))
            session.execute(delete(JOB).where(JOB.c.id.in_(chunk)))

    def _rows(self, where: Any, order: Any = None, limit: int | None = None) -> list[Job]:
        query = select(JOB).where(where)
        if order is not None:
            query = query.order_by(order)
        if limit is not None:
            query = query.limit(limit)
        with self.svc.reading() as session:
            found = [_job(dict(r)) for r in session.execute(query).mappings()]
        with self._lock:
            for job in found:
                live = self._live.get(job.id)
                if live is not None and job.status == "running":
                    job.progress, job.stage = live.progress, live.stage
        return found

    def get(self, job_id: str) -> Job | None:
        """The job with this id as it stands now (a copy: a page rendered from it does not
        change under it), or None (unknown, or forgotten among the oldest finished)."""
        found = self._rows(JOB.c.id == job_id)
        if found and found[0].status in FINISHED and _ago(found[0].finished_at) < 10:
            self.svc.expire()  # whoever sees the job end reads what it wrote next
        return found[0] if found else None

    def recent(self) -> list[Job]:
        """Copies of the newest ``max_jobs`` jobs, newest first."""
        return self._rows(JOB.c.id.is_not(None), JOB.c.created_at.desc(), self.max_jobs)

    def latest_done(self, kind_name: str) -> Job | None:
        """The most recently finished successful job of a kind (a copy)."""
        found = self._rows(
            (JOB.c.kind == kind_name) & (JOB.c.status == "done"), JOB.c.finished_at.desc(), 1
        )
        return found[0] if found else None

    def cancel(self, job_id: str, principal: Principal) -> Job:
        """Cancel a job (its owner or an admin): a queued one at once, a running one at its
        next progress report; a finished one is left as it ended (409)."""
        with self.svc.writing(changes_state=False) as session:
            row = session.execute(select(JOB).where(JOB.c.id == job_id)).mappings().first()
            if row is None:
                raise ServiceError.refused(404, "unknown_job", job=job_id)
            if principal.role != "admin" and row["user_name"] != principal.name:
                raise ServiceError.refused(403, "cancel_own_jobs", name=principal.name)
            if row["status"] in FINISHED:
                raise ServiceError.refused(409, "job_ended", job=job_id, state=row["status"])
            if row["status"] == "queued":
                _finish(session, job_id, "cancelled", error=CANCELLED_BEFORE)
            else:
                session.execute(update(JOB).where(JOB.c.id == job_id).values(cancel_requested=True))
        with self._lock:
            live = self._live.get(job_id)
        if live is not None:
            live.cancelled.set()
        found = self.get(job_id)
        assert found is not None
        return found

    # ------------------------------------------------------------ working

    def start(self) -> None:
        """Start this process's worker threads (one per kind; idempotent)."""
        if not self.run:
            return
        if self.nice:
            priority.prepare()
        with self._lock:
            for lane in self.kinds or tuple(KINDS):
                thread = self._threads.get(lane)
                if thread is None or not thread.is_alive():
                    self._wake.setdefault(lane, threading.Event())
                    thread = threading.Thread(
                        target=self._work, args=(lane,), name=f"opgave-jobs-{lane}", daemon=True
                    )
                    self._threads[lane] = thread
                    thread.start()

    def _wake_up(self, lane: str) -> None:
        event = self._wake.get(lane)
        if event is not None:
            event.set()

    def _work(self, lane: str) -> None:
        priority.lower_this_thread(self.nice)
        wake = self._wake[lane]
        while not self._stop.is_set():
            try:
                self.recover()
                job_id = self._claim(lane)
            except Exception:  # the database is away for a moment: try again later
                job_id = None
            if job_id is None:
                wake.wait(self.poll_s)
                wake.clear()
                continue
            self._execute(job_id)

    def work_once(self, lane: str | None = None) -> bool:
        """Do one queued job (of ``lane``, else of any kind) in this thread; False when none
        waits (for ``opgave jobs work`` and tests)."""
        self.recover()
        for name in [lane] if lane else list(KINDS):
            job_id = self._claim(name)
            if job_id is not None:
                self._execute(job_id)
                return True
        return False

    def _claim(self, lane: str) -> str | None:
        """Take the oldest queued job of a kind for this worker (None: none, or another
        worker was quicker)."""
        with self.svc.reading() as session:
            candidate = session.scalar(
                select(JOB.c.id)
                .where(JOB.c.status == "queued", JOB.c.kind == lane)
                .order_by(JOB.c.created_at)
                .limit(1)
            )
        if candidate is None:
            return None
        now = _now()

        def take(session: Session) -> bool:
            taken = session.execute(
                update(JOB)
                .where(JOB.c.id == candidate, JOB.c.status == "queued")
                .values(status="running", worker=self.worker_id, started_at=now,
                        heartbeat_at=now, stage="starting", attempts=JOB.c.attempts + 1)
            )  # fmt: skip
            return bool(getattr(taken, "rowcount", 0))

        return candidate if self._quick(take) else None

    def recover(self, force: bool = False) -> list[str]:
        """Run again, or mark failed with the reason, the jobs whose worker stopped - its
        process is gone (on this host) or its heartbeat is older than ``stale_s``. Checked
        at most every ``stale_s / 4`` seconds unless ``force``; returns the ids handled."""
        now = time.monotonic()
        if not force and now - self._recovered < self.stale_s / 4:
            return []
        self._recovered = now
        host = socket.gethostname()
        with self.svc.reading() as session:
            running = session.execute(
                select(JOB.c.id, JOB.c.worker, JOB.c.heartbeat_at, JOB.c.attempts).where(
                    JOB.c.status == "running"
                )
            ).all()
        orphans = []
        for job_id, worker, beat, attempts in running:
            if worker == self.worker_id and job_id in self._live:
                continue
            w_host, _, rest = (worker or "").partition(":")
            pid = rest.split(":")[0]
            gone = w_host == host and pid.isdigit() and not _alive(int(pid))
            if gone or _ago(beat) > self.stale_s:
                orphans.append((job_id, worker, int(attempts or 0)))
        handled = []
        for job_id, worker, attempts in orphans:

            def settle(session: Session, job_id: str = job_id, worker: str | None = worker,
                       attempts: int = attempts) -> bool:  # fmt: skip
                still = session.execute(
                    select(JOB.c.status, JOB.c.worker).where(JOB.c.id == job_id)
                ).first()
                if still is None or still[0] != "running" or still[1] != worker:
                    return False
                if attempts < self.max_attempts:
                    session.execute(
                        update(JOB)
                        .where(JOB.c.id == job_id)
                        .values(status="queued", stage="queued", progress=0.0, worker=None,
                                error=f"resumed: the worker running it stopped ({worker})")
                    )  # fmt: skip
                else:
                    _finish(
                        session, job_id, "failed",
                        error=f"the worker running it stopped {attempts} time(s) (a restart "
                        "or a crash; last on " + str(worker) + "); start it again",
                    )  # fmt: skip
                return True

            if self._quick(settle):
                handled.append(job_id)
        return handled

    def _execute(self, job_id: str) -> None:
        """Do a claimed job and store how it ended."""
        live = _Live()
        with self._lock:
            self._live[job_id] = live
        stop_beat = threading.Event()
        beat = threading.Thread(
            target=self._beat, args=(job_id, live, stop_beat), name="opgave-job-beat", daemon=True
        )
        beat.start()

        def report(progress: float, stage: str) -> None:
            if live.cancelled.is_set():
                raise JobCancelled(job_id)
            live.progress, live.stage = min(max(progress, 0.0), 1.0), stage

        def done(session: Session, result: dict[str, Any]) -> None:
            if live.cancelled.is_set() or _cancel_requested(session, job_id):
                raise JobCancelled(job_id)  # before the import commits: nothing written
            _finish(session, job_id, "done", result=result)
            live.stored = True

        outcome: dict[str, Any]
        try:
            with self.svc.reading() as session:
                row = session.execute(select(JOB).where(JOB.c.id == job_id)).mappings().one()
                content = session.scalar(
                    select(JOB_FILE.c.content).where(JOB_FILE.c.job_id == job_id)
                )
            spec = _load(row["work_json"], {})
            run = KINDS[spec.get("work_kind", row["kind"])]
            worker = self._worker_service()
            try:
                result = run(worker, _load(row["params_json"], {}), spec, content, report, done)
            finally:
                worker.engine.dispose()
            outcome = {"status": "done", "result": result}
        except JobCancelled:
            outcome = {"status": "cancelled", "error": CANCELLED_WHILE}
        except ServiceError as error:  # refused: every problem, as the request would get
            outcome = {"status": "failed", "error": error.detail, "problems": error.problems,
                       "error_status": error.status}  # fmt: skip
        except MemoryError:
            outcome = {"status": "failed", "error": OUT_OF_MEMORY}
        except Exception as error:  # a failed job reports why; the worker goes on
            said = self.svc.failure(error)
            outcome = {"status": "failed", "error": said.detail if said else str(error)
                       or type(error).__name__}  # fmt: skip
        finally:
            stop_beat.set()
        if not live.stored:
            self._store_outcome(job_id, outcome)
        self.svc.expire()  # what the job wrote is read at the next request
        with self._lock:
            self._live.pop(job_id, None)

    def _worker_service(self) -> Service:
        """A service of its own for one job: the job reads the programme as it is now, and
        its writes leave the server's cached state to be refreshed the way other processes'
        writes are (readers are served the old state while one reloads)."""
        return Service(self.svc.url, concurrent=True, create=False, lock_wait_s=JOB_LOCK_WAIT_S)

    def _store_outcome(self, job_id: str, outcome: dict[str, Any]) -> None:
        """Write how a job ended (waiting for the lock, trying again a few times)."""
        for attempt in range(20):
            try:
                with self.svc.writing(changes_state=False) as session:
                    _finish(session, job_id, **outcome)
                return
            except ServiceError as error:
                if error.status != 503 or attempt == 19:
                    raise
                time.sleep(0.5)

    def _beat(self, job_id: str, live: _Live, stop: threading.Event) -> None:
        """Every ``HEARTBEAT_S``: store the heartbeat and progress, read a cancellation."""
        while not stop.wait(HEARTBEAT_S):

            def beat(session: Session) -> bool:
                session.execute(
                    update(JOB)
                    .where(JOB.c.id == job_id, JOB.c.status == "running")
                    .values(heartbeat_at=_now(), progress=live.progress, stage=live.stage[:32])
                )
                return _cancel_requested(session, job_id)

            try:
                if self._quick(beat):
                    live.cancelled.set()
            except Exception:  # a missed beat is no failure; the next one tries again
                continue


def _alive(pid: int) -> bool:
    """Whether a process of this machine is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _cancel_requested(session: Session, job_id: str) -> bool:
    return bool(session.scalar(select(JOB.c.cancel_requested).where(JOB.c.id == job_id)))


def _finish(
    session: Session,
    job_id: str,
    status: str,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    problems: list[dict[str, Any]] | None = None,
    error_status: int | None = None,
) -> None:
    """Store a job's end (in the caller's transaction) and let go of its file."""
    values: dict[str, Any] = {
        "status": status,
        "stage": status if status != "cancelled" else "cancelled",
        "finished_at": _now(),
        "result_json": _dump(result),
        "error": error,
        "problems_json": _dump(problems or []),
        "error_status": error_status,
    }
    if status == "done":
        values["progress"] = 1.0
    session.execute(update(JOB).where(JOB.c.id == job_id).values(**values))
    session.execute(delete(JOB_FILE).where(JOB_FILE.c.job_id == job_id))


# ---------------------------------------------------------------- the kinds of job


def forecast_work(
    svc: Service,
    *,
    area: str | None,
    runs: int,
    seed: int,
    scenario: str | None,
    vs: str | None,
) -> Work:
    """The work of a forecast job: run the scenario (and the one to compare with)."""
    del svc  # the worker's service does the work
    return Work(
        "forecast",
        {"area": area, "runs": runs, "seed": seed, "scenario": scenario, "vs": vs},
        {"area": area, "runs": runs, "seed": seed, "scenario": scenario, "vs": vs},
    )


@kind("forecast")
def _forecast(
    svc: Service,
    _params: Mapping[str, Any],
    spec: Mapping[str, Any],
    _file: bytes | None,
    report: Progress,
    _done: Done,
) -> dict[str, Any]:
    """Run a forecast job: :func:`forecasting.payload` of the run(s). Progress moves by
    stage: 0.1 once the data is read, then in equal steps per forecast run (the engine
    reports no progress within a run)."""
    report(0.02, "loading")
    svc.state()
    scenario, vs = spec.get("scenario"), spec.get("vs")
    chosen = [scenario] if vs is None else [scenario, None if vs == BASE else vs]
    results = []
    for i, name in enumerate(chosen):
        report(0.1 + 0.85 * i / len(chosen), f"forecast {i + 1} of {len(chosen)}")
        results.append(
            forecasting.run(
                svc, area=spec.get("area"), runs=int(spec["runs"]), seed=int(spec["seed"]),
                scenario_name=name,
            )
        )  # fmt: skip
    report(0.97, "summarising")
    return forecasting.payload(
        results[0], results[1] if len(results) > 1 else None,
        area=spec.get("area"), scenario=scenario, vs=vs,
    )  # fmt: skip


def plan_list_work(
    svc: Service,
    principal: Principal,
    name: str,
    content: bytes,
    *,
    captured: dt.date,
    partial: bool = False,
) -> Work:
    """The work of a plan-list job: ``pipeline.import_upload`` of the stored file as
    ``principal`` (whose role and areas are looked up again when the job runs)."""
    del svc
    return Work(
        "plans",
        {"file": name, "bytes": len(content), "date": captured, "partial": partial},
        {
            "principal": principal.name,
            "name": name,
            "date": captured.isoformat(),
            "partial": partial,
        },
        (name, content),
    )


@kind("plans")
def _plans(
    svc: Service,
    _params: Mapping[str, Any],
    spec: Mapping[str, Any],
    content: bytes | None,
    report: Progress,
    done: Done,
) -> dict[str, Any]:
    """Import a stored plan list; its job is marked done in the import's transaction."""
    if content is None:
        raise ServiceError.refused(410, "upload_gone")
    principal = users.find_user(svc, str(spec["principal"]))
    if principal is None:
        raise ServiceError.refused(403, "user_inactive", name=spec["principal"])
    result = pipeline.import_upload(
        svc, principal, str(spec["name"]), content,
        captured=dt.date.fromisoformat(str(spec["date"])), partial=bool(spec["partial"]),
        progress=report,
        on_written=lambda session, imported: done(session, asdict(imported)),
    )  # fmt: skip
    return asdict(result)
