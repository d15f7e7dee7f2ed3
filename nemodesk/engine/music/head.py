"""The head of a long track, rendered before the whole: the first seconds to play while the
rest renders (progressive preview).

The head is the same composed score as the full track cut to a window (only the notes that
start in it, with their tails), through the same ``render`` chain: synthesis, production,
reverb, level curve, glue and mastering. What cannot be known before the whole is rendered
is the master gain (it is set by the loudness of the whole track), so the head is mastered
to the loudness its span will have in the full master, estimated from the score: the level
curve of the energy arc times the notes' power (part gain and velocity) over the track,
gated as BS.1770 gates it. The head then plays at the full track's level (within about a dB)
and the swap to the full track is not heard as a jump (tests/engine/music/test_head.py measures it).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from nemodesk.engine.music.score import Score

HEAD_S = 8.0  # what the head holds (a warm 3-min track is whole in about 2 s)
TAIL_S = 1.5  # rendered past it, so reverb and releases at its end are those of the full
MIN_TRACK_S = 20.0  # shorter tracks render whole about as fast: no head for them
GRID_S = 0.1  # the score's power estimate, per step
GATE_S = 0.4  # BS.1770's gating blocks
# the score's estimate of the head's level against the whole, scaled: the glue compressor,
# the sustained pads and reverb and the full master's limiter narrow the track's dynamics to
# about half what the notes alone say: 0.38-0.60 over six genres and arcs (3-min tracks),
# 0.555 the least-squares fit (what is left: -0.8..+0.7 dB, the most on strong builds)
SPREAD = 0.55


def wants_head(duration_s: float) -> bool:
    """Whether a track this long is worth a head first."""
    return duration_s > MIN_TRACK_S


def head_score(score: Score, window_s: float) -> Score:
    """The score cut to ``window_s``: sections and level curve as in the full track, the
    notes that start before the window's end (their tails ring as they would)."""
    parts = [
        dataclasses.replace(p, notes=[n for n in p.notes if n.start_s < window_s])
        for p in score.parts
    ]
    return dataclasses.replace(
        score,
        duration_s=window_s,
        parts=parts,
        hits_s=[h for h in score.hits_s if h < window_s],
        loop=False,
    )


def _note_power(score: Score, n_steps: int) -> np.ndarray:
    """Each grid step's summed note power: part gain times velocity squared over the note
    and a short release."""
    acc = np.zeros(n_steps + 1, dtype=np.float64)
    for p in score.parts:
        if not p.notes:
            continue
        starts = np.array([nt.start_s for nt in p.notes])
        ends = starts + np.array([nt.dur_s for nt in p.notes]) + 0.3
        power = (np.array([nt.vel for nt in p.notes]) / 127.0) ** 2 * 10 ** (p.gain_db / 10)
        a = np.clip((starts / GRID_S).astype(np.intp), 0, n_steps)
        b = np.clip(np.ceil(ends / GRID_S).astype(np.intp), 0, n_steps)
        np.add.at(acc, a, power)
        np.subtract.at(acc, b, power)
    return np.cumsum(acc)[:n_steps]


def _gated_db(power: np.ndarray) -> float:
    """Integrated level of a power series on the grid, gated like BS.1770 (absolute gate
    70 dB under the loudest block, relative gate 10 dB under the ungated mean)."""
    per = max(1, round(GATE_S / GRID_S))
    nb = len(power) // per
    if nb == 0:
        return 10 * math.log10(float(np.mean(power)) + 1e-20)
    blocks = power[: nb * per].reshape(nb, per).mean(axis=1)
    loud = blocks[blocks > blocks.max() * 1e-7]
    rel = loud[loud > loud.mean() * 0.1]
    return 10 * math.log10(float(np.mean(rel if rel.size else loud)) + 1e-20)


def _arc_gain(score: Score, t: np.ndarray, arc_db: float) -> np.ndarray:
    """render.Envelope's energy line at times ``t`` (s): through the sections' energies at
    their midpoints (its fade-in and ring-out move the whole's loudness by little)."""
    body = [s for s in score.sections if s.name != "ending"] or score.sections
    energies = np.array([s.energy for s in body])
    if len(body) < 2 or np.ptp(energies) == 0:
        return np.ones_like(t)
    mids = np.array([(s.start_s + s.end_s) / 2 for s in body])
    return 10 ** (np.interp(t, mids, (energies - energies.max()) * arc_db) / 20)


def head_loudness_offset(score: Score, arc_db: float, window_s: float) -> float:
    """How much louder (dB, negative: quieter) the first ``window_s`` of the track will
    measure than the whole, estimated from the score: the level curve squared times the
    notes' power."""
    n_steps = max(1, int(score.duration_s / GRID_S))
    t = (np.arange(n_steps) + 0.5) * GRID_S
    power = _note_power(score, n_steps) * np.square(_arc_gain(score, t, arc_db))
    head = power[: max(1, int(window_s / GRID_S))]
    return SPREAD * (_gated_db(head) - _gated_db(power))


def render_head(
    engine,
    brief,
    seed: int,
    out: Path,
    *,
    cuts_s: list[float] | None = None,
    speech_s: list[tuple[float, float]] | None = None,
    loudness_lufs: float = -14.0,
    head_s: float = HEAD_S,
    composed: tuple | None = None,
) -> dict:
    """Render the head of the track ``engine.generate`` would make from the same arguments
    and write its first ``head_s`` seconds to ``out`` (WAV, atomically); returns what was
    made (path, head_s, duration_s, the loudness target used). ``composed``: the
    ``engine.compose`` result for these arguments, when the caller has it already."""
    # the render's modules are the worker's (the server imports this module for
    # ``wants_head`` and must stay light)
    from nemodesk.engine.music.audiofile import write_audio
    from nemodesk.engine.music.genres import GENRE_TEMPLATES
    from nemodesk.engine.music.production import production_for
    from nemodesk.engine.music.render import render

    plan, score = composed or engine.compose(brief, seed, cuts_s, speech_s)
    window = min(score.duration_s, head_s + TAIL_S)
    genre = GENRE_TEMPLATES[score.genre]
    arc_db = production_for(score.genre, lofi=genre.lofi, bright=genre.bright).arc_db
    offset = head_loudness_offset(score, arc_db, window)
    target = loudness_lufs + offset
    rendered = render(
        head_score(score, window), engine.sampler, end_s=plan.end_s, seed=seed, target_lufs=target
    )
    try:
        keep = min(score.n_samples, round(head_s * score.sample_rate))
        audio = np.ascontiguousarray(rendered.mix[:keep])
    finally:
        close = getattr(rendered, "close", None)
        if close is not None:
            close()
    path = write_audio(out, audio, score.sample_rate, "wav")
    return {
        "path": str(path),
        "head_s": keep / score.sample_rate,
        "duration_s": score.duration_s,
        "target_lufs": round(target, 2),
    }
