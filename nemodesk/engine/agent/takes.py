"""Choosing one of the takes a generation made: "use variation 2", "pick the second one",
"用第二个版本", "用版本3" — or the explicit ``{"use_media_id": …}`` parameter.

The detector reads the take number from a ``Text`` (``LAST`` for "the last one"); the other
functions pick the entry out of the session's ``generated_media``, move the music settings
to that take and word the reply. No I/O: ``chat_run`` puts the take on the timeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nemodesk.core import messages
from nemodesk.engine.agent.apply import key_words
from nemodesk.engine.agent.text import WB, WE, Text, regex, zh_int
from nemodesk.engine.brief import GENRES, INSTRUMENTS, KEYS, MOODS

if TYPE_CHECKING:
    from nemodesk.engine.agent.settings import MusicSettings

LAST = -1  # "the last one"

_NUMS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_NUMS |= {"eight": 8, "nine": 9, "ten": 10}
_ORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": LAST}
_ORDS |= {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
_VERB = (
    r"(?:use|pick|choose|select|take|keep|prefer|want|like|love|go\s+with|stick\s+with|"
    r"switch\s+to|swap\s+to|change\s+to|put\s+on|play|i'll\s+take|i'd\s+like|give\s+me)"
)
_WORDS = "variation|version|option|candidate|alternative|variant"
_PICK = rf"(?:{_WORDS})"  # "variation 2" needs no verb
_NOUN = rf"(?:{_WORDS}|take|mix|track)"  # after a verb: "use take 3"
_N = rf"(?P<n>[0-9]{{1,6}}(?![0-9])|{'|'.join(_NUMS)})"  # all digits: 999 is not 99
_ORD = rf"(?P<o>{'|'.join(_ORDS)})"
_ORD_NOT_LAST = rf"(?P<o>{'|'.join(o for o in _ORDS if o != 'last')})"  # "last version": undo
_NOT_A_PICK = (
    r"(?!\s*(?:more\s+|new\s+|different\s+)?(?:variations?|versions?|takes?|options?|"
    r"alternatives?|candidates?|variants?|tracks?|mix(?:es)?|seconds?|secs?|s|minutes?|mins?|"
    r"m|bpm|%|percent|times|more|off|out|of|from|x)(?![a-z]))"
)
_ZN = r"(?P<z>[0-9]{1,6}(?![0-9])|[一二两三四五六七八九十]{1,3})"
_ZVERB = r"(?:就用|使用|采用|改用|换成|换到|切换到|选择|我选|我要|喜欢|用|选|要)"
_ZNOUN = r"(?:版本|候选|选项|方案|变体|结果)"
_EN = [
    # "use variation 2", "variation #2", "pick take 3", "go with version two", "use #2"
    regex(
        rf"{WB}(?:{_VERB}\s+)?(?:the\s+)?{_PICK}\s*(?:number\s*|no\.?\s*|#\s*)?{_N}{WE}{_NOT_A_PICK}"
    ),
    regex(
        rf"{WB}{_VERB}\s+(?:the\s+)?(?:{_NOUN}\s*(?:no\.?\s*|#\s*)?|number\s*|#\s*){_N}{WE}{_NOT_A_PICK}"
    ),
    # "use the second one", "pick the 3rd take", "keep the last one", "the second variation"
    regex(
        rf"{WB}{_VERB}\s+(?:the\s+)?{_ORD}(?:\s+(?:one|{_NOUN}))?(?=\s*(?:$|[,.!;?]|please|thanks?))"
    ),
    regex(rf"{WB}{_VERB}\s+(?:the\s+)?{_ORD}\s+(?:one|{_NOUN}){WE}"),
    regex(
        rf"{WB}(?:the\s+)?{_ORD_NOT_LAST}\s+(?:variation|version|take|candidate|option|variant){WE}"
    ),
    regex(rf"^\s*(?:the\s+)?{_ORD_NOT_LAST}(?:\s+one)?(?:\s+(?:please|pls))?\s*[.!]*\s*$"),
]
_ZH = [
    regex(rf"{_ZVERB}?\s*第\s*{_ZN}\s*(?:个|首|号|条)?\s*(?:{_ZNOUN}|版)"),  # 用第二个版本, 第3版
    regex(rf"{_ZVERB}\s*第\s*{_ZN}\s*(?:个|首|号|条|版)?(?!段|部分|小节|句)"),  # 用第二个
    regex(rf"{_ZVERB}\s*(?:{_ZNOUN}|版)\s*{_ZN}\s*号?"),  # 用版本3
    regex(rf"{_ZVERB}\s*(?:最后(?:一|那)(?:个|首|版)|最后的?{_ZNOUN})"),  # 用最后一个
]


def detect_use(t: Text) -> int | None:
    """The take a message picks (1-based, ``LAST`` for the last one), masking the phrase;
    None when it picks none."""
    for pattern in _EN + _ZH:
        m = next(iter(t.scan(pattern)), None)
        if m is None:
            continue
        t.mask(m.start(), m.end())
        g = m.groupdict()
        if g.get("n"):
            return int(g["n"]) if g["n"].isdigit() else _NUMS[g["n"]]
        if g.get("o"):
            return _ORDS[g["o"]]
        if g.get("z"):
            return zh_int(g["z"]) or 0
        return LAST
    return None


def latest_takes(media: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mixes of the latest generation (variation 1 onwards), in order."""
    mixes = [m for m in media if isinstance(m, dict) and m.get("kind") == "mix"]
    starts = [i for i, m in enumerate(mixes) if m.get("variation") == 1]
    return mixes[starts[-1] :] if starts else mixes


def choose(
    media: list[dict[str, Any]], number: int | None, media_id: str | None, lang: str
) -> tuple[dict[str, Any] | None, str]:
    """(the entry to use, or None with the reason in words)."""
    if media_id is not None:
        found = [m for m in media if m.get("kind") == "mix" and m.get("media_id") == media_id]
        if found:
            return found[-1], ""
        return None, messages.say("agent.use.no_mix", lang, media_id=media_id)
    takes = latest_takes(media)
    if not takes:
        return None, messages.say("agent.use.no_takes", lang)
    if number == LAST:
        return takes[-1], ""
    if number is not None and 1 <= number <= len(takes):
        return takes[number - 1], ""
    count = len(takes)
    key = "agent.use.no_such_take.one" if count == 1 else "agent.use.no_such_take"
    return None, messages.say(key, lang, number=number, count=count)


def adopt(settings: MusicSettings, entry: dict[str, Any]) -> None:
    """Make the settings describe the take (its seed, tempo, key, length, lead, chords and
    groove…); the mix stays."""
    b = settings.brief
    if isinstance(entry.get("seed"), int):
        settings.seed = entry["seed"]
    if isinstance(entry.get("bpm"), (int, float)):
        b.bpm = float(entry["bpm"])
    if entry.get("key") in KEYS and entry.get("mode") in ("major", "minor"):
        b.key, b.mode = entry["key"], entry["mode"]
    if entry.get("genre") in GENRES:
        b.genre = entry["genre"]
    if entry.get("mood") in MOODS and entry["mood"] != b.mood:
        b.mood, b.moods = (
            entry["mood"],
            [entry["mood"], *(m for m in b.moods if m != entry["mood"])],
        )
    if isinstance(entry.get("duration_s"), (int, float)) and entry["duration_s"] > 0:
        b.duration_s = float(entry["duration_s"])
    # the variation's character (engine/music/variations.py), so later edits keep it; an
    # entry without these keys (another backend) leaves the brief's as they are
    if "progression" in entry and _is_index(entry["progression"]):
        b.progression = entry["progression"]
    if "groove" in entry and _is_index(entry["groove"]):
        b.groove = entry["groove"]
    if "lead" in entry and (entry["lead"] is None or entry["lead"] in INSTRUMENTS):
        b.lead = entry["lead"]


def _is_index(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


def used_reply(entry: dict[str, Any], lang: str, already: bool) -> str:
    """ "Using variation 2 (96 BPM, D minor)." — or that it is already on the timeline."""
    n, key, mode = entry.get("variation"), entry.get("key", "?"), entry.get("mode", "")
    bpm = round(entry["bpm"], 1) if isinstance(entry.get("bpm"), (int, float)) else 0
    what = messages.say("agent.use.take" if n else "agent.use.that_take", lang, n=n)
    tail = messages.say("agent.use.tail", lang, bpm=bpm, key=key_words(key, mode, lang))
    if already:  # at the start of the sentence (a no-op for Chinese)
        return messages.say("agent.use.already", lang, what=what[0].upper() + what[1:], tail=tail)
    return messages.say("agent.use.using", lang, what=what, tail=tail)
