"""How the command line shows things (opgave.cli.render): tables that fold and keep ids
whole, words for codes, the area as argument or --area, and a port in use in one line."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from opgave.cli import app, render


def run(runner: CliRunner, url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


def rendered(table: Table, width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    monkeypatch.setattr(render, "console", console)
    render.show(table)
    return console.export_text()


def test_long_ids_fold_instead_of_being_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    table = Table()
    for column in ("id", "text", "more", "and more", "still more", "last"):
        table.add_column(column)
    table.add_row("BO-VERSTEDELIJKING-2021-MRA", "een lange tekst " * 4, "x", "y", "z", "w")
    narrow = rendered(table, 50, monkeypatch)
    assert "…" not in narrow and "..." not in narrow
    first_cells = [line.split("│")[1].strip() for line in narrow.splitlines() if line[0] == "│"]
    assert "".join(first_cells) == "BO-VERSTEDELIJKING-2021-MRA"  # folded, every character
    wide = rendered(table, 100, monkeypatch)
    assert "BO-VERSTEDELIJKING-2021-MRA" in wide  # whole, on one line, where there is room


def test_words_not_codes() -> None:
    assert render.word("area_kind", "strategy_region") == "urbanisation strategy region"
    assert render.word("agreement_status", "in_progress") == "in progress"
    assert (
        render.word("target_kind", "capacity") == "capacity"
    )  # room for homes (NOVEX), not plan capacity
    assert render.choices(["a", "b", "c"]) == "a, b or c"


def test_a_port_in_use_is_named_in_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        problem = render.port_problem("127.0.0.1", port)
    assert problem == (
        f"port {port} on 127.0.0.1 is in use (another `opgave serve`?): stop it or choose "
        "another port with --port"
    )
    assert render.port_problem("127.0.0.1", port) is None  # free again
    assert "no such address" in str(render.port_problem("192.0.2.77", 8000))


def test_serve_on_a_port_in_use_says_so_before_printing_the_url(
    runner: CliRunner, loaded_url: str
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run(runner, loaded_url, "serve", "--port", str(port), "--public-read")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is in use (another `opgave serve`?): stop it or "
        "choose another port with --port"
    ]


def test_the_area_is_an_argument_or_an_option(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    positional = run(runner, loaded_url, "status", "VS-MRA", "--json")
    option = run(runner, loaded_url, "status", "--area", "VS-MRA", "--json")
    assert positional[0] == option[0] == 0
    assert json.loads(positional[1]) == json.loads(option[1])
    assert json.loads(option[1])["area"]["id"] == "VS-MRA"
    both = run(runner, loaded_url, "realisations", "VS-MRA", "--area", "VS-ZR")
    assert both[0] == 1 and "two areas given: VS-MRA and --area VS-ZR" in both[2]
    same = run(runner, loaded_url, "realisations", "NL01", "--area", "NL01", "--json")
    assert same[0] == 0
    assert json.loads(same[1]) == json.loads(
        run(runner, loaded_url, "realisations", "--area", "NL01", "--json")[1]
    )


def test_tables_show_words_for_codes(runner: CliRunner, loaded_url: str) -> None:
    code, out, _ = run(runner, loaded_url, "areas")
    assert code == 0 and "(urbanisation strategy region)" in out and "(strategy_region)" not in out
    code, out, _ = run(runner, loaded_url, "preconditions")
    assert code == 0 and "water and climate" in out and "water_climate" not in out
    code, out, _ = run(runner, loaded_url, "areas", "--kind", "nope")
    assert code == 1
