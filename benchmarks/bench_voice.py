"""Voice first: speech detection speed on a 10-minute clip, and what ducking costs an export.

Run: .venv/bin/python -m benchmarks.bench_voice
Rows: Silero VAD over a 10 min clip (decode + 16 kHz resample + model), as multiples of real
time (goal >= 50x); the 60 s 720p copy-path export of bench_export with the music ducked
under speech (40% of the clip) vs the same draft mixed evenly (goal: <= 10% slower).
The last stdout line is one JSON object. Clips are cached in benchmarks/results/clips/.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.bench_export import CLIP_DIR, _clip, _draft, _music, _timed  # noqa: E402
from nemodesk.engine.media.export import export_draft  # noqa: E402
from nemodesk.engine.media.speech import detect_speech  # noqa: E402
from tests.fixtures.media import make_clip  # noqa: E402
from tests.fixtures.speech import talk  # noqa: E402

LONG_S = 600.0


def _talk_clip() -> Path:
    """10 minutes at 160x90: a minute of espeak-ng talk with pauses, repeated."""
    path = CLIP_DIR / f"talk_{LONG_S:g}s.mp4"
    if not path.exists():
        print(f"generating {path.name} …", file=sys.stderr, flush=True)
        minute = talk(60.0, [0.6, 1.8, 0.9, 2.5]).signal
        voice = np.tile(minute, int(LONG_S // 60))
        tmp = path.with_suffix(".tmp.mp4")
        make_clip(tmp, duration_s=LONG_S, width=160, height=90, fps=10,
                  sound=np.stack([voice, voice]))  # fmt: skip
        tmp.rename(path)
    return path


def _voiced(draft: dict, sound: str) -> dict:
    video = draft["t"][0]
    video["m"] = {"sound": sound}
    # 40% speech: 3 s phrases every 7.5 s
    video["sg"][0]["m"]["speech"] = [[t, t + 3000] for t in range(1000, 59000, 7500)]
    return draft


def main() -> dict[str, object]:
    CLIP_DIR.mkdir(parents=True, exist_ok=True)
    clip = _talk_clip()
    t0 = time.perf_counter()
    regions, lufs = detect_speech(clip)
    vad_s = time.perf_counter() - t0
    files = {"upload:clip": _clip(), "media:music": _music()}
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.mp4"
        for sound in ("even", "duck", "even", "duck"):  # interleaved: load drifts equally
            draft = _voiced(_draft(False), sound)
            wall, _cpu = _timed(lambda d=draft: export_draft(d, files.__getitem__, out), 2)
            rows[sound] = min(rows.get(sound, wall), wall)
    slower = rows["duck"] / rows["even"] - 1
    print(f"\n{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f}")
    print(f"{'measure':<44} {'value':>10} {'goal':>10}")
    print(f"{'speech detection, 10 min clip':<44} {LONG_S / vad_s:>9.0f}x {'>= 50x':>10}")
    print(f"{'  regions found / voice loudness':<44} {len(regions):>6} / {lufs} LUFS")
    print(f"{'export 60 s 720p copy, mixed evenly':<44} {60 / rows['even']:>9.1f}x")
    print(f"{'export 60 s 720p copy, music ducked':<44} {60 / rows['duck']:>9.1f}x")
    print(f"{'ducking costs':<44} {slower * 100:>9.1f}% {'<= 10%':>10}")
    return {
        "vad_x": round(LONG_S / vad_s, 1),
        "vad_regions": len(regions),
        "export_even_s": round(rows["even"], 3),
        "export_duck_s": round(rows["duck"], 3),
        "duck_slower_pct": round(slower * 100, 1),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
