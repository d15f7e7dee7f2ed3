"""Audio spooled to disk: full-length float32 tracks kept in scratch files and read,
written and mastered by blocks, so a render's memory does not grow with the track's length.

A ``Spool`` holds the ``Track``s of one render: raw (n, channels) float32 arrays in
unlinked scratch files (nothing is left behind), written with ``pwrite`` and read with
``pread`` (the page cache holds them, not this process), handed on to the next render when
closed (writing over cached pages is quicker than new ones). Nothing is memory-mapped: the
pages a mapping faults in count as the process's own. ``master_track`` is master.master
over a Track: loudness and block peaks in one pass, the same solve and limiter, its gain
verified in a second pass; ``mastered`` makes any block of the output.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterator
from functools import partial

import numpy as np
from numpy.lib.stride_tricks import as_strided

SCRATCH_ENV = "NEMODESK_SCRATCH"  # where spools are made (default: the user's cache folder)
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
KEEP_FREE_BYTES = 4 << 30  # ... only while the disk has this much free besides
NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


class ScratchFull(OSError):
    """The disk that holds the render's scratch files is full (``filename``: the folder).
    Raised as ``ScratchFull(errno.ENOSPC, message, folder)``, so it crosses a process pool
    intact."""


def _full(folder: str) -> ScratchFull:
    return ScratchFull(
        errno.ENOSPC,
        f"The disk that holds the render's working files ({folder}) is full: free some "
        f"space, or point {SCRATCH_ENV} at a folder on a larger disk.",
        folder,
    )


_FREE: list[tuple[int, int]] = []  # (fd, bytes) of spare scratch files, unlinked, kept open
_FREE_PID = os.getpid()
# reentrant: a Spool's finalizer (_close_all -> _give_file) can run from the garbage
# collector while this thread holds the lock in _take_file; a plain lock deadlocked there
_LOCK = threading.RLock()


def scratch_dir() -> str:
    """Where scratch files go: the user's cache folder, on disk. Not the system temp folder:
    on many Linux systems /tmp is a RAM disk, where the spools (and the spares kept for the
    next render) would be memory again."""
    env = os.environ.get(SCRATCH_ENV)
    if env:
        return env
    import platformdirs

    folder = platformdirs.user_cache_path("NemoDesk", appauthor=False) / "scratch"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


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
        fd, path = _on_disk(
            lambda: tempfile.mkstemp(prefix="nemodesk-render-", suffix=".f32", dir=scratch_dir())
        )
        os.unlink(path)
        pick = (fd, 0)
    fd, size = pick
    if size < nbytes:
        try:
            _on_disk(lambda: os.ftruncate(fd, nbytes))
        except OSError:
            os.close(fd)
            raise
        size = nbytes
    return fd, size


def _on_disk(op):
    """``op()``; on a full disk once more after the spare files are given back (they may be
    what filled it), then ScratchFull."""
    retried = False
    while True:
        try:
            return op()
        except OSError as e:
            if e.errno not in NO_SPACE:
                raise
            if retried or not drop_spares():
                raise _full(scratch_dir()) from e
            retried = True


def _give_file(fd: int, size: int) -> None:
    """Keep a closed track's file for the next render, unless the kept ones would pass
    KEEP_BYTES or the disk is getting full (a spare's space is the user's otherwise)."""
    roomy = _free_bytes() >= KEEP_FREE_BYTES  # (no I/O while the lock is held)
    with _LOCK:
        if os.getpid() == _FREE_PID and sum(f[1] for f in _FREE) + size <= KEEP_BYTES and roomy:
            _FREE.append((fd, size))
            return
    os.close(fd)


def _free_bytes() -> int:
    try:
        return shutil.disk_usage(scratch_dir()).free
    except OSError:
        return 0


def drop_spares() -> int:
    """Close the spare scratch files (their disk space goes back); the bytes they held."""
    with _LOCK:
        spares = list(_FREE) if os.getpid() == _FREE_PID else []
        _FREE.clear()
    for fd, _ in spares:
        with contextlib.suppress(OSError):
            os.close(fd)
    return sum(size for _, size in spares)


class Track:
    """A (n, channels) float32 array in a scratch file."""

    def __init__(self, n: int, ch: int) -> None:
        self.n, self.ch = n, ch
        self.shape = (n, ch)
        self._fd, self._size = _take_file(max(1, n * ch * 4))

    def __len__(self) -> int:
        return self.n

    def write(self, a: int, data: np.ndarray) -> None:
        """Write samples from ``a``; a full disk first gives back the spare files (they may
        be what filled it), then raises ScratchFull."""
        buf = np.ascontiguousarray(data, dtype=np.float32)
        view, off = memoryview(buf).cast("B"), a * self.ch * 4
        while view:
            done = _on_disk(partial(os.pwrite, self._fd, view, off))
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

    def close(self) -> None:
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


WINDOW_GAP = 1 << 12  # windows closer than this (samples) are read in one span
WINDOW_SPAN = 1 << 18  # samples read at most in one span


def _signal(x: Track, loop: bool, peak: np.ndarray):
    """master._Signal over a track: block peaks from the analysis pass; the samples each
    true-peak window needs read with pread, nearby windows in one span (no mapping: a
    mapped file's pages, faulted in around every window, would count as this process's)."""
    from nemodesk.engine.music import master as M

    n, ch = x.shape
    edge = min(n, 2 * M._WIDTH + M._B)  # what windows past either end can reach
    head, tail_x = x.read(0, edge), x.read(n - edge, n)

    def at(p: np.ndarray) -> np.ndarray:  # samples at positions within edge of either end
        return np.where(
            (p < edge)[..., None],
            head[np.minimum(p, edge - 1)],
            tail_x[np.clip(p - (n - edge), 0, edge - 1)],
        )

    class _TrackSignal(M._Signal):
        def __init__(self) -> None:
            self.x, self.loop = None, loop
            self.n, self.ch = n, ch
            self.nb = -(-n // M._B)
            full = n // M._B
            pk = peak
            if full < self.nb:
                last = np.arange(full * M._B, self.nb * M._B if loop else n) % n
                pk = np.r_[pk, np.abs(at(last)).max()]
            self.peak = pk
            nbr = _max_filter(pk, 5 if loop else 3, loop)
            self.bound = nbr * max(1.0, M._tp_matrix()[1])
            self.tp = np.full(self.nb, np.nan, dtype=np.float32)

        def windows(self, idx: np.ndarray) -> np.ndarray:
            """(k, channels, WIDTH) copies of the samples each block's true peak needs."""
            w = M._WIDTH
            start = idx * M._B - M._CTX
            out = np.empty((idx.size, ch, w), dtype=np.float32)
            inner = (start >= 0) & (start + w <= n)
            rows = np.flatnonzero(inner)
            if rows.size:
                order = rows[np.argsort(start[rows], kind="stable")]
                s = start[order]
                cut = np.flatnonzero(np.diff(s) > WINDOW_GAP) + 1
                bounds = [0, *cut.tolist(), s.size]
                for i0, i1 in itertools.pairwise(bounds):
                    j = i0
                    while j < i1:  # spans of at most WINDOW_SPAN samples
                        k = j + int(np.searchsorted(s[j:i1], s[j] + WINDOW_SPAN, "right"))
                        lo, hi = int(s[j]), int(s[k - 1]) + w
                        buf = x.read(lo, hi)
                        s0, s1 = buf.strides
                        every = as_strided(buf, (hi - lo - w + 1, ch, w), (s0, s1, s0))
                        out[order[j:k]] = every[s[j:k] - lo]
                        j = k
            if not inner.all():  # the first and last blocks: zeros or the other end beyond
                p = start[~inner, None] + np.arange(w)
                if loop:
                    win = at(p % n)
                else:
                    win = at(np.clip(p, 0, n - 1)) * ((p >= 0) & (p < n))[..., None]
                out[~inner] = win.transpose(0, 2, 1)
            return out

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
