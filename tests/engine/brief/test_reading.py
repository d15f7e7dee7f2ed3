"""``read_words``: what the parser finds in a text, without a Brief, must be exactly what
``parse_brief`` of the same text finds (the chat agent relies on it; issue 16)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nemodesk.engine.brief import BriefError, parse_brief, read_words
from nemodesk.engine.brief.lexicon import (
    ARC_LEXICON,
    GENRE_LEXICON,
    INSTRUMENT_LEXICON,
    LOOP_LEXICON,
    MOOD_LEXICON,
    TEMPO_LEXICON,
    USE_LEXICON,
)

TEXTS = (
    "",
    "drums",
    "no piano",
    "no piano, more drums",
    "no piano, ,,,,,,,,,,",
    "bass piano electric",
    "electric",
    "grand",
    "piano and no",
    "drums 25 minutes",
    "drums, 30 minutes",
    "ninety seconds please",
    "2.30 minutes",
    " 45 seconds",
    "in A minor",
    "in a minor key",
    "C大调",
    "120 bpm",
    "slow",
    "not too fast acoustic guitar",
    "no drums or bass",
    "make it loop",
    "don't loop",
    "不要钢琴",
    "多点鼓",
    "轻快一点",
    "欢快的钢琴",
    "鼓舞人心",
    "a dark cinematic build with timpani and choir, 3 minutes, in D minor",
    "lofi hip hop beats to study to",
    "90s hip hop",
    "blorp",
    "sad",
    "not sad",
    "jazz",
    "no jazz",
    "rising then falling",
)


def _same_as_parse(text: str) -> None:
    reading = read_words(text)
    try:
        b = parse_brief(text)
    except BriefError:
        assert reading is None, text
        return
    assert reading is not None, text
    chosen = set(b.chosen)
    assert list(reading.instruments) == b.instruments, text
    assert list(reading.exclude) == b.exclude, text
    assert list(reading.moods) == ([] if "mood" in chosen else b.moods), text
    assert reading.genre == (None if "genre" in chosen else b.genre), text
    assert reading.arc == ("arc" not in chosen), text
    assert reading.key == ("key" not in chosen), text
    assert reading.tempo == ("tempo" not in chosen), text
    assert reading.loop == b.loop, text
    assert reading.duration_s == (b.duration_s if b.duration_given else None), text
    assert (reading.duration_s is not None) == ("duration" not in chosen), text
    found = b.instruments or b.exclude or b.duration_given or len(b.chosen) < 6 or b.loop
    assert reading.names_something == bool(found), text


def test_read_words_finds_what_the_parse_finds() -> None:
    for text in TEXTS:
        _same_as_parse(text)


_WORDS = sorted(
    {
        w
        for lexicon in (
            ARC_LEXICON,
            GENRE_LEXICON,
            INSTRUMENT_LEXICON,
            LOOP_LEXICON,
            MOOD_LEXICON,
            TEMPO_LEXICON,
            USE_LEXICON,
        )
        for w in lexicon.words
    }
    | {"no", "not", "without", "but", "with", "and", "more", "less", "不要", "没有", "in A minor"}
    | {"in", "a", "key", "minor", "90", "30 minutes", "90s", "120 bpm", "两分钟", "半", "1:30"}
    | {",", ".", "，", "then", "also", "、", "\n", "bgm", "music", "twenty", "seconds"}
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=8), st.sampled_from((" ", "", ", ")))
def test_read_words_matches_the_parse_on_any_mix_of_words(parts: list[str], sep: str) -> None:
    _same_as_parse(sep.join(parts))
