"""Loudness mastering: gain to a BS.1770 loudness target under a true-peak ceiling.

K-weighting uses pyloudnorm's filters (dsp.py), but its gating loop and a full 4x oversampling
are too slow to run several times over a 10-minute track. So gating works on segment sums,
and true peaks are found per 64-sample block with one matrix product (a block-Toeplitz form
of resample_poly's own 4x interpolation filter), only on blocks that an upper bound says
could matter. The limiter works on those blocks too: its gain curve is a few arrays of
~1.5 ms steps, interpolated linearly to samples once, when the output is rendered.
"""

from __future__ import annotations

import contextlib
import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from nemodesk.engine.music import dsp, threads

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover - only a speed-up
    ThreadpoolController = None

FLOOR_LUFS = -70.0  # BS.1770 absolute gate: anything quieter reads as this
FLOOR_DBTP = -120.0  # what silence reports instead of -inf
MAX_GAIN_DB = 40.0  # a near-silent input is not blown up into noise

_B = 64  # analysis / limiter block, ~1.5 ms at 44.1 kHz
_UP = 4  # oversampling for true peak (BS.1770-4 Annex 2)
_HALF = 10 * _UP  # resample_poly's default filter half-length
_CTX = _HALF // _UP  # input samples each interpolated value depends on, per side
_WIDTH = _B + 2 * _CTX
_CHUNK = 4096  # blocks per matrix product
_SEG = 1 << 18  # samples per K-weighting segment (each channel on a thread)
_AIM_MARGIN_DB = 0.2  # the output's true peak ends at or below ceiling - 0.2 dB
_THR_MARGIN_DB = 0.3  # the limiter aims a little lower, so few blocks need fixing
_UNDER_READ = 10 ** (-0.7 / 20)  # how far 4x can read below the peak between its points
_ATTACK_S = 0.005  # look-ahead: the gain ramps down over this before a peak
_RELEASE_S = 0.08  # exponential release time constant
_CH_WEIGHTS = (1.0, 1.0, 1.0, 1.41, 1.41)  # BS.1770 channel weights (L, R, C, Ls, Rs)

# Loudness target per delivery: streaming and social sites normalise to about -14 LUFS,
# podcasts to -16, broadcast to -23 (EBU R128) / -24 (ATSC A/85).
LOUDNESS_BY_USE = {
    "web": -14.0,
    "streaming": -14.0,
    "social": -14.0,
    "podcast": -16.0,
    "broadcast": -23.0,
    "tv": -23.0,
    "atsc": -24.0,
}
DEFAULT_LOUDNESS_LUFS = LOUDNESS_BY_USE["web"]


def loudness_for(use: str | None) -> float:
    """The loudness target (LUFS) for a delivery; a brief's use ("travel vlog", "podcast",
    ...) that names none of them is a web video: -14 LUFS."""
    words = (use or "").lower().split()
    for name, lufs in LOUDNESS_BY_USE.items():
        if name in words:
            return lufs
    return DEFAULT_LOUDNESS_LUFS


@dataclass(frozen=True)
class MasterResult:
    audio: np.ndarray
    gain_db: float  # the static make-up gain, before limiting
    loudness_lufs: float
    true_peak_db: float


def _as_2d(audio: np.ndarray, check: bool = True) -> np.ndarray:
    x = np.ascontiguousarray(audio, dtype=np.float32)
    x = x[:, None] if x.ndim == 1 else x
    if check and x.size and not (math.isfinite(x.max()) and math.isfinite(x.min())):
        x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    return x


@functools.cache
def _blas():
    """threadpoolctl's view of the loaded BLAS, found once (finding it costs ~4 ms)."""
    return ThreadpoolController() if ThreadpoolController else None


def _one_blas_thread():
    blas = _blas()
    return blas.limit(limits=1, user_api="blas") if blas else contextlib.nullcontext()


@functools.cache
def _k_sos(sr: int) -> np.ndarray:
    stages = (
        dsp.loudness_biquad("high_shelf", 4.0, 1 / math.sqrt(2), 1500.0, sr),  # as pyloudnorm
        dsp.loudness_biquad("high_pass", 0.0, 0.5, 38.0, sr),
    )
    return np.array([s / s[3] for s in stages], dtype=np.float32)


def _k_pass(x: np.ndarray, sr: int, gain: np.ndarray | None = None):
    """One pass of BS.1770 K-weighting: (integrated loudness, K-power per B-block, x * gain).

    Runs in cache-sized segments and keeps only running sums (a per-sample power array of a
    10-minute track would cost more in memory traffic than the filter itself). With gain,
    renders x * gain on the way; else the third item is None.
    """
    sos = _k_sos(sr)
    n, ch = x.shape
    pool = threads.pool()
    zi = np.zeros((sos.shape[0], 2, ch), dtype=np.float32)
    w = np.asarray(_CH_WEIGHTS[:ch], dtype=np.float32)
    lo, hi, size = _gate_bounds(n, sr)
    marks = np.unique(np.r_[lo, hi])  # where the running energy total is needed
    at = np.empty(marks.size)
    eb = np.empty(-(-n // _B))
    y = None if gain is None else np.empty_like(x)
    total = 0.0
    for s in range(0, n, _SEG):
        seg = x[s : s + _SEG]
        if y is not None:
            seg = np.multiply(seg, gain[s : s + _SEG, None], out=y[s : s + _SEG])
        # each channel filtered and squared on its own thread (dsp.sosfilt frees the GIL)
        jobs = [pool.submit(_k_power, sos, seg[:, c], zi[:, :, c], w[c]) for c in range(ch)]
        parts = [job.result() for job in jobs]
        zi = np.stack([z for _, z in parts], axis=-1)
        p = parts[0][0]
        for q, _ in parts[1:]:
            p += q
        full = len(p) // _B
        bs = p[: full * _B].reshape(full, _B).sum(axis=1)
        if full * _B < len(p):
            bs = np.r_[bs, p[full * _B :].sum()]
        eb[s // _B : s // _B + bs.size] = bs
        cum = np.r_[0.0, np.cumsum(bs, dtype=np.float64)] + total
        i, j = np.searchsorted(marks, [s, s + len(p)])
        r = marks[i:j] - s  # running total at each mark: whole blocks, then the part of one
        q = r // _B
        part = np.where(
            np.arange(_B) < (r - q * _B)[:, None],
            p[np.minimum(q[:, None] * _B + np.arange(_B), len(p) - 1)],
            0,
        )
        at[i:j] = cum[q] + part.sum(axis=1)
        total = cum[-1]
    at[marks >= n] = total
    z = (at[np.searchsorted(marks, hi)] - at[np.searchsorted(marks, lo)]) / size
    return _gated(z), eb, y


def _k_power(sos: np.ndarray, col: np.ndarray, zi: np.ndarray, weight: float):
    """One channel's weighted K-filtered power, and the filter state after it."""
    k, z = dsp.sosfilt(sos, col, zi=zi)
    np.square(k, out=k)
    if weight != 1.0:
        k *= np.float32(weight)
    return k, z


def _gate_bounds(n: int, sr: int) -> tuple[np.ndarray, np.ndarray, int]:
    """400 ms blocks every 100 ms, with exactly pyloudnorm's (float-truncated) boundaries."""
    t_g, step = 0.4, 0.25
    count = int(np.round((n / sr - t_g) / (t_g * step))) + 1
    if count < 1:
        return np.array([0]), np.array([n]), max(n, 1)
    j = np.arange(count, dtype=np.float64)
    lo = (t_g * (j * step) * sr).astype(np.int64)
    hi = (t_g * (j * step + 1) * sr).astype(np.int64)
    return np.minimum(lo, n), np.minimum(hi, n), int(t_g * sr)


def _gated(z: np.ndarray) -> float:
    """Absolute (-70) then relative (-10 LU) gating of block powers, BS.1770-4 eq. 5-7."""
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10 * np.log10(z)
    keep = lk >= FLOOR_LUFS
    if not keep.any():
        return FLOOR_LUFS
    rel = -0.691 + 10 * math.log10(z[keep].mean()) - 10.0
    keep &= lk > rel
    return max(FLOOR_LUFS, -0.691 + 10 * math.log10(z[keep].mean()))


def _loudness_of_blocks(eb: np.ndarray, n: int, sr: int) -> float:
    """Gated loudness from K-power per B-block, the gating edges interpolated within blocks."""
    lo, hi, size = _gate_bounds(n, sr)
    cum = np.r_[0.0, np.cumsum(eb)]
    grid = np.minimum(np.arange(cum.size) * _B, n)
    return _gated((np.interp(hi, grid, cum) - np.interp(lo, grid, cum)) / size)


def measure_loudness(audio: np.ndarray, sr: int) -> float:
    """Integrated loudness in LUFS (as pyloudnorm measures it); FLOOR_LUFS for silence."""
    x = _as_2d(audio)
    return _k_pass(x, sr)[0] if len(x) else FLOOR_LUFS


@functools.cache
def _tp_matrix() -> tuple[np.ndarray, float]:
    """Maps B + 2*CTX input samples to the 3*B in-between points of 4x oversampling, with
    resample_poly's default filter (its phase 0 is the samples themselves, to 0.006 dB),
    and that filter's worst gain over a window: the bound that lets blocks be skipped."""
    h = dsp.firwin_kaiser(2 * _HALF + 1, 1.0 / _UP, 5.0) * _UP
    i = np.arange(_WIDTH)[:, None]
    m = np.array([o for o in range(_UP * _B) if o % _UP])[None, :]
    k = m + _UP * _CTX - _UP * i + _HALF
    t = np.where((k >= 0) & (k < h.size), h[np.clip(k, 0, h.size - 1)], 0.0)
    return t.astype(np.float32), max(float(np.abs(h[p::_UP]).sum()) for p in range(_UP))


def _window_peaks(v: np.ndarray, refine_above: float = math.inf) -> np.ndarray:
    """Peak of each (rows, WIDTH) window's centre B samples and the 4x points between them.

    Rows above refine_above also get the vertex of the parabola through each local maximum
    of the 4x points: 4x alone can under-read content near Nyquist by up to ~0.7 dB.
    """
    y = v @ _tp_matrix()[0]
    core = v[:, _CTX : _CTX + _B]
    pk = np.maximum.reduce([y.max(axis=1), -y.min(axis=1), np.abs(core).max(axis=1)])
    sel = np.flatnonzero(pk > refine_above)
    if sel.size:
        full = np.empty((sel.size, _UP * _B), dtype=np.float32)
        full[:, 0::_UP] = core[sel]
        full[:, np.arange(_UP * _B) % _UP != 0] = y[sel]
        a = np.abs(full)
        lo, mid, hi = a[:, :-2], a[:, 1:-1], a[:, 2:]
        c = 2 * mid - lo - hi
        top = (mid >= lo) & (mid >= hi) & (c > 0)
        est = np.where(top, mid + (hi - lo) ** 2 / (8 * np.where(top, c, 1)), mid)
        pk[sel] = np.maximum(pk[sel], est.max(axis=1))
    return pk


class _Signal:
    """Audio cut into B-sample blocks: block peaks, bounds, and exact true peaks on demand."""

    def __init__(self, x: np.ndarray, loop: bool):
        self.x, self.loop = x, loop
        self.n, self.ch = x.shape
        self.nb = -(-self.n // _B)
        full = self.n // _B
        body = x[: full * _B].reshape(full, _B * self.ch)
        peak = np.maximum(body.max(axis=1, initial=0.0), -body.min(axis=1, initial=0.0))
        if full < self.nb:  # a short last block; a loop's runs on into the start
            tail = np.arange(full * _B, self.nb * _B if loop else self.n) % self.n
            peak = np.r_[peak, np.abs(x[tail]).max()]
        self.peak = peak
        # a loop's short last block interpolates from up to two blocks on
        nbr = dsp.maximum_filter1d(peak, 5 if loop else 3, mode="wrap" if loop else "constant")
        self.bound = nbr * max(1.0, _tp_matrix()[1])  # no in-between point can exceed this
        self.tp = np.full(self.nb, np.nan, dtype=np.float32)  # exact 4x block peaks, lazily

    def windows(self, idx: np.ndarray) -> np.ndarray:
        """(k, channels, WIDTH) copies of the samples each block's true peak depends on."""
        start = idx * _B - _CTX
        out = np.empty((idx.size, self.ch, _WIDTH), dtype=np.float32)
        inner = (start >= 0) & (start + _WIDTH <= self.n)
        if inner.any():
            s0, s1 = self.x.strides
            every = as_strided(self.x, (self.n - _WIDTH + 1, self.ch, _WIDTH), (s0, s1, s0))
            out[inner] = every[start[inner]]
        if not inner.all():  # the first and last blocks: zeros or the other end beyond
            p = start[~inner, None] + np.arange(_WIDTH)
            if self.loop:
                w = self.x[p % self.n]
            else:
                w = self.x[np.clip(p, 0, self.n - 1)] * ((p >= 0) & (p < self.n))[..., None]
            out[~inner] = w.transpose(0, 2, 1)
        return out

    def peaks(self, idx: np.ndarray, gains=None, refine_above: float = math.inf) -> np.ndarray:
        """True peak of blocks idx, optionally of the signal times per-sample gains(idx)."""
        out = np.empty(idx.size, dtype=np.float32)
        # one BLAS thread: for products this small, OpenBLAS's thread hand-off costs more
        # than the product itself (~8 ms vs 2 ms on a busy machine)
        with _one_blas_thread():
            for s in range(0, idx.size, _CHUNK):
                part = idx[s : s + _CHUNK]
                v = self.windows(part)
                if gains is not None:
                    v *= gains(part)[:, None, :]
                pk = _window_peaks(v.reshape(-1, _WIDTH), refine_above)
                out[s : s + _CHUNK] = pk.reshape(-1, self.ch).max(axis=1)
        return out

    def true_peaks(self, idx: np.ndarray) -> np.ndarray:
        todo = idx[np.isnan(self.tp[idx])]
        if todo.size:
            self.tp[todo] = self.peaks(todo)
        return self.tp[idx]

    def max_peak(self, upper: np.ndarray, gains=None) -> float:
        """Largest true peak: blocks in order of descending upper bound, until none can win."""
        order = np.argsort(-upper, kind="stable")
        best = 0.0
        for s in range(0, order.size, _CHUNK):
            part = order[s : s + _CHUNK]
            part = part[upper[part] > best]
            if not part.size:
                break
            best = max(best, float(self.peaks(part, gains).max()))
        return best


def _db(v: float) -> float:
    return max(FLOOR_DBTP, 20 * math.log10(v)) if v > 0 else FLOOR_DBTP


def true_peak_db(audio: np.ndarray, sr: int) -> float:
    """True peak in dBTP: the max of the 4x-oversampled signal (resample_poly's filter).

    sr is taken for symmetry with measure_loudness: 4x is used at every rate.
    """
    x = _as_2d(audio)
    if not len(x):
        return FLOOR_DBTP
    s = _Signal(x, loop=False)
    return _db(s.max_peak(s.bound))


def _gain_reduction(env: np.ndarray, thr: float, sr: int, loop: bool) -> np.ndarray:
    """Per-block gain reduction (dB) such that every sample keeps env * gain <= thr.

    Max over neighbours (samples interpolate between adjacent block gains), a forward max over
    the look-ahead, an exponential release (a running max in the log domain), then a moving
    average over the look-ahead: each average is >= the current block's need, because every
    value averaged was a max over a window that contains the current block.
    """
    mode = "wrap" if loop else "nearest"
    with np.errstate(divide="ignore"):
        need = np.maximum(0.0, 20 * np.log10(env / thr))
    need = dsp.maximum_filter1d(need, 3, mode=mode)
    a = max(1, round(_ATTACK_S * sr / _B))
    held = dsp.maximum_filter1d(need, a + 1, origin=-((a + 1) // 2), mode=mode)
    c = _B / (sr * _RELEASE_S)  # log-decay per block
    reps = 1
    if loop and held.max() > 0:  # unroll enough periods for the release to settle
        settle = math.log(max(held.max(), 1e-3) / 1e-4) / c
        reps = min(1 + math.ceil(settle / held.size), 64)
    h = np.tile(held, reps)
    ramp = np.arange(h.size) * c
    with np.errstate(divide="ignore"):
        rel = np.exp(np.maximum.accumulate(np.log(h) + ramp) - ramp)[-held.size :]
    return dsp.uniform_filter1d(rel, a + 1, origin=a // 2, mode=mode)


def _centres(nb: int) -> np.ndarray:
    return np.arange(nb) * _B + (_B - 1) / 2


def _expand(gb: np.ndarray, n: int, loop: bool) -> np.ndarray:
    """Block gains (at block centres) to per-sample gains by linear interpolation."""
    nb, h = gb.size, _B // 2
    out = np.empty(max(n, nb * _B), dtype=np.float32)
    mid = out[h : h + (nb - 1) * _B].reshape(nb - 1, _B)
    w = ((np.arange(_B) + 0.5) / _B).astype(np.float32)
    np.multiply(np.diff(gb)[:, None], w, out=mid)
    mid += gb[:-1, None]
    edges = np.r_[np.arange(min(h, n)), np.arange(h + mid.size, n)]
    out[edges] = np.interp(edges, _centres(nb), gb, period=n if loop else None)
    return out[:n]


class _Mastering:
    """The input's analysis, shared by the trial gain curves."""

    def __init__(self, sig: _Signal, sr: int):
        self.sr, self.loop, self.sig = sr, sig.loop, sig
        self.loud_in, self.eb, _ = _k_pass(sig.x, sr)
        self.extra = np.zeros(sig.nb)  # dB the limiter must take off beyond the measured peaks

    def gain_db(self, makeup: float, thr: float) -> np.ndarray:
        """Total per-block gain (dB): make-up minus what the limiter takes off."""
        g = 10 ** (makeup / 20)
        sig = self.sig
        env = sig.bound * 10 ** (self.extra / 20)
        hot = np.flatnonzero(env * g > thr)  # only these can need limiting: measure exactly
        env[hot] = sig.true_peaks(hot) * 10 ** (self.extra[hot] / 20)
        return makeup - _gain_reduction(env * g, thr, self.sr, self.loop)

    def loudness(self, gdb: np.ndarray) -> float:
        """Loudness of x * gain from block powers (the gain moves slowly next to K-weighting)."""
        return _loudness_of_blocks(self.eb * 10 ** (gdb / 10), self.sig.n, self.sr)

    def gains(self, gdb: np.ndarray):
        """Per-sample gains over the true-peak windows of given blocks."""
        gb, per = 10 ** (gdb / 20), self.sig.n if self.loop else None
        cen = _centres(gb.size)
        pos = np.arange(_WIDTH) - _CTX
        return lambda idx: np.interp(idx[:, None] * _B + pos, cen, gb, period=per)

    def upper(self, gdb: np.ndarray) -> np.ndarray:
        """Bound on each output block's true peak: the largest nearby gain times the input's
        true peak, plus the gain's spread over the window times the filter's worst gain."""
        g = 10 ** (gdb / 20)
        mode = "wrap" if self.loop else "nearest"
        gmax = dsp.maximum_filter1d(g, 3, mode=mode)
        gmin = dsp.minimum_filter1d(g, 3, mode=mode)
        sig = self.sig
        return gmax * np.where(np.isnan(sig.tp), sig.bound, sig.tp) + (gmax - gmin) * sig.bound


def master(
    audio: np.ndarray,
    sr: int,
    *,
    target_lufs: float = -14.0,
    ceiling_dbtp: float = -1.0,
    loop: bool = False,
) -> MasterResult:
    """Gain to target_lufs (+-0.5 LU) through a look-ahead true-peak limiter under ceiling_dbtp.

    loop=True treats the audio as circular, so the gain curve runs on across the wrap and the
    end flows into the start.
    """
    x = _as_2d(audio, check=False)
    shape = np.shape(audio)
    sig = _Signal(x, loop)
    if not math.isfinite(sig.peak.max(initial=0.0)):
        x = _as_2d(x)
        sig = _Signal(x, loop)
    if sig.peak.max(initial=0.0) == 0:
        return MasterResult(np.zeros(shape, np.float32), 0.0, FLOOR_LUFS, FLOOR_DBTP)
    m = _Mastering(sig, sr)
    aim = 10 ** ((ceiling_dbtp - _AIM_MARGIN_DB) / 20)
    thr = 10 ** ((ceiling_dbtp - _THR_MARGIN_DB) / 20)
    offset = 0.0  # measured minus estimated loudness, learnt from a verified pass

    def solve(makeup: float) -> tuple[float, np.ndarray]:
        """Secant steps on the make-up gain until the estimated loudness is on target."""
        makeup, prev = min(makeup, MAX_GAIN_DB), None
        for _ in range(8):  # each step is cheap: block-level arrays only
            gdb = m.gain_db(makeup, thr)
            err = target_lufs - (m.loudness(gdb) + offset)
            if abs(err) < 0.02 or (makeup >= MAX_GAIN_DB and err > 0):
                break
            slope = 1.0
            if prev is not None and makeup != prev[0]:
                slope = min(1.0, max(0.1, (prev[1] - err) / (makeup - prev[0])))
            prev = (makeup, err)
            makeup = min(MAX_GAIN_DB, makeup + err / slope)
        return makeup, gdb

    makeup, y, renders = target_lufs - m.loud_in, None, 0
    for attempt in range(6):
        makeup, gdb = solve(makeup)
        # measure exactly where the output could be over; if any is, hold those blocks
        # down harder and solve again
        hot = np.flatnonzero(m.upper(gdb) > aim * _UNDER_READ)
        tp = m.sig.peaks(hot, m.gains(gdb), refine_above=aim * _UNDER_READ)
        if (tp > aim).any() and attempt < 5:
            m.extra[hot[tp > aim]] += 20 * np.log10(tp[tp > aim] / aim) + 0.05
            continue
        gain = _expand((10 ** (gdb / 20)).astype(np.float32), len(x), loop)
        loud, _, y = _k_pass(x, sr, gain)
        renders += 1
        if abs(loud - target_lufs) <= 0.2 or makeup >= MAX_GAIN_DB or renders == 2:
            break
        offset = loud - m.loudness(gdb)  # the estimate's bias, corrected from here on
    peak = m.sig.max_peak(m.upper(gdb), m.gains(gdb))
    np.clip(y, -0.999, 0.999, out=y)
    return MasterResult(y.reshape(shape), float(makeup), float(loud), _db(peak))
