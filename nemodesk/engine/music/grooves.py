"""Groove variants: other drum patterns and comping figures for the same genre.

``Brief.groove`` 0 (or None) plays the genre's own patterns (``drums.PATTERNS`` and the
template's comping style); 1, 2 and 3 play a variant derived from them, level by level, so
each keeps the genre's kit, sounds and density:

1. push — syncopated kick, busier time-keeping (an open hat on the last off-beat);
2. half — half-time: the backbeat on beat 3, sparser kick, hats in quarters;
3. drive — kick on every beat, sixteenths in the hats, tambourine on the backbeat.

Comping changes with it (a strum becomes picked arpeggios, block chords, ...), and so does
the kit where the genre's has a sibling (standard / room / power, electronic / TR-808,
jazz / brushes).
"""

from __future__ import annotations

from nemodesk.engine.music.drums import (
    CLAP,
    EIGHTHS,
    HAT,
    KICK,
    OPEN_HAT,
    PATTERNS,
    PEDAL_HAT,
    RIDE,
    SHAKER,
    SIDE,
    SIXTEENTHS,
    SNARE,
    TAMB,
)

GROOVES = ("push", "half", "drive")
QUARTERS = (0, 4, 8, 12)
_BACK = {SNARE, SIDE, CLAP}
_TIME = {HAT, SHAKER, RIDE, TAMB, OPEN_HAT, PEDAL_HAT}
# kick steps per variant and level (a level without a kick in the genre gets none)
_KICKS = {
    "push": ((), (0, 10), (0, 6, 10), (0, 3, 6, 10)),
    "half": ((), (0,), (0, 11), (0, 3, 11, 14)),
    "drive": ((), (0, 8), QUARTERS, (0, 4, 8, 10, 12)),
}
# comping figure per template style and variant
_COMP = {
    "strum": ("arp", "block", "strum"),
    "block": ("arp", "stabs", "block"),
    "arp": ("block", "strum", "arp"),
    "stabs": ("arp", "block", "stabs"),
    "jazz": ("block", "arp", "jazz"),
}

# GM drum kit (bank 128 preset) per template kit and variant
_KITS = {
    0: (8, 0, 16),
    8: (0, 8, 16),
    16: (0, 8, 16),
    24: (25, 16, 25),
    25: (24, 16, 24),
    32: (40, 32, 40),
}

Row = list[tuple[int, tuple[int, ...], int]]


def variant(groove: int | None) -> str | None:
    """The variant's name for ``Brief.groove`` (None for the genre's own)."""
    return GROOVES[(int(groove) - 1) % len(GROOVES)] if groove else None


def comp_style(style: str, groove: int | None) -> str:
    """The comping figure to play for the template's ``style``."""
    if not groove or style not in _COMP:
        return style
    return _COMP[style][(int(groove) - 1) % len(GROOVES)]


def kit(program: int, groove: int | None) -> int:
    """The drum kit to play for the template's kit ``program``."""
    if not groove or program not in _KITS:
        return program
    return _KITS[program][(int(groove) - 1) % len(GROOVES)]


def drum_table(style: str, groove: int | None) -> list[Row] | None:
    """The drum patterns (level → row, as in ``drums.PATTERNS``) for a groove variant, or
    None for the genre's own."""
    name = variant(groove)
    base = PATTERNS.get(style)
    if name is None or not base:
        return None
    return [_row(style, lv, row, name) for lv, row in enumerate(base)]


def _row(style: str, lv: int, row: Row, name: str) -> Row:
    out: Row = []
    four = style == "four" and name == "drive"  # electronic keeps its four-on-the-floor kick
    for key, steps, vel in row:
        if key == KICK and not four:
            steps = _KICKS[name][lv] or steps
        elif key == KICK and name == "push" and lv >= 2:
            steps = (*steps, 14)
        elif key in _BACK and name == "half" and set(steps) == {4, 12}:
            steps = (8,)
        elif key in _TIME:
            key, steps, vel = _time(key, steps, vel, lv, name)
        out.append((key, tuple(steps), vel))
    keys = {k for k, _, _ in out}
    if name == "push" and lv >= 2 and OPEN_HAT not in keys:
        out.append((OPEN_HAT, (14,), 66))
    if name == "drive" and lv >= 1 and TAMB not in keys and keys & _BACK:
        out.append((TAMB, (4, 12), 58))
    return out


def _time(
    key: int, steps: tuple[int, ...], vel: int, lv: int, name: str
) -> tuple[int, tuple[int, ...], int]:
    if name == "push":
        if lv <= 1 and key in (HAT, SHAKER):
            key = SHAKER if key == HAT else HAT
        if steps == QUARTERS:
            steps = EIGHTHS
        elif steps == EIGHTHS and lv >= 2:
            steps, vel = SIXTEENTHS, vel - 6
    elif name == "half":
        if steps == SIXTEENTHS:
            steps = EIGHTHS
        elif steps == EIGHTHS:
            steps = QUARTERS
        if lv == 3 and key == HAT:
            key = RIDE
    elif name == "drive":
        if steps == EIGHTHS and lv >= 1:
            steps, vel = SIXTEENTHS, vel - 8
        elif steps == QUARTERS:
            steps = EIGHTHS
    return key, steps, vel
