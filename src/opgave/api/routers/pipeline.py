"""Routes for the pipeline and monitoring: overview, status per area, plans (read and upload)
and the map's values."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import BeforeValidator

from opgave import monitor
from opgave.access import Principal
from opgave.api.routers import FILES, Format, download, file_answer, json_response, service
from opgave.api.schemas import ImportReport, MapOut, Page, PlanDetail
from opgave.api.security import READ_ERRORS, WRITE_ERRORS, reader, writer
from opgave.service import downloads, geo, monitoring, pipeline
from opgave.service.records import PlanOut
from opgave.vocabulary import PLANSTATUS

router = APIRouter(tags=["pipeline"])
Limit = Annotated[int, Query(ge=1, le=1000, description="records per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="records to skip")]
Definition = Annotated[
    monitor.DefinitionName,
    Query(description="how homes built are counted (ministry: CBS 'woningen erbij')"),
]


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD text is a date here (not "0", which pydantic would read as 1970)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
AsOf = Annotated[
    IsoDate | None,
    Query(description="the pipeline as known on this date (YYYY-MM-DD)"),
]
CaptureDate = Annotated[
    IsoDate,
    Form(
        default_factory=dt.date.today,
        description="capture date (peildatum) YYYY-MM-DD; default today",
    ),
]


@router.get(
    "/overview",
    response_model=monitor.Overview,
    responses={**READ_ERRORS, **FILES},
    dependencies=[Depends(reader)],
)
def overview(
    request: Request,
    as_of: AsOf = None,
    definition: Definition = monitor.DEFAULT_DEFINITION,
    fmt: Format = None,
) -> Response:
    """The national overview: 900,000 target, realised, pace, capacity vs 130%, the regions'
    headlines with their coverage, what is due (as `opgave overview --json`). As a file
    (`format`): the table of the nation's and each region's headline figures."""
    svc = service(request)
    date = as_of
    if downloads.check_format(fmt) is not None:
        rows = downloads.overview_rows(monitoring.overview(svc, date, definition))
        return file_answer(request, str(fmt), "overview", rows)
    state = svc.state(date)
    return json_response(
        state,
        ("overview", definition),
        monitor.Overview,
        lambda: monitoring.overview(svc, date, definition),
    )


@router.get(
    "/status/{area_id}",
    response_model=monitoring.AreaStatus,
    responses={**READ_ERRORS, **FILES},
    dependencies=[Depends(reader)],
)
def status(
    request: Request,
    area_id: str,
    as_of: AsOf = None,
    definition: Definition = monitor.DEFAULT_DEFINITION,
    fmt: Format = None,
) -> Response:
    """An area's headline and progress and plan capacity (vs 130%) for every target of the
    area and inside it (as `opgave status AREA --json`). As a file (`format`): the table of
    the targets with their figures."""
    svc = service(request)
    date = as_of
    state = svc.state(date)
    monitoring.require_area(state, area_id)
    if downloads.check_format(fmt) is not None:
        rows = downloads.status_rows(monitoring.status(svc, area_id, date, definition))
        return file_answer(request, str(fmt), f"status-{area_id}", rows)
    return json_response(
        state,
        ("status", area_id, definition),
        monitoring.AreaStatus,
        lambda: monitoring.status(svc, area_id, date, definition),
    )


@router.get(
    "/plans",
    response_model=Page[PlanOut],  # type: ignore[valid-type]
    responses={**READ_ERRORS, **FILES},
    dependencies=[Depends(reader)],
)
def list_plans(
    request: Request,
    area: Annotated[str | None, Query(description="plans in this area (and inside it)")] = None,
    planstatus: Annotated[list[Literal[tuple(PLANSTATUS)]], Query()] = [],  # type: ignore[valid-type]  # noqa: B006
    q: Annotated[str | None, Query(max_length=100, description="text in id or name")] = None,
    min_homes: Annotated[int | None, Query(ge=0)] = None,
    sort: Annotated[Literal[monitoring.PLAN_SORTS], Query()] = "id",  # type: ignore[valid-type]
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    limit: Limit = 50,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """The current plans: filter by area, status, text and size; sort; page."""
    svc = service(request)

    def build(size: int) -> Any:
        return monitoring.plans(
            svc,
            area=area,
            planstatus=planstatus,
            q=q,
            min_homes=min_homes,
            sort=sort,
            order=order,
            limit=size,
            offset=offset,
        )

    if fmt is not None:
        return download(request, fmt, "plans", Page[PlanOut], build, limit)  # type: ignore[valid-type]
    key = ("plans", area, tuple(planstatus), q, min_homes, sort, order, limit, offset)
    return json_response(svc.state(), key, Page[PlanOut], lambda: build(limit))  # type: ignore[valid-type]


@router.get(
    "/plans/outlines",
    responses={
        **READ_ERRORS,
        200: {"content": {"application/geo+json": {}}, "description": "GeoJSON features"},
    },
    dependencies=[Depends(reader)],
)
def plan_outlines(
    request: Request,
    area: Annotated[str | None, Query(description="plans in this area (and inside it)")] = None,
) -> Response:
    """The outlines and points of the current plans that came with one (GIS plan registers),
    as a GeoJSON FeatureCollection in WGS84: per plan its id, name, municipality, homes,
    planstatus, source and whether that source is synthetic."""
    collection = geo.plan_features(service(request), area)
    return Response(json.dumps(collection), media_type="application/geo+json")


@router.get(
    "/plans/{plan_id}",
    response_model=PlanDetail,
    responses=READ_ERRORS,
    dependencies=[Depends(reader)],
)
def get_plan(request: Request, plan_id: str) -> dict[str, Any]:
    """One plan (also a dropped one) with the areas it lies in and its earlier versions."""
    return pipeline.plan_detail(service(request), plan_id)


@router.post("/plans/upload", response_model=ImportReport, responses=WRITE_ERRORS, status_code=200)
def upload_plans(
    request: Request,
    file: Annotated[UploadFile, File(description="plan list, .csv or .xlsx")],
    date: CaptureDate,
    partial: Annotated[
        bool, Form(description="keep plans of the list's municipalities missing from it")
    ] = False,
    principal: Principal = Depends(writer),
) -> pipeline.PlanImportReport:
    """Upload a plan list: validated like `opgave ingest plans`, every problem per row (422):
    its name must end in .csv or .xlsx and its content must read as one (a rule of the
    file's content the schema cannot state: a schema-valid upload may be refused with 422)."""
    captured = date
    content = file.file.read(pipeline.MAX_UPLOAD_BYTES + 1)
    return pipeline.import_upload(
        service(request),
        principal,
        file.filename,
        content,
        captured=captured,
        partial=partial,
    )


@router.get(
    "/map",
    response_model=MapOut,
    responses={**READ_ERRORS, **FILES},
    dependencies=[Depends(reader)],
)
def map_values(
    request: Request,
    measure: Annotated[Literal[monitoring.MAP_MEASURES], Query()] = "progress",  # type: ignore[valid-type]
    division: Annotated[Literal["province", "municipality"], Query()] = "province",
    fmt: Format = None,
) -> Response:
    """Values per province (progress or capacity) or municipality (planned homes). As a file
    (`format`): the table of the areas and their values."""
    svc = service(request)
    if downloads.check_format(fmt) is not None:
        found = monitoring.map_values(svc, measure, division)
        return file_answer(
            request, str(fmt), f"map-{measure}-{division}", found["areas"],
            synthetic=bool(found["synthetic"]),
        )  # fmt: skip
    return json_response(
        svc.state(),
        ("map", measure, division),
        MapOut,
        lambda: monitoring.map_values(svc, measure, division),
    )
