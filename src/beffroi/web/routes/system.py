"""Health and what this installation runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from beffroi import __version__
from beffroi.web.auth import Caller, RuntimeDep

router = APIRouter(tags=["system"])


@router.get("/v1/health")
def health(runtime: RuntimeDep) -> dict[str, Any]:
    stats = runtime.queue.stats()
    return {
        "status": "ok",
        "version": __version__,
        "database": runtime.db.dialect,
        "queue": {
            "backend": runtime.queue.name,
            "ready": stats.ready,
            "running": stats.running,
            "failed": stats.failed,
        },
    }


@router.get("/v1/analyzers")
def analyzers(_caller: Caller, runtime: RuntimeDep) -> list[dict[str, Any]]:
    enabled = set(runtime.settings.analyzer_names) or set(runtime.registry.names())
    return [
        {"name": name, "version": cls.version, "labels": list(cls.labels), "enabled": name in enabled}
        for name in runtime.registry.names()
        for cls in [runtime.registry.get(name)]
    ]
