"""``nemodesk --self-test``: the real window, a 5-second track generated through the local
engine, shown on the timeline, exported as WAV — one JSON line of timings, exit 0 only when
every step really happened. Packaging runs it on the frozen app."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import time
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from nemodesk.core.draft import TrackType

if TYPE_CHECKING:
    from nemodesk.ui.main_window import MainWindow
    from nemodesk.ui.service import AppService

TIMEOUT_S = 180.0
SECONDS = 5.0


async def _until(what: str, check: Any, timeout_s: float = TIMEOUT_S) -> float:
    t0 = time.perf_counter()
    while not check():
        if time.perf_counter() - t0 > timeout_s:
            raise TimeoutError(f"self-test: timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return time.perf_counter() - t0


class _Painted(Protocol):
    at: float | None  # seconds from start to the first paint, once it happened


class Desktop(Protocol):
    """What the self-test drives: ``ui.app.DesktopApp`` (typed by shape, so that this module,
    which the app imports, does not import the app)."""

    service: AppService
    window: MainWindow
    paint: _Painted
    closed: asyncio.Event


def _worker_warm_s(service: AppService) -> float | None:
    """How long the engine's first worker took to warm up (imports and SoundFont), as its
    log says; None when there is no local engine log to read."""
    engine = service.engine
    if engine is None:
        return None
    try:
        text = engine.log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = re.search(r"NemoDesk engine worker \d+ warm in ([\d.]+) s", text)
    return float(found.group(1)) if found else None


async def self_test(desktop: Desktop) -> int:
    service, window = desktop.service, desktop.window
    report: dict[str, Any] = {"ok": False}
    failures: list[str] = []
    service.failed.connect(lambda name, err: failures.append(f"{name}: {err!r}"))
    t0 = time.perf_counter()
    try:
        await _until("the first paint", lambda: desktop.paint.at is not None, 30)
        report["first_paint_s"] = round(desktop.paint.at or 0.0, 3)
        await _until("the engine", lambda: service._ready.is_set() or bool(failures), 60)
        if failures:
            raise RuntimeError(failures[0])
        report["engine_ready_s"] = round(time.perf_counter() - t0, 3)
        t1 = time.perf_counter()
        await service.generate("calm piano", {"duration_s": SECONDS, "genre": "piano"})
        if failures:
            raise RuntimeError(failures[0])
        bgm = window.timeline.draft().first(TrackType.AUDIO)
        if bgm is None or abs(bgm.span()[1] - SECONDS * 1000) > 50:
            raise RuntimeError("self-test: the timeline shows no 5 s music track")
        report["generate_s"] = round(time.perf_counter() - t1, 3)
        folder = Path(tempfile.mkdtemp(prefix="nemodesk-selftest-out-"))
        t2 = time.perf_counter()
        path = await service.export({"format": "wav", "folder": str(folder), "name": "selftest"})
        if failures or path is None:
            raise RuntimeError(failures[0] if failures else "self-test: no exported file")
        with wave.open(str(path), "rb") as w:
            seconds = w.getnframes() / w.getframerate()
        if abs(seconds - SECONDS) > 0.05:
            raise RuntimeError(f"self-test: the WAV lasts {seconds:.3f} s, not {SECONDS} s")
        report.update(
            worker_warm_s=_worker_warm_s(service),
            export_s=round(time.perf_counter() - t2, 3),
            wav_seconds=round(seconds, 3),
            wav_bytes=path.stat().st_size,
            total_s=round(time.perf_counter() - t0 + (desktop.paint.at or 0.0), 3),
            ok=True,
        )
        path.unlink(missing_ok=True)
        folder.rmdir()
    except Exception as e:  # the report says why; the exit code says it failed
        report["error"] = str(e) or type(e).__name__
    finally:
        window.close()
        await asyncio.wait_for(desktop.closed.wait(), 30)
    print(json.dumps(report), flush=True)
    return 0 if report["ok"] else 1
