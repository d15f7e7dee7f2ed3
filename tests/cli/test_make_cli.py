"""`nemodesk make`: the app's flow headless, through a local engine it starts itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av

from tests.fixtures.media import make_audio, make_clip, make_image, make_text_file_named

ROOT = Path(__file__).resolve().parents[2]


def make(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "NEMODESK_WORKERS": "1",
    }
    for key in ("NEMO_TOKEN", "NEMO_API_URL"):
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, "-m", "nemodesk", "make", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )


def test_make_video_with_music(tmp_path):
    clip = make_clip(tmp_path / "trip.mp4", duration_s=5.0, cuts_s=[2.0], width=320, height=180)
    out = tmp_path / "out" / "trip-music.mp4"
    out.parent.mkdir()
    p = make(
        "upbeat acoustic travel music",
        "--video",
        str(clip),
        "-o",
        str(out),
        "--data-dir",
        str(tmp_path / "data"),
        "--json",
        home=tmp_path,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    result = json.loads(p.stdout.strip().splitlines()[-1])
    assert result["path"] == str(out) and out.is_file()
    assert result["backend"] == "local" and result["session_id"] and result["render_id"]
    with av.open(str(out)) as f:
        assert {s.type for s in f.streams} == {"video", "audio"}
        assert abs(f.duration / av.time_base - 5.0) < 0.3
    assert abs(result["duration_s"] - 5.0) < 0.3
    assert "upload: 100%" in p.stderr and "export:" in p.stderr and "download:" in p.stderr
    assert not (tmp_path / "data" / "engine.json").exists()  # the engine it started is stopped


def test_make_bad_input_exit_2(tmp_path):
    text = make_text_file_named(tmp_path / "notes.txt")
    cases = [
        ("music", "--video", str(text)),
        ("music", "--video", str(tmp_path / "missing.mp4")),
        ("music", "--format", "ogg"),
        ("   ",),
        ("music", "-o", str(tmp_path / "nope" / "x.wav")),
    ]
    for args in cases:
        p = make(*args, "--data-dir", str(tmp_path / "data"), home=tmp_path)
        assert p.returncode == 2, (args, p.stderr)
        lines = [x for x in p.stderr.strip().splitlines() if x]
        assert len(lines) == 1 and lines[0].startswith("nemodesk"), (args, p.stderr)
        assert "Traceback" not in p.stderr
    assert not list(tmp_path.glob("**/*.wav"))


def test_make_refuses_what_it_cannot_use_with_exit_2_and_one_sentence(tmp_path):
    """A half-downloaded web export, sound alone (mp3, or an .mp4 holding only sound), a
    still image, and music alone asked for as .mp4: exit 2, one line saying why, and no
    output file, whose extension would lie about it."""
    whole = make_clip(
        tmp_path / "whole.mp4",
        duration_s=10.0,
        cuts_s=[4.0],
        width=160,
        height=90,
        faststart=True,
    ).read_bytes()
    cut = tmp_path / "download.mp4"
    cut.write_bytes(whole[: int(len(whole) * 0.57)])
    cases = {
        "download.mp4": (["--video", str(cut)], "download.mp4 seems cut short (it stops at"),
        "tone.mp3": (
            ["--video", str(make_audio(tmp_path / "tone.mp3", 3.0))],
            "tone.mp3 has sound but no picture",
        ),
        "voice.mp4": (
            ["--video", str(make_audio(tmp_path / "voice.mp4", 3.0))],
            "voice.mp4 has sound but no picture",
        ),
        "still.png": (
            ["--video", str(make_image(tmp_path / "still.png"))],
            "still.png is a still image",
        ),
        "music-only": ([], "an mp4 needs a clip"),
    }
    outs = tmp_path / "out"
    outs.mkdir()
    for name, (args, words) in cases.items():
        out = outs / f"{name}-music.mp4"
        p = make(
            "calm piano", *args, "-o", str(out), "--data-dir", str(tmp_path / "data"), home=tmp_path
        )
        assert p.returncode == 2, (name, p.returncode, p.stderr)
        last = p.stderr.strip().splitlines()[-1]
        assert last.startswith(f"nemodesk make: {words}"), (name, p.stderr)
        assert "Traceback" not in p.stderr and "Supported:" not in last, (name, p.stderr)
        assert ". " not in last and "  " not in last, last  # one sentence, said once
        assert not out.exists(), name
    assert not list(outs.iterdir())
