"""The player never freezes when Qt's ffmpeg threads tear down renderers while Python drives
it: a regression test for a GIL deadlock (see nemodesk/ui/media_track.py). Before the fix, a
new pair of players froze within about 10 load/play cycles (3 runs out of 3)."""

from __future__ import annotations

from tests.fixtures.media import make_audio, make_clip
from tests.probes import answer, module_command, run_probe

CYCLES = 60


def test_sixty_player_lifetimes_with_the_ffmpeg_threads_never_freeze(tmp_path):
    music = make_audio(tmp_path / "tone.wav", 4.0)
    clip = make_clip(tmp_path / "clip.mp4", duration_s=4.0, cuts_s=[2.0])
    proc = run_probe(
        module_command("tests.ui.player_threads_driver", music, clip, CYCLES),
        timeout=400,
        env={"QT_QPA_PLATFORM": "offscreen"},
    )
    assert answer(proc) == {"cycles": CYCLES}, "froze or failed:\n" + proc.stderr[-6000:]
