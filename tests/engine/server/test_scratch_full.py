"""A render whose scratch disk fills up: the user reads what happened and what to do (in
the chat and on the command line), never a traceback or a bare apology. The disk is made
"full" for real: the engine runs with a file-size limit (RLIMIT_FSIZE), so its scratch
writes fail with EFBIG as they would with ENOSPC."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nemodesk.engine.music import spool
from nemodesk.engine.music.soundfont import find_soundfont
from tests.engine.server.conftest import file_size_limit, start_engine, stop_engine

LIMIT = 8 * 2**20  # a 60 s track's stem spools are 23 MB each; the SoundFont is made already
BODY = {"app_name": "nemo_agent", "user_id": "me"}


def _texts(client, sid: str, text: str) -> list[str]:
    body = {**BODY, "session_id": sid, "new_message": {"parts": [{"text": text}]}}
    out = []
    with client.stream("POST", "/run_sse", json=body) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data:") and line[5:].strip():
                ev = json.loads(line[5:])
                if ev.get("type") == "text":
                    out.append(ev["content"])
    return out


def test_the_chat_says_the_disk_is_full(tmp_path: Path) -> None:
    find_soundfont()  # the engine's SoundFont subset in the cache, before the limit
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    engine = start_engine(tmp_path / "data", limit_file_bytes=LIMIT, NEMODESK_SCRATCH=str(scratch))
    try:
        token = engine.token()
        sid = engine.session(token)
        with engine.client(token) as c:
            en = _texts(c, sid, "60-second upbeat acoustic track for a travel vlog")
            zh = _texts(c, sid, "做一段60秒的轻快原声吉他音乐")
    finally:
        assert stop_engine(engine) == 0
    assert any("is full" in t and str(scratch) in t for t in en), en
    assert any("已满" in t and str(scratch) in t for t in zh), zh
    assert not any("something went wrong" in t or "Traceback" in t for t in en + zh)


def test_the_command_line_says_the_disk_is_full(tmp_path: Path) -> None:
    find_soundfont()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    run = subprocess.run(
        [*file_size_limit(LIMIT), sys.executable, "-m", "nemodesk", "generate",
         "60-second upbeat acoustic track", "-o", str(tmp_path / "out.wav")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NEMODESK_SCRATCH": str(scratch)},
    )  # fmt: skip
    assert run.returncode == 2, run.stderr[-2000:]
    assert "is full" in run.stderr and str(scratch) in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert not (tmp_path / "out.wav").exists()
    assert not list(scratch.iterdir())  # the scratch files were unlinked from the start


def test_spares_are_kept_only_while_the_disk_has_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closed track's file is kept for the next render (it is quicker to write over)
    only while the scratch disk keeps KEEP_FREE_BYTES free; drop_spares gives them back."""
    monkeypatch.setenv(spool.SCRATCH_ENV, str(tmp_path))
    spool.drop_spares()
    free = shutil.disk_usage(tmp_path).free

    def close_one() -> int:
        track = spool.Track(48_000, 2)
        track.write(0, np.ones((48_000, 2), np.float32))
        track.close()
        return len(spool._FREE)

    monkeypatch.setattr(spool, "KEEP_FREE_BYTES", free + 2**40)  # the disk "nearly full"
    assert close_one() == 0
    monkeypatch.setattr(spool, "KEEP_FREE_BYTES", 0)
    assert close_one() == 1
    fds = len(os.listdir("/proc/self/fd"))
    assert spool.drop_spares() == 48_000 * 2 * 4
    assert len(spool._FREE) == 0 and len(os.listdir("/proc/self/fd")) == fds - 1


def test_a_spool_collected_while_a_track_is_being_made_does_not_deadlock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The garbage collector can run a lost Spool's finalizer (closing its tracks, which
    hands their files back under the spool lock) in the middle of _take_file, which holds
    that lock: with a plain lock the render froze for good (seen in a full run). Here the
    finalizer runs with the lock held, on a thread that must finish."""
    import gc
    import threading

    monkeypatch.setenv(spool.SCRATCH_ENV, str(tmp_path))

    def collect_inside_the_lock() -> None:
        lost = spool.Spool()
        lost.track("x", 1000)
        cycle: list = [lost]
        cycle.append(cycle)  # only the cycle collector frees it
        del lost, cycle
        with spool._LOCK:
            gc.collect()
        spool.Track(1000, 2).close()

    worker = threading.Thread(target=collect_inside_the_lock, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the spool lock deadlocked in the collector"
