"""Durations in a prompt, English and Chinese: "90 seconds", "1:30", "两分钟", "half a minute".

Number words become digits first (``numeric``); then each duration pattern reads what the
earlier ones left. A "90s" glued to a round number may be a decade ("90s hip hop") rather
than a length; ``_is_decade`` decides.
"""

from __future__ import annotations

import math
import re

from nemodesk.engine.brief.model import (
    DEFAULT_DURATION_S,
    MAX_DURATION_S,
    MIN_DURATION_S,
    BriefError,
    real_option,
)
from nemodesk.engine.brief.words.durations import (
    DECADE_STYLE_WORDS,
    TEENS,
    TENS,
    UNITS,
    ZH_DIGITS,
)

# --- number words to digits ------------------------------------------------------------------

_U = "|".join(UNITS)
_UNDER_100 = rf"(?:(?:{'|'.join(TENS)})(?: (?:{_U}))?|{'|'.join(TEENS)}|{_U})"
_NUMBER_WORDS = re.compile(
    rf"(?<![a-z0-9])(?:(?:{_U}|a) hundred(?: (?:and )?{_UNDER_100})?|{_UNDER_100})(?![a-z0-9])"
)
_ALL_NUMBER_WORDS = UNITS | TEENS | TENS
_ZH_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+")
_EN_PHRASES = (  # applied in order, after number words became digits
    (re.compile(r"(?<![\d.])(\d+) and a half (minute|hour|second)s?"), r"\1.5 \2s"),
    (re.compile(r"(?<![a-z0-9])(?:an?|1) (minute|hour) and a half"), r"1.5 \1s"),
    (re.compile(r"(?<![a-z0-9])(?:a )?half (?:an? )?(minute|hour)"), r"0.5 \1"),
    (re.compile(r"(?<![a-z0-9])a couple(?: of)? (minutes|seconds)"), r"2 \1"),
    (re.compile(r"(?<![a-z0-9])an? (minute|hour)(?![a-z])"), r"1 \1"),
    (re.compile(r"(?<!\d)(\d+)点(\d+)"), r"\1.\2"),
)


def _number_word_value(words: str) -> int:
    total = 0
    for w in words.split():
        if w == "hundred":
            total = max(total, 1) * 100
        elif w != "and":
            total += _ALL_NUMBER_WORDS.get(w, 1 if w == "a" else 0)
    return total


def _zh_number_value(chars: str) -> int:
    total, digit = 0, 0
    for ch in chars:
        if ch == "十":
            total, digit = total + (digit or 1) * 10, 0
        elif ch == "百":
            total, digit = total + (digit or 1) * 100, 0
        else:
            digit = ZH_DIGITS[ch]
    return total + digit


def numeric(text: str) -> str:
    """The normalised text with number words as digits: "ninety seconds" -> "90 seconds"."""
    text = _NUMBER_WORDS.sub(lambda m: str(_number_word_value(m.group())), text)
    text = _ZH_NUMBER.sub(lambda m: str(_zh_number_value(m.group())), text)
    for pattern, repl in _EN_PHRASES:
        text = pattern.sub(repl, text)
    return text


# --- durations -------------------------------------------------------------------------------

NUM = r"(\d+(?:\.\d+)?)"
SEC = r"(?:seconds?|secs?|s)"
MIN = r"(?:minutes?|mins?)"
_DECADE_CONTEXT_BEFORE = re.compile(r"(?<![a-z])(?:the|early|mid|late)\s*$")
_DECADE_STYLE = re.compile(
    r" ?(?:"
    + "|".join(re.escape(w) for w in sorted(DECADE_STYLE_WORDS, key=len, reverse=True))
    + r")(?![a-z])"
)
_CLOCK_BEFORE = re.compile(r"(?:at|from|until|till|to|@|starting|start)\s*$")
_DURATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), kind)
    for p, kind in (
        (rf"(?<![\d.:]){NUM}\s*(?:-|to)\s*{NUM}\s*({MIN}|{SEC})(?![a-z0-9])", "range"),
        (
            rf"(?<![\d.:])(\d+)\s*(?:{MIN}|m)\s*,?\s*(?:and\s+)?(\d{{1,2}})"
            rf"(?:\s*{SEC}(?![a-z0-9])|(?!\s*[a-z%\d]))",
            "m+s",
        ),
        (r"(?<![\d.:])(\d{1,2}):([0-5]\d):([0-5]\d)(?![\d:])", "h:m:s"),
        (r"(?<![\d.:])(\d{1,2}):([0-5]\d)(?![\d:])(?!\s*(?:ratio|aspect|am|pm|a\.m|p\.m))", "m:s"),
        (rf"(?<![\d.]){NUM}\s*(?:hours?|hrs?)(?![a-z])", "h"),
        (rf"(?<![\d.]){NUM}\s*{MIN}(?![a-z0-9])", "m"),
        (rf"(?<![\d.]){NUM}m(?![a-z0-9])", "bare-m"),
        (rf"(?<![\d.:']){NUM}(\s*)({SEC})(?![a-z0-9'])", "s"),
        (rf"(?<![\d.]){NUM}\s*(?:个)?\s*(?:小时|钟头)", "h"),
        (rf"(?<![\d.]){NUM}\s*分(?:钟)?\s*{NUM}\s*秒", "m+s"),
        (rf"(?<![\d.]){NUM}\s*分(?:钟)?\s*半", "m+half"),
        (rf"(?<![\d.]){NUM}\s*个半\s*分钟", "m+half"),
        (r"半\s*分钟", "half-m"),
        (rf"(?<![\d.]){NUM}\s*分钟", "m"),
        (rf"(?<![\d.]){NUM}\s*秒(?:钟)?", "s"),
    )
)


def _is_decade(text: str, m: re.Match[str]) -> bool:
    """Is this "<number>s" a decade rather than a length?

    A bare "s" glued to a round number is a decade only for a four-digit year ("1980s"),
    after "the"/"early"/"mid"/"late" ("the 90s"), or before a style word ("80s synth",
    "90s hip hop vibe", "90s music"). Otherwise it is seconds: "90s", "40s", and "a 90s
    track" (a music noun, not a style) stay durations.
    """
    number, space, unit = m.group(1), m.group(2), m.group(3)
    if unit != "s" or space or "." in number or int(number) % 10:
        return False
    if len(number) == 4:
        return True
    return len(number) == 2 and bool(
        _DECADE_CONTEXT_BEFORE.search(text, max(0, m.start() - 8), m.start())
        or _DECADE_STYLE.match(text, m.end())
    )


def text_durations(text: str) -> list[tuple[int, float]]:
    """Every duration the text mentions, as (position, seconds), in order."""
    found: list[tuple[int, float]] = []
    taken = bytearray(len(text))  # characters already read as part of a duration
    for pattern, kind in _DURATIONS:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            g = m.groups()
            if kind == "range":
                scale = 1.0 if g[2][0] == "s" else 60.0
                seconds = (float(g[0]) + float(g[1])) / 2 * scale
            elif kind == "m+s":
                if float(g[1]) >= 60:
                    continue
                seconds = float(g[0]) * 60 + float(g[1])
            elif kind == "h:m:s":
                seconds = float(g[0]) * 3600 + float(g[1]) * 60 + float(g[2])
            elif kind == "m:s":
                if _CLOCK_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                    continue
                seconds = float(g[0]) * 60 + float(g[1])
            elif kind == "h":
                seconds = float(g[0]) * 3600
            elif kind in ("m", "bare-m"):
                seconds = float(g[0]) * 60
                if kind == "bare-m" and seconds > MAX_DURATION_S:
                    continue  # "50m views": a bare "m" is minutes only when plausible
            elif kind == "m+half":
                seconds = float(g[0]) * 60 + 30
            elif kind == "half-m":
                seconds = 30.0
            else:  # "s"
                if len(g) == 3 and _is_decade(text, m):
                    continue
                seconds = float(g[0])
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
            found.append((m.start(), seconds))
    return sorted(found)


# --- the brief's duration --------------------------------------------------------------------


def _fmt_seconds(seconds: float) -> str:
    if abs(seconds) >= 60 and math.isfinite(seconds):
        minutes = round(seconds / 60, 1)
        return f"{minutes:g} minute" + ("" if minutes == 1 else "s")
    return f"{seconds:g} s"


def _duration_error(seconds: float) -> BriefError:
    return BriefError(
        f"Duration must be between {MIN_DURATION_S:g} s and {MAX_DURATION_S / 60:g} minutes "
        f"(got {_fmt_seconds(seconds)})."
    )


def choose_duration(option: float | None, num: str) -> tuple[float, bool]:
    """(seconds, given): the explicit option, else the first fitting duration the text
    (``numeric`` form) states, else the default with given False.

    Raises BriefError for an option out of range, or when every duration the text states
    is too long; durations too short to be meant are ignored.
    """
    if option is not None:
        seconds = real_option(option, "Duration")
        if not MIN_DURATION_S <= seconds <= MAX_DURATION_S:
            raise _duration_error(seconds)
        return seconds, True
    said = [s for _, s in text_durations(num) if s >= MIN_DURATION_S]
    fitting = [s for s in said if s <= MAX_DURATION_S]
    if said and not fitting:
        raise _duration_error(said[0])
    if fitting:
        return round(fitting[0], 3), True
    return DEFAULT_DURATION_S, False
