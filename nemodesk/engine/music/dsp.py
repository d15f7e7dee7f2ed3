"""The few scipy functions the engine runs, in numpy: IIR filtering of second-order sections
(with state), running max / min / mean with scipy.ndimage's window placement and edge modes,
and a Kaiser-window low-pass FIR. scipy costs ~73 MB of the frozen app for these alone.

Each matches its scipy namesake (the tests compare them against scipy): sosfilt to float
rounding, the window filters exactly (the mean to float rounding).

sosfilt is exact and quick without a per-sample loop: the cascade is one linear state-space
system, run in blocks of _L samples. A block's output is its input times a Toeplitz matrix of
the impulse response plus the start state's response, and its end state is the start state
carried over the block plus its input's share: all blocks at once as matrix products. The
start states follow from a recurrence over blocks, solved the same way one level up (groups
of _L2 blocks), and so on until a few steps are left. Against scipy's own float32 sosfilt
(a float32 recursion) it is ~100x closer to the float64 result, and quicker on a 90 s track:
~12 vs ~23 ms CPU for the K-weighting of a channel, ~23..50 vs ~46..56 ms for 1..4
sections on stereo (measured on the busy 2-core dev machine, best of 7).
"""

from __future__ import annotations

import functools
import math

import numpy as np

_L = 32  # samples per block of the IIR filter's matrix products
_L2 = 4  # blocks per block one level up (the recurrence of block start states)
_LOOP = 8  # recurrences this short are solved directly
_SMALL = 1 << 17  # multiply-adds per matrix product call (see _mm)


# ---------------------------------------------------------------- IIR (second-order sections)


def _state_space(sos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A, B, C, D of a cascade of direct-form-II-transposed sections (scipy's state layout:
    per section [z0, z1]), so that y = C s + D x and s' = A s + B x."""
    n = sos.shape[0]
    b = sos[:, :3] / sos[:, 3:4]
    a = sos[:, 3:] / sos[:, 3:4]
    d = 2 * n

    def step(s: np.ndarray, x: float) -> tuple[np.ndarray, float]:
        s2 = np.empty(d)
        u = x
        for k in range(n):
            z0, z1 = s[2 * k], s[2 * k + 1]
            y = b[k, 0] * u + z0
            s2[2 * k] = b[k, 1] * u - a[k, 1] * y + z1
            s2[2 * k + 1] = b[k, 2] * u - a[k, 2] * y
            u = y
        return s2, u

    cols = [step(e, 0.0) for e in np.eye(d)]
    big_a = np.stack([c[0] for c in cols], axis=1)
    c = np.array([c[1] for c in cols])
    big_b, dd = step(np.zeros(d), 1.0)
    return big_a, big_b, c, dd


def _powers(m: np.ndarray, count: int) -> np.ndarray:
    """m**0 ... m**(count-1), shape (count, d, d)."""
    out = np.empty((count, *m.shape))
    out[0] = np.eye(m.shape[0])
    for i in range(1, count):
        out[i] = out[i - 1] @ m
    return out


@functools.lru_cache(maxsize=64)
def _design(key: bytes, n_sections: int, length: int) -> tuple:
    """Block matrices for blocks of `length` samples, in float64:
    TG (length, length + d): input block -> [zero-state output | zero-state end state];
    O (d, length): start state -> its output over the block; M = A**length."""
    sos = np.frombuffer(key, dtype=np.float64).reshape(n_sections, 6)
    a, b, c, dd = _state_space(sos)
    p = _powers(a, length + 1)
    h = np.r_[dd, np.einsum("i,kij,j->k", c, p[: length - 1], b)]  # impulse response
    idx = np.arange(length)
    lag = idx[None, :] - idx[:, None]
    t = np.where(lag >= 0, h[np.clip(lag, 0, None)], 0.0)
    g = p[length - 1 - idx] @ b  # (length, d): A**(L-1-i) B
    o = (c @ p[:length]).T  # (d, length): C A**j
    return np.concatenate([t, g], axis=1), np.ascontiguousarray(o), p[length]


@functools.lru_cache(maxsize=256)
def _scan_mats(key: bytes, d: int, length: int) -> tuple:
    """For the recurrence s[k+1] = M s[k] + u[k] over `length` steps: P (length*d, d) maps
    the steps' u to the end state, Q (length*d, length*d) maps them to each step's start
    state, W (d, length*d) maps the first start state to each step's, and M**length."""
    m = np.frombuffer(key, dtype=np.float64).reshape(d, d)
    p = _powers(m, length + 1)
    big_p = np.concatenate([p[length - 1 - i].T for i in range(length)], axis=0)
    q = np.zeros((length, d, length, d))  # [i, :, j, :]: u[i] -> start of step j
    for j in range(1, length):
        for i in range(j):
            q[i, :, j, :] = p[j - 1 - i].T
    w = np.concatenate([p[j].T for j in range(length)], axis=1)
    return big_p, q.reshape(length * d, length * d), w, p[length]


def _mm(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a @ b in row chunks of under _SMALL multiply-adds each: OpenBLAS runs products that
    small on the calling thread (bigger ones it splits over threads, which on a busy machine,
    and with the channels already on threads, costs several times the product), and a chunk's
    rows stay in cache."""
    if out is None:
        out = np.empty((a.shape[0], b.shape[1]), dtype=np.result_type(a, b))
    step = max(8, _SMALL // max(1, b.shape[0] * b.shape[1]))
    for s in range(0, a.shape[0], step):
        np.matmul(a[s : s + step], b, out=out[s : s + step])
    return out


def _scan_short(m: np.ndarray, u: np.ndarray, s0: np.ndarray, out: np.ndarray) -> np.ndarray:
    """_scan of at most _LOOP steps, as two small products; the start states go to out."""
    k, d = u.shape
    if not k:
        return s0
    big_p, q, w, m_k = _scan_mats(np.ascontiguousarray(m).tobytes(), d, k)
    flat = u.reshape(1, k * d)
    out[:] = (flat @ q + s0 @ w).reshape(k, d)
    return s0 @ m_k.T + (flat @ big_p)[0]


def _scan(m: np.ndarray, u: np.ndarray, s0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s[k+1] = M s[k] + u[k] from s[0] = s0, in float64: u (K, d) -> (s[0..K-1], s[K])."""
    k, d = u.shape
    out = np.empty((k, d))
    if k <= _LOOP:
        return out, _scan_short(m, u, s0, out)
    k2 = k // _L2
    kk = k2 * _L2
    big_p, q, w, m_l = _scan_mats(np.ascontiguousarray(m).tobytes(), d, _L2)
    flat = np.ascontiguousarray(u[:kk]).reshape(k2, _L2 * d)
    starts, end = _scan(m_l, _mm(flat, big_p), s0)  # from each group's zero-state end
    inner = _mm(flat, q, out=out[:kk].reshape(k2, _L2 * d))
    inner += _mm(starts, w)
    return out, _scan_short(m, np.ascontiguousarray(u[kk:]), end, out[kk:])


@functools.lru_cache(maxsize=16)
def _block_mats(key: bytes, n_sections: int, dtype: str) -> tuple:
    """The block matrices in the working dtype: T (L, L), G (L, d), O (d, L), M = A**L."""
    tg, o, m_l = _design(key, n_sections, _L)
    t, g = tg[:, :_L], tg[:, _L:]
    return t.astype(dtype), g.astype(dtype), o.astype(dtype), m_l


def sosfilt(sos, x, axis: int = -1, zi=None):
    """scipy.signal.sosfilt: filter x along axis with the cascaded second-order sections sos
    (rows b0 b1 b2 a0 a1 a2). With zi (shape (sections, ..., 2, ...), scipy's layout and
    meaning), returns (y, zf). Computes in the result type of sos, x and zi, as scipy does
    (float32 stays float32); the recurrence from block to block is kept in float64.

    x is seen as (R, n, C): the dims before the axis, the samples, the dims after; each of
    the R*C signals is filtered alone, as one contiguous row (interleaved channels are copied
    out: measured quicker than block matrices acting on interleaved frames)."""
    sos = np.atleast_2d(np.asarray(sos))
    x = np.asarray(x)
    if sos.ndim != 2 or sos.shape[1] != 6:
        raise ValueError("sos must be shaped (n_sections, 6)")
    dtypes = [sos.dtype, x.dtype] + ([np.asarray(zi).dtype] if zi is not None else [])
    dtype = np.result_type(*dtypes)
    if dtype.kind != "f":
        dtype = np.dtype(np.float64)
    ns, d = sos.shape[0], 2 * sos.shape[0]
    axis = axis % x.ndim
    n = x.shape[axis]
    big_r, big_c = math.prod(x.shape[:axis]), math.prod(x.shape[axis + 1 :])
    zshape = (ns, *x.shape[:axis], 2, *x.shape[axis + 1 :])
    if zi is None:
        s0 = np.zeros((big_r, big_c, d))
    else:
        zi = np.asarray(zi)
        if zi.shape != zshape:
            raise ValueError(f"zi must be shaped {zshape}, not {zi.shape}")
        # (sections, R, 2, C) -> (R, C, sections * 2): per channel [z0, z1] of each section
        s0 = zi.reshape(ns, big_r, 2, big_c).transpose(1, 3, 0, 2).reshape(big_r, big_c, d)
        s0 = s0.astype(np.float64)
    xt = x.reshape(big_r, n, big_c)
    if big_c > 1:
        xt = np.moveaxis(xt, 1, 2).reshape(big_r * big_c, n)  # a copy: rows of samples
    y, states = _sosfilt_rows(sos, xt.reshape(big_r * big_c, n), dtype, s0.reshape(-1, d))
    if big_c > 1:
        y = np.moveaxis(y.reshape(big_r, big_c, n), 1, 2)
    out = np.ascontiguousarray(y.reshape(x.shape))
    if zi is None:
        return out
    zf = states.reshape(big_r, big_c, ns, 2).transpose(2, 0, 3, 1).reshape(zshape)
    return out, np.ascontiguousarray(zf, dtype=dtype)


def _sosfilt_rows(sos: np.ndarray, x: np.ndarray, dtype, s0: np.ndarray):
    """sosfilt of each row of x (rows, n) from its state in s0 (rows, d): (y, end states)."""
    rows, n = x.shape
    ns = sos.shape[0]
    key = np.ascontiguousarray(sos, dtype=np.float64).tobytes()
    x = np.ascontiguousarray(x, dtype=dtype)
    out = np.empty(x.shape, dtype=dtype)
    states = s0.copy()
    k, rem = divmod(n, _L)
    if k:
        t, g, o, m_l = _block_mats(key, ns, dtype.str)
        step = max(8, _SMALL // t.size)
    for r in range(rows):
        if k:
            xb = x[r, : k * _L].reshape(k, _L)
            yb = out[r, : k * _L].reshape(k, _L)
            u = _mm(xb, g).astype(np.float64)  # each block's zero-state end state
            s_in, states[r] = _scan(m_l, u, states[r])  # each block's start state
            s_in = s_in.astype(dtype)
            for s in range(0, k, step):  # each chunk's output stays in cache for the add
                yc = np.matmul(xb[s : s + step], t, out=yb[s : s + step])
                yc += s_in[s : s + step] @ o
        if rem:
            tg_r, o_r, m_r = _design(key, ns, rem)
            res = x[r, k * _L :].astype(np.float64) @ tg_r
            out[r, k * _L :] = res[:rem] + states[r] @ o_r
            states[r] = m_r @ states[r] + res[rem:]
    return out, states


# ---------------------------------------------------------------- running window filters

_PAD_MODES = {
    "nearest": "edge",
    "wrap": "wrap",
    "grid-wrap": "wrap",
    "reflect": "symmetric",
    "grid-mirror": "symmetric",
    "mirror": "reflect",
    "constant": "constant",
    "grid-constant": "constant",
}


def _padded(x: np.ndarray, size: int, axis: int, mode: str, cval: float, origin: int):
    """x padded along axis so that window i covers padded[i : i + size] (scipy.ndimage's
    placement: centred at size // 2, shifted left by origin); x moved to the last axis."""
    if size < 1:
        raise ValueError("size must be >= 1")
    if not -(size // 2) <= origin <= (size - 1) // 2:
        raise ValueError("invalid origin")
    if mode not in _PAD_MODES:
        raise ValueError(f"unsupported mode {mode!r}")
    xm = np.moveaxis(np.asarray(x), axis, -1)
    before = size // 2 + origin
    after = size - 1 - before
    widths = [(0, 0)] * (xm.ndim - 1) + [(before, after)]
    if xm.shape[-1] == 0:
        return xm
    if _PAD_MODES[mode] == "constant":
        return np.pad(xm, widths, mode="constant", constant_values=cval)
    return np.pad(xm, widths, mode=_PAD_MODES[mode])


def _running(x, size, axis, mode, cval, origin, op) -> np.ndarray:
    """op (np.maximum or np.minimum) over each window, by doubling window widths."""
    p = _padded(x, size, axis, mode, cval, origin)
    n = p.shape[-1] - size + 1
    cur, w = p, 1
    while 2 * w <= size:
        cur = op(cur[..., : cur.shape[-1] - w], cur[..., w:])
        w *= 2
    out = op(cur[..., :n], cur[..., size - w : size - w + n]) if w < size else cur[..., :n]
    return np.moveaxis(np.array(out, dtype=np.asarray(x).dtype), -1, axis)


def maximum_filter1d(x, size: int, axis: int = -1, mode: str = "reflect", cval=0.0, origin=0):
    """scipy.ndimage.maximum_filter1d (the same window placement, origin and edge modes)."""
    return _running(x, size, axis, mode, cval, origin, np.maximum)


def minimum_filter1d(x, size: int, axis: int = -1, mode: str = "reflect", cval=0.0, origin=0):
    """scipy.ndimage.minimum_filter1d (the same window placement, origin and edge modes)."""
    return _running(x, size, axis, mode, cval, origin, np.minimum)


def uniform_filter1d(x, size: int, axis: int = -1, mode: str = "reflect", cval=0.0, origin=0):
    """scipy.ndimage.uniform_filter1d for float input: each window's mean, summed in float64
    (a sum of shifted slices for short windows, else a running sum), in the input's dtype."""
    x = np.asarray(x)
    if x.dtype.kind != "f":
        raise TypeError("uniform_filter1d takes float arrays")
    p = _padded(x, size, axis, mode, cval, origin).astype(np.float64)
    n = p.shape[-1] - size + 1
    if size <= 32:
        acc = p[..., :n].copy()
        for i in range(1, size):
            acc += p[..., i : i + n]
    else:
        c = np.cumsum(p, axis=-1)
        acc = c[..., size - 1 :].copy()
        acc[..., 1:] -= c[..., : n - 1]
    acc /= size
    return np.moveaxis(acc.astype(x.dtype), -1, axis)


# ---------------------------------------------------------------- FIR design


def firwin_kaiser(numtaps: int, cutoff: float, beta: float) -> np.ndarray:
    """scipy.signal.firwin(numtaps, cutoff, window=("kaiser", beta)): a windowed-sinc
    low-pass, cutoff relative to Nyquist (0 < cutoff < 1), scaled to unit gain at DC."""
    if not 0 < cutoff < 1:
        raise ValueError("cutoff must be between 0 and 1 (Nyquist)")
    m = np.arange(numtaps) - (numtaps - 1) / 2
    h = cutoff * np.sinc(cutoff * m) * np.kaiser(numtaps, beta)
    return h / h.sum()


# ---------------------------------------------------------------- biquad design


def loudness_biquad(kind: str, gain_db: float, q: float, fc: float, rate: int) -> np.ndarray:
    """One (b0 b1 b2 a0 a1 a2) row, a0 = 1, by the very formulas of pyloudnorm's IIRfilter
    (the Audio EQ Cookbook's): kind "high_shelf" or "high_pass", the two stages of BS.1770
    K-weighting as pyloudnorm's Meter builds them (pyloudnorm itself imports scipy)."""
    a_ = 10 ** (gain_db / 40.0)
    w0 = 2.0 * np.pi * (fc / rate)
    alpha = np.sin(w0) / (2.0 * q)
    if kind == "high_shelf":
        b0 = a_ * ((a_ + 1) + (a_ - 1) * np.cos(w0) + 2 * np.sqrt(a_) * alpha)
        b1 = -2 * a_ * ((a_ - 1) + (a_ + 1) * np.cos(w0))
        b2 = a_ * ((a_ + 1) + (a_ - 1) * np.cos(w0) - 2 * np.sqrt(a_) * alpha)
        a0 = (a_ + 1) - (a_ - 1) * np.cos(w0) + 2 * np.sqrt(a_) * alpha
        a1 = 2 * ((a_ - 1) - (a_ + 1) * np.cos(w0))
        a2 = (a_ + 1) - (a_ - 1) * np.cos(w0) - 2 * np.sqrt(a_) * alpha
    elif kind == "high_pass":
        b0 = (1 + np.cos(w0)) / 2
        b1 = -(1 + np.cos(w0))
        b2 = (1 + np.cos(w0)) / 2
        a0 = 1 + alpha
        a1 = -2 * np.cos(w0)
        a2 = 1 - alpha
    else:
        raise ValueError(f"unknown filter kind {kind!r}")
    return np.r_[np.array([b0, b1, b2]) / a0, np.array([a0, a1, a2]) / a0]


def rms_db(x: np.ndarray) -> float:
    """Mean power of ``x`` in dB (0 dB: a mean square of 1)."""
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20))
