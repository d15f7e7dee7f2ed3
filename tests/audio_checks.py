"""Independent measurements for tests: none of these reuse the engine's own code."""

from __future__ import annotations

import numpy as np
import pyloudnorm
from scipy.ndimage import uniform_filter1d
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


def clicks(audio: np.ndarray, sr: int, ratio: float = 15.0, floor: float = 0.02) -> list[float]:
    """Times of isolated one-sample discontinuities: a second difference far above its
    surroundings (a drum hit is a burst of large differences, a click is a lone spike)."""
    x = mono(audio).astype(np.float64)
    d2 = np.abs(np.diff(x, 2))
    win = max(3, int(0.02 * sr))
    local = np.sqrt(uniform_filter1d(d2**2, win) + 1e-18)
    idx = np.flatnonzero((d2 > ratio * local) & (d2 > floor))
    return [float(i / sr) for i in idx]


def longest_silence_s(audio: np.ndarray, sr: int, threshold_db: float = -60.0,
                      frame_s: float = 0.05) -> float:
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
