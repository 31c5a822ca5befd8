"""decisions: rulings on cases, their items, statements of reasons (appeal codes), appeals

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-23 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    _decisions()
    op.create_table(
        "decision_items",
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_decision_items_decision_id_decisions")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_decision_items_item_id_items")),
        sa.PrimaryKeyConstraint("decision_id", "item_id", name=op.f("pk_decision_items")),
    )
    op.create_index(op.f("ix_decision_items_item_id"), "decision_items", ["item_id"])
    op.create_table(
        "statements",
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=250), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"], name=op.f("fk_statements_decision_id_decisions")),
        sa.PrimaryKeyConstraint("decision_id", "author", name=op.f("pk_statements")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_statements_code_hash")),
    )
    _appeals()


def _decisions() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("space_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("ground_key", sa.String(length=100), nullable=True),
        sa.Column("ground", Json, nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewer_id", sa.String(length=40), nullable=False),
        sa.Column("second_review", Json, nullable=False),
        sa.Column("second_reviewer_id", sa.String(length=40), nullable=True),
        sa.Column("second_reviewed_at", Timestamp, nullable=True),
        sa.Column("refusal_note", sa.Text(), nullable=True),
        sa.Column("supersedes", sa.String(length=40), nullable=True),
        sa.Column("superseded_by", sa.String(length=40), nullable=True),
        sa.Column("appeal_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("effective_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_decisions_case_id_cases")),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"], name=op.f("fk_decisions_space_id_spaces")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["members.id"], name=op.f("fk_decisions_reviewer_id_members")),
        sa.ForeignKeyConstraint(
            ["second_reviewer_id"], ["members.id"], name=op.f("fk_decisions_second_reviewer_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index(op.f("ix_decisions_case_id"), "decisions", ["case_id"])
    op.create_index(op.f("ix_decisions_status_space_id"), "decisions", ["status", "space_id"])


def _appeals() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("open_decision", sa.String(length=40), nullable=True),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("space_id", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=250), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("reviewer_id", sa.String(length=40), nullable=True),
        sa.Column("outcome_decision_id", sa.String(length=40), nullable=True),
        sa.Column("filed_at", Timestamp, nullable=False),
        sa.Column("decided_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"], name=op.f("fk_appeals_decision_id_decisions")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_appeals_case_id_cases")),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"], name=op.f("fk_appeals_space_id_spaces")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["members.id"], name=op.f("fk_appeals_reviewer_id_members")),
        sa.ForeignKeyConstraint(
            ["outcome_decision_id"], ["decisions.id"], name=op.f("fk_appeals_outcome_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("open_decision", name=op.f("uq_appeals_open_decision")),
    )
    op.create_index(op.f("ix_appeals_decision_id"), "appeals", ["decision_id"])
    op.create_index(op.f("ix_appeals_status_space_id"), "appeals", ["status", "space_id"])


def downgrade() -> None:
    op.drop_table("appeals")
    op.drop_table("statements")
    op.drop_table("decision_items")
    op.drop_table("decisions")
