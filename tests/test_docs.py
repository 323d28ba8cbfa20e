"""The docs keep up with the code: every command documented, CI runs the README's command."""

from __future__ import annotations

import re
from pathlib import Path

from opgave.cli import app

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def command_names() -> list[str]:
    """Every command as typed: 'init', 'ingest plans', ..."""
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    for group in app.registered_groups:
        sub = group.typer_instance
        assert sub is not None
        names += [f"{group.name} {c.name}" for c in sub.registered_commands]
    return names


def test_every_command_is_in_the_command_reference() -> None:
    commands = command_names()
    missing = [c for c in commands if f"| `opgave {c}` |" not in README]
    assert commands and not missing, f"commands missing from the README's reference: {missing}"


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    test_command = next(b for b in blocks if "pytest" in b and "\n" not in b)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
