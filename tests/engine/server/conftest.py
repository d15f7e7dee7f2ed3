"""A real `nemodesk serve` on loopback for each test module, stopped afterwards."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


@dataclass
class Engine:
    url: str
    proc: subprocess.Popen
    data_dir: Path

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def token(self) -> str:
        with self.client() as c:
            r = c.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())})
            return r.json()["data"]["token"]

    def session(self, token: str) -> str:
        with self.client(token) as c:
            r = c.post(
                "/api/tasks/me/with-session/nemo_agent",
                json={"task_name": "project", "language": "en"},
            )
            return r.json()["data"]["session_id"]


def file_size_limit(nbytes: int) -> list[str]:
    """A command prefix: no file of the command (and its children) may grow past ``nbytes``
    — writes past it fail with EFBIG, as a full disk fails them (Python ignores SIGXFSZ).
    util-linux's prlimit, not a preexec_fn: Python code between fork and exec can deadlock
    a process that has threads."""
    return ["prlimit", f"--fsize={nbytes}"]


def start_engine(data_dir: Path, *, limit_file_bytes: int | None = None, **env: str) -> Engine:
    prefix = file_size_limit(limit_file_bytes) if limit_file_bytes else []
    serve = ["serve", "--port", "0", "--data-dir", str(data_dir)]
    proc = subprocess.Popen(
        [*prefix, sys.executable, "-m", "nemodesk", *serve],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NEMODESK_WORKERS": "2", **env},
    )
    line = proc.stdout.readline().strip()
    assert line.startswith("NemoDesk engine listening on http://"), (line, proc.stderr.read())
    return Engine(line.rsplit(" ", 1)[1], proc, data_dir)


def stop_engine(engine: Engine) -> int:
    if engine.proc.poll() is None:
        engine.proc.send_signal(signal.SIGTERM)
        try:
            return engine.proc.wait(30)
        except subprocess.TimeoutExpired:
            engine.proc.kill()
            raise
    return engine.proc.returncode


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Iterator[Engine]:
    e = start_engine(
        tmp_path_factory.mktemp("engine"),
        NEMODESK_MAX_UPLOAD_BYTES=str(50 * 2**20),
        NEMODESK_URL_UPLOAD_ALLOW="127.0.0.1",  # URL uploads from the tests' own file server
    )
    yield e
    try:
        assert stop_engine(e) == 0
    finally:  # a module's engine data (GBs of takes) does not wait for the session's end
        shutil.rmtree(e.data_dir, ignore_errors=True)
