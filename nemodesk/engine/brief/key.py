"""Key and mode: an explicit key option, a key the prompt names, or one picked per genre."""

from __future__ import annotations

import re
import unicodedata

from nemodesk.engine.brief.model import KEYS, MINOR_MOODS, MOODS, BriefError

# Candidate tonics per genre: (major, minor); the mood picks one, so it is deterministic.
GENRE_KEYS = {
    "acoustic": (("G", "D", "A", "E", "C"), ("E", "A", "B", "D")),
    "lofi": (("F", "Eb", "Bb", "C"), ("A", "D", "C", "F")),
    "cinematic": (("D", "C", "Eb", "F"), ("D", "C", "A", "E")),
    "electronic": (("F", "A", "C", "G"), ("A", "F", "F#", "C")),
    "ambient": (("D", "E", "F", "A"), ("E", "C#", "D", "B")),
    "corporate": (("C", "G", "D", "F"), ("A", "E", "B", "D")),
    "rock": (("E", "A", "D", "G"), ("E", "A", "B", "D")),
    "jazz": (("Bb", "F", "Eb", "C"), ("C", "D", "G", "F")),
    "piano": (("C", "Eb", "Ab", "D"), ("A", "C", "F#", "E")),
    "chiptune": (("C", "G", "F", "D"), ("A", "E", "D", "C")),
    "hiphop": (("Eb", "F", "C", "Ab"), ("C", "F", "G", "Bb")),
    "house": (("F", "A", "G", "C"), ("A", "F", "G", "D")),
    "funk": (("E", "A", "D", "G"), ("E", "A", "D", "G")),
    "folk": (("G", "D", "C", "A"), ("E", "A", "D", "B")),
    "epic": (("D", "C", "Eb", "F"), ("D", "C", "A", "E")),
    "rnb": (("Eb", "Ab", "C#", "F"), ("C", "F", "Bb", "G")),
    "reggae": (("G", "C", "D", "A"), ("A", "D", "E", "G")),
    "kids": (("C", "G", "F", "D"), ("A", "E", "D", "C")),
    "guofeng": (("D", "G", "C", "F"), ("A", "E", "D", "B")),
}

_PITCH = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_ACC = r"(#|♯|♭|b(?![a-ln-z])|\s?-?\s?sharp|\s?-?\s?flat)"
_MODE = r"(major|minor|maj|min|m)"
_KEY_OPTION = re.compile(rf"([a-g]){_ACC}?\s*{_MODE}?(?: key)?", re.IGNORECASE)
_TEXT_KEYS = (
    re.compile(
        rf"(?<![A-Za-z])(?:in(?: the)? key of|in|key(?: of)?\s*[:=]?)\s+([A-Ga-g])"
        rf"{_ACC}?(?:\s*{_MODE}(?![A-Za-z]))?(?![A-Za-z#♯♭])",
        re.IGNORECASE,
    ),
    re.compile(rf"(?<![A-Za-z])([A-G]){_ACC}?\s*(major|minor)(?![A-Za-z])"),
)
_ZH_KEY = re.compile(r"([升降])?\s*(?<![A-Za-z])([A-Ga-g])\s*([#♯b♭])?\s*(大调|小调|调)")
_MINOR_WORD = re.compile(r"(?<![a-z])minor(?![a-z])|小调")
_MAJOR_WORD = re.compile(
    r"(?<![a-z])(?:major (?:key|mode|scale|tonality|chords?)|in major)(?![a-z])|大调"
)


def _key_name(letter: str, accidental: str | None) -> str:
    acc = (accidental or "").strip(" -").lower()
    shift = 1 if acc in ("#", "♯", "sharp", "升") else -1 if acc in ("b", "♭", "flat", "降") else 0
    return KEYS[(_PITCH[letter.lower()] + shift) % 12]


def _mode_name(word: str | None) -> str | None:
    if not word:
        return None
    if word == "M" or word.lower().startswith("maj") or word == "大调":
        return "major"
    return "minor" if word.lower().startswith("m") or word == "小调" else None


def parse_key(text: str) -> tuple[str, str | None]:
    """An explicit key such as "A", "Am", "F#", "Gb major", "c# minor" -> (KEYS name, mode).

    The mode is None when not said. Raises BriefError for anything else.
    """
    m = _KEY_OPTION.fullmatch(unicodedata.normalize("NFKC", str(text)).strip())
    if not m:
        raise BriefError(
            f'Unknown key {text!r}: use a note name such as C, F#, Bb, Am or "A minor".'
        )
    return _key_name(m.group(1), m.group(2)), _mode_name(m.group(3))


def text_key(raw: str) -> tuple[str | None, str | None]:
    """Key and mode the text names ("in A minor", "key of Eb", "C大调"), else Nones.

    Works on the original casing: "in A" is a key, "in a" is an article unless a mode or
    an accidental follows ("in a minor").
    """
    for pattern in _TEXT_KEYS:
        for m in pattern.finditer(raw):
            letter, acc, mode = m.group(1), m.group(2), m.group(3)
            if letter.islower() and not (mode or acc in ("#", "♯", "♭")):
                continue  # "in a minute", "in a flat arc"
            if letter == "a" and mode and raw[m.end() :].lstrip().lower().startswith("key"):
                continue  # "in a minor key": an article, the key is still free
            return _key_name(letter, acc), _mode_name(mode)
    m = _ZH_KEY.search(raw)
    if m:
        return _key_name(m.group(2), m.group(1) or m.group(3)), _mode_name(m.group(4))
    return None, None


def choose_key(
    option: str | None, raw: str, src: str, genre: str, mood: str
) -> tuple[str, str, bool]:
    """(key, mode, chosen) from the option, else the text, else the genre and mood.

    `raw` is the prompt in its original casing, `src` its normal form. The mode comes from
    the option or a named key, else a "minor"/"major" word, else the mood; the key from the
    option or the text, else the genre's candidates (chosen True).
    """
    key_name, mode = parse_key(option) if option is not None else (None, None)
    said_key, said_mode = text_key(raw)
    key_name = key_name or said_key
    mode = mode or said_mode
    if mode is None:
        if _MINOR_WORD.search(src):
            mode = "minor"
        elif _MAJOR_WORD.search(src):
            mode = "major"
        else:
            mode = "minor" if mood in MINOR_MOODS else "major"
    if key_name is not None:
        return key_name, mode, False
    candidates = GENRE_KEYS[genre][mode == "minor"]
    return candidates[MOODS.index(mood) % len(candidates)], mode, True
