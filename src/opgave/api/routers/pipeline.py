"""Routes for the pipeline and monitoring: overview, status per area, plans (read and upload)
and the map's values."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from sqlalchemy import select

from opgave import auth
from opgave.api import queries, writes
from opgave.api.routers import answering, json_response, snapshot
from opgave.api.schemas import (
    ImportReport,
    MapOut,
    OverviewOut,
    Page,
    PlanDetail,
    PlanOut,
    TargetStatusOut,
)
from opgave.api.security import READ_ERRORS, WRITE_ERRORS, ApiError, reader, state_of, writer
from opgave.ingest import plans as plan_lists
from opgave.model import PLANSTATUS, Plan, PlanArea, PlanHistory

router = APIRouter(tags=["pipeline"])
Limit = Annotated[int, Query(ge=1, le=1000, description="records per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="records to skip")]
AsOf = Annotated[
    str | None,
    Query(
        description="the pipeline as known on this date (YYYY-MM-DD)",
        pattern=r"^\d{4}-\d{2}-\d{2}$",
    ),
]


@router.get(
    "/overview", response_model=OverviewOut, responses=READ_ERRORS, dependencies=[Depends(reader)]
)
def overview(request: Request) -> Response:
    """The national overview: 900,000 target, realised, pace, capacity vs 130%, what is due."""
    snap = snapshot(request)
    return json_response(snap, "overview", OverviewOut, lambda: queries.overview(snap))


def _plans_as_of(request: Request, date: dt.date) -> list[dict[str, Any]]:
    with state_of(request).session() as session:
        current = [p.to_dict() for p in session.scalars(select(Plan))]
        history = [h.to_dict() for h in session.scalars(select(PlanHistory))]
    return list(plan_lists.plans_as_of(current, history, date).values())


@router.get(
    "/status/{area_id}",
    response_model=list[TargetStatusOut],
    responses=READ_ERRORS,
    dependencies=[Depends(reader)],
)
def status(request: Request, area_id: str, as_of: AsOf = None) -> Response:
    """Progress and plan capacity (vs 130%) for every target of the area and inside it."""
    snap = snapshot(request)
    with answering():
        date = queries.parse_date(as_of, "as_of")
        queries.require_area(snap, area_id)
    if date is None:
        return json_response(
            snap,
            ("status", area_id),
            list[TargetStatusOut],
            lambda: queries.area_status(snap, area_id),
        )
    plans = snap.memo(("plans_as_of", date), lambda: _plans_as_of(request, date))
    return json_response(
        snap,
        ("status", area_id, date),
        list[TargetStatusOut],
        lambda: queries.area_status(snap, area_id, plans),
    )


@router.get(
    "/plans",
    response_model=Page[PlanOut],  # type: ignore[valid-type]
    responses=READ_ERRORS,
    dependencies=[Depends(reader)],
)
def list_plans(
    request: Request,
    area: Annotated[str | None, Query(description="plans in this area (and inside it)")] = None,
    planstatus: Annotated[list[Literal[tuple(PLANSTATUS)]], Query()] = [],  # type: ignore[valid-type]  # noqa: B006
    q: Annotated[str | None, Query(max_length=100, description="text in id or name")] = None,
    min_homes: Annotated[int | None, Query(ge=0)] = None,
    sort: Annotated[Literal[queries.PLAN_SORTS], Query()] = "id",  # type: ignore[valid-type]
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    """The current plans: filter by area, status, text and size; sort; page."""
    snap = snapshot(request)
    key = ("plans", area, tuple(planstatus), q, min_homes, sort, order, limit, offset)
    return json_response(
        snap,
        key,
        Page[PlanOut],  # type: ignore[valid-type]
        lambda: queries.list_plans(
            snap,
            area=area,
            planstatus=planstatus,
            q=q,
            min_homes=min_homes,
            sort=sort,
            order=order,
            limit=limit,
            offset=offset,
        ),
    )


@router.get(
    "/plans/{plan_id}",
    response_model=PlanDetail,
    responses=READ_ERRORS,
    dependencies=[Depends(reader)],
)
def get_plan(request: Request, plan_id: str) -> dict[str, Any]:
    """One plan (also a dropped one) with the areas it lies in and its earlier versions."""
    with state_of(request).session() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise ApiError(404, f"unknown plan {plan_id!r}")
        links = session.scalars(select(PlanArea.area_id).where(PlanArea.plan_id == plan_id))
        history = session.scalars(
            select(PlanHistory).where(PlanHistory.plan_id == plan_id).order_by(PlanHistory.id)
        )
        return {
            "plan": plan.to_dict(),
            "area_ids": sorted(links),
            "history": [
                {
                    k: (v.isoformat() if isinstance(v, dt.date) else v)
                    for k, v in h.to_dict().items()
                }
                for h in history
            ],
        }


@router.post("/plans/upload", response_model=ImportReport, responses=WRITE_ERRORS, status_code=200)
def upload_plans(
    request: Request,
    file: Annotated[UploadFile, File(description="plan list, .csv or .xlsx")],
    date: Annotated[
        str | None, Form(description="capture date (peildatum) YYYY-MM-DD; default today")
    ] = None,
    partial: Annotated[
        bool, Form(description="keep plans of the list's municipalities missing from it")
    ] = False,
    principal: auth.Principal = Depends(writer),
) -> dict[str, Any]:
    """Upload a plan list: validated like `opgave ingest plans`, every problem per row (422)."""
    with answering():
        captured = queries.parse_date(date, "date") or dt.date.today()
    content = file.file.read(writes.MAX_UPLOAD_BYTES + 1)
    return writes.upload_plan_list(
        state_of(request),
        principal,
        file.filename or "upload.csv",
        content,
        captured=captured,
        partial=partial,
    )


@router.get("/map", response_model=MapOut, responses=READ_ERRORS, dependencies=[Depends(reader)])
def map_values(
    request: Request,
    measure: Annotated[Literal[queries.MAP_MEASURES], Query()] = "progress",  # type: ignore[valid-type]
    division: Annotated[Literal["province", "municipality"], Query()] = "province",
) -> Response:
    """Values per province (progress or capacity) or municipality (planned homes)."""
    snap = snapshot(request)
    return json_response(
        snap,
        ("map", measure, division),
        MapOut,
        lambda: queries.map_values(snap, measure, division),
    )
