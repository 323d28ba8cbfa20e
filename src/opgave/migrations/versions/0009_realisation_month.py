"""realisation_month: BAG-derived figures per calendar month (the year so far)

Whole years stay in ``realisation`` (monitoring reads it); the months of the current year
go here, one row per area, measure, year, month and source.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "realisation_month",
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.Column("measure", sa.String(length=48), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_realisation_month_area_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_realisation_month_source_id_source")
        ),
        sa.PrimaryKeyConstraint(
            "area_id", "measure", "year", "month", "source_id", name=op.f("pk_realisation_month")
        ),
    )


def downgrade() -> None:
    op.drop_table("realisation_month")
