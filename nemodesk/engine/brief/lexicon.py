"""Matching phrases in a prompt: the normal form, the Lexicon matcher and the lexicons.

Each lexicon is built from a word table (``words/``) plus the canonical names themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Generic, TypeVar

from nemodesk.engine.brief.model import ARCS, GENRES, INSTRUMENTS, MOODS
from nemodesk.engine.brief.negation import Scopes
from nemodesk.engine.brief.words.arcs import ARC_WORDS, LOOP_WORDS
from nemodesk.engine.brief.words.genres import GENRE_WORDS
from nemodesk.engine.brief.words.instruments import INSTRUMENT_WORDS
from nemodesk.engine.brief.words.moods import MOOD_WORDS
from nemodesk.engine.brief.words.tempo import ENERGY_WORDS, TEMPO_WORDS
from nemodesk.engine.brief.words.uses import USE_WORDS, USES

V = TypeVar("V")

# Regexes for words that would otherwise match where they mean something else.
SPECIAL_PATTERNS = {
    "快": r"(?<![欢愉痛凉爽尽轻])快(?![乐递门])",  # not 欢快 (joyful), 快乐 (happy)
    "慢": r"(?<![慢很])慢(?!慢)",  # not 慢慢 (gradually)
    "鼓": r"鼓(?![舞励])",  # not 鼓舞 (inspiring)
    "低音": r"低音(?!提琴)",
    "beat": r"beat(?! per)",
    "beats": r"beats(?! per| a minute| ?/ ?min)",
    "house": r"house(?! tour| party| warming| plant)",
    "drone": r"drone(?! (?:footage|shots?|videos?|views?|cam|camera|flights?|clips?))",
    "retro": r"retro(?! game| gaming| arcade| video game)",
    "pop": r"pop(?! up)",
    "slow": r"slow(?! build| burn| motion| mo)",
    "fast": r"fast(?! forward)",
    "grand": r"grand(?! piano)",
    "wave": r"wave(?! (?:form|file))",
}

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ASCII_WORD = re.compile(r"[ -~]+")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—−"} | {"’": "'", "‘": "'", "_": " "})
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z0-9])|(?<=[0-9])-(?=[a-z])")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Full-width to ASCII (NFKC), lower case, "lo-fi" -> "lo fi", single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_DASHES)
    return _SPACES.sub(" ", _WORD_HYPHEN.sub(" ", text))


class Lexicon(Generic[V]):
    """Phrases -> values, matched in one pass; longest phrase first at each position.

    English phrases need word edges on letters and digits (Python's \\b treats CJK as word
    characters, so "旅行vlog" would hide "vlog"); Chinese phrases match anywhere.
    """

    def __init__(self, words: Mapping[str, V]) -> None:
        self.words = dict(words)
        ordered = sorted(self.words, key=len, reverse=True)
        latin = [SPECIAL_PATTERNS.get(w, re.escape(w)) for w in ordered if _ASCII_WORD.fullmatch(w)]
        cjk = [
            SPECIAL_PATTERNS.get(w, re.escape(w)) for w in ordered if not _ASCII_WORD.fullmatch(w)
        ]
        self.pattern = re.compile(
            f"(?<![a-z0-9])(?:{'|'.join(latin)})(?![a-z0-9])|{'|'.join(cjk) or '(?!)'}"
        )

    def find(self, text: str, negated: Scopes | None = None) -> list[tuple[int, V]]:
        """(position, value) of each match, dropping those negated ("not sad")."""
        return [
            (m.start(), self.words[m.group()])
            for m in self.pattern.finditer(text)
            if negated is None or not negated.covers(m.start(), self.pattern)
        ]

    def lookup(self, option: str) -> V | None:
        return self.words.get(normalise(option).strip())


MOOD_LEXICON = Lexicon({**MOOD_WORDS, **{m: m for m in MOODS}})
# "piano" alone is an instrument; the piano genre needs "solo piano", "piano only", …
# "epic" alone is a mood (an epic cinematic trailer); the epic genre needs "orchestral", …
GENRE_LEXICON = Lexicon({**GENRE_WORDS, **{g: g for g in GENRES if g not in ("piano", "epic")}})
INSTRUMENT_LEXICON = Lexicon({**INSTRUMENT_WORDS, **{i.replace("_", " "): i for i in INSTRUMENTS}})
ARC_LEXICON = Lexicon({**ARC_WORDS, **{a: a for a in ARCS}})
LOOP_LEXICON = Lexicon(LOOP_WORDS)
TEMPO_LEXICON = Lexicon(TEMPO_WORDS)
ENERGY_LEXICON = Lexicon(ENERGY_WORDS)
USE_LEXICON = Lexicon(USE_WORDS)
USE_RANK = {u: i for i, u in enumerate(USES)}
