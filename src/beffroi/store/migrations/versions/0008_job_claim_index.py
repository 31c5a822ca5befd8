"""jobs: an index in the claim's own order (status, priority descending, id), in place of (status, priority,
available_at), which left every claim to sort the whole backlog (docs/benchmarks.md, 2026-12-02)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 20:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_status_priority_available_at"))
    op.create_index("ix_jobs_claim_order", "jobs", ["status", sa.text("priority DESC"), "id"])


def downgrade() -> None:
    op.drop_index("ix_jobs_claim_order", table_name="jobs")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jobs_status_priority_available_at"), ["status", "priority", "available_at"], unique=False
        )
