"""The FastAPI application: routes, the error envelope, and the runtime's lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from pydantic.json_schema import models_json_schema

from beffroi import __version__
from beffroi.ingest.models import BatchIn, ItemIn
from beffroi.runtime import Runtime
from beffroi.web import errors, fast_ingest
from beffroi.web.routes import (
    accounts,
    appeals,
    audit,
    cases,
    decisions,
    grounds,
    holds,
    items,
    media,
    members,
    notices,
    notifications,
    policies,
    spaces,
    system,
    verdicts,
)

RAW_BODIES = (ItemIn, BatchIn)

DESCRIPTION = """Beffroi watches what is posted, finds threats, hate and harassment, holds what must be validated,
and keeps a tamper-evident trail. Authenticate with `Authorization: Bearer <token>` (notices need none).
Every error has the shape `{"error": {"status", "code", "message", "hint"?, "details"?}}`."""


def create_app(runtime: Runtime, *, workers: int | None = None, ingest_processes: int | None = None) -> FastAPI:
    """`workers` analysis workers and `ingest_processes` batch-preparing processes start with the app; None takes
    BEFFROI_WORKERS and BEFFROI_INGEST_PROCESSES."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runtime.require_migrated()
        runtime.start_workers(runtime.settings.workers if workers is None else workers)
        try:
            pool = runtime.settings.ingest_processes if ingest_processes is None else ingest_processes
            runtime.start_ingest_pool(pool)
            yield
        finally:
            runtime.stop_ingest_pool()
            runtime.stop_workers()

    # FastAPI's OpenTelemetry hooks are off: Beffroi exports no traces, and checking for a provider on every
    # request cost 5% of the ingest hot path.
    telemetry = TelemetryConfig(tracing=False, metrics=False, logs=False)
    app = FastAPI(title="Beffroi", version=__version__, description=DESCRIPTION, lifespan=lifespan, telemetry=telemetry)
    app.state.runtime = runtime
    errors.install(app)
    routers = (items, holds, verdicts, media, spaces, members, accounts, policies, cases, notices, notifications)
    for module in (*routers, grounds, decisions, appeals, audit, system):
        app.include_router(module.router)
    _describe_raw_bodies(app)
    fast_ingest.install(app, runtime)
    return app


def _describe_raw_bodies(app: FastAPI) -> None:
    """The ingest routes validate their raw bytes themselves (items.py), so FastAPI never sees their body models:
    add those models to the OpenAPI components their operations point to."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _, found = models_json_schema(
                [(model, "validation") for model in RAW_BODIES], ref_template="#/components/schemas/{model}"
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).update(found["$defs"])
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
