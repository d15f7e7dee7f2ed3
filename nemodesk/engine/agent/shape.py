"""Chat-agent detectors for the music's shape: length, tempo, and energy and arc (what is
played and how it sounds is in ``sound``).

Each detector reads its phrases from a ``Text`` (see ``text``), masks them and
returns ``Edit`` records; ``detect_remainder`` hands what is left to ``parse_brief``.
"""

from __future__ import annotations

import re
from functools import partial

from nemodesk.engine.agent import words as vocab
from nemodesk.engine.agent.text import (
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
    instruments_in,
    intensity,
    phrases,
    read_edits,
    regex,
    seconds_of,
    words_after,
    zh_int,
)

# --- length ----------------------------------------------------------------------------------

_VIDEO = regex(
    rf"{WB}(?:match(?:es|ing)?|fits?|fitting|same\s+length\s+as|as\s+long\s+as|length\s+of|"
    r"sync(?:ed)?\s+(?:to|with)|cover(?:s|ing)?|fill(?:s|ing)?|for)\s+(?:the\s+|my\s+|this\s+|"
    r"our\s+)?(?:whole\s+|entire\s+|full\s+)?(?:video|clip|footage)(?:'s)?"
    rf"(?:\s+(?:length|duration))?{WE}|{WB}video\s+(?:length|duration){WE}|"
    r"(?:配合|匹配|适配|贴合|对齐|跟|和|与)\s*(?:整个|这个|我的)?\s*视频(?:的)?\s*"
    r"(?:一样长|等长|长度|时长)?|视频(?:的)?(?:长度|时长)"
)
_LEN_ADD = [
    regex(rf"(?P<t>{TIME_U})\s+(?P<w>longer|shorter){WE}"),
    regex(
        rf"{WB}(?P<w>extend|lengthen|add|shorten|trim|cut|reduce)\s+(?:it\s+|the\s+(?:music|track"
        rf"|song)\s+)?by\s+(?P<t>{TIME_U})"
    ),
    regex(
        rf"{WB}(?P<w>add|remove|cut|trim)\s+(?:another\s+)?(?P<t>{TIME_U})"
        r"(?:\s+(?:to|from|off)\s+(?:it|the\s+(?:music|track|song|end)))?"
    ),
]
_LEN_ABS = [
    regex(
        rf"{WB}(?:make\s+(?:it|the\s+(?:music|track|song))(?:\s+be)?|shorten(?:\s+it)?|"
        r"lengthen(?:\s+it)?|extend(?:\s+it)?|trim(?:\s+it)?|cut(?:\s+it)?(?:\s+down)?|"
        r"change\s+(?:it|the\s+(?:length|duration))|set\s+(?:the\s+)?(?:length|duration)|"
        r"length|duration|it\s+should\s+be)\s*(?:to|at|:|=|down\s+to|up\s+to|is)?\s*(?:be\s+)?"
        rf"(?:exactly\s+|about\s+|around\s+|only\s+|just\s+)?(?P<t>{TIME_U})(?:\s+long)?"
    ),
    regex(
        r"(?:改成|改为|变成|缩短到|缩短为|缩短至|延长到|延长为|延长至|加长到|剪到|截到|时长|长度)\s*"
        rf"(?:为|是|:|到|改成)?\s*(?P<t>{TIME_U})"
    ),
    regex(rf"(?P<t>{TIME_U})\s*(?:长|的长度|的时长)"),
]
_LONGER = frozenset({"longer", "extend", "extended", "lengthen", "长", "加长", "延长", "变长"})
_SHORTEN_BY = frozenset({"shorter", "shorten", "trim", "cut", "reduce", "remove"})
_SHORTEN_BY_ZH = frozenset({"缩短", "减少", "剪掉", "减"})
# (pattern, how to read it): "rel" longer/shorter by intensity, "times" ×2 / ×0.5,
# "too" too long -> shorter, "by" a stated amount
_LEN_REL = [
    (
        regex(
            rf"{INTENSITY}{WB}(?P<w>longer|shorter|extend(?:ed)?|lengthen|shorten|"
            rf"trim(?:\s+it)?|cut\s+it\s+down){WE}" + POST
        ),
        "rel",
    ),
    (
        regex(
            rf"{WB}(?P<w>twice\s+as\s+long|double\s+the\s+length|half\s+as\s+long|"
            rf"half\s+the\s+(?:length|duration)){WE}"
        ),
        "times",
    ),
    (regex(rf"{WB}too\s+(?P<w>long|short){WE}|太(?P<z>长|短)了?"), "too"),
    (regex(rf"(?P<w>延长|加长|增加|缩短|减少|剪掉|减)\s*(?P<t>{TIME_U})"), "by"),
    (regex(rf"{ZH_PRE}\s*(?P<w>长|短)\s*(?P<post>一点点|一点|一些|点儿?|些|很多|得多)"), "rel"),
    (regex(r"(?P<w>加长|延长|缩短|变长|变短)"), "rel"),
]


def detect_video_length(t: Text) -> list[Edit]:
    ms = t.scan(_VIDEO)
    for m in ms:
        t.mask(m.start(), m.end())
    return [Edit("duration_video")] if ms else []


def _relative_by(how: str, m: re.Match[str]) -> Edit | None:
    return _relative_length(how, m.groupdict())


def _relative_length(how: str, g: dict[str, str | None]) -> Edit | None:
    w = re.sub(r"\s+", " ", g.get("w") or g.get("z") or "")
    if how == "by":
        s = seconds_of(g["t"] or "")
        return None if s is None else Edit("duration_add", -s if w in _SHORTEN_BY_ZH else s)
    if how == "times":
        return Edit("duration_rel", 2.0 if w.startswith(("twice", "double")) else 0.5)
    longer = w in ("short", "短") if how == "too" else w in _LONGER
    factors = vocab.LONGER_FACTORS if longer else vocab.SHORTER_FACTORS
    return Edit("duration_rel", factors[intensity(g.get("pre"), g.get("post"))])


def _added_length(m: re.Match[str]) -> Edit | None:
    s = seconds_of(m.group("t"))
    return None if s is None else Edit("duration_add", -s if m.group("w") in _SHORTEN_BY else s)


def _length(m: re.Match[str]) -> Edit | None:
    s = seconds_of(m.group("t"))
    return None if s is None else Edit("duration", s)


def detect_length(t: Text) -> list[Edit]:
    edits = read_edits(t, _LEN_ADD, _added_length)
    edits += read_edits(t, _LEN_ABS, _length)
    for pattern, how in _LEN_REL:
        edits += read_edits(t, [pattern], partial(_relative_by, how))
    return edits


# --- tempo -----------------------------------------------------------------------------------

BPM_ABS = [
    regex(rf"(?P<v>{NUM})\s*(?:bpm|beats?\s+(?:per|a)\s+min(?:ute)?){WE}"),
    regex(
        rf"{WB}(?:bpm|tempo|speed)\s*(?:to|of|at|=|:|around|about|is)?\s*(?P<v>{NUM})"
        rf"(?!\s*(?:{PCT}|{SEC}{WE}|{MIN}{WE}|[0-9]))"
    ),
    regex(rf"每分钟\s*(?P<z>{NUM}|{ZHN}+)\s*拍"),
    regex(
        r"(?:速度|节奏|节拍|拍速)\s*(?:改成|改为|调到|调成|设为|设置为|为|是|到)?\s*"
        rf"(?P<v>{NUM})(?!\s*(?:%|秒|分|[0-9]))"
    ),
]
_TEMPO_DELTA = [
    regex(rf"(?P<v>{NUM})\s*(?P<u>{PCT}|bpm)\s*(?P<d>slower|faster|quicker){WE}"),
    regex(
        rf"{WB}(?P<d>slower|faster|quicker|slow\s+(?:it\s+)?down|speed\s+(?:it\s+)?up)\s+by\s+"
        rf"(?P<v>{NUM})\s*(?P<u>{PCT}|bpm)"
    ),
    regex(rf"(?P<s>[+-])\s*(?P<v>{NUM})\s*(?P<u>bpm){WE}"),
    regex(rf"(?P<d>放慢|加快|慢|快)\s*(?P<v>{NUM})\s*(?P<u>%|拍|bpm)"),
]
_TEMPO_PCT_OF = regex(
    rf"{WB}(?:slow\s+(?:it\s+)?down|speed\s+(?:it\s+)?up|(?:the\s+)?(?:tempo|speed|bpm))\s+"
    rf"to\s+(?P<v>{NUM})\s*{PCT}|(?:速度|节奏)\s*(?:调到|改成|降到|提高到|到)\s*(?P<z>{NUM})\s*%"
)
_TEMPO_TIMES = regex(
    rf"{WB}(?P<w>half[ -]?(?:time|speed|tempo)|half\s+as\s+fast|double[ -]?(?:time|speed|tempo)|"
    rf"twice\s+as\s+fast){WE}"
)
_TEMPO_TOO = regex(rf"{WB}too\s+(?P<d>fast|quick|slow|rushed|sluggish){WE}|太(?P<z>快|慢)了?")
_THINGS = r"(?:\s+(?:it|things|the\s+(?:music|track|tempo|song|pace)|everything))?"
_TEMPO_REL = regex(
    rf"{INTENSITY}{WB}(?P<d>slower|faster|quicker|speedier|slow{_THINGS}\s+down|"
    rf"speed{_THINGS}\s+up|pick\s+up\s+the\s+pace|(?:increase|raise|up|bump\s+up|boost)\s+the\s+"
    r"(?:tempo|bpm|speed|pace)|(?:decrease|lower|reduce|drop|cut)\s+the\s+(?:tempo|bpm|speed|pace)|"
    r"(?:tempo|bpm|speed|pace)\s+(?:up|down|higher|lower)|less\s+(?:fast|slow)|"
    rf"more\s+(?:slowly|quickly)){WE}" + POST
)
_TEMPO_ADJ = regex(
    rf"{WB}(?:make\s+it\s+|more\s+)?(?P<d>slow|fast|quick){WE}"
    r"(?!\s+(?:build|burn|motion|mo|forward|fade))"
)
_TEMPO_ZH = regex(
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
        edits.append(
            Edit("bpm_rel", 1 - vocab.TEMPO_STEPS[1] if too_fast else 1 + vocab.TEMPO_STEPS[1])
        )
        t.mask(m.start(), m.end())
    for pattern in (_TEMPO_REL, _TEMPO_ZH, _TEMPO_ADJ):
        for m in t.scan(pattern):
            g = m.groupdict()
            post = g.get("post") or ""
            step = vocab.TEMPO_STEPS[intensity(g.get("pre"), post)]
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
        regex(
            rf"{WB}(?:bigger|louder|stronger|more\s+(?:intense|energetic|powerful|energy)|"
            r"build(?:s|ing)?(?:\s+up)?|grow(?:s|ing)?|swell(?:s|ing)?|rise|rising|climax)\s+"
            rf"(?:at|towards?|near|by|in)\s+the\s+(?:end|finish|finale|last\s+part){WE}"
        ),
        "build",
    ),
    (
        regex(
            rf"{WB}(?:quieter|softer|calmer|gentler|smaller|calm(?:s)?\s+down|settle(?:s)?"
            r"(?:\s+down)?|die(?:s)?\s+down|less\s+intense)\s+(?:at|towards?|near|by|in)\s+"
            rf"the\s+(?:end|finish|last\s+part){WE}"
        ),
        "fall",
    ),
    (
        regex(r"(?:结尾|最后|末尾|后面)\s*(?:要|更|再)?\s*(?:激烈|高潮|强|燃|宏大|有力|爆发)"),
        "build",
    ),
    (regex(r"(?:结尾|最后|末尾|后面)\s*(?:要|更|再)?\s*(?:安静|平静|柔和|渐弱|弱|轻)"), "fall"),
]
_ENERGY = [
    (regex(INTENSITY + f"(?P<w>{phrases(vocab.ENERGY_UP_EN)})" + POST), 1),
    (regex(INTENSITY + f"(?P<w>{phrases(vocab.ENERGY_DOWN_EN)})" + POST), -1),
    (regex(f"{ZH_PRE}(?P<w>{phrases(vocab.ENERGY_UP_ZH)})"), 1),
    (regex(f"{ZH_PRE}(?P<w>{phrases(vocab.ENERGY_DOWN_ZH)})"), -1),
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
            step = vocab.ENERGY_STEPS[intensity(m.group("pre"), m.groupdict().get("post"))]
            edits.append(Edit("energy", sign * step))
            t.mask(m.start(), m.end())
    return edits
