"""Mastering: loudness on target, true peak under the ceiling, checked by independent meters."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from nemodesk.engine.music.master import (
    FLOOR_LUFS,
    MAX_GAIN_DB,
    master,
    measure_loudness,
    true_peak_db,
)

SR = 44100


def tp8_db(audio: np.ndarray) -> float:
    """Independent true peak: 8x oversampling of the whole signal."""
    up = resample_poly(np.asarray(audio, np.float64), 8, 1, axis=0)
    return float(20 * np.log10(max(np.abs(up).max(), 1e-12)))


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0] = f[1]
    spec = np.fft.rfft(rng.standard_normal((n, 2)), axis=0) / np.sqrt(f)[:, None]
    x = np.fft.irfft(spec, n, axis=0)
    return x / x.std()


def drums_on_pink(seconds: float = 12.0, seed: int = 0) -> np.ndarray:
    """Music-like: pink bed, a pitched kick every half second with a noisy click on top,
    and bright hat bursts in between (strong transients, energy up to Nyquist)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    x = 0.05 * pink(n, rng)
    t = np.arange(int(0.12 * SR))
    kick = np.sin(2 * np.pi * np.cumsum(50 + 150 * np.exp(-t / 800)) / SR) * np.exp(-t / 3000)
    hat = np.exp(-np.arange(2000) / 250)[:, None]
    for s in range(0, n - len(t), SR // 2):
        x[s : s + len(t)] += 0.8 * kick[:, None]
        x[s : s + 40] += 0.6 * rng.standard_normal((40, 2))
        h = s + SR // 4
        x[h : h + 2000] += 0.3 * hat * rng.standard_normal((2000, 2))
    return x.astype(np.float32)


def noise_and_clicks(seconds: float = 10.0, seed: int = 1) -> np.ndarray:
    """Pink noise with drum-like bursts: a 5 ms noise crack plus a decaying thump."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    x = 0.08 * pink(n, rng)
    burst = np.exp(-np.arange(4000) / 600)[:, None]
    for s in rng.integers(0, n - 4000, 25):
        x[s : s + 4000] += burst * (0.7 * rng.standard_normal((4000, 2)) + 0.5)
    return x.astype(np.float32)


def test_loudness_matches_pyloudnorm():
    x = drums_on_pink(6.0)
    ref = pyloudnorm.Meter(SR).integrated_loudness(x.astype(np.float64))
    assert measure_loudness(x, SR) == pytest.approx(ref, abs=0.01)
    short = x[: int(0.25 * SR)]  # under one 400 ms gating block: still a number
    assert np.isfinite(measure_loudness(short, SR))
    assert measure_loudness(np.zeros((SR, 2), np.float32), SR) == FLOOR_LUFS


def test_true_peak_sees_between_samples():
    t = np.arange(SR)
    # a quarter-rate sine at 45 degrees: every sample is 3 dB below the waveform's peak
    # (faded in and out, so the edges don't ring)
    x = np.sin(2 * np.pi * t / 4 + np.pi / 4) * 0.5 * np.minimum(1, np.minimum(t, SR - t) / 2000)
    x = np.stack([x, 0.5 * x], axis=1).astype(np.float32)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-9.03, abs=0.05)
    assert true_peak_db(x, SR) == pytest.approx(-6.02, abs=0.05)
    y = drums_on_pink(3.0)
    ref = 20 * np.log10(np.abs(resample_poly(y, 4, 1, axis=0)).max())
    assert true_peak_db(y, SR) == pytest.approx(ref, abs=0.01)


@pytest.mark.parametrize("target", [-14.0, -16.0, -23.0])
@pytest.mark.parametrize("make", [drums_on_pink, noise_and_clicks])
def test_master_hits_target_under_ceiling(make, target):
    x = make()
    r = master(x, SR, target_lufs=target)
    y = r.audio
    assert y.shape == x.shape and y.dtype == np.float32
    meter = pyloudnorm.Meter(SR).integrated_loudness(y.astype(np.float64))
    assert abs(meter - target) <= 0.5
    assert r.loudness_lufs == pytest.approx(measure_loudness(y, SR), abs=1e-6)
    assert true_peak_db(y, SR) <= -1.0
    assert tp8_db(y) <= -1.0
    assert r.true_peak_db == pytest.approx(true_peak_db(y, SR), abs=1e-3)
    assert np.abs(y).max() < 1.0
    assert np.isfinite([r.gain_db, r.loudness_lufs, r.true_peak_db]).all()


def test_other_ceiling():
    r = master(noise_and_clicks(), SR, target_lufs=-18.0, ceiling_dbtp=-3.0)
    assert tp8_db(r.audio) <= -3.0
    assert abs(measure_loudness(r.audio, SR) + 18.0) <= 0.5


def test_silence_stays_silence():
    r = master(np.zeros((SR, 2), np.float32), SR)
    assert not r.audio.any()
    assert r.loudness_lufs == FLOOR_LUFS
    assert np.isfinite([r.gain_db, r.loudness_lufs, r.true_peak_db]).all()


def test_near_silence_is_not_blown_up():
    x = (np.random.default_rng(2).standard_normal((2 * SR, 2)) * 1e-6).astype(np.float32)
    r = master(x, SR)
    assert r.gain_db <= MAX_GAIN_DB
    assert np.abs(r.audio).max() < 1e-3
    assert np.isfinite([r.gain_db, r.loudness_lufs, r.true_peak_db]).all()


def test_limiter_leaves_quiet_peaks_alone():
    """A sine whose peak stays under the ceiling after gain comes out only scaled."""
    t = np.arange(5 * SR) / SR
    x = np.stack([np.sin(2 * np.pi * 1000 * t)] * 2, axis=1).astype(np.float32) * 0.05
    r = master(x, SR, target_lufs=-20.0)
    assert np.abs(r.audio - x * np.float32(10 ** (r.gain_db / 20))).max() <= 1e-6
    assert abs(r.loudness_lufs + 20.0) <= 0.1


def test_mono_and_odd_lengths():
    rng = np.random.default_rng(3)
    for n in (1, 50, 1000, SR // 3):
        x = (0.3 * rng.standard_normal(n)).astype(np.float32)
        r = master(x, SR)
        assert r.audio.shape == (n,)
        assert np.isfinite(r.audio).all() and np.abs(r.audio).max() < 1.0


def test_non_finite_samples_are_dropped():
    x = drums_on_pink(2.0)
    x[1000, 0], x[2000, 1] = np.nan, np.inf
    r = master(x, SR)
    assert np.isfinite(r.audio).all() and tp8_db(r.audio) <= -1.0


def test_loop_has_no_seam():
    """A hit just before the wrap: the gain it pulls down must still be down at the start."""
    rng = np.random.default_rng(4)
    n = 4 * SR
    t = np.arange(n) / SR
    bed = 0.2 * np.sin(2 * np.pi * 110 * t) + 0.01 * rng.standard_normal(n)  # 440 cycles
    x = np.stack([bed, bed], axis=1)
    x[-1500:-500] *= 8.0
    x = x.astype(np.float32)
    y = master(x, SR, loop=True).audio
    steps = np.abs(np.diff(y, axis=0)).max()
    assert np.abs(y[0] - y[-1]).max() <= steps
    gain = y[:, 0] / x[:, 0]
    ok = np.abs(x[:, 0]) > 0.05
    inner = np.abs(np.diff(gain[ok])).max()
    assert abs(gain[ok][0] - gain[ok][-1]) <= inner + 1e-6
    plain = master(x, SR, loop=False).audio
    assert abs(plain[0, 0] / x[0, 0] - plain[-1, 0] / x[-1, 0]) > 0.05  # without loop: a seam
