"""Migrations upgrade a database that holds data, not just an empty one."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store import holds_store, items_store, migrate, spaces_store
from beffroi.store.schema import items, metadata, spaces, verdicts


def test_an_item_stored_at_0001_reads_back_after_every_migration(settings: Settings) -> None:
    runtime = Runtime(settings)
    migrate.upgrade(runtime.db, "0001")
    now = datetime.now(UTC)
    with runtime.db.write_engine.begin() as conn:
        conn.execute(spaces.insert().values(id="old", name="Old", created_at=now))
        conn.execute(
            items.insert().values(
                id="itm_old",
                space_id="old",
                author_id="a",
                source_platform="t",
                source_remote_id="1",
                text="x",
                context={},
                received_at=now,
                status="analysed",
            )
        )
        conn.execute(
            verdicts.insert().values(  # names only the columns 0001 had
                item_id="itm_old",
                policy="default-thresholds@1",
                actions=[{"kind": "allow", "params": {}}],
                reasons=["no harm signal reached the review threshold"],
                created_at=now,
            )
        )
    migrate.upgrade(runtime.db)
    assert migrate.is_current(runtime.db)
    with runtime.db.read() as conn:
        verdict = items_store.verdict_for(conn, "itm_old")
        settings = spaces_store.get_settings(conn, "old")
        publication = holds_store.publication_of(conn, "itm_old")
    runtime.close()
    assert verdict is not None
    assert (verdict.policy, verdict.rules, verdict.shadow) == ("default-thresholds@1", (), ())
    assert not settings.approval.active  # spaces from before 0004 require no approval
    assert publication.state.value == "not_held"


def test_the_migrations_build_the_schema_the_code_declares(runtime: Runtime) -> None:
    with runtime.db.read() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []
