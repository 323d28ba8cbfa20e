"""The help in Dutch (opgave.cli.help_nl): asked by --lang nl before the command or by
OPGAVE_LANG, click's own words too; English as before; no Dutch text whose English is gone,
and every help text of the translated commands has its Dutch."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
from test_startup import _loaded_after
from typer.testing import CliRunner

from opgave.cli import _help_language, app
from opgave.cli.help_nl import HELP, key

TRANSLATED = (
    "init", "overview", "areas", "targets", "meetings", "preconditions", "instruments", "export",
    "import", "realisations", "flags", "corrections", "plans", "status", "demo", "capacity-totals",
    "ingest", "bag", "agreements", "agenda", "forecast", "scenario", "funding", "jobs", "backup",
    "restore", "report", "serve", "users", "examples",
)  # fmt: skip
"""The commands (and groups) whose help is in Dutch: all of them (a new command fails the
test below until it is listed here and its help has Dutch)."""


def texts(command: Any, path: str = "") -> dict[str, str]:
    """Every help text of a command tree, by command path (and parameter)."""
    found = {path: command.help} if command.help else {}
    found |= {
        f"{path} {p.opts[0]}".strip(): p.help for p in command.params if getattr(p, "help", None)
    }
    for name, sub in getattr(command, "commands", {}).items():
        found |= texts(sub, f"{path} {name}".strip())
    return found


def test_dutch_help_with_the_option_or_the_environment() -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["--lang", "nl", "--help"]).stdout
    assert "Gebruik: " in out and "Opties:" in out and "Opdrachten:" in out
    assert "Toon deze hulp en stop." in out and "sturen op een landelijk" in out
    assert "Usage:" not in out and "Show this message" not in out
    out = runner.invoke(app, ["ingest", "plans", "--help"], env={"OPGAVE_LANG": "nl"}).stdout
    assert "Lees een planlijst in" in out and "Peildatum van de lijst, JJJJ-MM-DD" in out
    assert "[standaard: opgave]" in out and "Argumenten:" in out and "[verplicht]" in out
    english = runner.invoke(app, ["--lang", "en", "ingest", "plans", "--help"]).stdout
    assert "Import a plan list" in english and "Usage:" in english and "Gebruik" not in english
    assert "Import a plan list" in runner.invoke(app, ["ingest", "plans", "--help"]).stdout


def test_the_language_of_the_help_is_read_before_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _help_language(["--db", "x.db", "--lang", "nl", "status", "--help"]) == "nl"
    assert _help_language(["--db", "x.db", "--lang", "nl", "status"]) is None  # no help asked
    assert _help_language(["--lang=nl", "--help"]) == "nl"
    assert _help_language(["--lang", "xx", "--help"]) is None  # refused later, in one line
    monkeypatch.delenv("OPGAVE_LANG")
    assert _help_language(["--help"]) == "nl"  # the default
    assert _help_language([]) == "nl"
    # the report's own --lang is the report's language, not the help's
    assert _help_language(["report", "--lang", "en", "--help"]) == "nl"
    monkeypatch.setenv("OPGAVE_LANG", "en")
    assert _help_language(["--help"]) == "en"


def test_every_dutch_text_has_its_english_and_the_translated_commands_are_complete() -> None:
    command = typer.main.get_command(app)
    assert set(getattr(command, "commands", {})) <= set(TRANSLATED)  # a new command needs Dutch
    english = texts(command)
    known = {key(t) for t in english.values()}
    assert [e for e in HELP if key(e) not in known] == []  # no Dutch for a text that is gone
    dutch = {key(e) for e in HELP}
    missing = {
        where: text
        for where, text in english.items()
        if (where == "" or where.split(" ")[0] in TRANSLATED or where.startswith("--"))
        and key(text) not in dutch
    }
    assert missing == {}


def test_dutch_help_loads_no_heavy_library() -> None:
    code = (
        "from opgave.cli import app\n"
        "try:\n    app(prog_name='opgave', args=['--lang', 'nl', '--help'])\n"
        "except SystemExit:\n    pass"
    )
    assert _loaded_after(code) == set()
