"""The ``ingest geo`` command: area boundaries (CBS/PDOK GeoJSON) for the dashboard's map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opgave.cli import answering, console, fail, principal, service, speaking
from opgave.cli.pipeline import ingest_app


@ingest_app.command("geo")
def ingest_geo(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE|URL",
            help="GeoJSON of provinces or municipalities (WGS84), a file or an https URL "
            "(e.g. PDOK's gebiedsindelingen WFS with outputFormat=json&srsName=EPSG:4326).",
        ),
    ],
) -> None:
    """Load area boundaries (CBS/Kadaster gebiedsindelingen) into the database for the map.

    Download: https://www.pdok.nl/introductie/-/article/cbs-gebiedsindelingen (CC BY 4.0,
    attribute CBS/Kadaster). Features are matched by their `statcode` (PV27, GM0363).
    """
    from opgave.service import geo

    w = speaking(ctx)
    if file.startswith(("https://", "http://")):
        import urllib.request

        try:
            with urllib.request.urlopen(file, timeout=60) as answer:
                text = answer.read().decode("utf-8")
        except OSError as error:
            from opgave.ingest import network

            host = file.split("/")[2] if file.count("/") >= 2 else file
            raise fail(
                w("cannot_download", file=file, problem=network.problem(error, host))
            ) from None
        name = file.rsplit("/", 1)[-1][:80] or "download.geojson"
    else:
        path = Path(file)
        if not path.exists():
            raise fail(w("no_such_file", file=file))
        text, name = path.read_text(encoding="utf-8"), path.name
    with answering():
        report = geo.ingest(service(ctx), principal(ctx), name, text)
    console.print(
        w(
            "boundaries_loaded",
            file=name,
            count=w.number(report.boundaries),
            source=report.source_id,
        )
    )
