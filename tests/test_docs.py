"""The docs keep up with the code: every command documented, CI runs the README's command,
and the README's tour runs top to bottom."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from ingest.test_cbs import cbs_server  # noqa: F401 - the recorded CBS answers, for `ingest cbs`
from typer.testing import CliRunner

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


def test_every_global_option_is_in_the_readme() -> None:
    import typer

    group = typer.main.get_command(app)
    options = [o for p in group.params for o in p.opts if o.startswith("--") and o != "--help"]
    global_line = README.split("Global options:", 1)[1].split("\n\n", 1)[0]
    missing = [o for o in options if f"`{o}" not in global_line]
    assert "--lang" in options and not missing, f"global options not in the README: {missing}"


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    test_command = next(b for b in blocks if "pytest" in b and "\n" not in b)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def tour() -> list[tuple[list[str], str]]:
    """The commands of the README's tour (the bash block after `<!-- tour -->`), each with
    its comment."""
    found = re.search(r"<!-- tour -->\n```bash\n(.*?)\n```", README, flags=re.S)
    assert found, "the README has no tour block (<!-- tour --> before a bash block)"
    steps = []
    for line in found.group(1).splitlines():
        command, _, comment = line.partition(" # ")
        steps.append((shlex.split(command), comment.strip()))
    return steps


def test_the_tour_is_commands_only_and_marks_what_needs_the_internet() -> None:
    steps = tour()
    assert len(steps) > 20 and all(args[0] == "opgave" for args, _ in steps)
    offline = [" ".join(a[1:3]) for a, comment in steps if "needs internet" in comment]
    assert offline == ["ingest cbs", "ingest bag"]
    after_bag = [" ".join(a[1:3]) for a, comment in steps if "needs the LV BAG extract" in comment]
    assert after_bag == ["bag reconcile"]


@pytest.mark.slow
def test_the_readme_tour_runs_top_to_bottom(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cbs_server: str,  # noqa: F811
) -> None:
    """Every line of the tour in a fresh folder, in order, exit 0: `ingest cbs` against the
    recorded CBS answers, the BAG lines left out (the national extract is a 3 GB download),
    `serve` started without listening."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPGAVE_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPGAVE_PASSWORD", "een-wachtwoord-voor-de-tour")
    served: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda *_args, **kwargs: served.append(kwargs))
    monkeypatch.setattr("opgave.cli.serve.port_problem", lambda _host, _port: None)
    runner = CliRunner()
    outputs: dict[str, str] = {}
    for args, comment in tour():
        args = args[1:]
        if "needs the LV BAG extract" in comment:
            continue
        if "needs internet" in comment:
            if args[:2] != ["ingest", "cbs"]:
                continue
            args = [*args, "--catalog-url", cbs_server, "--http"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, f"opgave {shlex.join(args)}:\n{result.output}"
        outputs[" ".join(args[:2])] = result.stdout
    assert served and served[0]["port"] == 8000
    # the steps that used to break now show what they promise
    assert "as of 2025-07-01: 3 added" in outputs["ingest plans"]
    assert "SYNTHETIC" in outputs["ingest plans"]
    assert "added (3 plans, 450 homes)" in outputs["status --compare"]
    assert "zonder-ov" in outputs["forecast --scenario"]
    assert "40 applications added" in outputs["funding import"]
    assert "homes per extra EUR 1M" in outputs["funding allocate"]
    assert "marginal value of budget: 0.0" not in outputs["funding allocate"]
    for made in ("voortgang.pdf", "out/manifest.json", "copy.db", "zonder-ov.toml"):
        assert (tmp_path / made).exists(), made
