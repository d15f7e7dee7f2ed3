"""What a brief falls back on when the prompt does not say: per-genre and per-mood defaults."""

from __future__ import annotations

from collections.abc import Mapping

# genre: (usual tempo range in BPM, default mood). Tempo words and moods pick a place
# inside the range.
_GENRE_DEFAULTS = {
    "acoustic": ((100.0, 115.0), "warm"),
    "lofi": ((75.0, 85.0), "chill"),
    "cinematic": ((80.0, 100.0), "epic"),
    "electronic": ((124.0, 128.0), "upbeat"),
    "ambient": ((60.0, 75.0), "calm"),
    "corporate": ((100.0, 120.0), "inspiring"),
    "rock": ((120.0, 140.0), "upbeat"),
    "jazz": ((110.0, 140.0), "warm"),
    "piano": ((70.0, 90.0), "calm"),
    "chiptune": ((140.0, 160.0), "playful"),
    "hiphop": ((80.0, 95.0), "aggressive"),
    "house": ((120.0, 126.0), "upbeat"),
    "funk": ((105.0, 118.0), "happy"),
    "folk": ((90.0, 110.0), "warm"),
    "epic": ((85.0, 100.0), "epic"),
    "rnb": ((70.0, 85.0), "romantic"),
    "reggae": ((80.0, 95.0), "chill"),
    "kids": ((110.0, 125.0), "playful"),
    "guofeng": ((68.0, 84.0), "warm"),
}
# mood: (place in the genre's tempo range: 0 low, 1 high; energy 0..1; default genre)
_MOOD_DEFAULTS = {
    "upbeat": (0.8, 0.75, "corporate"),
    "warm": (0.45, 0.55, "acoustic"),
    "chill": (0.3, 0.4, "lofi"),
    "tense": (0.75, 0.7, "cinematic"),
    "dark": (0.4, 0.6, "cinematic"),
    "sad": (0.15, 0.35, "piano"),
    "epic": (0.7, 0.9, "cinematic"),
    "romantic": (0.3, 0.45, "piano"),
    "playful": (0.75, 0.65, "acoustic"),
    "mysterious": (0.35, 0.5, "cinematic"),
    "inspiring": (0.6, 0.7, "corporate"),
    "calm": (0.1, 0.3, "ambient"),
    "happy": (0.75, 0.7, "corporate"),
    "dreamy": (0.2, 0.35, "ambient"),
    "aggressive": (0.95, 0.9, "rock"),
    "nostalgic": (0.3, 0.45, "lofi"),
}

GENRE_BPM = {genre: bpm for genre, (bpm, _) in _GENRE_DEFAULTS.items()}
GENRE_MOOD = {genre: mood for genre, (_, mood) in _GENRE_DEFAULTS.items()}
MOOD_TEMPO = {mood: place for mood, (place, _, _) in _MOOD_DEFAULTS.items()}
MOOD_ENERGY = {mood: energy for mood, (_, energy, _) in _MOOD_DEFAULTS.items()}
MOOD_GENRE = {mood: genre for mood, (_, _, genre) in _MOOD_DEFAULTS.items()}


def blend(table: Mapping[str, float], moods: list[str]) -> float:
    """A mood table's value for several moods: the primary counts most, the others pull a
    little."""
    first = table[moods[0]]
    if len(moods) == 1:
        return first
    rest = [table[m] for m in moods[1:]]
    return 0.6 * first + 0.4 * sum(rest) / len(rest)
