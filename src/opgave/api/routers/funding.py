"""Read routes for funding: awards (money awarded or proposed from an instrument) and the
applications they came from, filtered by area and instrument, sorted and paged."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile

from opgave.access import Principal
from opgave.api.routers import FILES, Format, download, service
from opgave.api.schemas import ApplicationImportOut, Page
from opgave.api.security import READ_ERRORS, WRITE_ERRORS, reader, writer
from opgave.service import funding, pipeline
from opgave.service.records import ApplicationOut, AwardOut

router = APIRouter(tags=["funding"], dependencies=[Depends(reader)], responses=READ_ERRORS)
Limit = Annotated[int, Query(ge=1, le=1000, description="records per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="records to skip")]
Order = Annotated[Literal["asc", "desc"], Query()]
AreaFilter = Annotated[
    str | None, Query(max_length=32, description="of the municipalities in this area")
]
InstrumentFilter = Annotated[
    str | None,
    Query(max_length=64, description="of this instrument and its tracks and tranches"),
]


@router.get("/awards", response_model=Page[AwardOut], responses=FILES)  # type: ignore[valid-type]
def list_awards(
    request: Request,
    area: AreaFilter = None,
    instrument: InstrumentFilter = None,
    sort: Annotated[Literal[funding.AWARD_SORTS], Query()] = "id",  # type: ignore[valid-type]
    order: Order = "asc",
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = None,
) -> Any:
    """Awards: amount, homes and affordable homes per project, municipality and decision."""
    svc = service(request)

    def build(size: int) -> dict[str, Any]:
        return funding.listing_page(
            svc,
            "awards",
            area=area,
            instrument=instrument,
            sort=sort,
            order=order,
            limit=size,
            offset=offset,
        )

    if fmt is not None:
        return download(request, fmt, "awards", Page[AwardOut], build, limit)  # type: ignore[valid-type]
    return build(limit)


@router.get("/applications", response_model=Page[ApplicationOut], responses=FILES)  # type: ignore[valid-type]
def list_applications(
    request: Request,
    area: AreaFilter = None,
    instrument: InstrumentFilter = None,
    sort: Annotated[Literal[funding.APPLICATION_SORTS], Query()] = "id",  # type: ignore[valid-type]
    order: Order = "asc",
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: Format = None,
) -> Any:
    """Funding applications (imported with `opgave funding import`): requested amount,
    deficit, co-financing, homes and scores."""
    svc = service(request)

    def build(size: int) -> dict[str, Any]:
        return funding.listing_page(
            svc,
            "applications",
            area=area,
            instrument=instrument,
            sort=sort,
            order=order,
            limit=size,
            offset=offset,
        )

    if fmt is not None:
        return download(request, fmt, "applications", Page[ApplicationOut], build, limit)  # type: ignore[valid-type]
    return build(limit)


@router.post(
    "/applications/upload",
    response_model=ApplicationImportOut,
    responses=WRITE_ERRORS,
    status_code=200,
)
def upload_applications(
    request: Request,
    file: Annotated[UploadFile, File(description="applications, .csv or .xlsx")],
    instrument: Annotated[
        str | None, Form(max_length=64, description="instrument id, e.g. WBI-T4")
    ] = None,
    principal: Principal = Depends(writer),
) -> funding.ApplicationImport:
    """Upload funding applications: validated like `opgave funding import` (422 per problem)."""
    content = file.file.read(pipeline.MAX_UPLOAD_BYTES + 1)
    return funding.import_upload(
        service(request), principal, file.filename, content, instrument=instrument or None
    )
