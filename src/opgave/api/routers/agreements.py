"""Routes for agreements: the register (filter, sort, page), one agreement with its history
and audit trail, and status changes with optimistic locking."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from opgave.access import Principal
from opgave.api.routers import FILES, Format, download, json_response, service
from opgave.api.schemas import AgreementDetail, Page, StatusChange
from opgave.api.security import READ_ERRORS, WRITE_ERRORS, reader, writer
from opgave.service import agreements as register_service
from opgave.service import users
from opgave.service.records import AgreementOut
from opgave.vocabulary import AGREEMENT_STATUSES, THEMES

router = APIRouter(tags=["agreements"])


@router.get(
    "/agreements",
    response_model=Page[AgreementOut],  # type: ignore[valid-type]
    responses={**READ_ERRORS, **FILES},
    dependencies=[Depends(reader)],
)
def list_agreements(
    request: Request,
    area: Annotated[str | None, Query(description="agreements of this area")] = None,
    within: Annotated[bool, Query(description="and of the areas inside it")] = True,
    status: Annotated[Literal[AGREEMENT_STATUSES] | None, Query()] = None,  # type: ignore[valid-type]
    due_meeting: Annotated[str | None, Query(description="meeting id it is due at")] = None,
    theme: Annotated[Literal[THEMES] | None, Query()] = None,  # type: ignore[valid-type]
    sort: Annotated[Literal[register_service.AGREEMENT_SORTS], Query()] = "display_order",  # type: ignore[valid-type]
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    fmt: Format = None,
) -> Response:
    """Agreements and next steps with their status and version."""
    svc = service(request)

    def build(size: int) -> Any:
        return register_service.listing_page(
            svc,
            area=area,
            within=within,
            status=status,
            due=due_meeting,
            theme=theme,
            sort=sort,
            order=order,
            limit=size,
            offset=offset,
        )

    if fmt is not None:
        return download(request, fmt, "agreements", Page[AgreementOut], build, limit)  # type: ignore[valid-type]
    key = ("agreements", area, within, status, due_meeting, theme, sort, order, limit, offset)
    return json_response(svc.state(), key, Page[AgreementOut], lambda: build(limit))  # type: ignore[valid-type]


def agreement_detail(request: Request, agreement_id: str) -> dict[str, Any]:
    """An agreement with its history (oldest first) and audit trail (newest first)."""
    svc = service(request)
    found = register_service.detail(svc, agreement_id)
    history = [
        {
            "event_id": e.event_id,
            "changed_on": e.changed_on,
            "changed_by": e.changed_by,
            "reason": e.reason,
            "status": e.status,
            "what": e.what,
        }
        for e in found["history"]
    ]
    audit = users.audit_trail(svc, "agreement", [agreement_id])
    return {"agreement": found["agreement"], "history": history, "audit": audit}


@router.get(
    "/agreements/{agreement_id}",
    response_model=AgreementDetail,
    responses=READ_ERRORS,
    dependencies=[Depends(reader)],
)
def get_agreement(request: Request, agreement_id: str) -> dict[str, Any]:
    """One agreement, its status history and the audit trail of its writes."""
    return agreement_detail(request, agreement_id)


@router.patch(
    "/agreements/{agreement_id}",
    response_model=AgreementOut,
    responses=WRITE_ERRORS,
)
def change_status(
    request: Request,
    agreement_id: str,
    change: Annotated[StatusChange, Body()],
    principal: Principal = Depends(writer),
) -> dict[str, Any]:
    """Change an agreement's status. ``version`` is the version the change is based on: when
    someone else changed the agreement since, the answer is 409 with what changed."""
    return register_service.set_status(
        service(request),
        principal,
        agreement_id,
        change.status,
        version=change.version,
        reason=change.reason,
        superseded_by_id=change.superseded_by_id or None,
    )
