"""nemodesk.engine.music.dsp against scipy itself (a dev dependency only): sosfilt with and
without state, the running window filters with every origin and the edge modes the engine
uses, the Kaiser FIR; and no engine or client module imports scipy at run time."""

import math
import subprocess
import sys

import numpy as np
import pytest
from pyloudnorm.iirfilter import IIRfilter
from scipy import ndimage, signal

from nemodesk.engine.music import dsp
from nemodesk.engine.music.master import _k_sos
from nemodesk.engine.music.production import _sos

SR = 44100


def _designs() -> list[np.ndarray]:
    """The engine's own filters (float32 rows, as it passes them) and scipy designs."""
    return [
        _k_sos(SR),
        _k_sos(48000),
        _sos((("hp", 150.0),), SR),
        _sos((("hp", 30.0), ("lp", 7000.0)), SR),
        _sos((("hp", 40.0), ("shelf", 200.0, 0.7, -3.0), ("lp", 9000.0)), 48000),
        signal.butter(6, 0.2, output="sos"),
        signal.butter(4, [0.01, 0.3], btype="bandpass", output="sos"),
        signal.cheby1(5, 1.0, 0.05, output="sos"),  # a pole close to the unit circle
    ]


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


@pytest.mark.parametrize("i", range(8))
@pytest.mark.parametrize("n", [1, 15, 16, 17, 333, 4096, 100_003])
def test_sosfilt_matches_scipy_float64(i: int, n: int) -> None:
    sos = _designs()[i].astype(np.float64)
    rng = np.random.default_rng(n + i)
    x = rng.standard_normal((n, 2))
    zi = rng.standard_normal((sos.shape[0], 2, 2))
    got = dsp.sosfilt(sos, x, axis=0)
    want = signal.sosfilt(sos, x, axis=0)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert _rel(got, want) < 1e-9
    got, zf = dsp.sosfilt(sos, x, axis=0, zi=zi)
    want, wzf = signal.sosfilt(sos, x, axis=0, zi=zi)
    assert zf.shape == wzf.shape
    assert _rel(got, want) < 1e-9
    assert _rel(zf, wzf) < 1e-9


def test_sosfilt_of_nothing_keeps_the_state() -> None:
    """(scipy itself refuses an empty input.)"""
    zi = np.ones((2, 2, 3))
    y, zf = dsp.sosfilt(_k_sos(SR), np.zeros((0, 3), np.float32), axis=0, zi=zi)
    assert y.shape == (0, 3) and np.array_equal(zf, zi)


@pytest.mark.parametrize(
    ("shape", "axis"),
    [((5000,), 0), ((3, 5000), -1), ((3, 5000), 1), ((5000, 3, 2), 0), ((2, 5000, 7), 1)],
)
def test_sosfilt_any_axis_and_layout(shape: tuple, axis: int) -> None:
    """Channels before the axis, after it (interleaved, and more than the interleaved path
    takes: 7 goes one channel at a time), with state."""
    sos = _designs()[4].astype(np.float64)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    zshape = list(shape)
    zshape[axis] = 2
    zi = rng.standard_normal((sos.shape[0], *zshape))
    got, zf = dsp.sosfilt(sos, x, axis=axis, zi=zi)
    want, wzf = signal.sosfilt(sos, x, axis=axis, zi=zi)
    assert _rel(got, want) < 1e-9 and _rel(zf, wzf) < 1e-9
    # a non-contiguous input (a view) gives the same
    xt = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, axis, 0)), 0, axis)
    assert np.array_equal(dsp.sosfilt(sos, xt, axis=axis), dsp.sosfilt(sos, x, axis=axis))


@pytest.mark.parametrize("i", range(5))
def test_sosfilt_state_carries_across_segments(i: int) -> None:
    """Filtering in pieces, each starting from the state the last left, is filtering the
    whole: how master's K-weighting runs (segments of 2**18 samples, any last length)."""
    sos = _designs()[i]
    rng = np.random.default_rng(i)
    x = rng.standard_normal((50_000, 2)).astype(np.float32)
    whole = dsp.sosfilt(sos.astype(np.float64), x.astype(np.float64), axis=0)
    zi = np.zeros((sos.shape[0], 2, 2), dtype=np.float32)
    parts = []
    for a, b in [(0, 7), (7, 4096), (4096, 4099), (4099, 31_000), (31_000, 50_000)]:
        y, zi = dsp.sosfilt(sos, x[a:b], axis=0, zi=zi)
        assert y.dtype == np.float32 and zi.dtype == np.float32
        parts.append(y)
    assert _rel(np.concatenate(parts), whole) < 1e-5
    ref = signal.sosfilt(sos.astype(np.float64), x.astype(np.float64), axis=0)
    assert _rel(whole, ref) < 1e-9


@pytest.mark.parametrize("i", range(5))
def test_sosfilt_float32_is_at_least_as_exact_as_scipys(i: int) -> None:
    """float32 in, float32 out (as scipy). Measured against float64: dsp is within ~2e-6 of
    the peak; scipy's own float32 filter is 1e-5..1e-4 off (its recursion runs in float32)."""
    sos = _designs()[i]
    rng = np.random.default_rng(10 + i)
    x = rng.standard_normal((SR * 5, 2)) * np.linspace(0.01, 1.0, SR * 5)[:, None]
    x = x.astype(np.float32)
    truth = signal.sosfilt(sos.astype(np.float64), x.astype(np.float64), axis=0)
    got = dsp.sosfilt(sos, x, axis=0)
    theirs = signal.sosfilt(sos, x, axis=0)
    assert got.dtype == theirs.dtype == np.float32
    assert _rel(got, truth) < 1e-5
    assert _rel(got, truth) <= _rel(theirs, truth)


def test_sosfilt_real_music_through_k_weighting() -> None:
    """A rendered track through the K-weighting as master runs it: float32 with state."""
    from nemodesk.engine.brief import parse_brief
    from nemodesk.engine.music.generate import MusicEngine

    engine = MusicEngine()
    _, _, r = engine.render(parse_brief("lofi hip hop beat", duration_s=12), 3)
    x = np.ascontiguousarray(r.unmastered[:, 0], dtype=np.float32)
    sos = _k_sos(engine.sample_rate)
    zi = np.zeros((2, 2), dtype=np.float32)
    got, zf = dsp.sosfilt(sos, x, zi=zi)
    truth, tzf = signal.sosfilt(sos.astype(np.float64), x.astype(np.float64), zi=zi)
    assert _rel(got, truth) < 1e-5 and _rel(zf, tzf) < 1e-4
    assert abs(np.mean(got.astype(np.float64) ** 2) / np.mean(truth**2) - 1) < 1e-5


def test_loudness_biquad_is_pyloudnorms() -> None:
    for sr in (22050, 44100, 48000, 96000):
        for args in [(4.0, 1 / math.sqrt(2), 1500.0, "high_shelf"), (0.0, 0.5, 38.0, "high_pass")]:
            g, q, fc, kind = args
            f = IIRfilter(g, q, fc, sr, kind)
            assert np.array_equal(dsp.loudness_biquad(kind, g, q, fc, sr), np.r_[f.b, f.a])


# ---------------------------------------------------------------- window filters

_MODES = ["nearest", "wrap", "constant", "reflect", "mirror"]


def _origins(size: int) -> range:
    return range(-(size // 2), (size - 1) // 2 + 1)


@pytest.mark.parametrize("mode", _MODES)
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6, 9, 11])
def test_max_min_filters_match_scipy(mode: str, size: int) -> None:
    rng = np.random.default_rng(size)
    for n in (1, 2, 5, size, 13, 200):
        if mode in ("reflect", "mirror") and n < size:
            continue  # reflections of reflections: not used, not promised
        x = rng.standard_normal(n)
        for origin in _origins(size):
            kw = {"mode": mode, "origin": origin}
            if mode == "constant":
                kw["cval"] = 0.25
            assert np.array_equal(
                dsp.maximum_filter1d(x, size, **kw), ndimage.maximum_filter1d(x, size, **kw)
            )
            assert np.array_equal(
                dsp.minimum_filter1d(x, size, **kw), ndimage.minimum_filter1d(x, size, **kw)
            )


@pytest.mark.parametrize("mode", _MODES)
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 11, 40])
def test_uniform_filter_matches_scipy(mode: str, size: int) -> None:
    rng = np.random.default_rng(100 + size)
    for n in (1, 3, size, 50, 5000):
        if mode in ("reflect", "mirror") and n < size:
            continue
        x = rng.standard_normal(n) * 10
        for origin in _origins(size):
            got = dsp.uniform_filter1d(x, size, mode=mode, origin=origin)
            want = ndimage.uniform_filter1d(x, size, mode=mode, origin=origin)
            assert got.dtype == want.dtype
            assert np.abs(got - want).max() < 1e-12 * max(1.0, np.abs(want).max())
        x32 = x.astype(np.float32)
        got = dsp.uniform_filter1d(x32, size, mode=mode)
        want = ndimage.uniform_filter1d(x32, size, mode=mode)
        assert got.dtype == np.float32
        assert np.abs(got - want).max() <= 1e-6 * max(1.0, np.abs(want).max())


def test_window_filters_along_an_axis() -> None:
    x = np.random.default_rng(5).standard_normal((6, 40, 3))
    for axis in (0, 1, 2, -1):
        for f, g in [
            (dsp.maximum_filter1d, ndimage.maximum_filter1d),
            (dsp.minimum_filter1d, ndimage.minimum_filter1d),
            (dsp.uniform_filter1d, ndimage.uniform_filter1d),
        ]:
            got = f(x, 4, axis=axis, mode="wrap", origin=-1)
            want = g(x, 4, axis=axis, mode="wrap", origin=-1)
            assert np.allclose(got, want, rtol=0, atol=1e-12)


def test_window_filters_as_master_calls_them() -> None:
    """The exact calls in master.py and audiomix.py, on block-level arrays of a 90 s track."""
    rng = np.random.default_rng(7)
    need = np.maximum(0.0, rng.standard_normal(62_000) * 3)
    for a in (1, 3, 4):
        for mode in ("wrap", "nearest"):
            kw = {"origin": -((a + 1) // 2), "mode": mode}
            assert np.array_equal(
                dsp.maximum_filter1d(need, a + 1, **kw), ndimage.maximum_filter1d(need, a + 1, **kw)
            )
            got = dsp.uniform_filter1d(need, a + 1, origin=a // 2, mode=mode)
            want = ndimage.uniform_filter1d(need, a + 1, origin=a // 2, mode=mode)
            assert np.abs(got - want).max() < 1e-12
    peak = np.abs(rng.standard_normal(62_000)).astype(np.float32)
    assert np.array_equal(
        dsp.maximum_filter1d(peak, 5, mode="wrap"), ndimage.maximum_filter1d(peak, 5, mode="wrap")
    )
    assert np.array_equal(
        dsp.maximum_filter1d(peak, 3, mode="constant"),
        ndimage.maximum_filter1d(peak, 3, mode="constant"),
    )
    spread = rng.uniform(0.2, 1.0, 20_000)
    got = dsp.uniform_filter1d(spread, 11, mode="nearest")
    assert np.abs(got - ndimage.uniform_filter1d(spread, 11, mode="nearest")).max() < 1e-14


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        dsp.maximum_filter1d(np.zeros(5), 3, origin=2)
    with pytest.raises(ValueError):
        dsp.maximum_filter1d(np.zeros(5), 3, mode="bogus")
    with pytest.raises(ValueError):
        dsp.sosfilt(np.zeros((2, 5)), np.zeros(5))
    with pytest.raises(ValueError):
        dsp.sosfilt(_k_sos(SR), np.zeros(5), zi=np.zeros((2, 3)))


# ---------------------------------------------------------------- FIR design


@pytest.mark.parametrize("numtaps", [5, 21, 41, 81])
@pytest.mark.parametrize("cutoff", [0.1, 0.25, 0.5, 0.9])
@pytest.mark.parametrize("beta", [0.0, 5.0, 8.6])
def test_firwin_kaiser_matches_scipy(numtaps: int, cutoff: float, beta: float) -> None:
    got = dsp.firwin_kaiser(numtaps, cutoff, beta)
    want = signal.firwin(numtaps, cutoff, window=("kaiser", beta))
    assert np.abs(got - want).max() < 1e-14


# ---------------------------------------------------------------- no scipy at run time

_IMPORT_ALL = """
import importlib, pkgutil, sys
import nemodesk.engine, nemodesk.client
names = []
for pkg in (nemodesk.engine, nemodesk.client):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if info.name.rsplit(".", 1)[-1] != "__main__":
            importlib.import_module(info.name)
            names.append(info.name)
bad = sorted(m for m in sys.modules if m == "scipy" or m.startswith("scipy."))
print(len(names), "modules;", "scipy" in sys.modules, bad[:5])
sys.exit(1 if bad else 0)
"""


def test_no_engine_or_client_module_imports_scipy() -> None:
    """scipy (~73 MB in the bundle) is for tests and benchmarks only: importing every engine
    and client module in a fresh interpreter must not load it."""
    run = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert int(run.stdout.split()[0]) > 20
