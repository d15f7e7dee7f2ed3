"""Brief: an English or Chinese prompt turned into music parameters.

Explicit options (from the CLI or the UI) always win over what the text says; whatever
neither gives is chosen from the mood, genre and use, and recorded in ``Brief.chosen``
so the caller can tell the user what was picked.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from nemodesk.engine.music import brief_words as W

# fmt: off
MOODS = (
    "upbeat", "warm", "chill", "tense", "dark", "sad", "epic", "romantic",
    "playful", "mysterious", "inspiring", "calm", "happy", "dreamy", "aggressive",
    "nostalgic",
)
MINOR_MOODS = frozenset({"tense", "dark", "sad", "mysterious", "aggressive", "nostalgic"})
GENRES = (
    "acoustic", "lofi", "cinematic", "electronic", "ambient", "corporate", "rock",
    "jazz", "piano", "chiptune",
)
INSTRUMENTS = (
    "piano", "guitar", "electric_guitar", "ukulele", "bass", "upright_bass", "synth_bass",
    "strings", "brass", "synth", "pad", "drums", "brushes", "bells", "flute", "marimba",
    "organ", "choir", "timpani", "percussion",
)
ARCS = ("flat", "build", "fall", "wave")
KEYS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MIN_DURATION_S = 0.5
MAX_DURATION_S = 20 * 60.0
DEFAULT_DURATION_S = 60.0
# fmt: on


@dataclass
class Brief:
    """Everything the planner and composer need; every field has a usable value."""

    prompt: str = ""
    duration_s: float = DEFAULT_DURATION_S
    duration_given: bool = False  # False: a video's length may replace it
    bpm: float = 100.0
    key: str = "C"  # one of KEYS
    mode: str = "major"  # "major" | "minor"
    mood: str = "warm"  # primary mood, one of MOODS
    moods: list[str] = field(default_factory=list)  # all moods found, primary first
    genre: str = "corporate"  # one of GENRES
    instruments: list[str] = field(default_factory=list)  # asked for, canonical names
    exclude: list[str] = field(default_factory=list)  # asked to leave out ("no piano")
    arc: str = "flat"  # one of ARCS
    energy: float = 0.6  # overall energy 0..1
    loop: bool = False
    use: str | None = None  # "travel vlog", "thriller", ... as a hint
    language: str = "en"  # "en" | "zh"
    chosen: list[str] = field(default_factory=list)  # fields filled by defaults, not asked


class BriefError(ValueError):
    """A brief that cannot be honoured; the message is one user-facing sentence."""


MAX_PARSE_CHARS = 4000  # a prompt longer than this is not a prompt; keeps parsing fast
MIN_BPM, MAX_BPM = 40.0, 220.0
CHOSEN_ORDER = ("duration", "genre", "mood", "key", "tempo", "arc")

V = TypeVar("V")
_ASCII_WORD = re.compile(r"[ -~]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class _Lexicon(Generic[V]):
    """Phrases -> values, matched in one pass; longest phrase first at each position.

    English phrases need word edges on letters and digits (Python's \\b treats CJK as word
    characters, so "旅行vlog" would hide "vlog"); Chinese phrases match anywhere.
    """

    def __init__(self, words: Mapping[str, V]) -> None:
        self.words = dict(words)
        ordered = sorted(self.words, key=len, reverse=True)
        latin = [
            W.SPECIAL_PATTERNS.get(w, re.escape(w)) for w in ordered if _ASCII_WORD.fullmatch(w)
        ]
        cjk = [
            W.SPECIAL_PATTERNS.get(w, re.escape(w)) for w in ordered if not _ASCII_WORD.fullmatch(w)
        ]
        self.pattern = re.compile(
            f"(?<![a-z0-9])(?:{'|'.join(latin)})(?![a-z0-9])|{'|'.join(cjk) or '(?!)'}"
        )

    def find(self, text: str, negated: _Scopes | None = None) -> list[tuple[int, V]]:
        """(position, value) of each match, dropping those negated ("not sad")."""
        return [
            (m.start(), self.words[m.group()])
            for m in self.pattern.finditer(text)
            if negated is None or not negated.covers(m.start(), self.pattern)
        ]

    def lookup(self, option: str) -> V | None:
        return self.words.get(_normalise(option).strip())


_MOODS = _Lexicon({**W.MOOD_WORDS, **{m: m for m in MOODS}})
# "piano" alone is an instrument; the piano genre needs "solo piano", "piano only", …
_GENRES = _Lexicon({**W.GENRE_WORDS, **{g: g for g in GENRES if g != "piano"}})
_INSTRUMENTS = _Lexicon({**W.INSTRUMENT_WORDS, **{i.replace("_", " "): i for i in INSTRUMENTS}})
_ARCS = _Lexicon({**W.ARC_WORDS, **{a: a for a in ARCS}})
_LOOP = _Lexicon(W.LOOP_WORDS)
_TEMPO_WORDS = _Lexicon(W.TEMPO_WORDS)
_ENERGY_WORDS = _Lexicon(W.ENERGY_WORDS)
_USES = _Lexicon(W.USE_WORDS)
_USE_RANK = {u: i for i, u in enumerate(W.USES)}

# --- normalising ----------------------------------------------------------------------------

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—−"} | {"’": "'", "‘": "'", "_": " "})
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z0-9])|(?<=[0-9])-(?=[a-z])")
_SPACES = re.compile(r"\s+")


def _normalise(text: str) -> str:
    """Full-width to ASCII (NFKC), lower case, "lo-fi" -> "lo fi", single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_DASHES)
    return _SPACES.sub(" ", _WORD_HYPHEN.sub(" ", text))


_U = "|".join(W.UNITS)
_UNDER_100 = rf"(?:(?:{'|'.join(W.TENS)})(?: (?:{_U}))?|{'|'.join(W.TEENS)}|{_U})"
_NUMBER_WORDS = re.compile(
    rf"(?<![a-z0-9])(?:(?:{_U}|a) hundred(?: (?:and )?{_UNDER_100})?|{_UNDER_100})(?![a-z0-9])"
)
_ALL_NUMBER_WORDS = W.UNITS | W.TEENS | W.TENS
_ZH_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+")
_EN_PHRASES = (  # applied in order, after number words became digits
    (re.compile(r"(?<![\d.])(\d+) and a half (minute|hour|second)s?"), r"\1.5 \2s"),
    (re.compile(r"(?<![a-z0-9])(?:an?|1) (minute|hour) and a half"), r"1.5 \1s"),
    (re.compile(r"(?<![a-z0-9])(?:a )?half (?:an? )?(minute|hour)"), r"0.5 \1"),
    (re.compile(r"(?<![a-z0-9])a couple(?: of)? (minutes|seconds)"), r"2 \1"),
    (re.compile(r"(?<![a-z0-9])an? (minute|hour)(?![a-z])"), r"1 \1"),
    (re.compile(r"(?<!\d)(\d+)点(\d+)"), r"\1.\2"),
)


def _number_word_value(words: str) -> int:
    total = 0
    for w in words.split():
        if w == "hundred":
            total = max(total, 1) * 100
        elif w != "and":
            total += _ALL_NUMBER_WORDS.get(w, 1 if w == "a" else 0)
    return total


def _zh_number_value(chars: str) -> int:
    total, digit = 0, 0
    for ch in chars:
        if ch == "十":
            total, digit = total + (digit or 1) * 10, 0
        elif ch == "百":
            total, digit = total + (digit or 1) * 100, 0
        else:
            digit = W.ZH_DIGITS[ch]
    return total + digit


def _numeric(text: str) -> str:
    """The normalised text with number words as digits: "ninety seconds" -> "90 seconds"."""
    text = _NUMBER_WORDS.sub(lambda m: str(_number_word_value(m.group())), text)
    text = _ZH_NUMBER.sub(lambda m: str(_zh_number_value(m.group())), text)
    for pattern, repl in _EN_PHRASES:
        text = pattern.sub(repl, text)
    return text


class _Scopes:
    """Stretches of text under a negation: from "no"/"without"/"不要" to the clause's end.

    A word is negated only when nothing but filler and words of its own kind stand between
    it and the cue: "no drums or bass" drops both, "not too fast acoustic guitar" drops
    the speed but keeps the guitar.
    """

    _CUE = re.compile(
        r"(?<![a-z'])(?:no|not|without|drop|remove|minus|avoid|skip|exclude|lose|cut out|"
        r"leave out|don't|dont|do not|doesn't|does not|isn't|is not|shouldn't|never|nothing)"
        r"(?![a-z'])|不要|去掉|不用|别用|别要|没有|去除|删掉|删除|拿掉|不需要|不含|不带|不想要|"
        r"避免|不是|不太|别太"
    )
    _END = re.compile(
        r"[,.;:!?()\[\]，。；：！？]|(?<![a-z])(?:but|with|instead|just|only|plus|rather|"
        r"though|featuring|keep|add|then)(?![a-z])|但|而|只|改用|换成|加上|加入|要"
    )
    _FILLER = re.compile(
        r"(?<![a-z])(?:the|a|an|any|too|so|very|overly|more|much|of|or|and|nor|need|want|"
        r"have|use|using|include|be|it|that|this|sound|loud|heavy|big|live|real|busy|extra|"
        r"additional|obvious|prominent|cheesy)(?![a-z])|[\s,、/&]|太|那么|过于|很|的|任何|和|或|也|用"
    )

    _REACH = 60

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] = []  # sorted by start; each at most _REACH long
        for cue in self._CUE.finditer(text):
            end = self._END.search(text, cue.end(), cue.end() + self._REACH)
            self.spans.append((cue.end(), end.start() if end else cue.end() + self._REACH))
        self.starts = [a for a, _ in self.spans]

    def covers(self, pos: int, kind: re.Pattern[str]) -> bool:
        """Is the word of `kind` (a lexicon's pattern) at `pos` negated?"""
        lo = bisect.bisect_left(self.starts, pos - self._REACH)
        hi = bisect.bisect_right(self.starts, pos)
        return any(
            b > pos and not self._FILLER.sub("", kind.sub("", self.text[a:pos]))
            for a, b in self.spans[lo:hi]
        )


# --- durations and tempo ---------------------------------------------------------------------

_NUM = r"(\d+(?:\.\d+)?)"
_SEC = r"(?:seconds?|secs?|s)"
_MIN = r"(?:minutes?|mins?)"
_DECADE_CONTEXT_BEFORE = re.compile(r"(?<![a-z])(?:the|early|mid|late)\s*$")
_DECADE_STYLE = re.compile(
    r" ?(?:"
    + "|".join(re.escape(w) for w in sorted(W.DECADE_STYLE_WORDS, key=len, reverse=True))
    + r")(?![a-z])"
)
_CLOCK_BEFORE = re.compile(r"(?:at|from|until|till|to|@|starting|start)\s*$")
_DURATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), kind)
    for p, kind in (
        (rf"(?<![\d.:]){_NUM}\s*(?:-|to)\s*{_NUM}\s*({_MIN}|{_SEC})(?![a-z0-9])", "range"),
        (
            rf"(?<![\d.:])(\d+)\s*(?:{_MIN}|m)\s*,?\s*(?:and\s+)?(\d{{1,2}})"
            rf"(?:\s*{_SEC}(?![a-z0-9])|(?!\s*[a-z%\d]))",
            "m+s",
        ),
        (r"(?<![\d.:])(\d{1,2}):([0-5]\d):([0-5]\d)(?![\d:])", "h:m:s"),
        (r"(?<![\d.:])(\d{1,2}):([0-5]\d)(?![\d:])(?!\s*(?:ratio|aspect|am|pm|a\.m|p\.m))", "m:s"),
        (rf"(?<![\d.]){_NUM}\s*(?:hours?|hrs?)(?![a-z])", "h"),
        (rf"(?<![\d.]){_NUM}\s*{_MIN}(?![a-z0-9])", "m"),
        (rf"(?<![\d.]){_NUM}m(?![a-z0-9])", "bare-m"),
        (rf"(?<![\d.:']){_NUM}(\s*)({_SEC})(?![a-z0-9'])", "s"),
        (rf"(?<![\d.]){_NUM}\s*(?:个)?\s*(?:小时|钟头)", "h"),
        (rf"(?<![\d.]){_NUM}\s*分(?:钟)?\s*{_NUM}\s*秒", "m+s"),
        (rf"(?<![\d.]){_NUM}\s*分(?:钟)?\s*半", "m+half"),
        (rf"(?<![\d.]){_NUM}\s*个半\s*分钟", "m+half"),
        (r"半\s*分钟", "half-m"),
        (rf"(?<![\d.]){_NUM}\s*分钟", "m"),
        (rf"(?<![\d.]){_NUM}\s*秒(?:钟)?", "s"),
    )
)


def _is_decade(text: str, m: re.Match[str]) -> bool:
    """Is this "<number>s" a decade rather than a length?

    A bare "s" glued to a round number is a decade only for a four-digit year ("1980s"),
    after "the"/"early"/"mid"/"late" ("the 90s"), or before a style word ("80s synth",
    "90s hip hop vibe", "90s music"). Otherwise it is seconds: "90s", "40s", and "a 90s
    track" (a music noun, not a style) stay durations.
    """
    number, space, unit = m.group(1), m.group(2), m.group(3)
    if unit != "s" or space or "." in number or int(number) % 10:
        return False
    if len(number) == 4:
        return True
    return len(number) == 2 and bool(
        _DECADE_CONTEXT_BEFORE.search(text, max(0, m.start() - 8), m.start())
        or _DECADE_STYLE.match(text, m.end())
    )


def _text_durations(text: str) -> list[tuple[int, float]]:
    """Every duration the text mentions, as (position, seconds), in order."""
    found: list[tuple[int, float]] = []
    taken = bytearray(len(text))  # characters already read as part of a duration
    for pattern, kind in _DURATIONS:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            g = m.groups()
            if kind == "range":
                scale = 1.0 if g[2][0] == "s" else 60.0
                seconds = (float(g[0]) + float(g[1])) / 2 * scale
            elif kind == "m+s":
                if float(g[1]) >= 60:
                    continue
                seconds = float(g[0]) * 60 + float(g[1])
            elif kind == "h:m:s":
                seconds = float(g[0]) * 3600 + float(g[1]) * 60 + float(g[2])
            elif kind == "m:s":
                if _CLOCK_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                    continue
                seconds = float(g[0]) * 60 + float(g[1])
            elif kind == "h":
                seconds = float(g[0]) * 3600
            elif kind in ("m", "bare-m"):
                seconds = float(g[0]) * 60
                if kind == "bare-m" and seconds > MAX_DURATION_S:
                    continue  # "50m views": a bare "m" is minutes only when plausible
            elif kind == "m+half":
                seconds = float(g[0]) * 60 + 30
            elif kind == "half-m":
                seconds = 30.0
            else:  # "s"
                if len(g) == 3 and _is_decade(text, m):
                    continue
                seconds = float(g[0])
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
            found.append((m.start(), seconds))
    return sorted(found)


_TEMPO = tuple(
    re.compile(p)
    for p in (
        rf"(?<![\d.]){_NUM}\s*(?:bpm|beats? (?:per|a) min(?:ute)?|beats? ?/ ?min(?:ute)?)(?![a-z])",
        rf"(?<![a-z])(?:bpm|tempo)\s*(?:of|at|is|=|:|around|about|~)?\s*(?:around |about |~)?"
        rf"{_NUM}(?!\s*(?:%|{_SEC}(?![a-z])|{_MIN}|\d))",
        rf"每分钟\s*{_NUM}\s*拍",
        rf"(?<![\d.]){_NUM}\s*拍\s*(?:每分钟|/\s*分钟?|每分)",
        rf"(?:速度|节拍|拍速|节奏)\s*(?:为|是|:|=|约|大约|在)?\s*{_NUM}(?!\s*(?:秒|分|%))",
    )
)


def _text_bpm(text: str) -> float | None:
    """The first tempo the text states within 40–220 BPM; others are ignored."""
    found = sorted((m.start(), float(m.group(1))) for p in _TEMPO for m in p.finditer(text))
    return next((b for _, b in found if MIN_BPM <= b <= MAX_BPM), None)


# --- keys ------------------------------------------------------------------------------------

_PITCH = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_ACC = r"(#|♯|♭|b(?![a-ln-z])|\s?-?\s?sharp|\s?-?\s?flat)"
_MODE = r"(major|minor|maj|min|m)"
_KEY_OPTION = re.compile(rf"([a-g]){_ACC}?\s*{_MODE}?(?: key)?", re.IGNORECASE)
_TEXT_KEYS = (
    re.compile(
        rf"(?<![A-Za-z])(?:in(?: the)? key of|in|key(?: of)?\s*[:=]?)\s+([A-Ga-g])"
        rf"{_ACC}?(?:\s*{_MODE}(?![A-Za-z]))?(?![A-Za-z#♯♭])",
        re.IGNORECASE,
    ),
    re.compile(rf"(?<![A-Za-z])([A-G]){_ACC}?\s*(major|minor)(?![A-Za-z])"),
)
_ZH_KEY = re.compile(r"([升降])?\s*(?<![A-Za-z])([A-Ga-g])\s*([#♯b♭])?\s*(大调|小调|调)")
_MINOR_WORD = re.compile(r"(?<![a-z])minor(?![a-z])|小调")
_MAJOR_WORD = re.compile(
    r"(?<![a-z])(?:major (?:key|mode|scale|tonality|chords?)|in major)(?![a-z])|大调"
)


def _key_name(letter: str, accidental: str | None) -> str:
    acc = (accidental or "").strip(" -").lower()
    shift = 1 if acc in ("#", "♯", "sharp", "升") else -1 if acc in ("b", "♭", "flat", "降") else 0
    return KEYS[(_PITCH[letter.lower()] + shift) % 12]


def _mode_name(word: str | None) -> str | None:
    if not word:
        return None
    if word == "M" or word.lower().startswith("maj") or word == "大调":
        return "major"
    return "minor" if word.lower().startswith("m") or word == "小调" else None


def parse_key(text: str) -> tuple[str, str | None]:
    """An explicit key such as "A", "Am", "F#", "Gb major", "c# minor" -> (KEYS name, mode).

    The mode is None when not said. Raises BriefError for anything else.
    """
    m = _KEY_OPTION.fullmatch(unicodedata.normalize("NFKC", str(text)).strip())
    if not m:
        raise BriefError(
            f'Unknown key {text!r}: use a note name such as C, F#, Bb, Am or "A minor".'
        )
    return _key_name(m.group(1), m.group(2)), _mode_name(m.group(3))


def _text_key(raw: str) -> tuple[str | None, str | None]:
    """Key and mode the text names ("in A minor", "key of Eb", "C大调"), else Nones.

    Works on the original casing: "in A" is a key, "in a" is an article unless a mode or
    an accidental follows ("in a minor").
    """
    for pattern in _TEXT_KEYS:
        for m in pattern.finditer(raw):
            letter, acc, mode = m.group(1), m.group(2), m.group(3)
            if letter.islower() and not (mode or acc in ("#", "♯", "♭")):
                continue  # "in a minute", "in a flat arc"
            if letter == "a" and mode and raw[m.end() :].lstrip().lower().startswith("key"):
                continue  # "in a minor key": an article, the key is still free
            return _key_name(letter, acc), _mode_name(mode)
    m = _ZH_KEY.search(raw)
    if m:
        return _key_name(m.group(2), m.group(1) or m.group(3)), _mode_name(m.group(4))
    return None, None


# --- the parser ------------------------------------------------------------------------------


def _fmt_seconds(seconds: float) -> str:
    if abs(seconds) >= 60 and math.isfinite(seconds):
        minutes = round(seconds / 60, 1)
        return f"{minutes:g} minute" + ("" if minutes == 1 else "s")
    return f"{seconds:g} s"


def _duration_error(seconds: float) -> BriefError:
    return BriefError(
        f"Duration must be between {MIN_DURATION_S:g} s and {MAX_DURATION_S / 60:g} minutes "
        f"(got {_fmt_seconds(seconds)})."
    )


def _pick(kind: str, value: str, lexicon: _Lexicon[str], valid: tuple[str, ...]) -> str:
    """An explicit option: the canonical name or a known synonym, else a BriefError."""
    if not isinstance(value, str):
        found = None
    elif (canonical := value.strip().lower()) in valid:
        found = canonical
    else:
        found = lexicon.lookup(value)
    if found is None or found not in valid:
        raise BriefError(f"Unknown {kind} {value!r}: choose one of {', '.join(valid)}.")
    return found


def _real(value: object, name: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BriefError(f"{name} must be a number (got {value!r}).") from None
    if not math.isfinite(number):
        raise BriefError(f"{name} must be a finite number (got {value!r}).")
    return number


def _bpm_for(genre: str, place: float) -> float:
    """A tempo at `place` in the genre's usual range (below 0 / above 1: beyond it)."""
    lo, hi = W.GENRE_BPM[genre]
    if place < 0:
        bpm = lo * (1 + 0.4 * place)
    elif place > 1:
        bpm = hi * (1 + 0.4 * (place - 1))
    else:
        bpm = lo + place * (hi - lo)
    return float(round(min(MAX_BPM, max(MIN_BPM, bpm))))


def _blend(table: Mapping[str, float], moods: list[str]) -> float:
    """The primary mood counts most; the others pull a little."""
    first = table[moods[0]]
    if len(moods) == 1:
        return first
    rest = [table[m] for m in moods[1:]]
    return 0.6 * first + 0.4 * sum(rest) / len(rest)


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def parse_brief(
    text: str,
    *,
    duration_s: float | None = None,
    bpm: float | None = None,
    key: str | None = None,
    mood: str | None = None,
    genre: str | None = None,
    instruments: list[str] | None = None,
    arc: str | None = None,
    loop: bool | None = None,
    energy: float | None = None,
) -> Brief:
    """Turn a prompt (English or Chinese) and explicit options into a complete Brief.

    Options win over the text; what neither gives is chosen from genre, mood and use and
    named in ``Brief.chosen``. Raises BriefError for invalid options or a text duration
    over 20 minutes; never for an odd or empty prompt.
    """
    prompt = text if isinstance(text, str) else ""
    raw = unicodedata.normalize("NFKC", prompt[:MAX_PARSE_CHARS])
    src = _normalise(raw)
    num = _numeric(src)
    neg = _Scopes(src)
    brief = Brief(prompt=prompt, language="zh" if _CJK.search(raw) else "en")
    chosen: set[str] = set()

    # duration
    if duration_s is not None:
        seconds = _real(duration_s, "Duration")
        if not MIN_DURATION_S <= seconds <= MAX_DURATION_S:
            raise _duration_error(seconds)
        brief.duration_s, brief.duration_given = seconds, True
    else:
        said = [s for _, s in _text_durations(num) if s >= MIN_DURATION_S]
        fitting = [s for s in said if s <= MAX_DURATION_S]
        if said and not fitting:
            raise _duration_error(said[0])
        if fitting:
            brief.duration_s, brief.duration_given = round(fitting[0], 3), True
        else:
            brief.duration_s = DEFAULT_DURATION_S
            chosen.add("duration")

    # use, moods, genre
    uses = [u for _, u in _USES.find(src, neg)]
    brief.use = min(uses, key=_USE_RANK.__getitem__) if uses else None
    use_genre, use_mood = W.USES[brief.use] if brief.use else (None, None)
    text_moods = _dedupe([m for _, m in _MOODS.find(src, neg)])
    if mood is not None:
        primary = _pick("mood", mood, _MOODS, MOODS)
        text_moods = [primary, *(m for m in text_moods if m != primary)]
    if genre is not None:
        brief.genre = _pick("genre", genre, _GENRES, GENRES)
    else:
        strong, weak = [], []
        for m in _GENRES.pattern.finditer(src):
            if not neg.covers(m.start(), _GENRES.pattern):
                (weak if m.group() in W.GENRE_WEAK else strong).append(_GENRES.words[m.group()])
        found = (strong or weak or [None])[0]
        if found:
            brief.genre = found
        else:
            brief.genre = use_genre or (W.MOOD_GENRE[text_moods[0]] if text_moods else "corporate")
            chosen.add("genre")
    if not text_moods:
        given_genre = "genre" not in chosen
        text_moods = [use_mood or (W.GENRE_MOOD[brief.genre] if given_genre else "warm")]
        chosen.add("mood")
    brief.moods, brief.mood = text_moods, text_moods[0]

    # instruments
    excluded = _dedupe(
        [i for p, i in _INSTRUMENTS.find(src) if neg.covers(p, _INSTRUMENTS.pattern)]
    )
    if instruments is not None:
        if isinstance(instruments, str) or not all(isinstance(i, str) for i in instruments):
            raise BriefError("Instruments must be a list of names such as piano, guitar.")
        asked = []
        for name in instruments:
            found = _INSTRUMENTS.lookup(name)
            if found is None:
                raise BriefError(
                    f"Unknown instrument {name!r}: choose from {', '.join(INSTRUMENTS)}."
                )
            asked.append(found)
        brief.instruments = _dedupe(asked)
        brief.exclude = [i for i in excluded if i not in brief.instruments]
    else:
        brief.exclude = excluded
        brief.instruments = _dedupe([i for _, i in _INSTRUMENTS.find(src) if i not in excluded])

    # arc and loop
    if arc is not None:
        brief.arc = _pick("arc", arc, _ARCS, ARCS)
    else:
        arcs = {a for _, a in _ARCS.find(src, neg)}
        if "wave" in arcs or {"build", "fall"} <= arcs:
            brief.arc = "wave"
        else:
            brief.arc = next((a for a in ("build", "fall", "flat") if a in arcs), "flat")
        if not arcs:
            chosen.add("arc")
    if loop is not None:
        brief.loop = bool(loop)
    else:
        hits = [neg.covers(m.start(), _LOOP.pattern) for m in _LOOP.pattern.finditer(src)]
        brief.loop = bool(hits) and not hits[0]

    # tempo
    tempo_words = _TEMPO_WORDS.find(src, neg)
    pure = next((place for _, (place, is_pure) in tempo_words if is_pure), None)
    if bpm is not None:
        brief.bpm = _real(bpm, "Tempo")
        if not MIN_BPM <= brief.bpm <= MAX_BPM:
            raise BriefError(
                f"Tempo must be between {MIN_BPM:g} and {MAX_BPM:g} BPM (got {brief.bpm:g})."
            )
    elif (said_bpm := _text_bpm(num)) is not None:
        brief.bpm = said_bpm
    elif pure is not None:
        brief.bpm = _bpm_for(brief.genre, pure)
    else:
        place = tempo_words[0][1][0] if tempo_words else _blend(W.MOOD_TEMPO, brief.moods)
        brief.bpm = _bpm_for(brief.genre, place)
        chosen.add("tempo")

    # energy
    if energy is not None:
        brief.energy = _real(energy, "Energy")
        if not 0.0 <= brief.energy <= 1.0:
            raise BriefError(f"Energy must be between 0 and 1 (got {brief.energy:g}).")
    else:
        shift = sum(d for _, d in _ENERGY_WORDS.find(src, neg))
        if pure is not None:
            shift += (pure - 0.5) * 0.2
        value = _blend(W.MOOD_ENERGY, brief.moods) + max(-0.3, min(0.3, shift))
        brief.energy = round(min(1.0, max(0.05, value)), 2)

    # key and mode
    key_name, mode = parse_key(key) if key is not None else (None, None)
    text_key, text_mode = _text_key(raw)
    key_name = key_name or text_key
    mode = mode or text_mode
    if mode is None:
        if _MINOR_WORD.search(src):
            mode = "minor"
        elif _MAJOR_WORD.search(src):
            mode = "major"
        else:
            mode = "minor" if brief.mood in MINOR_MOODS else "major"
    brief.mode = mode
    if key_name is None:
        candidates = W.GENRE_KEYS[brief.genre][mode == "minor"]
        key_name = candidates[MOODS.index(brief.mood) % len(candidates)]
        chosen.add("key")
    brief.key = key_name

    brief.chosen = [c for c in CHOSEN_ORDER if c in chosen]
    return brief


_GENRE_LABELS = {"lofi": "lo-fi", "piano": "solo piano"}
_USE_LABELS = {
    "study": "studying",
    "meditation": "meditation",
    "gaming": "a gaming video",
    "youtube": "a YouTube video",
    "tiktok": "a TikTok video",
    "cooking": "a cooking video",
    "workout": "a workout",
    "tips": "a tips video",
}
_ARC_LABELS = {"flat": "steady", "build": "rising", "fall": "falling", "wave": "ebb-and-flow"}


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe(brief: Brief) -> str:
    """One sentence for the user: what will be made, and which parts were picked for them.

    e.g. "90 s acoustic track at 112 BPM in G major, upbeat and warm, rising arc; chosen
    for you: key, tempo".
    """
    d = brief.duration_s
    if d >= 60 and d % 60 == 0:
        length = f"{d / 60:g} min"
    elif d >= 120:
        length = f"{d // 60:g} min {d % 60:g} s"
    else:
        length = f"{d:g} s"
    parts = [
        f"{length} {_GENRE_LABELS.get(brief.genre, brief.genre)} track at "
        f"{brief.bpm:g} BPM in {brief.key} {brief.mode}",
        _and(brief.moods[:3] or [brief.mood]),
        f"{_ARC_LABELS[brief.arc]} arc",
    ]
    if brief.loop:
        parts.append("loopable")
    if brief.instruments:
        parts.append("with " + _and([i.replace("_", " ") for i in brief.instruments]))
    if brief.exclude:
        parts.append("without " + _and([i.replace("_", " ") for i in brief.exclude]))
    if brief.use:
        parts.append("for " + _USE_LABELS.get(brief.use, f"a {brief.use}"))
    sentence = ", ".join(parts)
    if brief.chosen:
        sentence += "; chosen for you: " + ", ".join(brief.chosen)
    return sentence
