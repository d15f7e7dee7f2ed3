"""Render: notes to stems (one per instrument group), effects per genre, mix, master.

The stems are the groups after their effects, so they add up to the mix before mastering;
they are then scaled by the master gain, so a user can rebuild the track from them. In a
loop, every stateful effect (reverb tails, compressors) is run with the track's own end as
pre-roll, so the state at the first sample is the state at the last: no seam.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pedalboard as pb

from nemodesk.engine.music.genres import GENRE_TEMPLATES, Genre
from nemodesk.engine.music.groove import rng_for
from nemodesk.engine.music.master import master
from nemodesk.engine.music.score import Score
from nemodesk.engine.music.synth import NoteSampler, render_part

LOOP_PREROLL_S = 4.0
FADE_IN_S = 0.004
ENERGY_DB = 8.0  # level change per unit of section energy (on top of velocity and density)


@dataclass
class Rendered:
    mix: np.ndarray  # mastered, (n, 2) float32
    stems: dict[str, np.ndarray]  # group -> (n, 2) float32, scaled by the master gain
    unmastered: np.ndarray  # sum of the stems before mastering
    loudness_lufs: float
    true_peak_db: float
    master_gain_db: float


def _chain(group: str, genre: Genre) -> pb.Pedalboard:
    room, wet = genre.reverb
    fx: list[pb.Plugin] = []
    if group in ("drums", "hits"):
        fx += [pb.Compressor(threshold_db=-16, ratio=2.5, attack_ms=8, release_ms=120)]
        if genre.lofi:
            fx += [pb.LowpassFilter(cutoff_frequency_hz=7000), pb.Bitcrush(bit_depth=12)]
    elif group == "bass":
        fx += [pb.HighpassFilter(cutoff_frequency_hz=32),
               pb.Compressor(threshold_db=-18, ratio=3, attack_ms=15, release_ms=150)]
        if genre.lofi:
            fx += [pb.LowpassFilter(cutoff_frequency_hz=1800)]
    else:
        fx += [pb.HighpassFilter(cutoff_frequency_hz=110 if group != "melody" else 180)]
        if genre.lofi:
            fx += [pb.LowpassFilter(cutoff_frequency_hz=4200), pb.Bitcrush(bit_depth=11)]
        elif not genre.bright:
            fx += [pb.LowpassFilter(cutoff_frequency_hz=9000)]
        fx += [pb.Reverb(room_size=room, damping=0.45, wet_level=wet * (1.3 if group == "pads"
                                                                             else 1.0),
                         dry_level=1.0, width=1.0)]
    return pb.Pedalboard(fx)


def _effects(audio: np.ndarray, board: pb.Pedalboard, sr: int, loop: bool) -> np.ndarray:
    x = audio.T  # pedalboard wants (channels, samples)
    if loop:
        pre = min(len(audio), int(LOOP_PREROLL_S * sr))
        reps = -(-pre // len(audio))
        preroll = np.tile(x, reps)[:, -pre:]
        y = board(np.ascontiguousarray(np.concatenate([preroll, x], axis=1)), sr)[:, pre:]
    else:
        y = board(np.ascontiguousarray(x), sr)
    return np.ascontiguousarray(y.T, dtype=np.float32)


def _texture(n: int, sr: int, seed: int) -> np.ndarray:
    """Vinyl crackle and hiss for lo-fi: quiet, seeded, and continuous across a loop."""
    rng = rng_for(seed, "texture")
    hiss = rng.normal(0.0, 0.0025, (n, 2)).astype(np.float32)
    clicks = np.zeros((n, 2), dtype=np.float32)
    idx = rng.integers(0, n, max(1, n // (sr // 6)))
    clicks[idx] = rng.uniform(0.02, 0.06, (idx.size, 1)).astype(np.float32)
    k = np.exp(-np.arange(48) / 6.0).astype(np.float32)
    crackle = np.stack([np.convolve(clicks[:, c], k, mode="same") for c in range(2)], axis=1)
    return pb.LowpassFilter(cutoff_frequency_hz=5000)((hiss + crackle).T.copy(), sr).T.copy()


def energy_gain(score: Score) -> np.ndarray:
    """A smooth level curve through the sections' energies (at their midpoints), so a
    crescendo swells continuously instead of stepping at section changes."""
    n, sr = score.n_samples, score.sample_rate
    body = [s for s in score.sections if s.name != "ending"] or score.sections
    if not body:
        return np.ones(n, dtype=np.float32)
    mids = np.array([(s.start_s + s.end_s) / 2 for s in body]) * sr
    energies = np.array([s.energy for s in body])
    peak = energies.max()
    t = np.arange(n, dtype=np.float32)
    curve_db = np.interp(t, mids, (energies - peak) * ENERGY_DB)
    return (10 ** (curve_db / 20)).astype(np.float32)


def _edges(audio: np.ndarray, score: Score, end_s: float) -> np.ndarray:
    """A 4 ms fade-in (no click at the start) and, after the final chord has spoken, a
    decay to silence exactly at the last sample."""
    sr = score.sample_rate
    n = len(audio)
    fi = min(n, max(1, int(FADE_IN_S * sr)))
    audio[:fi] *= np.linspace(0.0, 1.0, fi, dtype=np.float32)[:, None]
    ring = score.duration_s - end_s
    start = int((end_s + 0.35 * ring) * sr) if end_s > 0 else int(0.2 * n)
    start = min(max(start, fi), n - 1)
    length = n - start
    if length > 0:
        curve = np.cos(np.linspace(0.0, np.pi / 2, length, dtype=np.float32)) ** 2
        audio[start:] *= curve[:, None]
    return audio


def render(score: Score, sampler: NoteSampler, *, end_s: float, seed: int,
           target_lufs: float = -14.0) -> Rendered:
    sr, n = score.sample_rate, score.n_samples
    genre = GENRE_TEMPLATES[score.genre]
    raw: dict[str, np.ndarray] = {}
    for part in score.parts:
        audio = render_part(part, sampler, n, loop=score.loop)
        raw[part.group] = raw[part.group] + audio if part.group in raw else audio
    if genre.lofi:
        raw["texture"] = _texture(n, sr, seed)

    def process(item: tuple[str, np.ndarray]) -> tuple[str, np.ndarray]:
        group, audio = item
        if group == "texture":
            return group, audio
        return group, _effects(audio, _chain(group, genre), sr, score.loop)

    with ThreadPoolExecutor(max_workers=2) as pool:  # pedalboard releases the GIL
        stems = dict(pool.map(process, raw.items()))
    gain_curve = energy_gain(score)[:, None]
    for group in stems:
        stems[group] *= gain_curve
        if not score.loop:
            stems[group] = _edges(stems[group], score, end_s)
    unmastered = np.zeros((n, 2), dtype=np.float32)
    for audio in stems.values():
        unmastered += audio
    result = master(unmastered, sr, target_lufs=target_lufs, loop=score.loop)
    gain = np.float32(10 ** (result.gain_db / 20))
    scaled = {g: a * gain for g, a in stems.items()}
    return Rendered(result.audio, scaled, unmastered, result.loudness_lufs,
                    result.true_peak_db, result.gain_db)
