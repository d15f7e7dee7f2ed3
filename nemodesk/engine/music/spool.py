"""Audio spooled to disk: full-length float32 tracks kept in files and read, written and
mastered by blocks, so a render's memory does not grow with the track's length.

A ``Spool`` is a private temp folder of raw float32 arrays (``Track``), removed when the
spool is closed or collected. Writes go through ``pwrite`` (the page cache, not this
process's memory); random reads (the true-peak windows of mastering) go through a
read-only mapping whose pages are handed back (``MADV_DONTNEED``) after each use, so the
process's resident set holds only what one step needs.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import tempfile
import threading
import weakref
from collections.abc import Iterator
from functools import partial

import numpy as np

SCRATCH_ENV = "NEMODESK_SCRATCH"  # where spools are made (default: the system temp folder)
BLOCK = 1 << 18  # samples per block (~5.9 s at 44.1 kHz); a multiple of every inner step


MIN_LAST = 1 << 12  # a shorter last block joins the one before (no 1-sample blocks)


def blocks(n: int, size: int = BLOCK) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive blocks over n samples: each starts on a multiple of
    size; the last runs to n (up to size + MIN_LAST long)."""
    a = 0
    while a < n:
        b = n if n - a < size + MIN_LAST else a + size
        yield a, b
        a = b


KEEP_BYTES = 2 << 30  # scratch kept for the next render (disk, not memory)
_FREE: list[tuple[int, int]] = []  # (fd, bytes) of spare scratch files, unlinked, kept open
_FREE_PID = os.getpid()
_LOCK = threading.Lock()


def _take_file(nbytes: int) -> tuple[int, int]:
    """A scratch file of at least nbytes: a spare one from an earlier render when there is
    one (writing over pages already in the page cache is ~4x quicker than new ones), else a
    new one. Unlinked at once: nothing is left behind, whatever happens to the process."""
    global _FREE_PID
    with _LOCK:
        if os.getpid() != _FREE_PID:  # a forked child: its parent's files are not its own
            for fd, _ in _FREE:
                os.close(fd)
            _FREE.clear()
            _FREE_PID = os.getpid()
        fits = [f for f in _FREE if f[1] >= nbytes]
        pick = (
            min(fits, key=lambda f: f[1]) if fits else max(_FREE, key=lambda f: f[1], default=None)
        )
        if pick is not None:
            _FREE.remove(pick)
    if pick is None:
        base = os.environ.get(SCRATCH_ENV) or None
        fd, path = tempfile.mkstemp(prefix="nemodesk-render-", suffix=".f32", dir=base)
        os.unlink(path)
        pick = (fd, 0)
    fd, size = pick
    if size < nbytes:
        os.ftruncate(fd, nbytes)
        size = nbytes
    return fd, size


def _give_file(fd: int, size: int) -> None:
    with _LOCK:
        if os.getpid() == _FREE_PID and sum(f[1] for f in _FREE) + size <= KEEP_BYTES:
            _FREE.append((fd, size))
            return
    os.close(fd)


class Track:
    """A (n, channels) float32 array in a scratch file."""

    def __init__(self, n: int, ch: int) -> None:
        self.n, self.ch = n, ch
        self.shape = (n, ch)
        self._fd, self._size = _take_file(max(1, n * ch * 4))
        self._map: np.memmap | None = None
        self._file = None

    def __len__(self) -> int:
        return self.n

    def write(self, a: int, data: np.ndarray) -> None:
        buf = np.ascontiguousarray(data, dtype=np.float32)
        view, off = memoryview(buf).cast("B"), a * self.ch * 4
        while view:
            done = os.pwrite(self._fd, view, off)
            view, off = view[done:], off + done

    def read(self, a: int, b: int) -> np.ndarray:
        out = np.empty((b - a, self.ch), dtype=np.float32)
        view, off = memoryview(out).cast("B"), a * self.ch * 4
        while view:
            done = os.preadv(self._fd, [view], off)
            if done <= 0:
                raise OSError("short read from a scratch file")
            view, off = view[done:], off + done
        return out

    def load(self) -> np.ndarray:
        """The whole array in memory (for tests and short tracks)."""
        return self.read(0, self.n)

    def mapped(self) -> np.ndarray:
        """A read-only view of the whole array; call release() after each use."""
        if self._map is None:
            self._file = os.fdopen(os.dup(self._fd), "rb")
            self._map = np.memmap(self._file, np.float32, "r", shape=self.shape)
        return self._map

    def release(self) -> None:
        """Hand the mapped pages back (they stay in the page cache, not in this process)."""
        if self._map is not None:
            self._map._mmap.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        if self._map is not None:
            self._map._mmap.close()
            self._map = None
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            _give_file(fd, self._size)


def _close_all(tracks: list[Track]) -> None:
    for t in tracks:
        with contextlib.suppress(OSError, ValueError, BufferError):
            t.close()


class Spool:
    """The scratch Tracks of one render, handed back on close() or when collected."""

    def __init__(self) -> None:
        self._tracks: list[Track] = []
        self._done = weakref.finalize(self, _close_all, self._tracks)

    def track(self, name: str, n: int, ch: int = 2) -> Track:
        t = Track(n, ch)
        self._tracks.append(t)
        return t

    def close(self) -> None:
        self._done()


# ---------------------------------------------------------------- mastering by blocks


def _max_filter(v: np.ndarray, size: int, wrap: bool) -> np.ndarray:
    """Running max over ``size`` (odd) neighbours: wrapped round, or zero beyond the ends
    (ndimage.maximum_filter1d's "wrap" / "constant" for values >= 0)."""
    h = size // 2
    if wrap:
        out = v.copy()
        for k in range(1, h + 1):
            np.maximum(out, np.roll(v, k), out=out)
            np.maximum(out, np.roll(v, -k), out=out)
        return out
    p = np.concatenate([np.zeros(h, v.dtype), v, np.zeros(h, v.dtype)])
    out = v.copy()
    for k in range(size):
        np.maximum(out, p[k : k + v.size], out=out)
    return out


def expand_range(gb: np.ndarray, n: int, loop: bool, a: int, b: int) -> np.ndarray:
    """Samples a..b of master._expand(gb, n, loop): the same float32 values, made by block."""
    from nemodesk.engine.music import master as M

    B = M._B
    nb, h = gb.size, B // 2
    out = np.empty(b - a, dtype=np.float32)
    done = np.zeros(b - a, dtype=bool)
    if nb > 1:
        q0 = max(0, (a - h) // B)
        q1 = min(nb - 1, -(-(b - h) // B))
        if q1 > q0:
            w = ((np.arange(B) + 0.5) / B).astype(np.float32)
            d = np.diff(gb[q0 : q1 + 1])
            mid = d[:, None] * w
            mid += gb[q0:q1, None]
            s0 = h + q0 * B  # the sample mid's first value is for
            lo, hi = max(a, s0), min(b, s0 + mid.size)
            if hi > lo:
                out[lo - a : hi - a] = mid.ravel()[lo - s0 : hi - s0]
                done[lo - a : hi - a] = True
    if not done.all():
        s = np.flatnonzero(~done) + a
        out[s - a] = np.interp(s, M._centres(nb), gb, period=n if loop else None)
    return out


class _Analysis:
    """One pass over a track: the K-weighting loudness pass of master._k_pass (same
    segments, same state carried), optionally of x * gain, writing the clipped output."""

    def __init__(self, sr: int) -> None:
        self.sr = sr

    def run(self, x, gain_of=None, peaks: bool = False):
        """(loudness, K-power per master block, block peaks or None) of x (anything with
        .shape and .read(a, b)), times gain_of(a, b) when given."""
        from nemodesk.engine.music import master as M
        from nemodesk.engine.music import threads

        sr = self.sr
        sos = M._k_sos(sr)
        n, ch = x.shape
        pool = threads.pool()
        zi = np.zeros((sos.shape[0], 2, ch), dtype=np.float32)
        w = np.asarray(M._CH_WEIGHTS[:ch], dtype=np.float32)
        lo, hi, size = M._gate_bounds(n, sr)
        marks = np.unique(np.r_[lo, hi])
        at = np.empty(marks.size)
        eb = np.empty(-(-n // M._B))
        full = n // M._B
        peak = np.empty(full) if peaks else None
        total = 0.0
        for s in range(0, n, M._SEG):
            seg = x.read(s, min(n, s + M._SEG))
            if peaks:  # block peaks of master._Signal, whole blocks only
                f0, f1 = s // M._B, min(full, (s + len(seg)) // M._B)
                body = seg[: (f1 - f0) * M._B].reshape(f1 - f0, M._B * ch)
                peak[f0:f1] = np.maximum(
                    body.max(axis=1, initial=0.0), -body.min(axis=1, initial=0.0)
                )
            if gain_of is not None:
                seg *= gain_of(s, s + len(seg))[:, None]
            jobs = [
                pool.submit(M._k_power, sos, seg[:, c].copy(), zi[:, :, c], w[c]) for c in range(ch)
            ]
            parts = [job.result() for job in jobs]
            zi = np.stack([z for _, z in parts], axis=-1)
            p = parts[0][0]
            for q, _ in parts[1:]:
                p += q
            nfull = len(p) // M._B
            bs = p[: nfull * M._B].reshape(nfull, M._B).sum(axis=1)
            if nfull * M._B < len(p):
                bs = np.r_[bs, p[nfull * M._B :].sum()]
            eb[s // M._B : s // M._B + bs.size] = bs
            cum = np.r_[0.0, np.cumsum(bs, dtype=np.float64)] + total
            i, j = np.searchsorted(marks, [s, s + len(p)])
            r = marks[i:j] - s
            q = r // M._B
            part = np.where(
                np.arange(M._B) < (r - q * M._B)[:, None],
                p[np.minimum(q[:, None] * M._B + np.arange(M._B), len(p) - 1)],
                0,
            )
            at[i:j] = cum[q] + part.sum(axis=1)
            total = cum[-1]
        at[marks >= n] = total
        z = (at[np.searchsorted(marks, hi)] - at[np.searchsorted(marks, lo)]) / size
        return M._gated(z), eb, peak


def loudness_of(x, sr: int, gain_of=None) -> float:
    """Integrated loudness of a track, optionally times a per-sample gain(a, b) (as
    master.measure_loudness measures it, by blocks)."""
    from nemodesk.engine.music import master as M

    return _Analysis(sr).run(x, gain_of)[0] if x.n else M.FLOOR_LUFS


def _signal(x: Track, loop: bool, peak: np.ndarray):
    """master._Signal over a track: block peaks from the analysis pass, windows read
    through the track's mapping (its pages handed back after every batch)."""
    from nemodesk.engine.music import master as M

    class _TrackSignal(M._Signal):
        def __init__(self) -> None:
            self.x, self.loop = x.mapped(), loop
            self.n, self.ch = x.shape
            self.nb = -(-self.n // M._B)
            full = self.n // M._B
            pk = peak
            if full < self.nb:
                tail = np.arange(full * M._B, self.nb * M._B if loop else self.n) % self.n
                pk = np.r_[pk, np.abs(self.x[tail]).max()]
                x.release()
            self.peak = pk
            nbr = _max_filter(pk, 5 if loop else 3, loop)
            self.bound = nbr * max(1.0, M._tp_matrix()[1])
            self.tp = np.full(self.nb, np.nan, dtype=np.float32)

        def windows(self, idx: np.ndarray) -> np.ndarray:
            try:  # a copy of what is needed; the pages read are handed back at once
                return super().windows(idx)
            finally:
                x.release()

    return _TrackSignal()


def master_track(
    x: Track,
    sr: int,
    *,
    target_lufs: float = -14.0,
    ceiling_dbtp: float = -1.0,
    loop: bool = False,
) -> tuple[float, float, float]:
    """master.master over a track: (make-up gain dB, loudness LUFS, true peak dBTP, the
    gain per master block or None for silence). The same analysis, solve and limiter;
    ``mastered`` makes any block of the output from it."""
    import math

    from nemodesk.engine.music import master as M

    meter = _Analysis(sr)
    loud_in, eb, peak = meter.run(x, peaks=True)
    if not math.isfinite(peak.max(initial=0.0)):
        for a, b in blocks(x.n):
            x.write(a, np.nan_to_num(x.read(a, b), nan=0.0, posinf=0.0, neginf=0.0))
        loud_in, eb, peak = meter.run(x, peaks=True)
    sig = _signal(x, loop, peak)
    if sig.peak.max(initial=0.0) == 0:
        return 0.0, M.FLOOR_LUFS, M.FLOOR_DBTP, None
    m = M._Mastering.__new__(M._Mastering)
    m.sr, m.loop, m.sig = sr, loop, sig
    m.loud_in, m.eb = loud_in, eb
    m.extra = np.zeros(sig.nb)
    aim = 10 ** ((ceiling_dbtp - M._AIM_MARGIN_DB) / 20)
    thr = 10 ** ((ceiling_dbtp - M._THR_MARGIN_DB) / 20)
    offset = 0.0

    def solve(makeup: float):
        makeup, prev = min(makeup, M.MAX_GAIN_DB), None
        for _ in range(8):
            gdb = m.gain_db(makeup, thr)
            err = target_lufs - (m.loudness(gdb) + offset)
            if abs(err) < 0.02 or (makeup >= M.MAX_GAIN_DB and err > 0):
                break
            slope = 1.0
            if prev is not None and makeup != prev[0]:
                slope = min(1.0, max(0.1, (prev[1] - err) / (makeup - prev[0])))
            prev = (makeup, err)
            makeup = min(M.MAX_GAIN_DB, makeup + err / slope)
        return makeup, gdb

    makeup, renders = target_lufs - m.loud_in, 0
    for attempt in range(6):
        makeup, gdb = solve(makeup)
        hot = np.flatnonzero(m.upper(gdb) > aim * M._UNDER_READ)
        tp = m.sig.peaks(hot, m.gains(gdb), refine_above=aim * M._UNDER_READ)
        if (tp > aim).any() and attempt < 5:
            m.extra[hot[tp > aim]] += 20 * np.log10(tp[tp > aim] / aim) + 0.05
            continue
        gb = (10 ** (gdb / 20)).astype(np.float32)
        loud, _, _ = meter.run(x, partial(expand_range, gb, x.n, loop))
        renders += 1
        if abs(loud - target_lufs) <= 0.2 or makeup >= M.MAX_GAIN_DB or renders == 2:
            break
        offset = loud - m.loudness(gdb)
    tp_max = m.sig.max_peak(m.upper(gdb), m.gains(gdb))
    return float(makeup), float(loud), M._db(tp_max), gb


def mastered(x: Track, gb: np.ndarray | None, loop: bool, a: int, b: int) -> np.ndarray:
    """Samples a..b of the mastered track: x times the limiter's gain, clipped as
    master.master clips (zeros for silence)."""
    if gb is None:
        return np.zeros((b - a, x.ch), np.float32)
    y = x.read(a, b)
    y *= expand_range(gb, x.n, loop, a, b)[:, None]
    return np.clip(y, -0.999, 0.999, out=y)
