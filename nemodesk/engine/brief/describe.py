"""One sentence telling the user what a Brief will make and what was picked for them."""

from __future__ import annotations

from nemodesk.engine.brief.model import Brief

_GENRE_LABELS = {
    "lofi": "lo-fi",
    "piano": "solo piano",
    "hiphop": "hip-hop",
    "epic": "epic orchestral",
    "rnb": "R&B",
    "kids": "kids'",
    "guofeng": "Chinese traditional (guofeng)",
}
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
