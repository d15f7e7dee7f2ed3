"""Variations that differ: what takes 2..N of a generation change from the brief's track.

Take 1 is the plain brief. Every further take changes what the engine picked and the user
did not set, each to a value no other take of the generation has:

- the lead instrument (when no instrument the user asked for plays the lead),
- the tempo, 4–8 % up or down (when the tempo was chosen, not asked),
- the key, to another of the genre's keys in the same mode (when the key was chosen),
- the chord progression (``Brief.progression``),
- the groove: drum pattern and comping figure (``Brief.groove``).

The choices are written into the take's Brief, so a take re-renders, and is later edited,
with the same character. Pure and deterministic for (brief, n, seed).
"""

from __future__ import annotations

import copy
import math

from nemodesk.engine.brief.key import GENRE_KEYS
from nemodesk.engine.brief.model import KEYS, Brief
from nemodesk.engine.brief.tempo import MAX_BPM, MIN_BPM
from nemodesk.engine.music.genres import GENRE_TEMPLATES, LEAD_CHOICES, arrange
from nemodesk.engine.music.grooves import GROOVES
from nemodesk.engine.music.grooves import variant as grooves_variant
from nemodesk.engine.music.theory import PITCH_CLASS, progressions
from nemodesk.engine.music.theory import plain_progressions as _plain

ASPECTS = ("lead", "tempo", "key", "progression", "groove")  # in the order takes name them
TEMPO_STEPS = (0.06, -0.06, 0.08, -0.04, 0.04, -0.08)  # take 2, 3, ... (then again)


def takes(brief: Brief, n: int, seed: int) -> list[Brief]:
    """``n`` briefs: the brief itself, then ``n - 1`` variations of it."""
    out = [copy.deepcopy(brief)]
    leads = _leads(brief)
    keys = _keys(brief)
    progs = _progressions(brief, seed)
    grooves = [g for g in (*range(1, len(GROOVES) + 1), 0) if g != (brief.groove or 0)]
    used: set[tuple[int | None, int]] = set()
    for j in range(n - 1):
        b = copy.deepcopy(brief)
        if leads:
            b.lead = leads[j % len(leads)]
        if "tempo" in brief.chosen:
            b.bpm = _tempo(brief.bpm, TEMPO_STEPS[j % len(TEMPO_STEPS)])
        if keys:
            b.key = keys[j % len(keys)]
        if progs:
            b.progression = progs[j % len(progs)]
        # the next groove whose pairing with these chords no take has had yet
        b.groove = next(
            (
                g
                for k in range(len(grooves))
                if (b.progression, g := grooves[(j + k) % len(grooves)]) not in used
            ),
            grooves[j % len(grooves)],
        )
        used.add((b.progression, b.groove))
        out.append(b)
    return out


def _tempo(bpm: float, step: float) -> float:
    """``bpm`` moved by ``step`` (a fraction), in whole BPM while that stays 4–8 % away;
    the other way when that leaves the engine's range."""
    if not MIN_BPM <= bpm * (1 + step) <= MAX_BPM:
        step = -step
    sign = 1 if step > 0 else -1
    lo, hi = sorted((bpm * (1 + 0.04 * sign), bpm * (1 + 0.08 * sign)))
    whole = min(max(round(bpm * (1 + step)), math.ceil(lo)), math.floor(hi))
    new = float(whole) if lo <= whole <= hi else bpm * (1 + step)
    return float(min(MAX_BPM, max(MIN_BPM, new)))


def changes(base: Brief, take: Brief) -> list[str]:
    """What ``take`` changes from ``base``, by ``ASPECTS`` name, in that order."""
    lead = _lead_of(take) != _lead_of(base)
    diff = {
        "lead": lead,
        "tempo": take.bpm != base.bpm,
        "key": (take.key, take.mode) != (base.key, base.mode),
        "progression": take.progression != base.progression,
        "groove": (take.groove or 0) != (base.groove or 0),
    }
    return [a for a in ASPECTS if diff[a]]


def lead_of(brief: Brief) -> str | None:
    """The instrument that plays the lead for ``brief`` (None when nothing does)."""
    return _lead_of(brief)


LEAD_NAMES = {  # the lead instrument, as people call it (en, zh)
    "piano": ("piano", "钢琴"),
    "guitar": ("acoustic guitar", "木吉他"),
    "electric_guitar": ("electric guitar", "电吉他"),
    "ukulele": ("ukulele", "尤克里里"),
    "organ": ("organ", "风琴"),
    "marimba": ("marimba", "马林巴"),
    "bells": ("bells", "钟琴"),
    "flute": ("flute", "长笛"),
    "synth": ("synth", "合成器"),
    "brass": ("brass", "铜管"),
    "strings": ("strings", "弦乐"),
    "fiddle": ("fiddle", "小提琴"),  # the folk template's lead
    "erhu": ("erhu", "二胡"),  # the guofeng template's lead
}
GROOVE_NAMES = {  # grooves.GROOVES, as people call them (en, zh)
    "push": ("push groove", "切分律动"),
    "half": ("half-time groove", "半速律动"),
    "drive": ("driving groove", "推进律动"),
}
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII")


def lead_name(name: str | None, lang: str = "en") -> str:
    """The lead instrument's name for people ("acoustic guitar", "木吉他")."""
    pair = LEAD_NAMES.get(name or "")
    if pair is None:
        return (name or "").replace("_", " ")
    return pair[lang == "zh"]


def chords(brief: Brief) -> str | None:
    """The roman numerals of the progression a variation opens with ("vi–IV–I–V"), None
    for a plain brief (its seed picks them)."""
    if brief.progression is None:
        return None
    options = progressions(brief.mood, brief.mode)
    degrees = options[int(brief.progression) % len(options)]
    minor = brief.mode == "minor"
    out = []
    for d in degrees:
        major_chord = (d % 7 in (2, 4, 5, 6)) if minor else (d % 7 in (0, 3, 4))
        name = _ROMAN[d % 7]
        out.append(name if major_chord else name.lower())
    return "–".join(out)


def info(base: Brief, take: Brief, index: int) -> dict[str, object]:
    """What a generation's entry says about take ``index`` (0-based) of ``base``: the
    brief's picks (so choosing the take carries them on), what it changes and how it sounds
    different (``describe`` needs the rendered BPM and key as well)."""
    groove = grooves_variant(take.groove)
    return {
        "progression": take.progression,
        "groove": take.groove,
        "lead": take.lead,
        "lead_instrument": lead_of(take),
        "changes": [] if index == 0 else changes(base, take),
        "groove_name": groove,
        "chords": chords(take),
    }


def describe(
    aspects: list[str],
    *,
    lead: str | None,
    bpm: float,
    key: str,
    mode: str,
    lang: str = "en",
    groove: str | None = None,
    chords: str | None = None,
    first: bool = False,
) -> str:
    """How a take differs, for people: "piano lead · 118 BPM · E major · new chords
    vi–IV–I–V · push groove" (``aspects`` from ``changes``); the first take says what it is:
    "the brief's take · bells lead · 112 BPM · G major"."""
    zh = lang == "zh"
    words = {
        "lead": f"{lead_name(lead, lang)}主奏" if zh else f"{lead_name(lead, lang)} lead",
        "tempo": f"{bpm:.0f} BPM",
        "key": f"{key}{'大调' if mode == 'major' else '小调'}" if zh else f"{key} {mode}",
        "progression": (("新和弦" if zh else "new chords") + (f" {chords}" if chords else "")),
        "groove": GROOVE_NAMES[groove][zh]
        if groove in GROOVE_NAMES
        else ("新律动" if zh else "new groove"),
    }
    if first:
        head = ["按描述的版本" if zh else "the brief's take"]
        shown = [a for a in ("lead", "tempo", "key") if a != "lead" or lead]
        return " · ".join(head + [words[a] for a in shown])
    return " · ".join(words[a] for a in ASPECTS if a in aspects)


def _lead_of(brief: Brief) -> str | None:
    voice = arrange(brief.genre, brief.instruments, brief.exclude, brief.lead).get("lead")
    return voice.name if voice else None


def _leads(brief: Brief) -> list[str]:
    """Leads the takes may play: none when an instrument the user asked for has the lead."""
    voices = arrange(brief.genre, brief.instruments, brief.exclude)
    if "lead" not in voices or voices["lead"].name in brief.instruments:
        return []
    now = _lead_of(brief)
    template = GENRE_TEMPLATES[brief.genre].voices.get("lead")
    options = [*LEAD_CHOICES.get(brief.genre, ())]
    if template is not None and now != template.name and template.name not in options:
        options.insert(0, template.name)
    return [
        name
        for name in dict.fromkeys(options)
        if name != now and name not in brief.exclude and name not in brief.instruments
    ]


def _fifths(a: str, b: str) -> int:
    """Steps between two keys round the circle of fifths (0..6)."""
    d = (PITCH_CLASS[a] - PITCH_CLASS[b]) * 7 % 12
    return min(d, 12 - d)


def _keys(brief: Brief) -> list[str]:
    """Keys the takes may use, furthest from the brief's first: none when the key was set."""
    if "key" not in brief.chosen:
        return []
    genre = GENRE_KEYS.get(brief.genre, GENRE_KEYS["corporate"])[brief.mode == "minor"]
    pool = [k for k in dict.fromkeys(genre) if k != brief.key]
    # the genre's own keys first; far ones (more notes changed) before near ones
    ranked = sorted(pool, key=lambda k: -min(_fifths(k, brief.key), 3))
    rest = [k for k in KEYS if k not in pool and k != brief.key and _fifths(k, brief.key) >= 2]
    return ranked + sorted(rest, key=lambda k: -min(_fifths(k, brief.key), 3))


def _progressions(brief: Brief, seed: int) -> list[int]:
    """``Brief.progression`` values for the takes, the brief's own left out: first the
    ones a plain brief never plays (its progressions turned halfway round), from a place
    the seed picks, then the rest."""
    options = progressions(brief.mood, brief.mode)
    plain = set(_plain(brief.mood, brief.mode))
    count = len(options)
    start = seed % count
    order = [(start + i) % count for i in range(count)]
    own = None if brief.progression is None else brief.progression % count
    order = [p for p in order if p != own]
    return [p for p in order if options[p] not in plain] + [p for p in order if options[p] in plain]
