"""Music engine speed: warm renders (30 s, 90 s, 5 min, 10 min), cold `nemodesk generate`,
memory peak. Goals: warm 90 s ≤ 1 s (≥ 90× real time), cold command ≤ 4 s, linear cost."""

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
PROMPT = "upbeat acoustic track for a travel vlog, warm and adventurous"


def warm(engine: MusicEngine, folder: Path) -> list[dict]:
    rows = []
    engine.generate(parse_brief(PROMPT, duration_s=10), 1, folder / "warmup.wav")
    for d in DURATIONS_S:
        best = float("inf")
        for rep in range(2 if d <= 90 else 1):
            t0 = time.perf_counter()
            engine.generate(parse_brief(PROMPT, duration_s=d), 7 + rep, folder / f"w{d}.wav")
            best = min(best, time.perf_counter() - t0)
        rows.append(
            {
                "duration_s": d,
                "render_s": round(best, 3),
                "x_realtime": round(d / best, 1),
                "ms_per_audio_s": round(best / d * 1000, 2),
            }
        )
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
        warm_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"SoundFont load: {load_s:.2f} s ({engine.sampler.soundfont.name})")
    print(f"{'duration':>9} {'render s':>9} {'x realtime':>11} {'ms/audio s':>11}")
    for r in rows:
        print(
            f"{r['duration_s']:>8}s {r['render_s']:>9.3f} {r['x_realtime']:>11.1f} "
            f"{r['ms_per_audio_s']:>11.2f}"
        )
    print(
        f"cold `nemodesk generate` 90 s: {c['wall_s']:.2f} s, peak RSS {c['peak_rss_mb']} MB; "
        f"warm process peak RSS {warm_rss:.0f} MB"
    )
    ninety = next(r for r in rows if r["duration_s"] == 90)
    print(
        json.dumps(
            {
                "soundfont_load_s": round(load_s, 3),
                "warm": rows,
                "cold": c,
                "warm_peak_rss_mb": round(warm_rss),
                "goals": {
                    "warm_90s_le_1s": ninety["render_s"] <= 1.0,
                    "cold_le_4s": c["wall_s"] <= 4.0,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
