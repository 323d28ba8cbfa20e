"""precondition.description_en: the English description beside the Dutch one

The description of a precondition is Dutch (the letter's language, as the Dutch report and
dashboard show it); the English report reads ``description_en``. ``opgave init`` fills both
for the letter's preconditions.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("precondition") as batch:
        batch.add_column(sa.Column("description_en", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("precondition") as batch:
        batch.drop_column("description_en")
