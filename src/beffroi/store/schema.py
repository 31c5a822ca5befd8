"""The tables. Core (not ORM) because ingest writes thousands of rows a second and needs executemany."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)

spaces = sa.Table(
    "spaces",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    # The space's own settings (beffroi.space_settings), one JSON document of sections: {"approval": {...}}.
    sa.Column("settings", Json, nullable=False, server_default="{}"),
)

members = sa.Table(
    "members",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200)),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

grants = sa.Table(
    "grants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("member_id", sa.String(40), sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("space_id", sa.String(64), sa.ForeignKey("spaces.id")),  # NULL: every space
    sa.UniqueConstraint("member_id", "role", "space_id"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("member_id", sa.String(40), sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    # A token acts with its own grant, never more than its member holds; NULL role: the member's grants.
    sa.Column("role", sa.String(20)),
    sa.Column("space_id", sa.String(64), sa.ForeignKey("spaces.id")),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # SHA-256: tokens are random
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp),
    sa.Column("revoked_at", Timestamp),
)

# A member's accounts on the platforms: who wrote an item, so that nobody approves their own post.
member_accounts = sa.Table(
    "member_accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("member_id", sa.String(40), sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    sa.Column("platform", sa.String(40), nullable=False),
    sa.Column("account_id", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("platform", "account_id"),  # an account belongs to one member at most
    sa.Index(None, "member_id"),
)

items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("space_id", sa.String(64), sa.ForeignKey("spaces.id"), nullable=False),
    sa.Column("author_id", sa.String(200), nullable=False),
    sa.Column("author_handle", sa.String(200)),
    sa.Column("author_name", sa.String(200)),
    sa.Column("source_platform", sa.String(40), nullable=False),
    sa.Column("source_remote_id", sa.String(200), nullable=False),
    sa.Column("source_url", sa.String(2000)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("context", Json, nullable=False),
    sa.Column("published_at", Timestamp),
    sa.Column("received_at", Timestamp, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("error", sa.Text),
    sa.UniqueConstraint("source_platform", "source_remote_id"),
    sa.Index(None, "space_id", "received_at"),
    sa.Index(None, "author_id"),
)

media = sa.Table(
    "media",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("mime_type", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

attachments = sa.Table(
    "attachments",
    metadata,
    sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("media.sha256")),  # NULL until a reference is fetched
    sa.Column("mime_type", sa.String(100)),
    sa.Column("url", sa.String(2000)),
    sa.Column("error", sa.Text),
    sa.Index(None, "sha256"),
)

signals = sa.Table(
    "signals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("analyzer", sa.String(100), nullable=False),
    sa.Column("analyzer_version", sa.String(50), nullable=False),
    sa.Column("label", sa.String(100), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("evidence", Json, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index(None, "item_id"),
)

verdicts = sa.Table(
    "verdicts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("policy", sa.String(100), nullable=False),
    sa.Column("actions", Json, nullable=False),
    sa.Column("reasons", Json, nullable=False),
    sa.Column("rules", Json, nullable=False, server_default="[]"),  # the rules that fired (not shadow ones)
    sa.Column("shadow", Json, nullable=False, server_default="[]"),  # what shadow rules would have done
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index(None, "item_id"),
)

# An item whose verdict held it: unpublished until enough admins of its space approve it, or one rejects it.
# The id orders holds as they were placed (oldest first); one hold per item.
holds = sa.Table(
    "holds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False, unique=True),
    sa.Column("space_id", sa.String(64), sa.ForeignKey("spaces.id"), nullable=False),
    sa.Column("approvals_required", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # held | published | rejected
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("decided_at", Timestamp),
    sa.Index(None, "space_id", "state"),
)

# One decision per member per hold: approve or reject, with an optional note.
approvals = sa.Table(
    "approvals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("hold_id", sa.Integer, sa.ForeignKey("holds.id", ondelete="CASCADE"), nullable=False),
    sa.Column("member_id", sa.String(40), sa.ForeignKey("members.id"), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("hold_id", "member_id"),
)

# Policy versions are immutable: a change is a new row. Space NULL: the installation default.
policy_versions = sa.Table(
    "policy_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("space_id", sa.String(64), sa.ForeignKey("spaces.id")),
    sa.Column("version", sa.Integer, nullable=False),  # 1, 2, 3... per space
    sa.Column("name", sa.Text, nullable=False),  # NAME@VERSION as the YAML declares it (no length limit there)
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),  # SHA-256 of the source
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("space_id", "version"),
    # NULLs are distinct in a unique constraint: the default's numbers need their own partial index.
    sa.Index(
        "uq_policy_versions_default_version",
        "version",
        unique=True,
        sqlite_where=sa.text("space_id IS NULL"),
        postgresql_where=sa.text("space_id IS NULL"),
    ),
)

# Append-only: a space's newest activation names the version in force, and the highest id is the generation
# that running workers compare, once per batch, to notice a change.
policy_activations = sa.Table(
    "policy_activations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("space_id", sa.String(64), sa.ForeignKey("spaces.id")),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("policy_versions.id"), nullable=False),
    sa.Column("activated_by", sa.String(200), nullable=False),
    sa.Column("activated_at", Timestamp, nullable=False),
    sa.Index(None, "space_id"),
)

# The embedded work queue. A row exists while work is owed: deleted when done, kept as `failed` when given up.
jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False, default=0),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("available_at", Timestamp, nullable=False),
    sa.Column("locked_by", sa.String(100)),
    sa.Column("locked_until", Timestamp),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index(None, "item_id"),
)
# In the claim's own order: the first ready rows are the ones to take, with no sort of the backlog (0008).
sa.Index("ix_jobs_claim_order", jobs.c.status, jobs.c.priority.desc(), jobs.c.id)

# Append-only and hash-chained: seq is gapless, and hash covers the row's fields and the previous hash.
audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(60), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),  # ISO text, hashed exactly as stored
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # canonical JSON, hashed exactly as stored
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index(None, "subject"),
)

# The chain's head, so that deleting the newest events is detected too.
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# A unit of human review. `open_group` names the group (space, queue, kind, key) while the case is open and is
# NULL once decided: its unique index lets concurrent workers join one open case instead of opening two.
cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("space_id", sa.String(64), sa.ForeignKey("spaces.id"), nullable=False),
    sa.Column("queue", sa.String(100), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),  # 0-100: the highest asked by a rule or a notice
    sa.Column("group_kind", sa.String(16), nullable=False),  # item | author | media
    sa.Column("group_key", sa.String(300), nullable=False),
    sa.Column("open_group", sa.String(500), unique=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),  # why it was opened, first reason
    sa.Column("reach", sa.BigInteger, nullable=False, default=0),  # the largest audience among its items
    sa.Column("assigned_to", sa.String(40), sa.ForeignKey("members.id")),
    sa.Column("locked_until", Timestamp),
    sa.Column("opened_at", Timestamp, nullable=False),
    sa.Column("due_at", Timestamp, nullable=False),  # the queue's SLA from opening
    sa.Column("closed_at", Timestamp),
    sa.Index(None, "status", "space_id", "queue"),
)

case_items = sa.Table(
    "case_items",
    metadata,
    sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),  # the rule or notice that brought it in
    sa.Column("added_at", Timestamp, nullable=False),
    sa.Index(None, "item_id"),
)

# DSA Art. 16 notices. The notifier's receipt is a secret shown once; only its SHA-256 is kept.
notices = sa.Table(
    "notices",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id")),
    sa.Column("reason", sa.String(100), nullable=False),  # a ground's key
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("notifier_kind", sa.String(20), nullable=False),  # anonymous | person | trusted_flagger | authority
    sa.Column("notifier_name", sa.String(200)),
    sa.Column("notifier_email", sa.String(320)),
    sa.Column("notifier_member_id", sa.String(40), sa.ForeignKey("members.id")),
    sa.Column("source_key", sa.String(200), nullable=False),  # what rate limits count: token, email or address
    sa.Column("trusted", sa.Boolean, nullable=False, default=False),
    sa.Column("flagged", sa.Boolean, nullable=False, default=False),  # part of a flood from one source
    sa.Column("receipt_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),  # received | decided
    sa.Column("outcome", Json),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("decided_at", Timestamp),
    sa.Index(None, "item_id"),
    sa.Index(None, "case_id"),
    sa.Index(None, "source_key", "created_at"),
)

# What must reach a person outside Beffroi (a notifier, an author): kept until a platform or mailer takes it.
notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(60), nullable=False),  # notice.acknowledged, notice.outcome, decision.statement...
    sa.Column("recipient_kind", sa.String(20), nullable=False),  # notifier | author
    sa.Column("recipient", sa.String(320), nullable=False),  # a notice id, or platform:author id
    sa.Column("space_id", sa.String(64), sa.ForeignKey("spaces.id"), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),  # the notice, decision or appeal it is about
    sa.Column("body", Json, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("delivered_at", Timestamp),
    sa.Index(None, "recipient"),
)

# A reviewer's ruling on a case. Rows are never updated but for their status: a later decision supersedes one,
# and `supersedes`/`superseded_by` keep the history. `ground` is the ground as it read when decided.
decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=False),
    sa.Column("space_id", sa.String(64), sa.ForeignKey("spaces.id"), nullable=False),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("ground_key", sa.String(100)),  # NULL: an allow that names no ground
    sa.Column("ground", Json),
    sa.Column("statement", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | refused | effective | superseded
    sa.Column("reviewer_id", sa.String(40), sa.ForeignKey("members.id"), nullable=False),
    sa.Column("second_review", Json, nullable=False),  # why a second reviewer must confirm; [] when none must
    sa.Column("second_reviewer_id", sa.String(40), sa.ForeignKey("members.id")),
    sa.Column("second_reviewed_at", Timestamp),
    sa.Column("refusal_note", sa.Text),
    sa.Column("supersedes", sa.String(40)),
    sa.Column("superseded_by", sa.String(40)),
    sa.Column("appeal_id", sa.String(40)),  # the appeal whose outcome it is
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("effective_at", Timestamp),
    sa.Index(None, "case_id"),
    sa.Index(None, "status", "space_id"),
)

decision_items = sa.Table(
    "decision_items",
    metadata,
    sa.Column("decision_id", sa.String(40), sa.ForeignKey("decisions.id"), primary_key=True),
    sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id"), primary_key=True),
    sa.Index(None, "item_id"),
)

# One statement of reasons per author of a decision's items. The appeal code it carried is a secret: only its
# SHA-256 is kept, and it is what lets an author without an account appeal.
statements = sa.Table(
    "statements",
    metadata,
    sa.Column("decision_id", sa.String(40), sa.ForeignKey("decisions.id"), primary_key=True),
    sa.Column("author", sa.String(250), primary_key=True),  # platform:author id
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", Timestamp, nullable=False),
)

# An author contests a decision. `open_decision` holds the decision id while the appeal is open, NULL once
# decided: its unique index keeps one open appeal per decision, even between concurrent requests.
appeals = sa.Table(
    "appeals",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("decision_id", sa.String(40), sa.ForeignKey("decisions.id"), nullable=False),
    sa.Column("open_decision", sa.String(40), unique=True),
    sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=False),
    sa.Column("space_id", sa.String(64), sa.ForeignKey("spaces.id"), nullable=False),
    sa.Column("author", sa.String(250), nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("filed_by", sa.String(60), nullable=False),  # author | member:<id>
    sa.Column("status", sa.String(16), nullable=False),  # open | decided
    sa.Column("outcome", sa.String(16)),  # upheld | reversed | modified
    sa.Column("statement", sa.Text),
    sa.Column("reviewer_id", sa.String(40), sa.ForeignKey("members.id")),
    sa.Column("outcome_decision_id", sa.String(40), sa.ForeignKey("decisions.id")),
    sa.Column("filed_at", Timestamp, nullable=False),
    sa.Column("decided_at", Timestamp),
    sa.Index(None, "decision_id"),
    sa.Index(None, "status", "space_id"),
)
