"""Brief: an English or Chinese prompt turned into music parameters.

Explicit options (from the CLI or the UI) always win over what the text says; whatever
neither gives is chosen from the mood, genre and use, and recorded in ``Brief.chosen``
so the caller can tell the user what was picked.
"""

from __future__ import annotations

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
