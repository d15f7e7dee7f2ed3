"""Explicit parameters sent with a chat message (the app's chips and fields).

They win over what the text says, exactly like the CLI's options: for a new piece they go
to the brief parser as options; for an edit they become edits applied after the text's, so
"slower" with ``{"bpm": 100}`` ends at 100 BPM. The reply names what the user set, next to
the brief's "chosen for you".
"""

from __future__ import annotations

from typing import Any

from nemodesk.core import messages
from nemodesk.engine.agent.text import Edit
from nemodesk.engine.brief import Brief, BriefError, parse_brief, parse_key

BRIEF_KEYS = ("duration_s", "bpm", "key", "mood", "genre", "instruments", "arc", "loop")
HIT_KEYS = ("hit_off", "hit_on", "hit_move", "hit_boost_db")  # the timeline's cut markers
KEYS = (*BRIEF_KEYS, "seed", "variations", "loudness_lufs", "use_media_id", *HIT_KEYS, "history")
DEFAULT_LOUDNESS = -14.0
# the parameters the reply names by a word (agent.given.<name> in the catalog), in this order
_LABELED = ("genre", "mood", "bpm", "key", "duration_s", "instruments", "arc", "loop")


def clean(params: dict[str, Any] | None) -> dict[str, Any]:
    """The known parameters that carry a value (null means "not set": the engine chooses)."""
    if not isinstance(params, dict):
        return {}
    return {k: params[k] for k in KEYS if params.get(k) is not None}


def brief_options(params: dict[str, Any]) -> dict[str, Any]:
    """Keyword options for ``parse_brief``."""
    return {k: params[k] for k in BRIEF_KEYS if k in params}


def check(params: dict[str, Any]) -> None:
    """Raise BriefError for a value the brief parser refuses (unknown genre, key…)."""
    parse_brief("", **brief_options(clean(params)))


def as_edits(params: dict[str, Any], instruments_now: list[str]) -> list[Edit]:
    """The parameters as edits of the current music, in canonical names."""
    p = clean(params)
    options = brief_options(p)
    try:  # read only when there is something to read: no options, no parse
        b = parse_brief("", **options) if options else Brief()
    except BriefError:  # validated by the API already; never apply half of it
        return []
    edits: list[Edit] = []
    if "bpm" in p:
        edits.append(Edit("bpm", float(p["bpm"])))
    if "duration_s" in p:
        edits.append(Edit("duration", float(p["duration_s"])))
    if "genre" in p:
        edits.append(Edit("genre", b.genre))
    if "mood" in p:
        edits.append(Edit("mood", [b.mood]))
    if "key" in p:
        edits.append(Edit("key", parse_key(p["key"])))
    if "arc" in p:
        edits.append(Edit("arc", b.arc))
    if "loop" in p:
        edits.append(Edit("loop", bool(p["loop"])))
    if "instruments" in p:  # the list replaces the instruments asked for
        edits += [Edit("drop", i) for i in instruments_now if i not in b.instruments]
        edits += [Edit("add", i) for i in b.instruments]
    if p.get("variations", 1) > 1:
        edits.append(Edit("variations", int(p["variations"])))
    if "seed" in p:
        edits.append(Edit("seed", int(p["seed"])))
    if "loudness_lufs" in p:
        edits.append(Edit("loudness", round(float(p["loudness_lufs"]), 1)))
    for key, kind in (("hit_off", "hit_off"), ("hit_on", "hit_on"), ("hit_move", "hit_move")):
        if key in p:
            edits.append(Edit(kind, p[key]))
    if "hit_boost_db" in p:
        edits.append(Edit("hit_boost", float(p["hit_boost_db"])))
    return edits


def given_words(params: dict[str, Any], lang: str) -> str:
    """ "Set by you: genre, tempo, seed 42." — the parameters the user gave, for the reply."""
    p = clean(params)
    names = [messages.say(f"agent.given.{k}", lang) for k in _LABELED if k in p]
    if "seed" in p:
        names.append(messages.say("agent.done.seed", lang, seed=p["seed"]))
    if "variations" in p:
        n = p["variations"]
        key = "agent.given.variation" if n == 1 else "agent.given.variations"
        names.append(messages.say(key, lang, n=n))
    if "loudness_lufs" in p:
        names.append(messages.say("agent.loudness", lang, lufs=float(p["loudness_lufs"])))
    if not names:
        return ""
    return messages.say("agent.given", lang, names=messages.say("agent.list_sep", lang).join(names))
