"""Map geometries: boundaries (a CBS/PDOK GeoJSON file, or download, stored per area) and
the outlines of plans from GIS registers.

Inputs: the service, the principal, GeoJSON text with its name. Outputs: the number of
boundaries stored and their source; the boundaries and plan outlines as GeoJSON for the map.
Derives: nothing - matching and checking is :mod:`opgave.ingest.geo`'s, the plans' GeoJSON
(from the WKB they keep) :mod:`opgave.plan_geometry`'s.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from opgave import boundaries as shipped_boundaries
from opgave import plan_geometry
from opgave.access import Principal
from opgave.ingest import geo
from opgave.model import Area, AreaBoundary, PlanGeometry
from opgave.service import Service, authority, users
from opgave.service.errors import ServiceError


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


def plan_outlines(svc: Service, plan_ids: Collection[str] | None = None) -> dict[str, str]:
    """Plan id -> its outline or point (GeoJSON geometry text, WGS84) for the map, of the
    given plans (None: every plan with a geometry); made from the stored WKB when asked."""
    query = select(PlanGeometry.plan_id, PlanGeometry.geometry_wkb)
    if plan_ids is not None:
        query = query.where(PlanGeometry.plan_id.in_(list(plan_ids)))
    with svc.engine.connect() as connection:
        rows = connection.execute(query).all()
    texts = plan_geometry.geojson([bytes(wkb) for _, wkb in rows])
    return {pid: text for (pid, _), text in zip(rows, texts, strict=True) if text is not None}
