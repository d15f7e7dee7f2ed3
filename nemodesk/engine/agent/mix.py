"""Chat-agent detectors for the mix and the conversation: title, undo, variations and new
takes, where the music starts, fades, and the music volume.

Each detector reads its phrases from a ``Text`` (see ``text``), masks them and
returns ``Edit`` records.
"""

from __future__ import annotations

import re

from nemodesk.engine.agent import words as vocab
from nemodesk.engine.agent.text import (
    INTENSITY,
    MIN,
    NUM,
    PCT,
    POST,
    SEC,
    TIME,
    TIME_U,
    WB,
    WE,
    ZH_PRE,
    ZHN,
    Edit,
    Text,
    instruments_in,
    intensity,
    near_before,
    read_edits,
    regex,
    seconds_of,
    words_after,
    words_before,
    zh_int,
)

# --- title -----------------------------------------------------------------------------------

_TITLE_S = [
    regex(
        rf"{WB}(?:show|display|keep|hold)\s+(?:the\s+)?title(?:\s+(?:up|on\s+screen))?\s+"
        rf"(?:for\s+)?(?P<t>{TIME_U})"
    ),
    regex(rf"{WB}title\s+(?:for|lasting|duration(?:\s+of)?)\s+(?P<t>{TIME_U})"),
    regex(rf"标题\s*(?:显示|持续|停留|出现)\s*(?P<t>{TIME})"),
]
_TITLE_REMOVE = regex(
    rf"{WB}(?:(?:remove|delete|drop|clear|hide|get\s+rid\s+of|take\s+(?:out|off|away))\s+"
    rf"(?:the\s+|that\s+)?title|no\s+title|without\s+(?:a\s+|the\s+)?title|title\s+off){WE}|"
    r"(?:去掉|删除|删掉|不要|取消|移除|拿掉|隐藏)\s*(?:这个|那个)?\s*标题|无标题"
)
_TITLE_SET = [
    regex(
        rf"{WB}(?:add|put|set|use|show|display|make|change|with|give\s+it|overlay|insert|update)"
        r"\s+(?:it\s+)?(?:a|an|the|this|my)?\s*(?:title|caption|heading)(?:\s+text)?\s*"
        r"(?:to\s+be|to|of|as|saying|that\s+says|which\s+says|reading|:|=)?\s*(?P<v>\S.*)"
    ),
    regex(rf"{WB}(?:call|name|title)\s+it\s+(?P<v>\S.*)"),
    regex(rf"{WB}(?:the\s+)?title\s+(?:should\s+be|is|will\s+be|=|to)\s+(?P<v>\S.*)"),
    regex(rf"{WB}title\s*(?:text\s*)?[:=]\s*(?P<v>\S.*)"),
    regex(rf"{WB}title\s+(?P<v>[\"“'‘「『《].*)"),
    regex(rf"{WB}(?:titled|entitled)\s+(?P<v>\S.*)"),
    regex(
        r"(?:加|添加|加上|加个|加一个|放|显示|设置|把)?\s*标题\s*(?:文字|文本)?\s*"
        r"(?:是|为|叫|改成|改为|换成|用|设为|设置为|写|写成)?\s*:?\s*(?P<v>\S.*)"
    ),
    regex(r"(?:(?:起名|取名|命名)(?:叫|为|是)?|名字叫|名字是|叫它|叫做)\s*:?\s*(?P<v>\S.*)"),
]
_QUOTED = re.compile(r"[\"“”'‘’「『《]([^\"“”‘’」』》\n]{1,200})[\"“”'‘’」』》]")
_TITLE_END = re.compile(r"[,;!?。，；！？\n]|\.(?:\s|$)")
MAX_TITLE_CHARS = 100


def _title_seconds(m: re.Match[str]) -> Edit | None:
    s = seconds_of(m.group("t"))
    return None if s is None else Edit("title_s", s)


def detect_title(t: Text) -> list[Edit]:
    edits = read_edits(t, _TITLE_S, _title_seconds)
    for m in t.scan(_TITLE_REMOVE):
        edits.append(Edit("title", None))
        t.mask(m.start(), m.end())
    for pattern in _TITLE_SET:
        m = pattern.search(t.cur())
        if not m:
            continue
        vs = m.start("v")
        rest = t.raw[vs:]
        q = _QUOTED.match(rest)
        if q:
            value, end = q.group(1), vs + q.end()
        else:
            cut = _TITLE_END.search(rest)
            value = rest[: cut.start()] if cut else rest
            end = vs + len(value)
        value = value.strip().strip("\"'“”‘’「」『』《》").strip()
        if not value:
            continue
        t.mask(m.start(), end)
        t.title_span = (vs, end)
        edits.append(Edit("title", value[:MAX_TITLE_CHARS]))
        if len(value) > MAX_TITLE_CHARS:
            edits.append(Edit("note", "title_long"))
        break
    return edits


# --- undo, variations, regenerate ------------------------------------------------------------

_UNDO = regex(
    rf"{WB}(?:undo|revert|roll\s*back|go\s+back|step\s+back|take\s+(?:that|it)\s+back|"
    r"put\s+it\s+back|change\s+it\s+back|previous\s+version|last\s+version|"
    r"back\s+to\s+(?:the\s+)?(?:previous|last|old|earlier)(?:\s+(?:one|version))?)"
    rf"{WE}(?!\s+to\s+(?!(?:the\s+)?(?:previous|last|old|original|earlier|before|how)))|"
    r"撤销|撤回|返回上一步|回到上一步|上一步|回退|退回|还原|恢复(?:到)?(?:上一|之前|原来)|"
    r"上一个版本|之前的版本|原来的版本"
)
_COUNT = "|".join(sorted((re.escape(w) for w in vocab.COUNT_WORDS), key=len, reverse=True))
_VARIATIONS = [
    regex(
        rf"{WB}(?P<n>[0-9]{{1,3}}|{_COUNT})\s+(?:(?:more|different|new|alternative|other|"
        r"distinct|separate)\s+){0,2}(?:variations?|versions?|options?|alternatives?|takes?|"
        rf"candidates?|choices?|variants?|tracks?){WE}"
    ),
    regex(rf"{WB}(?:variations|alternatives|variants){WE}"),
    regex(
        r"(?P<z>[0-9]{1,3}|[两二三四五六七八九十几多]+)\s*(?:个|种|首|版|套|份)?\s*"
        r"(?:不同的?|不一样的?|新的?)?\s*(?:版本|选择|方案|变体|变奏|选项|候选|版)"
    ),
]
_REGEN = regex(
    rf"{WB}(?:try\s+(?:it\s+)?again|do\s+it\s+again|another\s+(?:one|take|version|go|try|"
    r"attempt|variation)|(?:a\s+)?different\s+(?:take|one|version|variation)|"
    r"one\s+more(?:\s+(?:time|take|version|try))?|re\s*generate|redo(?:\s+it)?|"
    rf"new\s+(?:take|seed)|re\s*roll|shuffle|start\s+over|from\s+scratch|something\s+else){WE}|"
    r"再来一(?:个|次|首|遍|版)|换一(?:个|首|版|下)|重新(?:生成|来|做|编曲|创作)|重来|再生成|"
    r"再做一(?:个|首|版)|另外?一(?:个|首)|不同的版本"
)


def detect_undo(t: Text) -> bool:
    ms = t.scan(_UNDO)
    for m in ms:
        t.mask(m.start(), m.end())
    return bool(ms)


def detect_takes(t: Text) -> list[Edit]:
    edits: list[Edit] = []
    for i, pattern in enumerate(_VARIATIONS):
        for m in t.scan(pattern):
            if i == 0:
                word = re.sub(r"\s+", " ", m.group("n"))
                n = int(word) if word.isdigit() else vocab.COUNT_WORDS.get(word, 3)
            elif i == 1:
                n = 3
            else:
                z = m.group("z")
                n = 3 if re.fullmatch("[几多]+", z) else (zh_int(z) or 0)
            edits.append(Edit("variations", n) if n >= 2 else Edit("regenerate"))
            t.mask(m.start(), m.end())
    for m in t.scan(_REGEN):
        edits.append(Edit("regenerate"))
        t.mask(m.start(), m.end())
    return edits


# --- start offset and fades -------------------------------------------------------------------

_THING = r"(?:the\s+)?(?:music|track|song|bgm|audio|it)"
_ZERO = r"(?P<zero>(?:the\s+)?(?:very\s+)?(?:beginning|start|top))"
_START = [
    regex(
        rf"{WB}(?:{_THING}\s+(?:should\s+|will\s+|to\s+|must\s+|can\s+)?)?(?:start|begin|"
        rf"kick\s+in|come\s+in|enter|play)(?:s|ing)?\s+(?:{_THING}\s+)?(?:at|from|after)\s+"
        rf"(?:{_ZERO}|(?P<t>{TIME}))"
    ),
    regex(rf"{WB}delay\s+(?:{_THING}|the\s+start)?\s*(?:by\s+)?(?P<t>{TIME})"),
    regex(
        rf"{WB}(?:start(?:ing)?\s+(?:time|offset|point)|offset)\s*(?:to|of|at|=|:)?\s*(?P<t>{TIME})"
    ),
    regex(
        rf"(?:音乐|配乐|背景音乐|它)?\s*(?:从|在)\s*(?:第\s*)?(?P<t>{TIME})\s*"
        r"(?:处|的地方|那里|的位置)?\s*(?:开始|起|进入|响起|出来|播放)"
    ),
    regex(rf"(?:延迟|推迟|延后|晚)\s*(?P<t>{TIME})\s*(?:开始|进入|出来|播放|响起)?"),
    regex(rf"(?P<t>{TIME})\s*(?:后|之后|以后)\s*(?:再)?\s*(?:开始|进入|响起|出来|播放)"),
    regex(r"(?P<zero>从头|从开头|从零)\s*开始"),
]

_FADE_BOTH = regex(rf"{WB}fade[ -]?in\s*(?:and|&|/|\+)\s*(?:fade[ -]?)?out{WE}|淡入淡出|渐入渐出")
_FADE_REMOVE = regex(
    rf"{WB}(?:no|remove|without|drop|delete|get\s+rid\s+of|cut|skip)\s+(?:the\s+|any\s+)?"
    rf"(?:fade[ -]?(?P<d>in|out)s?|fades?|fading){WE}|"
    r"(?:去掉|删除|删掉|不要|取消|移除|拿掉)\s*(?:开头的?|结尾的?)?\s*(?P<z>淡入淡出|淡入|淡出|渐入|渐出)"
)
_FADE_EN = regex(
    rf"(?:(?P<t1>{TIME_U})\s*(?:-\s*)?(?:long\s+)?)?{WB}fad(?:e|es|ing)(?:[ -]?|\s+{_THING}\s+)"
    rf"(?P<d>in|out){WE}(?:\s+(?:(?:over|for|of|lasting|in|by|to|across)\s+)?"
    r"(?:(?:about|around|roughly)\s+)?(?:the\s+)?(?:(?:first|last|final)\s+)?"
    rf"(?P<t2>{TIME}))?"
)
_FADE_ZH = regex(
    rf"(?:(?P<t1>{TIME_U})\s*的?\s*)?(?:开头|开始|结尾|最后|末尾)?\s*(?P<z>淡入|渐入|淡出|渐出)"
    rf"(?:\s*(?:时间)?\s*(?:为|是|改成|调到|设为)?\s*(?P<t2>{TIME}))?"
)


def _start(m: re.Match[str]) -> Edit | None:
    groups = m.groupdict()
    s = 0.0 if groups.get("zero") else seconds_of(groups.get("t") or "")
    if s is None and groups.get("t") and re.fullmatch(r"0+(?:\.0+)?", groups["t"].strip()):
        s = 0.0
    return None if s is None else Edit("start", s)


def detect_start(t: Text) -> list[Edit]:
    return read_edits(t, _START, _start)


def detect_fades(t: Text) -> list[Edit]:
    edits: list[Edit] = []
    for m in t.scan(_FADE_REMOVE):
        side = m.group("d") or {"淡入": "in", "渐入": "in", "淡出": "out", "渐出": "out"}.get(
            m.group("z") or ""
        )
        for s in ("in", "out") if side is None else (side,):
            edits.append(Edit(f"fade_{s}", 0.0))
        t.mask(m.start(), m.end())
    for m in t.scan(_FADE_BOTH):
        edits += [Edit("fade_in", None), Edit("fade_out", None)]
        t.mask(m.start(), m.end())
    for pattern in (_FADE_EN, _FADE_ZH):
        for m in t.scan(pattern):
            groups = m.groupdict()
            side = groups.get("d") or ("in" if groups["z"] in ("淡入", "渐入") else "out")
            raw_t = groups.get("t1") or groups.get("t2")
            s = seconds_of(raw_t) if raw_t else None
            edits.append(Edit(f"fade_{side}", s))
            t.mask(m.start(), m.end())
    return edits


# --- music volume ----------------------------------------------------------------------------

_VOL_ABS = [
    regex(
        rf"{WB}(?:(?:the\s+)?(?:music|bgm|track|song|soundtrack|audio)(?:'s)?\s+)?"
        rf"(?:volume|level|loudness|gain)\s*(?:(?:down|up)\s+)?(?:to|at|=|:|of|is)?\s*"
        rf"(?P<v>{NUM})\s*(?:{PCT})?(?!\s*(?:{SEC}|{MIN}|bpm|db){WE})(?![0-9])"
    ),
    regex(
        rf"{WB}(?:music|bgm|track|song|soundtrack|audio|it)\s+(?:[a-z]+\s+){{0,3}}?(?:at|to)\s+"
        rf"(?P<v>{NUM})\s*{PCT}"
    ),
    regex(rf"(?P<v>{NUM})\s*{PCT}\s*(?:(?:music|bgm)\s+)?(?:volume|level|loudness){WE}"),
    regex(rf"{WB}(?:at|to)\s+(?P<v>{NUM})\s*{PCT}"),
    regex(
        r"(?:音乐|背景音乐|配乐|bgm)?\s*的?\s*(?:音量|声音|响度)\s*(?:调到|调成|调为|改成|改为|设为|"
        r"设置为|设成|降到|降低到|减到|提高到|升到|加到|到|为|是|:)?\s*"
        rf"(?:百分之(?P<zh>{ZHN}+|[0-9]{{1,3}})|(?P<v>{NUM})\s*%?)"
    ),
    regex(
        r"(?:音乐|背景音乐|配乐|bgm)\s*(?:调到|调成|改成|改为|设为|降到|降低到|提高到|到|在)?\s*"
        rf"(?:百分之(?P<zh>{ZHN}+|[0-9]{{1,3}})|(?P<v>{NUM})\s*%)"
    ),
]
_TEMPO_CONTEXT = regex(r"slow|fast|quick|tempo|speed|bpm|pace|速度|节奏|节拍|快|慢")
_VOL_MUTE = regex(rf"{WB}(?:mute|silence)(?:\s+the\s+(?:music|bgm|track))?{WE}|静音")
_VOL_FULL = regex(rf"{WB}(?:unmute|full\s+volume|max(?:imum)?\s+volume){WE}|最大音量|取消静音")
# (pattern, words meaning "down", may be about an instrument: "louder drums")
_VOL_REL: list[tuple[re.Pattern[str], frozenset[str], bool]] = [
    (
        regex(
            rf"{INTENSITY}{WB}(?P<w>quieter|louder|less\s+loud|lower\s+volume|higher\s+volume)"
            rf"{WE}" + POST
        ),
        frozenset({"quieter", "less loud", "lower volume"}),
        True,
    ),
    (
        regex(
            rf"{WB}(?:turn|bring|dial|take|knock)\s+(?:(?:it|the\s+(?:music|bgm|track|song|volume|"
            r"audio)|music|everything)\s+)?(?P<w>down|up)"
            r"(?P<post>\s+(?:a\s+(?:lot|bit|little|notch|touch)|much))?(?![a-z])"
        ),
        frozenset({"down"}),
        True,
    ),
    (
        regex(
            rf"{WB}(?P<w>lower|reduce|decrease|drop|raise|increase|boost|bump\s+up)\s+(?:the\s+)?"
            rf"(?:music(?:'s)?\s+)?(?:volume|level|music|bgm){WE}"
        ),
        frozenset({"lower", "reduce", "decrease", "drop"}),
        False,
    ),
    (regex(rf"{WB}volume\s+(?P<w>up|down){WE}"), frozenset({"down"}), False),
    (regex(rf"{WB}too\s+(?P<w>loud|quiet|soft|low){WE}"), frozenset({"loud"}), True),
    (
        regex(
            rf"(?:音乐|背景音乐|配乐|声音|音量)?\s*{ZH_PRE}\s*(?P<w>小声|大声|轻声)\s*"
            r"(?P<post>一点点|一点|一些|点儿?|些|很多|得多)?"
        ),
        frozenset({"小声", "轻声"}),
        False,
    ),
    (
        regex(
            r"(?:音量|声音)\s*(?P<pre>再|稍微)?\s*(?:调)?\s*(?P<w>小|低|大|高)\s*"
            r"(?P<post>一点点|一点|一些|点儿?|些|很多|得多)?"
        ),
        frozenset({"小", "低"}),
        False,
    ),
    (
        regex(
            r"(?P<w>调低|降低|减小|调小|压低|调大|调高|提高|增大|加大)\s*(?:一下|一点)?\s*"
            r"(?:音乐的?|背景音乐的?|配乐的?)?\s*(?:音量|声音)"
        ),
        frozenset({"调低", "降低", "减小", "调小", "压低"}),
        False,
    ),
    (
        regex(
            r"(?:音乐|背景音乐|配乐)\s*(?P<pre>再|稍微)?\s*(?P<w>轻|响)\s*"
            r"(?P<post>一点|一些|点|些)"
        ),
        frozenset({"轻"}),
        False,
    ),
    (regex(r"太(?P<w>吵|响|大声|小声|轻)了?"), frozenset({"吵", "响", "大声"}), False),
    (regex(r"(?P<w>听不(?:到|见|清))"), frozenset(), False),
]


def detect_volume(t: Text) -> list[Edit]:
    edits: list[Edit] = []
    for i, pattern in enumerate(_VOL_ABS):
        for m in t.scan(pattern):
            # "slow it down to 80%", "speed up to 120%": tempo, not volume
            reach = m.end() - m.start() + 14
            if i in (1, 3) and near_before(t.cur(), m.end(), _TEMPO_CONTEXT, reach):
                continue
            zh = m.groupdict().get("zh")
            value = zh_int(zh) if zh else float(m.group("v")) if m.group("v") else None
            if value is None:
                continue
            edits.append(Edit("volume", float(value)))
            t.mask(m.start(), m.end())
    for m in t.scan(_VOL_MUTE):
        if instruments_in(words_after(t.cur(), m.end())):
            continue  # "mute the piano"
        edits.append(Edit("volume", 0.0))
        t.mask(m.start(), m.end())
    for m in t.scan(_VOL_FULL):
        edits.append(Edit("volume", 100.0))
        t.mask(m.start(), m.end())
    for pattern, down_words, maybe_instrument in _VOL_REL:
        for m in t.scan(pattern):
            text = t.cur()
            if maybe_instrument and (
                instruments_in(words_after(text, m.end()))
                or instruments_in(words_before(text, m.start(), 2))
            ):
                continue  # "louder drums", "turn down the piano", "the drums are too loud"
            groups = m.groupdict()
            step = vocab.VOLUME_STEPS[intensity(groups.get("pre"), groups.get("post"))]
            down = re.sub(r"\s+", " ", m.group("w")) in down_words
            edits.append(Edit("volume_rel", -step if down else step))
            t.mask(m.start(), m.end())
    return edits


# --- loudness for where the video goes ------------------------------------------------------

# A delivery named in the text sets the master's loudness: TV and broadcast are measured
# against EBU R128 (-23 LUFS) or ATSC A/85 (-24), podcasts against -16, the web against -14.
_DELIVERY: list[tuple[re.Pattern[str], float]] = [
    (regex(rf"{WB}atsc(?:\s*a/?85)?{WE}"), -24.0),
    (regex(rf"{WB}ebu\s*r\s*128{WE}"), -23.0),
    (
        regex(
            rf"{WB}(?:(?:for|on|to|at)\s+(?:a\s+|the\s+)?(?:broadcast|tv|television)"
            rf"(?:\s+(?:loudness|levels?|standard|spec))?"
            rf"|broadcast(?:[- ]ready|\s+(?:loudness|levels?|standard|spec)))"
            rf"{WE}"
        ),
        -23.0,
    ),
    (regex(r"(?:用于|适合|给|在)?(?:广播|电视台?)(?:播出|标准|响度)?"), -23.0),
    (regex(rf"{WB}podcast\s+(?:loudness|levels?|standard){WE}|播客响度"), -16.0),
    (
        regex(rf"{WB}(?:web|youtube|streaming|spotify|online)\s+(?:loudness|levels?|standard){WE}"),
        -14.0,
    ),
]
_LUFS = regex(rf"(?P<v>[-−]?\s*{NUM})\s*lufs{WE}")
MIN_LUFS, MAX_LUFS = -40.0, -5.0  # the API's range for loudness_lufs


def detect_delivery(t: Text) -> list[Edit]:
    """The loudness a named delivery ("for broadcast", "EBU R128", "电视", "-16 LUFS") asks
    for, as a "loudness" edit (what the app's loudness parameter also gives)."""
    edits: list[Edit] = []
    for m in t.scan(_LUFS):
        value = -abs(float(m.group("v").replace("−", "-").replace(" ", "")))
        edits.append(Edit("loudness", round(min(MAX_LUFS, max(MIN_LUFS, value)), 1)))
        t.mask(m.start(), m.end())
    for pattern, lufs in _DELIVERY:
        for m in t.scan(pattern):
            edits.append(Edit("loudness", lufs))
            t.mask(m.start(), m.end())
    return edits
