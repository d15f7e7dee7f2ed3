"""Render: notes to stems (one per instrument group), effects per genre, mix, master.

Stems are the groups after their own effects (EQ, compression, lo-fi colour); the genre's
reverb is one shared bus fed by the harmonic groups and delivered as its own "reverb" stem,
as studios deliver an FX return. (Freeverb in pedalboard costs ~0.2 s per 90 s stem, so one
shared pass instead of one per stem is what keeps a 90 s track near a second.) Effects are
half the render's time and pedalboard releases the GIL, so every long stem is processed as
two pieces on the engine's thread pool, joined without a seam. The stems add up exactly to
the mix before mastering. In a loop, every stateful effect runs with the track's own end as
pre-roll, so the state at the first sample is the state after the last: no seam.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import cache, partial

import numpy as np
import pedalboard as pb

from nemodesk.engine.music import production, threads
from nemodesk.engine.music.genres import GENRE_TEMPLATES, Genre
from nemodesk.engine.music.groove import rng_for
from nemodesk.engine.music.master import master, measure_loudness
from nemodesk.engine.music.score import Score
from nemodesk.engine.music.synth import NoteSampler, render_part

LOOP_PREROLL_S = 4.0  # effect state catch-up before a loop's start or a piece's
SPLIT_MIN_S = 20.0  # stems at least this long are processed as two pieces at once
SPLICE_S = 0.05  # crossfade where two pieces of one stem meet
FADE_IN_S = 0.004
ENERGY_DB = 8.0  # level change per unit of section energy (on top of velocity and density)
WIDTH_CAP = 0.4  # side / mid RMS of a stem, at most (before it is panned)
REVERB_SENDS = {"chords": 1.0, "pads": 1.3, "melody": 1.0, "hits": 0.5, "fx": 0.6}


@dataclass
class Rendered:
    mix: np.ndarray  # mastered, (n, 2) float32
    unmastered: np.ndarray  # the sum of the stems before mastering
    loudness_lufs: float
    true_peak_db: float
    master_gain_db: float
    raw_stems: dict[str, np.ndarray]  # group -> audio after effects, before the envelope
    envelope: np.ndarray  # (n,) level curve (energy arc, fade-in, ring-out) applied to all

    @property
    def groups(self) -> list[str]:
        return list(self.raw_stems)

    def stem(self, group: str) -> np.ndarray:
        """A stem as delivered: shaped like the mix and scaled by the master gain, so the
        stems add up to the track before its limiter."""
        gain = np.float32(10 ** (self.master_gain_db / 20))
        return production.scale_rows(self.raw_stems[group].copy(), self.envelope * gain)


def _chain(group: str, genre: Genre) -> production.Chain:
    """A stem group's effects for a genre (production.chain, by the genre's production)."""
    prod = production.production_for(genre.name, lofi=genre.lofi, bright=genre.bright)
    return production.chain(group, prod)


def _pieces(n: int, sr: int) -> list[tuple[int, int]]:
    """Where a long stem is cut so its halves run on two cores (pedalboard frees the GIL)."""
    if n < SPLIT_MIN_S * sr:
        return [(0, n)]
    mid = n // 2
    return [(0, mid), (mid, n)]


def _effects(
    audio: np.ndarray,
    board: Callable[[], pb.Pedalboard],
    sr: int,
    loop: bool,
    pool: Executor,
) -> np.ndarray:
    """Run a fresh board() over (samples, channels) audio, in pieces on the pool; a split
    result is written over the input.

    Each piece after the first starts with LOOP_PREROLL_S of the audio before it, so its
    effects' state (compressor envelope, filter memory, reverb tail) has caught up when its
    own part begins; the earlier piece runs on for SPLICE_S past its end and the two are
    crossfaded there, so the join is as smooth as the audio. In a loop the first piece's
    pre-roll is the track's own end: the state at the first sample is the state after the
    last, no seam.
    """
    n = len(audio)
    pre = min(n, int(LOOP_PREROLL_S * sr))
    if loop:
        reps = -(-pre // n)
        audio = np.concatenate([np.tile(audio, (reps, 1))[-pre:], audio])
    off = pre if loop else 0  # where the track starts in `audio`
    cuts = _pieces(n, sr)
    xf = int(SPLICE_S * sr)

    def run(i: int) -> np.ndarray:
        a, b = cuts[i]
        lo = off + a - (pre if (i or loop) else 0)
        hi = off + b + (xf if i + 1 < len(cuts) else 0)
        return board()(audio[lo:hi], sr)[off + a - lo :]

    outs = list(pool.map(run, range(len(cuts))))
    if len(outs) == 1:  # a chain's sosfilt output may be column-major
        return np.ascontiguousarray(outs[0])
    out = audio[off : off + n]  # the input is spent: the result takes its place
    for (a, b), piece in zip(cuts, outs, strict=True):
        out[a:b] = piece[: b - a]
    fade = np.linspace(0.0, 1.0, xf, dtype=np.float32)[:, None]
    for (a, b), piece in zip(cuts[:-1], outs[:-1], strict=True):
        tail = piece[b - a : b - a + xf]
        out[b : b + xf] = tail + (out[b : b + xf] - tail) * fade
    return out


TEXTURE_LOOP_S = 37.0  # the vinyl texture is one seeded loop this long, made once


@cache
def _texture_loop(sr: int) -> tuple[np.ndarray, float]:
    """Vinyl crackle and hiss, about -50 dBFS RMS, as a loop made once per process (each
    track reads it from its own seeded offset), and its RMS in dB. Circular throughout: the
    pops wrap round and the low-pass runs with the loop's own end as pre-roll, so tiling it
    leaves no seam."""
    n = int(TEXTURE_LOOP_S * sr)
    rng = rng_for(0, "texture")
    hiss = rng.normal(0.0, 0.0025, (n, 2)).astype(np.float32)
    clicks = np.zeros((n, 2), dtype=np.float32)
    idx = rng.integers(0, n, max(1, n // (sr // 6)))
    clicks[idx] = rng.uniform(0.02, 0.06, (idx.size, 1)).astype(np.float32)
    # each pop is a smooth 1.5 ms bump, not a one-sample step: texture, never a click
    k = np.hanning(int(0.0015 * sr) + 2)[1:-1].astype(np.float32)
    h = k.size // 2
    wrapped = np.concatenate([clicks[-h:], clicks, clicks[: k.size]])
    crackle = np.stack(
        [np.convolve(wrapped[:, c], k, mode="same")[h : h + n] for c in range(2)], axis=1
    )
    raw = hiss + crackle
    pre = int(0.5 * sr)
    lp = pb.LowpassFilter(cutoff_frequency_hz=5000)
    out = lp(np.concatenate([raw[-pre:], raw]).T.copy(), sr)[:, pre:].T.copy()
    out.setflags(write=False)
    return out, _rms_db(out)


def _texture(n: int, sr: int, seed: int) -> tuple[np.ndarray, float]:
    """Vinyl crackle and hiss for lo-fi, from a seeded point of the process's texture loop
    (tiled when the track is longer), and its RMS in dB (the renderer levels it)."""
    loop, rms_db = _texture_loop(sr)
    start = int(rng_for(seed, "texture").integers(0, len(loop)))
    out = np.empty((n, 2), dtype=np.float32)
    pos = 0
    while pos < n:
        take = min(n - pos, len(loop) - start)
        out[pos : pos + take] = loop[start : start + take]
        pos, start = pos + take, 0
    return out, rms_db


def envelope(score: Score, end_s: float, arc_db: float = ENERGY_DB) -> np.ndarray:
    """The level curve shared by every stem: a smooth line through the sections' energies
    (at their midpoints, so a crescendo swells rather than steps), a 4 ms fade-in, and after
    the final chord has spoken, a decay to silence exactly at the last sample."""
    n, sr = score.n_samples, score.sample_rate
    body = [s for s in score.sections if s.name != "ending"] or score.sections
    env = np.ones(n, dtype=np.float32)
    energies = np.array([s.energy for s in body])
    if len(body) > 1 and np.ptp(energies) > 0:
        mids = np.array([(s.start_s + s.end_s) / 2 for s in body]) * sr
        coarse = np.arange(0, n + 256, 256, dtype=np.float64)  # the curve is slow: 6 ms knots
        gain = 10 ** (np.interp(coarse, mids, (energies - energies.max()) * arc_db) / 20)
        env = production.knots_to_samples(gain, 256, n)
    if score.loop:
        return env
    fi = min(n, max(1, int(FADE_IN_S * sr)))
    env[:fi] *= np.linspace(0.0, 1.0, fi, dtype=np.float32)
    ring = score.duration_s - end_s
    start = int((end_s + 0.35 * ring) * sr) if end_s > 0 else int(0.2 * n)
    start = min(max(start, fi), n - 1)
    if n - start > 0:
        env[start:] *= np.cos(np.linspace(0.0, np.pi / 2, n - start, dtype=np.float32)) ** 2
    return env


SEAM_WINDOW_S = 0.5  # the level either side of a loop's seam is measured over this
SEAM_MAX_DB = 12.0
SEAM_SMOOTH_S = 0.04


def _rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20))


def seam_gain(mix: np.ndarray, score: Score, sr: int) -> np.ndarray:
    """A loop's level across its seam: a bar's raised-cosine lift into the end and dip out
    of the start, each half the difference between the first and the last half second, so
    the last bar flows into the first in level (a bar ends on its weak beats, the next one
    starts on a downbeat: played round, that would jump every repeat)."""
    n = len(mix)
    w = min(int(SEAM_WINDOW_S * sr), n // 4)
    ramp = min(int(60.0 / score.bpm * score.beats_per_bar * sr), n // 3)
    gain = np.ones(n, dtype=np.float32)
    if w < 16 or ramp < 16:
        return gain
    diff = float(np.clip(_rms_db(mix[:w]) - _rms_db(mix[-w:]), -SEAM_MAX_DB, SEAM_MAX_DB))
    if abs(diff) < 0.5:
        return gain
    shape = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, ramp))  # 0 -> 1
    half = diff / 2
    db = np.zeros(n)
    db[:ramp] = -half * (1 - shape)
    db[-ramp:] = half * shape
    # the step at the seam itself is spread over SEAM_SMOOTH_S (played round, the curve is
    # continuous: no sample jumps where the gain turns)
    k = min(int(SEAM_SMOOTH_S * sr) | 1, ramp // 2 * 2 - 1)
    seam = np.concatenate([db[-k:], db[:k]])
    win = np.hanning(k + 2)[1:-1]
    smooth = np.convolve(np.pad(seam, k // 2, mode="edge"), win / win.sum(), mode="valid")
    db[-k:], db[:k] = smooth[:k], smooth[k:]
    return (10 ** (db / 20)).astype(np.float32)


def _synthesise(score: Score, sampler: NoteSampler, prod: production.Production, seed: int):
    """Each part into its group's stem; a detuned lead is played twice (sharp on the left,
    flat on the right), double-tracked chords twice (one take each side)."""
    n = score.n_samples
    stems: dict[str, np.ndarray] = {}
    for part in score.parts:
        if part.group not in stems:
            stems[part.group] = np.zeros((n, 2), dtype=np.float32)
        out = stems[part.group]
        if part.group == "melody" and prod.detune_cents:
            takes = [
                (part, production.detuned(sampler, prod.detune_cents)),
                (part, production.detuned(sampler, -prod.detune_cents)),
            ]
        elif part.group == "chords" and prod.double_track:
            takes = [(part, sampler), (production.second_take(part, seed), sampler)]
        else:
            render_part(part, sampler, out, loop=score.loop)
            continue
        pair = [np.zeros((n, 2), dtype=np.float32) for _ in takes]
        for (p, s), buf in zip(takes, pair, strict=True):
            render_part(p, s, buf, loop=score.loop)
        out += production.spread(*pair, bleed=0.35 if prod.detune_cents else 0.15)
    return stems


def _place(stems: dict[str, np.ndarray], score: Score, prod: production.Production) -> None:
    """Tape wow, the sidechain pump and the stereo placement, each stem in place."""
    sr, n = score.sample_rate, score.n_samples
    if prod.wow[1]:
        tonal = [g for g in ("chords", "pads", "melody", "bass") if g in stems]
        wowed = production.wow([stems[g] for g in tonal], sr, *prod.wow, loop=score.loop)
        stems.update(zip(tonal, wowed, strict=True))
    if prod.sidechain_db:
        kicks = production.kick_times(score.parts)
        gain = production.sidechain(n, sr, kicks, prod.sidechain_db, 60.0 / score.bpm, score.loop)
        for g in ("pads", "bass"):
            if g in stems:
                production.scale_rows(stems[g], gain)
    for g, audio in stems.items():
        if not (prod.double_track and g == "chords"):
            stems[g] = production.place(audio, prod.width.get(g, WIDTH_CAP), prod.pan.get(g, 0.0))


def render(
    score: Score, sampler: NoteSampler, *, end_s: float, seed: int, target_lufs: float = -14.0
) -> Rendered:
    """Synthesis, effects per stem, placement, the shared reverb bus, the genre's ear candy
    (risers, impacts, vinyl texture), the level curve with the glue compressor, mastering."""
    sr, n = score.sample_rate, score.n_samples
    genre = GENRE_TEMPLATES[score.genre]
    prod = production.production_for(score.genre, lofi=genre.lofi, bright=genre.bright)
    stems = _synthesise(score, sampler, prod, seed)
    pool = threads.pool()
    has_bass = "bass" in stems
    for group, audio in stems.items():  # one stem at a time: its two pieces fill the cores
        board = partial(production.chain, group, prod, has_bass)
        stems[group] = _effects(audio, board, sr, score.loop, pool)
    _place(stems, score, prod)
    bus_db = (
        _rms_db(sum(stems.values())) if prod.risers is not None or prod.impacts is not None else 0.0
    )
    fx = production.fx_stem(score.sections, n, sr, prod, bus_db, seed)
    if fx is not None:
        stems["fx"] = fx
    send = np.zeros((n, 2), dtype=np.float32)
    for group, level in REVERB_SENDS.items():
        if group in stems:
            send += stems[group] * np.float32(level)
    room, wet = genre.reverb

    def reverb() -> pb.Pedalboard:
        return pb.Pedalboard(
            [
                pb.HighpassFilter(cutoff_frequency_hz=150),
                pb.Reverb(
                    room_size=room, damping=0.45, wet_level=wet * 1.6, dry_level=0.0, width=1.0
                ),
            ]
        )

    stems["reverb"] = _effects(send, reverb, sr, score.loop, pool)
    stems["reverb"] = production.place(stems["reverb"], prod.width.get("reverb", WIDTH_CAP))
    env = envelope(score, end_s, prod.arc_db)
    unmastered = np.zeros((n, 2), dtype=np.float32)
    for audio in stems.values():
        unmastered += audio
    if score.loop:
        env = env * seam_gain(unmastered, score, sr)
    env *= production.glue(
        unmastered, sr, *prod.glue, loop=score.loop, spare=score.hits_s, pre_gain=env
    )
    production.scale_rows(unmastered, env)
    if prod.texture_db is not None:
        # hiss and crackle sit texture_db under the music, whatever the master gain
        texture, texture_db = _texture(n, sr, seed)
        level = measure_loudness(unmastered, sr) - prod.texture_db - texture_db
        texture *= np.float32(10 ** (level / 20))
        stems["texture"] = texture
        unmastered += production.scale_rows(texture.copy(), env)
    result = master(unmastered, sr, target_lufs=target_lufs, loop=score.loop)
    return Rendered(
        result.audio,
        unmastered,
        result.loudness_lufs,
        result.true_peak_db,
        result.gain_db,
        stems,
        env,
    )
