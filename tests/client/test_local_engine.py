"""The local engine's lifecycle with real processes: start, reuse, stop, stale records, racing
starters, and no orphan engine after the app is killed with SIGKILL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nemodesk.client.local_engine import RECORD_NAME, EngineStartError, LocalEngine

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="inspects processes in /proc"),
    pytest.mark.timeout(60),
]

ROOT = Path(__file__).resolve().parents[2]
ENV = {"NEMODESK_WORKERS": "1"}

# An app that starts the engine, reports it, and waits for its stdin to close.
APP = """
import json, sys
from nemodesk.client.local_engine import LocalEngine
engine = LocalEngine(sys.argv[1], env={"NEMODESK_WORKERS": "1"}).start_sync()
print(json.dumps({"url": engine.url, "pid": engine.pid, "owned": engine.owned}), flush=True)
sys.stdin.read()
engine.stop_sync()
"""

# An app that runs `nemodesk serve --parent-pid` itself: no PR_SET_PDEATHSIG, only the watch.
BARE_APP = """
import os, subprocess, sys
cmd = [sys.executable, "-m", "nemodesk", "serve", "--data-dir", sys.argv[1],
       "--parent-pid", str(os.getpid())]
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, env={**os.environ, "NEMODESK_WORKERS": "1"})
p.stdout.readline()
print(p.pid, flush=True)
sys.stdin.read()
"""


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # [state, ppid, ...]


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a reaper that may never come."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def _all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for p in _all_pids():
        fields = _stat(p)
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(p)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _engines(data_dir: Path) -> list[int]:
    """Live `nemodesk serve` processes on this data folder."""
    pids = []
    for p in _all_pids():
        try:
            args = Path(f"/proc/{p}/cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        if "serve" in args and str(data_dir) in args and _alive(p):
            pids.append(p)
    return pids


def _wait_gone(pids: set[int], timeout: float) -> set[int]:
    deadline = time.monotonic() + timeout
    while (left := {p for p in pids if _alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def _app(script: str, data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh data folder; whatever a failed test left running on it is killed."""
    folder = tmp_path / "data"
    yield folder
    for pid in _engines(folder):
        for p in (pid, *_descendants(pid)):
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGKILL)


def test_start_answers_reuse_and_stop(data_dir: Path) -> None:
    async def scenario() -> int:
        async with LocalEngine(data_dir, env=ENV) as engine:
            assert engine.owned and engine.url and engine.pid
            assert engine.url.startswith("http://127.0.0.1:")
            record = json.loads((data_dir / RECORD_NAME).read_text())
            assert record["url"] == engine.url and record["pid"] == engine.pid
            assert record["version"] and record["started_at"]
            async with httpx.AsyncClient(base_url=engine.url, trust_env=False) as http:
                r = await http.get("/api/credits/balance/simple")
                assert r.status_code == 401  # an answer from the engine: it wants a token
                r = await http.post(
                    "/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())}
                )
                assert r.status_code == 200
                token = r.json()["data"]["token"]
                r = await http.get(
                    "/api/credits/balance/simple", headers={"Authorization": f"Bearer {token}"}
                )
                assert r.status_code == 200

            second = await LocalEngine(data_dir, env=ENV).start()
            assert (second.url, second.pid, second.owned) == (engine.url, engine.pid, False)
            assert _engines(data_dir) == [engine.pid]  # no second process
            await second.stop()  # not its engine: nothing happens
            assert _alive(engine.pid) and (data_dir / RECORD_NAME).exists()
            return engine.pid

    pid = asyncio.run(scenario())
    assert not _alive(pid)
    assert not (data_dir / RECORD_NAME).exists()
    assert _engines(data_dir) == []
    assert "NemoDesk engine listening on" in (data_dir / "engine.log").read_text()


def test_stale_record_is_replaced(data_dir: Path) -> None:
    data_dir.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = [
        {"url": "http://127.0.0.1:9", "pid": dead.pid},  # process gone
        {"url": "http://127.0.0.1:9", "pid": os.getpid()},  # alive, but no engine there
    ]
    for record in stale:
        (data_dir / RECORD_NAME).write_text(json.dumps({**record, "version": "0", "x": 1}))
        engine = LocalEngine(data_dir, env=ENV).start_sync()
        try:
            assert engine.owned and engine.pid not in (dead.pid, os.getpid())
            assert json.loads((data_dir / RECORD_NAME).read_text())["pid"] == engine.pid
            assert _engines(data_dir) == [engine.pid]
        finally:
            engine.stop_sync()


def test_an_engine_that_dies_at_start_is_reported_with_its_stderr(data_dir: Path) -> None:
    engine = LocalEngine(data_dir, env={"NEMODESK_WORKERS": "many"})  # int("many") fails
    with pytest.raises(EngineStartError, match="stopped before it was ready") as info:
        engine.start_sync()
    assert any("ValueError" in line for line in info.value.stderr_tail)
    assert not engine.owned and engine.url is None
    assert not (data_dir / RECORD_NAME).exists()
    assert _engines(data_dir) == []


def test_concurrent_starters_in_one_process_share_one_engine(data_dir: Path) -> None:
    async def scenario() -> None:
        a, b = LocalEngine(data_dir, env=ENV), LocalEngine(data_dir, env=ENV)
        await asyncio.gather(a.start(), b.start())
        try:
            assert a.url == b.url and a.pid == b.pid
            assert sorted([a.owned, b.owned]) == [False, True]
            assert _engines(data_dir) == [a.pid]
        finally:
            await a.stop()
            await b.stop()

    asyncio.run(scenario())
    assert _engines(data_dir) == []


def test_concurrent_app_processes_share_one_engine(data_dir: Path) -> None:
    apps = [_app(APP, data_dir) for _ in range(2)]
    try:
        seen = [json.loads(app.stdout.readline()) for app in apps]  # type: ignore[union-attr]
        assert seen[0]["url"] == seen[1]["url"] and seen[0]["pid"] == seen[1]["pid"]
        assert sorted(s["owned"] for s in seen) == [False, True]
        assert _engines(data_dir) == [seen[0]["pid"]]
        for app in sorted(apps, key=lambda a: seen[apps.index(a)]["owned"]):  # owner last
            app.communicate("", timeout=20)
            assert app.returncode == 0
        assert not _wait_gone({seen[0]["pid"]}, 2)
        assert not (data_dir / RECORD_NAME).exists()
    finally:
        for app in apps:
            app.kill()
            app.communicate()


@pytest.mark.parametrize("script", [APP, BARE_APP], ids=["local-engine", "parent-pid-only"])
def test_engine_and_workers_end_when_the_app_is_killed(data_dir: Path, script: str) -> None:
    """``local-engine`` checks the real app path (PR_SET_PDEATHSIG and --parent-pid);
    ``parent-pid-only`` checks the engine's own watch, the only guard on other systems."""
    with _app(script, data_dir) as app:  # closes its pipes on the way out
        line = app.stdout.readline()  # type: ignore[union-attr]
        pid = json.loads(line)["pid"] if line.startswith("{") else int(line)
        assert _alive(pid)
        deadline = time.monotonic() + 10
        while not (workers := _descendants(pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert workers, "the engine started no worker process"
        os.kill(app.pid, signal.SIGKILL)
        app.wait()
        left = _wait_gone({pid, *workers}, 5)
        assert not left, f"still running after the app was killed: {left}"
