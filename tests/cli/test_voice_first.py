"""Voice first, measured as a listener would: `nemodesk make` on a clip with a real voice-over
(espeak-ng, with pauses). The exported sound is split into the voice and the rest by
projecting each 0.4 s frame onto the clip's own (known) sound, so the speech-to-music ratio
is what a viewer hears, not what the code meant to do."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.cli.test_make_cli import make
from tests.fixtures.media import make_clip
from tests.fixtures.speech import RATE, decode_mono, talk

FRAME = round(0.4 * RATE)


def _aligned(y: np.ndarray, ref: np.ndarray, max_lag: int = RATE // 20) -> np.ndarray:
    """`y` shifted so it lines up with `ref` (the encoders' delays are not trusted)."""
    a, b = RATE, min(len(y), len(ref)) - max_lag - 1
    lags = range(-max_lag, max_lag + 1, 8)
    best = max(lags, key=lambda k: float(np.dot(y[a + k : b + k], ref[a:b])))
    fine = range(best - 8, best + 9)
    best = max(fine, key=lambda k: float(np.dot(y[a + k : b + k], ref[a:b])))
    out = y[best:] if best >= 0 else np.pad(y, (-best, 0))
    return out[: len(ref)]


def _export(tmp_path: Path, prompt: str, clip: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(exported sound, the clip's own sound, the music at its set level), mono, aligned."""
    out = tmp_path / "out.mp4"
    data = tmp_path / "data"
    p = make(prompt, "--video", str(clip), "-o", str(out), "--data-dir", str(data), "--json",
             home=tmp_path)  # fmt: skip
    assert p.returncode == 0, p.stderr[-3000:]
    assert json.loads(p.stdout.strip().splitlines()[-1])["path"] == str(out)
    own = decode_mono(clip)
    (music_file,) = [f for f in data.glob("files/*/music/track-*.wav")]
    music = decode_mono(music_file)  # the BGM at 100 %: the draft's volume
    y = _aligned(decode_mono(out), own)
    n = min(len(y), len(own), len(music))
    return y[:n], own[:n], music[:n]


def _frames(n: int) -> list[slice]:
    return [slice(i * FRAME, (i + 1) * FRAME) for i in range(n // FRAME)]


def test_the_voice_stays_clearly_above_the_music(tmp_path: Path) -> None:
    voice = talk(16.0, [0.4, 1.8, 0.7, 2.2], first_s=0.8)
    clip = make_clip(tmp_path / "voiceclip.mp4", duration_s=16.0, width=640, height=360,
                     sound=voice.stereo())  # fmt: skip
    y, own, music = _export(tmp_path, "upbeat acoustic background for my hiking vlog", clip)

    smr, gains = [], []
    for f in _frames(len(y)):
        t0, t1 = f.start / RATE, f.stop / RATE
        inside = any(a <= t0 and t1 <= b for a, b in voice.regions)
        v = own[f]
        if not inside or np.sqrt(np.mean(v**2)) < 10 ** (-40 / 20):
            continue  # speech frames: where the voice is really sounding
        g = float(np.dot(y[f], v) / np.dot(v, v))
        rest = y[f] - g * v
        smr.append(10 * np.log10(np.sum((g * v) ** 2) / np.sum(rest**2)))
        gains.append(g)
    smr_a = np.asarray(smr)
    gain_db = 20 * np.log10(np.median(gains))
    p10 = np.percentile(smr_a, 10)
    print(f"speech-to-music: median {np.median(smr_a):+.1f} dB, 10th percentile {p10:+.1f} dB "
          f"over {len(smr)} frames; voice gain {gain_db:+.2f} dB")  # fmt: skip
    assert len(smr) >= 15
    assert np.median(smr_a) >= 10.0
    assert np.percentile(smr_a, 10) >= 6.0
    assert abs(gain_db) <= 1.0  # the voice kept at its own level

    # pauses of 1.5 s or more: the music is back at its set level (after the 0.4 s release,
    # before the next dip starts 0.3 s ahead of the voice)
    checked = 0
    ends = [b for _, b in voice.regions]
    starts = [a for a, _ in voice.regions[1:]] + [16.0]
    for end, nxt in zip(ends, starts, strict=True):
        if nxt - end < 1.5:
            continue
        a, b = round((end + 0.45) * RATE), round((nxt - 0.35) * RATE)
        level = 20 * np.log10(np.sqrt(np.mean((y[a:b] - own[a:b]) ** 2)))
        set_level = 20 * np.log10(np.sqrt(np.mean(music[a:b] ** 2)))
        print(f"pause {end:.2f}-{nxt:.2f} s: music {level - set_level:+.2f} dB from its set level")
        assert abs(level - set_level) <= 1.0
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize("ambience", ["noise", "tone"])
def test_a_clip_without_speech_is_not_ducked(tmp_path: Path, ambience: str) -> None:
    """Wind/room noise or a steady hum: no speech found, the music at its set level."""
    rng = np.random.default_rng(11)
    n = 10 * RATE
    if ambience == "noise":
        bed = np.convolve(rng.standard_normal(n), np.ones(6) / 6, "same") * 0.05
    else:
        bed = 0.05 * np.sin(2 * np.pi * 180 * np.arange(n) / RATE)
    bed = bed.astype(np.float32)
    clip = make_clip(tmp_path / "ambience.mp4", duration_s=10.0, sound=np.stack([bed, bed]))
    y, own, music = _export(tmp_path, "calm ambient background", clip)
    worst = 0.0
    for f in _frames(len(y))[1:-1]:
        rms = np.sqrt(np.mean(music[f] ** 2))
        if rms < 10 ** (-50 / 20):
            continue  # the music's own silences say nothing about a dip
        level = 20 * np.log10(np.sqrt(np.mean((y[f] - own[f]) ** 2)) / rms)
        worst = max(worst, abs(level))
    print(f"{ambience}: the music is at most {worst:.2f} dB from its set level")
    assert worst <= 1.0
