"""Drum patterns per genre and energy level, with fills, crashes and video accents."""

from __future__ import annotations

import numpy as np

from nemodesk.engine.music.groove import Grid, level, velocity
from nemodesk.engine.music.score import Note

KICK, SIDE, SNARE, CLAP, HAT, PEDAL_HAT, OPEN_HAT, CRASH, RIDE = 36, 37, 38, 39, 42, 44, 46, 49, 51
TAMB, SHAKER = 54, 82
TOMS = (50, 48, 47, 45, 43, 41)
STOMP = 35  # acoustic bass drum: a foot stomp in folk
COWBELL, CLAVES, WOOD_HI, WOOD_LO = 56, 75, 76, 77
BONGO_HI, BONGO_LO, CONGA_MUTE, CONGA_OPEN, CONGA_LOW = 60, 61, 62, 63, 64
BRUSH_SWIRL = 40  # in the GM brush kit (bank 128 preset 40): the swirled brush on the snare

EIGHTHS = (0, 2, 4, 6, 8, 10, 12, 14)
SIXTEENTHS = tuple(range(16))
OFFBEATS = (2, 6, 10, 14)
QUARTERS = (0, 4, 8, 12)
# son clave 3-2 over two bars (16th steps): three strokes, then two
CLAVE_32 = ((0, 6, 12), (4, 8))

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
            (STOMP, (0, 8), 84),
            (SNARE, (4, 12), 92),
            (CLAP, (4, 12), 76),
            (SHAKER, SIXTEENTHS, 62),
            (TAMB, (4, 12), 60),
        ],
        [
            (KICK, (0, 3, 8, 10), 108),
            (STOMP, (0, 8), 92),
            (SNARE, (4, 12), 106),
            (CLAP, (4, 12), 84),
            (SHAKER, EIGHTHS, 60),
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
    "trap": [
        [(HAT, EIGHTHS, 54)],
        [(KICK, (0, 10), 104), (CLAP, (8,), 94), (HAT, EIGHTHS, 62)],
        [(KICK, (0, 7, 10), 110), (CLAP, (8,), 104), (SNARE, (8,), 80), (HAT, EIGHTHS, 68)],
        [
            (KICK, (0, 3, 7, 10, 14), 116),
            (CLAP, (8,), 112),
            (SNARE, (8,), 90),
            (HAT, EIGHTHS, 72),
            (OPEN_HAT, (6,), 62),
        ],
    ],
    "house": [
        [(HAT, OFFBEATS, 58)],
        [(KICK, QUARTERS, 104), (OPEN_HAT, OFFBEATS, 70)],
        [(KICK, QUARTERS, 112), (CLAP, (4, 12), 96), (OPEN_HAT, OFFBEATS, 76), (HAT, EIGHTHS, 50)],
        [
            (KICK, QUARTERS, 118),
            (CLAP, (4, 12), 106),
            (OPEN_HAT, OFFBEATS, 80),
            (HAT, SIXTEENTHS, 56),
        ],
    ],
    "funk": [
        [(HAT, SIXTEENTHS, 50)],
        [(KICK, (0, 10), 98), (SNARE, (4, 12), 98), (SNARE, (7, 15), 38), (HAT, SIXTEENTHS, 58)],
        [
            (KICK, (0, 3, 10), 106),
            (SNARE, (4, 12), 106),
            (SNARE, (7, 9, 15), 40),
            (HAT, SIXTEENTHS, 64),
            (OPEN_HAT, (6,), 62),
        ],
        [
            (KICK, (0, 3, 6, 10, 11), 112),
            (SNARE, (4, 12), 112),
            (SNARE, (2, 7, 9, 15), 42),
            (HAT, SIXTEENTHS, 70),
            (OPEN_HAT, (14,), 68),
        ],
    ],
    "reggae": [
        [(HAT, EIGHTHS, 50), (SIDE, (8,), 66)],
        [(KICK, (8,), 98), (SIDE, (8,), 90), (HAT, EIGHTHS, 58)],
        [(KICK, (8,), 106), (SIDE, (8,), 96), (HAT, EIGHTHS, 64), (OPEN_HAT, (14,), 56)],
        [
            (KICK, (8,), 112),
            (SNARE, (8,), 104),
            (SIDE, (12,), 70),
            (HAT, SIXTEENTHS, 58),
            (OPEN_HAT, (6, 14), 60),
        ],
    ],
    "latin": [  # the clave is added bar by bar (3-2, ``CLAVE_32``)
        [(SHAKER, EIGHTHS, 52)],
        [(SHAKER, SIXTEENTHS, 54), (CONGA_MUTE, (4, 12), 66), (CONGA_OPEN, (6, 14), 80)],
        [
            (KICK, (0, 6, 8), 88),
            (SHAKER, SIXTEENTHS, 58),
            (CONGA_MUTE, (4, 12), 70),
            (CONGA_OPEN, (6, 14, 15), 84),
            (BONGO_HI, (0, 2, 8, 10), 66),
            (BONGO_LO, (3, 11), 60),
        ],
        [
            (KICK, (0, 6, 8, 14), 98),
            (SHAKER, SIXTEENTHS, 62),
            (CONGA_MUTE, (4, 12), 76),
            (CONGA_OPEN, (6, 14, 15), 90),
            (CONGA_LOW, (7,), 80),
            (BONGO_HI, (0, 2, 8, 10), 72),
            (COWBELL, QUARTERS, 70),
        ],
    ],
    "folk": [
        [(SHAKER, EIGHTHS, 54)],
        [(STOMP, (0, 8), 92), (CLAP, (4, 12), 80), (SHAKER, EIGHTHS, 60)],
        [
            (STOMP, (0, 8), 102),
            (KICK, (0, 8), 70),
            (CLAP, (4, 12), 94),
            (SIDE, (4, 12), 66),
            (SHAKER, EIGHTHS, 66),
            (TAMB, (4, 12), 54),
        ],
        [
            (STOMP, (0, 8, 10), 110),
            (KICK, (0, 8, 10), 80),
            (CLAP, (4, 12), 104),
            (SNARE, (4, 12), 80),
            (SHAKER, SIXTEENTHS, 62),
            (TAMB, EIGHTHS, 56),
        ],
    ],
    "kids": [
        [(WOOD_HI, QUARTERS, 60)],
        [(KICK, (0, 8), 92), (CLAP, (4, 12), 86), (WOOD_HI, OFFBEATS, 62), (HAT, EIGHTHS, 56)],
        [
            (KICK, (0, 6, 8), 100),
            (SNARE, (4, 12), 90),
            (CLAP, (4, 12), 90),
            (HAT, EIGHTHS, 62),
            (WOOD_HI, OFFBEATS, 66),
            (WOOD_LO, (15,), 60),
        ],
        [
            (KICK, (0, 3, 6, 8, 11), 108),
            (SNARE, (4, 12), 104),
            (CLAP, (4, 12), 100),
            (HAT, EIGHTHS, 68),
            (WOOD_HI, OFFBEATS, 70),
            (WOOD_LO, (7, 15), 64),
            (TAMB, (4, 12), 58),
        ],
    ],
    "epic": [  # taiko-like toms; a big ensemble hit opens each section (``crash``)
        [(TOMS[5], (0,), 84)],
        [(STOMP, (0, 8), 100), (TOMS[5], (0, 8), 92), (TOMS[3], (14,), 82)],
        [
            (STOMP, (0, 6, 8), 110),
            (TOMS[5], (0, 6, 8), 102),
            (TOMS[3], (10, 12), 94),
            (TOMS[1], (14, 15), 92),
        ],
        [
            (STOMP, (0, 3, 6, 8, 11), 118),
            (TOMS[5], (0, 3, 6, 8, 11), 112),
            (SNARE, (4, 12), 100),
            (TOMS[3], (10, 12, 13), 102),
            (TOMS[1], (14, 15), 106),
        ],
    ],
    "guofeng": [
        [(WOOD_HI, (0, 8), 54)],
        [(WOOD_HI, (0, 6, 8), 60), (TOMS[4], (0,), 70), (WOOD_LO, (12,), 56)],
        [
            (KICK, (0,), 76),
            (TOMS[4], (0, 10), 80),
            (TOMS[2], (8,), 70),
            (WOOD_HI, (0, 3, 6, 8, 12), 64),
            (WOOD_LO, (4, 14), 58),
            (SHAKER, EIGHTHS, 44),
        ],
        [
            (KICK, (0, 8), 88),
            (TOMS[4], (0, 6, 10), 88),
            (TOMS[2], (8, 14), 80),
            (WOOD_HI, EIGHTHS, 66),
            (WOOD_LO, (4, 12), 62),
            (SIDE, (4, 12), 66),
        ],
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
    brushes: bool = False,
) -> list[Note]:
    """One bar of drums (``beats`` long: the last bar may be partial); ``table`` replaces
    the style's patterns (a groove variant, ``grooves.drum_table``); on the brush kit a
    swirl sweeps under every half bar."""
    lv = level(energy)
    pattern = list((table or PATTERNS.get(style, [[], [], [], []]))[lv])
    steps_here = beats * 4
    fill_from = 12 if fill and lv >= 2 and steps_here == 16 else 99
    roll = _trap_roll(rng) if style == "trap" and lv >= 1 and fill_from == 99 else None
    if style == "latin":
        pattern.append((CLAVES, CLAVE_32[bar % 2], 84))
    notes: list[Note] = []
    for key, steps, base in pattern:
        for s in steps:
            if s >= min(steps_here, fill_from) and key not in (KICK,):
                continue
            if s >= steps_here or (roll and key == HAT and roll[0] <= s < roll[0] + 4):
                continue
            accent = 1.08 if s % 4 == 0 else 1.0 if s % 2 == 0 else 0.86
            notes.append(
                Note(grid.time(bar, s, rng, 0.004), 0.12, key, velocity(base * accent, energy, rng))
            )
    if brushes and lv >= 1:  # the brush circling the snare head, a half bar per sweep
        for s in range(0, steps_here, 8):
            dur = min(8, steps_here - s) * grid.step_s
            notes.append(
                Note(grid.time(bar, s, rng, 0.004), dur, BRUSH_SWIRL, velocity(70, energy, rng))
            )
    if roll and roll[0] + 4 <= steps_here:
        notes += _roll_notes(grid, bar, roll, energy, rng)
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
    if crash and style == "epic" and lv >= 1:  # the ensemble's big hit on a section start
        t = grid.time(bar, 0, rng, 0.002)
        for key in (STOMP, TOMS[5], TOMS[4], KICK):
            notes.append(Note(t, 0.4, key, velocity(122, max(energy, 0.8), rng, 2)))
    return notes


def _trap_roll(rng: np.random.Generator) -> tuple[int, float] | None:
    """A hi-hat roll over one beat of a trap bar, or none: (first step, step between hits:
    16ths 1, 32nds 0.5, 16th triplets 2/3)."""
    if rng.random() < 0.35:
        return None
    start = int(rng.choice((4, 12, 12)))
    return start, float(rng.choice((1.0, 0.5, 2 / 3)))


def _roll_notes(
    grid: Grid, bar: int, roll: tuple[int, float], energy: float, rng: np.random.Generator
) -> list[Note]:
    """The roll's hats, rising in velocity towards the next beat."""
    start, step = roll
    n = round(4 / step)
    return [
        Note(
            grid.time(bar, start + i * step, rng, 0.002),
            0.08,
            HAT,
            velocity(48 + 30 * i / max(n - 1, 1), energy, rng, 3),
        )
        for i in range(n)
    ]


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
