"""The ``serve`` command: the dashboard and the API over HTTP (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from opgave.cli import Context, app, console, fail, service
from opgave.cli.render import port_problem


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(metavar="ADDRESS", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8000,
    public_read: Annotated[
        bool,
        typer.Option("--public-read", help="Let anyone read without signing in (writes never)."),
    ] = False,
    workers: Annotated[int, typer.Option(metavar="N", help="Worker processes.", min=1)] = 1,
) -> None:
    """Serve the dashboard and the API (/api/v1, OpenAPI at /api/v1/docs); prints the URL."""
    import uvicorn

    from opgave.api import create_app
    from opgave.service import users as user_service

    context: Context = ctx.obj
    url = context.url
    svc = service(ctx)
    users = user_service.list_users(svc)
    svc.engine.dispose()
    problem = port_problem(host, port)
    if problem is not None:
        raise fail(problem)
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"opgave dashboard: http://{shown}:{port}/  (API: http://{shown}:{port}/api/v1/docs)"
    )
    if not users and not public_read:
        console.print(
            "No users yet: add one with `opgave users add NAME --role admin`, "
            "or serve with --public-read to look around."
        )
    if workers > 1:
        import os

        os.environ["OPGAVE_SERVE_URL"] = url
        os.environ["OPGAVE_SERVE_PUBLIC_READ"] = "1" if public_read else ""
        uvicorn.run(
            "opgave.cli.serve:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        return
    uvicorn.run(create_app(url, public_read=public_read), host=host, port=port, log_level="warning")


def app_from_env() -> object:
    """The app for uvicorn's worker processes (``--workers`` > 1), configured by the parent."""
    import os

    from opgave.api import create_app

    return create_app(
        os.environ["OPGAVE_SERVE_URL"],
        public_read=bool(os.environ.get("OPGAVE_SERVE_PUBLIC_READ")),
    )
