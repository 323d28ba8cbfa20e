"""plan geometries and capacity totals (plan registers as offices keep them)

Adds ``plan_geometry`` (a plan's GeoJSON outline or point in WGS84, from GIS registers)
and ``capacity_total`` (plan capacity given per area, hardness and period instead of per
plan; gross or net; its source and capture date).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_geometry",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("geometry_json", sa.Text(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_geometry_plan_id_plan")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_plan_geometry_source_id_source")
        ),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_geometry")),
    )
    op.create_table(
        "capacity_total",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.Column("hardness", sa.String(length=8), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("gross_or_net", sa.String(length=8), nullable=False),
        sa.Column("homes", sa.Integer(), nullable=False),
        sa.Column("captured_on", sa.Date(), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_capacity_total_area_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_capacity_total_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_total")),
    )
    with op.batch_alter_table("capacity_total", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capacity_total_area_id"), ["area_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("capacity_total", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capacity_total_area_id"))
    op.drop_table("capacity_total")
    op.drop_table("plan_geometry")
