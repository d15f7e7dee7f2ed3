"""The melody leaves room for a voice: where the clip talks, the lead stem rests (measured on
the rendered stem against the same track rendered without the voice)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.music.audiofile import read_audio

SPEECH = [(8.0, 12.5), (18.0, 24.0)]


def _melody(engine, tmp: Path, speech: list[tuple[float, float]] | None) -> np.ndarray:
    brief = parse_brief("upbeat acoustic travel vlog with a piano melody", duration_s=32.0)
    out = tmp / ("voice.wav" if speech else "plain.wav")
    result = engine.generate(brief, 21, out, speech_s=speech, stems_dir=tmp / out.stem)
    audio, sr = read_audio(Path(result.stems["melody"]))
    return audio.mean(axis=1) if audio.ndim == 2 else audio, sr


def _db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x**2) + 1e-20))


@pytest.mark.parametrize("span", SPEECH)
def test_the_melody_rests_under_speech(engine, tmp_path: Path, span) -> None:
    plain, sr = _melody(engine, tmp_path, None)
    voiced, _ = _melody(engine, tmp_path, SPEECH)
    a, b = round(span[0] * sr), round(span[1] * sr)
    before, during = _db(plain[a:b]), _db(voiced[a:b])
    print(f"melody under speech {span}: {before:.1f} -> {during:.1f} dB")
    assert before > -45  # the melody really plays there without a voice
    assert during <= before - 9
    # away from speech the melody is unchanged
    c, d = round(2.0 * sr), round(6.0 * sr)
    assert abs(_db(voiced[c:d]) - _db(plain[c:d])) < 0.5
