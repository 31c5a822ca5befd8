"""Putting content in from the command line: one item (`submit`) or a file (`import`)."""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError
from tqdm import tqdm

from beffroi.cli.common import OPERATOR, open_runtime
from beffroi.domain import ItemStatus
from beffroi.errors import BeffroiError
from beffroi.gc_tuning import tune_after_startup
from beffroi.ingest.models import ItemIn
from beffroi.ingest.service import IngestResult
from beffroi.pipeline.queue import PRIORITY_WAITING
from beffroi.runtime import Runtime
from beffroi.store import holds_store, items_store
from beffroi.web.schemas import ItemOut

IMPORT_BATCH = 1000
IN_FLIGHT = 2  # batches handed to the writer before waiting for the oldest
CSV_COLUMNS = "space, author_id, author_handle, platform, remote_id, url, text, published_at"


def register(commands: Any) -> None:
    submit = commands.add_parser("submit", help="submit one item for moderation and print it as JSON")
    submit.add_argument("--space", default="default", help="space id (default: default)")
    submit.add_argument("--text", required=True, help="the text to moderate")
    submit.add_argument("--author", default="cli", help="author id on the source platform")
    submit.add_argument("--platform", default="cli", help="source platform (default: cli)")
    submit.add_argument("--remote-id", help="id on the platform; a repeat is not stored twice (default: random)")
    submit.add_argument(
        "--wait",
        type=float,
        default=0,
        help="seconds to wait for the analysis (needs beffroi serve or beffroi worker running)",
    )
    submit.set_defaults(handler=run_submit)

    load = commands.add_parser(
        "import",
        help="import items from JSON lines (one API item per line) or CSV",
        description=f"JSON lines hold one item each, in the API's shape. CSV has the columns: {CSV_COLUMNS}.",
    )
    load.add_argument("file", type=Path, help="a .jsonl or .csv file; - reads JSON lines from standard input")
    load.add_argument("--format", choices=["jsonl", "csv"], help="default: from the file's extension")
    load.set_defaults(handler=run_import)


def run_submit(args: argparse.Namespace) -> int:
    payload = ItemIn.model_validate(
        {
            "space": args.space,
            "text": args.text,
            "author": {"id": args.author},
            "source": {"platform": args.platform, "remote_id": args.remote_id or str(uuid.uuid4())},
        }
    )
    runtime = open_runtime()
    try:
        result = runtime.ingestor.submit([payload], OPERATOR, priority=PRIORITY_WAITING, prefix="item").result()[0]
        item = _wait(runtime, result.id, args.wait)
    finally:
        runtime.close()
    print(orjson.dumps(item, option=orjson.OPT_INDENT_2).decode())
    if args.wait and item["status"] == ItemStatus.PENDING.value:
        print("still pending: is `beffroi serve` or `beffroi worker` running?", file=sys.stderr)
    return 0


def _wait(runtime: Runtime, item_id: str, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        with runtime.db.read() as conn:
            if items_store.status_of(conn, item_id) != ItemStatus.PENDING or time.monotonic() >= deadline:
                item = items_store.get_item(conn, item_id)
                assert item is not None
                out = ItemOut.of(
                    item,
                    items_store.signals_for(conn, item_id),
                    items_store.verdict_for(conn, item_id),
                    publication=holds_store.publication_of(conn, item_id),
                )
                return out.model_dump(mode="json")
        time.sleep(0.1)


def run_import(args: argparse.Namespace) -> int:
    fmt = args.format or ("csv" if str(args.file).endswith(".csv") else "jsonl")
    runtime = open_runtime()
    tune_after_startup()
    counts = {"created": 0, "duplicates": 0, "rejected": 0}
    try:
        stream = sys.stdin if str(args.file) == "-" else args.file.open(encoding="utf-8", newline="")
        in_flight: deque[tuple[list[tuple[int, ItemIn]], Future[list[IngestResult]] | None]] = deque()
        with stream, tqdm(unit=" items", desc="import", file=sys.stderr, disable=None) as progress:
            for batch in _batches(_records(stream, fmt), counts):
                # The next batch is read and checked while the writer stores this one (SQLite frees the GIL).
                in_flight.append(_submit(runtime, batch, counts))
                if len(in_flight) >= IN_FLIGHT:
                    progress.update(_finish(runtime, *in_flight.popleft(), counts))
            while in_flight:
                progress.update(_finish(runtime, *in_flight.popleft(), counts))
    finally:
        runtime.close()
    print(f"imported: {counts['created']} new, {counts['duplicates']} already stored, {counts['rejected']} rejected")
    return 1 if counts["rejected"] else 0


def _records(stream: io.TextIOBase | Any, fmt: str) -> Iterator[tuple[int, Any]]:
    if fmt == "csv":
        for number, row in enumerate(csv.DictReader(stream), start=2):
            yield number, _from_csv(row)
        return
    for number, line in enumerate(stream, start=1):
        if line.strip():
            try:
                yield number, orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield number, exc


def _from_csv(row: dict[str, str]) -> dict[str, Any]:
    return {
        "space": row.get("space", ""),
        "text": row.get("text", ""),
        "author": {"id": row.get("author_id", ""), "handle": row.get("author_handle") or None},
        "source": {
            "platform": row.get("platform", ""),
            "remote_id": row.get("remote_id", ""),
            "url": row.get("url") or None,
        },
        "published_at": row.get("published_at") or None,
    }


def _batches(records: Iterator[tuple[int, Any]], counts: dict[str, int]) -> Iterator[list[tuple[int, ItemIn]]]:
    batch: list[tuple[int, ItemIn]] = []
    for number, record in records:
        try:
            if isinstance(record, Exception):
                raise ValueError(f"not valid JSON: {record}")
            batch.append((number, ItemIn.model_validate(record)))
        except (ValidationError, ValueError) as exc:
            _reject(number, _describe(exc), counts)
            continue
        if len(batch) >= IMPORT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _submit(
    runtime: Runtime, batch: list[tuple[int, ItemIn]], counts: dict[str, int]
) -> tuple[list[tuple[int, ItemIn]], Future[list[IngestResult]] | None]:
    # The API refuses a whole batch for one bad item; an import sets the bad lines aside and stores the rest.
    problems = runtime.ingestor.problems([item for _, item in batch], OPERATOR, prefix="item")
    for problem in problems:
        _reject(batch[problem["index"]][0], f"{problem['loc']}: {problem['message']}", counts)
    refused = {problem["index"] for problem in problems}
    batch = [entry for index, entry in enumerate(batch) if index not in refused]
    try:
        return batch, runtime.ingestor.submit([item for _, item in batch], OPERATOR, checked=True)
    except BeffroiError:
        return batch, None


def _finish(
    runtime: Runtime,
    batch: list[tuple[int, ItemIn]],
    future: Future[list[IngestResult]] | None,
    counts: dict[str, int],
) -> int:
    try:
        results = future.result() if future is not None and batch else None
    except BeffroiError:
        results = None
    if results is None and batch:
        _one_by_one(runtime, batch, counts)
    for result in results or []:
        _count(result.created, counts)
    return len(batch)


def _one_by_one(runtime: Runtime, batch: list[tuple[int, ItemIn]], counts: dict[str, int]) -> None:
    """A problem only storing reveals (undecodable inline media): find the item at fault."""
    for number, item in batch:
        try:
            results = runtime.ingestor.submit([item], OPERATOR, prefix="item").result()
        except BeffroiError as exc:
            _reject(number, exc.message, counts)
            continue
        _count(results[0].created, counts)


def _count(created: bool, counts: dict[str, int]) -> None:
    counts["created" if created else "duplicates"] += 1


def _reject(number: int, message: str, counts: dict[str, int]) -> None:
    counts["rejected"] += 1
    tqdm.write(f"line {number}: rejected: {message}", file=sys.stderr)


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}" for e in exc.errors())
    return str(exc)
