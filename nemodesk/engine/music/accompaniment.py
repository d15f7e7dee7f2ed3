"""Bass lines, comping and pads over the chord of each bar."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nemodesk.engine.music.groove import Grid, level, velocity
from nemodesk.engine.music.score import Note
from nemodesk.engine.music.theory import Key, nearest


@dataclass(frozen=True)
class BarChord:
    bar: int
    degree: int
    pcs: tuple[int, ...]  # root first
    beats: int = 4  # whole beats the patterns play (a bar before a cut or the ending may be short)
    span_beats: float = 0.0  # the bar's real length in beats, when not ``beats`` (Plan.bar_beats)

    @property
    def span(self) -> float:
        return self.span_beats or float(self.beats)


OFFBEATS_8 = (2, 6, 10, 14)
STRUM_S = 0.018  # a strum's roll per string at no accent (less when harder: 14 ms at full)
LEGATO_S = 0.12  # a pad chord rings this long into the next one


def _in_range(note: int, low: int, high: int) -> int:
    while note < low:
        note += 12
    while note > high:
        note -= 12
    return note


def bass_bar(
    style: str,
    grid: Grid,
    chord: BarChord,
    next_chord: BarChord | None,
    key: Key,
    energy: float,
    rng: np.random.Generator,
    low: int,
    high: int,
) -> list[Note]:
    """The bar's bass line in ``style`` (denser with energy), humanised by ``rng``."""
    lv = level(energy)
    root = _in_range(nearest(chord.pcs[0], 38), low, high)
    fifth = _in_range(nearest(chord.pcs[2], root + 7), low, high)
    if style == "808":
        return _bass_808(grid, chord, lv, root, fifth, energy, rng, low, high)
    seq = _bass_line(style, lv, chord, next_chord, root, fifth, low, high)
    steps_here = chord.beats * 4
    s = grid.step_s
    notes = []
    for st, dur, n in seq:
        if st >= steps_here:
            continue
        dur = min(dur, steps_here - st)
        notes.append(
            Note(
                grid.time(chord.bar, st, rng),
                dur * s * 0.92,
                _in_range(n, low, high),
                velocity(96 if st % 8 == 0 else 84, energy, rng),
            )
        )
    return notes


def _bass_line(
    style: str,
    lv: int,
    chord: BarChord,
    next_chord: BarChord | None,
    root: int,
    fifth: int,
    low: int,
    high: int,
) -> list[tuple[int, int, int]]:
    """The bar's (16th step, length in steps, note) per style and energy level, before any
    timing or velocity (no randomness here)."""
    third = _in_range(nearest(chord.pcs[1], root + 4), low, high)
    approach = nearest(next_chord.pcs[0] if next_chord else chord.pcs[0], root)
    approach = _in_range(approach + (1 if approach < root else -1), low, high)
    if style in _GROOVE_BASS and lv >= 1:
        seq = _GROOVE_BASS[style](lv, root, third, fifth, approach)
    elif style == "walking" and lv >= 1:
        # beat 4 leads by a semitone into the next bar's root, where that root will sound
        target = _in_range(nearest(next_chord.pcs[0], 38), low, high) if next_chord else root
        lead_in = target - 1 if abs(target - 1 - fifth) <= abs(target + 1 - fifth) else target + 1
        line = [(0, root), (4, third), (8, fifth), (12, lead_in)]
        seq = [(st, 4, n) for st, n in line]
    elif style == "sub" or lv == 0:
        seq = [(0, 16, root)] if lv < 2 else [(0, 8, root), (8, 8, root)]
        if lv == 3:
            seq = [(st, 2, root) for st in range(0, 16, 2)]
    elif style == "root8":
        seq = (
            [(st, 4, root) for st in (0, 4, 8, 12)]
            if lv == 1
            else [(st, 2, root if st != 12 else fifth) for st in range(0, 16, 2)]
        )
    elif style == "pulse":
        seq = (
            [(st, 2, root) for st in (2, 6, 10, 14)]
            if lv <= 2
            else [(st, 2, root if (st // 2) % 2 == 0 else root + 12) for st in range(0, 16, 2)]
        )
    elif style == "lofi":
        seq = [(0, 6, root), (7, 2, root), (10, 4, fifth)]
        if lv >= 2:
            seq.append(
                (
                    14,
                    2,
                    _in_range(
                        nearest(next_chord.pcs[0] if next_chord else chord.pcs[0], root) - 2,
                        low,
                        high,
                    ),
                )
            )
    else:  # pop
        seq = (
            [(0, 6, root), (8, 6, root)]
            if lv == 1
            else [(0, 4, root), (6, 2, root), (8, 4, fifth), (12, 2, root), (14, 2, root + 12)]
        )
        if lv == 3:
            seq = [(st, 2, root if st % 8 != 6 else fifth) for st in range(0, 16, 2)]
    return seq


def _funk_bass(lv: int, root: int, third: int, fifth: int, approach: int):
    """Syncopated sixteenths jumping octaves: root, octave pops, the fifth into beat 4."""
    up = root + 12
    if lv == 1:
        return [(0, 3, root), (3, 1, up), (6, 2, root), (10, 2, root), (11, 1, up), (14, 2, fifth)]
    seq = [(0, 2, root), (3, 1, up), (4, 1, root), (6, 1, up), (7, 1, root), (10, 2, root)]
    seq += [(11, 1, up), (13, 1, fifth), (14, 1, up), (15, 1, approach)]
    return seq if lv == 3 else [n for n in seq if n[0] not in (4, 13)]


def _reggae_bass(lv: int, root: int, third: int, fifth: int, approach: int):
    """A melodic line that leaves beat 1 empty (the one drop) and walks up the chord."""
    if lv == 1:
        return [(2, 2, root), (4, 4, root), (10, 2, fifth), (12, 4, third)]
    return [
        (2, 2, root),
        (4, 3, root),
        (7, 1, third),
        (8, 2, fifth),
        (10, 2, third),
        (12, 2, root),
        (14, 2, approach),
    ]


def _rnb_bass(lv: int, root: int, third: int, fifth: int, approach: int):
    """Smooth and syncopated: a long root, its fifth, a push and a chromatic approach to the
    next chord's root."""
    if lv == 1:
        return [(0, 6, root), (6, 4, fifth), (10, 4, root), (14, 2, approach)]
    return [
        (0, 5, root),
        (6, 2, fifth),
        (8, 2, root + 12),
        (10, 3, root),
        (13, 1, fifth),
        (14, 2, approach),
    ]


_GROOVE_BASS = {"funk": _funk_bass, "reggae": _reggae_bass, "rnb": _rnb_bass}

GLIDE_S = 0.09  # an 808 slide's length


def _bass_808(
    grid: Grid,
    chord: BarChord,
    lv: int,
    root: int,
    fifth: int,
    energy: float,
    rng: np.random.Generator,
    low: int,
    high: int,
) -> list[Note]:
    """Long 808 notes, each held up to the next; a note that slides into the next one
    overlaps it (``synth`` renders the pair as one note gliding in pitch)."""
    up = root + 12 if root + 12 <= high else root - 12
    # (16th step, note, slides into the next)
    line = {
        0: [(0, root, False)],
        1: [(0, root, True), (12, fifth, False)],
        2: [(0, root, False), (7, root, False), (10, root, True), (14, up, False)],
        3: [
            (0, root, False),
            (3, root, False),
            (6, root, True),
            (8, up, False),
            (10, root, False),
            (12, root, True),
            (14, fifth, False),
        ],
    }[lv]
    steps_here = chord.beats * 4
    line = [x for x in line if x[0] < steps_here]
    starts = [grid.time(chord.bar, st, rng) for st, _, _ in line]
    end = grid.time(chord.bar, 0) + chord.span * grid.beat_s
    notes: list[Note] = []
    for i, (st, n, slide) in enumerate(line):
        nxt = starts[i + 1] if i + 1 < len(line) else end
        stop = starts[i + 2] if slide and i + 2 < len(line) else end
        dur = (stop if slide and i + 1 < len(line) else nxt) - starts[i]
        vel = velocity(104 if st == 0 else 92, energy, rng)
        notes.append(Note(starts[i], max(0.05, dur * (1.0 if slide else 0.97)), n, vel))
    return notes


def comp_bar(
    style: str,
    grid: Grid,
    chord: BarChord,
    voicing: tuple[int, ...],
    energy: float,
    rng: np.random.Generator,
    *,
    pedal: bool = False,
) -> list[Note]:
    """The bar's comping in ``style``: struck chords (strummed, block, stabs, jazz) or an
    arpeggio over ``voicing``, humanised by ``rng``. With the ``pedal`` down (a piano) every
    note is held until the chord changes."""
    if style == "arp":
        notes = _arp_bar(grid, chord, voicing, energy, rng)
    else:
        notes = _strike(grid, chord, voicing, energy, rng, _comp_hits(style, level(energy)))
    if pedal:
        change = grid.time(chord.bar, 0) + chord.span * grid.beat_s
        notes = [replace(n, dur_s=max(0.05, change - n.start_s - 0.01)) for n in notes]
    return notes


def _comp_hits(style: str, lv: int) -> list[tuple[int, int, float, str]]:
    """The bar's chord strikes per style and energy level: (16th step, length in steps,
    accent, stroke: down, up or block), with no randomness."""
    hits: list[tuple[int, int, float, str]] = []  # step, length, accent, stroke
    if style == "strum":
        pattern = {
            0: [(0, 16, 1.0, "d")],
            1: [(0, 8, 1.0, "d"), (8, 8, 0.9, "d")],
            2: [
                (0, 4, 1.0, "d"),
                (4, 2, 0.85, "d"),
                (6, 4, 0.7, "u"),
                (10, 2, 0.7, "u"),
                (12, 2, 0.9, "d"),
                (14, 2, 0.7, "u"),
            ],
        }
        # driving: the same D-DU-UDU, dug in harder
        pattern[3] = [(st, n, min(1.0, a + 0.1), k) for st, n, a, k in pattern[2]]
        hits = pattern[lv]
    elif style == "block":
        hits = (
            [(0, 16, 1.0, "b")]
            if lv == 0
            else [(0, 8, 1.0, "b"), (8, 8, 0.9, "b")]
            if lv == 1
            else [(st, 3, 1.0 if st in (0, 8) else 0.85, "b") for st in (0, 4, 8, 12)]
            if lv == 2
            else [(st, 2, 1.0 if st % 4 == 0 else 0.8, "b") for st in range(0, 16, 2)]
        )
    elif style == "stabs":
        hits = (
            [(0, 8, 0.9, "b"), (8, 8, 0.9, "b")]
            if lv <= 1
            else [(st, 1, 1.0, "b") for st in (2, 6, 10, 14)]
            + ([(11, 1, 0.8, "b")] if lv == 3 else [])
        )
    elif style == "skank":  # reggae: short upstroke chops on every "and"
        hits = [(st, 1, 1.0 if st in (2, 10) else 0.9, "u") for st in OFFBEATS_8]
        if lv == 0:
            hits = [(st, 1, 0.9, "u") for st in (4, 12)]
    elif style == "funk":  # muted sixteenth chops, accents on the backbeat and the "e"s
        steps = {0: (4, 12), 1: (2, 4, 7, 10, 12, 15)}.get(lv, tuple(range(16)))
        hits = [
            (
                st,
                0.5,
                1.0 if st in (4, 12) else 0.8 if st % 2 else 0.62,
                "d" if st % 2 == 0 else "u",
            )
            for st in steps
        ]
    elif style == "jazz":
        hits = [(0, 3, 1.0, "b"), (6, 2, 0.85, "b")] + ([(10, 2, 0.8, "b")] if lv >= 2 else [])
        if lv == 0:
            hits = [(0, 12, 0.9, "b")]
    return hits


def _arp_bar(
    grid: Grid,
    chord: BarChord,
    voicing: tuple[int, ...],
    energy: float,
    rng: np.random.Generator,
) -> list[Note]:
    """The voicing broken up and down, faster with energy; each note rings over the next."""
    lv = level(energy)
    s = grid.step_s
    steps_here = chord.beats * 4
    rate = {0: 8, 1: 4, 2: 2, 3: 2}[lv]
    order = [0, 1, 2, 3, 2, 1, 2, 3] if len(voicing) >= 4 else [0, 1, 2, 1]
    notes = []
    for i, st in enumerate(range(0, steps_here, rate)):
        n = voicing[order[i % len(order)] % len(voicing)]
        notes.append(
            Note(
                grid.time(chord.bar, st, rng),
                rate * s * 1.6,
                n,
                velocity(82 if st % 8 == 0 else 70, energy, rng),
            )
        )
    return notes


def _strike(
    grid: Grid,
    chord: BarChord,
    voicing: tuple[int, ...],
    energy: float,
    rng: np.random.Generator,
    hits: list[tuple[int, int, float, str]],
) -> list[Note]:
    """The voicing on each hit: a strum rolls its notes (an upstroke only the top three, top
    down), a block chord strikes them together."""
    s = grid.step_s
    steps_here = chord.beats * 4
    notes = []
    for st, length, acc, stroke in hits:
        if st >= steps_here:
            continue
        t0 = grid.time(chord.bar, st, rng)
        dur = min(length, steps_here - st) * s * 0.95
        voices = list(voicing) if stroke != "u" else list(reversed(voicing))[:3]
        # a strum rolls across the strings, 8-20 ms apart: quicker when struck harder
        gap = (STRUM_S - 0.004 * acc) * (0.8 if stroke == "u" else 1.0) if stroke in "du" else 0.0
        for j, n in enumerate(voices):
            notes.append(
                Note(
                    t0 + j * gap,
                    dur,
                    n,
                    velocity(88 * acc - 3 * j * (stroke == "u"), energy, rng, 3),
                )
            )
    return notes


def pad_bar(
    grid: Grid,
    chord: BarChord,
    voicing: tuple[int, ...],
    energy: float,
    rng: np.random.Generator,
    hold_bars: int = 1,
) -> list[Note]:
    """A sustained chord; it is what keeps the track from ever going silent. Played legato:
    each chord is held a little into the next (``LEGATO_S``), so the pad never gaps."""
    dur = (hold_bars - 1) * grid.bar_s + chord.span * grid.beat_s
    return [
        Note(
            grid.time(chord.bar, 0, rng, 0.003),
            dur + LEGATO_S,
            n,
            velocity(72, max(energy, 0.35), rng, 2),
        )
        for n in voicing
    ]
