"""The preset choices the app offers (mood, genre, instruments, energy arc): canonical ids
the engine's brief understands, shared so the UI never spells them differently."""

from __future__ import annotations

MOODS = (
    "upbeat", "warm", "chill", "tense", "dark", "sad",
    "epic", "romantic", "playful", "mysterious", "inspiring", "calm",
)  # fmt: skip
GENRES = (
    "acoustic", "lofi", "cinematic", "electronic", "ambient",
    "corporate", "rock", "jazz", "piano", "chiptune",
    "hiphop", "house", "funk", "folk", "epic",
    "rnb", "reggae", "kids", "guofeng",
)  # fmt: skip
# the genres the prompt panel shows as chips; the rest are under its "More…" menu
MAIN_GENRES = (
    "acoustic", "lofi", "cinematic", "electronic", "ambient",
    "corporate", "hiphop", "rock", "piano",
)  # fmt: skip
INSTRUMENTS = (
    "guitar", "ukulele", "piano", "strings", "brass",
    "synth", "drums", "upright_bass", "brushes",
)  # fmt: skip
ARCS = ("flat", "build", "fall", "wave")
MAX_DURATION_S = 20 * 60
VARIATIONS = 3
