"""The prompt reader: an English or Chinese prompt turned into a ``Brief`` of music parameters.

The lowest room of the engine: it imports nothing from ``music``, ``media``, ``server`` or
``agent`` (music may import it). The public names are re-exported here; the pieces are
``parse`` (runs the parse), ``model`` (the Brief, vocabularies, errors), ``lexicon``
(phrase matching), ``negation``, ``duration``, ``tempo``, ``key``, ``defaults``,
``describe``, and the word tables in ``words/``.
"""

from __future__ import annotations

from nemodesk.engine.brief.parse import (
    ARCS,
    DEFAULT_DURATION_S,
    GENRES,
    INSTRUMENTS,
    KEYS,
    MAX_BPM,
    MAX_DURATION_S,
    MIN_BPM,
    MIN_DURATION_S,
    MINOR_MOODS,
    MOODS,
    Brief,
    BriefError,
    Reading,
    describe,
    fresh_choices,
    parse_brief,
    parse_key,
    read_words,
)

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
    "fresh_choices",
    "parse_brief",
    "parse_key",
    "read_words",
]
