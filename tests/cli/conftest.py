"""Fixtures of the command line's tests: a wide terminal, the programme with the demo."""

from __future__ import annotations

import pytest
from test_words import run
from typer.testing import CliRunner

from opgave.cli import console, errors


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal, so that no sentence is folded over two lines of a table cell."""
    monkeypatch.setattr(console._made(), "_width", 400)
    monkeypatch.setattr(errors._made(), "_width", 400)


@pytest.fixture
def demo_url(runner: CliRunner, loaded_url: str) -> str:
    """The programme with the synthetic demo loaded."""
    assert run(runner, loaded_url, "demo", "--plans", "200")[0] == 0
    return loaded_url
