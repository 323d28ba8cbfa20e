"""Map geometries: boundaries (a CBS/PDOK GeoJSON file, or download, stored per area) and
the outlines of plans from GIS registers.

Inputs: the service, the principal, GeoJSON text with its name. Outputs: the number of
boundaries stored and their source; the boundaries and plan outlines as GeoJSON for the map.
Derives: nothing - matching and checking is :mod:`opgave.ingest.geo`'s, the plans' GeoJSON
(from the WKB they keep) :mod:`opgave.plan_geometry`'s.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from opgave import boundaries as shipped_boundaries
from opgave import plan_geometry
from opgave.access import Principal
from opgave.ingest import geo
from opgave.model import Area, AreaBoundary, PlanGeometry
from opgave.service import Service, authority, users
from opgave.service.errors import ServiceError
from opgave.service.monitoring import require_area


@dataclass(frozen=True)
class GeoReport:
    """What a boundary import stored."""

    name: str
    boundaries: int
    source_id: str


def ingest(svc: Service, principal: Principal, name: str, text: str) -> GeoReport:
    """Store the boundaries of a GeoJSON text (features matched by ``statcode``)."""
    authority.require(principal, "boundaries.ingest")
    with svc.writing() as session:
        try:
            found = geo.read_boundaries(name, text, session.scalars(select(Area.id)).all())
        except geo.GeoInputError as error:
            raise ServiceError(422, str(error)) from None
        source = geo.apply_boundaries(session, name, text, found)
        users.record(session, principal, "upload", "area_boundary", source.id, None,
                     {"boundaries": len(found), "name": name})  # fmt: skip
    return GeoReport(name, len(found), source.id)


def boundaries(svc: Service) -> dict[str, str]:
    """Area id -> its boundary (GeoJSON geometry text, WGS84), for the map: the boundaries
    loaded with ``opgave ingest geo`` where there are, else the shipped CBS/Kadaster ones."""
    with svc.engine.connect() as connection:
        loaded = dict(
            connection.execute(select(AreaBoundary.area_id, AreaBoundary.geometry_json)).all()
        )
    return {**shipped_boundaries.shipped_geojson(), **loaded}


OUTLINE_BATCH = 10_000
"""Plan ids per query when outlines of given plans are read (below SQLite's variable limit)."""


def plan_outlines(svc: Service, plan_ids: Collection[str] | None = None) -> dict[str, str]:
    """Plan id -> its outline or point (GeoJSON geometry text, WGS84) for the map, of the
    given plans (None: every plan with a geometry); made from the stored WKB when asked."""
    query = select(PlanGeometry.plan_id, PlanGeometry.geometry_wkb)
    wanted = sorted(plan_ids) if plan_ids is not None else None
    with svc.engine.connect() as connection:
        if wanted is None:
            rows = list(connection.execute(query).all())
        else:
            rows = [
                row
                for start in range(0, len(wanted), OUTLINE_BATCH)
                for row in connection.execute(
                    query.where(PlanGeometry.plan_id.in_(wanted[start : start + OUTLINE_BATCH]))
                ).all()
            ]
    texts = plan_geometry.geojson([bytes(wkb) for _, wkb in rows])
    return {pid: text for (pid, _), text in zip(rows, texts, strict=True) if text is not None}


def plan_features(svc: Service, area: str | None = None) -> dict[str, Any]:
    """The current plans that have an outline or point (those of ``area`` and the areas inside
    it; all when None) as a GeoJSON FeatureCollection in WGS84 for a map: per plan its id,
    name, municipality, homes, planstatus, source and whether that source is synthetic."""
    state = svc.state()
    if area is not None:
        require_area(state, area)
    plans = state.plans_in(area) if area is not None else state.plans
    outlines = plan_outlines(svc, [p["id"] for p in plans])
    features = [
        {
            "type": "Feature",
            "id": p["id"],
            "geometry": json.loads(outlines[p["id"]]),
            "properties": {
                "name": p["name"],
                "gemeente_id": p["gemeente_id"],
                "homes": p["homes"],
                "planstatus": p["planstatus"],
                "source_id": p["source_id"],
                "synthetic": state.is_synthetic(p["source_id"]),
            },
        }
        for p in sorted(plans, key=lambda p: p["id"])
        if p["id"] in outlines
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "synthetic_sources": sorted(
            {f["properties"]["source_id"] for f in features if f["properties"]["synthetic"]}
        ),
    }
