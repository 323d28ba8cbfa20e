"""funding applications, awards, scenarios; euro amounts as bigint

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scenario",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("overrides_toml", sa.Text(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario")),
    )
    op.create_table(
        "application",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=True),
        sa.Column("plan_id", sa.String(length=64), nullable=True),
        sa.Column("gemeente_id", sa.String(length=32), nullable=False),
        sa.Column("project_name", sa.Text(), nullable=True),
        sa.Column("homes", sa.Integer(), nullable=False),
        sa.Column("affordable_homes", sa.Integer(), nullable=False),
        sa.Column("requested_eur", sa.BigInteger(), nullable=False),
        sa.Column("public_deficit_eur", sa.BigInteger(), nullable=False),
        sa.Column("cofinancing_eur", sa.BigInteger(), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("score_noodzaak", sa.Double(), nullable=True),
        sa.Column("score_effectiviteit", sa.Double(), nullable=True),
        sa.Column("score_efficientie", sa.Double(), nullable=True),
        sa.Column("score_urgentie", sa.Double(), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["gemeente_id"], ["area.id"], name=op.f("fk_application_gemeente_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument.id"],
            name=op.f("fk_application_instrument_id_instrument"),
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_application_plan_id_plan")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_application_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_gemeente_id"), ["gemeente_id"], unique=False
        )

    op.create_table(
        "award",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=True),
        sa.Column("scheme_name", sa.Text(), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=True),
        sa.Column("plan_id", sa.String(length=64), nullable=True),
        sa.Column("gemeente_id", sa.String(length=32), nullable=False),
        sa.Column("amount_eur", sa.BigInteger(), nullable=False),
        sa.Column("homes", sa.Integer(), nullable=False),
        sa.Column("affordable_homes", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_award_application_id_application")
        ),
        sa.ForeignKeyConstraint(
            ["gemeente_id"], ["area.id"], name=op.f("fk_award_gemeente_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instrument.id"], name=op.f("fk_award_instrument_id_instrument")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_award_plan_id_plan")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_award_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award")),
    )
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_gemeente_id"), ["gemeente_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_plan_id"), ["plan_id"], unique=False)

    with op.batch_alter_table("instrument", schema=None) as batch_op:
        batch_op.alter_column(
            "budget_eur", existing_type=sa.INTEGER(), type_=sa.BigInteger(), existing_nullable=True
        )
        batch_op.alter_column(
            "budget_per_year_eur",
            existing_type=sa.INTEGER(),
            type_=sa.BigInteger(),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("instrument", schema=None) as batch_op:
        batch_op.alter_column(
            "budget_per_year_eur",
            existing_type=sa.BigInteger(),
            type_=sa.INTEGER(),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "budget_eur", existing_type=sa.BigInteger(), type_=sa.INTEGER(), existing_nullable=True
        )

    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_plan_id"))
        batch_op.drop_index(batch_op.f("ix_award_gemeente_id"))

    op.drop_table("award")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_gemeente_id"))

    op.drop_table("application")
    op.drop_table("scenario")
