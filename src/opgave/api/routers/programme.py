"""Read routes for the programme: areas, targets, meetings and realised figures."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from opgave.api.routers import FILES, Format, download, json_response, service
from opgave.api.schemas import AreaDetail, Page
from opgave.api.security import READ_ERRORS, reader
from opgave.service import monitoring
from opgave.service import programme as programme_service
from opgave.service.records import AreaOut, MeetingOut, RealisationOut, TargetOut
from opgave.vocabulary import AREA_KINDS, MEASURES

router = APIRouter(tags=["programme"], dependencies=[Depends(reader)], responses=READ_ERRORS)
Limit = Annotated[int, Query(ge=1, le=1000, description="records per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="records to skip")]
Order = Annotated[Literal["asc", "desc"], Query()]


@router.get("/areas", response_model=Page[AreaOut], responses=FILES)  # type: ignore[valid-type]
def list_areas(
    request: Request,
    kind: Annotated[Literal[AREA_KINDS] | None, Query()] = None,  # type: ignore[valid-type]
    within: Annotated[str | None, Query(description="only areas inside this area")] = None,
    q: Annotated[str | None, Query(max_length=100, description="text in id or name")] = None,
    sort: Annotated[Literal[programme_service.AREA_SORTS], Query()] = "id",  # type: ignore[valid-type]
    order: Order = "asc",
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Areas: nation, landsdelen, provinces, strategy regions, municipalities, areas."""
    svc = service(request)

    def build(size: int) -> Any:
        return programme_service.areas_page(
            svc, kind=kind, within=within, q=q, sort=sort, order=order, limit=size, offset=offset
        )

    if fmt is not None:
        return download(request, fmt, "areas", Page[AreaOut], build, limit)  # type: ignore[valid-type]
    key = ("areas", kind, within, q, sort, order, limit, offset)
    return json_response(svc.state(), key, Page[AreaOut], lambda: build(limit))  # type: ignore[valid-type]


@router.get("/areas/{area_id}", response_model=AreaDetail)
def get_area(request: Request, area_id: str) -> Response:
    """One area with the areas directly inside it and those containing it."""
    svc = service(request)
    return json_response(
        svc.state(),
        ("area", area_id),
        AreaDetail,
        lambda: programme_service.area_detail(svc, area_id),
    )


@router.get("/targets", response_model=Page[TargetOut], responses=FILES)  # type: ignore[valid-type]
def list_targets(
    request: Request,
    area: Annotated[str | None, Query(description="area id, e.g. VS-ZR")] = None,
    within: Annotated[bool, Query(description="include the areas inside the area")] = False,
    measure: Annotated[Literal[tuple(MEASURES)] | None, Query()] = None,  # type: ignore[valid-type]
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Targets, expectations and capacity norms with their ranges and periods."""
    svc = service(request)

    def build(size: int) -> Any:
        found = programme_service.targets(
            svc, area=area, within=within, measure=measure, first=year, last=year
        )
        return monitoring.page(found, "id", "asc", size, offset)

    if fmt is not None:
        return download(request, fmt, "targets", Page[TargetOut], build, limit)  # type: ignore[valid-type]
    key = ("targets", area, within, measure, year, limit, offset)
    return json_response(svc.state(), key, Page[TargetOut], lambda: build(limit))  # type: ignore[valid-type]


@router.get("/meetings", response_model=list[MeetingOut], responses=FILES)  # type: ignore[valid-type]
def list_meetings(request: Request, fmt: Format = None) -> Response:
    """The administrative consultations (Bestuurlijk Overleg), in id order."""
    svc = service(request)

    def build(_size: int = 0) -> Any:
        return sorted(programme_service.meetings(svc), key=lambda m: m["id"])

    if fmt is not None:
        return download(request, fmt, "meetings", list[MeetingOut], build)  # type: ignore[valid-type]
    return json_response(svc.state(), "meetings", list[MeetingOut], build)  # type: ignore[valid-type]


@router.get("/realisations", response_model=Page[RealisationOut], responses=FILES)  # type: ignore[valid-type]
def list_realisations(
    request: Request,
    area: Annotated[str | None, Query(description="area id, e.g. NL01")] = None,
    within: Annotated[bool, Query(description="include the areas inside the area")] = False,
    measure: Annotated[Literal[tuple(MEASURES)] | None, Query()] = None,  # type: ignore[valid-type]
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Realised figures (CBS, BAG, or stated in a document) with their source, and whether
    each is the one that counts for its area, measure and year (`stands`)."""
    svc = service(request)

    def build(size: int) -> Any:
        found = monitoring.realisations(svc, area=area, within=within, measure=measure, year=year)
        return monitoring.page(found, None, "asc", size, offset)

    if fmt is not None:
        return download(request, fmt, "realisations", Page[RealisationOut], build, limit)  # type: ignore[valid-type]
    key = ("realisations", area, within, measure, year, limit, offset)
    return json_response(svc.state(), key, Page[RealisationOut], lambda: build(limit))  # type: ignore[valid-type]
