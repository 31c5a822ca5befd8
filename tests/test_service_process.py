"""The service as a whole: real `beffroi serve` processes over real HTTP, killed mid-analysis and restarted."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.processes import Beffroi, token_from_init

ITEMS = 3000


@pytest.mark.slow
def test_killed_mid_analysis_the_service_finishes_the_work_after_restart(tmp_path: Path, database_url: str) -> None:
    beffroi = Beffroi(tmp_path / "data", database_url, job_lease_seconds=2, worker_batch_size=64)
    headers = {"Authorization": f"Bearer {token_from_init(beffroi.run('init').stdout)}"}

    server = beffroi.serve("--workers", "0")  # ingest only: everything stays owed
    batch = [
        {
            "space": "default",
            "author": {"id": "a"},
            "source": {"platform": "t", "remote_id": str(i)},
            "text": f"message numéro {i}, on va lui couper la tête" if i % 7 == 0 else f"message {i}",
        }
        for i in range(ITEMS)
    ]
    with httpx.Client(base_url=beffroi.url, headers=headers, timeout=60) as http:
        for start in range(0, ITEMS, 1000):
            assert http.post("/v1/items/batch", json={"items": batch[start : start + 1000]}).status_code == 200
        server.send_signal(signal.SIGTERM)
        server.wait(30)

        server = beffroi.serve("--workers", "1")
        owed = _wait_for(http, lambda ready: ready < ITEMS - 200)
        workers = _children(server.pid)
        server.kill()  # SIGKILL: no clean shutdown, leases held, a batch half done
        server.wait(30)
        assert owed > 0, "analysis finished before the kill: raise ITEMS"
        assert workers and _gone(workers), f"worker processes {workers} outlived the service"

        server = beffroi.serve("--workers", "1")
        _wait_for(http, lambda ready: ready == 0, running_too=True)
        pending = http.get("/v1/items", params={"status": "pending", "limit": 10}).json()
        failed = http.get("/v1/items", params={"status": "failed", "limit": 10}).json()
        analysed = http.get("/v1/items", params={"status": "analysed", "limit": 500}).json()
        retried = http.post("/v1/items", json=batch[0])
        waited = http.post(
            "/v1/items", params={"wait": 20}, json=dict(batch[7], source={"platform": "t", "remote_id": "new"})
        )
        server.send_signal(signal.SIGTERM)
        server.wait(30)

    assert pending == [] and failed == []
    assert len(analysed) == 500 and all(i["verdict"] is None for i in analysed)  # lists stay light
    assert retried.status_code == 200 and retried.json()["created"] is False
    # The worker process tells the API when it is done: a waiting caller gets the verdict, not "pending".
    assert waited.json()["status"] == "analysed"
    actions = waited.json()["verdict"]["actions"]
    assert [a["kind"] for a in actions] == ["hold", "label", "open_case"]  # the default policy's threat-hold rule
    assert actions[2]["params"]["queue"] == "threats"
    assert "audit trail intact" in beffroi.run("audit", "verify").stdout


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _gone(pids: list[int], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]
        if not alive:
            return True
        time.sleep(0.2)
    return False


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def _wait_for(http: httpx.Client, done: object, running_too: bool = False, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queue = http.get("/v1/health").json()["queue"]
        if done(queue["ready"]) and (not running_too or queue["running"] == 0):  # type: ignore[operator]
            return int(queue["ready"])
        time.sleep(0.05)
    raise AssertionError(f"queue did not reach the expected state in {timeout} s: {queue}")


@pytest.mark.slow
def test_separate_worker_processes_analyse_what_the_api_stored(tmp_path: Path, database_url: str) -> None:
    beffroi = Beffroi(tmp_path / "data", database_url, worker_batch_size=16)
    headers = {"Authorization": f"Bearer {token_from_init(beffroi.run('init').stdout)}"}
    server = beffroi.serve("--workers", "0")  # the scaled shape: API processes do no analysis
    items = [
        {
            "space": "default",
            "author": {"id": "a"},
            "source": {"platform": "t", "remote_id": str(i)},
            "text": f"message {i}",
        }
        for i in range(400)
    ]
    with httpx.Client(base_url=beffroi.url, headers=headers, timeout=60) as http:
        http.post("/v1/items/batch", json={"items": items})
        with (tmp_path / "worker.log").open("wb") as log:
            workers = subprocess.Popen(
                [sys.executable, "-m", "beffroi", "worker", "--processes", "2"],
                env=beffroi.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_for(http, lambda ready: ready == 0, running_too=True)
        workers.send_signal(signal.SIGTERM)  # finishes its batch, then exits cleanly
        assert workers.wait(60) == 0
        analysed = http.get("/v1/items", params={"status": "analysed", "limit": 500}).json()
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert len(analysed) == 400
    names = {
        line.split()[1] for line in (tmp_path / "worker.log").read_text().splitlines() if "running analyzers" in line
    }
    assert len(names) == 2  # two processes shared the queue


@pytest.mark.slow
def test_worker_processes_apply_a_space_settings_change_without_restart(tmp_path: Path, database_url: str) -> None:
    beffroi = Beffroi(tmp_path / "data", database_url)
    headers = {"Authorization": f"Bearer {token_from_init(beffroi.run('init').stdout)}"}
    server = beffroi.serve("--workers", "1")  # the analysis worker is a child process of the API

    def check_before_publish(http: httpx.Client, remote_id: str) -> str:
        post = {
            "space": "default",
            "author": {"id": "fb-modo"},
            "source": {"platform": "facebook", "remote_id": remote_id},
            "text": "Notre nouvelle vidéo sur le conseil municipal",
            "context": {"author_role": "moderator"},
        }
        answer = http.post("/v1/items", params={"wait": 20}, json=post).json()
        assert answer["status"] == "analysed"
        return str(answer["publication"]["state"])

    with httpx.Client(base_url=beffroi.url, headers=headers, timeout=60) as http:
        before = check_before_publish(http, "1")
        assert http.put("/v1/spaces/default/settings", json={"approval": {"roles": ["moderator"]}}).status_code == 200
        after = check_before_publish(http, "2")
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert (before, after) == ("not_held", "held")


@pytest.mark.slow
def test_the_service_runs_its_analysis_at_a_lower_cpu_priority_and_its_ingest_pool_at_its_own(
    tmp_path: Path, database_url: str
) -> None:
    beffroi = Beffroi(tmp_path / "data", database_url, worker_nice=7, ingest_processes=1)
    beffroi.run("init")
    server = beffroi.serve("--workers", "1")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the worker lowers its priority as it starts
            nice = sorted(_nice(pid) for pid in _children(server.pid))
            if 7 in nice:
                break
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert nice.count(7) == 1, f"children's nice values: {nice}"  # one analysis worker
    assert nice.count(0) >= 1  # the ingest pool (and multiprocessing's resource tracker) keep the API's


def _nice(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
    except OSError:
        return -1
