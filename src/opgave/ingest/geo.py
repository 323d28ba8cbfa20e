"""Boundaries for the map: CBS/Kadaster "gebiedsindelingen" GeoJSON -> ``area_boundary``.

Inputs: a GeoJSON FeatureCollection in WGS84 (lon/lat) whose features name their area by
``statcode`` (PV27, GM0363; also ``id`` or ``code``), as published on PDOK (CBS/Kadaster,
CC BY 4.0; e.g. the generalised ``provincie_2025`` / ``gemeente_2025`` layers), and the
known area ids.
Outputs: one ``area_boundary`` row per feature (its geometry as GeoJSON text) under a
``source`` row with the file's name and checksum; an area loaded again is replaced.
Derives: nothing; it checks that every feature names a known area and has a polygon.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from opgave.model import AreaBoundary, Source
from opgave.problem import Problem

CODE_PROPERTIES = ("statcode", "code", "id")
"""Feature properties that may hold the CBS code, in the order they are tried."""
POLYGONS = ("Polygon", "MultiPolygon")
PDOK_DOWNLOAD = (
    "https://service.pdok.nl/cbs/gebiedsindelingen/2025/wfs/v1_0?request=GetFeature"
    "&service=WFS&version=2.0.0&typeName=gebiedsindelingen:provincie_gegeneraliseerd"
    "&outputFormat=json&srsName=EPSG:4326"
)
"""Where the provinces can be downloaded (PDOK WFS, WGS84); ``gemeente_gegeneraliseerd`` for
municipalities."""


class GeoInputError(ValueError):
    """The boundary file has problems; nothing was written. ``problems`` names each one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the boundary file:\n{shown}{more}")


@dataclass(frozen=True)
class Boundary:
    """One area's outline: its id and GeoJSON geometry (as compact text)."""

    area_id: str
    geometry_json: str


def _code(feature: dict[str, Any]) -> str | None:
    properties = feature.get("properties") or {}
    for key in CODE_PROPERTIES:
        value = properties.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    value = feature.get("id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def read_boundaries(name: str, text: str, known_areas: Collection[str]) -> list[Boundary]:
    """The boundaries of a GeoJSON text; raise :class:`GeoInputError` listing every problem
    (a feature is numbered from 1 in the ``row`` of a problem)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise GeoInputError([Problem(name, None, None, f"not valid JSON: {error}")]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeoInputError([Problem(name, None, "type", "expected a GeoJSON FeatureCollection")])
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise GeoInputError([Problem(name, None, "features", "no features")])
    known = set(known_areas)
    problems: list[Problem] = []
    found: dict[str, Boundary] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            problems.append(Problem(name, number, None, "expected a GeoJSON Feature"))
            continue
        code = _code(feature)
        geometry = feature.get("geometry")
        if code is None:
            problems.append(Problem(name, number, "statcode", "the feature names no area code"))
            continue
        if code not in known:
            problems.append(Problem(name, number, "statcode", f"unknown area {code!r}"))
        if not isinstance(geometry, dict) or geometry.get("type") not in POLYGONS:
            problems.append(Problem(name, number, "geometry", "expected a (Multi)Polygon"))
        elif not _looks_wgs84(geometry):
            problems.append(
                Problem(name, number, "geometry", "coordinates are not lon/lat (WGS84, EPSG:4326)")
            )
        if code in found:
            problems.append(Problem(name, number, "statcode", f"{code} appears twice"))
        if not problems or problems[-1].row != number:
            found[code] = Boundary(code, json.dumps(geometry, separators=(",", ":")))
    if problems:
        raise GeoInputError(problems)
    return list(found.values())


def _looks_wgs84(geometry: dict[str, Any]) -> bool:
    coordinates = geometry.get("coordinates")
    while isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return False
    lon, lat = coordinates[0], coordinates[1]
    return (
        isinstance(lon, int | float)
        and isinstance(lat, int | float)
        and -180 <= lon <= 180
        and -90 <= lat <= 90
    )


def apply_boundaries(session: Session, name: str, text: str, rows: list[Boundary]) -> Source:
    """Write (or replace) the boundaries under a source naming the file."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    source = session.get(Source, f"geo-{digest[:12]}")
    if source is None:
        source = Source(
            id=f"geo-{digest[:12]}",
            kind="dataset",
            title=name,
            citation=f"Boundaries {name} ({len(rows)} areas), CBS/Kadaster gebiedsindelingen, "
            "CC BY 4.0",
            publisher="CBS/Kadaster (PDOK)",
            confidence="official",
            checksum=f"sha256:{digest}",
        )
        session.add(source)
        session.flush()
    for row in rows:
        existing = session.get(AreaBoundary, row.area_id)
        if existing is None:
            session.add(
                AreaBoundary(
                    area_id=row.area_id, geometry_json=row.geometry_json, source_id=source.id
                )
            )
        else:
            existing.geometry_json, existing.source_id = row.geometry_json, source.id
    session.flush()
    return source


LINKED_KINDS = ("large_scale_area", "location")
"""Area kinds a plan with a geometry is linked to when it overlaps their outline."""


def area_polygons(session: Session, kinds: tuple[str, ...] = LINKED_KINDS) -> dict[str, Any]:
    """The outlines (RD New, shapely) of the areas of ``kinds`` that have one in
    ``area_boundary``, by area id - for linking plans with a geometry to them."""
    from sqlalchemy import select

    from opgave.model import Area
    from opgave.municipalities import geometry_from_geojson

    found = session.execute(
        select(AreaBoundary.area_id, AreaBoundary.geometry_json)
        .join(Area, Area.id == AreaBoundary.area_id)
        .where(Area.kind.in_(kinds))
    ).all()
    if not found:
        return {}
    geoms = geometry_from_geojson(text for _, text in found)
    return {
        area_id: geom for (area_id, _), geom in zip(found, geoms, strict=True) if geom is not None
    }
