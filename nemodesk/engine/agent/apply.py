"""How the chat agent applies edits and words its replies (English and Chinese).

``apply_brief`` changes the musical parameters and, after a mood or genre change, re-picks
what had been chosen for the user; ``apply_mix`` changes volume, start, fades and title.
Both clamp to the allowed ranges with a word about it and record every change as a short
machine-readable tag plus a keyed catalog message (``Say``; the wording, English and 中文,
is in ``nemodesk.core.messages``).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from nemodesk.core import messages
from nemodesk.engine.agent import words as vocab
from nemodesk.engine.agent.text import Edit
from nemodesk.engine.brief import (
    ARCS,
    GENRES,
    INSTRUMENTS,
    KEYS,
    MAX_DURATION_S,
    MINOR_MOODS,
    MOODS,
    Brief,
    fresh_choices,
)

if TYPE_CHECKING:
    from nemodesk.engine.agent.settings import MusicSettings

MIN_BPM, MAX_BPM = 40.0, 220.0
MIN_LEN_S, MAX_LEN_S = 1.0, MAX_DURATION_S
MAX_FADE_S = 30.0


# --- words for replies ----------------------------------------------------------------------


def clock(seconds: float) -> str:
    s = round(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def seconds_words(seconds: float, lang: str) -> str:
    if seconds < 60:
        return messages.say("agent.seconds", lang, seconds=round(seconds, 1))
    return clock(seconds)


# Names of instruments, moods, genres, modes and arcs: a word from the agent's vocabulary
# (``words``) in the message's language — words, not messages, so they stay out of the catalog.


def inst_name(name: str, lang: str) -> str:
    return vocab.INSTRUMENT_ZH[name] if lang == "zh" else name.replace("_", " ")


def _mood(name: str, lang: str) -> str:
    return vocab.MOOD_ZH[name] if lang == "zh" else name


def _genre(name: str, lang: str) -> str:
    return vocab.GENRE_ZH[name] if lang == "zh" else vocab.GENRE_EN.get(name, name)


def _mode(name: str, lang: str) -> str:
    """The mode's word; in Chinese any mode but minor is 大调."""
    return vocab.MODE_ZH["minor" if name == "minor" else "major"] if lang == "zh" else name


def key_words(key: str, mode: str, lang: str) -> str:
    """ "D minor" / "D小调"."""
    return messages.say("agent.key", lang, key=key, mode=_mode(mode, lang))


def _key(brief: Brief, lang: str) -> str:
    return key_words(brief.key, brief.mode, lang)


def _arc_how(arc: str, lang: str) -> str:
    return vocab.ARC_ZH[arc] if lang == "zh" else vocab.ARC_EN_HOW[arc]


def describe_zh(b: Brief) -> str:
    """Chinese counterpart of ``brief.describe``."""
    parts = [
        f"{seconds_words(b.duration_s, 'zh')}{vocab.GENRE_ZH[b.genre]}风格",
        f"{b.bpm:g} BPM",
        _key(b, "zh"),
        "、".join(vocab.MOOD_ZH[m] for m in (b.moods[:3] or [b.mood])),
        f"{vocab.ARC_ZH[b.arc]}结构",
    ]
    if b.loop:
        parts.append("可循环")
    if b.instruments:
        parts.append("使用" + "、".join(vocab.INSTRUMENT_ZH[i] for i in b.instruments))
    if b.exclude:
        parts.append("不用" + "、".join(vocab.INSTRUMENT_ZH[i] for i in b.exclude))
    text = "，".join(parts)
    if b.chosen:
        text += "；为你选择了：" + "、".join(vocab.CHOSEN_ZH[c] for c in b.chosen)
    return text


Worded = Callable[[str], object]  # a parameter worded per language: lang -> value


def phrase(key: str, **params: object) -> tuple[str, ...]:
    """The catalog message ``key`` in every language (``messages.LANGS`` order).

    A parameter that is a function of the language (``partial(inst_name, "piano")``) is
    worded per language; any other value is the same in all of them.
    """
    return tuple(
        messages.say(key, lang, **{k: v(lang) if callable(v) else v for k, v in params.items()})
        for lang in messages.LANGS
    )


class Say:
    """Reply phrases (catalog messages) in every language; the message's language picks one
    at the end."""

    def __init__(self) -> None:
        self.done: list[tuple[str, ...]] = []
        self.notes: list[tuple[str, ...]] = []
        self.tags: list[str] = []

    def change(self, tag: str, key: str, **params: object) -> None:
        self.tags.append(tag)
        self.done.append(phrase(key, **params))

    def note(self, key: str, **params: object) -> None:
        said = phrase(key, **params)
        if said not in self.notes:
            self.notes.append(said)

    def pick(self, lang: str) -> tuple[list[str], list[str]]:
        i = messages.LANGS.index(messages.lang_of(lang))
        return [p[i] for p in self.done], [n[i] for n in self.notes]


_EXAMPLES = {
    ("en", True): vocab.NEW_EXAMPLES_EN,
    ("en", False): vocab.EDIT_EXAMPLES_EN,
    ("zh", True): vocab.NEW_EXAMPLES_ZH,
    ("zh", False): vocab.EDIT_EXAMPLES_ZH,
}


def examples(lang: str, new: bool) -> str:
    ex = _EXAMPLES[(messages.lang_of(lang), new)]
    some = messages.say("agent.list_sep", lang).join(ex[:-1])
    return messages.say("agent.examples", lang, some=some, last=ex[-1])


def _quote(text: str, lang: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = text if len(text) <= 60 else text[:57] + "…"
    return messages.say("agent.quote", lang, text=text)


def not_understood(parts: list[str], lang: str) -> str:
    quoted = messages.say("agent.list_sep", lang).join(_quote(p, lang) for p in parts)
    return messages.say("agent.not_understood", lang, quoted=quoted)


_THANKS = re.compile(
    r"(?:thanks?|thank\s+you|thx|ok(?:ay)?|great|nice|cool|perfect|awesome|good|love\s+it|"
    r"i\s+like\s+it|sounds\s+good|that's\s+(?:it|good|great)|好的?|谢谢|不错|很好|完美|可以了?|"
    r"行|棒|满意|就这样)"
)
_HELP = re.compile(
    r"(?:help|what\s+can\s+you\s+do|how\s+does\s+(?:this|it)\s+work|commands|examples?|"
    r"帮助|你能做什么|怎么用|能做什么|有什么功能)"
)


def none_reply(text: str, lang: str, new: bool, parts: list[str] | None = None) -> str:
    """The reply to a message that asks for nothing the agent can do."""
    low = text.lower()
    rest = re.sub(r"[\s\W_]+|please|pls|请", "", _THANKS.sub("", _HELP.sub("", low)))
    if not text.strip():
        head = messages.say("agent.message.empty", lang)
    elif not rest and _HELP.search(low):
        head = messages.say("agent.help", lang)
    elif not rest and _THANKS.search(low):
        head = messages.say("agent.thanks", lang)
    else:
        head = not_understood(parts or [text], lang)
    return f"{head}{messages.say('agent.sentence_sep', lang)}{examples(lang, new)}"


# --- clamping -------------------------------------------------------------------------------


def clamp(value: float, lo: float, hi: float) -> float:
    if math.isnan(value):
        return lo
    return min(hi, max(lo, value))


def clamped_bpm(v: float, say: Say) -> float:
    bpm = float(round(clamp(v, MIN_BPM, MAX_BPM)))
    if not MIN_BPM <= v <= MAX_BPM:
        say.note("agent.note.bpm_range", value=_num(v), bpm=bpm)
    return bpm


def clamped_length(v: float, say: Say) -> float:
    length = round(clamp(v, MIN_LEN_S, MAX_LEN_S), 1)
    if length != round(v, 1):
        key = "agent.note.length_longest" if v > MAX_LEN_S else "agent.note.length_shortest"
        say.note(key, length=partial(seconds_words, length))
    return length


def _num(v: float) -> str:
    return "a huge number" if not math.isfinite(v) or v > 1e6 else f"{v:g}"


# --- applying edits -------------------------------------------------------------------------


_INSTRUMENT_KINDS = ("add", "more", "drop", "exclude", "less")


def apply_brief(b: Brief, edits: list[Edit], say: Say, video_s: float | None) -> set[str]:
    """Change `b` in place; returns the names of fields the user set (for ``chosen``).

    One branch per edit kind (instruments apart, in ``_apply_instrument``); each branch is
    short, and the chain reads as the list of what an edit can change.
    """
    set_fields: set[str] = set()
    old = copy.deepcopy(b)
    for e in edits:
        k, v = e.kind, e.value
        if k in _INSTRUMENT_KINDS:
            _apply_instrument(b, k, v, set_fields)
        elif k in ("bpm", "bpm_rel", "bpm_add"):
            target = v if k == "bpm" else b.bpm * v if k == "bpm_rel" else b.bpm + v
            b.bpm = clamped_bpm(float(target), say)
            set_fields.add("tempo")
        elif k in ("duration", "duration_rel", "duration_add", "duration_video"):
            if k == "duration_video":
                if video_s is None:
                    say.note("agent.note.no_video_length_kept")
                    continue
                target = video_s
            else:
                base = b.duration_s
                target = v if k == "duration" else base * v if k == "duration_rel" else base + v
            b.duration_s = clamped_length(float(target), say)
            b.duration_given = True
            set_fields.add("duration")
        elif k == "energy":
            b.energy = round(clamp(b.energy + v, 0.05, 1.0), 2)
            set_fields.add("energy")
        elif k == "arc" and v in ARCS:
            b.arc = v
            set_fields.add("arc")
        elif k == "mood" and v and all(m in MOODS for m in v):
            b.moods = list(dict.fromkeys(v))
            b.mood = b.moods[0]
            set_fields.add("mood")
        elif k == "genre" and v in GENRES:
            b.genre = v
            set_fields.add("genre")
        elif k == "key" and v[0] in KEYS:
            b.key = v[0]
            if v[1]:
                b.mode = v[1]
                set_fields.add("mode")
            set_fields.add("key")
        elif k == "mode":
            b.mode = v
            set_fields.add("mode")
        elif k == "loop":
            b.loop = bool(v)
        elif k.startswith("hit_"):
            _apply_hit(b, k, v, say)
    b.instruments = [i for i in b.instruments if i in INSTRUMENTS]
    b.exclude = [i for i in b.exclude if i in INSTRUMENTS]
    _rechoose(old, b, set_fields, say)
    _describe_brief_changes(old, b, say)
    b.chosen = [c for c in b.chosen if c not in set_fields]
    return set_fields


def _apply_instrument(b: Brief, k: str, v: str, set_fields: set[str]) -> None:
    """Add (or "more": add and, for drums and the like, more energy), drop, exclude, or
    "less" (lighter drums: brushes instead of a kit, a little calmer; any other instrument
    is left out, as there is no level per instrument)."""
    if k in ("add", "more"):
        if v in b.exclude:
            b.exclude.remove(v)
        if v not in b.instruments:
            b.instruments.append(v)
        if k == "more" and v in vocab.ENERGETIC_INSTRUMENTS:
            b.energy = round(clamp(b.energy + vocab.MORE_DRUMS_ENERGY, 0.05, 1.0), 2)
            set_fields.add("energy")
    elif k == "drop":
        if v in b.instruments:
            b.instruments.remove(v)
    elif k == "exclude" or (k == "less" and v != "drums"):
        if v in b.instruments:
            b.instruments.remove(v)
        if v not in b.exclude:
            b.exclude.append(v)
    else:  # less drums
        if "drums" in b.instruments:
            b.instruments.remove("drums")
        if "brushes" not in b.instruments and "brushes" not in b.exclude:
            b.instruments.append("brushes")
        b.energy = round(clamp(b.energy - vocab.MORE_DRUMS_ENERGY, 0.05, 1.0), 2)
        set_fields.add("energy")


HIT_MATCH_S = 0.15  # a cut named by the user: within this of the time they said
MAX_HIT_BOOST_DB = 12.0


def _clock(s: float) -> str:
    return f"{int(s // 60)}:{s % 60:04.1f}"


def _apply_hit(b: Brief, kind: str, value: Any, say: Say) -> None:
    """The accents on the cuts (times already on the music's clock)."""

    def near(t: float, items: list[float]) -> list[float]:
        return [x for x in items if abs(x - t) <= HIT_MATCH_S]

    if kind == "hit_off":
        t = float(value)
        b.hits_moved = [m for m in b.hits_moved if not near(t, [m[0], m[1]])]
        if not near(t, b.hits_off_s):
            b.hits_off_s = sorted([*b.hits_off_s, round(t, 3)])
        say.change(f"hit_off:{t:g}", "agent.change.hit_off", at=_clock(t))
    elif kind == "hit_on":
        t = float(value)
        b.hits_off_s = [x for x in b.hits_off_s if not near(t, [x])]
        b.hits_moved = [m for m in b.hits_moved if not near(t, [m[0], m[1]])]
        say.change(f"hit_on:{t:g}", "agent.change.hit_on", at=_clock(t))
    elif kind == "hit_move":
        a, to = (float(x) for x in value)
        b.hits_off_s = [x for x in b.hits_off_s if not near(a, [x])]
        b.hits_moved = [m for m in b.hits_moved if not near(a, [m[0], m[1]])]
        b.hits_moved.append((round(a, 3), round(to, 3)))
        say.change(f"hit_move:{a:g}>{to:g}", "agent.change.hit_move", at=_clock(a), to=_clock(to))
    elif kind == "hit_boost":
        before = b.hit_boost_db
        b.hit_boost_db = clamp(before + float(value), -MAX_HIT_BOOST_DB, MAX_HIT_BOOST_DB)
        if b.hit_boost_db == before:
            say.note("agent.note.hits_strongest" if value > 0 else "agent.note.hits_softest")
        elif value > 0:
            say.change("hits:+", "agent.change.hits_harder")
        else:
            say.change("hits:-", "agent.change.hits_softer")


def _rechoose(old: Brief, b: Brief, set_fields: set[str], say: Say) -> None:
    """After a mood or genre change, re-pick what was chosen for the user to suit it."""
    if b.mood == old.mood and b.genre == old.genre:
        return
    if b.mood != old.mood and "mode" not in set_fields:
        b.mode = "minor" if b.mood in MINOR_MOODS else "major"
    key, bpm, energy = fresh_choices(b.genre, b.mood, b.mode)
    if b.mood != old.mood and "energy" not in set_fields:
        b.energy = energy
    if "tempo" in b.chosen and "tempo" not in set_fields and bpm != b.bpm:
        b.bpm = bpm
        say.note("agent.note.tempo_rechosen", bpm=b.bpm)
    if "key" in b.chosen and "key" not in set_fields:
        b.key = key


def _describe_brief_changes(old: Brief, b: Brief, say: Say) -> None:
    """Say each musical change between ``old`` and ``b``, in the reply's clause order:
    tempo and length, the instruments, then genre, mood, key, arc, energy and loop."""
    if b.bpm != old.bpm:
        pct = round((b.bpm / old.bpm - 1) * 100) if old.bpm else 0
        say.change(f"bpm:{pct:+d}%", "agent.change.tempo", old=old.bpm, new=b.bpm)
    if b.duration_s != old.duration_s:
        say.change(
            f"duration:{b.duration_s:g}",
            "agent.change.length",
            old=partial(seconds_words, old.duration_s),
            new=partial(seconds_words, b.duration_s),
        )
    _describe_instruments(old, b, say)
    _describe_character(old, b, say)


def _describe_instruments(old: Brief, b: Brief, say: Say) -> None:
    """Instruments added, excluded, allowed again, or no longer asked for."""
    for i in b.instruments:
        if i not in old.instruments:
            say.change(f"add:{i}", "agent.change.add", name=partial(inst_name, i))
    for i in b.exclude:
        if i not in old.exclude:
            say.change(f"exclude:{i}", "agent.change.exclude", name=partial(inst_name, i))
    for i in old.exclude:
        if i not in b.exclude and i not in b.instruments:
            say.change(f"allow:{i}", "agent.change.allow", name=partial(inst_name, i))
    for i in old.instruments:
        if i not in b.instruments and i not in b.exclude:
            say.change(f"drop:{i}", "agent.change.drop", name=partial(inst_name, i))


def _describe_character(old: Brief, b: Brief, say: Say) -> None:
    """Genre, mood, key, arc, energy and loop."""
    if b.genre != old.genre:
        say.change(
            f"genre:{b.genre}",
            "agent.change.genre",
            old=partial(_genre, old.genre),
            new=partial(_genre, b.genre),
        )
    if b.moods != old.moods:
        moods = b.moods[:3]
        say.change(
            f"mood:{b.mood}",
            "agent.change.mood",
            moods=lambda lang: messages.say("agent.and_sep", lang).join(
                _mood(m, lang) for m in moods
            ),
        )
    if (b.key, b.mode) != (old.key, old.mode):
        say.change(
            f"key:{b.key} {b.mode}",
            "agent.change.key",
            old=partial(_key, old),
            new=partial(_key, b),
        )
    if b.arc != old.arc:
        say.change(f"arc:{b.arc}", "agent.change.arc", arc=partial(_arc_how, b.arc))
    if b.energy != old.energy:
        key = "agent.change.energy_up" if b.energy > old.energy else "agent.change.energy_down"
        say.change(f"energy:{b.energy - old.energy:+.2f}", key, old=old.energy, new=b.energy)
    if b.loop != old.loop:
        say.change(
            f"loop:{'on' if b.loop else 'off'}",
            "agent.change.loop_on" if b.loop else "agent.change.loop_off",
        )


def apply_mix(s: MusicSettings, edits: list[Edit], say: Say) -> None:
    """Apply the mix edits (volume, start, fades, title) to ``s`` in place and say each one:
    first every edit is applied (with a note when one is clamped), then the changes are
    described."""
    old = copy.deepcopy(s)
    for e in edits:
        _apply_mix_edit(s, e, say)
    _describe_mix_changes(old, s, say)


def _apply_mix_edit(s: MusicSettings, e: Edit, say: Say) -> None:
    """One mix edit, clamped to what can be made; other kinds are left alone."""
    k, v = e.kind, e.value
    if k in ("volume", "volume_rel"):
        target = v if k == "volume" else s.volume + v
        s.volume = round(clamp(target, 0, 100))
        if k == "volume" and s.volume != v:
            say.note("agent.note.volume_range", volume=s.volume)
    elif k == "start":
        s.start_s = round(clamp(v, 0.0, MAX_LEN_S), 2)
    elif k in ("fade_in", "fade_out"):
        default = vocab.DEFAULT_FADE_IN_S if k == "fade_in" else vocab.DEFAULT_FADE_OUT_S
        value = default if v is None else v
        limit = min(MAX_FADE_S, s.brief.duration_s / 2)
        fade = round(clamp(value, 0.0, limit), 2)
        if fade != round(value, 2):
            say.note("agent.note.fade_limit", limit=limit, fade=fade)
        setattr(s, f"{k}_s", fade)
    elif k == "title":
        s.title = v
    elif k == "title_s":
        s.title_s = round(clamp(v, 0.5, s.brief.duration_s or 3.0), 2)


def _describe_mix_changes(old: MusicSettings, s: MusicSettings, say: Say) -> None:
    """Say each mix change between ``old`` and ``s``: volume, start, fades, title."""
    if s.volume != old.volume:
        say.change(f"volume:{s.volume}", "agent.change.volume", old=old.volume, new=s.volume)
    if s.start_s != old.start_s:
        say.change(f"start:{s.start_s:g}", "agent.change.start", at=clock(s.start_s))
    for side in ("in", "out"):
        before, after = getattr(old, f"fade_{side}_s"), getattr(s, f"fade_{side}_s")
        if after != before:
            key = f"agent.change.fade_{side}" if after else f"agent.change.no_fade_{side}"
            say.change(f"fade_{side}:{after:g}", key, seconds=after)
    if s.title != old.title:
        if s.title is None:
            say.change("title:-", "agent.change.no_title")
        else:
            say.change(f"title:{s.title}", "agent.change.title", title=s.title, seconds=s.title_s)
    elif s.title_s != old.title_s:
        say.change(f"title_s:{s.title_s:g}", "agent.change.title_s", seconds=s.title_s)
