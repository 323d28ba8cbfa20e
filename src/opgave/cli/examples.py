"""The ``examples`` command: the sample files of the README's tour, written here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opgave.cli import answering, app, console, service


@app.command("examples")
def write_examples(
    ctx: typer.Context,
    folder: Annotated[
        Path,
        typer.Argument(metavar="[DIR]", help="Folder to write them to (default: this one)."),
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files of the same name that differ.")
    ] = False,
) -> None:
    """Write the tour's sample files: a forecast scenario (zonder-ov.toml), 40 SYNTHETIC
    funding applications (applications.csv) and, after `opgave demo`, a later SYNTHETIC plan
    list of three MRA municipalities (synthetic-plans-2025-07-01.csv)."""
    from opgave.service import examples

    with answering():
        done = examples.write_examples(service(ctx), folder, force=force)
    for item in done:
        if item.outcome == "skipped":
            console.print(f"skipped    {item.sample.name}: {item.note}", highlight=False)
            continue
        console.print(f"{item.outcome:<10} {item.path}: {item.sample.what}", highlight=False)
        console.print(f"           next: {item.sample.use}", style="dim", highlight=False)
