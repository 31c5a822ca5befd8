"""Running the service: init, serve, worker, settings, audit verify, jobs."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import sys
import threading
from typing import Any

from beffroi.cli import admin
from beffroi.cli.common import OPERATOR_ACTOR, open_runtime
from beffroi.gc_tuning import tune_after_startup
from beffroi.pipeline.worker import worker_name
from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store import audit_log


def register(commands: Any) -> None:
    init = commands.add_parser("init", help="create or upgrade the database; first run creates the first admin")
    init.set_defaults(handler=run_init)

    serve = commands.add_parser("serve", help="run the HTTP API (and analysis workers unless --workers 0)")
    serve.add_argument("--host", help="listen address (BEFFROI_HOST)")
    serve.add_argument("--port", type=int, help="listen port (BEFFROI_PORT)")
    serve.add_argument("--workers", type=int, help="analysis threads in this process (BEFFROI_WORKERS)")
    serve.set_defaults(handler=run_serve)

    worker = commands.add_parser("worker", help="run analysis workers as separate processes")
    worker.add_argument("--processes", type=int, default=1, help="worker processes to start (default 1)")
    worker.set_defaults(handler=run_worker)

    settings = commands.add_parser("settings", help="list every setting with its value and help")
    settings.add_argument("--markdown", action="store_true", help="print the defaults as docs/settings.md")
    settings.set_defaults(handler=run_settings)

    audit = commands.add_parser("audit", help="the tamper-evident audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_commands.add_parser("verify", help="check the whole hash chain; exit 1 if anything was altered")
    verify.set_defaults(handler=run_audit_verify)

    jobs = commands.add_parser("jobs", help="analysis jobs that failed")
    job_commands = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    job_commands.add_parser("failed", help="list failed analyses with their errors").set_defaults(handler=run_failed)
    retry = job_commands.add_parser("retry", help="queue failed analyses again")
    retry.add_argument("item_ids", nargs="*", help="items to retry (default: every failed one)")
    retry.set_defaults(handler=run_retry)


def run_init(_args: argparse.Namespace) -> int:
    runtime = open_runtime(migrated=False)
    try:
        runtime.migrate()
        print(f"database ready: {runtime.db.url.render_as_string(hide_password=True)}")
        admin.ensure_default_space(runtime)
        admin.ensure_first_admin(runtime)
    finally:
        runtime.close()
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from beffroi.web.app import create_app

    settings = Settings.load(host=args.host, port=args.port, workers=args.workers)
    runtime = Runtime(settings)
    app = create_app(runtime)
    tune_after_startup()
    print(f"Beffroi listening on http://{settings.host}:{settings.port} (API docs at /docs)", flush=True)
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level=settings.log_level, access_log=False, proxy_headers=False
    )  # nothing proxies a loopback default; a deployment behind one sets it
    runtime.close()
    return 0


def run_worker(args: argparse.Namespace) -> int:
    if args.processes <= 1:
        _worker_process(0)
        return 0
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker_process, args=(i,), name=f"beffroi-worker-{i}") for i in range(args.processes)
    ]
    for process in processes:
        process.start()

    def forward(signum: int, _frame: object) -> None:
        # A supervisor's SIGTERM is meant for the whole group: each child finishes its batch and exits.
        for process in processes:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for process in processes:
        process.join()
    return max((p.exitcode or 0) for p in processes)


def _worker_process(index: int) -> None:
    runtime = open_runtime()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    worker = runtime.worker(worker_name(index))
    worker.prepare()  # before tuning the collector, so what the analyzers load is frozen with the rest
    tune_after_startup()
    print(f"worker {worker.name} running analyzers: {', '.join(a.name for a in worker.analyzers)}", flush=True)
    try:
        worker.run(stop)
    finally:
        worker.close()
        runtime.close()


SETTINGS_DOC_HEADER = """# Settings

Every setting is read once at start-up from an environment variable, or from a TOML file named by
`BEFFROI_CONFIG` whose keys are the names below in lower case without the prefix (`port = 8000`). The
environment wins over the file; command-line flags (`beffroi serve --port`) win over both. `beffroi settings`
prints the values in force, with secrets masked. This page is generated by `beffroi settings --markdown`.

| variable | default | meaning |
|---|---|---|"""


def run_settings(args: argparse.Namespace) -> int:
    if args.markdown:
        print(SETTINGS_DOC_HEADER)
        for name, value, help_text in Settings().describe():
            print(f"| `{name}` | {f'`{value}`' if value else '(empty)'} | {help_text} |")
        return 0
    for name, value, help_text in Settings.load().describe():
        print(f"{name}={value}\n    {help_text}")
    return 0


def run_audit_verify(_args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        with runtime.db.read() as conn:
            result = audit_log.verify(conn)
    finally:
        runtime.close()
    if result.ok:
        print(f"audit trail intact: {result.events} events, hash chain verified")
        return 0
    print(f"audit trail ALTERED: {len(result.problems)} problem(s) in {result.events} events", file=sys.stderr)
    for problem in result.problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


def run_failed(_args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        failed = runtime.queue.failed(limit=1000)
    finally:
        runtime.close()
    for job in failed:
        print(f"{job.item_id}\tattempts={job.attempts}\t{job.error}")
    print(f"{len(failed)} failed analyses", file=sys.stderr)
    return 0


def run_retry(args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        revived = runtime.retry_failed(list(args.item_ids), OPERATOR_ACTOR)
    finally:
        runtime.close()
    print(f"{revived} analyses queued again")
    return 0
