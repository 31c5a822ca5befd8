"""review: cases and their items, notices, notifications

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("space_id", sa.String(length=64), nullable=False),
        sa.Column("queue", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("group_kind", sa.String(length=16), nullable=False),
        sa.Column("group_key", sa.String(length=300), nullable=False),
        sa.Column("open_group", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reach", sa.BigInteger(), nullable=False),
        sa.Column("assigned_to", sa.String(length=40), nullable=True),
        sa.Column("locked_until", Timestamp, nullable=True),
        sa.Column("opened_at", Timestamp, nullable=False),
        sa.Column("due_at", Timestamp, nullable=False),
        sa.Column("closed_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"], name=op.f("fk_cases_space_id_spaces")),
        sa.ForeignKeyConstraint(["assigned_to"], ["members.id"], name=op.f("fk_cases_assigned_to_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("open_group", name=op.f("uq_cases_open_group")),
    )
    op.create_index(op.f("ix_cases_status_space_id_queue"), "cases", ["status", "space_id", "queue"])
    op.create_table(
        "case_items",
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_items_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_case_items_item_id_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "item_id", name=op.f("pk_case_items")),
    )
    op.create_index(op.f("ix_case_items_item_id"), "case_items", ["item_id"])
    op.create_table(
        "notices",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("notifier_kind", sa.String(length=20), nullable=False),
        sa.Column("notifier_name", sa.String(length=200), nullable=True),
        sa.Column("notifier_email", sa.String(length=320), nullable=True),
        sa.Column("notifier_member_id", sa.String(length=40), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", Json, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("decided_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_notices_item_id_items"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_notices_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["notifier_member_id"], ["members.id"], name=op.f("fk_notices_notifier_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_notices_receipt_hash")),
    )
    op.create_index(op.f("ix_notices_item_id"), "notices", ["item_id"])
    op.create_index(op.f("ix_notices_case_id"), "notices", ["case_id"])
    op.create_index(op.f("ix_notices_source_key_created_at"), "notices", ["source_key", "created_at"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("recipient_kind", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("space_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", Json, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("delivered_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"], name=op.f("fk_notifications_space_id_spaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_recipient"), "notifications", ["recipient"])


def downgrade() -> None:
    op.drop_table("notifications")
    op.drop_table("notices")
    op.drop_table("case_items")
    op.drop_table("cases")
