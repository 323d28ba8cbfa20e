"""Routes for background jobs: start a forecast run or a plan-list import, follow its
progress, cancel it, read the latest finished forecast. Jobs are stored in the database: any
server process shows them and a restart does not lose them (see :mod:`opgave.service.jobs`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Form, Request, Response, UploadFile

from opgave.access import Principal
from opgave.api.routers import service
from opgave.api.routers.pipeline import CaptureDate
from opgave.api.schemas import ErrorBody, ForecastJobRequest, ForecastOut, JobOut
from opgave.api.security import READ_ERRORS, ApiError, reader, responses, state_of, writer
from opgave.service import forecasting, jobs, monitoring, pipeline

router = APIRouter(tags=["forecast"])
KEPT = "of the finished jobs only the newest are kept"


def start_forecast(request: Request, principal: Principal, body: ForecastJobRequest) -> Any:
    """Check a forecast request (area, scenarios) and queue it; the job."""
    state = state_of(request)
    svc = service(request)
    if body.area is not None:
        monitoring.require_area(svc.state(), body.area)
    for name in (body.scenario, body.vs):
        forecasting.scenario(svc, name)
    work = jobs.forecast_work(
        svc,
        area=body.area,
        runs=body.runs,
        seed=body.seed,
        scenario=None if body.scenario == forecasting.BASE else body.scenario,
        vs=body.vs,
    )
    try:
        return state.jobs.submit("forecast", body.model_dump(), principal.name, work)
    except jobs.JobsFull as error:
        raise ApiError(429, str(error)) from None


@router.post(
    "/jobs/forecast",
    response_model=JobOut,
    status_code=202,
    responses=responses(400, 401, 403, 404, 422, 429),
)
def post_forecast_job(
    request: Request,
    response: Response,
    body: Annotated[ForecastJobRequest, Body()],
    principal: Principal = Depends(writer),
) -> dict[str, Any]:
    """Start a forecast run in the background (admins and editors; like `opgave forecast`).
    Follow it at `GET /jobs/{id}` (the `Location` header). Answers 429 when too many wait."""
    job = start_forecast(request, principal, body)
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/api/v1/jobs/{job.id}"
    return dict(job.as_dict(with_result=False))


def start_plan_import(
    request: Request,
    principal: Principal,
    filename: str,
    content: bytes,
    *,
    captured: dt.date,
    partial: bool,
) -> jobs.Job:
    """Check what is cheap to check in an uploaded plan list (422 at once) and queue its
    import; the job."""
    state = state_of(request)
    name = pipeline.check_upload(filename, content)
    work = jobs.plan_list_work(
        service(request), principal, name, content, captured=captured, partial=partial
    )
    params = {"file": name, "bytes": len(content), "date": captured, "partial": partial}
    try:
        return state.jobs.submit("plans", params, principal.name, work)
    except jobs.JobsFull as error:
        raise ApiError(429, str(error)) from None


@router.post(
    "/jobs/plans",
    response_model=JobOut,
    tags=["pipeline"],
    status_code=202,
    responses=responses(400, 401, 403, 422, 429),
)
def post_plans_job(
    request: Request,
    response: Response,
    file: Annotated[UploadFile, File(description="plan list, .csv or .xlsx")],
    date: CaptureDate,
    partial: Annotated[
        bool, Form(description="keep plans of the list's municipalities missing from it")
    ] = False,
    principal: Principal = Depends(writer),
) -> dict[str, Any]:
    """Import a plan list in the background (like `POST /plans/upload`, for large lists).
    A wrong suffix, a file too large or unreadable is refused at once (422); otherwise the
    job (`Location` header) goes through the stages reading, validating, writing and ends
    `done` with the import report as its result, or `failed` with every problem per row
    (`error_status` 422; 403 for plans outside an editor's areas), having written nothing."""
    captured = date
    content = file.file.read(pipeline.MAX_UPLOAD_BYTES + 1)
    job = start_plan_import(
        request, principal, file.filename or "upload.csv", content,
        captured=captured, partial=partial,
    )  # fmt: skip
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/api/v1/jobs/{job.id}"
    return dict(job.as_dict(with_result=False))


@router.get(
    "/jobs", response_model=list[JobOut], responses=READ_ERRORS, dependencies=[Depends(reader)]
)
def list_jobs(request: Request) -> list[dict[str, Any]]:
    """The jobs this server process still keeps, newest first (without their results)."""
    return [j.as_dict(with_result=False) for j in state_of(request).jobs.recent()]


@router.post(
    "/jobs/{job_id}/cancel",
    response_model=JobOut,
    response_model_exclude_unset=True,
    responses={
        **responses(400, 401, 403, 404),
        409: {"model": ErrorBody, "description": "The job has ended already"},
    },
)
def cancel_job(
    request: Request, job_id: str, principal: Principal = Depends(writer)
) -> dict[str, Any]:
    """Cancel a job (its owner or an admin): a queued one at once (`cancelled`), a running
    one at its next progress report - a plan list before anything is written. A job that has
    ended is left as it is (409)."""
    return state_of(request).jobs.cancel(job_id, principal).as_dict()


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    response_model_exclude_unset=True,
    responses=READ_ERRORS,
    dependencies=[Depends(reader)],
)
def get_job(request: Request, job_id: str) -> dict[str, Any]:
    """A job's status (queued, running, done, failed, cancelled), progress 0-1, stage, and when done
    its result: the forecast per target, or a plan list's import report. A failed plan list
    has every problem in `problems`."""
    job = state_of(request).jobs.get(job_id)
    if job is None:
        raise ApiError(404, f"unknown job {job_id!r} ({KEPT})")
    return job.as_dict()


@router.get(
    "/forecast",
    response_model=ForecastOut,
    response_model_exclude_unset=True,
    responses=READ_ERRORS,
    dependencies=[Depends(reader)],
)
def latest_forecast(request: Request) -> dict[str, Any]:
    """The latest finished forecast run (whatever its area and scenario, which it names)."""
    job = state_of(request).jobs.latest_done("forecast")
    if job is None or job.result is None:
        raise ApiError(
            404,
            f"no forecast run yet: start one with POST /api/v1/jobs/forecast ({KEPT})",
        )
    return {
        **job.result,
        "job_id": job.id,
        "finished_at": job.finished_at,
        "user_name": job.user_name,
    }
