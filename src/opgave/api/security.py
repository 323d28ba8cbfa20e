"""Who is asking, and may they: credentials from a bearer token or a session cookie, CSRF,
and the one error shape every route answers with.

Scripts send ``Authorization: Bearer <token>``; browsers carry the ``opgave_session``
cookie and must echo the session's CSRF token (header ``X-CSRF-Token`` for the API, a form
field on the dashboard) on every write. Credentials are looked up at most every
``CREDENTIAL_TTL_S`` seconds per secret (revoking takes effect within that time).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from opgave import access
from opgave.access import Principal
from opgave.api.schemas import Conflict, ErrorBody
from opgave.service import Service, ServiceError, failures, users
from opgave.service.jobs import JobRegistry

SESSION_COOKIE = "opgave_session"
CSRF_HEADER = "X-CSRF-Token"
CREDENTIAL_TTL_S = 5.0
ERROR_TEXT = {
    400: "Bad request: a parameter is not usable as given",
    401: "Not signed in: send a bearer token or sign in",
    403: "Not allowed for this user",
    404: "Not found",
    409: "Conflict: the record changed since the version given",
    422: "The input does not validate",
    429: "Too many attempts or jobs waiting: try again after Retry-After seconds",
    503: "The database is busy (try again after Retry-After seconds) or read-only",
    507: "The disk is full: nothing was written",
}


ApiError = ServiceError
"""The error every route answers with: the service layer's refusal, as it is."""


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the error answers a route may give."""
    return {
        code: {"model": Conflict if code == 409 else ErrorBody, "description": ERROR_TEXT[code]}
        for code in codes
    }


READ_ERRORS = responses(400, 401, 404, 422)
WRITE_ERRORS = responses(400, 401, 403, 404, 409, 422)


@dataclass
class AppState:
    """What the routes share: the service (database and cached programme state), the jobs
    and the access policy."""

    service: Service
    public_read: bool = False
    secure_cookies: bool = False
    run_jobs: bool = True
    """Whether this process works on the jobs too (else ``opgave jobs work`` does)."""
    jobs: JobRegistry = field(init=False)
    _credentials: dict[str, tuple[float, Principal | None, str | None]] = field(
        default_factory=dict
    )
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.jobs = JobRegistry(self.service, run=self.run_jobs)

    def credential(self, kind: str, secret: str) -> tuple[Principal | None, str | None]:
        """The principal (and CSRF token for sessions) of a token or cookie, cached briefly."""
        key = f"{kind}:{users.secret_id(secret)}"
        cached = self._credentials.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < CREDENTIAL_TTL_S:
            return cached[1], cached[2]
        if kind == "token":
            principal, csrf = users.principal_for_token(self.service, secret), None
        else:
            found = users.principal_for_session(self.service, secret)
            principal, csrf = found if found else (None, None)
        with self._lock:
            if len(self._credentials) > 10_000:
                self._credentials.clear()
            self._credentials[key] = (now, principal, csrf)
        return principal, csrf

    def forget(self, kind: str, secret: str) -> None:
        """Drop a cached credential (after sign-out)."""
        self._credentials.pop(f"{kind}:{users.secret_id(secret)}", None)


def state_of(request: Request) -> AppState:
    """The app's shared state."""
    state: AppState = request.app.state.opgave
    return state


@dataclass(frozen=True)
class Caller:
    """The principal behind a request and how it proved itself."""

    principal: Principal | None
    via: str | None
    csrf_token: str | None


def identify(request: Request) -> Caller:
    """The caller of a request, from its bearer token or session cookie (or anonymous)."""
    state = state_of(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal, _ = state.credential("token", header[7:].strip())
        if principal is None:
            raise ApiError(401, "the bearer token is unknown or revoked")
        return Caller(principal, "token", None)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        principal, csrf = state.credential("session", cookie)
        if principal is not None:
            return Caller(principal, "session", csrf)
    return Caller(None, None, None)


def reader(request: Request) -> Caller:
    """Dependency: anyone signed in may read (everyone, when the app is public to read)."""
    caller = identify(request)
    if caller.principal is None and not state_of(request).public_read:
        raise ApiError(401, ERROR_TEXT[401])
    return caller


def writer(request: Request) -> Principal:
    """Dependency: an admin or editor; a browser session must send its CSRF token."""
    caller = identify(request)
    if caller.principal is None:
        raise ApiError(401, ERROR_TEXT[401])
    if caller.via == "session" and not access.csrf_matches(
        caller.csrf_token or "", request.headers.get(CSRF_HEADER)
    ):
        raise ApiError(403, f"missing or wrong {CSRF_HEADER} header for this session")
    if not caller.principal.can_write:
        raise ApiError.refused(
            403, "read_only_role", name=caller.principal.name, role=caller.principal.role
        )
    return caller.principal


def refusal(error: ServiceError) -> JSONResponse:
    """A refusal as the API answers it: :class:`ErrorBody` (or :class:`Conflict`), with
    ``Retry-After`` when trying again later makes sense."""
    body = {"detail": error.detail, "problems": error.problems, **error.extra}
    body.update({"code": error.code} if error.code else {})  # the refusal's catalogue code
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    return JSONResponse(body, status_code=error.status, headers=headers)


PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""The dashboard's Content-Security-Policy: only its own scripts (and inline ones carrying
the page's nonce), no framing; styles inline (Plotly sets them), workers from blobs (the
map)."""
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
"""The interactive API docs: Swagger UI's script and style come from the package, and its
page starts them with an inline script."""
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
NONCE_KEY = "csp_nonce"


class SecurityHeaders:
    """ASGI middleware: every answer says how a browser must treat it - the CSP above (a
    fresh nonce per request, in ``request.state.csp_nonce`` for the pages' inline scripts),
    no framing (``frame-ancestors``, ``X-Frame-Options``), no referrer to other sites, no
    content sniffing; HSTS when the cookies are HTTPS-only (a TLS proxy is in front)."""

    def __init__(self, app: Any, *, docs_path: str, https: bool = False) -> None:
        self.app = app
        self.docs_path = docs_path
        self.https = https

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})[NONCE_KEY] = nonce
        path = str(scope.get("path", ""))
        if path.startswith(self.docs_path):
            policy = DOCS_POLICY
        elif path.startswith("/api/"):
            policy = API_POLICY
        else:
            policy = PAGE_POLICY.format(nonce=nonce)
        extra = [
            (b"content-security-policy", policy.encode()),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (b"x-content-type-options", b"nosniff"),
        ]
        if self.https:
            extra.append((b"strict-transport-security", b"max-age=31536000"))

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in extra if k not in names),
                ]
            await send(message)

        await self.app(scope, receive, sending)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error with :class:`ErrorBody` (or :class:`Conflict`)."""

    @app.exception_handler(ServiceError)
    async def _api_error(_request: Request, error: ServiceError) -> JSONResponse:
        return refusal(error)

    async def _failure(request: Request, error: Exception) -> JSONResponse:
        said = state_of(request).service.failure(error)
        if said is None:
            raise error
        return refusal(said)

    for kind in (*failures.DATABASE_ERRORS, MemoryError):
        app.add_exception_handler(kind, _failure)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(part) for part in e.get("loc", ())),
                "message": str(e.get("msg", "invalid")),
            }
            for e in error.errors()
        ]
        return JSONResponse({"detail": ERROR_TEXT[422], "problems": problems}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = dict(getattr(error, "headers", None) or {})
        if error.status_code == 405 and (documented := allowed_methods(request)):
            headers["Allow"] = ", ".join(documented)
        return JSONResponse(
            {"detail": str(error.detail), "problems": []},
            status_code=error.status_code,
            headers=headers or None,
        )


def allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI documents for a path (a 405's ``Allow``: Starlette names
    only the first route that matched the path) - the path's own operations when it is
    documented as it is (``/jobs/forecast`` rather than ``/jobs/{job_id}``); outside the
    API, what Starlette said."""
    app = request.app
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "allow", None)
    if table is None:
        table = [
            (
                re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"),
                {m.upper() for m in operations if m != "parameters"},
            )
            for path, operations in app.openapi().get("paths", {}).items()
        ]
        app.state.allow = table
    path = request.url.path
    methods: set[str] = set()
    for pattern, documented in table:
        if pattern.pattern == "^" + re.escape(path) + "$":
            return sorted(documented)
        if pattern.match(path):
            methods |= documented
    return sorted(methods)
