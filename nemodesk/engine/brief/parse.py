"""Brief: an English or Chinese prompt turned into music parameters.

Explicit options (from the CLI or the UI) always win over what the text says; whatever
neither gives is chosen from the mood, genre and use, and recorded in ``Brief.chosen``
so the caller can tell the user what was picked.

This module runs the parse; the package (``nemodesk.engine.brief``) re-exports its public
names, and the pieces live next to it: ``model`` (the Brief, vocabularies, errors),
``lexicon`` (phrase matching), ``negation``, ``duration``, ``tempo``, ``key``, ``defaults``,
``describe``, and the word tables in ``words/``.
"""

from __future__ import annotations

import unicodedata

from nemodesk.engine.brief.defaults import GENRE_MOOD, MOOD_ENERGY, MOOD_GENRE, blend
from nemodesk.engine.brief.describe import describe
from nemodesk.engine.brief.duration import choose_duration, numeric, text_durations
from nemodesk.engine.brief.key import choose_key, parse_key, text_key
from nemodesk.engine.brief.lexicon import (
    ARC_LEXICON,
    CJK,
    ENERGY_LEXICON,
    GENRE_LEXICON,
    INSTRUMENT_LEXICON,
    LOOP_LEXICON,
    MOOD_LEXICON,
    TEMPO_LEXICON,
    USE_LEXICON,
    USE_RANK,
    Lexicon,
    normalise,
)
from nemodesk.engine.brief.model import (
    ARCS,
    DEFAULT_DURATION_S,
    GENRES,
    INSTRUMENTS,
    KEYS,
    MAX_DURATION_S,
    MIN_DURATION_S,
    MINOR_MOODS,
    MOODS,
    Brief,
    BriefError,
    real_option,
)
from nemodesk.engine.brief.negation import Scopes
from nemodesk.engine.brief.reading import Reading
from nemodesk.engine.brief.tempo import MAX_BPM, MIN_BPM, choose_bpm, pure_place, text_bpm
from nemodesk.engine.brief.words.genres import GENRE_WEAK
from nemodesk.engine.brief.words.uses import USES

__all__ = [
    "ARCS",
    "DEFAULT_DURATION_S",
    "GENRES",
    "INSTRUMENTS",
    "KEYS",
    "MAX_BPM",
    "MAX_DURATION_S",
    "MINOR_MOODS",
    "MIN_BPM",
    "MIN_DURATION_S",
    "MOODS",
    "Brief",
    "BriefError",
    "Reading",
    "describe",
    "parse_brief",
    "parse_key",
    "read_words",
]

MAX_PARSE_CHARS = 4000  # a prompt longer than this is not a prompt; keeps parsing fast
CHOSEN_ORDER = ("duration", "genre", "mood", "key", "tempo", "arc")


def _pick(kind: str, value: str, lexicon: Lexicon[str], valid: tuple[str, ...]) -> str:
    """An explicit option: the canonical name or a known synonym, else a BriefError."""
    if not isinstance(value, str):
        found = None
    elif (canonical := value.strip().lower()) in valid:
        found = canonical
    else:
        found = lexicon.lookup(value)
    if found is None or found not in valid:
        raise BriefError(f"Unknown {kind} {value!r}: choose one of {', '.join(valid)}.")
    return found


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _text_genre(src: str, neg: Scopes) -> str | None:
    """The first genre the text names; a weak word ("guitar") only if nothing stronger."""
    strong, weak = [], []
    for m in GENRE_LEXICON.pattern.finditer(src):
        if not neg.covers(m.start(), GENRE_LEXICON.pattern):
            (weak if m.group() in GENRE_WEAK else strong).append(GENRE_LEXICON.words[m.group()])
    return (strong or weak or [None])[0]


def _use_genre_moods(
    src: str, neg: Scopes, mood: str | None, genre: str | None
) -> tuple[str | None, str, list[str], list[str]]:
    """(use, genre, moods with the primary first, chosen): each from the option, else the
    text, else the other two and the use."""
    chosen = []
    uses = [u for _, u in USE_LEXICON.find(src, neg)]
    use = min(uses, key=USE_RANK.__getitem__) if uses else None
    use_genre, use_mood = USES[use] if use else (None, None)
    moods = _dedupe([m for _, m in MOOD_LEXICON.find(src, neg)])
    if mood is not None:
        primary = _pick("mood", mood, MOOD_LEXICON, MOODS)
        moods = [primary, *(m for m in moods if m != primary)]
    if genre is not None:
        found = _pick("genre", genre, GENRE_LEXICON, GENRES)
    elif not (found := _text_genre(src, neg)):
        found = use_genre or (MOOD_GENRE[moods[0]] if moods else "corporate")
        chosen.append("genre")
    if not moods:
        given_genre = "genre" not in chosen
        moods = [use_mood or (GENRE_MOOD[found] if given_genre else "warm")]
        chosen.append("mood")
    return use, found, moods, chosen


def _instruments(src: str, neg: Scopes, option: list[str] | None) -> tuple[list[str], list[str]]:
    """(instruments asked for, instruments excluded): the option replaces the text's asks."""
    pattern = INSTRUMENT_LEXICON.pattern
    excluded = _dedupe([i for p, i in INSTRUMENT_LEXICON.find(src) if neg.covers(p, pattern)])
    if option is None:
        asked = [i for _, i in INSTRUMENT_LEXICON.find(src) if i not in excluded]
        return _dedupe(asked), excluded
    if isinstance(option, str) or not all(isinstance(i, str) for i in option):
        raise BriefError("Instruments must be a list of names such as piano, guitar.")
    asked = []
    for name in option:
        found = INSTRUMENT_LEXICON.lookup(name)
        if found is None:
            raise BriefError(f"Unknown instrument {name!r}: choose from {', '.join(INSTRUMENTS)}.")
        asked.append(found)
    asked = _dedupe(asked)
    return asked, [i for i in excluded if i not in asked]


def _arc(src: str, neg: Scopes, option: str | None) -> tuple[str, bool]:
    """(arc, chosen): rising and falling words together make a wave."""
    if option is not None:
        return _pick("arc", option, ARC_LEXICON, ARCS), False
    arcs = {a for _, a in ARC_LEXICON.find(src, neg)}
    if "wave" in arcs or {"build", "fall"} <= arcs:
        return "wave", False
    return next((a for a in ("build", "fall", "flat") if a in arcs), "flat"), not arcs


def _loop(src: str, neg: Scopes, option: bool | None) -> bool:
    """Loopable if asked, or if the first loop word in the text is not negated."""
    if option is not None:
        return bool(option)
    hits = [neg.covers(m.start(), LOOP_LEXICON.pattern) for m in LOOP_LEXICON.pattern.finditer(src)]
    return bool(hits) and not hits[0]


def _energy(
    src: str, neg: Scopes, option: float | None, moods: list[str], pure: float | None
) -> float:
    """The option, else the moods' energy nudged by energy words and a pure tempo word."""
    if option is not None:
        value = real_option(option, "Energy")
        if not 0.0 <= value <= 1.0:
            raise BriefError(f"Energy must be between 0 and 1 (got {value:g}).")
        return value
    shift = sum(d for _, d in ENERGY_LEXICON.find(src, neg))
    if pure is not None:
        shift += (pure - 0.5) * 0.2
    value = blend(MOOD_ENERGY, moods) + max(-0.3, min(0.3, shift))
    return round(min(1.0, max(0.05, value)), 2)


def fresh_choices(genre: str, mood: str, mode: str) -> tuple[str, float, float]:
    """The key, BPM and energy a new brief of this genre, mood and mode gets when its text
    names none of them: what the agent re-picks after a genre or mood change, without
    parsing a made-up text for it."""
    words = f"{mode} key"
    key, _, _ = choose_key(None, words, words, genre, mood)
    bpm, _ = choose_bpm(None, "", genre, [mood], [])
    energy = round(min(1.0, max(0.05, blend(MOOD_ENERGY, [mood]))), 2)
    return key, bpm, energy


def parse_brief(
    text: str,
    *,
    duration_s: float | None = None,
    bpm: float | None = None,
    key: str | None = None,
    mood: str | None = None,
    genre: str | None = None,
    instruments: list[str] | None = None,
    arc: str | None = None,
    loop: bool | None = None,
    energy: float | None = None,
) -> Brief:
    """Turn a prompt (English or Chinese) and explicit options into a complete Brief.

    Options win over the text; what neither gives is chosen from genre, mood and use and
    named in ``Brief.chosen``. Raises BriefError for invalid options or a text duration
    over 20 minutes; never for an odd or empty prompt.
    """
    prompt = text if isinstance(text, str) else ""
    raw = unicodedata.normalize("NFKC", prompt[:MAX_PARSE_CHARS])
    src = normalise(raw)
    num = numeric(src)
    neg = Scopes(src)
    brief = Brief(prompt=prompt, language="zh" if CJK.search(raw) else "en")
    chosen: set[str] = set()

    brief.duration_s, brief.duration_given = choose_duration(duration_s, num)
    if not brief.duration_given:
        chosen.add("duration")
    brief.use, brief.genre, brief.moods, picked = _use_genre_moods(src, neg, mood, genre)
    brief.mood = brief.moods[0]
    chosen.update(picked)
    brief.instruments, brief.exclude = _instruments(src, neg, instruments)
    brief.arc, arc_chosen = _arc(src, neg, arc)
    brief.loop = _loop(src, neg, loop)
    tempo_words = TEMPO_LEXICON.find(src, neg)
    brief.bpm, tempo_chosen = choose_bpm(bpm, num, brief.genre, brief.moods, tempo_words)
    brief.energy = _energy(src, neg, energy, brief.moods, pure_place(tempo_words))
    brief.key, brief.mode, key_chosen = choose_key(key, raw, src, brief.genre, brief.mood)
    for name, was_chosen in (("arc", arc_chosen), ("tempo", tempo_chosen), ("key", key_chosen)):
        if was_chosen:
            chosen.add(name)

    brief.chosen = [c for c in CHOSEN_ORDER if c in chosen]
    return brief


def read_words(text: str) -> Reading | None:
    """What ``parse_brief(text)`` would find in the text itself, without choosing the rest:
    the same normal form, negation and word tables, so the answers match the parse's
    (``Brief.instruments``, ``exclude``, ``moods`` unless chosen, ``genre`` unless chosen,
    ...). None where ``parse_brief`` would refuse the text (every length it states is over
    20 minutes). Cheaper than a parse: no defaults, key, tempo or energy are picked.
    """
    raw = unicodedata.normalize("NFKC", text[:MAX_PARSE_CHARS] if isinstance(text, str) else "")
    src = normalise(raw)
    num = numeric(src)
    neg = Scopes(src)
    said = [s for _, s in text_durations(num) if s >= MIN_DURATION_S]
    fitting = [s for s in said if s <= MAX_DURATION_S]
    if said and not fitting:
        return None
    instruments, exclude = _instruments(src, neg, None)
    tempo_words = TEMPO_LEXICON.find(src, neg)
    return Reading(
        instruments=tuple(instruments),
        exclude=tuple(exclude),
        moods=tuple(_dedupe([m for _, m in MOOD_LEXICON.find(src, neg)])),
        genre=_text_genre(src, neg),
        arc=bool(ARC_LEXICON.find(src, neg)),
        loop=_loop(src, neg, None),
        duration_s=round(fitting[0], 3) if fitting else None,
        key=text_key(raw)[0] is not None,
        tempo=text_bpm(num) is not None or pure_place(tempo_words) is not None,
    )
