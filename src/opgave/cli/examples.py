"""The ``examples`` command: the sample files of the README's tour, written here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opgave.cli import answering, app, console, service, speaking

if TYPE_CHECKING:
    from opgave.cli.words import Words
    from opgave.examples import Sample


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

    w = speaking(ctx)
    with answering():
        done = examples.write_examples(service(ctx), folder, force=force)
    outcomes = {o: w(f"ex_{o}") for o in ("written", "unchanged", "skipped")}
    width = max(10, *map(len, outcomes.values()))
    for item in done:
        outcome = outcomes.get(item.outcome, item.outcome)
        if item.outcome == "skipped":
            note = w("ex_no_demo") if item.sample.shipped is None else item.note
            console.print(f"{outcome:<{width}} {item.sample.name}: {note}", highlight=False)
            continue
        console.print(f"{outcome:<{width}} {item.path}: {what(item.sample, w)}", highlight=False)
        console.print(
            " " * (width + 1) + w("ex_next", command=item.sample.use), style="dim", highlight=False
        )


def what(sample: Sample, w: Words) -> str:
    """What a sample file is, in the command's language."""
    from opgave.examples import LATER

    if w.lang == "en":
        return sample.what
    if sample.name.endswith(".toml"):
        return w("ex_what_scenario")
    if sample.shipped is not None:
        return w("ex_what_applications")
    return w("ex_what_plans", date=w.date(LATER))
