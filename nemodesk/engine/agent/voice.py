"""The clip's own sound, by chat or by the app's control: duck the music under the voice,
mix evenly, or mute the original; and how deep the music dips.

These phrases are read before the music agent sees the message (and taken out of it), so
"quieter under the voice-over" is not read as "quieter music" and "mute the original sound"
does not mute the music. The app's control sends the same change as explicit parameters
(``clip_sound``, ``duck_db``) with an empty text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from nemodesk.core import messages
from nemodesk.core.draft import Draft, TrackType
from nemodesk.core.ducking import (
    MAX_DUCK_DB,
    MIN_DUCK_DB,
    SoundMode,
    depth_db,
    set_sound,
    sound_mode,
)

STEP_DB = 6.0  # "quieter under the voice" / "duck less"
PARAM_KEYS = ("clip_sound", "duck_db")

_VOICE = (
    r"(?:the\s+|my\s+|our\s+)?(?:voice[- ]?overs?|vo|voices?|speech|speaking|talking"
    r"|dialog(?:ue)?s?|narration|narrator|commentary|words|speaker)\b"
)
_UNDER = r"(?:under|below|beneath|during|behind|when\s+(?:i|we|they|someone)\s+(?:talk|speak)s?)"
_ORIGINAL = (
    r"(?:the\s+)?(?:original|clip'?s?|video'?s?|camera|source|recorded|own)\s+"
    r"(?:sound|audio|track)"
)
_NUM = r"(?P<db>[0-9]{1,2}(?:\.[0-9])?)\s*(?:db|decibels?)"
_ZH_VOICE = r"(?:人声|说话|讲话|旁白|解说|配音|对白|口播)"
_ZH_MUSIC = r"(?:背景音乐|配乐|音乐|bgm)"


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# (pattern, what it sets): a mode, or a depth change in dB (+ deeper, - shallower), or "db"
_RULES: list[tuple[re.Pattern[str], Any]] = [
    (_c(rf"(?:unmute|keep|restore|bring\s+back|turn\s+on)\s+{_ORIGINAL}"), SoundMode.DUCK),
    (_c(rf"(?:mute|remove|drop|cut|silence|turn\s+off|no|without)\s+{_ORIGINAL}"), SoundMode.MUTE),
    (_c(rf"{_ORIGINAL}\s+(?:off|muted)"), SoundMode.MUTE),
    (
        _c(
            r"(?:no|without|stop|disable|turn\s+off|don'?t|do\s+not)\s+(?:the\s+)?"
            r"(?:auto[- ]?)?duck(?:ing)?(?:\s+the\s+music)?"
        ),
        SoundMode.EVEN,
    ),
    (_c(r"(?:mix|balance)\s+(?:it\s+|them\s+|the\s+sound\s+)?even(?:ly)?"), SoundMode.EVEN),
    (_c(rf"duck(?:\s+the\s+music)?\s+(?:by\s+)?{_NUM}"), "db"),
    (_c(rf"{_NUM}\s+{_UNDER}\s+{_VOICE}"), "db"),
    (
        _c(
            rf"(?:quieter|lower|softer|down|duck\s+(?:it\s+)?(?:more|harder|deeper))"
            rf"(?:\s+(?:the\s+)?(?:music|it))?\s+{_UNDER}\s+{_VOICE}"
        ),
        +STEP_DB,
    ),
    (_c(r"duck(?:\s+the\s+music)?\s+(?:more|harder|deeper)"), +STEP_DB),
    (_c(rf"(?:can'?t|cannot|hard\s+to)\s+hear\s+{_VOICE}"), +STEP_DB),
    (_c(rf"{_VOICE}\s+(?:is\s+|are\s+)?(?:buried|drowned|too\s+quiet|hard\s+to\s+hear)"), +STEP_DB),
    (_c(rf"(?:louder|more\s+music)\s+{_UNDER}\s+{_VOICE}"), -STEP_DB),
    (_c(r"duck(?:\s+the\s+music)?\s+less|less\s+ducking"), -STEP_DB),
    (
        _c(
            rf"(?:turn\s+on\s+|enable\s+)(?:auto[- ]?)?duck(?:ing)?|duck\s+(?:the\s+)?music"
            rf"\s+{_UNDER}\s+{_VOICE}"
        ),
        SoundMode.DUCK,
    ),
    # 中文
    (_c(r"(?:保留|恢复|打开|开启)(?:视频|视频的|片子的)?原声"), SoundMode.DUCK),
    (_c(r"(?:关闭|关掉|去掉|去除|静音|不要|删掉|消除)(?:视频|视频的|片子的)?原声"), SoundMode.MUTE),
    (_c(r"原声(?:静音|关掉|关闭|去掉|不要)"), SoundMode.MUTE),
    (_c(r"(?:不要|关闭|取消|别|停止)(?:自动)?(?:避让|闪避|压低音乐|ducking)"), SoundMode.EVEN),
    (_c(r"(?:音乐和人声|人声和音乐)?(?:一样大|均衡混合|平均混合)"), SoundMode.EVEN),
    (
        _c(
            rf"{_ZH_VOICE}(?:的时候|时|出现时)?(?:把)?{_ZH_MUSIC}?(?:再|更)?"
            r"(?:小|低|轻|弱)(?:一点|一些|点)?"
        ),
        +STEP_DB,
    ),
    (_c(rf"(?:听不清|盖住了?|压住了?){_ZH_VOICE}"), +STEP_DB),
    (
        _c(rf"{_ZH_VOICE}(?:的时候|时)?(?:把)?{_ZH_MUSIC}?(?:再)?(?:大|响)(?:一点|一些|点)?"),
        -STEP_DB,
    ),
    (_c(r"(?:开启|打开)(?:自动)?(?:避让|闪避)"), SoundMode.DUCK),
]


@dataclass
class SoundChange:
    mode: SoundMode | None = None
    depth_db: float | None = None  # an absolute depth
    step_db: float = 0.0  # or a change of the current depth

    def __bool__(self) -> bool:
        return self.mode is not None or self.depth_db is not None or self.step_db != 0.0


def read(text: str) -> tuple[SoundChange, str]:
    """The sound change a message asks for, and the message without the words that said it."""
    change = SoundChange()
    rest = text if isinstance(text, str) else ""
    for pattern, what in _RULES:
        for m in list(pattern.finditer(rest)):
            if what == "db":
                change.depth_db = float(m.group("db"))
                change.mode = change.mode or SoundMode.DUCK
            elif isinstance(what, SoundMode):
                change.mode = what
            else:
                change.step_db += what
                change.mode = change.mode or SoundMode.DUCK
        rest = pattern.sub(" ", rest)
    return change, rest


def from_parameters(params: dict[str, Any] | None) -> SoundChange:
    """The app's control: {"clip_sound": "duck"|"even"|"mute", "duck_db": 3..30}."""
    change = SoundChange()
    if not isinstance(params, dict):
        return change
    try:
        if params.get("clip_sound") is not None:
            change.mode = SoundMode(str(params["clip_sound"]))
    except ValueError:
        pass
    depth = params.get("duck_db")
    if isinstance(depth, int | float) and not isinstance(depth, bool) and math.isfinite(depth):
        change.depth_db = float(depth)
    return change


def bad_parameter(params: dict[str, Any] | None) -> str | None:
    """A sentence for a clip_sound / duck_db value that can't be used, else None."""
    if not isinstance(params, dict):
        return None
    mode = params.get("clip_sound")
    if mode is not None and mode not in {m.value for m in SoundMode}:
        return "clip_sound must be one of duck, even, mute."
    depth = params.get("duck_db")
    if depth is not None and (
        isinstance(depth, bool)
        or not isinstance(depth, int | float)
        or not math.isfinite(depth)
        or not MIN_DUCK_DB <= depth <= MAX_DUCK_DB
    ):
        return f"duck_db must be a number from {MIN_DUCK_DB:g} to {MAX_DUCK_DB:g}."
    return None


def apply(draft: Draft, change: SoundChange, lang: str) -> tuple[bool, str]:
    """Change the video track's sound; (changed, the reply in the user's language)."""
    track = draft.first(TrackType.VIDEO)
    if track is None:
        return False, messages.say("agent.voice.no_clip", lang)
    if change.depth_db is not None:
        depth: float | None = change.depth_db
    elif change.step_db:
        depth = depth_db(draft) + change.step_db
    else:
        depth = None  # the mode alone: the depth stays as it was (automatic or the user's)
    set_sound(track, change.mode, depth)
    mode, depth = sound_mode(track), depth_db(draft)
    limit = ""
    if change.step_db > 0 and depth >= MAX_DUCK_DB:
        limit = messages.say("agent.voice.deepest", lang)
    elif change.step_db < 0 and depth <= MIN_DUCK_DB:
        limit = messages.say("agent.voice.shallowest", lang)
    if mode is SoundMode.MUTE:
        return True, messages.say("agent.voice.muted", lang)
    if mode is SoundMode.EVEN:
        return True, messages.say("agent.voice.even", lang)
    return True, messages.say("agent.voice.ducked", lang, depth=depth, limit=limit)
