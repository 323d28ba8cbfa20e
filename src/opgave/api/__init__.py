"""The opgave web application: the REST API under ``/api/v1`` and the dashboard under ``/``.

``create_app(database_url)`` builds it on an initialised database (``opgave init``); ``opgave
serve`` runs it with uvicorn. The OpenAPI description is at ``/api/v1/openapi.json`` and
browsable at ``/api/v1/docs``. See docs/api.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from opgave import __version__
from opgave.api.routers import account, agreements, funding, pipeline, programme
from opgave.api.routers import jobs as job_routes
from opgave.api.security import AppState, SecurityHeaders, install_error_handlers
from opgave.service import Service

API_PREFIX = "/api/v1"


def create_app(
    database_url: str,
    *,
    public_read: bool = False,
    secure_cookies: bool = False,
    dashboard: bool = True,
    run_jobs: bool = True,
) -> FastAPI:
    """The app on ``database_url``: API routers per capability and, unless turned off, the
    dashboard. ``public_read`` lets anyone read without signing in (writes always need a
    user); ``secure_cookies`` marks the session cookie HTTPS-only (behind a TLS proxy);
    ``run_jobs``: this process works on the background jobs (from its start: also those a
    restart left), else only stores and shows them (``opgave jobs work`` does them)."""
    service = Service(database_url, cached=True, concurrent=True, create=False)
    service.require_schema()
    state = AppState(
        service=service,
        public_read=public_read,
        secure_cookies=secure_cookies,
        run_jobs=run_jobs,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.jobs.start()
        try:
            yield
        finally:
            state.jobs.close()

    app = FastAPI(
        lifespan=lifespan,
        title="opgave API",
        version=__version__,
        description=(
            "Steering the national housing programme: areas, targets, status, plans, "
            "realised figures, meetings, agreements, funding awards and applications, and forecast "
            "runs as background jobs. Sign in (`POST /auth/login`) or send "
            "`Authorization: Bearer <token>`."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served from the package below (FastAPI's own page needs a CDN)
        redoc_url=None,
    )
    app.state.opgave = state
    install_error_handlers(app)
    app.add_middleware(SecurityHeaders, docs_path=f"{API_PREFIX}/docs", https=secure_cookies)
    from opgave.web.assets import install_docs

    install_docs(app, f"{API_PREFIX}/openapi.json", f"{API_PREFIX}/docs")
    for module in (programme, pipeline, funding, job_routes, agreements, account):
        app.include_router(module.router, prefix=API_PREFIX)
    if dashboard:
        from opgave.web import install_dashboard

        install_dashboard(app)
    return app
