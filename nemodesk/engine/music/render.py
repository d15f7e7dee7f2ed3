"""Render: notes to stems (one per instrument group), effects per genre, mix, master —
in time blocks streamed to disk, so memory stays flat whatever the track's length.

Stems are the groups after their own effects (EQ, compression, lo-fi colour); the genre's
reverb is one shared bus fed by the harmonic groups and delivered as its own "reverb" stem,
as studios deliver an FX return. The stems add up exactly to the mix before mastering.

Every full-length signal lives in a ``spool`` (raw float32 files in a private temp folder)
and is made or read ``spool.BLOCK`` samples (~6 s) at a time:

1. stems: each block of every group is synthesised from its notes (any block can be made
   on its own: a note is an overlap-add of a cached sample), run through the group's chain
   with its state (filters, compressor) carried from the block before, wowed and ducked,
   and written out; the sums the stereo placement needs are kept on the way;
2. (genres with risers and impacts) the bus level those are set against;
3. the reverb bus: the placed stems' sends through one reverb, its state carried;
4. the mix before mastering, and the bus glue's level per 256 samples;
5. the level curve (energy arc, fade-in, ring-out, glue; a loop's seam) applied, the lo-fi
   texture added, then mastering by blocks (spool.master_track): loudness measured over
   the whole track, then gain and limiter, in two passes.

Chains run on the engine's thread pool, one per stem, while the next block is synthesised
(pedalboard and sosfilt free the GIL). In a loop every stateful effect first runs over the
track's own end (LOOP_PREROLL_S), so the state at the first sample is the state after the
last: no seam.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pedalboard as pb

from nemodesk.engine.music import dsp, production, spool, texture, threads
from nemodesk.engine.music.genres import GENRE_TEMPLATES, Genre
from nemodesk.engine.music.groove import rng_for
from nemodesk.engine.music.score import Part, Score
from nemodesk.engine.music.spool import Spool, Track, blocks
from nemodesk.engine.music.synth import NoteSampler, placed_notes

log = logging.getLogger(__name__)

LOOP_PREROLL_S = 4.0  # effect state catch-up before a loop's start or a stream's
SPLIT_MIN_S = 20.0  # a reverb bus at least this long runs as two streams at once
SPLICE_S = 0.05  # crossfade where the two streams meet
FADE_IN_S = 0.004
ENERGY_DB = 8.0  # level change per unit of section energy (on top of velocity and density)
WIDTH_CAP = 0.4  # side / mid RMS of a stem, at most (before it is panned)
REVERB_SENDS = {"chords": 1.0, "pads": 1.3, "melody": 1.0, "hits": 0.5, "fx": 0.6}
GLUE_BLOCK = 256  # the bus glue's level is read per this many samples


def _chain(group: str, genre: Genre) -> production.Chain:
    """A stem group's effects for a genre (production.chain, by the genre's production)."""
    prod = production.production_for(genre.name, lofi=genre.lofi, bright=genre.bright)
    return production.chain(group, prod)


# ---------------------------------------------------------------- effects with state


def _stream_stage(stage, sr: int) -> Callable[[np.ndarray], np.ndarray]:
    """One stage of a chain as a function of consecutive blocks, its state carried: a
    pedalboard board is not reset after the first block, a sosfilt run keeps its zi, the
    numpy steps (gain, saturation, crusher) have no state."""
    if isinstance(stage, pb.Pedalboard | pb.Plugin):
        first = [True]

        def board(x: np.ndarray) -> np.ndarray:
            out = stage(x, sr, reset=first[0])
            first[0] = False
            return out

        return board
    spec = _filter_spec(stage)
    if spec is not None:
        sos = production._sos(spec, sr)
        zi: list = [None]

        def filt(x: np.ndarray) -> np.ndarray:
            if zi[0] is None:
                zi[0] = np.zeros((sos.shape[0], 2, x.shape[1]), dtype=sos.dtype)
            y, zi[0] = dsp.sosfilt(sos, x, axis=0, zi=zi[0])
            return y

        return filt
    return lambda x: stage(x, sr)


def _filter_spec(stage) -> tuple | None:
    """The filter run of a production._filters stage, or None for any other stage."""
    return getattr(stage, "filters", None)


class StreamChain:
    """A chain (production.Chain or a board factory's board) run block after block."""

    def __init__(self, chain, sr: int) -> None:
        stages = chain.stages if isinstance(chain, production.Chain) else [chain]
        self.stages = [_stream_stage(s, sr) for s in stages]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        for stage in self.stages:
            x = stage(x)
        return np.ascontiguousarray(x, dtype=np.float32)


# ---------------------------------------------------------------- synthesis by block


class _Take:
    """One part's notes as overlap-add segments (as synth.render_part places them): any
    block of the part can be made on its own, sample for sample the same."""

    def __init__(self, part: Part, sampler, n: int, loop: bool) -> None:
        self.sampler = sampler
        self.audio: list[np.ndarray] = []
        self.scale: list[float] = []
        dst, src, ln, which = [], [], [], []
        for pos, audio, scale in placed_notes(part, sampler, n):
            k = len(self.audio)
            self.audio.append(audio)
            self.scale.append(scale)
            end = min(pos + len(audio), n)
            dst.append(pos), src.append(0), ln.append(end - pos), which.append(k)
            done = end - pos
            while loop and done < len(audio):  # a loop's tails wrap round to its start
                take_n = min(n, len(audio) - done)
                dst.append(0), src.append(done), ln.append(take_n), which.append(k)
                done += take_n
        self.dst = np.array(dst, dtype=np.int64)
        self.src = np.array(src, dtype=np.int64)
        self.end = self.dst + np.array(ln, dtype=np.int64)
        self.which = which

    def add(self, out: np.ndarray, a: int) -> None:
        """Add the part's samples a .. a + len(out) into out."""
        b = a + len(out)
        hit = np.flatnonzero((self.dst < b) & (self.end > a))
        for j in hit.tolist():
            d, e = int(self.dst[j]), int(self.end[j])
            lo, hi = max(d, a), min(e, b)
            if hi <= lo:
                continue
            k = self.which[j]
            s0 = int(self.src[j]) + lo - d
            audio = self.audio[k][s0 : s0 + hi - lo]
            tmp = self.sampler.scratch(len(audio))
            np.multiply(audio, np.float32(self.scale[k]), out=tmp)
            out[lo - a : hi - a] += tmp


@dataclass
class _Group:
    """What one stem group plays: parts added straight in, and layered pairs (a detuned
    lead, double-tracked chords) spread left and right."""

    takes: list = field(default_factory=list)  # _Take, or (_Take, _Take, bleed)

    def block(self, a: int, b: int) -> np.ndarray:
        out = np.zeros((b - a, 2), dtype=np.float32)
        for t in self.takes:
            if isinstance(t, _Take):
                t.add(out, a)
                continue
            left, right, bleed = t
            pair = [np.zeros((b - a, 2), dtype=np.float32) for _ in range(2)]
            left.add(pair[0], a)
            right.add(pair[1], a)
            out += production.spread(*pair, bleed=bleed)
        return out


def _groups(score: Score, sampler: NoteSampler, prod: production.Production, seed: int):
    """Each part into its group; a detuned lead is played twice (sharp on the left, flat on
    the right), double-tracked chords twice (one take each side)."""
    n, loop = score.n_samples, score.loop
    groups: dict[str, _Group] = {}
    for part in score.parts:
        g = groups.setdefault(part.group, _Group())
        if part.group == "melody" and prod.detune_cents:
            g.takes.append(
                (
                    _Take(part, production.detuned(sampler, prod.detune_cents), n, loop),
                    _Take(part, production.detuned(sampler, -prod.detune_cents), n, loop),
                    0.35,
                )
            )
        elif part.group == "chords" and prod.double_track:
            second = production.second_take(part, seed)
            g.takes.append((_Take(part, sampler, n, loop), _Take(second, sampler, n, loop), 0.15))
        else:
            g.takes.append(_Take(part, sampler, n, loop))
    return groups


# ---------------------------------------------------------------- tape wow, sidechain


class _Wow:
    """production.wow by block: the same delay line, its history carried between blocks
    (a loop's first block reaches back into the track's end)."""

    def __init__(self, n: int, sr: int, rate_hz: float, cents: float, loop: bool) -> None:
        self.n, self.loop = n, loop
        dur = n / sr
        rates = [rate_hz, 5.7]
        depths = [cents, 0.8]
        if loop:
            rates = [max(1.0, round(r * dur)) / dur for r in rates]
        coarse = np.arange(0, n + production.WOW_CHUNK + 128, 64, dtype=np.float64)
        d = np.zeros_like(coarse)
        for r, c in zip(rates, depths, strict=True):
            amp_s = (2 ** (c / 1200) - 1) / (2 * math.pi * r)
            d += amp_s * sr * (1 + np.sin(2 * math.pi * r * coarse / sr))
        self.neg = (-(d + 1.0)).astype(np.float32)
        self.history = math.ceil(float(d.max())) + 8  # samples a block reaches back

    def __call__(self, x: np.ndarray, before: np.ndarray, a: int) -> np.ndarray:
        """Samples a .. a + len(x) wowed, given the ``history`` samples before a."""
        chunk, h = production.WOW_CHUNK, self.history
        frames = np.concatenate([before, x]).view(np.complex64).ravel()
        out = np.empty_like(x)
        for k0 in range(a, a + len(x), chunk):
            m = min(chunk, self.n - k0, a + len(x) - k0)
            back = production.knots_to_samples(
                self.neg[k0 // 64 : k0 // 64 + chunk // 64 + 1], 64, m
            )
            whole = np.floor(back)
            frac = np.repeat(back - whole, 2)
            i0 = np.arange(k0, k0 + m, dtype=np.intp)
            i0 += whole.astype(np.intp)
            if k0 == 0 and not self.loop:
                i0 = np.maximum(i0, 0)
            i0 += h - a  # into frames: the history first
            x0 = frames.take(i0).view(np.float32)
            x1 = frames.take(i0 + 1).view(np.float32)
            x1 -= x0
            x1 *= frac
            np.add(x0, x1, out=out[k0 - a : k0 - a + m].reshape(-1))
        return out


# ---------------------------------------------------------------- placement


class _Placement:
    """production.place as a function of blocks: the width cap needs the whole stem's
    L/R products, gathered while the stem is made."""

    def __init__(self) -> None:
        self.ll = self.rr = self.lr = 0.0
        self.m: np.ndarray | None = None
        self.bal: tuple[np.float32, np.float32] | None = None

    def gather(self, x: np.ndarray, sign: float = 1.0) -> None:
        gram = x.T @ x  # one BLAS product for the L.L, R.R and L.R sums
        self.ll += sign * float(gram[0, 0])
        self.rr += sign * float(gram[1, 1])
        self.lr += sign * float(gram[0, 1])

    def settle(self, cap: float, position: float = 0.0) -> _Placement:
        side2 = self.ll + self.rr - 2 * self.lr
        mid2 = self.ll + self.rr + 2 * self.lr
        bal = np.ones(2)
        if position:
            angle = (position + 1) * math.pi / 4
            bal = np.array([math.cos(angle), math.sin(angle)]) * math.sqrt(2)
        if side2 <= 0 or mid2 <= 0 or side2 <= cap * cap * mid2:
            if position:
                self.bal = (np.float32(bal[0]), np.float32(bal[1]))
            return self
        k = cap * math.sqrt(mid2 / side2)
        same, cross = 0.5 * (1 + k), 0.5 * (1 - k)
        self.m = (np.array([[same, cross], [cross, same]]) * bal[None, :]).astype(np.float32)
        return self

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The block placed, in place (blocks start on PLACE_CHUNK multiples)."""
        if self.m is not None:
            for s in range(0, len(x), production.PLACE_CHUNK):
                part = x[s : s + production.PLACE_CHUNK]
                part[:] = part @ self.m
        elif self.bal is not None:
            x[:, 0] *= self.bal[0]
            x[:, 1] *= self.bal[1]
        return x


# ---------------------------------------------------------------- level curve


def _linspace_at(start: float, stop: float, num: int, idx: np.ndarray) -> np.ndarray:
    """np.linspace(start, stop, num, dtype=float32)[idx], without the whole array."""
    step = (stop - start) / (num - 1) if num > 1 else 0.0
    y = idx.astype(np.float64) * step + start
    if num > 1:
        y[idx == num - 1] = stop
    return y.astype(np.float32)


class Envelope:
    """The level curve shared by every stem, by block: a smooth line through the sections'
    energies (at their midpoints, so a crescendo swells rather than steps), a 4 ms fade-in,
    and after the final chord has spoken, a decay to silence exactly at the last sample."""

    def __init__(self, score: Score, end_s: float, arc_db: float = ENERGY_DB) -> None:
        n, sr = score.n_samples, score.sample_rate
        self.n, self.loop = n, score.loop
        body = [s for s in score.sections if s.name != "ending"] or score.sections
        energies = np.array([s.energy for s in body])
        self.knots = None
        if len(body) > 1 and np.ptp(energies) > 0:
            mids = np.array([(s.start_s + s.end_s) / 2 for s in body]) * sr
            coarse = np.arange(0, n + 256, 256, dtype=np.float64)  # 6 ms knots
            self.knots = 10 ** (np.interp(coarse, mids, (energies - energies.max()) * arc_db) / 20)
        self.fi = min(n, max(1, int(FADE_IN_S * sr)))
        ring = score.duration_s - end_s
        start = int((end_s + 0.35 * ring) * sr) if end_s > 0 else int(0.2 * n)
        self.ring_at = min(max(start, self.fi), n - 1)
        self.head: np.ndarray | None = None  # a loop's seam gain over its first samples
        self.tail: np.ndarray | None = None  # ... and its last

    def __call__(self, a: int, b: int) -> np.ndarray:
        if self.knots is not None:
            off = a % 256  # knots are every 256th sample: a block may start between
            env = production.knots_to_samples(self.knots[a // 256 :], 256, b - a + off)[off:]
        else:
            env = np.ones(b - a, dtype=np.float32)
        if self.loop:
            if self.head is not None and a < len(self.head):
                hi = min(b, len(self.head))
                env[: hi - a] *= self.head[a:hi]
            if self.tail is not None and b > self.n - len(self.tail):
                t0 = self.n - len(self.tail)
                lo = max(a, t0)
                env[lo - a :] *= self.tail[lo - t0 : b - t0]
            return env
        if a < self.fi:
            hi = min(b, self.fi)
            env[: hi - a] *= _linspace_at(0.0, 1.0, self.fi, np.arange(a, hi))
        r0, count = self.ring_at, self.n - self.ring_at
        if count > 0 and b > r0:
            lo = max(a, r0)
            env[lo - a :] *= np.cos(_linspace_at(0.0, np.pi / 2, count, np.arange(lo, b) - r0)) ** 2
        return env

    def at(self, idx: np.ndarray) -> np.ndarray:
        """The curve at a few sample positions (the glue reads it at block centres)."""
        out = np.empty(idx.size, dtype=np.float32)
        for a, b in blocks(self.n):
            sel = (idx >= a) & (idx < b)
            if sel.any():
                out[sel] = self(a, b)[idx[sel] - a]
        return out


def envelope(score: Score, end_s: float, arc_db: float = ENERGY_DB) -> np.ndarray:
    """The whole level curve (Envelope, for short tracks and tests)."""
    env = Envelope(score, end_s, arc_db)
    return env(0, score.n_samples)


SEAM_WINDOW_S = 0.5  # the level either side of a loop's seam is measured over this
SEAM_MAX_DB = 12.0
SEAM_SMOOTH_S = 0.04


def _seam_ends(first: np.ndarray, last: np.ndarray, n: int, score: Score, sr: int):
    """A loop's level across its seam, as gains over its first and last ``ramp`` samples:
    a bar's raised-cosine lift into the end and dip out of the start, each half the
    difference between the first and the last half second, so the last bar flows into the
    first in level (a bar ends on its weak beats, the next one starts on a downbeat: played
    round, that would jump every repeat). None when there is nothing to even out."""
    w = min(int(SEAM_WINDOW_S * sr), n // 4)
    ramp = min(int(60.0 / score.bpm * score.beats_per_bar * sr), n // 3)
    if w < 16 or ramp < 16:
        return None
    step = dsp.rms_db(first[:w]) - dsp.rms_db(last[len(last) - w :])
    diff = float(np.clip(step, -SEAM_MAX_DB, SEAM_MAX_DB))
    if abs(diff) < 0.5:
        return None
    shape = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, ramp))  # 0 -> 1
    half = diff / 2
    head = -half * (1 - shape)
    tail = half * shape
    # the step at the seam itself is spread over SEAM_SMOOTH_S (played round, the curve is
    # continuous: no sample jumps where the gain turns)
    k = min(int(SEAM_SMOOTH_S * sr) | 1, ramp // 2 * 2 - 1)
    seam = np.concatenate([tail[-k:], head[:k]])
    win = np.hanning(k + 2)[1:-1]
    smooth = np.convolve(np.pad(seam, k // 2, mode="edge"), win / win.sum(), mode="valid")
    tail[-k:], head[:k] = smooth[:k], smooth[k:]
    return (10 ** (head / 20)).astype(np.float32), (10 ** (tail / 20)).astype(np.float32)


def seam_gain(mix: np.ndarray, score: Score, sr: int) -> np.ndarray:
    """The seam gain over a whole loop (see _seam_ends)."""
    n = len(mix)
    gain = np.ones(n, dtype=np.float32)
    ends = _seam_ends(mix, mix, n, score, sr)
    if ends is not None:
        gain[: len(ends[0])] = ends[0]
        gain[n - len(ends[1]) :] = ends[1]
    return gain


# ---------------------------------------------------------------- bus glue


def _glue_gains(ms, pre_gain_c, n, sr, ratio, under_db, loop, spare) -> np.ndarray | None:
    """production.glue's per-block gain (at GLUE_BLOCK centres) from the mix's mean square
    per block and the level curve at the block centres; None when it does nothing."""
    blk = GLUE_BLOCK
    nb = n // blk
    if nb < 8 or ratio <= 1:
        return None
    centres = (np.arange(nb) + 0.5) * blk
    ms = ms * np.square(pre_gain_c, dtype=np.float64)
    win = max(1, round(0.05 * sr / blk))
    ms = np.convolve(np.r_[ms[-win:] if loop else ms[:win], ms], np.ones(win) / win)[win : win + nb]
    db = 10 * np.log10(ms + 1e-12)
    loud = np.percentile(db[db > db.max() - 40], 95)
    over = np.maximum(0.0, db - (loud - under_db)) * (1 - 1 / ratio)
    gr = production._smooth_gr(
        over, math.exp(-blk / (0.030 * sr)), math.exp(-blk / (0.250 * sr)), loop
    )
    for t in spare:  # let go over the 20 ms into the hit, hold 0.6 s, back in over 1 s
        d = centres / sr - t
        w = np.clip(np.minimum((d + 0.03) / 0.02, (1.6 - d) / 1.0), 0.0, 1.0)
        gr *= 1 - (0.5 - 0.5 * np.cos(np.pi * w))
    return (10 ** (-gr / 20)).astype(np.float32)


def _glue_ramp(g: np.ndarray, n: int, loop: bool, a: int, b: int) -> np.ndarray:
    """Samples a..b of production._block_ramp(g, GLUE_BLOCK, n, loop)."""
    blk = GLUE_BLOCK
    nb, h = g.size, blk // 2
    if loop:
        centres = np.arange(nb) * blk + h
        return np.interp(np.arange(a, b), centres, g, period=n).astype(np.float32)
    out = np.empty(b - a, dtype=np.float32)
    ramp = np.arange(blk, dtype=np.float32) / blk
    q0 = max(0, (a - h) // blk)
    q1 = min(nb, -(-(b - h) // blk))
    if q1 > q0:
        nxt = np.r_[g[q0 + 1 : q1], g[-1] if q1 == nb else g[q1]]
        gq = g[q0:q1]
        body = (gq[:, None] + (nxt - gq)[:, None] * ramp).ravel()
        s0 = h + q0 * blk
        lo, hi = max(a, s0), min(b, s0 + body.size)
        if hi > lo:
            out[lo - a : hi - a] = body[lo - s0 : hi - s0]
    out[: max(0, min(b, h) - a)] = g[0]
    tail = h + nb * blk
    if b > tail:
        out[max(a, tail) - a :] = g[-1]
    return out


# ---------------------------------------------------------------- risers and impacts


class _Fx:
    """production.fx_stem by block: its events (risers, impacts) are made with the same
    random numbers, in order the first time; the generator's state before each is kept, so
    any event can be made again for a block that needs it (a few are kept made)."""

    KEEP = 6  # events kept made

    def __init__(self, sections, n: int, sr: int, prod, level_db: float, seed: int) -> None:
        self.n, self.sr = n, sr
        self.rng = rng_for(seed, "fx")
        on_cut = {s.start_s for s in sections if s.on_cut}
        self.events: list[tuple[int, int, str, np.float32]] = []  # (from, to, kind, level)
        for t in production._changes(sections, 3.0):
            start = round(t * sr)
            if prod.risers is not None and start < n and t not in on_cut:
                m = min(int(3.0 * sr), start)
                level = np.float32(10 ** ((level_db + prod.risers) / 20))
                self.events.append((start - m, start, "riser", level))
            if prod.impacts is not None and start < n:
                m = min(int(2.5 * sr), n - start)
                level = np.float32(10 ** ((level_db + prod.impacts) / 20))
                self.events.append((start, start + m, "impact", level))
        self.states: list = []  # the generator before event j
        self.made: dict[int, np.ndarray] = {}

    def _make(self, j: int, rng) -> np.ndarray:
        e0, e1, kind, level = self.events[j]
        if kind == "riser":
            return production.riser(e1 - e0, self.sr, rng) * level
        return production.impact(self.sr, rng)[: e1 - e0] * level

    def event(self, j: int) -> np.ndarray:
        while len(self.states) <= j:  # first time through: in order, the stem's draws
            k = len(self.states)
            self.states.append(copy.deepcopy(self.rng))
            self.made[k] = self._make(k, self.rng)
            while len(self.made) > self.KEEP:
                del self.made[next(iter(self.made))]
        if j not in self.made:
            self.made[j] = self._make(j, copy.deepcopy(self.states[j]))
        audio = self.made.pop(j)
        self.made[j] = audio  # most recently used last
        while len(self.made) > self.KEEP:
            del self.made[next(iter(self.made))]
        return audio

    def block(self, a: int, b: int) -> np.ndarray:
        out = np.zeros((b - a, 2), dtype=np.float32)
        for j, (e0, e1, _, _) in enumerate(self.events):
            if e0 < b and e1 > a:
                lo, hi = max(a, e0), min(b, e1)
                out[lo - a : hi - a] += self.event(j)[lo - e0 : hi - e0]
        return out


# ---------------------------------------------------------------- the render


@dataclass
class _Source:
    """A track made by a function of blocks, read like a spool.Track."""

    read: Callable[[int, int], np.ndarray]
    n: int
    ch: int = 2

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, self.ch)


class _Stems(Mapping):
    """Stems after effects and placement, before the level curve, loaded on demand."""

    def __init__(self, rendered: Rendered) -> None:
        self._r = rendered

    def __getitem__(self, group: str) -> np.ndarray:
        return self._r.raw_block(group, 0, self._r.n_samples)

    def __iter__(self) -> Iterator[str]:
        return iter(self._r.groups)

    def __len__(self) -> int:
        return len(self._r.groups)


class Rendered:
    """A render spooled to disk: the mastered mix, the mix before mastering and every stem
    can be read by block (for files) or whole (for short tracks and tests)."""

    def __init__(
        self,
        *,
        n: int,
        sr: int,
        spool_: Spool,
        mix: Callable[[int, int], np.ndarray],
        unmastered: Track,
        loudness_lufs: float,
        true_peak_db: float,
        master_gain_db: float,
        raw: dict[str, Callable[[int, int], np.ndarray]],
        env: Callable[[int, int], np.ndarray],
    ) -> None:
        self.n_samples, self.sample_rate = n, sr
        self._spool, self._mix, self._unmastered = spool_, mix, unmastered
        self.loudness_lufs = loudness_lufs
        self.true_peak_db = true_peak_db
        self.master_gain_db = master_gain_db
        self._raw, self._env = raw, env
        self.raw_stems = _Stems(self)

    @property
    def groups(self) -> list[str]:
        return list(self._raw)

    @property
    def mix(self) -> np.ndarray:
        """The mastered mix, (n, 2) float32."""
        return self._mix(0, self.n_samples)

    @property
    def unmastered(self) -> np.ndarray:
        """The sum of the stems (level curve applied) before mastering."""
        return self._unmastered.load()

    @property
    def envelope(self) -> np.ndarray:
        """(n,) level curve (energy arc, fade-in, ring-out, glue) applied to all."""
        return self._env(0, self.n_samples)

    def mix_block(self, a: int, b: int) -> np.ndarray:
        return self._mix(a, b)

    def raw_block(self, group: str, a: int, b: int) -> np.ndarray:
        return self._raw[group](a, b)

    def stem_block(self, group: str, a: int, b: int) -> np.ndarray:
        gain = np.float32(10 ** (self.master_gain_db / 20))
        return production.scale_rows(self._raw[group](a, b), self._env(a, b) * gain)

    def stem(self, group: str) -> np.ndarray:
        """A stem as delivered: shaped like the mix and scaled by the master gain, so the
        stems add up to the track before its limiter."""
        return self.stem_block(group, 0, self.n_samples)

    def close(self) -> None:
        """Remove the spooled files (also done when the object is collected)."""
        self._spool.close()


class _Laps:
    """Wall time per phase of a render (logged at debug level)."""

    def __init__(self) -> None:
        self.t = (time.perf_counter(), time.process_time(), time.thread_time())
        self.laps: dict[str, tuple[float, float, float]] = {}

    def __call__(self, name: str) -> None:
        now = (time.perf_counter(), time.process_time(), time.thread_time())
        self.laps[name] = tuple(round(b - a, 3) for a, b in zip(self.t, now, strict=True))
        self.t = now

    def __repr__(self) -> str:  # wall, CPU of every thread, CPU of the calling thread
        return " ".join(f"{k} {w:.2f}/{c:.2f}/{m:.2f}" for k, (w, c, m) in self.laps.items())


def _order(n: int, pre: int, loop: bool) -> list[tuple[int, int]]:
    """The blocks a stateful pass runs over: a loop's pre-roll (its last pre samples), then
    the track."""
    head = [(n - pre, n)] if loop and pre else []
    return head + list(blocks(n))


def render(
    score: Score,
    sampler: NoteSampler,
    *,
    end_s: float,
    seed: int,
    target_lufs: float = -14.0,
    bus_offset_db: float = 0.0,
) -> Rendered:
    """Synthesis, effects per stem, placement, the shared reverb bus, the genre's ear candy
    (risers, impacts, vinyl texture), the level curve with the glue compressor, mastering:
    by blocks through a spool on disk. ``bus_offset_db``: how much louder the bus that the
    risers and impacts are set against is than this score's own (a head's is the whole
    track's)."""
    sr, n, loop = score.sample_rate, score.n_samples, score.loop
    genre = GENRE_TEMPLATES[score.genre]
    prod = production.production_for(score.genre, lofi=genre.lofi, bright=genre.bright)
    pool = threads.pool()
    store = Spool()
    try:
        lap = _Laps()
        groups = _groups(score, sampler, prod, seed)
        lap("notes")
        names = list(groups)
        has_bass = "bass" in groups
        chains = {g: StreamChain(production.chain(g, prod, has_bass), sr) for g in names}
        pre = min(n, int(LOOP_PREROLL_S * sr))
        pre_split = int(LOOP_PREROLL_S * sr)
        tonal = [g for g in ("chords", "pads", "melody", "bass") if g in groups]
        wow = _Wow(n, sr, *prod.wow, loop) if prod.wow[1] and tonal else None
        duck = None
        if prod.sidechain_db:
            kicks = production.kick_times(score.parts)
            duck = production.sidechain_knots(
                n, sr, kicks, prod.sidechain_db, 60.0 / score.bpm, loop
            )
        wowed = set(tonal) if wow else set()
        hist = {g: np.zeros((wow.history, 2), np.float32) for g in wowed} if wow else {}
        placed = {g: _Placement() for g in names}
        post = {g: store.track(f"stem-{g}", n) for g in names}

        # 1. stems: synthesis, chains (on the pool, while the next block is made), wow,
        # sidechain, the placement's sums
        order = _order(n, pre, loop)

        def dry(a: int, b: int) -> dict[str, np.ndarray]:
            return {g: groups[g].block(a, b) for g in names}

        cost = dict.fromkeys(names, 0.0)  # each chain's time on its last block

        def timed(g: str, x: np.ndarray) -> np.ndarray:
            t0 = time.perf_counter()
            y = chains[g](x)
            cost[g] = time.perf_counter() - t0
            return y

        def run(blocks_: dict[str, np.ndarray]):
            # the costliest chains first: the pool's threads finish the block together
            ranked = sorted(blocks_, key=lambda g: -cost[g])
            return {g: pool.submit(timed, g, blocks_[g]) for g in ranked}

        # each stem's chain gets its blocks in order, one at a time; the next block is
        # synthesised while the pool runs this one's chains
        pending = run(dry(*order[0]))
        for i, (a, b) in enumerate(order):
            ahead = dry(*order[i + 1]) if i + 1 < len(order) else None
            outs = {g: job.result() for g, job in pending.items()}
            if ahead is not None:
                pending = run(ahead)
            if loop and pre and i == 0:  # the pre-roll: only the state and the wow's history
                for g in wowed:
                    hist[g] = outs[g][-wow.history :].copy()
                continue
            for g in names:
                x = outs[g]
                if g in wowed:
                    y = wow(x, hist[g], a)
                    hist[g] = x[-wow.history :].copy()
                    x = y
                if duck is not None and g in ("pads", "bass"):
                    production.scale_rows(
                        x, production.knots_to_samples(duck[a // 64 :], 64, b - a)
                    )
                if not (prod.double_track and g == "chords"):
                    placed[g].gather(x)
                post[g].write(a, x)
        for g in names:
            if not (prod.double_track and g == "chords"):  # a spread pair is placed already
                placed[g].settle(prod.width.get(g, WIDTH_CAP), prod.pan.get(g, 0.0))

        def stem(g: str, a: int, b: int) -> np.ndarray:
            return placed[g](post[g].read(a, b))

        lap("stems")

        # 2. the bus level the risers and impacts are set against
        fx = None
        fx_track = None
        if prod.risers is not None or prod.impacts is not None:
            energy = 0.0
            for a, b in blocks(n):
                bus = sum(stem(g, a, b) for g in names)
                energy += float(np.sum(np.square(bus, dtype=np.float64)))
            bus_db = float(10 * np.log10(energy / (2 * n) + 1e-20)) + bus_offset_db
            fx = _Fx(score.sections, n, sr, prod, bus_db, seed)
            fx_track = store.track("stem-fx", n)

        lap("bus")

        # 3. the reverb bus (the dry sum of the stems written on the way). Freeverb is the
        # costliest effect, so a long track's bus runs as two streams at once: the second
        # half starts LOOP_PREROLL_S early (its state caught up), the first runs SPLICE_S
        # on, and the two are crossfaded there.
        room, wet = genre.reverb

        def reverb() -> StreamChain:
            board = pb.Pedalboard(
                [
                    pb.HighpassFilter(cutoff_frequency_hz=150),
                    pb.Reverb(
                        room_size=room, damping=0.45, wet_level=wet * 1.6, dry_level=0.0, width=1.0
                    ),
                ]
            )
            return StreamChain(board, sr)

        verb_raw = store.track("stem-reverb", n)
        mixed = store.track("mix-in", n)
        verb_place = _Placement()
        spans = list(blocks(n))
        head = [(n - pre, n, "pre")] if loop and pre else []
        xf = int(SPLICE_S * sr)
        if len(spans) >= 4 and n >= SPLIT_MIN_S * sr:
            k = len(spans) // 2
            mid = spans[k][0]
            streams = [
                [*head, *((a, b, "out") for a, b in spans[:k]), (mid, mid + xf, "tail")],
                [(mid - min(pre_split, mid), mid, "pre"), *((a, b, "out") for a, b in spans[k:])],
            ]
        else:
            mid = None
            streams = [[*head, *((a, b, "out") for a, b in spans)]]
        verbs = [reverb() for _ in streams]
        tail = first = None  # the first stream's run past mid; the second's first samples
        for step in range(max(len(q) for q in streams)):
            jobs = []
            for q, seq in enumerate(streams):
                if step >= len(seq):
                    continue
                a, b, kind = seq[step]
                parts = {g: stem(g, a, b) for g in names}
                if fx is not None:
                    parts["fx"] = fx.block(a, b)
                send = np.zeros((b - a, 2), dtype=np.float32)
                for g, level in REVERB_SENDS.items():
                    if g in parts:
                        send += parts[g] * np.float32(level)
                jobs.append((a, kind, pool.submit(verbs[q], send)))
                if kind == "out":
                    dry = np.zeros((b - a, 2), dtype=np.float32)
                    for x in parts.values():
                        dry += x
                    mixed.write(a, dry)
                    if fx_track is not None:
                        fx_track.write(a, parts["fx"])
            for a, kind, job in jobs:
                r = job.result()
                if kind == "tail":
                    tail = r
                elif kind == "out":
                    if a == mid:
                        first = r[:xf].copy()
                    verb_place.gather(r)
                    verb_raw.write(a, r)
        if tail is not None and first is not None:
            fade = np.linspace(0.0, 1.0, xf, dtype=np.float32)[:, None]
            joined = tail + (first - tail) * fade
            verb_place.gather(joined)
            verb_place.gather(first, sign=-1.0)
            verb_raw.write(mid, joined)
        verb_place.settle(prod.width.get("reverb", WIDTH_CAP))
        lap("reverb")

        # 4. the mix before the level curve (the dry sum and the placed reverb), and the
        # glue's level per block
        def unlevelled(a: int, b: int) -> np.ndarray:
            x = mixed.read(a, b)
            x += verb_place(verb_raw.read(a, b))
            return x

        nb = n // GLUE_BLOCK
        ms = np.empty(nb, dtype=np.float32)

        def mean_squares(span: tuple[int, int]) -> None:  # blocks run on the pool at once
            a, b = span
            x = unlevelled(a, b)
            rows = min(nb, b // GLUE_BLOCK) - a // GLUE_BLOCK
            if rows > 0:
                flat = x[: rows * GLUE_BLOCK].reshape(rows, -1)
                power = np.einsum("ij,ij->i", flat, flat) / (2 * GLUE_BLOCK)
                ms[a // GLUE_BLOCK : a // GLUE_BLOCK + rows] = power

        list(pool.map(mean_squares, blocks(n)))

        lap("glue")

        # 5. the level curve (a loop's seam, the glue) and the texture; then mastering
        env = Envelope(score, end_s, prod.arc_db)
        if loop:
            w = min(int(SEAM_WINDOW_S * sr), n // 4)
            ends = _seam_ends(unlevelled(0, w), unlevelled(n - w, n), n, score, sr)
            if ends is not None:
                env.head, env.tail = ends
        centres = ((np.arange(nb) + 0.5) * GLUE_BLOCK).astype(np.intp)
        g_blocks = _glue_gains(ms, env.at(centres), n, sr, *prod.glue, loop, score.hits_s)

        def level(a: int, b: int) -> np.ndarray:
            e = env(a, b)
            if g_blocks is not None:
                e *= _glue_ramp(g_blocks, n, loop, a, b)
            return e

        raw: dict[str, Callable[[int, int], np.ndarray]] = {
            g: (lambda a, b, g=g: stem(g, a, b)) for g in names
        }
        if fx_track is not None:
            raw["fx"] = fx_track.read
        raw["reverb"] = lambda a, b: verb_place(verb_raw.read(a, b))
        vinyl = None
        if prod.texture_db is not None:
            # hiss and crackle sit texture_db under the music, whatever the master gain
            tex_db = texture.texture_db(sr)
            lufs = spool.loudness_of(_Source(unlevelled, n), sr, level)
            tex_gain = np.float32(10 ** ((lufs - prod.texture_db - tex_db) / 20))

            def vinyl(a: int, b: int) -> np.ndarray:
                return texture.texture_block(sr, seed, a, b, n) * tex_gain

            raw["texture"] = vinyl

        def levelled(span: tuple[int, int]) -> None:  # each block in place, on the pool
            a, b = span
            e = level(a, b)
            x = production.scale_rows(unlevelled(a, b), e)
            if vinyl is not None:
                x += production.scale_rows(vinyl(a, b), e)
            mixed.write(a, x)

        list(pool.map(levelled, blocks(n)))
        lap("level")
        gain_db, lufs, tp_db, limiter = spool.master_track(
            mixed, sr, target_lufs=target_lufs, loop=loop
        )
        lap("master")
        log.debug("render %.0f s: %s", score.duration_s, lap)
        return Rendered(
            n=n,
            sr=sr,
            spool_=store,
            mix=partial(spool.mastered, mixed, limiter, loop),
            unmastered=mixed,
            loudness_lufs=lufs,
            true_peak_db=tp_db,
            master_gain_db=gain_db,
            raw=raw,
            env=level,
        )
    except BaseException:
        store.close()
        raise
