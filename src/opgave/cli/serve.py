"""The ``serve`` command: the dashboard and the API over HTTP (uvicorn).

Session cookies are marked HTTPS-only (``Secure``) with ``--secure-cookies``, or when
``OPGAVE_SECURE_COOKIES=1``; by default when the server listens on anything but the loopback
address (it is then meant to sit behind a TLS proxy: docs/operations.md).
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from typing import Annotated

import typer

from opgave.cli import Context, app, console, errors, fail, service, speaking
from opgave.cli.render import port_problem

SECURE_COOKIES_ENV = "OPGAVE_SECURE_COOKIES"


def loopback(host: str) -> bool:
    """True for an address only this machine reaches (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secure_cookies_for(host: str, chosen: bool | None) -> bool:
    """Whether session cookies are HTTPS-only: the option, else the environment switch
    (``OPGAVE_SECURE_COOKIES`` = 1/0), else on unless bound to loopback."""
    if chosen is not None:
        return chosen
    switch = os.environ.get(SECURE_COOKIES_ENV, "").strip().lower()
    if switch in ("1", "true", "yes", "on"):
        return True
    if switch in ("0", "false", "no", "off"):
        return False
    return not loopback(host)


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
    secure_cookies: Annotated[
        bool | None,
        typer.Option(
            "--secure-cookies/--no-secure-cookies",
            help="Mark session cookies HTTPS-only (behind TLS). Default: $OPGAVE_SECURE_COOKIES, "
            "else on unless the host is a loopback address.",
        ),
    ] = None,
    jobs: Annotated[
        bool,
        typer.Option(
            "--jobs/--no-jobs",
            help="Start a job worker process beside the server, at a lower CPU priority "
            "(--no-jobs: run `opgave jobs work` yourself, e.g. on another machine).",
        ),
    ] = True,
) -> None:
    """Serve the dashboard and the API (/api/v1, OpenAPI at /api/v1/docs); prints the URL."""
    import uvicorn

    from opgave.api import create_app
    from opgave.service import Service
    from opgave.service import users as user_service

    w = speaking(ctx)
    context: Context = ctx.obj
    url = context.url
    service(ctx)  # refuses a missing database, another schema, in words
    svc = Service(url, concurrent=True, create=False)  # read-only when the file is
    users = user_service.list_users(svc)
    read_only = svc.read_only
    svc.engine.dispose()
    secure = secure_cookies_for(host, secure_cookies)
    problem = port_problem(host, port)
    if problem is not None:
        raise fail(problem)
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    console.print(w("srv_listening", url=f"{base}/", api=f"{base}/api/v1/docs"))
    if read_only:
        errors.print(w("srv_read_only"), highlight=False)
    if secure and not loopback(host):
        console.print(w("srv_secure_cookies"))
    if not users and not public_read:
        console.print(w("srv_no_users"))
    os.environ["OPGAVE_SERVE_URL"] = url
    os.environ["OPGAVE_SERVE_PUBLIC_READ"] = "1" if public_read else ""
    os.environ[SECURE_COOKIES_ENV] = "1" if secure else "0"
    worker = job_worker(url) if jobs and not read_only else None
    try:
        if workers > 1:
            uvicorn.run(
                "opgave.cli.serve:app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
            )
            return
        uvicorn.run(
            create_app(url, public_read=public_read, secure_cookies=secure, run_jobs=False),
            host=host,
            port=port,
            log_level="warning",
        )
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()


JOB_NICE = 10
"""How much lower the job worker's CPU priority is than the server's: readers first."""


def job_worker(url: str) -> subprocess.Popen[bytes]:
    """The background jobs' worker process (``opgave jobs work``), its jobs at a lower CPU
    priority (but not while they hold the database's write lock), so that a 200,000-plan
    import or a forecast does not slow the pages and the API. It ends when this process ends
    (uvicorn ends on SIGTERM without running our ``finally``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "opgave", "--db", url, "jobs", "work", "--nice", str(JOB_NICE),
         "--with-parent", str(os.getpid())],
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def app_from_env() -> object:
    """The app for uvicorn's worker processes (``--workers`` > 1), configured by the parent."""
    from opgave.api import create_app

    return create_app(
        os.environ["OPGAVE_SERVE_URL"],
        public_read=bool(os.environ.get("OPGAVE_SERVE_PUBLIC_READ")),
        secure_cookies=os.environ.get(SECURE_COOKIES_ENV) == "1",
        run_jobs=False,  # the parent started the job worker
    )
