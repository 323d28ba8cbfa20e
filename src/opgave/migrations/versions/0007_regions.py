"""region membership with validity and confidence; agreements due at several meetings

``area_member`` gains ``valid_from`` / ``valid_to`` (inclusive dates), ``confidence``
(official / secondary / inferred / synthetic) and ``note``; ``confidence`` replaces
``verified`` (verified rows become "official", unverified ones "inferred"). ``area`` gains
``members_expected``, ``members_source_id``, ``members_note`` (how complete its member list
is, and by which source) and ``succeeds_id`` (the area it continues). The new
``agreement_due`` holds every meeting an agreement is due at; it starts with each
agreement's ``due_meeting_id``, which stays as the first due meeting.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("area_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("confidence", sa.String(length=16), server_default="official", nullable=False)
        )
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
    op.execute(
        "UPDATE area_member SET confidence = CASE WHEN verified THEN 'official' ELSE 'inferred' END"
    )
    with op.batch_alter_table("area_member", schema=None) as batch_op:
        batch_op.drop_column("verified")

    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("members_expected", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("members_source_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("members_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("succeeds_id", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_area_members_source_id_source"), "source", ["members_source_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_area_succeeds_id_area"), "area", ["succeeds_id"], ["id"]
        )

    op.create_table(
        "agreement_due",
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_agreement_due_agreement_id_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_agreement_due_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("agreement_id", "meeting_id", name=op.f("pk_agreement_due")),
    )
    op.execute(
        "INSERT INTO agreement_due (agreement_id, meeting_id) "
        "SELECT id, due_meeting_id FROM agreement WHERE due_meeting_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("agreement_due")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_area_succeeds_id_area"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_area_members_source_id_source"), type_="foreignkey")
        batch_op.drop_column("succeeds_id")
        batch_op.drop_column("members_note")
        batch_op.drop_column("members_source_id")
        batch_op.drop_column("members_expected")

    with op.batch_alter_table("area_member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("verified", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.execute("UPDATE area_member SET verified = (confidence = 'official')")
    with op.batch_alter_table("area_member", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("confidence")
        batch_op.drop_column("valid_to")
        batch_op.drop_column("valid_from")
