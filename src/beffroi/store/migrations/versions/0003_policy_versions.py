"""policy versions per space (or the installation default) and their activations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("space_id", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"], name=op.f("fk_policy_versions_space_id_spaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint("space_id", "version", name=op.f("uq_policy_versions_space_id_version")),
    )
    # NULLs are distinct in a unique constraint: the installation default's numbers need a partial index.
    op.create_index(
        "uq_policy_versions_default_version",
        "policy_versions",
        ["version"],
        unique=True,
        sqlite_where=sa.text("space_id IS NULL"),
        postgresql_where=sa.text("space_id IS NULL"),
    )
    op.create_table(
        "policy_activations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("space_id", sa.String(length=64), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("activated_by", sa.String(length=200), nullable=False),
        sa.Column("activated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"], name=op.f("fk_policy_activations_space_id_spaces")),
        sa.ForeignKeyConstraint(
            ["version_id"], ["policy_versions.id"], name=op.f("fk_policy_activations_version_id_policy_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_activations")),
    )
    op.create_index(op.f("ix_policy_activations_space_id"), "policy_activations", ["space_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_policy_activations_space_id"), table_name="policy_activations")
    op.drop_table("policy_activations")
    op.drop_index("uq_policy_versions_default_version", table_name="policy_versions")
    op.drop_table("policy_versions")
