"""The rule-based chat agent behind ``/run_sse``: one message in, one plan out.

No language model: English and Chinese requests are read by phrase detectors
(``shape``) and the brief parser (``nemodesk.engine.brief``). A message either
asks for new music ("make a calm piano track", "做一段轻松的背景音乐"), for variations
("3 variations", "两个版本"), for an edit of the current music ("slower, no piano",
"music at 20%", "start the music at 0:05", "标题：城市之梦"), to use one of the takes
("use variation 2", "用第二个版本"), or to undo. Explicit parameters sent with the
message (``params``) win over what the text says. The plan says
what to do and the reply says, in the message's language, what was done, what was chosen
for the user, and what was not understood. Pure logic: no I/O, no randomness but ``seed``.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from nemodesk.core import messages
from nemodesk.engine.agent import apply as replies_
from nemodesk.engine.agent import hits as hit_edits
from nemodesk.engine.agent import mix as mix_edits
from nemodesk.engine.agent import params as chat_params
from nemodesk.engine.agent import shape as shape_edits
from nemodesk.engine.agent import sound as sound_edits
from nemodesk.engine.agent import takes as take_choice
from nemodesk.engine.agent import text as message_text
from nemodesk.engine.agent.settings import MusicSettings
from nemodesk.engine.brief import (
    Brief,
    BriefError,
    describe,
    parse_brief,
)

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000  # read at most this much of a message
MAX_VARIATIONS = 5


class ChatAction(StrEnum):
    """What a chat plan asks the server to do; ``chat_run`` has one handler per action."""

    GENERATE = "generate"  # new music from the brief
    REGENERATE = "regenerate"  # the brief or the seed changed: render again
    MIX = "mix"  # only the mix changed (volume, start, fades, title)
    USE = "use"  # adopt one of the latest generation's takes
    UNDO = "undo"
    REDO = "redo"
    NONE = "none"  # nothing to do; the reply says why


@dataclass
class ChatPlan:
    """What the agent decided for one message."""

    action: ChatAction
    settings: MusicSettings | None  # the new settings (None for undo / none)
    variations: int = 1  # candidates to render (1..5)
    reply: str = ""  # what to say, in the message's language
    changes: list[str] = field(default_factory=list)  # e.g. ["bpm:-15%", "exclude:piano"]
    use: int | None = None  # "use": the take of the latest generation (1-based, take_choice.LAST)
    use_media_id: str | None = None  # "use": or the generated mix by its id
    lang: str = "en"


def _none(text: str, lang: str, *, new: bool, parts: list[str] | None = None) -> ChatPlan:
    return ChatPlan(ChatAction.NONE, None, reply=replies_.none_reply(text, lang, new, parts))


# --- planning -------------------------------------------------------------------------------

_NEW_EN = re.compile(
    rf"{message_text.WB}(?:make|generate|create|compose|write|produce|give\s+me|i\s+need|i\s+want|"
    r"i'd\s+like|get\s+me|can\s+i\s+(?:get|have)|let's\s+(?:do|make|have|try)|new)\s+"
    r"(?P<gap>(?:[a-z0-9'-]+\s+){0,6}?)(?:music|track|tune|song|score|soundtrack|bgm|jingle|"
    rf"piece|theme|background){message_text.WE}"
)
_NEW_ZH = re.compile(
    r"(?:做|生成|创作|来|写|制作|给我|帮我|我要|我想要|需要|想要|要)\s*(?:一|两|几)?\s*"
    r"(?:段|首|个|支|份|点|些)(?P<gap>[^,.!?;。！？，]{0,20}?)(?:音乐|配乐|曲子|歌|旋律|bgm|曲)|"
    r"(?:生成|创作|制作)(?P<gap2>[^,.!?;。！？，]{0,20}?)(?:音乐|配乐|曲子|bgm)|新的?(?:音乐|配乐|曲子)"
)
_NOT_NEW = re.compile(
    rf"{message_text.WB}(?:the|this|that|current|same|it|its|my|existing){message_text.WE}|这|那|当前|现在的|目前的"
)
_MUSIC_WORD = re.compile(
    rf"{message_text.WB}(?:music|track|tune|song|score|soundtrack|bgm|jingle|beat|video|vlog|clip){message_text.WE}|"
    r"音乐|配乐|曲子|歌|旋律|视频"
)
_CLAUSES = re.compile(
    r"[,;.!?\n，。；！？、]+|\s+(?:and\s+then|then|also|plus)\s+|然后|并且|同时|另外|还有"
)
_FILLER = re.compile(
    rf"{message_text.WB}(?:please|pls|thanks?|thank\s+you|thx|ok(?:ay)?|great|nice|cool|good|yes|yeah|yep|"
    r"sure|hi|hey|hello|and|also|then|now|just|can\s+you|could\s+you|would\s+you|will\s+you|"
    r"make|it|the|a|an|bit|little|lot|i|me|want|would|like|to|is|be|so|too|very|really|much|"
    r"of|some|do|let's|we|need|maybe|perhaps|again|one|that|this|sounds?|but|keep|rest|same|"
    r"everything|else|as|is|was|more|less|music|track|song|now|here|there|for|with|in|on|at|"
    rf"by|all|good|great){message_text.WE}|[\s\W]|请|帮我|把|音乐|背景音乐|配乐|一下|吧|呢|啊|好的?|谢谢|嗯|"
    r"可以|然后|还有|再|给我|我想|我要|让|它|这个|稍微|一点|的|得|了|要|能不能|可不可以|麻烦|其他|不变"
)


def _audible(b: Brief) -> dict[str, Any]:
    """The brief's fields that change the rendered music (not its bookkeeping)."""
    d = asdict(b)
    for name in ("prompt", "chosen", "duration_given", "language", "use"):
        d.pop(name, None)
    return d


def _valid_video(video_duration_s: float | None) -> float | None:
    v = message_text.finite_or_none(video_duration_s)
    return v if v is not None and v > 0 else None


def _is_new_request(text: str) -> bool:
    for pattern in (_NEW_EN, _NEW_ZH):
        for m in pattern.finditer(text):
            gap = m.groupdict().get("gap") or m.groupdict().get("gap2") or ""
            if not _NOT_NEW.search(gap) and not text[m.start() :].startswith(("make it", "new it")):
                return True
    return False


def _unknown_parts(t: message_text.Text) -> list[str]:
    parts: list[str] = []
    bounds = [0, *(x for m in _CLAUSES.finditer(t.low) for x in (m.start(), m.end())), len(t.low)]
    for a, b in zip(bounds[::2], bounds[1::2], strict=False):
        if b <= a or any(t.used[a:b]) or len(parts) >= 3:
            continue
        if not _FILLER.sub("", t.low[a:b]) or message_text.understood(t.raw[a:b]):
            continue
        parts.append(t.raw[a:b])
    return parts


def plan_message(
    text: str,
    current: MusicSettings | None,
    *,
    video_duration_s: float | None = None,
    seed: int,
    parameters: dict[str, Any] | None = None,
) -> ChatPlan:
    """Read one chat message (and its explicit parameters, which win over the text) and
    decide what to do with the session's music."""
    try:
        return _plan(text, current, video_duration_s, seed, parameters)
    except Exception:  # a wrong reading is better than a broken stream
        log.exception("agent failed on a message")
        zh = message_text.CJK.search(text[:MAX_MESSAGE_CHARS]) if isinstance(text, str) else None
        lang = "zh" if zh else "en"
        return _none(text if isinstance(text, str) else "", lang, new=current is None)


def _plan(
    text: str,
    current: MusicSettings | None,
    video_s: float | None,
    seed: int,
    parameters: dict[str, Any] | None = None,
) -> ChatPlan:
    """Read one message into a plan: explicit parameters and the app's buttons first, then
    take choice, undo, and the detectors in a fixed order (each masks what it read).

    Over 60 lines because the detectors' order is the rule — an earlier detector's mask
    decides what a later one may read — and it reads best as one list.
    """
    t = message_text.Text(text, MAX_MESSAGE_CHARS)
    video = _valid_video(video_s)
    params = chat_params.clean(parameters)
    if "use_media_id" in params:
        return ChatPlan(
            ChatAction.USE, None, use_media_id=str(params["use_media_id"]), lang=t.language()
        )
    if params.get("history") in ("undo", "redo"):  # the app's Undo / Redo buttons
        step = str(params["history"])
        reply = messages.say(f"agent.{step}.done", t.language())
        return ChatPlan(ChatAction(step), None, reply=reply, changes=[step], lang=t.language())
    if not t.low.strip() and not params:
        return _none("", "en", new=current is None)
    mix = mix_edits.detect_title(t)
    if (take := take_choice.detect_use(t)) is not None:
        lang = t.language()
        rest = messages.say("agent.use.rest_not_applied", lang) if _FILLER.sub("", t.cur()) else ""
        return ChatPlan(
            ChatAction.USE, None, reply=rest, changes=[f"use:{take}"], use=take, lang=lang
        )
    if mix_edits.detect_undo(t):
        lang = t.language()
        reply = messages.say("agent.undo.done", lang)
        if _FILLER.sub("", t.cur()):  # more than "undo": say the rest was not done
            reply += messages.say("agent.undo.rest_not_applied", lang)
        return ChatPlan(ChatAction.UNDO, None, reply=reply, changes=["undo"])
    hits = hit_edits.detect_hits(t)  # before the volume words: "softer hits" is not the music
    mix += mix_edits.detect_takes(t)
    mix += mix_edits.detect_start(t)
    mix += mix_edits.detect_fades(t)
    mix += shape_edits.detect_arc_end(t)  # "quieter at the end" is a shape, not the volume
    mix += mix_edits.detect_volume(t)
    mix += shape_edits.detect_video_length(t)
    lang = t.language()
    marker_only = bool(params) and set(params) <= set(
        chat_params.HIT_KEYS
    )  # the timeline's markers
    if current is None or _is_new_request(t.cur()) or not (t.low.strip() or marker_only):
        return _generate(t, current, mix, video, seed, lang, params)
    edits = list(mix)
    edits += [_on_music_clock(e, current.start_s) for e in hits]
    edits += shape_edits.detect_energy(t)
    edits += shape_edits.detect_tempo(t)
    edits += shape_edits.detect_length(t)
    edits += sound_edits.detect_instruments(t)
    edits += sound_edits.detect_loop(t)
    edits += sound_edits.detect_comparatives(t)
    edits += sound_edits.detect_key(t)
    edits += sound_edits.detect_mode(t)
    edits += sound_edits.detect_remainder(t)
    edits += [
        _on_music_clock(e, current.start_s)
        for e in chat_params.as_edits(
            params, current.brief.instruments
        )  # after the text's: they win
    ]
    return _edit(t, current, edits, video, seed, lang)


def _on_music_clock(e: message_text.Edit, start_s: float) -> message_text.Edit:
    """A cut named on the timeline, moved onto the music's own clock."""
    if e.kind in ("hit_off", "hit_on"):
        return message_text.Edit(e.kind, round(float(e.value) - start_s, 3))
    if e.kind == "hit_move":
        return message_text.Edit(e.kind, tuple(round(float(x) - start_s, 3) for x in e.value))
    return e


def _variations(edits: list[message_text.Edit], say: replies_.Say) -> int:
    asked = [e.value for e in edits if e.kind == "variations"]
    if not asked:
        return 1
    n = int(replies_.clamp(asked[-1], 2, MAX_VARIATIONS))
    if n != asked[-1]:
        say.note(
            f"I can make at most {MAX_VARIATIONS} variations at once, so you get {n}.",
            f"一次最多生成 {MAX_VARIATIONS} 个版本，这次生成 {n} 个。",
        )
    say.tags.append(f"variations:{n}")
    return n


def _join(parts: list[str], lang: str) -> str:
    return messages.say("agent.clause_sep", lang).join(parts)


def _generate(
    t: message_text.Text,
    current: MusicSettings | None,
    mix: list[message_text.Edit],
    video: float | None,
    seed: int,
    lang: str,
    params: dict[str, Any],
) -> ChatPlan:
    """A plan for new music: the brief from what the detectors left, fitted to the video or
    to the length asked for, and the reply saying what was made and chosen.

    Over 60 lines: the length rules (given, too long, the video's, a default) and the
    reply's parts share the same few locals; split, they would pass them all around.
    Tidy-up candidate (issue 16): the reply could move to ``apply.Say``.
    """
    say = replies_.Say()
    body = t.masked_raw()
    asked_video = any(e.kind == "duration_video" for e in mix)
    takes = any(e.kind in ("variations", "regenerate") for e in mix)
    arcs = [e.value for e in mix if e.kind == "arc"]
    options: dict[str, Any] = ({"arc": arcs[-1]} if arcs else {}) | chat_params.brief_options(
        params
    )
    given_s = options.pop("duration_s", None)  # the app's length wins over text and video
    bpm = options.pop("bpm", None)
    for m in shape_edits.BPM_ABS[0].finditer(t.cur()):
        v = float(m.group("v"))
        if bpm is None and not replies_.MIN_BPM <= v <= replies_.MAX_BPM:
            bpm = replies_.clamped_bpm(v, say)
        break
    try:
        brief = parse_brief(body, bpm=bpm, **options, duration_s=given_s)
    except BriefError:  # a length over 20 minutes
        say.note(
            "The longest track I can make is 20 minutes, so I used that.",
            "最长只能生成 20 分钟，已使用 20 分钟。",
        )
        brief = parse_brief(body, bpm=bpm, **options, duration_s=replies_.MAX_LEN_S)
    found = len(brief.chosen) < 6 or brief.instruments or brief.exclude or brief.loop or brief.use
    asked = found or takes or asked_video or params or _MUSIC_WORD.search(t.cur())
    if current is None and not (asked or _is_new_request(t.cur())):
        if any(e.kind != "note" for e in mix):
            reply = (
                "还没有音乐可以调整——先描述想要的音乐。"
                if lang == "zh"
                else "There is no music to change yet — describe the music first."
            )
            return ChatPlan(ChatAction.NONE, None, reply=f"{reply} {replies_.examples(lang, True)}")
        return _none(t.raw, lang, new=True)
    if brief.duration_given and brief.duration_s < replies_.MIN_LEN_S:
        brief = parse_brief(
            body, bpm=bpm, **options, duration_s=replies_.clamped_length(brief.duration_s, say)
        )
    video_note: tuple[str, str] | None = None
    if video is not None and given_s is None and (asked_video or not brief.duration_given):
        length = replies_.clamped_length(video, say)
        brief = parse_brief(body, bpm=bpm, **options, duration_s=length)
        video_note = (
            f"Length matched to your video ({replies_.clock(length)}).",
            f"时长已匹配视频（{replies_.clock(length)}）。",
        )
    elif asked_video and given_s is None:
        say.note(
            f"There is no video yet, so I chose {replies_.seconds_words(brief.duration_s, 'en')}.",
            f"还没有上传视频，时长选了 {replies_.seconds_words(brief.duration_s, 'zh')}。",
        )
    brief.prompt = t.raw
    brief.language = lang
    settings = MusicSettings(brief=brief, seed=int(params.get("seed", seed)))
    if current is not None:  # a new piece keeps the mix the user set
        for name in ("volume", "start_s", "fade_in_s", "fade_out_s", "title", "title_s"):
            setattr(settings, name, getattr(current, name))
        settings.loudness_lufs = current.loudness_lufs
    settings.loudness_lufs = float(params.get("loudness_lufs", settings.loudness_lufs))
    replies_.apply_mix(settings, mix, say)
    n = _variations(mix, say)
    if "variations" in params:
        n = int(replies_.clamp(params["variations"], 1, MAX_VARIATIONS))
    done, notes = say.pick(lang)
    if given := chat_params.given_words(params, lang):
        notes.insert(0, given)
    if lang == "zh":
        reply = f"已生成：{replies_.describe_zh(brief)}。"
        if video_note:
            reply += video_note[1]
        if n > 1:
            reply += f"共 {n} 个版本。"
        if done:
            reply += f"另外：{_join(done, lang)}。"
    else:
        reply = f"Made a {describe(brief)}."
        if video_note:
            reply += " " + video_note[0]
        if n > 1:
            reply += f" {n} variations."
        if done:
            reply += f" Also: {_join(done, lang)}."
    if notes:
        reply += ("" if lang == "zh" else " ") + " ".join(notes)
    changes = ["generate", *(["duration:video"] if video_note else []), *say.tags]
    return ChatPlan(
        ChatAction.GENERATE, settings, variations=n, reply=reply, changes=changes, lang=lang
    )


def _edit(
    t: message_text.Text,
    current: MusicSettings,
    edits: list[message_text.Edit],
    video: float | None,
    seed: int,
    lang: str,
) -> ChatPlan:
    """A plan for an edit of the current music: the edits applied to a copy, then MIX when
    only the mix changed, else REGENERATE, with the reply listing what was done.

    Over 60 lines: the decision (mix or regenerate, new seed or not) and the reply that
    reports it are written together so they cannot disagree.
    """
    say = replies_.Say()
    unknown = _unknown_parts(t)
    real = [e for e in edits if e.kind != "note"]
    if not real:
        return _none(t.raw, lang, new=False, parts=unknown or None)
    new = copy.deepcopy(current)
    replies_.apply_brief(new.brief, real, say, video)
    replies_.apply_mix(new, real, say)
    for e in real:
        if e.kind == "less" and e.value != "drums":
            name = (replies_.inst_name(e.value, "en"), replies_.inst_name(e.value, "zh"))
            say.note(
                f"There is no level per instrument, so I left the {name[0]} out; say "
                f'"add {name[0]}" to bring it back.',
                f"无法单独调整某个乐器的音量，所以去掉了{name[1]}；说“加点{name[1]}”可以加回来。",
            )
        elif e.kind == "loudness" and e.value != new.loudness_lufs:  # a parameter
            new.loudness_lufs = e.value
            say.change(
                f"loudness:{e.value:g}", f"loudness {e.value:g} LUFS", f"响度 {e.value:g} LUFS"
            )
    for e in edits:
        if e.kind == "note" and e.value == "title_long":
            say.note(
                f"Titles are cut to {mix_edits.MAX_TITLE_CHARS} characters.",
                f"标题最多 {mix_edits.MAX_TITLE_CHARS} 个字符，已截断。",
            )
    n = _variations(real, say)
    fixed = [e.value for e in real if e.kind == "seed"][-1:]  # a parameter
    retake = n > 1 or any(e.kind == "regenerate" for e in real) or fixed not in ([], [new.seed])
    brief_changed = _audible(new.brief) != _audible(current.brief)
    brief_changed |= new.loudness_lufs != current.loudness_lufs
    mix_changed = any(
        getattr(new, f) != getattr(current, f)
        for f in ("volume", "start_s", "fade_in_s", "fade_out_s", "title", "title_s")
    )
    done, notes = say.pick(lang)
    tail_unknown = " " + replies_.not_understood(unknown, lang) if unknown else ""
    if not (brief_changed or mix_changed or retake):
        if lang == "zh":
            reply = "没有需要改的地方：现在的音乐已经是这样了。" + "".join(notes)
        else:
            reply = "Nothing to change: the music is already like that. " + " ".join(notes)
        return ChatPlan(ChatAction.NONE, None, reply=(reply.strip() + tail_unknown), changes=[])
    if not done and not retake:
        done.append(messages.say("agent.done.music", lang))
    if retake and fixed:
        new.seed = fixed[0]
        say.tags.append(f"seed:{new.seed}")
        done.append(messages.say("agent.done.seed", lang, seed=new.seed))
    elif retake:
        new.seed = int(seed)
        say.tags.append("seed:new")
        done.append(messages.say("agent.done.new_take", lang))
    action = ChatAction.REGENERATE if brief_changed or retake else ChatAction.MIX
    if lang == "zh":
        reply = f"已调整：{_join(done, lang)}。" + "".join(notes)
        if action == "mix":
            reply += "只改了混音，不需要重新生成。"
        elif n > 1:
            reply += f"已生成 {n} 个版本。"
        else:
            reply += "已重新生成音乐。"
    else:
        reply = f"Done: {_join(done, lang)}."
        if notes:
            reply += " " + " ".join(notes)
        if action == "mix":
            reply += " Only the mix changed, so there is no re-render."
        elif n > 1:
            reply += f" Rendered {n} variations."
        else:
            reply += " The music was re-rendered."
    return ChatPlan(
        action, new, variations=n, reply=reply + tail_unknown, changes=say.tags, lang=lang
    )
