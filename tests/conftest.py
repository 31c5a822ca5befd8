"""Fixtures shared by the suite. Every test that takes `runtime` runs against each database backend:
SQLite (embedded) and PostgreSQL (scaled). A missing PostgreSQL skips locally and fails in CI (CI=true)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from beffroi.domain import Grant, Role
from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.web.app import create_app

POSTGRES_URL = os.environ.get(
    "BEFFROI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@/postgres?host=/var/run/postgresql"
)
BACKENDS = ["sqlite", "postgresql"]

# The pipeline's tests run the rule-based analyzers, whose signals a test can predict word by word; the trained
# text model has its own tests (tests/analyzers/test_text_classifier.py, tests/pipeline/test_text_model.py),
# which ask for it by name. Processes started by tests (tests/processes.py) inherit this too.
PIPELINE_ANALYZERS = "language,keywords"
os.environ.setdefault("BEFFROI_ANALYZERS", PIPELINE_ANALYZERS)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        _unavailable(str(exc).splitlines()[0])
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'beffroi.db'}"
        return
    admin: sa.Engine = request.getfixturevalue("postgres_admin")
    name = f"beffroi_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=str(tmp_path / "data"),
        database_url=database_url,
        sqlite_synchronous="NORMAL",
        workers=1,
        worker_mode="thread",  # one analysis thread per test: processes would cost seconds each
        ingest_processes=0,  # likewise; tests/web/test_ingest_pool.py runs the pool
        job_retry_base_seconds=0.01,
        job_max_attempts=3,
        token_cache_seconds=0.0,
        max_text_chars=5000,
        max_media_bytes=64 * 1024,
        analyzers=PIPELINE_ANALYZERS,
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings)
    rt.migrate()
    from beffroi.cli.admin import ensure_default_space

    ensure_default_space(rt)
    yield rt
    rt.close()


@pytest.fixture
def admin_token(runtime: Runtime) -> str:
    member_id = runtime.credentials.create_member("root", [Grant(Role.ADMIN, None)], "correct horse battery", "test")
    return runtime.credentials.create_token(member_id, "test", None, "test")[1]


@pytest.fixture
def client(runtime: Runtime, admin_token: str) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), headers={"Authorization": f"Bearer {admin_token}"}) as test_client:
        yield test_client
