"""The chat agent's view of a message: a maskable text, and the pieces its detectors share.

``Text`` keeps the message three ways, position-aligned: as typed (NFKC), lower case, and
masked. A detector that reads a phrase masks it, so later detectors and the brief parser do
not read the same words again ("start at 5 seconds" is not a 5-second length). Musical
vocabulary is left to the brief parser: what is left of a message is parsed into a Brief
once (``parsed``); the detectors' questions about a few words ("is 'drums' an
instrument?", "is 'no piano' understood?") are answered by the parser's word reader,
``read_words`` (``words`` below), which finds what the parse would find without building a
Brief.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nemodesk.engine.agent import words as vocab
from nemodesk.engine.brief import Brief, BriefError, Reading, parse_brief, read_words


@dataclass
class Edit:
    """One thing a message asks for.

    Kinds and values: ``bpm`` (BPM), ``bpm_rel`` (factor), ``bpm_add`` (BPM);
    ``duration`` (s), ``duration_rel`` (factor), ``duration_add`` (s), ``duration_video``;
    ``add`` / ``more`` / ``less`` / ``exclude`` / ``drop`` (instrument); ``energy`` (delta);
    ``arc``; ``mood`` (list of moods); ``genre``; ``key`` ((key, mode or None)); ``mode``;
    ``loop`` (bool); ``volume`` (%), ``volume_rel`` (points); ``start`` (s); ``fade_in`` /
    ``fade_out`` (s, None for the default); ``title`` (text, None to remove); ``title_s``
    (s); ``variations`` (count); ``regenerate``; ``note`` (a remark for the reply).
    """

    kind: str
    value: Any = None


# --- the text -------------------------------------------------------------------------------

_ONE_CHAR = str.maketrans({c: "-" for c in "‐‑‒–—−"} | {"’": "'", "‘": "'", "_": " "})
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def language_of(text: str) -> str:
    """The language a reply to ``text`` is written in: "zh" when it has Chinese, else "en"."""
    return "zh" if CJK.search(text or "") else "en"


_MASK = ","


class Text:
    """The message three ways, position-aligned: as typed (NFKC), lower case, and masked."""

    def __init__(self, text: str, limit: int) -> None:
        raw = unicodedata.normalize("NFKC", text if isinstance(text, str) else "")[:limit]
        # lower() per character only when it keeps the length, so positions stay aligned
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in raw)
        self.raw = raw
        self.low = low.translate(_ONE_CHAR)
        self.work = list(self.low)
        self.used = bytearray(len(raw))  # read by a detector
        self.title_span: tuple[int, int] | None = None

    def cur(self) -> str:
        return "".join(self.work)

    def mask(self, a: int, b: int) -> None:
        for i in range(a, b):
            self.work[i] = _MASK
            self.used[i] = 1

    def blank(self, a: int, b: int) -> None:
        """Hide words from later readers without counting them as understood."""
        for i in range(a, b):
            self.work[i] = " "

    def masked_raw(self) -> str:
        """The typed text (original case, for keys like "in D") minus what was read."""
        return "".join(
            r if w == lo else w for r, w, lo in zip(self.raw, self.work, self.low, strict=True)
        )

    def language(self) -> str:
        a, b = self.title_span or (0, 0)
        rest = self.raw[:a] + self.raw[b:]
        return language_of(rest if rest.strip() else self.raw)

    def scan(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        return list(pattern.finditer(self.cur()))


def read_edits(
    t: Text, patterns: Iterable[re.Pattern[str]], read: Callable[[re.Match[str]], Edit | None]
) -> list[Edit]:
    """The detectors' common loop: every match of each pattern in turn (on the text as masked
    when that pattern's turn comes), read into an ``Edit``; a match that reads is masked, one
    that reads to None is left for later detectors."""
    edits: list[Edit] = []
    for pattern in patterns:
        for m in t.scan(pattern):
            edit = read(m)
            if edit is not None:
                edits.append(edit)
                t.mask(m.start(), m.end())
    return edits


# --- shared pieces ----------------------------------------------------------------------

WB = r"(?<![a-z])"
WE = r"(?![a-z])"
NUM = r"[0-9]{1,6}(?:\.[0-9]{1,3})?"
ZHN = r"[零〇一二两三四五六七八九十百]"
SEC = r"(?:seconds?|secs?|s)"
MIN = r"(?:minutes?|mins?|m)"
_CLOCK = r"[0-9]{1,2}:[0-5][0-9](?::[0-5][0-9])?"
_ZH_TIME = rf"(?:{ZHN}|[0-9.])+\s*(?:分钟?\s*(?:(?:{ZHN}|[0-9])+\s*秒钟?|半)?|秒钟?)"
_EN_TIME_U = rf"{NUM}\s*(?:{MIN}(?:\s*(?:and\s*)?{NUM}\s*{SEC}?)?|{SEC}){WE}"
_WORD_TIME = r"(?<![a-z])(?:[a-z]+[ -]){0,3}?[a-z]+\s+(?:seconds?|minutes?)(?![a-z])"
TIME_U = rf"(?:{_CLOCK}|{_ZH_TIME}|{_EN_TIME_U}|{_WORD_TIME})"  # a time with a unit
TIME = rf"(?:{_CLOCK}|{_ZH_TIME}|{_EN_TIME_U}|{NUM}(?![0-9a-z%])|{_WORD_TIME})"
PCT = r"(?:%|percent|per\s+cent)"
_SMALL, _LARGE = vocab.SMALL_EN, vocab.LARGE_EN
INTENSITY = rf"(?P<pre>{_SMALL}|{_LARGE})?\s*"
POST = r"(?P<post>\s+(?:by\s+)?(?:a\s+lot|a\s+bit|a\s+little|a\s+touch|much|by\s+far|more))?"
ZH_PRE = r"(?P<pre>再|更|稍微|稍稍|略微|略|有点|很|非常|更加)?"
ZH_POST = r"(?P<post>一点点|一点|一些|点儿?|些|很多|得多|多了|一倍)?"


def regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def phrases(words: tuple[str, ...] | list[str]) -> str:
    parts = sorted(words, key=len, reverse=True)
    latin = [re.escape(w).replace(r"\ ", r"\s+") for w in parts if w.isascii()]
    cjk = [re.escape(w) for w in parts if not w.isascii()]
    alts = []
    if latin:
        alts.append(rf"{WB}(?:{'|'.join(latin)}){WE}")
    if cjk:
        alts.append(f"(?:{'|'.join(cjk)})")
    return "|".join(alts) or "(?!)"


def zh_int(chars: str) -> int | None:
    """Chinese numerals ("二十五", "两", "一百") or ASCII digits as an int."""
    if chars.isascii() and chars.isdigit():
        return int(chars[:9])
    total, digit = 0, 0
    for ch in chars:
        if ch == "十":
            total, digit = total + (digit or 1) * 10, 0
        elif ch == "百":
            total, digit = total + (digit or 1) * 100, 0
        elif ch in vocab.ZH_DIGITS:
            digit = vocab.ZH_DIGITS[ch]
        else:
            return None
    return total + digit


def intensity(pre: str | None, post: str | None) -> int:
    """0 small ("a bit slower", "慢一点"), 1 default, 2 large ("much slower", "慢很多")."""
    words = " ".join(w for w in (pre, post) if w).strip()
    if not words:
        return 1
    large = re.search(_LARGE, words) or any(w in words for w in vocab.LARGE_ZH) or "lot" in words
    if large and not re.fullmatch(r"(?:再|更)", words):
        return 2
    if re.search(_SMALL, words) or any(w in words for w in vocab.SMALL_ZH) or "bit" in words:
        return 0
    return 1


@lru_cache(maxsize=2048)
def parsed(fragment: str) -> Brief | None:
    """The brief parser's Brief of a text; None when it refuses (e.g. 30 minutes)."""
    try:
        return parse_brief(fragment)
    except BriefError:
        return None


@lru_cache(maxsize=2048)
def words(fragment: str) -> Reading | None:
    """What the brief parser finds in a few words, without a Brief; None when a parse of
    them would refuse (e.g. 30 minutes)."""
    return read_words(fragment)


def instruments_in(fragment: str) -> list[str]:
    r = words(fragment)
    return list(dict.fromkeys([*r.instruments, *r.exclude])) if r else []


def moods_in(fragment: str) -> list[str]:
    r = words(fragment)
    return list(r.moods) if r else []


_ZH_NUMERALS = re.compile(f"{ZHN}+")


def seconds_of(fragment: str) -> float | None:
    """ "0:05", "5 s", "1 min 30", "five seconds", "一分半", "5秒" -> seconds."""
    f = _ZH_NUMERALS.sub(lambda m: str(zh_int(m.group()) or 0), fragment.strip().lower())
    m = re.fullmatch(r"([0-9]{1,2}):([0-5][0-9])(?::([0-5][0-9]))?", f)
    if m:
        a, b, rest = int(m.group(1)), int(m.group(2)), m.group(3)
        return a * 3600 + b * 60 + int(rest) if rest else a * 60 + b
    m = re.fullmatch(
        rf"({NUM})\s*(?:{MIN}|分钟?)\s*(?:(?:and\s*)?({NUM})\s*(?:{SEC}|秒钟?)?|(半))?", f
    )
    if m:
        extra = float(m.group(2)) if m.group(2) else 30.0 if m.group(3) else 0.0
        return float(m.group(1)) * 60 + extra
    m = re.fullmatch(rf"({NUM})\s*(?:{SEC}|秒钟?)?", f)
    if m:
        return float(m.group(1))
    r = words(fragment)
    return r.duration_s if r is not None else None


def _finite(x: float) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def near_before(text: str, pos: int, pattern: re.Pattern[str], reach: int = 30) -> bool:
    return bool(pattern.search(text[max(0, pos - reach) : pos]))


def words_after(text: str, pos: int, n: int = 3) -> str:
    return " ".join(re.split(r"[\s]+", text[pos : pos + 40].strip())[:n])


def words_before(text: str, pos: int, n: int = 3) -> str:
    words = text[max(0, pos - 40) : pos].split()
    return " ".join(words[-n:])


def understood(fragment: str) -> bool:
    """Does the brief parser find anything an edit can use in this fragment?"""
    r = words(fragment)
    return r is None or r.names_something


def finite_or_none(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if _finite(v) else None
