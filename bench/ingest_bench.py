"""Ingest and analysis throughput of the embedded deployment, over real HTTP on loopback.

Starts `beffroi serve` (SQLite, synchronous=FULL, one analysis worker process) in a temporary directory, then measures:
  1. single-item ingest at full speed (closed loop, several keep-alive connections): items/s and latency;
  2. single-item ingest at a fixed 200 requests/s, then at 1,000 (open loop: latency counted from the scheduled
     send time; what analysis still owes at the end of each says whether it kept up);
  3. the batch endpoint (1,000 items a request);
  4. `beffroi import` of a JSON-lines file (the whole command, process start included);
  5. background analysis: how fast the queue drains with the rule-based analyzers (language, keywords), or
     with those given by --analyzers (add text_model to measure the trained text model in the pipeline).
Run: make bench   (or .venv/bin/python bench/ingest_bench.py --seconds 10)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.processes import Beffroi, token_from_init

from beffroi.settings import Settings

TEXTS = [
    "Ce maire détruit la ville, votez contre lui aux prochaines municipales !",
    "Réunion publique jeudi à 18h à la salle des fêtes, venez nombreux.",
    "On va lui couper la tête à ce maire, il ne perd rien pour attendre",
    "Great game last night, the team played really well #football",
    "I know where you live and I will find you",
    "Merci pour l'organisation du marché de Noël, c'était super 🎄",
]


def payload(n: int) -> bytes:
    return orjson.dumps(
        {
            "space": "default",
            "author": {"id": f"acct-{n % 500}"},
            "source": {"platform": "bench", "remote_id": f"{uuid.uuid4().hex}"},
            "text": f"{TEXTS[n % len(TEXTS)]} ({n})",
            "context": {"audience_size": 120},
        }
    )


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the load generator must cost far less than the server."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {self.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def closed_loop(port: int, token: str, seconds: float, connections: int) -> tuple[int, list[float]]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def run(conn: Connection) -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            status = await conn.post("/v1/items", payload(next(counter)))
            assert status == 201, status
            latencies.append(time.perf_counter() - start)
        await conn.close()

    await asyncio.gather(*(run(Connection(port, token)) for _ in range(connections)))
    return len(latencies), latencies


async def open_loop(port: int, token: str, seconds: float, rate: float) -> tuple[list[float], int]:
    """Sends at fixed times whatever the answers; a late answer counts from when it should have been sent."""
    pool = [Connection(port, token) for _ in range(64)]
    idle = asyncio.Queue[Connection]()
    for conn in pool:
        idle.put_nowait(conn)
    latencies: list[float] = []
    errors = 0

    async def one(n: int, scheduled: float) -> None:
        nonlocal errors
        conn = await idle.get()
        try:
            if await conn.post("/v1/items", payload(n)) != 201:
                errors += 1
        finally:
            idle.put_nowait(conn)
        latencies.append(time.perf_counter() - scheduled)

    start = time.perf_counter()
    tasks = []
    for n in range(int(seconds * rate)):
        scheduled = start + n / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n, scheduled)))
    await asyncio.gather(*tasks)
    for conn in pool:
        await conn.close()
    return latencies, errors


async def batches(port: int, token: str, count: int, size: int, concurrency: int) -> float:
    bodies = [b'{"items":[' + b",".join(payload(i * size + j) for j in range(size)) + b"]}" for i in range(count)]
    queue = list(bodies)

    async def run(conn: Connection) -> None:
        while queue:
            assert await conn.post("/v1/items/batch", queue.pop()) == 200
        await conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(run(Connection(port, token)) for _ in range(concurrency)))
    return count * size / (time.perf_counter() - start)


ANALYSIS_OFF = False  # --workers 0 measures ingest alone: nothing drains the queue


def queue_depth(url: str) -> int:
    q = httpx.get(f"{url}/v1/health").json()["queue"]
    return int(q["ready"]) + int(q["running"])


def drain_rate(url: str, timeout: float = 600) -> tuple[int, float]:
    start, owed = time.perf_counter(), queue_depth(url)
    if ANALYSIS_OFF:
        return owed, 0.0
    while queue_depth(url) and time.perf_counter() - start < timeout:
        time.sleep(0.2)
    return owed, owed / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each timed phase")
    parser.add_argument("--connections", type=int, default=16, help="connections of the closed-loop phase")
    parser.add_argument("--import-items", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=1, help="analysis worker processes beside the API")
    parser.add_argument(
        "--batch-size", type=int, default=Settings().worker_batch_size, help="items an analysis worker takes at once"
    )
    parser.add_argument("--analyzers", default="language,keywords", help="analyzers the workers run")
    parser.add_argument(
        "--sustained-rate", type=int, default=1000, help="requests/s of the second fixed-rate phase (issue 2's target)"
    )
    args = parser.parse_args()
    global ANALYSIS_OFF
    ANALYSIS_OFF = args.workers == 0

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        beffroi = Beffroi(root / "data", "", worker_batch_size=args.batch_size, analyzers=args.analyzers)
        token = token_from_init(beffroi.run("init").stdout)
        server = beffroi.serve("--workers", str(args.workers))
        try:
            rows = run_phases(beffroi, token, root, args)
        finally:
            server.terminate()
            server.wait(30)
    print_report(rows, args)


def steady(beffroi: Beffroi, token: str, seconds: float, rate: int) -> tuple[str, str]:
    """Single items sent at a fixed rate; what analysis owes at the end says whether it kept up."""
    start = time.perf_counter()
    latencies, errors = asyncio.run(open_loop(beffroi.port, token, seconds, rate))
    achieved = len(latencies) / (time.perf_counter() - start)
    return (
        f"single items at {rate:,} req/s",
        f"{achieved:,.0f} items/s; p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies) * 1000:.1f} ms, {errors} errors; "
        f"analysis owed at the end: {queue_depth(beffroi.url):,}",
    )


def run_phases(beffroi: Beffroi, token: str, root: Path, args: argparse.Namespace) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    asyncio.run(closed_loop(beffroi.port, token, 2, 4))  # warm-up: imports, caches, first analyses
    drain_rate(beffroi.url)

    done, latencies = asyncio.run(closed_loop(beffroi.port, token, args.seconds, args.connections))
    rows.append(
        (
            "single items, full speed",
            f"{done / args.seconds:,.0f} items/s with {args.connections} "
            f"connections; p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms",
        )
    )
    owed, rate = drain_rate(beffroi.url)
    rows.append(("analysis after that", f"{owed:,} items still owed, drained at {rate:,.0f} items/s"))

    for rate in (200, args.sustained_rate):
        rows.append(steady(beffroi, token, args.seconds, rate))
        drain_rate(beffroi.url)

    rate = asyncio.run(batches(beffroi.port, token, 30, 1000, 2))
    rows.append(("batch endpoint, 1,000 per request", f"{rate:,.0f} items/s"))
    owed, rate = drain_rate(beffroi.url)
    rows.append(("analysis of the batches", f"{owed:,} items drained at {rate:,.0f} items/s"))

    source = root / "import.jsonl"
    source.write_bytes(b"\n".join(payload(i) for i in range(args.import_items)) + b"\n")
    start = time.perf_counter()
    beffroi.run("import", str(source))
    elapsed = time.perf_counter() - start
    rows.append(
        (
            "beffroi import (JSON lines)",
            f"{args.import_items / elapsed:,.0f} items/s "
            f"({args.import_items:,} items in {elapsed:.1f} s, process start included)",
        )
    )
    owed, rate = drain_rate(beffroi.url)
    rows.append(("analysis of the import", f"{owed:,} items drained at {rate:,.0f} items/s"))
    return rows


def print_report(rows: list[tuple[str, str]], args: argparse.Namespace) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"\nBeffroi ingest benchmark: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"SQLite synchronous=FULL, {args.workers} analysis worker process(es) taking {args.batch_size} items at "
        f"once ({args.analyzers}), {args.seconds:.0f} s phases"
    )
    width = max(len(name) for name, _ in rows)
    for name, figure in rows:
        print(f"  {name:<{width}}  {figure}")


if __name__ == "__main__":
    main()
