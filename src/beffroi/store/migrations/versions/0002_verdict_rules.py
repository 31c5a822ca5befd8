"""verdicts: the rules that fired and the shadow rules' records

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    # Verdicts stored before this revision fired no rule the store knew of: an empty list, not NULL.
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules", Json, nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("shadow", Json, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.drop_column("shadow")
        batch_op.drop_column("rules")
