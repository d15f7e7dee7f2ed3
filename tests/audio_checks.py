"""Independent measurements for tests: none of these reuse the engine's own code."""

from __future__ import annotations

import numpy as np
import pyloudnorm
from scipy.ndimage import maximum_filter1d
from scipy.signal import resample_poly

KS_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KS_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def mono(audio: np.ndarray) -> np.ndarray:
    return audio.mean(axis=1) if audio.ndim == 2 else audio


def loudness(audio: np.ndarray, sr: int) -> float:
    return float(pyloudnorm.Meter(sr).integrated_loudness(audio.astype(np.float64)))


def true_peak_db(audio: np.ndarray, oversample: int = 8) -> float:
    up = resample_poly(audio.astype(np.float64), oversample, 1, axis=0)
    return float(20 * np.log10(max(np.abs(up).max(), 1e-12)))


def clicks(audio: np.ndarray, sr: int, ratio: float = 3.0, floor: float = 0.05) -> list[float]:
    """Times of one-sample discontinuities: a sample-to-sample step at least ``ratio`` times
    larger than every step in the 10 ms on either side (a drum hit or a bright synth makes
    a run of large steps; a click, a cut-off or a bad splice makes a lone one)."""
    x = mono(audio).astype(np.float64)
    d1 = np.abs(np.diff(x))
    n, w = len(d1), max(3, int(0.01 * sr))
    m = maximum_filter1d(d1, w)
    idx = np.arange(n)
    lo, hi = idx - 3 - (w - 1) // 2, idx + 3 + w // 2
    left = np.where(lo >= 0, m[np.clip(lo, 0, n - 1)], 0.0)
    right = np.where(hi < n, m[np.clip(hi, 0, n - 1)], 0.0)
    found = np.flatnonzero((d1 >= floor) & (d1 > ratio * np.maximum(left, right)))
    return [float(i / sr) for i in found]


def longest_silence_s(
    audio: np.ndarray, sr: int, threshold_db: float = -60.0, frame_s: float = 0.05
) -> float:
    """Longest run of frames below ``threshold_db`` between the first and last sound."""
    x = mono(audio)
    hop = int(frame_s * sr)
    frames = x[: len(x) // hop * hop].reshape(-1, hop)
    db = 20 * np.log10(np.sqrt((frames**2).mean(axis=1)) + 1e-12)
    loud = np.flatnonzero(db > threshold_db)
    if loud.size == 0:
        return len(x) / sr
    inner = db[loud[0] : loud[-1] + 1] <= threshold_db
    best = run = 0
    for s in inner:
        run = run + 1 if s else 0
        best = max(best, run)
    return best * frame_s


def rms_db(audio: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(mono(audio).astype(np.float64) ** 2)) + 1e-12))


def estimate_key(audio: np.ndarray, sr: int) -> tuple[str, str]:
    """Krumhansl–Schmuckler key estimate over a chroma (CQT) profile of the whole track."""
    import librosa

    y = librosa.resample(mono(audio).astype(np.float32), orig_sr=sr, target_sr=22050)
    chroma = librosa.feature.chroma_cqt(y=y, sr=22050).sum(axis=1)
    best = (-2.0, "C", "major")
    for tonic in range(12):
        for mode, profile in (("major", KS_MAJOR), ("minor", KS_MINOR)):
            r = float(np.corrcoef(chroma, np.roll(profile, tonic))[0, 1])
            if r > best[0]:
                best = (r, NAMES[tonic], mode)
    return best[1], best[2]


def tempo_bpm(audio: np.ndarray, sr: int) -> float:
    import librosa

    y = librosa.resample(mono(audio).astype(np.float32), orig_sr=sr, target_sr=22050)
    tempo, _ = librosa.beat.beat_track(y=y, sr=22050)
    return float(np.atleast_1d(tempo)[0])


def onset_times(audio: np.ndarray, sr: int) -> np.ndarray:
    import librosa

    y = librosa.resample(mono(audio).astype(np.float32), orig_sr=sr, target_sr=22050)
    return librosa.onset.onset_detect(y=y, sr=22050, units="time", hop_length=256)


def decode_file(path) -> tuple[np.ndarray, int]:
    """Any audio file as float32 (samples, channels), decoded by PyAV (not the engine)."""
    import av

    chunks = []
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout=stream.layout, rate=stream.rate)
        for frame in c.decode(stream):
            chunks += [f.to_ndarray() for f in resampler.resample(frame)]
        chunks += [f.to_ndarray() for f in resampler.resample(None)]
        rate = stream.rate
    return np.concatenate(chunks, axis=1).T.astype(np.float32), rate


def onset_envelope(audio: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """(times, librosa onset strength) at hop 256 on a 22.05 kHz mono copy."""
    import librosa

    y = librosa.resample(mono(audio).astype(np.float32), orig_sr=sr, target_sr=22050)
    env = librosa.onset.onset_strength(y=y, sr=22050, hop_length=256)
    return librosa.frames_to_time(np.arange(env.size), sr=22050, hop_length=256), env


def accent_ratio(times: np.ndarray, env: np.ndarray, cut: float) -> float:
    """How a listener hears a cut: the largest onset strength within ±60 ms of it over the
    largest elsewhere within ±0.5 s (≥ 1.0: the cut is the accent around it)."""
    d = np.abs(times - cut)
    near = env[d <= 0.06]
    around = env[(d > 0.06) & (d <= 0.5)]
    return float(near.max() / max(around.max(), 1e-9)) if near.size else 0.0


def onset_rate(audio: np.ndarray, sr: int, start_s: float, end_s: float) -> float:
    """Onsets per second between two times (librosa's detector)."""
    t = onset_times(audio, sr)
    return float(((t >= start_s) & (t < end_s)).sum() / max(end_s - start_s, 1e-9))
