"""Accents on video cuts that a listener hears as hits.

A note scheduled on a cut is not yet an accent: over a busy bar it is one onset among many.
Each hit here is built the way an editor's music cue lands on a cut:

- a lead-in: a drum fill in the beat before (drum genres, when the hits are not too close);
- a breath: ⅛–¼ beat (``Plan.breath_s``) where nothing starts and sustained notes stop, so
  the hit comes out of a thinned texture;
- the hit itself, made for the genre: kick + crash and a low stab in the genre's own
  colours (timpani and low strings in cinematic, a synth bass in electronic, …).

``Plan.hit_boost_db`` ("hit harder on the cuts") raises or lowers the hit parts' level.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nemodesk.engine.music.accompaniment import BarChord
from nemodesk.engine.music.drums import CRASH, KICK, OPEN_HAT, SNARE, TOMS
from nemodesk.engine.music.genres import Genre, Voice
from nemodesk.engine.music.groove import velocity
from nemodesk.engine.music.plan import Plan
from nemodesk.engine.music.score import Note, Part
from nemodesk.engine.music.theory import Key

# GM programs of the low stab under each genre's hit (timpani 47, strings 48, piano 0, ...)
STABS: dict[str, tuple[int, ...]] = {
    "acoustic": (0, 47),
    "lofi": (4,),
    "cinematic": (47, 48),
    "electronic": (38, 90),
    "ambient": (47, 0),
    "corporate": (0, 48),
    "rock": (30,),
    "jazz": (61,),
    "piano": (0,),
    "chiptune": (80,),
    "hiphop": (38,),  # the 808's own synth bass
    "house": (38, 90),
    "funk": (61, 27),  # brass and a clean guitar
    "folk": (25, 0),
    "epic": (47, 48, 61),  # timpani, strings, brass
    "rnb": (4, 61),
    "reggae": (16, 61),
    "kids": (9, 12),  # glockenspiel and marimba
    "guofeng": (107, 47),  # guzheng and a timpani stroke
}
AROUND_S = 0.5  # the texture steps back this long around a hit ...
DIP = 0.72  # ... to this share of its velocity, so the hit is the loudest event near the cut
STRONG_GAP_S = 1.5  # a hit this long after the previous one is a full one
LEAD_IN_ENERGY = 0.5  # sections this busy get a fill into the hit


def breathe(notes: dict[str, list[Note]], hits: list[float], plan: Plan, cleared: dict) -> None:
    """Thin the texture before each hit (in place): no note starts in the breath, a note
    still sounding stops at it, and the drums leave ``cleared[hit]`` seconds to a lead-in."""
    if not hits:
        return
    breath = plan.breath_s
    for role, items in notes.items():
        out: list[Note] = []
        for n in items:
            keep = True
            for h in hits:
                quiet_from = h - (cleared.get(h, breath) if role == "drums" else breath)
                # the pattern's drums leave the sixteenth after the hit to it (no flam)
                until = h + (plan.beat_s / 4 if role == "drums" else 0.0)
                if quiet_from - 1e-6 <= n.start_s < until:
                    keep = False
                    break
                if abs(n.start_s - h) <= AROUND_S:
                    n = replace(n, vel=max(1, round(n.vel * DIP)))
                end = n.start_s + n.dur_s
                if n.start_s < h - breath < end:
                    n = replace(n, dur_s=max(0.03, h - breath - n.start_s))
            if keep:
                out.append(n)
        notes[role] = out


TUTTI_ROLES = {"bass": (28, 50), "comp": (52, 72), "pad": (50, 74)}


def _tutti(
    notes: dict[str, list[Note]],
    voices: dict[str, Voice],
    plan: Plan,
    chords: list[BarChord],
    energy_at,
    rng: np.random.Generator,
) -> None:
    """The band hits with the accent: bass, comping and pad strike the bar's chord on it."""
    for h in plan.hits_s:
        if h >= plan.end_s - 1e-3 or not chords:  # the final chord is the ending's own hit
            continue
        chord = chords[min(plan.bar_at(h), len(chords) - 1)]
        e = max(energy_at(h), 0.7)
        for role, (low, high) in TUTTI_ROLES.items():
            if role not in voices or role not in notes:
                continue
            v = voices[role]
            lo, hi = max(low, v.low), min(high, v.high)
            pcs = chord.pcs[:1] if role == "bass" else chord.pcs
            for j, pc in enumerate(pcs):
                p = lo + (pc - lo) % 12
                if p <= hi:
                    notes[role].append(
                        Note(h + 0.003 * j, 0.5 * plan.beat_s * 2, p, velocity(104, e, rng, 2))
                    )


def lead_in(h: float, plan: Plan, energy: float, rng: np.random.Generator) -> list[Note]:
    """Four sixteenths of snare and toms, rising, that end where the breath starts."""
    step = plan.beat_s / 4
    start = h - plan.breath_s - 4 * step
    keys = (SNARE, TOMS[1], TOMS[3], TOMS[5])
    return [
        Note(start + i * step, 0.12, keys[i], velocity(46 + 8 * i, max(energy, 0.6), rng, 2))
        for i in range(4)
    ]


def hit_parts(
    plan: Plan,
    voices: dict[str, Voice],
    genre: Genre,
    key: Key,
    chords: list[BarChord],
    notes: dict[str, list[Note]],
    energy_at,
    rng: np.random.Generator,
) -> list[Part]:
    """The hit parts for ``plan.hits_s``; thins ``notes`` around them (``breathe``)."""
    if not plan.hits_s:
        return []
    drums = "drums" in voices or genre.drum_style not in ("none", "ambient")
    kit = voices["drums"].program if "drums" in voices else genre.drum_kit
    boost = plan.hit_boost_db
    drum_notes: list[Note] = []
    stab_notes: dict[int, list[Note]] = {p: [] for p in STABS.get(genre.name, (0,))}
    cleared: dict[float, float] = {}
    previous = -10.0
    for h in plan.hits_s:
        e = energy_at(h)
        strong = h - previous >= STRONG_GAP_S
        room = h - previous >= 2 * plan.beat_s + plan.breath_s
        vel = 124 if strong else 108
        if drums:
            drum_notes += [
                Note(h, 0.2, KICK, velocity(vel, max(e, 0.8), rng, 1)),
                Note(h, 0.8, CRASH if strong else OPEN_HAT, velocity(vel, max(e, 0.8), rng, 1)),
            ]
            if strong and room and e >= LEAD_IN_ENERGY:
                drum_notes += lead_in(h, plan, e, rng)
                cleared[h] = plan.breath_s + plan.beat_s
        chord = chords[min(plan.bar_at(h), len(chords) - 1)] if chords else None
        root_pc = chord.pcs[0] if chord else key.tonic % 12
        for program in stab_notes:
            if program == 47:  # timpani: the root alone, in its range
                pitches: tuple[int, ...] = (41 + (root_pc - 41) % 12,)
            else:
                root = 36 + (root_pc - 36) % 12
                pitches = (root, root + 7, root + 12)
            for j, p in enumerate(pitches):
                stab_notes[program].append(
                    Note(h + 0.004 * j, 0.7, p, velocity(vel - 4 * j, max(e, 0.8), rng, 1))
                )
        previous = h
    breathe(notes, plan.hits_s, plan, cleared)
    _tutti(notes, voices, plan, chords, energy_at, rng)
    parts = []
    if drum_notes:
        parts.append(Part("hits", "hits", kit, True, drum_notes, 3.0 + boost))
    for program, items in stab_notes.items():
        parts.append(Part(f"hits-{program}", "hits", program, False, items, 1.0 + boost))
    return parts
