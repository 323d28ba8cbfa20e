"""plan_geometry.geometry_wkb: plan geometries as WKB in RD New instead of GeoJSON in WGS84

A GIS register's plans keep their geometry as read (WKB, RD New); the map makes its
GeoJSON when it asks for plans (``opgave.plan_geometry``). Building GeoJSON for every plan
at import took more time than reading the register and placing every plan. Stored
geometries are converted (reprojected to RD New; downgrade converts back).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GEOMETRY = sa.table(
    "plan_geometry",
    sa.column("plan_id", sa.String()),
    sa.column("geometry_json", sa.Text()),
    sa.column("geometry_wkb", sa.LargeBinary()),
)


def _to_rd_wkb(texts: list[str]) -> list[bytes | None]:
    """GeoJSON texts (WGS84) as WKB in RD New."""
    import numpy as np
    import shapely
    from pyproj import Transformer

    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    geometry = shapely.from_geojson(texts, on_invalid="ignore")
    projected = shapely.transform(
        geometry, lambda xy: np.column_stack(to_rd.transform(xy[:, 0], xy[:, 1]))
    )
    return list(shapely.to_wkb(projected).tolist())


def upgrade() -> None:
    with op.batch_alter_table("plan_geometry") as batch:
        batch.add_column(sa.Column("geometry_wkb", sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_GEOMETRY.c.plan_id, _GEOMETRY.c.geometry_json)).all()
    if rows:
        wkb = _to_rd_wkb([text for _, text in rows])
        connection.execute(
            _GEOMETRY.update()
            .where(_GEOMETRY.c.plan_id == sa.bindparam("pid"))
            .values(geometry_wkb=sa.bindparam("wkb")),
            [{"pid": pid, "wkb": w} for (pid, _), w in zip(rows, wkb, strict=True)],
        )
        connection.execute(_GEOMETRY.delete().where(_GEOMETRY.c.geometry_wkb.is_(None)))
    with op.batch_alter_table("plan_geometry") as batch:
        batch.drop_column("geometry_json")
        batch.alter_column("geometry_wkb", existing_type=sa.LargeBinary(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_geometry") as batch:
        batch.add_column(sa.Column("geometry_json", sa.Text(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_GEOMETRY.c.plan_id, _GEOMETRY.c.geometry_wkb)).all()
    if rows:
        from opgave.plan_geometry import geojson

        texts = geojson([bytes(w) for _, w in rows])
        connection.execute(
            _GEOMETRY.update()
            .where(_GEOMETRY.c.plan_id == sa.bindparam("pid"))
            .values(geometry_json=sa.bindparam("text")),
            [{"pid": pid, "text": t} for (pid, _), t in zip(rows, texts, strict=True)],
        )
    with op.batch_alter_table("plan_geometry") as batch:
        batch.drop_column("geometry_wkb")
        batch.alter_column("geometry_json", existing_type=sa.Text(), nullable=False)
