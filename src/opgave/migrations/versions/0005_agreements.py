"""agreements register: what each history event changed, and links of agreements

Adds ``agreement_change`` (the fields one event of an agreement's history changed, with old
and new value) and the links of an agreement to targets, plans, preconditions and instruments.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_instrument",
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_instrument_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument.id"],
            name=op.f("fk_agreement_instrument_instrument_id_instrument"),
        ),
        sa.PrimaryKeyConstraint(
            "agreement_id", "instrument_id", name=op.f("pk_agreement_instrument")
        ),
    )
    op.create_table(
        "agreement_plan",
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_plan_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_agreement_plan_plan_id_plan")
        ),
        sa.PrimaryKeyConstraint("agreement_id", "plan_id", name=op.f("pk_agreement_plan")),
    )
    op.create_table(
        "agreement_precondition",
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("precondition_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_precondition_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["precondition_id"],
            ["precondition.id"],
            name=op.f("fk_agreement_precondition_precondition_id_precondition"),
        ),
        sa.PrimaryKeyConstraint(
            "agreement_id", "precondition_id", name=op.f("pk_agreement_precondition")
        ),
    )
    op.create_table(
        "agreement_target",
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_target_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["target.id"], name=op.f("fk_agreement_target_target_id_target")
        ),
        sa.PrimaryKeyConstraint("agreement_id", "target_id", name=op.f("pk_agreement_target")),
    )
    op.create_table(
        "agreement_change",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["agreement_event.id"],
            name=op.f("fk_agreement_change_event_id_agreement_event"),
        ),
        sa.PrimaryKeyConstraint("event_id", "field", name=op.f("pk_agreement_change")),
    )


def downgrade() -> None:
    op.drop_table("agreement_change")
    op.drop_table("agreement_target")
    op.drop_table("agreement_precondition")
    op.drop_table("agreement_plan")
    op.drop_table("agreement_instrument")
