"""What a message says about the accents on the video's cuts: "no hit at 0:09", "bring the
hit at 0:09 back", "move the hit at 0:09 to 0:10", "hit harder on the cuts" (and 中文).

Times are as the user reads them on the timeline (seconds); the agent moves them onto the
music's clock. Edit kinds: ``hit_off`` (s), ``hit_on`` (s), ``hit_move`` ((from s, to s)),
``hit_boost`` (dB, + stronger / - softer).
"""

from __future__ import annotations

import re
from functools import partial

from nemodesk.engine.agent.text import TIME, WB, WE, Edit, Text, read_edits, regex, seconds_of

BOOST_STEP_DB = 6.0

_HIT = r"(?:hits?|accents?|stabs?|impacts?|booms?)"
_ZH_HIT = r"(?:重音|卡点|鼓点重音|冲击音|打点)"
_AT = rf"(?:at|on|near|around)\s+(?:the\s+cut\s+(?:at|on)\s+)?(?P<t>{TIME})"

_OFF = [
    regex(
        rf"{WB}(?:no|remove|drop|delete|kill|lose|mute|skip|without)\s+(?:the\s+)?{_HIT}\s+{_AT}"
    ),
    regex(rf"{WB}(?:don'?t|do\s+not)\s+(?:put\s+(?:a|the)\s+)?{_HIT}\s+{_AT}"),
    regex(rf"(?P<t>{TIME})\s*(?:处|的地方|那里)?(?:不要|去掉|别要|取消)(?:这个)?{_ZH_HIT}"),
    regex(rf"(?:去掉|取消|不要)\s*(?P<t>{TIME})\s*(?:处|的)?{_ZH_HIT}"),
]
_ON = [
    regex(rf"{WB}(?:bring\s+back|restore|put\s+back|add\s+back|keep)\s+(?:the\s+)?{_HIT}\s+{_AT}"),
    regex(rf"{WB}{_HIT}\s+{_AT}\s+(?:back|again)"),
    regex(rf"(?:恢复|加回|保留)\s*(?P<t>{TIME})\s*(?:处|的)?{_ZH_HIT}"),
]
_MOVE = [
    regex(rf"{WB}move\s+(?:the\s+)?{_HIT}\s+{_AT}\s+to\s+(?P<to>{TIME})"),
    regex(rf"把\s*(?P<t>{TIME})\s*(?:处|的)?{_ZH_HIT}\s*(?:移到|挪到|改到|放到)\s*(?P<to>{TIME})"),
]
_HARDER = [
    regex(rf"{WB}{_HIT}\s+(?:harder|stronger|bigger|louder|more)(?:\s+on\s+(?:the\s+)?cuts?)?{WE}"),
    regex(rf"{WB}(?:stronger|bigger|louder|harder|heavier|more)\s+{_HIT}{WE}"),
    regex(rf"{_ZH_HIT}(?:再|更)?(?:强|重|明显|大|响)(?:一点|一些|点)?"),
]
_SOFTER = [
    regex(
        rf"{WB}{_HIT}\s+(?:softer|lighter|subtler|quieter|less)(?:\s+on\s+(?:the\s+)?cuts?)?{WE}"
    ),
    regex(rf"{WB}(?:softer|lighter|subtler|quieter|gentler|less)\s+{_HIT}{WE}"),
    regex(rf"{_ZH_HIT}(?:再|更)?(?:弱|轻|小|柔和)(?:一点|一些|点)?"),
]


def _move(m: re.Match[str]) -> Edit | None:
    a, b = seconds_of(m.group("t")), seconds_of(m.group("to"))
    return Edit("hit_move", (a, b)) if a is not None and b is not None else None


def _at(kind: str, m: re.Match[str]) -> Edit | None:
    s = seconds_of(m.group("t"))
    return None if s is None else Edit(kind, s)


def detect_hits(t: Text) -> list[Edit]:
    edits = read_edits(t, _MOVE, _move)
    edits += read_edits(t, _OFF, partial(_at, "hit_off"))
    edits += read_edits(t, _ON, partial(_at, "hit_on"))
    for patterns, step in ((_HARDER, BOOST_STEP_DB), (_SOFTER, -BOOST_STEP_DB)):
        for pattern in patterns:
            for m in t.scan(pattern):
                edits.append(Edit("hit_boost", step))
                t.mask(m.start(), m.end())
    return edits
