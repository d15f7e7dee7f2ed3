"""How the chat agent applies edits and words its replies (English and Chinese).

``apply_brief`` changes the musical parameters and, after a mood or genre change, re-picks
what had been chosen for the user; ``apply_mix`` changes volume, start, fades and title.
Both clamp to the allowed ranges with a word about it and record every change as a short
machine-readable tag plus an English and a Chinese phrase (``Say``).
"""

from __future__ import annotations

import copy
import math
import re
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
    BriefError,
    parse_brief,
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


def inst_name(name: str, lang: str) -> str:
    return vocab.INSTRUMENT_ZH[name] if lang == "zh" else name.replace("_", " ")


def _mood(name: str, lang: str) -> str:
    return vocab.MOOD_ZH[name] if lang == "zh" else name


def _genre(name: str, lang: str) -> str:
    return vocab.GENRE_ZH[name] if lang == "zh" else vocab.GENRE_EN.get(name, name)


def _key(brief: Brief, lang: str) -> str:
    if lang == "zh":
        return f"{brief.key}{'小调' if brief.mode == 'minor' else '大调'}"
    return f"{brief.key} {brief.mode}"


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


class Say:
    """Reply phrases in both languages; the message's language picks one at the end."""

    def __init__(self) -> None:
        self.done: list[tuple[str, str]] = []
        self.notes: list[tuple[str, str]] = []
        self.tags: list[str] = []

    def change(self, tag: str, en: str, zh: str) -> None:
        self.tags.append(tag)
        self.done.append((en, zh))

    def note(self, en: str, zh: str) -> None:
        if (en, zh) not in self.notes:
            self.notes.append((en, zh))

    def pick(self, lang: str) -> tuple[list[str], list[str]]:
        i = 1 if lang == "zh" else 0
        return [p[i] for p in self.done], [n[i] for n in self.notes]


def examples(lang: str, new: bool) -> str:
    if lang == "zh":
        ex = vocab.NEW_EXAMPLES_ZH if new else vocab.EDIT_EXAMPLES_ZH
        return "你可以这样说：" + "、".join(ex[:-1]) + "或" + ex[-1] + "。"
    ex = vocab.NEW_EXAMPLES_EN if new else vocab.EDIT_EXAMPLES_EN
    return "You can say, for example: " + ", ".join(ex[:-1]) + " or " + ex[-1] + "."


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
        say.note(
            f"{_num(v)} BPM is out of range, so I used {bpm:g} (tempo must be 40–220 BPM).",
            f"{_num(v)} BPM 超出范围（40–220），已使用 {bpm:g}。",
        )
    return bpm


def clamped_length(v: float, say: Say) -> float:
    length = round(clamp(v, MIN_LEN_S, MAX_LEN_S), 1)
    if length != round(v, 1):
        say.note(
            f"{seconds_words(length, 'en')} is the {'longest' if v > MAX_LEN_S else 'shortest'} "
            "length I can make (1 s – 20 min), so I used that.",
            f"时长必须在 1 秒到 20 分钟之间，已使用 {seconds_words(length, 'zh')}。",
        )
    return length


def _num(v: float) -> str:
    return "a huge number" if not math.isfinite(v) or v > 1e6 else f"{v:g}"


# --- applying edits -------------------------------------------------------------------------


def apply_brief(b: Brief, edits: list[Edit], say: Say, video_s: float | None) -> set[str]:
    """Change `b` in place; returns the names of fields the user set (for ``chosen``)."""
    set_fields: set[str] = set()
    old = copy.deepcopy(b)
    for e in edits:
        k, v = e.kind, e.value
        if k in ("bpm", "bpm_rel", "bpm_add"):
            target = v if k == "bpm" else b.bpm * v if k == "bpm_rel" else b.bpm + v
            b.bpm = clamped_bpm(float(target), say)
            set_fields.add("tempo")
        elif k in ("duration", "duration_rel", "duration_add", "duration_video"):
            if k == "duration_video":
                if video_s is None:
                    say.note(
                        "There is no video yet, so the length stays as it is.",
                        "还没有上传视频，时长保持不变。",
                    )
                    continue
                target = video_s
            else:
                base = b.duration_s
                target = v if k == "duration" else base * v if k == "duration_rel" else base + v
            b.duration_s = clamped_length(float(target), say)
            b.duration_given = True
            set_fields.add("duration")
        elif k in ("add", "more"):
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
        elif k == "less":  # lighter drums: brushes instead of a kit, a little calmer
            if "drums" in b.instruments:
                b.instruments.remove("drums")
            if "brushes" not in b.instruments and "brushes" not in b.exclude:
                b.instruments.append("brushes")
            b.energy = round(clamp(b.energy - vocab.MORE_DRUMS_ENERGY, 0.05, 1.0), 2)
            set_fields.add("energy")
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
        say.change(f"hit_off:{t:g}", f"no accent at {_clock(t)}", f"{_clock(t)} 处不再加重音")
    elif kind == "hit_on":
        t = float(value)
        b.hits_off_s = [x for x in b.hits_off_s if not near(t, [x])]
        b.hits_moved = [m for m in b.hits_moved if not near(t, [m[0], m[1]])]
        say.change(
            f"hit_on:{t:g}", f"the accent at {_clock(t)} is back", f"恢复了 {_clock(t)} 的重音"
        )
    elif kind == "hit_move":
        a, to = (float(x) for x in value)
        b.hits_off_s = [x for x in b.hits_off_s if not near(a, [x])]
        b.hits_moved = [m for m in b.hits_moved if not near(a, [m[0], m[1]])]
        b.hits_moved.append((round(a, 3), round(to, 3)))
        say.change(
            f"hit_move:{a:g}>{to:g}",
            f"the accent at {_clock(a)} moved to {_clock(to)}",
            f"{_clock(a)} 的重音移到了 {_clock(to)}",
        )
    elif kind == "hit_boost":
        before = b.hit_boost_db
        b.hit_boost_db = clamp(before + float(value), -MAX_HIT_BOOST_DB, MAX_HIT_BOOST_DB)
        if b.hit_boost_db == before:
            say.note(
                "The accents are already as strong as they go."
                if value > 0
                else "The accents are already as soft as they go.",
                "重音已经是最强了。" if value > 0 else "重音已经是最轻了。",
            )
        elif value > 0:
            say.change("hits:+", "harder accents on the cuts", "卡点重音更强")
        else:
            say.change("hits:-", "softer accents on the cuts", "卡点重音更轻")


def _rechoose(old: Brief, b: Brief, set_fields: set[str], say: Say) -> None:
    """After a mood or genre change, re-pick what was chosen for the user to suit it."""
    if b.mood == old.mood and b.genre == old.genre:
        return
    if b.mood != old.mood and "mode" not in set_fields:
        b.mode = "minor" if b.mood in MINOR_MOODS else "major"
    try:
        fresh = parse_brief(
            f"{b.mode} key",
            genre=b.genre,
            mood=b.mood,
            duration_s=b.duration_s,
            bpm=b.bpm if "tempo" not in b.chosen or "tempo" in set_fields else None,
        )
    except BriefError:  # pragma: no cover - every value here is already valid
        return
    if b.mood != old.mood and "energy" not in set_fields:
        b.energy = fresh.energy
    if "tempo" in b.chosen and "tempo" not in set_fields and fresh.bpm != b.bpm:
        b.bpm = fresh.bpm
        say.note(
            f"Tempo re-chosen to suit it: {b.bpm:g} BPM.",
            f"速度已按新风格重新选择：{b.bpm:g} BPM。",
        )
    if "key" in b.chosen and "key" not in set_fields:
        b.key = fresh.key


def _describe_brief_changes(old: Brief, b: Brief, say: Say) -> None:
    """Say, in the message's language, each musical change between ``old`` and ``b``.

    One branch per field in one function (over 60 lines), so the order of the reply's
    clauses is visible in one place.
    """
    if b.bpm != old.bpm:
        pct = round((b.bpm / old.bpm - 1) * 100) if old.bpm else 0
        say.change(
            f"bpm:{pct:+d}%",
            f"tempo {old.bpm:g} → {b.bpm:g} BPM",
            f"速度 {old.bpm:g} → {b.bpm:g} BPM",
        )
    if b.duration_s != old.duration_s:
        say.change(
            f"duration:{b.duration_s:g}",
            f"length {seconds_words(old.duration_s, 'en')} → {seconds_words(b.duration_s, 'en')}",
            f"时长 {seconds_words(old.duration_s, 'zh')} → {seconds_words(b.duration_s, 'zh')}",
        )
    for i in b.instruments:
        if i not in old.instruments:
            say.change(f"add:{i}", f"added {inst_name(i, 'en')}", f"加入{inst_name(i, 'zh')}")
    for i in b.exclude:
        if i not in old.exclude:
            say.change(f"exclude:{i}", f"removed {inst_name(i, 'en')}", f"去掉{inst_name(i, 'zh')}")
    for i in old.exclude:
        if i not in b.exclude and i not in b.instruments:
            say.change(
                f"allow:{i}", f"{inst_name(i, 'en')} allowed again", f"不再排除{inst_name(i, 'zh')}"
            )
    for i in old.instruments:
        if i not in b.instruments and i not in b.exclude:
            say.change(
                f"drop:{i}",
                f"no longer asking for {inst_name(i, 'en')}",
                f"不再指定{inst_name(i, 'zh')}",
            )
    if b.genre != old.genre:
        say.change(
            f"genre:{b.genre}",
            f"genre {_genre(old.genre, 'en')} → {_genre(b.genre, 'en')}",
            f"风格 {_genre(old.genre, 'zh')} → {_genre(b.genre, 'zh')}",
        )
    if b.moods != old.moods:
        say.change(
            f"mood:{b.mood}",
            f"mood {' and '.join(b.moods[:3])}",
            f"情绪改为{'、'.join(_mood(m, 'zh') for m in b.moods[:3])}",
        )
    if (b.key, b.mode) != (old.key, old.mode):
        say.change(
            f"key:{b.key} {b.mode}",
            f"key {_key(old, 'en')} → {_key(b, 'en')}",
            f"调性 {_key(old, 'zh')} → {_key(b, 'zh')}",
        )
    if b.arc != old.arc:
        say.change(
            f"arc:{b.arc}", f"arc: {vocab.ARC_EN_HOW[b.arc]}", f"结构改为{vocab.ARC_ZH[b.arc]}"
        )
    if b.energy != old.energy:
        up = b.energy > old.energy
        say.change(
            f"energy:{b.energy - old.energy:+.2f}",
            f"{'more' if up else 'less'} energy ({old.energy:.0%} → {b.energy:.0%})",
            f"能量{'提高' if up else '降低'}（{old.energy:.0%} → {b.energy:.0%}）",
        )
    if b.loop != old.loop:
        say.change(
            f"loop:{'on' if b.loop else 'off'}",
            "loopable" if b.loop else "no longer loops",
            "可无缝循环" if b.loop else "取消循环",
        )


def apply_mix(s: MusicSettings, edits: list[Edit], say: Say) -> None:
    """Apply the mix edits (volume, start, fades, title, loudness, takes) to ``s`` in place
    and say each one.

    One branch per edit kind (over 60 lines); each branch is short and independent.
    """
    old = copy.deepcopy(s)
    for e in edits:
        k, v = e.kind, e.value
        if k in ("volume", "volume_rel"):
            target = v if k == "volume" else s.volume + v
            s.volume = round(clamp(target, 0, 100))
            if k == "volume" and s.volume != v:
                say.note(
                    f"Music volume must be 0–100%, so I used {s.volume}%.",
                    f"音乐音量必须在 0–100% 之间，已使用 {s.volume}%。",
                )
        elif k == "start":
            s.start_s = round(clamp(v, 0.0, MAX_LEN_S), 2)
        elif k in ("fade_in", "fade_out"):
            default = vocab.DEFAULT_FADE_IN_S if k == "fade_in" else vocab.DEFAULT_FADE_OUT_S
            value = default if v is None else v
            limit = min(MAX_FADE_S, s.brief.duration_s / 2)
            fade = round(clamp(value, 0.0, limit), 2)
            if fade != round(value, 2):
                say.note(
                    f"A fade can be at most {limit:g} s here, so I used {fade:g} s.",
                    f"淡入淡出最长 {limit:g} 秒，已使用 {fade:g} 秒。",
                )
            setattr(s, f"{k}_s", fade)
        elif k == "title":
            s.title = v
        elif k == "title_s":
            s.title_s = round(clamp(v, 0.5, s.brief.duration_s or 3.0), 2)
    if s.volume != old.volume:
        say.change(
            f"volume:{s.volume}",
            f"music volume {old.volume}% → {s.volume}%",
            f"音乐音量 {old.volume}% → {s.volume}%",
        )
    if s.start_s != old.start_s:
        say.change(
            f"start:{s.start_s:g}",
            f"music starts at {clock(s.start_s)}",
            f"音乐从 {clock(s.start_s)} 开始",
        )
    for side, en, zh in (("in", "fade-in", "淡入"), ("out", "fade-out", "淡出")):
        before, after = getattr(old, f"fade_{side}_s"), getattr(s, f"fade_{side}_s")
        if after != before:
            say.change(
                f"fade_{side}:{after:g}",
                f"{en} {after:g} s" if after else f"no {en}",
                f"{zh} {after:g} 秒" if after else f"去掉{zh}",
            )
    if s.title != old.title:
        if s.title is None:
            say.change("title:-", "removed the title", "去掉标题")
        else:
            say.change(
                f"title:{s.title}",
                f'title "{s.title}" (first {s.title_s:g} s)',
                f"标题“{s.title}”（前 {s.title_s:g} 秒）",
            )
    elif s.title_s != old.title_s:
        say.change(
            f"title_s:{s.title_s:g}",
            f"title shown for {s.title_s:g} s",
            f"标题显示 {s.title_s:g} 秒",
        )
