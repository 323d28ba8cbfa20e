"""programme: areas, targets, meetings, agreements, preconditions, instruments

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("confidence", sa.String(length=16), nullable=False),
        sa.Column("checksum", sa.String(length=80), nullable=True),
        sa.Column("retrieved", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
    )
    op.create_table(
        "area",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("official_code", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Integer(), nullable=True),
        sa.Column("valid_to", sa.Integer(), nullable=True),
        sa.Column("members_complete", sa.Boolean(), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_area_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
    )
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_kind"), ["kind"], unique=False)

    op.create_table(
        "instrument",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("budget_eur", sa.Integer(), nullable=True),
        sa.Column("budget_per_year_eur", sa.Integer(), nullable=True),
        sa.Column("first_year", sa.Integer(), nullable=True),
        sa.Column("last_year", sa.Integer(), nullable=True),
        sa.Column("years", sa.Integer(), nullable=True),
        sa.Column("expected_homes", sa.Integer(), nullable=True),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["instrument.id"], name=op.f("fk_instrument_parent_id_instrument")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_instrument_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument")),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("date_first", sa.Date(), nullable=True),
        sa.Column("date_last", sa.Date(), nullable=True),
        sa.Column("moment_text", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["meeting.id"], name=op.f("fk_meeting_parent_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_meeting_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    op.create_table(
        "agreement",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("meeting_id", sa.String(length=64), nullable=True),
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("due_meeting_id", sa.String(length=64), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_agreement_area_id_area")),
        sa.ForeignKeyConstraint(
            ["due_meeting_id"], ["meeting.id"], name=op.f("fk_agreement_due_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_agreement_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_agreement_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_area_id"), ["area_id"], unique=False)

    op.create_table(
        "area_code_change",
        sa.Column("old_code", sa.String(length=32), nullable=False),
        sa.Column("new_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("old_name", sa.Text(), nullable=False),
        sa.Column("new_name", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["new_code"], ["area.id"], name=op.f("fk_area_code_change_new_code_area")
        ),
        sa.ForeignKeyConstraint(
            ["old_code"], ["area.id"], name=op.f("fk_area_code_change_old_code_area")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_area_code_change_source_id_source")
        ),
        sa.PrimaryKeyConstraint("old_code", "new_code", name=op.f("pk_area_code_change")),
    )
    op.create_table(
        "area_member",
        sa.Column("parent_id", sa.String(length=32), nullable=False),
        sa.Column("child_id", sa.String(length=32), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["area.id"], name=op.f("fk_area_member_child_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["area.id"], name=op.f("fk_area_member_parent_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_area_member_source_id_source")
        ),
        sa.PrimaryKeyConstraint("parent_id", "child_id", name=op.f("pk_area_member")),
    )
    op.create_table(
        "instrument_area",
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_instrument_area_area_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument.id"],
            name=op.f("fk_instrument_area_instrument_id_instrument"),
        ),
        sa.PrimaryKeyConstraint("instrument_id", "area_id", name=op.f("pk_instrument_area")),
    )
    op.create_table(
        "meeting_area",
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_meeting_area_area_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_area_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("meeting_id", "area_id", name=op.f("pk_meeting_area")),
    )
    op.create_table(
        "precondition",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(length=16), nullable=False),
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_precondition_area_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_precondition_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_precondition")),
    )
    op.create_table(
        "target",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.Column("measure", sa.String(length=48), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=True),
        sa.Column("last_year", sa.Integer(), nullable=True),
        sa.Column("period_text", sa.Text(), nullable=True),
        sa.Column("value_min", sa.Double(), nullable=True),
        sa.Column("value_max", sa.Double(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("qualitative", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_target_area_id_area")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_target_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target")),
    )
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_area_id"), ["area_id"], unique=False)

    op.create_table(
        "agreement_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_event_agreement_id_agreement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_event")),
    )
    with op.batch_alter_table("agreement_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_event_agreement_id"), ["agreement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_event_agreement_id"))

    op.drop_table("agreement_event")
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_target_area_id"))

    op.drop_table("target")
    op.drop_table("precondition")
    op.drop_table("meeting_area")
    op.drop_table("instrument_area")
    op.drop_table("area_member")
    op.drop_table("area_code_change")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_area_id"))

    op.drop_table("agreement")
    op.drop_table("meeting")
    op.drop_table("instrument")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_kind"))

    op.drop_table("area")
    op.drop_table("source")
