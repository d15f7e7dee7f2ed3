"""The player never freezes when Qt's ffmpeg threads tear down renderers while Python drives
it: a regression test for a GIL deadlock (see nemodesk/ui/media_track.py). Before the fix, a
new pair of players froze within about 10 load/play cycles (3 runs out of 3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures.media import make_audio, make_clip

ROOT = Path(__file__).resolve().parents[2]
CYCLES = 60


def test_sixty_player_lifetimes_with_the_ffmpeg_threads_never_freeze(tmp_path):
    music = make_audio(tmp_path / "tone.wav", 4.0)
    clip = make_clip(tmp_path / "clip.mp4", duration_s=4.0, cuts_s=[2.0])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ui.player_threads_driver", str(music), str(clip),
         str(CYCLES)],
        env=env, capture_output=True, text=True, timeout=400, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, "froze or failed:\n" + proc.stderr[-6000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"cycles": CYCLES}
