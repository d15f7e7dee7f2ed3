"""Chat-agent detectors for the music itself: length, tempo, energy and arc, instruments,
loop, mood and genre comparatives, key and mode, and the remainder read by the brief parser.

Each detector reads its phrases from a ``Text`` (see ``agent_text``), masks them and
returns ``Edit`` records; ``detect_remainder`` hands what is left to ``parse_brief``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nemodesk.engine.music.brief import BriefError, parse_key
from nemodesk.engine.server import agent_words as AW
from nemodesk.engine.server.agent_text import (
    INTENSITY,
    MIN,
    NUM,
    PCT,
    POST,
    SEC,
    TIME_U,
    WB,
    WE,
    ZH_POST,
    ZH_PRE,
    ZHN,
    Edit,
    Text,
    c,
    instruments_in,
    intensity,
    moods_in,
    parsed,
    phrases,
    seconds_of,
    words_after,
    zh_int,
)

# --- length ----------------------------------------------------------------------------------

_VIDEO = c(
    rf"{WB}(?:match(?:es|ing)?|fits?|fitting|same\s+length\s+as|as\s+long\s+as|length\s+of|"
    r"sync(?:ed)?\s+(?:to|with)|cover(?:s|ing)?|fill(?:s|ing)?|for)\s+(?:the\s+|my\s+|this\s+|"
    r"our\s+)?(?:whole\s+|entire\s+|full\s+)?(?:video|clip|footage)(?:'s)?"
    rf"(?:\s+(?:length|duration))?{WE}|{WB}video\s+(?:length|duration){WE}|"
    r"(?:配合|匹配|适配|贴合|对齐|跟|和|与)\s*(?:整个|这个|我的)?\s*视频(?:的)?\s*"
    r"(?:一样长|等长|长度|时长)?|视频(?:的)?(?:长度|时长)"
)
_LEN_ADD = [
    c(rf"(?P<t>{TIME_U})\s+(?P<w>longer|shorter){WE}"),
    c(
        rf"{WB}(?P<w>extend|lengthen|add|shorten|trim|cut|reduce)\s+(?:it\s+|the\s+(?:music|track"
        rf"|song)\s+)?by\s+(?P<t>{TIME_U})"
    ),
    c(
        rf"{WB}(?P<w>add|remove|cut|trim)\s+(?:another\s+)?(?P<t>{TIME_U})"
        r"(?:\s+(?:to|from|off)\s+(?:it|the\s+(?:music|track|song|end)))?"
    ),
]
_LEN_ABS = [
    c(
        rf"{WB}(?:make\s+(?:it|the\s+(?:music|track|song))(?:\s+be)?|shorten(?:\s+it)?|"
        r"lengthen(?:\s+it)?|extend(?:\s+it)?|trim(?:\s+it)?|cut(?:\s+it)?(?:\s+down)?|"
        r"change\s+(?:it|the\s+(?:length|duration))|set\s+(?:the\s+)?(?:length|duration)|"
        r"length|duration|it\s+should\s+be)\s*(?:to|at|:|=|down\s+to|up\s+to|is)?\s*(?:be\s+)?"
        rf"(?:exactly\s+|about\s+|around\s+|only\s+|just\s+)?(?P<t>{TIME_U})(?:\s+long)?"
    ),
    c(
        r"(?:改成|改为|变成|缩短到|缩短为|缩短至|延长到|延长为|延长至|加长到|剪到|截到|时长|长度)\s*"
        rf"(?:为|是|:|到|改成)?\s*(?P<t>{TIME_U})"
    ),
    c(rf"(?P<t>{TIME_U})\s*(?:长|的长度|的时长)"),
]
_LONGER = frozenset({"longer", "extend", "extended", "lengthen", "长", "加长", "延长", "变长"})
_SHORTEN_BY = frozenset({"shorter", "shorten", "trim", "cut", "reduce", "remove"})
_SHORTEN_BY_ZH = frozenset({"缩短", "减少", "剪掉", "减"})
# (pattern, how to read it): "rel" longer/shorter by intensity, "times" ×2 / ×0.5,
# "too" too long -> shorter, "by" a stated amount
_LEN_REL = [
    (
        c(
            rf"{INTENSITY}{WB}(?P<w>longer|shorter|extend(?:ed)?|lengthen|shorten|"
            rf"trim(?:\s+it)?|cut\s+it\s+down){WE}" + POST
        ),
        "rel",
    ),
    (
        c(
            rf"{WB}(?P<w>twice\s+as\s+long|double\s+the\s+length|half\s+as\s+long|"
            rf"half\s+the\s+(?:length|duration)){WE}"
        ),
        "times",
    ),
    (c(rf"{WB}too\s+(?P<w>long|short){WE}|太(?P<z>长|短)了?"), "too"),
    (c(rf"(?P<w>延长|加长|增加|缩短|减少|剪掉|减)\s*(?P<t>{TIME_U})"), "by"),
    (c(rf"{ZH_PRE}\s*(?P<w>长|短)\s*(?P<post>一点点|一点|一些|点儿?|些|很多|得多)"), "rel"),
    (c(r"(?P<w>加长|延长|缩短|变长|变短)"), "rel"),
]


def detect_video_length(t: Text) -> list[Edit]:
    ms = t.scan(_VIDEO)
    for m in ms:
        t.mask(m.start(), m.end())
    return [Edit("duration_video")] if ms else []


def _relative_length(how: str, g: dict[str, str | None]) -> Edit | None:
    w = re.sub(r"\s+", " ", g.get("w") or g.get("z") or "")
    if how == "by":
        s = seconds_of(g["t"] or "")
        return None if s is None else Edit("duration_add", -s if w in _SHORTEN_BY_ZH else s)
    if how == "times":
        return Edit("duration_rel", 2.0 if w.startswith(("twice", "double")) else 0.5)
    longer = w in ("short", "短") if how == "too" else w in _LONGER
    factors = AW.LONGER_FACTORS if longer else AW.SHORTER_FACTORS
    return Edit("duration_rel", factors[intensity(g.get("pre"), g.get("post"))])


def detect_length(t: Text) -> list[Edit]:
    edits: list[Edit] = []
    for pattern in _LEN_ADD:
        for m in t.scan(pattern):
            s = seconds_of(m.group("t"))
            if s is not None:
                edits.append(Edit("duration_add", -s if m.group("w") in _SHORTEN_BY else s))
                t.mask(m.start(), m.end())
    for pattern in _LEN_ABS:
        for m in t.scan(pattern):
            s = seconds_of(m.group("t"))
            if s is not None:
                edits.append(Edit("duration", s))
                t.mask(m.start(), m.end())
    for pattern, how in _LEN_REL:
        for m in t.scan(pattern):
            edit = _relative_length(how, m.groupdict())
            if edit is not None:
                edits.append(edit)
                t.mask(m.start(), m.end())
    return edits


# --- tempo -----------------------------------------------------------------------------------

BPM_ABS = [
    c(rf"(?P<v>{NUM})\s*(?:bpm|beats?\s+(?:per|a)\s+min(?:ute)?){WE}"),
    c(
        rf"{WB}(?:bpm|tempo|speed)\s*(?:to|of|at|=|:|around|about|is)?\s*(?P<v>{NUM})"
        rf"(?!\s*(?:{PCT}|{SEC}{WE}|{MIN}{WE}|[0-9]))"
    ),
    c(rf"每分钟\s*(?P<z>{NUM}|{ZHN}+)\s*拍"),
    c(
        r"(?:速度|节奏|节拍|拍速)\s*(?:改成|改为|调到|调成|设为|设置为|为|是|到)?\s*"
        rf"(?P<v>{NUM})(?!\s*(?:%|秒|分|[0-9]))"
    ),
]
_TEMPO_DELTA = [
    c(rf"(?P<v>{NUM})\s*(?P<u>{PCT}|bpm)\s*(?P<d>slower|faster|quicker){WE}"),
    c(
        rf"{WB}(?P<d>slower|faster|quicker|slow\s+(?:it\s+)?down|speed\s+(?:it\s+)?up)\s+by\s+"
        rf"(?P<v>{NUM})\s*(?P<u>{PCT}|bpm)"
    ),
    c(rf"(?P<s>[+-])\s*(?P<v>{NUM})\s*(?P<u>bpm){WE}"),
    c(rf"(?P<d>放慢|加快|慢|快)\s*(?P<v>{NUM})\s*(?P<u>%|拍|bpm)"),
]
_TEMPO_PCT_OF = c(
    rf"{WB}(?:slow\s+(?:it\s+)?down|speed\s+(?:it\s+)?up|(?:the\s+)?(?:tempo|speed|bpm))\s+"
    rf"to\s+(?P<v>{NUM})\s*{PCT}|(?:速度|节奏)\s*(?:调到|改成|降到|提高到|到)\s*(?P<z>{NUM})\s*%"
)
_TEMPO_TIMES = c(
    rf"{WB}(?P<w>half[ -]?(?:time|speed|tempo)|half\s+as\s+fast|double[ -]?(?:time|speed|tempo)|"
    rf"twice\s+as\s+fast){WE}"
)
_TEMPO_TOO = c(rf"{WB}too\s+(?P<d>fast|quick|slow|rushed|sluggish){WE}|太(?P<z>快|慢)了?")
_THINGS = r"(?:\s+(?:it|things|the\s+(?:music|track|tempo|song|pace)|everything))?"
_TEMPO_REL = c(
    rf"{INTENSITY}{WB}(?P<d>slower|faster|quicker|speedier|slow{_THINGS}\s+down|"
    rf"speed{_THINGS}\s+up|pick\s+up\s+the\s+pace|(?:increase|raise|up|bump\s+up|boost)\s+the\s+"
    r"(?:tempo|bpm|speed|pace)|(?:decrease|lower|reduce|drop|cut)\s+the\s+(?:tempo|bpm|speed|pace)|"
    r"(?:tempo|bpm|speed|pace)\s+(?:up|down|higher|lower)|less\s+(?:fast|slow)|"
    rf"more\s+(?:slowly|quickly)){WE}" + POST
)
_TEMPO_ADJ = c(
    rf"{WB}(?:make\s+it\s+|more\s+)?(?P<d>slow|fast|quick){WE}"
    r"(?!\s+(?:build|burn|motion|mo|forward|fade))"
)
_TEMPO_ZH = c(
    rf"(?:节奏|速度|节拍|拍子)?\s*{ZH_PRE}\s*(?P<d>放慢|减速|降速|放缓|慢下来|加快|加速|提速|"
    r"快起来|(?<!慢)慢(?!慢)|(?<![欢愉痛凉爽尽轻赶明畅])快(?![乐递门活]))\s*" + ZH_POST
)
_SLOWER = (
    "slow",
    "lower",
    "decrease",
    "reduce",
    "drop",
    "cut",
    "down",
    "less fast",
    "慢",
    "减",
    "降",
    "缓",
)


def _is_slower(d: str) -> bool:
    d = re.sub(r"\s+", " ", d)
    if d.startswith("more slowly") or d == "less fast":
        return True
    if d.startswith(("more quickly", "less slow")):
        return False
    return any(d.startswith(w) or w in d for w in _SLOWER) and "up" not in d.split()


def detect_tempo(t: Text) -> list[Edit]:
    edits: list[Edit] = []
    for m in t.scan(_TEMPO_PCT_OF):
        edits.append(Edit("bpm_rel", float(m.group("v") or m.group("z")) / 100))
        t.mask(m.start(), m.end())
    for pattern in _TEMPO_DELTA:
        for m in t.scan(pattern):
            g = m.groupdict()
            v = float(g["v"])
            slower = g.get("s") == "-" or _is_slower(g.get("d") or "")
            if g["u"] in ("bpm", "拍"):
                edits.append(Edit("bpm_add", -v if slower else v))
            else:
                edits.append(Edit("bpm_rel", 1 - v / 100 if slower else 1 + v / 100))
            t.mask(m.start(), m.end())
    for pattern in BPM_ABS:
        for m in t.scan(pattern):
            z = m.groupdict().get("z")
            v = zh_int(z) if z and not z[0].isdigit() else float(z or m.group("v"))
            if v is not None:
                edits.append(Edit("bpm", float(v)))
                t.mask(m.start(), m.end())
    for m in t.scan(_TEMPO_TIMES):
        edits.append(Edit("bpm_rel", 0.5 if m.group("w").startswith("half") else 2.0))
        t.mask(m.start(), m.end())
    for m in t.scan(_TEMPO_TOO):
        too_fast = (m.group("d") or m.group("z")) in ("fast", "quick", "rushed", "快")
        edits.append(Edit("bpm_rel", 1 - AW.TEMPO_STEPS[1] if too_fast else 1 + AW.TEMPO_STEPS[1]))
        t.mask(m.start(), m.end())
    for pattern in (_TEMPO_REL, _TEMPO_ZH, _TEMPO_ADJ):
        for m in t.scan(pattern):
            g = m.groupdict()
            post = g.get("post") or ""
            step = AW.TEMPO_STEPS[intensity(g.get("pre"), post)]
            if post == "一倍":
                factor = 0.5 if _is_slower(g["d"]) else 2.0
            else:
                factor = 1 - step if _is_slower(g["d"]) else 1 + step
            edits.append(Edit("bpm_rel", factor))
            t.mask(m.start(), m.end())
    return edits


# --- energy and arc ----------------------------------------------------------------------

_ARC_END = [
    (
        c(
            rf"{WB}(?:bigger|louder|stronger|more\s+(?:intense|energetic|powerful|energy)|"
            r"build(?:s|ing)?(?:\s+up)?|grow(?:s|ing)?|swell(?:s|ing)?|rise|rising|climax)\s+"
            rf"(?:at|towards?|near|by|in)\s+the\s+(?:end|finish|finale|last\s+part){WE}"
        ),
        "build",
    ),
    (
        c(
            rf"{WB}(?:quieter|softer|calmer|gentler|smaller|calm(?:s)?\s+down|settle(?:s)?"
            r"(?:\s+down)?|die(?:s)?\s+down|less\s+intense)\s+(?:at|towards?|near|by|in)\s+"
            rf"the\s+(?:end|finish|last\s+part){WE}"
        ),
        "fall",
    ),
    (c(r"(?:结尾|最后|末尾|后面)\s*(?:要|更|再)?\s*(?:激烈|高潮|强|燃|宏大|有力|爆发)"), "build"),
    (c(r"(?:结尾|最后|末尾|后面)\s*(?:要|更|再)?\s*(?:安静|平静|柔和|渐弱|弱|轻)"), "fall"),
]
_ENERGY = [
    (c(INTENSITY + f"(?P<w>{phrases(AW.ENERGY_UP_EN)})" + POST), 1),
    (c(INTENSITY + f"(?P<w>{phrases(AW.ENERGY_DOWN_EN)})" + POST), -1),
    (c(f"{ZH_PRE}(?P<w>{phrases(AW.ENERGY_UP_ZH)})"), 1),
    (c(f"{ZH_PRE}(?P<w>{phrases(AW.ENERGY_DOWN_ZH)})"), -1),
]


def detect_arc_end(t: Text) -> list[Edit]:
    edits: list[Edit] = []
    for pattern, arc in _ARC_END:
        for m in t.scan(pattern):
            edits.append(Edit("arc", arc))
            t.mask(m.start(), m.end())
    return edits


def detect_energy(t: Text) -> list[Edit]:
    edits: list[Edit] = []
    for pattern, sign in _ENERGY:
        for m in t.scan(pattern):
            if instruments_in(words_after(t.cur(), m.end())):
                continue  # "softer drums", "bigger drums": about an instrument
            step = AW.ENERGY_STEPS[intensity(m.group("pre"), m.groupdict().get("post"))]
            edits.append(Edit("energy", sign * step))
            t.mask(m.start(), m.end())
    return edits


# --- instruments: more, less, replace -------------------------------------------------------

_X = r"(?<![a-z0-9])(?P<x>[a-z0-9]+(?:\s+[a-z0-9]+){0,2})"
_ZX = r"(?P<x>[\u4e00-\u9fff]{1,5}?)"
_MORE = [
    c(
        rf"(?<!no\s)(?<!any\s)(?<!not\s){WB}(?P<w>more|extra|louder|bigger|heavier|stronger|"
        rf"punchier|add\s+more|boost\s+the|bring\s+up\s+the|turn\s+up\s+the|"
        rf"emphasi[sz]e\s+the)\s+{_X}"
    ),
    c(
        rf"{_X}\s+(?:(?:is|are)\s+)?(?P<w>louder|heavier|stronger|more\s+prominent|up|"
        rf"too\s+quiet|too\s+soft){WE}"
    ),
    c(
        r"(?P<w>多一点|多点|多些|多加|加强|加重|更多的?|再多|多来点|突出)\s*(?P<x>[\u4e00-\u9fff]{1,5})"
    ),
    c(
        rf"{_ZX}\s*(?:再|更)?\s*(?P<w>多一点|多点|多些|重一点|强一点|大声一点|响一点|突出一点|"
        r"明显一点|大一点|加强)"
    ),
]
_DROP = [
    c(
        rf"{WB}(?P<w>(?:i\s+)?(?:don't|do\s+not|dont)\s+(?:like|want|need|love)|hate|dislike|"
        r"lose|ditch|kill|mute|get\s+rid\s+of|take\s+out|no\s+more|enough)\s+"
        r"(?:the\s+|any\s+|of\s+the\s+)?" + _X
    ),
    c(r"(?P<w>不喜欢|讨厌|不想要|别要|去除|拿掉|删去|关掉)\s*(?P<x>[\u4e00-\u9fff]{1,5})"),
]
_LESS = [
    c(
        rf"{WB}(?P<w>less|fewer|lighter|softer|quieter|gentler|not\s+so\s+much|not\s+as\s+much|"
        rf"not\s+so|not\s+as|too|tone\s+down\s+the|turn\s+down\s+the|reduce\s+the|lower\s+the|"
        rf"less\s+of\s+the)\s+{_X}"
    ),
    c(
        rf"{_X}\s+(?:(?:is|are)\s+)?(?P<w>quieter|softer|lighter|too\s+loud|too\s+much|too\s+busy|"
        rf"too\s+heavy|too\s+prominent|less\s+prominent|down){WE}"
    ),
    c(
        r"(?P<w>少一点|少点|少些|减少|少用|弱化|降低|减弱|不那么|没那么|别那么|不要那么|不要太|别太|"
        r"不太)\s*(?P<x>[\u4e00-\u9fff]{1,5})"
    ),
    c(
        rf"{_ZX}\s*(?:再)?\s*(?P<w>少一点|少点|少些|轻一点|弱一点|小声一点|小一点|太吵了?|太响了?|"
        r"太多了?|太重了?|太突出了?)"
    ),
    c(r"(?P<w>太)(?P<x>[\u4e00-\u9fff]{1,4}?)了"),
]
_REPLACE = [
    c(
        rf"{WB}(?:replace|swap|switch|substitute|trade|exchange|change)\s+(?:out\s+)?(?:the\s+)?"
        r"(?P<a>[a-z0-9 ]{1,30}?)\s+(?:with|for|by|to|into)\s+(?:some\s+|a\s+|an\s+|the\s+)?"
        r"(?P<b>[a-z0-9]+(?:\s+[a-z0-9]+){0,2})"
    ),
    c(
        r"(?<![a-z0-9])(?P<b>[a-z0-9]+(?:\s+[a-z0-9]+)?)\s+instead\s+of\s+(?:the\s+)?"
        r"(?P<a>[a-z0-9]+(?:\s+[a-z0-9]+)?)"
    ),
    c(
        r"把\s*(?P<a>[\u4e00-\u9fffa-z ]{1,8}?)\s*(?:换成|改成|替换成|改为|换为|变成)\s*"
        r"(?P<b>[\u4e00-\u9fffa-z ]{1,8})"
    ),
    c(r"用\s*(?P<b>[\u4e00-\u9fff]{1,6}?)\s*(?:代替|替换|取代|替代)\s*(?P<a>[\u4e00-\u9fff]{1,6})"),
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
                    edits.append(Edit("mood", [AW.MOOD_OPPOSITES[moods[0]]]))
                    t.mask(m.start(), m.end())
    return edits


# --- loop, comparatives, mode -------------------------------------------------------------------

_LOOP = c(
    rf"{WB}(?:loop(?:s|able|ed|ing)?|seamless(?:ly)?(?:\s+loop)?){WE}|可循环|循环播放|循环|无缝"
)
_LOOP_NEG = c(
    rf"(?:{WB}(?:no|not|don't|dont|do\s+not|without|stop|remove|disable|turn\s+off|no\s+more|"
    r"un|non)|不要|不用|取消|去掉|别|不|关闭|停止)\s*(?:-\s*)?(?:(?:the|a|it|to|make|be)\s+)*$"
)
_COMPARATIVE = c(phrases(list(AW.COMPARATIVES)))
_MODE = c(
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
        kind, value = AW.COMPARATIVES[key]
        edits.append(Edit(kind, [value] if kind == "mood" else value))
        t.mask(m.start(), m.end())
    return edits


_KEY_TO = c(
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
    b = parsed(t.masked_raw())
    if b is not None and "key" not in b.chosen:
        return []  # "in A minor": a key with its mode, read with the remainder
    for m in t.scan(_MODE):
        word = m.group("m") or m.group("m2") or ("minor" if m.group("z") == "小调" else "major")
        t.mask(m.start(), m.end())
        return [Edit("mode", word)]
    return []


# --- the remainder: the brief parser's reading -------------------------------------------

_NOUNS = c(
    rf"{WB}(?:the\s+|this\s+|my\s+|that\s+)?(?:background\s+music|score|soundtrack|bgm|music|"
    rf"track|song|tune|piece)s?{WE}|{WB}(?:the|this|my|that)\s+beat{WE}|"
    r"背景音乐|配乐|音乐|曲子|这首歌?|歌曲"
)
_GENRE_VERB = c(
    rf"{WB}(?:make\s+it|turn\s+it\s+into|change\s+(?:it\s+)?(?:to|into)|switch\s+(?:it\s+)?to|go|"
    r"more|into|as\s+an?|style)\s+(?:an?\s+|more\s+)?(?P<x>[a-z0-9 ]{1,25})|"
    r"(?:换成|改成|变成|改为|转成|来点|风格)\s*(?P<z>[\u4e00-\u9fffa-z ]{1,8})"
)
_BPM_WORD = c(r"bpm|beats?\s+(?:per|a)\s+min|拍|tempo|速度")
_MODE_WORD = c(r"minor|major|小调|大调")


@lru_cache(maxsize=64)
def _implied_genre(instrument: str) -> str | None:
    b = parsed(instrument.replace("_", " "))
    return b.genre if b and "genre" not in b.chosen else None


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
            (g := parsed(m.group("x") or m.group("z") or "")) is not None
            and "genre" not in g.chosen
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
