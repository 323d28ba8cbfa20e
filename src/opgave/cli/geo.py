"""The ``ingest geo`` command: area boundaries (CBS/PDOK GeoJSON) for the dashboard's map."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from opgave import store
from opgave.cli import console, engine_for, fail
from opgave.cli.pipeline import ingest_app
from opgave.ingest import geo
from opgave.model import Area


@ingest_app.command("geo")
def ingest_geo(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            help="GeoJSON of provinces or municipalities (WGS84), a file or an https URL "
            "(e.g. PDOK's gebiedsindelingen WFS with outputFormat=json&srsName=EPSG:4326)."
        ),
    ],
) -> None:
    """Load area boundaries (CBS/Kadaster gebiedsindelingen) into the database for the map.

    Download: https://www.pdok.nl/introductie/-/article/cbs-gebiedsindelingen (CC BY 4.0,
    attribute CBS/Kadaster). Features are matched by their `statcode` (PV27, GM0363).
    """
    if file.startswith(("https://", "http://")):
        try:
            with urllib.request.urlopen(file, timeout=60) as answer:
                text = answer.read().decode("utf-8")
        except OSError as error:
            raise fail(f"cannot download {file}: {error}") from None
        name = file.rsplit("/", 1)[-1][:80] or "download.geojson"
    else:
        path = Path(file)
        if not path.exists():
            raise fail(f"{file}: no such file")
        text, name = path.read_text(encoding="utf-8"), path.name
    with store.transaction(engine_for(ctx)) as session:
        try:
            rows = geo.read_boundaries(name, text, session.scalars(select(Area.id)).all())
        except geo.GeoInputError as error:
            raise fail(str(error)) from None
        source = geo.apply_boundaries(session, name, text, rows)
    console.print(f"{name}: {len(rows)} boundaries loaded (source {source.id}).")
