"""Lo-fi's vinyl texture, made by block: a hiss loop made once per process and read from
each track's seeded offset, and pops drawn afresh for every chunk of the track (seeded per
track and chunk), so any block can be made on its own and a seed gives the same texture.
render.py levels it under the music."""

from __future__ import annotations

from functools import cache

import numpy as np
import pedalboard as pb

from nemodesk.engine.music import dsp
from nemodesk.engine.music.groove import rng_for

TEXTURE_LOOP_S = 37.0  # the vinyl hiss is one seeded loop this long, made once
POPS_PER_S = 6.0  # crackle: pops a second, drawn afresh for every stretch of the track
POP_CHUNK = 1 << 15  # samples whose pops one generator draws (any block can draw its own)


@cache
def hiss_loop(sr: int) -> np.ndarray:
    """Vinyl hiss, low-passed, as a loop made once per process (each track reads it from its
    own seeded offset). Circular: the low-pass runs with the loop's own end as pre-roll, so
    tiling it leaves no seam; a noise repeating every 37 s is not heard as repeating."""
    n = int(TEXTURE_LOOP_S * sr)
    hiss = rng_for(0, "texture").normal(0.0, 0.0025, (n, 2)).astype(np.float32)
    pre = int(0.5 * sr)
    lp = pb.LowpassFilter(cutoff_frequency_hz=5000)
    out = lp(np.concatenate([hiss[-pre:], hiss]).T.copy(), sr)[:, pre:].T.copy()
    out.setflags(write=False)
    return out


@cache
def _pop_shape(sr: int) -> np.ndarray:
    """One pop: a smooth 1.5 ms bump, not a one-sample step (texture, never a click)."""
    return np.hanning(int(0.0015 * sr) + 2)[1:-1].astype(np.float32)


def _pops(sr: int, seed: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """Start samples and heights of the pops in one chunk of the track. Pops were part of
    the 37 s loop, so their pattern came round again every 37 s, which an ear that has
    heard it once notices; now every chunk draws its own."""
    rng = rng_for(seed, "pops", str(chunk))
    count = int(rng.poisson(POPS_PER_S * POP_CHUNK / sr))
    at = chunk * POP_CHUNK + np.sort(rng.integers(0, POP_CHUNK, count))
    return at, rng.uniform(0.02, 0.06, count).astype(np.float32)


@cache
def texture_db(sr: int) -> float:
    """The texture's RMS (dB) as the renderer levels it: the hiss loop and the pops a loop's
    length would hold."""
    hiss = hiss_loop(sr)
    n = len(hiss)
    return dsp.rms_db(hiss + _pops_block(sr, 0, 0, n, n))


def texture_start(sr: int, seed: int) -> int:
    return int(rng_for(seed, "texture").integers(0, len(hiss_loop(sr))))


def _pops_block(sr: int, seed: int, a: int, b: int, n: int) -> np.ndarray:
    """Samples a..b of the track's pops (both channels); a pop that would run past the
    track's end ``n`` is left out (a loop's seam stays clean)."""
    shape = _pop_shape(sr)
    k = len(shape)
    out = np.zeros((b - a, 2), dtype=np.float32)
    for chunk in range(max(0, a - k) // POP_CHUNK, (b - 1) // POP_CHUNK + 1):
        at, height = _pops(sr, seed, chunk)
        for p, h in zip(at.tolist(), height.tolist(), strict=True):
            if p + k > n or p + k <= a or p >= b:
                continue
            lo, hi = max(p, a), min(p + k, b)
            out[lo - a : hi - a] += (h * shape[lo - p : hi - p])[:, None]
    return out


def texture_block(sr: int, seed: int, a: int, b: int, n: int) -> np.ndarray:
    """Samples a..b of the track's texture: the process's hiss loop read from the track's
    seeded offset, tiled, plus its own pops."""
    loop = hiss_loop(sr)
    out = np.empty((b - a, 2), dtype=np.float32)
    pos, at = 0, (texture_start(sr, seed) + a) % len(loop)
    while pos < b - a:
        take = min(b - a - pos, len(loop) - at)
        out[pos : pos + take] = loop[at : at + take]
        pos, at = pos + take, 0
    out += _pops_block(sr, seed, a, b, n)
    return out
