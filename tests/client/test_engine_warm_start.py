"""The first track fast (issue 18): the app starts the engine's process before it builds its
window (``LocalEngine.launch_early``), and the engine warms its workers as it starts — imports
done and the SoundFont made (from a fresh cache) and loaded before any request comes."""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nemodesk.client.local_engine import LOG_NAME, LocalEngine

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="inspects processes in /proc"),
    pytest.mark.timeout(180),
]

WARM = re.compile(r"NemoDesk engine worker (\d+) warm in ([\d.]+) s .*SoundFont (\S+)")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _children(pid: int) -> set[int]:
    found = set()
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(p.name))
    return found


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data folder and an empty SoundFont cache: a first start."""
    monkeypatch.setenv("NEMODESK_SOUNDFONT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NEMODESK_WORKERS", "1")
    monkeypatch.delenv("NEMODESK_SOUNDFONT", raising=False)
    yield tmp_path


def test_the_engine_warms_its_worker_before_any_request(fresh: Path) -> None:
    """``nemodesk serve`` on a first start, and no request at all: its log says a worker
    imported the music modules and loaded the built-in SoundFont (made into the empty cache
    meanwhile)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "nemodesk", "serve", "--data-dir", str(fresh / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith("NemoDesk engine listening on ")
        deadline = time.monotonic() + 150
        warm = None
        while warm is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            warm = WARM.search(line)
        assert warm is not None, "no worker reported itself warm"
        assert int(warm.group(1)) in _children(proc.pid)
        assert warm.group(3).endswith("FluidR3_GM-engine.sf2")
        assert list((fresh / "cache").glob("*-FluidR3_GM-engine.sf2"))
    finally:
        proc.terminate()
        proc.wait(20)
    assert proc.returncode == 0


def test_launch_early_starts_the_engine_before_start_is_awaited(fresh: Path) -> None:
    data = fresh / "data"
    engine = LocalEngine(data)
    other = LocalEngine(data)
    try:
        assert engine.launch_early()
        assert engine._proc is not None and _alive(engine._proc.pid)  # running, not awaited
        assert not other.launch_early()  # the folder's lock is held until start() is done

        async def both() -> None:
            await asyncio.gather(engine.start(), other.start())

        asyncio.run(both())
        assert engine.owned and engine.url and engine.pid == engine._proc.pid
        assert not other.owned and other.url == engine.url  # the second reuses the first
        warm = ""
        deadline = time.monotonic() + 150
        while not WARM.search(warm) and time.monotonic() < deadline:  # the warm-up is logged
            time.sleep(0.2)
            warm = (data / LOG_NAME).read_text(errors="replace")
        assert WARM.search(warm)
    finally:
        other.stop_sync()
        engine.stop_sync()
    assert engine.pid is None and not list(data.glob("engine.json"))


def test_an_engine_launched_early_but_never_started_is_stopped(fresh: Path) -> None:
    """The app closed (or switched to the cloud) before the service started: the engine
    launched for it ends, workers too, and the folder's lock is free again."""
    engine = LocalEngine(fresh / "data")
    assert engine.launch_early()
    proc = engine._proc
    assert proc is not None
    deadline = time.monotonic() + 30
    while not (workers := _children(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    engine.stop_sync()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in {proc.pid, *workers}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in {proc.pid, *workers})
    again = LocalEngine(fresh / "data")
    assert again.launch_early()
    again.stop_sync()
