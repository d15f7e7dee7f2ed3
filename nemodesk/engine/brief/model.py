"""The Brief record, its vocabulary (moods, genres, ...) and the error it raises.

Kept apart from the parser so every module of the brief package can share it without import cycles;
``nemodesk.engine.brief`` re-exports all of it.
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
    "jazz", "piano", "chiptune", "hiphop", "house", "funk", "folk", "epic", "rnb",
    "reggae", "kids", "guofeng",
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
    # The user's say over the accents on the video's cuts (times on the music's clock, s),
    # kept in the draft so every later take honours them:
    hits_off_s: list[float] = field(default_factory=list)  # cuts (±0.15 s) left unaccented
    hits_moved: list[tuple[float, float]] = field(default_factory=list)  # (cut, new time)
    hit_boost_db: float = 0.0  # "hit harder on the cuts" (+) / "softer accents" (-)
    # What a variation picked (engine/music/variations.py), kept in the draft so a take is
    # re-rendered and edited with the same character. None: the plain brief's own choice.
    progression: int | None = None  # the n-th kind of section plays theory.progressions()[p+n]
    groove: int | None = None  # 0 or None: the genre's drum and comping patterns; 1..3 others
    lead: str | None = None  # lead instrument (INSTRUMENTS) instead of the genre's, unless asked


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
