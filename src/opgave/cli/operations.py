"""Commands for running opgave: backups, restoring one, and the background jobs (a worker
process beside the servers, the list, cancelling). docs/operations.md."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from opgave.cli import (
    Context,
    JsonOption,
    answering,
    app,
    console,
    print_json,
    service,
    speaking,
)
from opgave.cli.words import TEXTS

if TYPE_CHECKING:
    from opgave.cli.words import Words

jobs_app = typer.Typer(
    help="Background jobs (forecasts, plan-list imports): list, work on them, cancel.",
    no_args_is_help=True,
)
app.add_typer(jobs_app, name="jobs")


@app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The backup file to write (a new file).")
    ],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace FILE if it exists.")
    ] = False,
) -> None:
    """Copy the whole database into FILE while it stays in use (SQLite's online backup;
    PostgreSQL: pg_dump --format=custom)."""
    from opgave.service import backup as backups

    with answering():
        done = backups.backup(service(ctx), file, overwrite=overwrite)
    w = speaking(ctx)
    console.print(
        w(
            "ops_backed_up",
            file=done.file,
            size=w.number(done.bytes),
            revision=done.revision or "-",
            method=w("ops_sqlite_backup") if done.method == backups.SQLITE_BACKUP else done.method,
        )
    )


@app.command("restore")
def restore(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A file written by `opgave backup`.")
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a database that holds opgave data.")
    ] = False,
) -> None:
    """Replace the database's content with a backup (a new database is created)."""
    from opgave.service import backup as backups

    context: Context = ctx.obj
    svc = context.service(require_schema=False)
    with answering():
        done = backups.restore(svc, file, replace=replace)
    console.print(
        speaking(ctx)(
            "ops_restored", database=svc.shown_url, file=done.file, revision=done.revision or "-"
        )
    )


@jobs_app.command("list")
def list_jobs(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The jobs kept in the database, newest first (without their results)."""
    from opgave.service.jobs import JobRegistry

    registry = JobRegistry(service(ctx), run=False)
    found = [j.as_dict(with_result=False) for j in registry.recent()]
    if as_json:
        print_json(found)
        return
    w = speaking(ctx)
    table = Table(title=w("ops_jobs_title"))
    for column in ("column_id", "column_kind", "column_status", "column_progress",
                   "column_stage", "column_user", "column_created", "column_error"):  # fmt: skip
        table.add_column(w(column))
    for j in found:
        table.add_row(
            j["id"], known(w, "job_kind", j["kind"]), known(w, "job", j["status"]),
            w.percent(j["progress"], 0), stage(j["stage"], w), j["user_name"], j["created_at"],
            job_error(j["error"], w)[:60],
        )  # fmt: skip
    console.print(table)


@jobs_app.command("work")
def work(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Do the waiting jobs, then stop.")] = False,
    poll: Annotated[
        float, typer.Option(metavar="SECONDS", help="Seconds between looks for new jobs.")
    ] = 1.0,
    nice: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="Lower the jobs' CPU priority by this much (0-19); the work under the "
            "database's write lock keeps the normal one.",
            min=0,
        ),
    ] = 0,
    parent: Annotated[
        int | None,
        typer.Option("--with-parent", hidden=True, help="Stop when this process has ended."),
    ] = None,
) -> None:
    """Work on the background jobs in this process (`opgave serve` starts one such process;
    with --no-jobs run it yourself). Jobs a stopped worker left are taken up again. Ctrl-C
    or SIGTERM stops after the running job."""
    import os
    import signal

    from opgave.service import Service, priority
    from opgave.service.jobs import JobRegistry

    context: Context = ctx.obj
    service(ctx)  # a missing or other schema is refused in words
    svc = Service(context.url, cached=True, concurrent=True, create=False, lock_wait_s=60.0)
    registry = JobRegistry(svc, run=not once, poll_s=poll, nice=nice)
    if once and nice:
        priority.prepare()
        priority.lower_this_thread(nice)
    signal.signal(signal.SIGTERM, _interrupt)
    done = 0
    try:
        if once:
            with answering():
                while registry.work_once():
                    done += 1
        else:
            registry.start()
            while parent is None or os.getppid() == parent:  # `serve` may end without a word
                time.sleep(1.0)
    except KeyboardInterrupt:
        pass
    finally:
        registry.close()
        svc.engine.dispose()
    if once:
        w = speaking(ctx)
        console.print(w("ops_jobs_done_one" if done == 1 else "ops_jobs_done", count=done))


def _interrupt(*_args: object) -> None:
    """SIGTERM stops the worker like Ctrl-C: after the running job."""
    raise KeyboardInterrupt


@jobs_app.command("cancel")
def cancel(
    ctx: typer.Context,
    job_id: Annotated[str, typer.Argument(metavar="ID", help="The job's id (`opgave jobs list`).")],
    by: Annotated[
        str | None, typer.Option("--by", metavar="USER", help="Who cancels (a user).")
    ] = None,
) -> None:
    """Cancel a job: a queued one at once, a running one at its next progress report."""
    from opgave.cli import principal
    from opgave.service.jobs import JobRegistry

    registry = JobRegistry(service(ctx), run=False)
    with answering():
        job = registry.cancel(job_id, principal(ctx, by))
    w = speaking(ctx)
    console.print(w("ops_job", id=job.id, status=known(w, "job", job.status)))


def known(w: Words, prefix: str, code: str) -> str:
    """A job's kind or status in words (the code itself in English, as before, and when the
    catalogue has no word for it)."""
    key = f"{prefix}_{code}"
    return w(key) if w.lang != "en" and key in TEXTS[w.lang] else code


def job_error(text: str | None, w: Words) -> str:
    """Why a job ended, in the command's language where the service's words are known
    (other reasons, such as a refusal's detail, as they are)."""
    from opgave.service import jobs

    if not text:
        return ""
    key = {
        jobs.CANCELLED_BEFORE: "job_error_cancelled_before",
        jobs.CANCELLED_WHILE: "job_error_cancelled_while",
        jobs.OUT_OF_MEMORY: "job_error_memory",
    }.get(text)
    return w(key) if key is not None else text


FORECAST_STAGE = re.compile(r"forecast (\d+) of (\d+)")
"""The stage of a forecast job that runs several (:mod:`opgave.service.jobs`)."""


def stage(text: str, w: Words) -> str:
    """A job's stage in words: "reading", "forecast 2 of 3" (English as it is)."""
    if w.lang == "en":
        return text
    several = FORECAST_STAGE.fullmatch(text)
    if several is not None:
        return w("stage_forecast", i=several[1], n=several[2])
    return known(w, "stage", text)
