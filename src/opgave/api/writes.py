"""The write side shared by the API and the dashboard: agreement status changes and plan-list
uploads, each checked against the writer's areas, versioned, and recorded in the audit log.

Inputs: the app state (database, snapshot cache), the principal, and what it wants written.
Outputs: the record after the write (or the import report); :class:`ApiError` with 403
(outside the writer's areas), 404, 409 (a stale version: the record now and the writes
since) or 422 (every problem of the input, per row for plan lists). A plan-list import runs
in stages (reading, validating, writing) that report progress, so that the same function
serves the request (``/plans/upload``) and a background job (``/jobs/plans``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opgave import agreements as register
from opgave import applications as application_store
from opgave import auth, funding
from opgave.api.jobs import JobInputError, Progress
from opgave.api.security import ApiError, AppState
from opgave.ingest import file_source, gemeente_codes
from opgave.ingest import plans as plan_lists
from opgave.model import (
    PLAN_FIELDS,
    Agreement,
    AgreementEvent,
    Application,
    Area,
    Plan,
    Precondition,
    Source,
)

PLAN_LIST_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def agreement_version(session: Session, agreement_id: str) -> int:
    """An agreement's version: the number of events in its history."""
    count = session.scalar(
        select(func.count())
        .select_from(AgreementEvent)
        .where(AgreementEvent.agreement_id == agreement_id)
    )
    return int(count or 0)


def agreement_record(session: Session, agreement_id: str) -> dict[str, Any] | None:
    """The agreement as the API shows it (with its version), or None."""
    obj = session.get(Agreement, agreement_id)
    if obj is None:
        return None
    return {**obj.to_dict(), "version": agreement_version(session, agreement_id)}


def change_agreement_status(
    state: AppState,
    principal: auth.Principal,
    agreement_id: str,
    *,
    status: str,
    version: int,
    reason: str | None = None,
    superseded_by_id: str | None = None,
) -> dict[str, Any]:
    """Set an agreement's status if ``version`` is still its version; audit the write."""
    children = state.cache.get().children
    with state.session() as session:
        before = agreement_record(session, agreement_id)
        if before is None:
            raise ApiError(404, f"unknown agreement {agreement_id!r}")
        if not auth.may_write(principal, before["area_id"], children):
            raise ApiError(
                403,
                f"{principal.name} may not write agreements of {before['area_id']} "
                f"(writes only {', '.join(principal.area_ids) or 'nothing'} and inside)",
            )
        # Lock the row (PostgreSQL) or the database (SQLite) before comparing versions, so
        # that of two concurrent writers based on the same version only one gets through.
        session.execute(
            update(Agreement).where(Agreement.id == agreement_id).values(status=Agreement.status)
        )
        current = agreement_version(session, agreement_id)
        if version != current:
            raise ApiError(
                409,
                f"agreement {agreement_id} changed since version {version}: it is at version "
                f"{current} now; reload, check the changes and try again",
                extra={
                    "your_version": version,
                    "current_version": current,
                    "current": _jsonable(agreement_record(session, agreement_id) or {}),
                    "changes": auth.audit_trail(session, "agreement", [agreement_id])[
                        : max(current - version, 0) or 20
                    ],
                },
            )
        try:
            register.set_status(
                session,
                agreement_id,
                status,
                by=principal.name,
                reason=reason,
                superseded_by_id=superseded_by_id or None,
            )
        except register.AgreementInputError as error:
            raise ApiError(
                422,
                f"the status change of {agreement_id} is refused",
                problems=[{"field": "status", "message": p} for p in error.problems],
            ) from None
        session.flush()
        after = agreement_record(session, agreement_id)
        assert after is not None
        auth.record(
            session,
            principal,
            "update",
            "agreement",
            agreement_id,
            _jsonable(before),
            _jsonable(after),
            after["version"],
        )
    state.cache.invalidate()
    return after


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}


def check_plan_upload(filename: str, content: bytes) -> str:
    """The checks of an uploaded plan list that cost next to nothing (its suffix, its size,
    whether it is text - in any encoding the reader detects - or opens as a zip/Excel
    file); the file's name.
    Raises :class:`ApiError` 422 so that a job need not be started for such a file."""
    name = Path(filename or "upload.csv").name or "upload.csv"
    suffix = Path(name).suffix.lower()
    if suffix not in PLAN_LIST_SUFFIXES:
        raise ApiError(
            422,
            "the plan list is not a .csv or .xlsx file",
            problems=[{"file": name, "message": "expected a .csv or .xlsx file"}],
        )
    if len(content) > MAX_UPLOAD_BYTES:
        raise ApiError(422, f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    try:
        if suffix in (".xlsx", ".xlsm"):
            zipfile.ZipFile(io.BytesIO(content)).close()
        elif b"\x00" in content[:65536] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ValueError("a binary file, not CSV text")  # any text encoding is read later
    except (ValueError, zipfile.BadZipFile) as error:
        raise _unreadable(name, error) from None
    return name


def _unreadable(name: str, error: Exception) -> ApiError:
    return ApiError(
        422,
        "the file cannot be read as a plan list",
        problems=[{"file": name, "message": f"not a readable CSV or Excel file: {error}"}],
    )


def import_plan_list(
    state: AppState,
    principal: auth.Principal,
    name: str,
    content: bytes,
    *,
    captured: dt.date,
    partial: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Read, validate and write a plan list (checked by :func:`check_plan_upload`) in one
    transaction, in stages it reports to ``progress(0-1, stage)``: ``reading`` (the file,
    every row checked), ``validating`` (against the database: the writer's areas),
    ``writing`` (the plans, then an audit entry per added, changed or dropped plan).
    Returns the import report; raises :class:`ApiError` (422 per-row problems, 403 plans
    outside the writer's areas) and then writes nothing."""
    report_progress = progress or (lambda _share, _stage: None)
    report_progress(0.02, "reading")
    snap = state.cache.get()
    scope = auth.writable_areas(principal, snap.children)
    with tempfile.TemporaryDirectory() as tmp, state.session() as session:
        path = Path(tmp) / name
        path.write_bytes(content)
        try:
            rows = plan_lists.read_plan_list(
                path,
                gemeenten=gemeente_codes(session),
                areas=session.scalars(select(Area.id)).all(),
                preconditions=session.scalars(select(Precondition.id)).all(),
            )
        except plan_lists.PlanListError as error:
            raise ApiError(
                422,
                f"{len(error.problems)} problem(s) in the plan list, nothing written",
                problems=[asdict(p) for p in error.problems],
            ) from None
        except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, KeyError, OSError) as error:
            raise _unreadable(name, error) from None
        report_progress(0.3, "validating")
        existing = {p.id: p for p in session.scalars(select(Plan))}
        if scope is not None:
            outside = [
                {
                    "file": name,
                    "field": "gemeente_code",
                    "message": f"plan {r.id}: {gemeente} is outside the areas of {principal.name}",
                }
                for r in rows
                for gemeente in {r.gemeente_id}
                | ({existing[r.id].gemeente_id} if r.id in existing else set())
                if gemeente not in scope
            ]
            if outside:
                raise ApiError(
                    403,
                    f"{len(outside)} plan(s) lie outside the areas {principal.name} may write",
                    problems=outside,
                )
        before = {pid: _plan_fields(p) for pid, p in existing.items()}
        source = Source(
            **file_source(
                path,
                "plans",
                f"Plan list {name} ({len(rows)} plans), captured {captured}, "
                f"uploaded by {principal.name}",
                retrieved=captured,
                title=name,
            )
        )
        report_progress(0.35, "writing")
        try:
            report = plan_lists.apply_plan_list(
                session,
                rows,
                source=source,
                captured=captured,
                partial=partial,
                progress=lambda done, total: report_progress(
                    0.35 + 0.35 * done / max(total, 1), "writing"
                ),
            )
        except plan_lists.PlanListError as error:
            raise ApiError(
                422,
                "the plan list cannot be imported",
                problems=[asdict(p) for p in error.problems],
            ) from None
        written = [*report.added, *report.changed, *report.dropped]
        for done, pid in enumerate(written):
            if done % plan_lists.PROGRESS_EVERY == 0:
                report_progress(0.7 + 0.25 * done / len(written), "writing")
            plan = session.get(Plan, pid)
            assert plan is not None
            auth.record(
                session,
                principal,
                "upload",
                "plan",
                pid,
                before.get(pid),
                _plan_fields(plan),
                plan.version,
            )
        report_progress(0.96, "writing")
    state.cache.invalidate()
    return asdict(report)


def upload_plan_list(
    state: AppState,
    principal: auth.Principal,
    filename: str,
    content: bytes,
    *,
    captured: dt.date,
    partial: bool = False,
) -> dict[str, Any]:
    """Validate and import a plan list exactly as ``opgave ingest plans`` does; editors only
    for plans in their areas. Every added, changed or dropped plan is audited. (The same
    stages as a background job, run in the request.)"""
    name = check_plan_upload(filename, content)
    return import_plan_list(state, principal, name, content, captured=captured, partial=partial)


def plan_list_work(
    state: AppState,
    principal: auth.Principal,
    name: str,
    content: bytes,
    *,
    captured: dt.date,
    partial: bool = False,
) -> Callable[[Progress], dict[str, Any]]:
    """The work of a plan-list job: :func:`import_plan_list` with the job's progress; a
    refusal fails the job with every problem (:class:`JobInputError`)."""

    def work(report: Progress) -> dict[str, Any]:
        try:
            return import_plan_list(
                state, principal, name, content, captured=captured, partial=partial,
                progress=report,
            )  # fmt: skip
        except ApiError as error:
            raise JobInputError(error.detail, error.problems, error.status) from None

    return work


def upload_applications(
    state: AppState,
    principal: auth.Principal,
    filename: str,
    content: bytes,
    *,
    instrument: str | None = None,
) -> dict[str, Any]:
    """Validate and import funding applications exactly as ``opgave funding import`` does;
    editors only for applications in their areas. Every added or changed one is audited."""
    name = Path(filename or "applications.csv").name or "applications.csv"
    if Path(name).suffix.lower() not in PLAN_LIST_SUFFIXES:
        raise ApiError(
            422,
            "the applications file is not a .csv or .xlsx file",
            problems=[{"file": name, "message": "expected a .csv or .xlsx file"}],
        )
    if len(content) > MAX_UPLOAD_BYTES:
        raise ApiError(422, f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    scope = auth.writable_areas(principal, state.cache.get().children)
    with tempfile.TemporaryDirectory() as tmp, state.session() as session:
        path = Path(tmp) / name
        path.write_bytes(content)
        before = {a.id: a.to_dict() for a in session.scalars(select(Application))}
        try:
            report = application_store.import_applications(
                session, path, codes=gemeente_codes(session), instrument=instrument, title=name
            )
        except funding.FundingInputError as error:
            raise ApiError(
                422,
                f"{len(error.problems)} problem(s) in the applications, nothing written",
                problems=[{**asdict(p), "message": str(p)} for p in error.problems],
            ) from None
        except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, KeyError, OSError) as error:
            raise ApiError(
                422,
                "the file cannot be read as an applications list",
                problems=[{"file": name, "message": f"not a readable CSV or Excel file: {error}"}],
            ) from None
        touched = [*report.added, *report.changed]
        if scope is not None:
            outside = [
                {"file": name, "field": "gemeente_code",
                 "message": f"application {aid}: outside the areas of {principal.name}"}
                for aid in touched
                if (a := session.get(Application, aid)) is not None and a.gemeente_id not in scope
            ]  # fmt: skip
            if outside:  # raising ends the transaction: nothing is written
                raise ApiError(
                    403,
                    f"{len(outside)} application(s) lie outside the areas {principal.name} may "
                    "write",
                    problems=outside,
                )
        for aid in touched:
            application = session.get(Application, aid)
            assert application is not None
            auth.record(
                session, principal, "upload", "application", aid,
                _jsonable(before[aid]) if aid in before else None,
                _jsonable(application.to_dict()), None,
            )  # fmt: skip
    return asdict(report)


def _plan_fields(plan: Plan) -> dict[str, Any]:
    return {
        **{k: getattr(plan, k) for k in PLAN_FIELDS},
        "dropped_on": plan.dropped_on.isoformat() if plan.dropped_on else None,
        "version": plan.version,
    }
