"""Routes for signing in and out, API tokens, and the audit log per record."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from opgave import access
from opgave.api.routers import FILES, Format, download, service
from opgave.api.schemas import AuditEntry, Login, Me, TokenOut, TokenRequest
from opgave.api.security import (
    CSRF_HEADER,
    READ_ERRORS,
    SESSION_COOKIE,
    ApiError,
    Caller,
    identify,
    reader,
    responses,
    state_of,
)
from opgave.service import users

router = APIRouter(tags=["account"])


def sign_in(request: Request, response: Response, name: str, password: str) -> Me:
    """Check a name and password, open a session and set its cookie (429 after too many
    failures for the account or from the client's address)."""
    state = state_of(request)
    client = request.client.host if request.client else None
    started = users.sign_in(state.service, name, password, client=client)
    if started is None:
        raise ApiError(401, "unknown user or wrong password")
    principal, cookie, csrf = started
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=users.SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=state.secure_cookies,
    )
    return Me(
        name=principal.name,
        role=principal.role,
        area_ids=list(principal.area_ids),
        csrf_token=csrf,
    )


def sign_out(request: Request, response: Response, csrf_token: str | None) -> None:
    """End the browser's session and clear its cookie - only with the session's CSRF token
    (``csrf_token``: the form field or header sent), so that another site cannot sign a
    user out."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        state = state_of(request)
        _principal, expected = state.credential("session", cookie)
        if expected is not None and not access.csrf_matches(expected, csrf_token):
            raise ApiError(403, "missing or wrong CSRF token for this session")
        users.end_session(state.service, cookie)
        state.forget("session", cookie)
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="strict", secure=state_of(request).secure_cookies
    )


@router.post("/auth/login", response_model=Me, responses=responses(400, 401, 422, 429, 503))
def login(request: Request, response: Response, body: Annotated[Login, Body()]) -> Me:
    """Sign in: sets the session cookie; send the returned ``csrf_token`` as ``X-CSRF-Token``
    on writes made with that cookie. After too many failed sign-ins for the account or from
    the address: 429 with ``Retry-After`` (the wait grows with each further failure)."""
    return sign_in(request, response, body.name, body.password)


@router.post("/auth/logout", status_code=204, responses=responses(403, 422))
def logout(request: Request, response: Response) -> Response:
    """Sign out (ends the session of the cookie sent, if any; with a session cookie the
    ``X-CSRF-Token`` header must carry the session's token)."""
    answer = Response(status_code=204)
    sign_out(request, answer, request.headers.get(CSRF_HEADER))
    return answer


@router.get("/auth/me", response_model=Me, responses=responses(401))
def me(request: Request) -> Me:
    """Who the request is made as (with the session's CSRF token for browsers)."""
    caller = identify(request)
    if caller.principal is None:
        raise ApiError(401, "not signed in")
    p = caller.principal
    return Me(name=p.name, role=p.role, area_ids=list(p.area_ids), csrf_token=caller.csrf_token)


@router.post("/auth/tokens", response_model=TokenOut, responses=responses(400, 401, 403, 422))
def new_token(
    request: Request,
    body: Annotated[TokenRequest, Body()],
    caller: Caller = Depends(reader),
) -> TokenOut:
    """A new API token for the signed-in user (shown once)."""
    if caller.principal is None:
        raise ApiError(401, "sign in to get a token")
    if caller.via == "session" and not access.csrf_matches(
        caller.csrf_token or "", request.headers.get("X-CSRF-Token")
    ):
        raise ApiError(403, "missing or wrong X-CSRF-Token header for this session")
    token = users.create_token(service(request), caller.principal.name, body.label)
    return TokenOut(token=token, label=body.label)


@router.get(
    "/audit",
    response_model=list[AuditEntry],
    responses={**READ_ERRORS, **FILES},
    dependencies=[Depends(reader)],
)
def audit(
    request: Request,
    table: Annotated[Literal[users.AUDITED_TABLES] | None, Query()] = None,  # type: ignore[valid-type]
    record_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    fmt: Format = None,
) -> Any:
    """The audit log, newest first: every write with who, when, before and after."""
    svc = service(request)

    def build(size: int) -> list[dict[str, Any]]:
        return users.audit_trail(svc, table, [record_id] if record_id is not None else None, size)

    if fmt is not None:
        return download(request, fmt, "audit", list[AuditEntry], build, limit)
    return build(limit)
