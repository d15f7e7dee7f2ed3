"""The engine's acceptance checks, measured on real renders with independent meters."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from nemodesk.engine.brief import parse_brief
from tests.audio_checks import (
    clicks,
    decode_file,
    estimate_key,
    longest_silence_s,
    loudness,
    rms_db,
    tempo_bpm,
    true_peak_db,
)

SR = 44100


def wav_frames(path) -> int:
    with av.open(str(path)) as c:
        return sum(f.samples for f in c.decode(audio=0))


@pytest.mark.parametrize("duration", [1.0, 1.5, 2.345, 4.0, 7.77, 30.0, 61.3, 90.0, 600.0])
def test_exact_sample_count(engine, tmp_path, duration):
    brief = parse_brief("warm acoustic track", duration_s=duration)
    r = engine.generate(brief, 11, tmp_path / "t.wav")
    assert r.n_samples == round(duration * SR)
    assert wav_frames(r.path) == round(duration * SR)


@pytest.mark.parametrize("duration", [3.0, 45.5])
def test_exact_sample_count_loop(engine, tmp_path, duration):
    brief = parse_brief("lofi loop", duration_s=duration, loop=True)
    r = engine.generate(brief, 5, tmp_path / "l.wav")
    assert wav_frames(r.path) == round(duration * SR)


CASES = [
    ("upbeat acoustic travel vlog", -14.0),
    ("tense cinematic thriller score", -14.0),
    ("lo-fi chill hip hop", -16.0),
    ("energetic EDM promo", -14.0),
    ("calm ambient meditation", -23.0),
    ("playful chiptune", -14.0),
    ("smooth jazz cafe", -14.0),
    ("sad solo piano", -16.0),
    ("epic rock anthem", -14.0),
    ("inspiring corporate presentation", -14.0),
]


@pytest.mark.parametrize("prompt,target", CASES)
def test_loudness_peaks_clicks_gaps(engine, prompt, target):
    brief = parse_brief(prompt, duration_s=40)
    _, _, r = engine.render(brief, 3, loudness_lufs=target)
    audio = r.mix
    assert abs(loudness(audio, SR) - target) <= 1.0
    assert true_peak_db(audio) <= -1.0
    assert np.abs(audio).max() < 0.99  # no clipping
    assert clicks(audio, SR) == []
    assert longest_silence_s(audio, SR) <= 1.5


def test_click_detector_can_fail(engine):
    _, _, r = engine.render(parse_brief("calm solo piano", duration_s=10), 3)
    audio = r.mix.copy()
    audio[SR * 4 :] += 0.1  # a step: what a cut-off or a bad splice sounds like
    found = clicks(audio, SR)
    assert found and abs(found[0] - 4.0) < 0.01


@pytest.mark.parametrize(
    "prompt,bpm",
    [
        ("70 BPM lo-fi hip hop beat", 70),
        ("90 BPM acoustic folk", 90),
        ("128 BPM EDM house track", 128),
        ("140 BPM rock", 140),
    ],
)
def test_tempo_found_by_beat_tracker(engine, prompt, bpm):
    brief = parse_brief(prompt, duration_s=30)
    _, _, r = engine.render(brief, 21)
    found = tempo_bpm(r.mix, SR)
    ratios = [found / bpm, found / (2 * bpm), found / (bpm / 2)]
    assert min(abs(x - 1) for x in ratios) <= 0.04, found


@pytest.mark.parametrize("mood", ["tense", "sad", "dark", "mysterious"])
def test_minor_moods_sound_minor(engine, mood):
    brief = parse_brief(f"{mood} background music", duration_s=30)
    assert brief.mode == "minor"
    _, _, r = engine.render(brief, 8)
    assert estimate_key(r.mix, SR) == (brief.key, "minor")


@pytest.mark.parametrize("mood", ["upbeat", "warm", "playful", "romantic"])
def test_bright_moods_sound_major(engine, mood):
    brief = parse_brief(f"{mood} background music", duration_s=30)
    assert brief.mode == "major"
    _, _, r = engine.render(brief, 8)
    assert estimate_key(r.mix, SR) == (brief.key, "major")


def _thirds(audio):
    n = len(audio) // 3
    return rms_db(audio[:n]), rms_db(audio[-n:])


@pytest.mark.parametrize(
    "prompt",
    [
        "cinematic score that builds to a dramatic finale",
        "a crescendo of strings",
        "electronic track building tension",
    ],
)
def test_build_gets_louder(engine, prompt):
    brief = parse_brief(prompt, duration_s=60)
    assert brief.arc == "build"
    _, _, r = engine.render(brief, 4)
    first, last = _thirds(r.mix)
    assert last - first >= 3.0


def test_winds_down_gets_quieter(engine):
    brief = parse_brief("warm acoustic piece that winds down", duration_s=60)
    assert brief.arc == "fall"
    _, _, r = engine.render(brief, 4)
    first, last = _thirds(r.mix)
    assert first - last >= 3.0


@pytest.mark.parametrize(
    "prompt", ["lo-fi chill hip hop loop", "upbeat electronic loop", "seamless ambient loop"]
)
def test_loop_has_no_seam(engine, prompt):
    brief = parse_brief(prompt, duration_s=20)
    assert brief.loop
    plan, _, r = engine.render(brief, 9)
    x = r.mix.astype(np.float64)
    ordinary = np.abs(np.diff(x, axis=0)).max()
    wrap = np.abs(x[0] - x[-1]).max()
    assert wrap <= ordinary
    bar = round(plan.bar_s * SR)  # the bar before the seam against the bar after it
    assert abs(rms_db(x[-bar:]) - rms_db(x[:bar])) <= 3.0


def test_stems_sum_to_the_mix(engine, tmp_path):
    brief = parse_brief("upbeat acoustic with drums, bass and piano", duration_s=20)
    r = engine.generate(brief, 6, tmp_path / "mix.wav", stems_dir=tmp_path / "stems")
    assert len(r.stems) >= 4
    total = None
    for path in r.stems.values():
        audio, _ = decode_file(path)
        assert len(audio) == r.n_samples
        total = audio if total is None else total + audio
    _, _, rendered = engine.render(brief, 6)
    unmastered = rendered.unmastered.astype(np.float64).ravel()
    assert np.corrcoef(total.ravel(), unmastered)[0, 1] > 0.99


def test_same_seed_same_bytes_different_seed_different_audio(engine, tmp_path):
    brief = parse_brief("warm corporate", duration_s=12)
    a = engine.generate(brief, 42, tmp_path / "a.wav")
    b = engine.generate(brief, 42, tmp_path / "b.wav")
    c = engine.generate(brief, 43, tmp_path / "c.wav")
    data = [Path(r.path).read_bytes() for r in (a, b, c)]
    assert data[0] == data[1]
    _, _, ra = engine.render(brief, 42)
    _, _, rc = engine.render(brief, 43)
    corr = np.corrcoef(ra.mix.ravel(), rc.mix.ravel())[0, 1]
    assert data[0] != data[2] and corr < 0.5
