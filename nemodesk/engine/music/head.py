"""The head of a long track, rendered before the whole: the first seconds to play while the
rest renders (progressive preview).

The head is the same composed score as the full track cut to a window (only the notes that
start in it, with their tails), through the same ``render`` chain: synthesis, production,
reverb, level curve, glue and mastering. What cannot be known before the whole is rendered
is the master gain (it is set by the loudness of the whole track), so the head is mastered
to the loudness its span will have in the full master, estimated from the score: the level
curve of the energy arc times the notes' power (each part's preset measured as loudness
is, times part gain and velocity) over the track, gated as BS.1770 gates it; its risers and
impacts are set against the whole track's bus, estimated the same way. Over 15 briefs the
head plays within -0.9..+2.8 dB of the full track (each second within 4 dB; strong builds
are the hardest), so the swap to the full track is not heard as a jump
(tests/engine/music/test_head.py measures it).
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from pathlib import Path

import numpy as np

from nemodesk.engine.music.score import Part, Score

HEAD_S = 8.0  # what the head holds (a warm 3-min track is whole in about 2 s)
TAIL_S = 1.5  # rendered past it, so reverb and releases at its end are those of the full
MIN_TRACK_S = 20.0  # shorter tracks render whole about as fast: no head for them
GRID_S = 0.1  # the score's power estimate, per step
GATE_S = 0.4  # BS.1770's gating blocks
PART_KEYS = 3  # a part's most played keys that stand for its preset's loudness
# the score's estimate of the head's level against the whole, scaled: the glue compressor,
# the sustained pads and reverb and the full master's limiter narrow the track's dynamics to
# about 0.6 of what the notes alone say: 0.17-0.83 over 20 briefs x 2 seeds (15 genres,
# builds and flat arcs, 90 s to 5 min), 0.624 the least-squares fit; what is left of the
# integrated level: rms 1.0 dB, worst +2.9 dB (a trap build) and -1.8 dB (an EDM build)
SPREAD = 0.62


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


def part_power(sampler, part: Part) -> tuple[float, float]:
    """The power of the part's preset at velocity 100, K-weighted as loudness is measured
    and plain (as the bus level the risers are set against is): its most played keys, each
    held half a second, weighted by how often they play. Presets differ by 10 dB and more
    at the same velocity, and low notes count for less in loudness; velocity and part gain
    alone mistook a trap build's quiet intro for a loud one (its head came out 5 dB loud)."""
    keys, counts = np.unique([n.key for n in part.notes], return_counts=True)
    top = np.argsort(counts)[::-1][:PART_KEYS]
    loud = plain = 0.0
    for i in top:
        k, e = _note_power_of(sampler, part.program, part.is_drum, int(keys[i]))
        loud += counts[i] * k
        plain += counts[i] * e
    weight = float(counts[top].sum())
    return loud / weight, plain / weight


_POWERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # sampler -> {note: power}


def _note_power_of(sampler, program: int, is_drum: bool, key: int) -> tuple[float, float]:
    """One key of a preset at velocity 100, held half a second: K-weighted and plain power
    (kept per sampler: a SoundFont's notes do not change)."""
    known = _POWERS.setdefault(sampler, {})
    if (program, is_drum, key) not in known:
        known[program, is_drum, key] = _measure_note(sampler, program, is_drum, key)
    return known[program, is_drum, key]


def _measure_note(sampler, program: int, is_drum: bool, key: int) -> tuple[float, float]:
    from nemodesk.engine.music.master import measure_loudness

    sr = sampler.sample_rate
    audio = sampler.note(program, is_drum, key, 100, 0.5)
    pad = np.zeros((max(0, sr - len(audio)), 2), np.float32)  # a gating block or two
    held = np.concatenate([audio, pad])
    plain = float(np.mean(np.square(held, dtype=np.float64)))
    return 10 ** (measure_loudness(held, sr) / 10), plain


def _note_power(score: Score, n_steps: int, loudness: list[float] | None = None) -> np.ndarray:
    """Each grid step's summed note power: the part's preset power (``part_power``, or 1)
    times part gain times velocity squared, over the note and a short release."""
    acc = np.zeros(n_steps + 1, dtype=np.float64)
    for j, p in enumerate(score.parts):
        if not p.notes:
            continue
        starts = np.array([nt.start_s for nt in p.notes])
        ends = starts + np.array([nt.dur_s for nt in p.notes]) + 0.3
        power = (np.array([nt.vel for nt in p.notes]) / 100.0) ** 2 * 10 ** (p.gain_db / 10)
        if loudness is not None:
            power *= loudness[j]
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


def head_loudness_offset(
    score: Score, arc_db: float, window_s: float, loudness: list[float] | None = None
) -> float:
    """How much louder (dB, negative: quieter) the first ``window_s`` of the track will
    measure than the whole, estimated from the score: the level curve squared times the
    notes' power (``loudness``: each part's K-weighted ``part_power``)."""
    n_steps = max(1, int(score.duration_s / GRID_S))
    t = (np.arange(n_steps) + 0.5) * GRID_S
    power = _note_power(score, n_steps, loudness) * np.square(_arc_gain(score, t, arc_db))
    head = power[: max(1, int(window_s / GRID_S))]
    return SPREAD * (_gated_db(head) - _gated_db(power))


def bus_offset(score: Score, window_s: float, plain: list[float] | None = None) -> float:
    """How much louder (dB) the whole track's bus (the stems' sum, before the level curve)
    will be than the first ``window_s``'s, from the notes' power: the head's risers and
    impacts are set against the whole's bus, as the full track's are, not against a quiet
    intro's (the head's master then lifted the whole head to bring a too-quiet riser to
    the target: +1 dB on an EDM build's head)."""
    n_steps = max(1, int(score.duration_s / GRID_S))
    power = _note_power(score, n_steps, plain)
    head = power[: max(1, int(window_s / GRID_S))]
    return 10 * math.log10((float(power.mean()) + 1e-20) / (float(head.mean()) + 1e-20))


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
    powers = [part_power(engine.sampler, p) if p.notes else (0.0, 0.0) for p in score.parts]
    offset = head_loudness_offset(score, arc_db, window, [k for k, _ in powers])
    target = loudness_lufs + offset
    rendered = render(
        head_score(score, window),
        engine.sampler,
        end_s=plan.end_s,
        seed=seed,
        target_lufs=target,
        bus_offset_db=bus_offset(score, window, [e for _, e in powers]),
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
