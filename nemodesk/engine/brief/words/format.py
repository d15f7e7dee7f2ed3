"""How the word tables (``words/``) are written, and the helpers that read them.

The tables are kept apart from the parsing logic so that adding a synonym never touches
code. English phrases are written in the parser's normal form: lower case, words separated
by one space, hyphens between letters already turned into spaces ("lo-fi" is written
"lo fi"). Longer phrases win over shorter ones at the same position ("electric guitar" over
"guitar"), so the order of phrases does not matter.

A table maps each value to one string listing its phrases, separated by commas:
``{"upbeat": "upbeat, energetic, 欢快"}``; ``expand`` turns it into phrase -> value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

V = TypeVar("V")


def phrases(text: str) -> tuple[str, ...]:
    """Split "a, b c, d" into ("a", "b c", "d")."""
    return tuple(p.strip() for p in text.split(","))


def expand(table: Mapping[V, str]) -> dict[str, V]:
    """{value: "phrase, phrase, ..."} -> {phrase: value}."""
    return {p: value for value, text in table.items() for p in phrases(text)}
