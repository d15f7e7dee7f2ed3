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
from functools import partial
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

    One list, not split up: the detectors' order is the rule — an earlier detector's mask
    decides what a later one may read — and it reads best as one list.
    """
    t = message_text.Text(text, MAX_MESSAGE_CHARS)
    video = _valid_video(video_s)
    params = chat_params.clean(parameters)
    if (button := _button_plan(t, params, current)) is not None:
        return button
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
    delivery = mix_edits.detect_delivery(t)  # before the volume: "broadcast loudness"
    mix += mix_edits.detect_volume(t)
    mix += shape_edits.detect_video_length(t)
    lang = t.language()
    marker_only = bool(params) and set(params) <= set(chat_params.HIT_KEYS)  # cut markers only
    if current is None or _is_new_request(t.cur()) or not (t.low.strip() or marker_only):
        if delivery and "loudness_lufs" not in params:  # the app's parameter wins
            params = {**params, "loudness_lufs": delivery[-1].value}
        return _generate(t, current, mix, video, seed, lang, params)
    edits = list(mix) + delivery
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
    given = chat_params.as_edits(params, current.brief.instruments)  # after the text's: they win
    edits += [_on_music_clock(e, current.start_s) for e in given]
    return _edit(t, current, edits, video, seed, lang)


def _button_plan(
    t: message_text.Text, params: dict[str, Any], current: MusicSettings | None
) -> ChatPlan | None:
    """The app's own requests, before any reading: a take by its id, Undo / Redo, or an
    empty message with nothing set; None for anything else."""
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
    return None


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
        say.note("agent.note.variations_max", most=MAX_VARIATIONS, n=n)
    say.tags.append(f"variations:{n}")
    return n


def _join(parts: list[str], lang: str) -> str:
    return messages.say("agent.clause_sep", lang).join(parts)


def _sentences(parts: list[str], lang: str) -> str:
    """Sentences of a reply, one after another ("A. B." / "甲。乙。")."""
    return messages.say("agent.sentence_sep", lang).join(parts)


_MIX_FIELDS = ("volume", "start_s", "fade_in_s", "fade_out_s", "title", "title_s")
_DESCRIBE = {"en": describe, "zh": replies_.describe_zh}  # the brief in words, per language


@dataclass
class _NewRequest:
    """What a request for new music gives the brief parser: the text the detectors left, and
    the options (the app's parameters, an arc, a tempo out of range) that win over it."""

    body: str
    options: dict[str, Any]
    bpm: float | None
    given_s: float | None  # the app's length: wins over the text and the video

    def parse(self, duration_s: float | None) -> Brief:
        return parse_brief(self.body, bpm=self.bpm, **self.options, duration_s=duration_s)


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
    to the length asked for, and the reply saying what was made and chosen."""
    say = replies_.Say()
    asked_video = any(e.kind == "duration_video" for e in mix)
    request = _new_request(t, mix, params, say)
    try:
        brief = request.parse(request.given_s)
    except BriefError:  # a length over 20 minutes
        say.note("agent.note.longest_track")
        brief = request.parse(replies_.MAX_LEN_S)
    if current is None and not _asks_for_music(t, brief, mix, asked_video, params):
        if any(e.kind != "note" for e in mix):
            reply = messages.say("agent.generate.nothing_yet", lang)
            return ChatPlan(ChatAction.NONE, None, reply=f"{reply} {replies_.examples(lang, True)}")
        return _none(t.raw, lang, new=True)
    brief, video_length = _fit_length(request, brief, video, asked_video, say)
    brief.prompt = t.raw
    brief.language = lang
    settings = _new_settings(brief, current, params, seed)
    replies_.apply_mix(settings, mix, say)
    n = _variations(mix, say)
    if "variations" in params:
        n = int(replies_.clamp(params["variations"], 1, MAX_VARIATIONS))
    reply = _generated_reply(brief, video_length, n, say, params, lang)
    changes = ["generate", *(["duration:video"] if video_length is not None else []), *say.tags]
    return ChatPlan(
        ChatAction.GENERATE, settings, variations=n, reply=reply, changes=changes, lang=lang
    )


def _new_request(
    t: message_text.Text, mix: list[message_text.Edit], params: dict[str, Any], say: replies_.Say
) -> _NewRequest:
    """The parser's input for new music; a tempo out of range in the text is clamped here
    (with a note), since the parser would refuse it."""
    arcs = [e.value for e in mix if e.kind == "arc"]
    options: dict[str, Any] = ({"arc": arcs[-1]} if arcs else {}) | chat_params.brief_options(
        params
    )
    given_s = options.pop("duration_s", None)
    bpm = options.pop("bpm", None)
    for m in shape_edits.BPM_ABS[0].finditer(t.cur()):
        v = float(m.group("v"))
        if bpm is None and not replies_.MIN_BPM <= v <= replies_.MAX_BPM:
            bpm = replies_.clamped_bpm(v, say)
        break
    return _NewRequest(t.masked_raw(), options, bpm, given_s)


def _asks_for_music(
    t: message_text.Text,
    brief: Brief,
    mix: list[message_text.Edit],
    asked_video: bool,
    params: dict[str, Any],
) -> bool:
    """Does a message with no music yet ask for some (rather than for a change)?"""
    found = len(brief.chosen) < 6 or brief.instruments or brief.exclude or brief.loop or brief.use
    takes = any(e.kind in ("variations", "regenerate") for e in mix)
    asked = found or takes or asked_video or params or _MUSIC_WORD.search(t.cur())
    return bool(asked or _is_new_request(t.cur()))


def _fit_length(
    request: _NewRequest, brief: Brief, video: float | None, asked_video: bool, say: replies_.Say
) -> tuple[Brief, float | None]:
    """(the brief at a length that can be made, the video's length when it was matched):
    a too-short length is clamped; the video's length is used when asked for or when no
    length was given; asked for without a video, a note says what was chosen."""
    if brief.duration_given and brief.duration_s < replies_.MIN_LEN_S:
        brief = request.parse(replies_.clamped_length(brief.duration_s, say))
    if video is not None and request.given_s is None and (asked_video or not brief.duration_given):
        length = replies_.clamped_length(video, say)
        return request.parse(length), length
    if asked_video and request.given_s is None:
        say.note(
            "agent.note.no_video_length_chosen",
            length=partial(replies_.seconds_words, brief.duration_s),
        )
    return brief, None


def _new_settings(
    brief: Brief, current: MusicSettings | None, params: dict[str, Any], seed: int
) -> MusicSettings:
    """Settings for the new piece: it keeps the mix the user set on the current one."""
    settings = MusicSettings(brief=brief, seed=int(params.get("seed", seed)))
    if current is not None:
        for name in _MIX_FIELDS:
            setattr(settings, name, getattr(current, name))
        settings.loudness_lufs = current.loudness_lufs
    settings.loudness_lufs = float(params.get("loudness_lufs", settings.loudness_lufs))
    return settings


def _generated_reply(
    brief: Brief,
    video_length: float | None,
    n: int,
    say: replies_.Say,
    params: dict[str, Any],
    lang: str,
) -> str:
    """What was made, the video's length when matched, the takes, what else was done, then
    the notes (what the user set first)."""
    done, notes = say.pick(lang)
    if given := chat_params.given_words(params, lang):
        notes.insert(0, given)
    description = _DESCRIBE[messages.lang_of(lang)](brief)
    parts = [messages.say("agent.generated", lang, description=description)]
    if video_length is not None:
        length = replies_.clock(video_length)
        parts.append(messages.say("agent.generated.video", lang, length=length))
    if n > 1:
        parts.append(messages.say("agent.generated.variations", lang, n=n))
    if done:
        parts.append(messages.say("agent.generated.also", lang, done=_join(done, lang)))
    if notes:
        parts.append(" ".join(notes))  # one space apart in either language, as always
    return _sentences(parts, lang)


def _edit(
    t: message_text.Text,
    current: MusicSettings,
    edits: list[message_text.Edit],
    video: float | None,
    seed: int,
    lang: str,
) -> ChatPlan:
    """A plan for an edit of the current music: the edits applied to a copy, then MIX when
    only the mix changed, else REGENERATE (a new seed for a new take), with the reply
    listing what was done."""
    say = replies_.Say()
    unknown = _unknown_parts(t)
    real = [e for e in edits if e.kind != "note"]
    if not real:
        return _none(t.raw, lang, new=False, parts=unknown or None)
    new = _edited(current, real, edits, video, say)
    n = _variations(real, say)
    fixed = [e.value for e in real if e.kind == "seed"][-1:]  # a parameter
    retake = n > 1 or any(e.kind == "regenerate" for e in real) or fixed not in ([], [new.seed])
    brief_changed = _audible(new.brief) != _audible(current.brief)
    brief_changed |= new.loudness_lufs != current.loudness_lufs
    mix_changed = any(getattr(new, f) != getattr(current, f) for f in _MIX_FIELDS)
    done, notes = say.pick(lang)
    tail_unknown = " " + replies_.not_understood(unknown, lang) if unknown else ""
    if not (brief_changed or mix_changed or retake):
        nothing = _sentences([messages.say("agent.edit.nothing", lang), *notes], lang)
        return ChatPlan(ChatAction.NONE, None, reply=nothing.strip() + tail_unknown, changes=[])
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
    reply = _edited_reply(done, notes, action, n, lang)
    return ChatPlan(
        action, new, variations=n, reply=reply + tail_unknown, changes=say.tags, lang=lang
    )


def _edited(
    current: MusicSettings,
    real: list[message_text.Edit],
    edits: list[message_text.Edit],
    video: float | None,
    say: replies_.Say,
) -> MusicSettings:
    """A copy of the current music with the ``real`` edits applied, and the remarks the reply
    needs: an instrument left out for "less piano", a loudness, a title cut short."""
    new = copy.deepcopy(current)
    replies_.apply_brief(new.brief, real, say, video)
    replies_.apply_mix(new, real, say)
    for e in real:
        if e.kind == "less" and e.value != "drums":
            name = partial(replies_.inst_name, e.value)
            say.note("agent.note.no_level_per_instrument", name=name)
        elif e.kind == "loudness" and e.value != new.loudness_lufs:  # a parameter
            new.loudness_lufs = e.value
            say.change(f"loudness:{e.value:g}", "agent.loudness", lufs=e.value)
    for e in edits:
        if e.kind == "note" and e.value == "title_long":
            say.note("agent.note.title_cut", most=mix_edits.MAX_TITLE_CHARS)
    return new


def _edited_reply(done: list[str], notes: list[str], action: ChatAction, n: int, lang: str) -> str:
    """What was done, the notes, then whether the music was rendered again."""
    if action == ChatAction.MIX:
        last = messages.say("agent.edit.mix_only", lang)
    elif n > 1:
        last = messages.say("agent.edit.variations", lang, n=n)
    else:
        last = messages.say("agent.edit.rerendered", lang)
    head = messages.say("agent.edit.done", lang, done=_join(done, lang))
    return _sentences([head, *notes, last], lang)
