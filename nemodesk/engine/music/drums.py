"""Drum patterns per genre and energy level, with fills, crashes and video accents."""

from __future__ import annotations

import numpy as np

from nemodesk.engine.music.groove import Grid, level, velocity
from nemodesk.engine.music.score import Note

KICK, SIDE, SNARE, CLAP, HAT, PEDAL_HAT, OPEN_HAT, CRASH, RIDE = 36, 37, 38, 39, 42, 44, 46, 49, 51
TAMB, SHAKER = 54, 82
TOMS = (50, 48, 47, 45, 43, 41)

EIGHTHS = (0, 2, 4, 6, 8, 10, 12, 14)
SIXTEENTHS = tuple(range(16))
OFFBEATS = (2, 6, 10, 14)

# style -> level -> [(drum key, steps, base velocity)]
PATTERNS: dict[str, list[list[tuple[int, tuple[int, ...], int]]]] = {
    "pop": [
        [(HAT, (0, 4, 8, 12), 60)],
        [(KICK, (0, 8), 96), (SIDE, (4, 12), 80), (HAT, EIGHTHS, 64)],
        [(KICK, (0, 8, 10), 104), (SNARE, (4, 12), 100), (HAT, EIGHTHS, 72)],
        [
            (KICK, (0, 3, 8, 10), 112),
            (SNARE, (4, 12), 112),
            (HAT, SIXTEENTHS, 66),
            (OPEN_HAT, (14,), 70),
        ],
    ],
    "acoustic": [
        [(SHAKER, EIGHTHS, 56)],
        [(KICK, (0, 8), 90), (SIDE, (4, 12), 78), (SHAKER, EIGHTHS, 64)],
        [
            (KICK, (0, 7, 8), 100),
            (SNARE, (4, 12), 92),
            (SHAKER, SIXTEENTHS, 62),
            (TAMB, (4, 12), 60),
        ],
        [
            (KICK, (0, 3, 8, 10), 108),
            (SNARE, (4, 12), 106),
            (HAT, EIGHTHS, 70),
            (TAMB, EIGHTHS, 58),
        ],
    ],
    "lofi": [
        [(HAT, EIGHTHS, 52)],
        [(KICK, (0, 10), 92), (SIDE, (4, 12), 84), (HAT, EIGHTHS, 60)],
        [(KICK, (0, 7, 10), 102), (SNARE, (4, 12), 96), (HAT, SIXTEENTHS, 54)],
        [
            (KICK, (0, 3, 7, 10), 108),
            (SNARE, (4, 12), 104),
            (HAT, SIXTEENTHS, 60),
            (OPEN_HAT, (6,), 60),
        ],
    ],
    "rock": [
        [(HAT, EIGHTHS, 60)],
        [(KICK, (0, 8), 100), (SNARE, (4, 12), 96), (HAT, EIGHTHS, 72)],
        [(KICK, (0, 8, 10), 110), (SNARE, (4, 12), 110), (HAT, EIGHTHS, 84)],
        [(KICK, (0, 2, 8, 10), 118), (SNARE, (4, 12), 120), (RIDE, EIGHTHS, 88)],
    ],
    "four": [
        [(HAT, OFFBEATS, 58)],
        [(KICK, (0, 4, 8, 12), 100), (HAT, OFFBEATS, 70)],
        [(KICK, (0, 4, 8, 12), 110), (CLAP, (4, 12), 96), (OPEN_HAT, OFFBEATS, 74)],
        [
            (KICK, (0, 4, 8, 12), 118),
            (CLAP, (4, 12), 108),
            (OPEN_HAT, OFFBEATS, 80),
            (HAT, SIXTEENTHS, 58),
        ],
    ],
    "jazz": [
        [(RIDE, (0, 4, 8, 12), 56)],
        [(RIDE, (0, 4, 6, 8, 12, 14), 66), (PEDAL_HAT, (4, 12), 64)],
        [(RIDE, (0, 4, 6, 8, 12, 14), 76), (PEDAL_HAT, (4, 12), 72), (KICK, (0, 8), 58)],
        [
            (RIDE, (0, 4, 6, 8, 12, 14), 88),
            (PEDAL_HAT, (4, 12), 80),
            (KICK, (0, 4, 8, 12), 66),
            (SNARE, (10,), 70),
        ],
    ],
    "cinematic": [
        [],
        [(KICK, (0, 8), 96)],
        [(KICK, (0, 6, 8), 108), (TOMS[3], (12,), 96), (TOMS[5], (14,), 100)],
        [
            (KICK, (0, 3, 6, 8, 10), 118),
            (SNARE, (4, 12), 100),
            (TOMS[2], (13,), 96),
            (TOMS[4], (14,), 104),
            (TOMS[5], (15,), 110),
        ],
    ],
    "chip": [
        [(HAT, EIGHTHS, 56)],
        [(KICK, (0, 8), 96), (SNARE, (4, 12), 90), (HAT, EIGHTHS, 64)],
        [(KICK, (0, 8, 10), 104), (SNARE, (4, 12), 100), (HAT, EIGHTHS, 72)],
        [(KICK, (0, 3, 8, 10), 110), (SNARE, (4, 12), 108), (HAT, SIXTEENTHS, 66)],
    ],
    "ambient": [
        [],
        [],
        [(SHAKER, EIGHTHS, 48)],
        [(KICK, (0, 8), 80), (SHAKER, EIGHTHS, 56)],
    ],
}


def drum_bar(
    style: str,
    grid: Grid,
    bar: int,
    energy: float,
    rng: np.random.Generator,
    *,
    fill: bool = False,
    crash: bool = False,
    beats: int = 4,
    table: list[list[tuple[int, tuple[int, ...], int]]] | None = None,
) -> list[Note]:
    """One bar of drums (``beats`` long: the last bar may be partial); ``table`` replaces
    the style's patterns (a groove variant, ``grooves.drum_table``)."""
    lv = level(energy)
    pattern = (table or PATTERNS.get(style, [[], [], [], []]))[lv]
    steps_here = beats * 4
    notes: list[Note] = []
    fill_from = 12 if fill and lv >= 2 and steps_here == 16 else 99
    for key, steps, base in pattern:
        for s in steps:
            if s >= min(steps_here, fill_from) and key not in (KICK,):
                continue
            if s >= steps_here:
                continue
            accent = 1.08 if s % 4 == 0 else 1.0 if s % 2 == 0 else 0.86
            notes.append(
                Note(grid.time(bar, s, rng, 0.004), 0.12, key, velocity(base * accent, energy, rng))
            )
    if fill_from < 99:
        toms = (SNARE, TOMS[1], TOMS[3], TOMS[5]) if style != "jazz" else (SNARE,) * 4
        for i, s in enumerate(range(12, 16)):
            notes.append(
                Note(
                    grid.time(bar, s, rng, 0.004), 0.12, toms[i], velocity(84 + 8 * i, energy, rng)
                )
            )
    if crash and lv >= 2:
        notes.append(Note(grid.time(bar, 0, rng, 0.003), 0.5, CRASH, velocity(104, energy, rng)))
    return notes


def accent(t: float, energy: float, rng: np.random.Generator, strong: bool) -> list[Note]:
    """A hit on a video cut: a crash and a kick exactly at ``t`` (a lighter one when cuts
    come thick and fast)."""
    if strong:
        return [
            Note(t, 0.6, CRASH, velocity(116, max(energy, 0.7), rng, 2)),
            Note(t, 0.2, KICK, velocity(118, max(energy, 0.7), rng, 2)),
        ]
    return [
        Note(t, 0.2, OPEN_HAT if energy < 0.5 else SNARE, velocity(100, max(energy, 0.6), rng, 2)),
        Note(t, 0.2, KICK, velocity(104, max(energy, 0.6), rng, 2)),
    ]
