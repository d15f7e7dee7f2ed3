"""Tempo: a BPM the prompt states ("120 bpm", "每分钟90拍"), or one picked from the genre."""

from __future__ import annotations

import re

from nemodesk.engine.brief.defaults import GENRE_BPM, MOOD_TEMPO, blend
from nemodesk.engine.brief.duration import MIN, NUM, SEC
from nemodesk.engine.brief.model import BriefError, real_option

MIN_BPM, MAX_BPM = 40.0, 220.0

_TEMPO = tuple(
    re.compile(p)
    for p in (
        rf"(?<![\d.]){NUM}\s*(?:bpm|beats? (?:per|a) min(?:ute)?|beats? ?/ ?min(?:ute)?)(?![a-z])",
        rf"(?<![a-z])(?:bpm|tempo)\s*(?:of|at|is|=|:|around|about|~)?\s*(?:around |about |~)?"
        rf"{NUM}(?!\s*(?:%|{SEC}(?![a-z])|{MIN}|\d))",
        rf"每分钟\s*{NUM}\s*拍",
        rf"(?<![\d.]){NUM}\s*拍\s*(?:每分钟|/\s*分钟?|每分)",
        rf"(?:速度|节拍|拍速|节奏)\s*(?:为|是|:|=|约|大约|在)?\s*{NUM}(?!\s*(?:秒|分|%))",
    )
)


def text_bpm(text: str) -> float | None:
    """The first tempo the text states within 40–220 BPM; others are ignored."""
    found = sorted((m.start(), float(m.group(1))) for p in _TEMPO for m in p.finditer(text))
    return next((b for _, b in found if MIN_BPM <= b <= MAX_BPM), None)


def bpm_for(genre: str, place: float) -> float:
    """A tempo at `place` in the genre's usual range (below 0 / above 1: beyond it)."""
    lo, hi = GENRE_BPM[genre]
    if place < 0:
        bpm = lo * (1 + 0.4 * place)
    elif place > 1:
        bpm = hi * (1 + 0.4 * (place - 1))
    else:
        bpm = lo + place * (hi - lo)
    return float(round(min(MAX_BPM, max(MIN_BPM, bpm))))


def pure_place(tempo_words: list[tuple[int, tuple[float, bool]]]) -> float | None:
    """The place the first pure tempo word ("slow", not "upbeat") gives, if any."""
    return next((place for _, (place, is_pure) in tempo_words if is_pure), None)


def choose_bpm(
    option: float | None,
    num: str,
    genre: str,
    moods: list[str],
    tempo_words: list[tuple[int, tuple[float, bool]]],
) -> tuple[float, bool]:
    """(bpm, chosen): the explicit option, else a BPM the text (``numeric`` form) states,
    else a place in the genre's range from a pure tempo word ("slow"), and failing that
    from a mood-like word ("upbeat") or the moods, with chosen True.
    """
    if option is not None:
        bpm = real_option(option, "Tempo")
        if not MIN_BPM <= bpm <= MAX_BPM:
            raise BriefError(
                f"Tempo must be between {MIN_BPM:g} and {MAX_BPM:g} BPM (got {bpm:g})."
            )
        return bpm, False
    if (said := text_bpm(num)) is not None:
        return said, False
    if (pure := pure_place(tempo_words)) is not None:
        return bpm_for(genre, pure), False
    place = tempo_words[0][1][0] if tempo_words else blend(MOOD_TEMPO, moods)
    return bpm_for(genre, place), True
