"""The ``opgave`` command line: the app, shared helpers, and one module of commands per capability.

A door like the API and the dashboard: every command parses its input, calls the service
layer (:mod:`opgave.service`) and renders the answer; it never opens a database session.
Every listing prints, with ``--json``, a JSON array of objects keyed by the model's field
names. Every command that changes data runs in one transaction and is audited under the
principal ``--by`` names (a user, else the operating-system user).

Nothing ends in a traceback: a refusal of the service, and a failure of the database or the
machine (busy, read-only, full disk, unreachable server, a file that cannot be written), is
one line on stderr and an exit code - 1, 75 when trying again later may work (busy,
unreachable), 74 for a full disk (:mod:`opgave.service.failures`). A command that writes
waits while another process holds the database's write lock, and says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from opgave import __version__

if TYPE_CHECKING:
    from rich.console import Console

    from opgave.access import Principal
    from opgave.cli.words import Words
    from opgave.service import Service
    from opgave.service.errors import ServiceError


class _Answering(TyperGroup):
    """The command group: every command's refusals and failures as one line and an exit
    code, never a traceback."""

    def main(self, args: Any = None, *rest: Any, **options: Any) -> Any:
        """Run the command line; its help in Dutch when ``--lang nl`` (before the command) or
        ``OPGAVE_LANG`` asks for it (read here: click builds the help before ``main`` runs)."""
        if _help_language(sys.argv[1:] if args is None else list(args)) == "nl":
            from opgave.cli.help_nl import dutch

            dutch(self)
        return super().main(args, *rest, **options)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            said = _said(ctx, error)
            if said is None:
                raise
            raise _refusal(said) from None
        finally:
            _SPOKEN.clear()  # the command's language ends with it


def _help_language(args: list[str]) -> str | None:
    """The language of the help the arguments ask for (``--lang`` before the command, else
    ``OPGAVE_LANG``, else Dutch); None when no help is asked for or the language is refused
    later by :func:`main`. Cheap: nothing is imported unless help is asked for."""
    given: str | None = None
    at = 0
    while at < len(args):
        arg = args[at]
        if arg == "--lang":
            given = args[at + 1] if at + 1 < len(args) else None
            break
        if arg.startswith("--lang="):
            given = arg.partition("=")[2]
            break
        if not arg.startswith("-"):
            break  # the command: its own options (report --lang) are not the output's
        at += 2 if arg in ("--db", "--by") else 1
    if not ({"--help", "-h"} & set(args)) and args:
        return None  # no help asked for: nothing to translate before the command runs
    from opgave.cli.words import language

    try:
        return language(given, os.environ)
    except ValueError:
        return None


def _said(ctx: Any, error: Exception) -> ServiceError | None:
    """A refusal of the service, or a failure of the database or the machine in words;
    None for anything else (raised as it is). Imported here, on the way out: the start of
    every command stays free of the service layer."""
    from opgave.service import failures
    from opgave.service.errors import ServiceError

    if isinstance(error, ServiceError):
        return error
    if not isinstance(error, (*failures.DATABASE_ERRORS, OSError, MemoryError)):
        return None
    context: Context | None = ctx.find_object(Context)
    service_ = context._service if context is not None else None
    if service_ is not None:
        said = service_.failure(error)
    else:
        said = failures.translate(error, "the database")
    if said is None and isinstance(error, OSError):
        where = error.filename or "a file"
        said = ServiceError(1, f"{where}: {error.strerror or error}")
    return said


app = typer.Typer(
    cls=_Answering,
    help="opgave: steer a national housing programme - targets, pipeline, realisation, agreements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain (click) help: Rich's help panels import a Markdown parser, 0.1 s on every --help;
    # options show their metavar (DATE, AREA, ...), not <str>/<bool> types.
    rich_markup_mode=None,
)


class _LazyConsole:
    """A Rich console made when first used: importing Rich costs 0.05 s, which ``--help``
    and ``--json`` need not pay."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)

    def _made(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __enter__(self) -> Any:  # Rich's Live and Progress hold the console in a with block
        return self._made().__enter__()

    def __exit__(self, *exc: object) -> None:
        self._made().__exit__(*exc)


if TYPE_CHECKING:
    console: Console
    errors: Console
else:
    console = _LazyConsole(soft_wrap=True)
    errors = _LazyConsole(stderr=True, soft_wrap=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON array of records.")]


def parse_date(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option value as a date, or a clear error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        w = current_words()
        raise fail(w("expects", option=option, expected=w("a_date"), got=repr(value))) from None


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
            metavar="URL",
            help="Database URL or SQLite file (default: $OPGAVE_DATABASE_URL, else ./opgave.db).",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="NAME",
            help="Who makes the changes, for the audit log: a user (its role and areas apply) "
            "or a name (default: your login name).",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="nl|en",
            help="Language of the output: nl (Dutch) or en (English); default $OPGAVE_LANG, "
            "else nl. --json never changes.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """opgave: steer a national housing programme."""
    from opgave.cli.words import language

    _SPOKEN.clear()  # an earlier run's language does not carry over
    try:
        chosen = language(lang, os.environ)
    except ValueError as error:
        raise fail(str(error)) from None
    _SPOKEN["lang"] = chosen
    ctx.obj = Context(db, by, chosen)


@dataclasses.dataclass
class Context:
    """What every command gets: the database (``--db``, resolved when first asked), who
    writes, and the language to speak (``--lang``, else ``OPGAVE_LANG``, else Dutch)."""

    db: str | None
    by: str | None
    lang: str = "nl"
    _service: Service | None = None

    @property
    def url(self) -> str:
        """The database URL from ``--db``, else ``OPGAVE_DATABASE_URL``, else ``./opgave.db``."""
        from opgave.service import database_url

        return database_url(self.db)

    def service(self, require_schema: bool = True) -> Service:
        """The service on the database (refusing one without the current schema). Only a
        command that sets a database up (``require_schema=False``) may create the file; a
        write waits for a busy database and says so on stderr."""
        from rich.markup import escape

        from opgave.service import Service, command_lock_wait_s

        if self._service is None:
            with answering():
                self._service = Service(
                    self.url,
                    create=not require_schema,
                    lock_wait_s=command_lock_wait_s(),
                    busy_timeout_s=1.0,
                    on_wait=lambda text: errors.print(
                        current_words()("waiting", text=escape(text)), highlight=False
                    ),
                )
        if require_schema:
            with answering():
                self._service.require_schema()
        return self._service


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` on stderr and return the exit to raise."""
    from rich.markup import escape

    errors.print(f"[bold red]{current_words()('error')}[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


def speaking(ctx: typer.Context) -> Words:
    """The words of the command's language (``--lang``)."""
    from opgave.cli.words import Words

    context: Context = ctx.obj
    return Words(context.lang)


_SPOKEN: dict[str, str] = {}
"""The language of the running command (``"lang"``), set by :func:`main` on every run: the
helpers that are not handed a context (messages, refusals) speak it."""


def current_words() -> Words:
    """The words of the running command's language; outside a command (or when ``--lang``
    itself is refused) ``OPGAVE_LANG``'s, else the default language's; English when
    ``OPGAVE_LANG`` itself is refused (the refusal, which names it, is English)."""
    from opgave.cli.words import Words, language

    if "lang" in _SPOKEN:
        return Words(_SPOKEN["lang"])
    try:
        return Words(language(None, os.environ))
    except ValueError:
        return Words("en")


def service(ctx: typer.Context) -> Service:
    """The service of the command's database."""
    context: Context = ctx.obj
    return context.service()


def principal(ctx: typer.Context, by: str | None = None) -> Principal:
    """Who writes: ``by`` (a command's own --by), else the global --by, else the login name."""
    from opgave.service import users as user_service

    context: Context = ctx.obj
    return user_service.operator(service(ctx), by or context.by)


@contextmanager
def answering() -> Iterator[None]:
    """A refusal of the service as a message and exit code 1 (never a traceback)."""
    try:
        yield
    except Exception as error:
        # A ServiceError can only come from a service already imported: no import cost here.
        from opgave.service.errors import ServiceError

        if not isinstance(error, ServiceError):
            raise
        raise _refusal(error) from None


def _refusal(error: ServiceError) -> typer.Exit:
    """Print a refusal (its message and every problem) and return the exit to raise."""
    from rich.markup import escape

    from opgave.service import failures

    w = current_words()
    lines = error.lines() if w.lang == "en" else refusal_lines(error, w)
    errors.print(f"[bold red]{w('error')}[/] {escape(lines[0])}", highlight=False)
    for line in lines[1:101]:
        errors.print(escape(line), highlight=False)
    if len(lines) > 101:
        errors.print(w("more_lines", count=w.number(len(lines) - 101)), highlight=False)
    return typer.Exit(failures.exit_code(error.status))


def refusal_lines(error: ServiceError, w: Words) -> list[str]:
    """A refusal in the words of ``w``: its sentence from the catalogue of refusals
    (:mod:`opgave.refusals`; the service's English for a refusal without a code), or with
    problems how many there are and that nothing was written, then each problem with its
    file, row and column (the problems' own messages come from the validators)."""
    if not error.problems:
        from opgave.refusals import say

        return [say(error.detail, w.lang)]
    count = len(error.problems)
    out = [w("problem_found" if count == 1 else "problems_found", count=w.number(count))]
    for p in error.problems:
        parts = [str(p["file"])] if p.get("file") else []
        parts += [
            w(f"problem_{k}", value=p[k]) for k in ("row", "field") if p.get(k) not in (None, "")
        ]
        where = ", ".join(parts)
        out.append(f"  {where}: {p.get('message', '')}" if where else f"  {p.get('message', '')}")
    return out


def jsonable(value: Any) -> Any:
    """Dataclasses as dicts, so that results print as JSON with their field names."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def print_json(records: Any) -> None:
    """Records (or a result object) as JSON on stdout: numbers stay numbers, dates become ISO
    text, dataclasses objects keyed by their field names."""
    data = [jsonable(r) for r in records] if isinstance(records, list) else jsonable(records)
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def homes(value: float | None) -> str:
    """A number of homes in the command's language: 175,000 (en), 175.000 (nl)."""
    return current_words().number(value)


def target_value(t: Mapping[str, Any]) -> str:
    """A target's value as the letter would say it (ranges, "ca.", "at least", open), in the
    command's language (:meth:`opgave.cli.words.Words.target_value`)."""
    return current_words().target_value(t)


def period(t: Mapping[str, Any]) -> str:
    """An inclusive year period (2021-2030, to 2040, from 2031, no period) in the command's
    language."""
    return current_words().period(t)


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
from opgave.cli import forecast_history  # noqa: E402
from opgave.cli import agreements  # noqa: E402
from opgave.cli import report  # noqa: E402
from opgave.cli import users  # noqa: E402
from opgave.cli import serve  # noqa: E402
from opgave.cli import geo  # noqa: E402
from opgave.cli import registers  # noqa: E402, F401
from opgave.cli import operations  # noqa: E402
from opgave.cli import examples  # noqa: E402
# isort: on

__all__ = [
    "agreements",
    "app",
    "bag",
    "examples",
    "forecast",
    "forecast_history",
    "funding",
    "geo",
    "operations",
    "pipeline",
    "programme",
    "report",
    "serve",
    "users",
]
