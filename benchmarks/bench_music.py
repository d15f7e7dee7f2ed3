"""Music engine speed and memory: warm renders (30 s, 90 s, 5 min, 10 min), cold `nemodesk
generate`, and the warm process's peak memory per track length (1, 5, 10, 20 min).

Goals (issue 18): warm 90 s ≤ 1.2 s; a 600 s track ≤ 6 s; a warm engine process's peak
RSS ≤ 1.2 GB at any length up to 20 min (render, effects and mastering run in blocks
spooled to disk, so the peak should not grow with length); cold command ≤ 4 s.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.music.generate import MusicEngine

DURATIONS_S = (30, 90, 300, 600)
MEMORY_DURATIONS_S = (60, 300, 600, 1200)
PROMPT = "upbeat acoustic track for a travel vlog, warm and adventurous"
GOAL_90S_S = 1.2
GOAL_600S_S = 6.0
GOAL_RSS_MB = 1200


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process (Linux)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def warm(engine: MusicEngine, folder: Path) -> list[dict]:
    rows = []
    engine.generate(parse_brief(PROMPT, duration_s=10), 1, folder / "warmup.wav")
    for d in DURATIONS_S:
        times = []
        for rep in range(3 if d <= 90 else 2):
            t0 = time.perf_counter()
            engine.generate(parse_brief(PROMPT, duration_s=d), 7 + rep, folder / f"w{d}.wav")
            times.append(time.perf_counter() - t0)
        best = min(times)
        rows.append(
            {
                "duration_s": d,
                "render_s": round(best, 3),
                "median_s": round(sorted(times)[len(times) // 2], 3),
                "x_realtime": round(d / best, 1),
                "ms_per_audio_s": round(best / d * 1000, 2),
            }
        )
    return rows


def memory(engine: MusicEngine, folder: Path) -> list[dict]:
    """Peak RSS of this warm process while it renders and writes each length (the mark is
    reset before each; it counts the SoundFont and the note cache as well)."""
    rows = []
    for d in MEMORY_DURATIONS_S:
        exact = _reset_peak()
        before = _status_mb("VmRSS")
        t0 = time.perf_counter()
        engine.generate(parse_brief(PROMPT, duration_s=d), 11, folder / f"m{d}.wav")
        wall = time.perf_counter() - t0
        peak = (
            _status_mb("VmHWM")
            if exact
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
        rows.append(
            {
                "duration_s": d,
                "peak_rss_mb": round(peak),
                "rss_before_mb": round(before),
                "render_s": round(wall, 2),
            }
        )
        (folder / f"m{d}.wav").unlink(missing_ok=True)
    return rows


def cold(folder: Path, duration: int = 90) -> dict:
    times = []
    for i in range(2):
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "nemodesk",
                "generate",
                PROMPT,
                "--duration",
                str(duration),
                "--seed",
                str(i + 1),
                "-o",
                str(folder / "cold.wav"),
            ],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    child_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "duration_s": duration,
        "wall_s": round(min(times), 3),
        "peak_rss_mb": round(child_rss_mb),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        c = cold(folder)  # first, while this process is small (a fork shares its pages)
        engine = MusicEngine()
        t0 = time.perf_counter()
        engine.sampler  # noqa: B018  (load the SoundFont: reported apart)
        load_s = time.perf_counter() - t0
        rows = warm(engine, folder)
        mem = memory(engine, folder)
        warm_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"SoundFont load: {load_s:.2f} s ({engine.sampler.soundfont.name})")
    print(
        f"{'duration':>9} {'render s':>9} {'median s':>9} {'x realtime':>11} "
        f"{'ms/audio s':>11}  goal"
    )
    for r in rows:
        goal = {90: f"<= {GOAL_90S_S} s", 600: f"<= {GOAL_600S_S} s"}.get(r["duration_s"], "")
        print(
            f"{r['duration_s']:>8}s {r['render_s']:>9.3f} {r['median_s']:>9.3f} "
            f"{r['x_realtime']:>11.1f} {r['ms_per_audio_s']:>11.2f}  {goal}"
        )
    print(f"{'length':>9} {'peak RSS MB':>12} {'RSS before':>11} {'render s':>9}  goal")
    for m in mem:
        print(
            f"{m['duration_s']:>8}s {m['peak_rss_mb']:>12} {m['rss_before_mb']:>11} "
            f"{m['render_s']:>9.2f}  <= {GOAL_RSS_MB} MB"
        )
    print(
        f"cold `nemodesk generate` 90 s: {c['wall_s']:.2f} s, peak RSS {c['peak_rss_mb']} MB; "
        f"warm process peak RSS {warm_rss:.0f} MB"
    )
    ninety = next(r for r in rows if r["duration_s"] == 90)
    ten = next(r for r in rows if r["duration_s"] == 600)
    print(
        json.dumps(
            {
                "soundfont_load_s": round(load_s, 3),
                "warm": rows,
                "memory": mem,
                "cold": c,
                "warm_peak_rss_mb": round(warm_rss),
                "goals": {
                    "warm_90s_le_1_2s": ninety["render_s"] <= GOAL_90S_S,
                    "track_600s_le_6s": ten["render_s"] <= GOAL_600S_S,
                    "peak_rss_le_1_2gb_every_length": all(
                        m["peak_rss_mb"] <= GOAL_RSS_MB for m in mem
                    ),
                    "cold_le_4s": c["wall_s"] <= 4.0,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
