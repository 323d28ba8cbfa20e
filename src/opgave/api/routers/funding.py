"""Read routes for funding: awards (money awarded or proposed from an instrument) and the
applications they came from, filtered by area and instrument, sorted and paged."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from sqlalchemy import select

from opgave import auth
from opgave.api import queries, writes
from opgave.api.routers import answering, snapshot
from opgave.api.schemas import ApplicationImportOut, ApplicationOut, AwardOut, Page
from opgave.api.security import READ_ERRORS, WRITE_ERRORS, reader, state_of, writer
from opgave.model import Application, Award, Base, Instrument, table_of

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


def _listing(request: Request, model: type[Base], **filters: Any) -> dict[str, Any]:
    """Every row of ``model`` (awards and applications are small tables: read per request,
    so that `opgave funding` imports show at once) filtered, sorted and paged."""
    with state_of(request).session() as session:
        records = [dict(r._mapping) for r in session.execute(select(table_of(model)))]
        instruments = [dict(r._mapping) for r in session.execute(select(table_of(Instrument)))]
    with answering():
        return queries.list_funding(snapshot(request), records, instruments, **filters)


@router.get("/awards", response_model=Page[AwardOut])  # type: ignore[valid-type]
def list_awards(
    request: Request,
    area: AreaFilter = None,
    instrument: InstrumentFilter = None,
    sort: Annotated[Literal[queries.AWARD_SORTS], Query()] = "id",  # type: ignore[valid-type]
    order: Order = "asc",
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Awards: amount, homes and affordable homes per project, municipality and decision."""
    return _listing(
        request,
        Award,
        area=area,
        instrument=instrument,
        sort=sort,
        order=order,
        limit=limit,
        offset=offset,
    )


@router.get("/applications", response_model=Page[ApplicationOut])  # type: ignore[valid-type]
def list_applications(
    request: Request,
    area: AreaFilter = None,
    instrument: InstrumentFilter = None,
    sort: Annotated[Literal[queries.APPLICATION_SORTS], Query()] = "id",  # type: ignore[valid-type]
    order: Order = "asc",
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Funding applications (imported with `opgave funding import`): requested amount,
    deficit, co-financing, homes and scores."""
    return _listing(
        request,
        Application,
        area=area,
        instrument=instrument,
        sort=sort,
        order=order,
        limit=limit,
        offset=offset,
    )


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
    principal: auth.Principal = Depends(writer),
) -> dict[str, Any]:
    """Upload funding applications: validated like `opgave funding import` (422 per problem)."""
    content = file.file.read(writes.MAX_UPLOAD_BYTES + 1)
    return writes.upload_applications(
        state_of(request), principal, file.filename or "applications.csv", content,
        instrument=instrument or None,
    )  # fmt: skip
