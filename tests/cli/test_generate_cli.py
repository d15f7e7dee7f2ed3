"""`nemodesk generate` as users and scripts run it: a real subprocess, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.audio_checks import decode_file, onset_times
from tests.fixtures.media import make_clip, make_text_file_named

SR = 44100


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nemodesk", "generate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def result(proc: subprocess.CompletedProcess):
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def decode(path: str) -> tuple[np.ndarray, int]:
    return decode_file(path)


EXAMPLES = [
    (
        "Generate a 90-second upbeat acoustic track for a travel vlog montage with a warm, "
        "adventurous feel",
        90.0,
        "acoustic",
        "major",
        False,
        "flat",
    ),
    (
        "Create a tense, cinematic background score for a 2-minute thriller short film with "
        "building tension and a dramatic finale",
        120.0,
        "cinematic",
        "minor",
        False,
        "build",
    ),
    (
        "Make a lo-fi chill hip-hop loop around 60 seconds long for a study tips YouTube video",
        60.0,
        "lofi",
        "major",
        True,
        "flat",
    ),
    (
        "为旅行vlog生成一段90秒的欢快原声音乐，温暖而充满冒险感",
        90.0,
        "acoustic",
        "major",
        False,
        "flat",
    ),
    (
        "为一部2分钟的惊悚短片创作紧张的电影配乐，张力逐渐增强，结尾有戏剧性高潮",
        120.0,
        "cinematic",
        "minor",
        False,
        "build",
    ),
    (
        "做一段大约60秒的低保真轻松嘻哈循环音乐，用于学习技巧的YouTube视频",
        60.0,
        "lofi",
        "major",
        True,
        "flat",
    ),
]


@pytest.mark.parametrize("prompt,duration,genre,mode,loop,arc", EXAMPLES)
def test_example_prompts(tmp_path, prompt, duration, genre, mode, loop, arc):
    out = tmp_path / "track.wav"
    data = result(run(prompt, "-o", str(out), "--seed", "1", "--json"))
    for field in (
        "path",
        "duration_s",
        "sample_rate",
        "bpm",
        "key",
        "mode",
        "genre",
        "mood",
        "instruments",
        "arc",
        "loop",
        "seed",
        "sections",
        "hits_s",
        "cuts_s",
        "loudness_lufs",
        "true_peak_db",
        "render_s",
    ):
        assert field in data
    assert (data["duration_s"], data["genre"], data["mode"], data["loop"], data["arc"]) == (
        duration,
        genre,
        mode,
        loop,
        arc,
    )
    audio, rate = decode(data["path"])
    assert len(audio) == round(duration * rate)
    assert abs(data["loudness_lufs"] + 14) <= 1.0 and data["true_peak_db"] <= -1.0
    assert data["sections"][0]["start_s"] == 0 and data["sections"][-1]["end_s"] == duration


def test_video_cuts_get_hits(tmp_path):
    cuts = [2.0, 3.3, 5.1, 7.45, 9.0, 11.62, 13.1]
    clip = make_clip(tmp_path / "clip.mp4", duration_s=15.0, cuts_s=cuts)
    data = result(
        run(
            "tense cinematic score",
            "--video",
            str(clip),
            "-o",
            str(tmp_path / "m.wav"),
            "--json",
            "--seed",
            "2",
        )
    )
    assert abs(data["duration_s"] - 15.0) <= 0.05
    assert len(data["cuts_s"]) == len(cuts)
    marks = np.array(data["hits_s"] + [s["start_s"] for s in data["sections"]])
    near = [np.min(np.abs(marks - c)) <= 0.060 for c in cuts]
    assert sum(near) / len(cuts) >= 0.8
    # and the accents are really in the audio: an onset within 60 ms of each hit
    audio, rate = decode(data["path"])
    onsets = onset_times(audio, rate)
    heard = [np.min(np.abs(onsets - h)) <= 0.060 for h in data["hits_s"]]
    assert sum(heard) / len(heard) >= 0.8
    assert all(abs(o) <= 60 for o in data["hit_offsets_ms"])


@pytest.mark.parametrize("ext", ["mov", "avi", "webm", "mkv"])
def test_video_containers(tmp_path, ext):
    clip = make_clip(tmp_path / f"clip.{ext}", duration_s=6.0, cuts_s=[3.0])
    data = result(
        run("warm acoustic", "--video", str(clip), "-o", str(tmp_path / "m.wav"), "--json")
    )
    assert abs(data["duration_s"] - 6.0) <= 0.05
    assert data["cuts_s"] and abs(data["cuts_s"][0] - 3.0) <= 0.05


def test_formats_stems_midi_and_variations(tmp_path):
    out = tmp_path / "song.mp3"
    proc = run(
        "playful chiptune",
        "--duration",
        "8",
        "-o",
        str(out),
        "--variations",
        "3",
        "--stems",
        str(tmp_path / "stems"),
        "--midi",
        str(tmp_path / "song.mid"),
        "--json",
        "--seed",
        "5",
    )
    data = result(proc)
    assert isinstance(data, list) and len(data) == 3
    assert [Path(d["path"]).name for d in data] == ["song-1.mp3", "song-2.mp3", "song-3.mp3"]
    assert [d["seed"] for d in data] == [5, 6, 7]
    # the takes differ: each after the first changes two or more of lead, tempo, key,
    # chords and groove, and says so
    assert [d["variation"] for d in data] == [1, 2, 3] and data[0]["changes"] == []
    assert all(len(d["changes"]) >= 2 for d in data[1:])
    assert len({d["description"] for d in data}) == 3
    for d in data:
        audio, rate = decode(d["path"])
        assert abs(len(audio) / rate - 8.0) < 0.06
        assert Path(d["midi"]).stat().st_size > 100
        assert len(d["stems"]) >= 3
    for fmt in ("flac", "m4a"):
        d = result(run("calm piano", "--duration", "5", "-o", str(tmp_path / f"x.{fmt}"), "--json"))
        audio, rate = decode(d["path"])
        assert abs(len(audio) / rate - 5.0) < 0.06
    d = result(
        run(
            "calm piano", "--duration", "5", "--format", "flac", "-o", str(tmp_path / "y"), "--json"
        )
    )
    assert d["path"].endswith("y.flac")


def _bad(tmp_path, *args):
    before = set(os.listdir(tmp_path))
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert set(os.listdir(tmp_path)) == before  # no partial file
    return lines[0]


def test_bad_input(tmp_path):
    assert "Duration" in _bad(tmp_path, "calm", "--duration", "0")
    assert "Duration" in _bad(tmp_path, "calm", "--duration", "1300")
    assert "wav" in _bad(tmp_path, "calm", "--format", "ogg")
    fake = make_text_file_named(tmp_path / "fake.mp4")
    assert "fake.mp4" in _bad(tmp_path, "calm", "--video", str(fake))
    assert "missing.mp4" in _bad(tmp_path, "calm", "--video", str(tmp_path / "missing.mp4"))
    assert "does not exist" in _bad(tmp_path, "calm", "-o", str(tmp_path / "no" / "x.wav"))
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        # root may write anywhere on a normal disk, but not into /proc
        target = ro / "x.wav" if not os.access(ro, os.W_OK) else Path("/proc/nemodesk-x.wav")
        line = _bad(tmp_path, "calm", "--duration", "2", "-o", str(target))
        assert str(target.parent) in line or target.name in line
    finally:
        ro.chmod(0o700)
