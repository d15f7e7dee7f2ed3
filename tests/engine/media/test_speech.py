"""Speech detection, scored on a labelled set: espeak-ng sentences placed at known times over
silence, music and noise. Frame F1 and boundary errors are measured against those times."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nemodesk.engine.media.speech import detect_in_samples, detect_speech, load_mono
from tests.fixtures.media import make_clip
from tests.fixtures.speech import RATE, talk, voice_over

VAD_RATE = 16_000
BACKGROUND_S = 40.0


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum /= np.sqrt(np.maximum(1, np.arange(spectrum.size)))
    x = np.fft.irfft(spectrum, n)
    return (x / np.sqrt(np.mean(x**2))).astype(np.float32)


def _to_16k(x: np.ndarray) -> np.ndarray:
    t = np.arange(round(len(x) * VAD_RATE / RATE)) * RATE / VAD_RATE
    return np.interp(t, np.arange(len(x)), x).astype(np.float32)


@pytest.fixture(scope="module")
def music_bed(tmp_path_factory) -> np.ndarray:
    """A real track from the engine (acoustic, with drums), mono 48 kHz, at -14 LUFS."""
    from nemodesk.engine.brief import parse_brief
    from nemodesk.engine.music.generate import MusicEngine

    out = tmp_path_factory.mktemp("bed") / "bed.wav"
    brief = parse_brief("upbeat acoustic travel vlog with drums", duration_s=BACKGROUND_S)
    MusicEngine().generate(brief, 7, out)
    from tests.fixtures.speech import decode_mono

    return decode_mono(out)


def _labelled(background: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, list]:
    rng = np.random.default_rng(seed)
    voice = talk(BACKGROUND_S, rng.uniform(0.7, 2.5, 12))
    mix = voice.signal + background[: voice.signal.size]
    truth = np.zeros(mix.size, bool)
    for a, b in voice.regions:
        truth[round(a * RATE) : round(b * RATE)] = True
    return mix, truth, voice.regions


def _score(found: list[tuple[float, float]], truth: np.ndarray, regions: list) -> tuple:
    hop = RATE // 100  # 10 ms frames
    t = truth[: truth.size // hop * hop].reshape(-1, hop).mean(axis=1) > 0.5
    p = np.zeros_like(t)
    for a, b in found:
        p[round(a * 100) : round(b * 100)] = True
    f1 = 2 * (p & t).sum() / (p.sum() + t.sum())
    errors = []
    for a, b in regions:
        errors.append(min(abs(fa - a) for fa, _ in found))
        errors.append(min(abs(fb - b) for _, fb in found))
    return f1, np.asarray(errors)


@pytest.mark.parametrize("background", ["silence", "music", "noise"])
def test_vad_frame_f1_and_boundaries(background: str, music_bed: np.ndarray) -> None:
    n = round(BACKGROUND_S * RATE)
    rng = np.random.default_rng(3)
    bed = {
        "silence": np.zeros(n, np.float32),
        "music": music_bed[:n] * 0.35,  # music as loud as the voice (RMS), a hard case
        "noise": _pink(n, rng) * 0.02,  # room / wind noise ~ -34 dBFS
    }[background]
    mix, truth, regions = _labelled(bed, seed=len(background))
    found = detect_in_samples(_to_16k(mix))
    f1, errors = _score(found, truth, regions)
    print(
        f"{background}: F1 {f1:.3f}, boundary error median {np.median(errors) * 1000:.0f} ms, "
        f"within 150 ms {np.mean(errors <= 0.15):.0%}, max {errors.max() * 1000:.0f} ms"
    )
    assert f1 >= 0.9
    assert np.median(errors) <= 0.08
    assert np.mean(errors <= 0.15) >= 0.8
    assert errors.max() <= 0.4


def test_no_speech_in_music_or_noise(music_bed: np.ndarray) -> None:
    rng = np.random.default_rng(5)
    n = round(20 * RATE)
    for bed in (music_bed[:n], _pink(n, rng) * 0.05, np.zeros(n, np.float32)):
        found = detect_in_samples(_to_16k(bed))
        assert sum(b - a for a, b in found) <= 0.5, found


def test_regions_on_the_picture_clock(tmp_path: Path) -> None:
    """A clip whose sound is the voice: regions found from the file match where it speaks."""
    voice = voice_over(12.0, [1.0, 5.5])
    clip = make_clip(tmp_path / "talk.mp4", duration_s=12.0, sound=voice.stereo())
    found, lufs = detect_speech(clip)
    assert len(found) == 2
    for (a, b), (ta, tb) in zip(found, voice.regions, strict=True):
        assert abs(a - ta) <= 0.15 and abs(b - tb) <= 0.15
    # as loud as the voice measured alone where it talks (mono on two speakers)
    from nemodesk.engine.music.master import measure_loudness

    said = np.concatenate(
        [voice.signal[round(a * RATE) : round(b * RATE)] for a, b in voice.regions]
    )
    assert lufs == pytest.approx(measure_loudness(np.stack([said, said], 1), RATE), abs=1.0)
    audio, zero = load_mono(clip)
    assert zero == pytest.approx(0.0, abs=0.05) and abs(len(audio) / VAD_RATE - 12.0) < 0.1


def test_a_clip_without_sound_has_no_speech(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "mute.mp4", duration_s=3.0, audio=False)
    assert detect_speech(clip) == ([], None)
