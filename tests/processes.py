"""Running the real `beffroi` command in subprocesses, as an operator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Beffroi:
    def __init__(self, data_dir: Path, database_url: str, **settings: Any):
        self.env = dict(
            os.environ,
            BEFFROI_DATA_DIR=str(data_dir),
            BEFFROI_DATABASE_URL=database_url,
            BEFFROI_LOG_LEVEL="warning",
            **{f"BEFFROI_{k.upper()}": str(v) for k, v in settings.items()},
        )
        self.log = data_dir.parent / "serve.log"
        self.port = free_port()
        self.env["BEFFROI_PORT"] = str(self.port)

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "beffroi", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"beffroi {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    def serve(self, *args: str) -> subprocess.Popen[bytes]:
        # The server logs to a file: a pipe nobody reads would fill up and block it.
        with self.log.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "beffroi", "serve", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"beffroi serve exited:\n{self.log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return process
            except httpx.TransportError:
                time.sleep(0.1)
        process.kill()
        process.wait()
        raise AssertionError(f"beffroi serve did not answer within 60 s:\n{self.log.read_text(errors='replace')}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def token_from_init(output: str) -> str:
    line = next(line for line in output.splitlines() if "API token:" in line)
    return line.split()[-1]
