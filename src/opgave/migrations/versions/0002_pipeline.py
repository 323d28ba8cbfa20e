"""pipeline: plans and realised figures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("gemeente_id", sa.String(length=32), nullable=False),
        sa.Column("homes", sa.Integer(), nullable=False),
        sa.Column("social_rent_homes", sa.Integer(), nullable=True),
        sa.Column("mid_rent_homes", sa.Integer(), nullable=True),
        sa.Column("affordable_buy_homes", sa.Integer(), nullable=True),
        sa.Column("planstatus", sa.String(length=4), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["gemeente_id"], ["area.id"], name=op.f("fk_plan_gemeente_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_plan_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_gemeente_id"), ["gemeente_id"], unique=False)

    op.create_table(
        "realisation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.Column("measure", sa.String(length=48), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_realisation_area_id_area")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_realisation_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_realisation")),
    )
    with op.batch_alter_table("realisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_realisation_area_id"), ["area_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("realisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_realisation_area_id"))

    op.drop_table("realisation")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_gemeente_id"))

    op.drop_table("plan")
