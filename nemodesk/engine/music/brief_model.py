"""The Brief record, its vocabulary (moods, genres, ...) and the error it raises.

Kept apart from the parser so every brief_* module can share it without import cycles;
``nemodesk.engine.music.brief`` re-exports all of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# fmt: off
MOODS = (
    "upbeat", "warm", "chill", "tense", "dark", "sad", "epic", "romantic",
    "playful", "mysterious", "inspiring", "calm", "happy", "dreamy", "aggressive",
    "nostalgic",
)
MINOR_MOODS = frozenset({"tense", "dark", "sad", "mysterious", "aggressive", "nostalgic"})
GENRES = (
    "acoustic", "lofi", "cinematic", "electronic", "ambient", "corporate", "rock",
    "jazz", "piano", "chiptune",
)
INSTRUMENTS = (
    "piano", "guitar", "electric_guitar", "ukulele", "bass", "upright_bass", "synth_bass",
    "strings", "brass", "synth", "pad", "drums", "brushes", "bells", "flute", "marimba",
    "organ", "choir", "timpani", "percussion",
)
ARCS = ("flat", "build", "fall", "wave")
KEYS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MIN_DURATION_S = 0.5
MAX_DURATION_S = 20 * 60.0
DEFAULT_DURATION_S = 60.0
# fmt: on


@dataclass
class Brief:
    """Everything the planner and composer need; every field has a usable value."""

    prompt: str = ""
    duration_s: float = DEFAULT_DURATION_S
    duration_given: bool = False  # False: a video's length may replace it
    bpm: float = 100.0
    key: str = "C"  # one of KEYS
    mode: str = "major"  # "major" | "minor"
    mood: str = "warm"  # primary mood, one of MOODS
    moods: list[str] = field(default_factory=list)  # all moods found, primary first
    genre: str = "corporate"  # one of GENRES
    instruments: list[str] = field(default_factory=list)  # asked for, canonical names
    exclude: list[str] = field(default_factory=list)  # asked to leave out ("no piano")
    arc: str = "flat"  # one of ARCS
    energy: float = 0.6  # overall energy 0..1
    loop: bool = False
    use: str | None = None  # "travel vlog", "thriller", ... as a hint
    language: str = "en"  # "en" | "zh"
    chosen: list[str] = field(default_factory=list)  # fields filled by defaults, not asked


class BriefError(ValueError):
    """A brief that cannot be honoured; the message is one user-facing sentence."""


def real_option(value: object, name: str) -> float:
    """An explicit numeric option as a finite float, else a BriefError naming it."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BriefError(f"{name} must be a number (got {value!r}).") from None
    if not math.isfinite(number):
        raise BriefError(f"{name} must be a finite number (got {value!r}).")
    return number
