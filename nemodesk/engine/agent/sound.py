"""Chat-agent detectors for what the music plays and how it sounds: instruments (more, less,
replace), loop, mood and genre comparatives, key and mode, and the remainder read by the
brief parser (length, tempo and energy are in ``shape``).

Each detector reads its phrases from a ``Text`` (see ``text``), masks them and
returns ``Edit`` records; ``detect_remainder`` hands what is left to ``parse_brief``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nemodesk.engine.agent import words as vocab
from nemodesk.engine.agent.text import (
    WB,
    WE,
    ZHN,
    Edit,
    Text,
    instruments_in,
    moods_in,
    parsed,
    phrases,
    regex,
    words,
)
from nemodesk.engine.brief import BriefError, parse_key

# --- instruments: more, less, replace -------------------------------------------------------

_X = r"(?<![a-z0-9])(?P<x>[a-z0-9]+(?:\s+[a-z0-9]+){0,2})"
_ZX = r"(?P<x>[\u4e00-\u9fff]{1,5}?)"
_MORE = [
    regex(
        rf"(?<!no\s)(?<!any\s)(?<!not\s){WB}(?P<w>more|extra|louder|bigger|heavier|stronger|"
        rf"punchier|add\s+more|boost\s+the|bring\s+up\s+the|turn\s+up\s+the|"
        rf"emphasi[sz]e\s+the)\s+{_X}"
    ),
    regex(
        rf"{_X}\s+(?:(?:is|are)\s+)?(?P<w>louder|heavier|stronger|more\s+prominent|up|"
        rf"too\s+quiet|too\s+soft){WE}"
    ),
    regex(
        r"(?P<w>多一点|多点|多些|多加|加强|加重|更多的?|再多|多来点|突出)\s*(?P<x>[\u4e00-\u9fff]{1,5})"
    ),
    regex(
        rf"{_ZX}\s*(?:再|更)?\s*(?P<w>多一点|多点|多些|重一点|强一点|大声一点|响一点|突出一点|"
        r"明显一点|大一点|加强)"
    ),
]
_DROP = [
    regex(
        rf"{WB}(?P<w>(?:i\s+)?(?:don't|do\s+not|dont)\s+(?:like|want|need|love)|hate|dislike|"
        r"lose|ditch|kill|mute|get\s+rid\s+of|take\s+out|no\s+more|enough)\s+"
        r"(?:the\s+|any\s+|of\s+the\s+)?" + _X
    ),
    regex(r"(?P<w>不喜欢|讨厌|不想要|别要|去除|拿掉|删去|关掉)\s*(?P<x>[\u4e00-\u9fff]{1,5})"),
]
_LESS = [
    regex(
        rf"{WB}(?P<w>less|fewer|lighter|softer|quieter|gentler|not\s+so\s+much|not\s+as\s+much|"
        rf"not\s+so|not\s+as|too|tone\s+down\s+the|turn\s+down\s+the|reduce\s+the|lower\s+the|"
        rf"less\s+of\s+the)\s+{_X}"
    ),
    regex(
        rf"{_X}\s+(?:(?:is|are)\s+)?(?P<w>quieter|softer|lighter|too\s+loud|too\s+much|too\s+busy|"
        rf"too\s+heavy|too\s+prominent|less\s+prominent|down){WE}"
    ),
    regex(
        r"(?P<w>少一点|少点|少些|减少|少用|弱化|降低|减弱|不那么|没那么|别那么|不要那么|不要太|别太|"
        r"不太)\s*(?P<x>[\u4e00-\u9fff]{1,5})"
    ),
    regex(
        rf"{_ZX}\s*(?:再)?\s*(?P<w>少一点|少点|少些|轻一点|弱一点|小声一点|小一点|太吵了?|太响了?|"
        r"太多了?|太重了?|太突出了?)"
    ),
    regex(r"(?P<w>太)(?P<x>[\u4e00-\u9fff]{1,4}?)了"),
]
_REPLACE = [
    regex(
        rf"{WB}(?:replace|swap|switch|substitute|trade|exchange|change)\s+(?:out\s+)?(?:the\s+)?"
        r"(?P<a>[a-z0-9 ]{1,30}?)\s+(?:with|for|by|to|into)\s+(?:some\s+|a\s+|an\s+|the\s+)?"
        r"(?P<b>[a-z0-9]+(?:\s+[a-z0-9]+){0,2})"
    ),
    regex(
        r"(?<![a-z0-9])(?P<b>[a-z0-9]+(?:\s+[a-z0-9]+)?)\s+instead\s+of\s+(?:the\s+)?"
        r"(?P<a>[a-z0-9]+(?:\s+[a-z0-9]+)?)"
    ),
    regex(
        r"把\s*(?P<a>[\u4e00-\u9fffa-z ]{1,8}?)\s*(?:换成|改成|替换成|改为|换为|变成)\s*"
        r"(?P<b>[\u4e00-\u9fffa-z ]{1,8})"
    ),
    regex(
        r"用\s*(?P<b>[\u4e00-\u9fff]{1,6}?)\s*(?:代替|替换|取代|替代)\s*(?P<a>[\u4e00-\u9fff]{1,6})"
    ),
]


def _shortest(x: str, wanted: list[str]) -> int:
    """Characters of `x` up to the last word needed to name the same instruments."""
    words = list(re.finditer(r"\S+", x))
    for m in words:
        if sorted(instruments_in(x[: m.end()])) == sorted(wanted):
            return m.end()
    return len(x)


def detect_instruments(t: Text) -> list[Edit]:
    edits: list[Edit] = []
    for pattern in _REPLACE:
        for m in t.scan(pattern):
            old, new = instruments_in(m.group("a")), instruments_in(m.group("b"))
            if not old or not new:
                continue
            for i in old:
                if i in new:
                    continue
                # brushes or percussion take the drum kit's place; excluding "drums" would
                # silence the whole drum role
                lighter = i == "drums" and {"brushes", "percussion"} & set(new)
                edits.append(Edit("drop" if lighter else "exclude", i))
            edits += [Edit("add", i) for i in new]
            t.mask(m.start(), max(m.end("a"), m.start("b") + _shortest(m.group("b"), new)))
    for kind, patterns in (("exclude", _DROP), ("more", _MORE), ("less", _LESS)):
        for pattern in patterns:
            for m in t.scan(pattern):
                x = m.group("x")
                found = instruments_in(x)
                if found:
                    edits += [Edit(kind, i) for i in found]
                    before_x = m.start("x") < m.start("w")
                    end = m.end() if before_x else m.start("x") + _shortest(x, found)
                    t.mask(m.start(), end)
                elif kind != "more" and (moods := moods_in(x)):  # "less sad", "不那么悲伤"
                    edits.append(Edit("mood", [vocab.MOOD_OPPOSITES[moods[0]]]))
                    t.mask(m.start(), m.end())
    return edits


# --- loop, comparatives, mode -------------------------------------------------------------------

_LOOP = regex(
    rf"{WB}(?:loop(?:s|able|ed|ing)?|seamless(?:ly)?(?:\s+loop)?){WE}|可循环|循环播放|循环|无缝"
)
_LOOP_NEG = regex(
    rf"(?:{WB}(?:no|not|don't|dont|do\s+not|without|stop|remove|disable|turn\s+off|no\s+more|"
    r"un|non)|不要|不用|取消|去掉|别|不|关闭|停止)\s*(?:-\s*)?(?:(?:the|a|it|to|make|be)\s+)*$"
)
_COMPARATIVE = regex(phrases(list(vocab.COMPARATIVES)))
_MODE = regex(
    rf"{WB}(?:(?:in|to|into|make\s+it|more|switch\s+to|change\s+to|go)\s+(?:a\s+)?"
    rf"(?P<m>minor|major)(?:\s+(?:key|mode|scale|tonality))?|(?P<m2>minor|major)\s+"
    rf"(?:key|mode|scale|tonality)){WE}|(?P<z>小调|大调)"
)


def detect_loop(t: Text) -> list[Edit]:
    edits: list[Edit] = []
    text = t.cur()
    for m in t.scan(_LOOP):
        before = max(0, m.start() - 24)
        neg = _LOOP_NEG.search(text[before : m.start()])  # "don't loop", "不要循环"
        edits.append(Edit("loop", neg is None))
        t.mask(before + neg.start() if neg else m.start(), m.end())
    return edits[:1]


def detect_comparatives(t: Text) -> list[Edit]:
    edits: list[Edit] = []
    for m in t.scan(_COMPARATIVE):
        key = re.sub(r"\s+", " ", m.group())
        kind, value = vocab.COMPARATIVES[key]
        edits.append(Edit(kind, [value] if kind == "mood" else value))
        t.mask(m.start(), m.end())
    return edits


_KEY_TO = regex(
    r"(?<![a-z])(?:key|tonality|transpose(?:\s+it)?|调性?)\s*(?:to|of|=|:|into|改成|换成|改为|为|是)?"
    r"\s*(?P<k>[a-g](?:#|♯|♭|b(?![a-z])|\s?sharp|\s?flat)?(?:\s*(?:major|minor|大调|小调)|m(?![a-z]))?)"
    r"(?![a-z#♯♭])"
)


def detect_key(t: Text) -> list[Edit]:
    """ "change the key to D", "key of Bb minor", "调改成G" (the parser wants "in D")."""
    for m in t.scan(_KEY_TO):
        try:
            key, mode = parse_key(
                t.raw[m.start("k") : m.end("k")].replace("大调", " major").replace("小调", " minor")
            )
        except BriefError:
            continue
        t.mask(m.start(), m.end())
        return [Edit("key", (key, mode))]
    return []


def detect_mode(t: Text) -> list[Edit]:
    """ "make it minor", "小调": the mode alone. Only the parser's word reader is asked
    whether the rest names a key with its mode ("in A minor", read with the remainder); the
    remainder is parsed once, in ``detect_remainder``."""
    found = t.scan(_MODE)
    if not found:
        return []
    r = words(t.masked_raw())
    if r is not None and r.key:
        return []  # "in A minor": a key with its mode, read with the remainder
    m = found[0]
    word = m.group("m") or m.group("m2") or ("minor" if m.group("z") == "小调" else "major")
    t.mask(m.start(), m.end())
    return [Edit("mode", word)]


# --- the remainder: the brief parser's reading -------------------------------------------

_NOUNS = regex(
    rf"{WB}(?:the\s+|this\s+|my\s+|that\s+)?(?:background\s+music|score|soundtrack|bgm|music|"
    rf"track|song|tune|piece)s?{WE}|{WB}(?:the|this|my|that)\s+beat{WE}|"
    r"背景音乐|配乐|音乐|曲子|这首歌?|歌曲"
)
_GENRE_VERB = regex(
    rf"{WB}(?:make\s+it|turn\s+it\s+into|change\s+(?:it\s+)?(?:to|into)|switch\s+(?:it\s+)?to|go|"
    r"more|into|as\s+an?|style)\s+(?:an?\s+|more\s+)?(?P<x>[a-z0-9 ]{1,25})|"
    r"(?:换成|改成|变成|改为|转成|来点|风格)\s*(?P<z>[\u4e00-\u9fffa-z ]{1,8})"
)
_BPM_WORD = regex(r"bpm|beats?\s+(?:per|a)\s+min|拍|tempo|速度")
_MODE_WORD = regex(r"minor|major|小调|大调")


@lru_cache(maxsize=64)
def _implied_genre(instrument: str) -> str | None:
    r = words(instrument.replace("_", " "))
    return r.genre if r else None


def detect_remainder(t: Text) -> list[Edit]:
    """Instruments, moods, genre, arc, key, length and tempo as the brief parser reads them."""
    for m in t.scan(_NOUNS):
        t.blank(m.start(), m.end())
    text = t.masked_raw()
    if not re.search(r"[a-z\u3400-\u9fff]", text.lower()):
        return []
    b = parsed(text)
    if b is None:  # a length over 20 minutes
        return [Edit("duration", float("inf"))]
    edits = [Edit("exclude", i) for i in b.exclude]
    edits += [Edit("add", i) for i in b.instruments]
    if "mood" not in b.chosen:
        edits.append(Edit("mood", list(b.moods)))
    if "genre" not in b.chosen:
        implied = {_implied_genre(i) for i in [*b.instruments, *b.exclude]}
        confirmed = any(
            (g := words(m.group("x") or m.group("z") or "")) is not None
            and g.genre == b.genre
            and not g.instruments
            for m in _GENRE_VERB.finditer(t.cur())
        )
        if b.genre not in implied or confirmed:
            edits.append(Edit("genre", b.genre))
    if "arc" not in b.chosen:
        edits.append(Edit("arc", b.arc))
    if "key" not in b.chosen:
        edits.append(Edit("key", (b.key, b.mode if _MODE_WORD.search(t.cur()) else None)))
    if b.duration_given:
        edits.append(Edit("duration", b.duration_s))
    if "tempo" not in b.chosen and _BPM_WORD.search(t.cur()) and re.search(r"[0-9]|" + ZHN, text):
        edits.append(Edit("bpm", b.bpm))
    return edits
