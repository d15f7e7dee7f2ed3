"""What runs inside the worker processes: music generation and draft export.

Each worker keeps one warm ``MusicEngine`` (SoundFont and note cache loaded once): the pool
starts its workers as the engine starts, and each imports the music modules and loads the
SoundFont before it takes any job (``init_worker``), so the first track asked for finds it
ready. Renders report progress and learn of cancellation through the SQLite store, which
several processes may share safely in WAL mode.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

_engine = None
_warm: dict[str, Any] = {}
_first_job_done: Any = None  # an event the pool's workers share (see init_worker)
LATER_WORKERS_S = 10.0  # how long spare workers wait for a first job before warming up


def _exit_with_parent(parent: int) -> None:
    """A worker must not outlive its engine (even one killed with SIGKILL): Linux can tell
    the kernel so; everywhere else a thread watches the parent id."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    if os.getppid() != parent:  # already orphaned before the line above ran
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def init_worker(parent: int, stagger: tuple[Any, Any, Any] | None = None) -> None:
    """Ready the worker before its first job: imports done, SoundFont loaded (which waits
    for the engine's unpack of the built-in one if that is still running).

    ``stagger`` (a lock, a counter and an event the pool's workers share): the first worker
    warms up at once; the others wait until a first job is done (or ``LATER_WORKERS_S``)
    and then warm up one at a time, so on a small machine the first worker, the server's
    own start and the first track are not slowed by the spare workers' imports."""
    global _engine, _first_job_done
    _exit_with_parent(parent)
    lock = None
    if stagger is not None:
        lock, started, _first_job_done = stagger
        with started.get_lock():
            order = started.value
            started.value += 1
        if order:
            _first_job_done.wait(LATER_WORKERS_S)
    with lock or contextlib.nullcontext():
        t0 = time.perf_counter()
        # first the SoundFont file: on a first start the first worker unpacks the built-in
        # one here (~1 s), before its other imports; done in a thread beside the server's
        # imports it ran several times slower (one interpreter lock, taken by the imports)
        from nemodesk.engine.music.soundfont import find_soundfont

        find_soundfont()
        t1 = time.perf_counter()
        from nemodesk.engine.music.generate import MusicEngine

        t2 = time.perf_counter()
        _engine = MusicEngine()
        sampler = _engine.sampler  # load the SoundFont now, not during the first request
    _warm.update(
        pid=os.getpid(),
        soundfont=str(sampler.soundfont),
        unpack_s=round(t1 - t0, 3),
        imports_s=round(t2 - t1, 3),
        soundfont_s=round(time.perf_counter() - t2, 3),
        warm_s=round(time.perf_counter() - t0, 3),
    )
    # to the engine's stderr (its log): the proof the warm-up came before any request
    print(
        f"NemoDesk engine worker {os.getpid()} warm in {_warm['warm_s']:.2f} s (SoundFont "
        f"file {_warm['unpack_s']:.2f} s, imports {_warm['imports_s']:.2f} s, SoundFont "
        f"{sampler.soundfont.name} {_warm['soundfont_s']:.2f} s)",
        file=sys.stderr,
        flush=True,
    )


def warm() -> dict[str, Any]:
    """What this worker's start did (empty if it has no warm engine)."""
    return dict(_warm)


def new_pool(workers: int) -> ProcessPoolExecutor:
    """The worker processes, started (and warming) now. Spawned, not forked: the server is
    threaded. Light to call: the engine starts its pool before it imports its web stack, so
    the workers' imports and SoundFont load run while the server gets ready."""
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=init_worker,
        initargs=(os.getpid(), (ctx.Lock(), ctx.Value("i", 0), ctx.Event())),
    )
    for _ in range(workers):  # one call each spawns the workers now (not on the first job)
        pool.submit(warm)
    return pool


def generate_track(
    brief: dict[str, Any],
    seed: int,
    out: str,
    cuts_s: list[float],
    loudness_lufs: float,
    stems_dir: str | None,
    midi: str | None,
    plan: str | None,
    speech_s: list[tuple[float, float]] | None = None,
) -> dict[str, Any]:
    from nemodesk.engine.brief import Brief
    from nemodesk.engine.music.generate import MusicEngine

    engine = _engine or MusicEngine()
    result = engine.generate(
        Brief(**brief),
        seed,
        Path(out),
        cuts_s=cuts_s,
        speech_s=speech_s,
        loudness_lufs=loudness_lufs,
        stems_dir=Path(stems_dir) if stems_dir else None,
        midi_path=Path(midi) if midi else None,
        plan_path=Path(plan) if plan else None,
    )
    out_dict = asdict(result)
    if stems_dir is None:  # the stems are written on request: name them now
        out_dict["stem_groups"] = stem_groups(engine, Brief(**brief), seed, cuts_s, speech_s)
    _job_done()
    return out_dict


def _job_done() -> None:
    """A first job is done: the spare workers may warm up now (see ``init_worker``)."""
    if _first_job_done is not None and not _first_job_done.is_set():
        _first_job_done.set()


def stem_groups(engine, brief, seed: int, cuts_s, speech_s) -> list[str]:
    """The stems a track would have, from its score alone (no audio): the instrument
    groups in order, the shared reverb, and the lo-fi texture (as ``render`` makes them)."""
    from nemodesk.engine.music.genres import GENRE_TEMPLATES

    _, score = engine.compose(brief, seed, cuts_s, speech_s)
    groups = [*dict.fromkeys(p.group for p in score.parts), "reverb"]
    return groups + (["texture"] if GENRE_TEMPLATES[score.genre].lofi else [])


def write_extras(
    brief: dict[str, Any],
    seed: int,
    name: str,
    cuts_s: list[float],
    loudness_lufs: float,
    speech_s: list[tuple[float, float]] | None,
    stems_dir: str,
    midi: str,
) -> dict[str, Any]:
    """A take's stems and MIDI, made when first asked for: the same render as its mix
    (same brief, seed, cuts and speech, so the stems add up to that mix); the mix made on
    the way is thrown away."""
    from nemodesk.engine.brief import Brief
    from nemodesk.engine.music.generate import MusicEngine

    engine = _engine or MusicEngine()
    folder = Path(stems_dir)
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / f"{name}.wav"  # stems are named <name>-<group>.wav after it
    try:
        result = engine.generate(
            Brief(**brief),
            seed,
            scratch,
            cuts_s=cuts_s,
            speech_s=speech_s,
            loudness_lufs=loudness_lufs,
            stems_dir=folder,
            midi_path=Path(midi),
        )
    finally:
        scratch.unlink(missing_ok=True)
    return {"stems": result.stems, "midi": result.midi}


def export_render(
    db_path: str,
    render_id: str,
    user: str,
    draft: dict[str, Any],
    sources: dict[str, str],
    out: str,
    fmt: str,
    quality: str,
) -> dict[str, Any]:
    """Export a draft; progress and the final status go to the store."""
    from nemodesk.engine.media.export import ExportCancelled, ExportError, export_draft
    from nemodesk.engine.server.store import Store

    store = Store(Path(db_path))
    last = [0.0]

    def progress(p: float) -> None:
        now = time.monotonic()
        if now - last[0] > 0.25 or p >= 1.0:
            last[0] = now
            store.update_render(render_id, status="processing", progress=round(p * 100, 1))

    def cancelled() -> bool:
        r = store.get_render(render_id, user)
        return r is None or r.status == "cancelled"

    try:
        store.update_render(render_id, status="processing", progress=0.0)
        result = export_draft(
            draft,
            lambda src: Path(sources[src]),
            Path(out),
            fmt=fmt,
            quality=quality,
            progress=progress,
            cancelled=cancelled,
        )
        store.update_render(
            render_id, status="completed", progress=100.0, output_path=str(result.path)
        )
        return {"status": "completed", "path": str(result.path)}
    except ExportCancelled:
        store.update_render(render_id, status="cancelled")
        return {"status": "cancelled"}
    except ExportError as e:
        store.update_render(render_id, status="failed", error=str(e))
        return {"status": "failed", "error": str(e)}
    except Exception as e:  # a failed render says why, in one line
        store.update_render(
            render_id, status="failed", error=f"The render failed: {type(e).__name__}."
        )
        return {"status": "failed", "error": str(e)}
    finally:
        store.close()
        _job_done()
