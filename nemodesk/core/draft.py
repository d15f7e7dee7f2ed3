"""The draft: NemoVideo's timeline document, with its short field names.

``t`` tracks, ``tt`` track type, ``sg`` segments, ``d`` duration (ms), ``m`` metadata.
The cloud may send fields and track types we do not know; they must survive a round trip
untouched. So each object here is a thin typed view over the very dict it was decoded from:
reading and editing go through properties, encoding returns the dict — key order and all.
"""

from __future__ import annotations

import copy
import json
from enum import IntEnum
from typing import Any

MAX_DEPTH = 32  # a real draft nests about 6 deep; far deeper is an attack or a bug


class DraftError(ValueError):
    """A draft that cannot be read, in one sentence (the API answers 400 with it)."""


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Raise DraftError when lists and objects nest deeper than ``limit``. Iterative, so a
    500-deep draft is refused here instead of overflowing the stack in deepcopy/encode."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise DraftError(f"The draft is nested too deeply (more than {limit} levels).")
        stack.extend((child, depth + 1) for child in children)


class TrackType(IntEnum):
    VIDEO = 0
    AUDIO = 1
    TEXT = 7


TRACK_LABEL = {TrackType.VIDEO: "Video", TrackType.AUDIO: "BGM", TrackType.TEXT: "Title"}


class Segment:
    """A piece of a track. Its place on the timeline is ``m.start`` (ms) when given, else it
    follows the previous segment of its track."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    @classmethod
    def new(cls, d_ms: int, **meta: Any) -> Segment:
        return cls({"d": int(d_ms), "m": dict(meta)})

    @property
    def d(self) -> int:
        return int(self.raw.get("d", 0) or 0)

    @d.setter
    def d(self, value: int) -> None:
        self.raw["d"] = int(value)

    @property
    def m(self) -> dict[str, Any]:
        """The metadata; a detached empty dict when there is none (reading never adds
        fields). Use ``meta()`` to edit."""
        meta = self.raw.get("m")
        return meta if isinstance(meta, dict) else {}

    def meta(self) -> dict[str, Any]:
        """The metadata dict for editing, created when missing."""
        if not isinstance(self.raw.get("m"), dict):
            self.raw["m"] = {}
        return self.raw["m"]


class Track:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    @classmethod
    def new(cls, tt: int, segments: list[Segment] | None = None, **meta: Any) -> Track:
        raw: dict[str, Any] = {"tt": int(tt), "sg": [s.raw for s in segments or []]}
        if meta:
            raw["m"] = dict(meta)
        return cls(raw)

    @property
    def tt(self) -> int:
        """The track type; -1 when missing or not a number (a malformed track is no type)."""
        try:
            return int(self.raw.get("tt", -1))
        except (TypeError, ValueError, OverflowError):
            return -1

    @property
    def segments(self) -> list[Segment]:
        sg = self.raw.get("sg")
        return [Segment(s) for s in sg] if isinstance(sg, list) else []

    @property
    def m(self) -> dict[str, Any]:
        """The metadata; a detached empty dict when there is none (reading never adds
        fields). Use ``meta()`` to edit."""
        meta = self.raw.get("m")
        return meta if isinstance(meta, dict) else {}

    def meta(self) -> dict[str, Any]:
        """The metadata dict for editing, created when missing."""
        if not isinstance(self.raw.get("m"), dict):
            self.raw["m"] = {}
        return self.raw["m"]

    def spans(self) -> list[tuple[int, int]]:
        """(start, end) in ms of each segment on the timeline."""
        out, cursor = [], 0
        for seg in self.segments:
            start = seg.m.get("start")
            start = int(start) if isinstance(start, int | float) else cursor
            out.append((start, start + seg.d))
            cursor = start + seg.d
        return out

    def span(self) -> tuple[int, int]:
        s = self.spans()
        return (min(a for a, _ in s), max(b for _, b in s)) if s else (0, 0)


class Draft:
    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        self.raw: dict[str, Any] = raw if raw is not None else {"t": []}
        if not isinstance(self.raw.get("t"), list):
            self.raw["t"] = []

    @classmethod
    def decode(cls, data: str | bytes | dict[str, Any] | None) -> Draft:
        if data is None:
            return cls()
        obj = json.loads(data) if isinstance(data, str | bytes) else data
        check_depth(obj)
        if obj is data:
            obj = copy.deepcopy(data)
        return cls(obj if isinstance(obj, dict) else {"t": []})

    def encode(self) -> dict[str, Any]:
        return copy.deepcopy(self.raw)

    def dumps(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False, separators=(",", ":"))

    @property
    def tracks(self) -> list[Track]:
        return [Track(t) for t in self.raw["t"] if isinstance(t, dict)]

    @property
    def m(self) -> dict[str, Any]:
        """The metadata; a detached empty dict when there is none (reading never adds
        fields). Use ``meta()`` to edit."""
        meta = self.raw.get("m")
        return meta if isinstance(meta, dict) else {}

    def meta(self) -> dict[str, Any]:
        """The metadata dict for editing, created when missing."""
        if not isinstance(self.raw.get("m"), dict):
            self.raw["m"] = {}
        return self.raw["m"]

    def tracks_of(self, tt: int) -> list[Track]:
        return [t for t in self.tracks if t.tt == tt]

    def first(self, tt: int) -> Track | None:
        found = self.tracks_of(tt)
        return found[0] if found else None

    def add(self, track: Track) -> Track:
        self.raw["t"].append(track.raw)
        return track

    def remove(self, tt: int) -> None:
        self.raw["t"] = [
            t for t in self.raw["t"] if not (isinstance(t, dict) and t.get("tt") == tt)
        ]

    def duration_ms(self) -> int:
        return max((t.span()[1] for t in self.tracks), default=0)

    @property
    def exportable(self) -> bool:
        """The spec's rule: at least one track with a non-empty segment list."""
        return any(t.segments for t in self.tracks)


def _secs(ms: int) -> str:
    s = ms / 1000
    return f"{s:.0f}" if abs(s - round(s)) < 0.05 else f"{s:.1f}"


def describe_track(track: Track) -> str:
    start, end = track.span()
    when = f"{_secs(start)}-{_secs(end)}s"
    first = track.segments[0].m if track.segments else {}
    meta = {**track.m, **first}
    if track.tt == TrackType.VIDEO:
        return f"Video: {meta.get('name') or meta.get('title') or 'clip'} ({when})"
    if track.tt == TrackType.AUDIO:
        volume = meta.get("volume", 100)
        label = meta.get("name") or meta.get("genre") or "Music"
        return f"BGM: {label} ({when}, {volume:g}%)"
    if track.tt == TrackType.TEXT:
        return f'Title: "{meta.get("text") or meta.get("title") or ""}" ({when})'
    return f"Track type {track.tt}: {len(track.segments)} segment(s) ({when})"


def summary(draft: Draft) -> str:
    """The track summary exactly as the spec shows it to users."""
    tracks = draft.tracks
    noun = "track" if len(tracks) == 1 else "tracks"
    items = " ".join(f"{i}. {describe_track(t)}" for i, t in enumerate(tracks, 1))
    return f"Timeline ({len(tracks)} {noun}):" + (f" {items}" if items else " empty")


def diff_words(before: Draft, after: Draft) -> str:
    """What changed between two drafts, in a sentence users can read (used when an edit
    completes without a word from the backend)."""
    changes: list[str] = []
    types = sorted({t.tt for t in before.tracks} | {t.tt for t in after.tracks})
    for tt in types:
        old, new = before.tracks_of(tt), after.tracks_of(tt)
        label = TRACK_LABEL[TrackType(tt)] if tt in (0, 1, 7) else f"type-{tt}"
        if not old and new:
            changes += [f"added {describe_track(t)}" for t in new]
            continue
        if old and not new:
            changes.append(f"removed the {label} track")
            continue
        for a, b in zip(old, new, strict=False):
            if a.raw == b.raw:
                continue
            found: list[str] = []
            am = {**a.m, **(a.segments[0].m if a.segments else {})}
            bm = {**b.m, **(b.segments[0].m if b.segments else {})}
            if tt == TrackType.AUDIO and am.get("volume") != bm.get("volume"):
                found.append(f"music volume {am.get('volume', 100)}% → {bm.get('volume', 100)}%")
            if tt == TrackType.TEXT and am.get("text") != bm.get("text"):
                found.append(f'title now "{bm.get("text", "")}"')
            if a.span() != b.span():
                found.append(f"{label} now {_secs(b.span()[0])}-{_secs(b.span()[1])}s")
            if am.get("src") != bm.get("src") and tt == TrackType.AUDIO:
                found.append(f"new music: {describe_track(b).removeprefix('BGM: ')}")
            if (am.get("fade_in"), am.get("fade_out")) != (bm.get("fade_in"), bm.get("fade_out")):
                found.append(
                    f"{label} fades {bm.get('fade_in', 0) / 1000:g} s in, "
                    f"{bm.get('fade_out', 0) / 1000:g} s out"
                )
            changes += found or [f"{label} track edited"]
        if len(new) > len(old):
            changes += [f"added {describe_track(t)}" for t in new[len(old) :]]
        elif len(old) > len(new):
            changes.append(f"removed {len(old) - len(new)} {label} track(s)")
    if not changes:
        return "No visible change to the timeline."
    text = "; ".join(changes)
    return text[0].upper() + text[1:] + "."
