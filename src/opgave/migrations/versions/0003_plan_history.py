"""plan history, plan areas and preconditions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_area",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_plan_area_area_id_area")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_plan_area_plan_id_plan")),
        sa.PrimaryKeyConstraint("plan_id", "area_id", name=op.f("pk_plan_area")),
    )
    op.create_table(
        "plan_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("gemeente_id", sa.String(length=32), nullable=False),
        sa.Column("homes", sa.Integer(), nullable=False),
        sa.Column("social_rent_homes", sa.Integer(), nullable=True),
        sa.Column("mid_rent_homes", sa.Integer(), nullable=True),
        sa.Column("affordable_buy_homes", sa.Integer(), nullable=True),
        sa.Column("planstatus", sa.String(length=4), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("homes_by_year", sa.JSON(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["gemeente_id"], ["area.id"], name=op.f("fk_plan_history_gemeente_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_history_plan_id_plan")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_plan_history_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_history")),
    )
    with op.batch_alter_table("plan_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_history_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_precondition",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("precondition_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_precondition_plan_id_plan")
        ),
        sa.ForeignKeyConstraint(
            ["precondition_id"],
            ["precondition.id"],
            name=op.f("fk_plan_precondition_precondition_id_precondition"),
        ),
        sa.PrimaryKeyConstraint("plan_id", "precondition_id", name=op.f("pk_plan_precondition")),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("homes_by_year", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("dropped_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("dropped_on")
        batch_op.drop_column("valid_from")
        batch_op.drop_column("homes_by_year")

    op.drop_table("plan_precondition")
    with op.batch_alter_table("plan_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_history_plan_id"))

    op.drop_table("plan_history")
    op.drop_table("plan_area")
