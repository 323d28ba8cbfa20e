"""The ``opgave`` command line: the app, shared helpers, and one module of commands per capability.

Every listing prints, with ``--json``, a JSON array of objects keyed by the model's field
names. Every command that changes data runs in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from opgave import __version__, areas, store
from opgave.ingest import gemeente_codes as gemeente_codes
from opgave.model import Area, AreaMember, Base, table_of

app = typer.Typer(
    help="opgave: steer a national housing programme - targets, pipeline, realisation, agreements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON array of records.")]


def parse_date(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option value as a date, or a clear error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} expects a date YYYY-MM-DD, got {value!r}") from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"opgave {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL or SQLite file (default: $OPGAVE_DATABASE_URL, else ./opgave.db).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """opgave: steer a national housing programme."""
    ctx.obj = store.resolve_url(db)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` on stderr and return the exit to raise."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


def engine_for(ctx: typer.Context) -> Engine:
    url: str = ctx.obj
    try:
        engine = store.connect(url)
        current = store.is_current(engine)
    except OperationalError as error:
        raise fail(f"cannot open the database {url}: {error.orig}") from None
    if not current:
        raise fail(f"the database {url} has no up-to-date opgave schema; run `opgave init` first")
    return engine


@contextmanager
def reading(ctx: typer.Context) -> Iterator[Session]:
    """A read session on an initialised database."""
    with store.transaction(engine_for(ctx)) as session:
        yield session


def rows(session: Session, model: type[Base]) -> list[dict[str, Any]]:
    """All records of a table as dicts keyed by field name, in key order."""
    records = [obj.to_dict() for obj in session.scalars(select(model))]
    key = [c.name for c in table_of(model).primary_key.columns]
    return sorted(records, key=lambda r: tuple(r[k] for k in key))


def print_json(records: Sequence[dict[str, Any]]) -> None:
    """Records as a JSON array on stdout: numbers stay numbers, dates become ISO text."""
    typer.echo(json.dumps(list(records), ensure_ascii=False, indent=2, default=str))


def homes(value: float | None) -> str:
    """A number of homes for people: 175,000."""
    return "-" if value is None else f"{value:,.0f}"


def target_value(t: Mapping[str, Any]) -> str:
    """A target's value as the letter would say it: ranges, "ca.", "at least", open."""
    lo, hi = t["value_min"], t["value_max"]
    unit = t["unit"]

    def fmt(v: float) -> str:
        return f"{v:.0%}" if unit in ("ratio", "share") else homes(v)

    if lo is None and hi is None:
        text = t["qualitative"] or "open"
    elif lo is not None and hi is not None:
        text = fmt(lo) if lo == hi else f"{fmt(lo)}-{fmt(hi)}"
    elif lo is not None:
        text = f"at least {fmt(lo)}"
    else:
        text = f"up to {fmt(hi)}"
    if unit == "homes" and (lo is not None or hi is not None):
        text += " homes"
    return f"ca. {text}" if t["approximate"] else text


def period(t: Mapping[str, Any]) -> str:
    """An inclusive year period: 2021-2030, to 2040, from 2031, or the source's words."""
    first, last = t["first_year"], t["last_year"]
    if first and last:
        return f"{first}-{last}"
    if last:
        return f"to {last}"
    if first:
        return f"from {first}"
    return "no period"


def area_filter(session: Session, area: str | None, within: bool) -> set[str] | None:
    """The area ids an --area/--within filter admits, or None for no filter."""
    if area is None:
        return None
    if session.get(Area, area) is None:
        raise fail(f"unknown area {area!r}; `opgave areas` lists them")
    if not within:
        return {area}
    return areas.descendants(area, areas.children_of(rows(session, AreaMember))) | {area}


def run() -> None:  # pragma: no cover - console entry for `python -m opgave`
    """Entry point for ``python -m opgave``."""
    app(prog_name="opgave", args=sys.argv[1:])


# Register the commands of each capability (they import `app` from here).
# isort: off
from opgave.cli import programme  # noqa: E402
from opgave.cli import pipeline  # noqa: E402
from opgave.cli import bag  # noqa: E402
from opgave.cli import funding  # noqa: E402
from opgave.cli import forecast  # noqa: E402
from opgave.cli import agreements  # noqa: E402
from opgave.cli import report  # noqa: E402
from opgave.cli import users  # noqa: E402
from opgave.cli import serve  # noqa: E402
from opgave.cli import geo  # noqa: E402
# isort: on

__all__ = [
    "agreements",
    "app",
    "bag",
    "forecast",
    "funding",
    "geo",
    "pipeline",
    "programme",
    "report",
    "serve",
    "users",
]
