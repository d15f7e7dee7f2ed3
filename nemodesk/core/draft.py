"""The draft: NemoVideo's timeline document.

The wire uses short field names — ``t`` tracks, ``tt`` track type, ``sg`` segments, ``d``
duration (ms), ``m`` metadata; the classes here speak domain names (``tracks``, ``kind``,
``segments``, ``duration_ms``, ``meta``) and map them to those keys in one place (the
constants below).
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

# The wire's short keys, spelled here and nowhere else: the classes below speak domain
# names (Draft.tracks, Track.kind, Track.segments, Segment.duration_ms, .meta/.edit_meta())
# and map them to these keys of the dict they wrap.
TRACKS = "t"  # Draft.tracks
KIND = "tt"  # Track.kind, the track type
SEGMENTS = "sg"  # Track.segments
DURATION = "d"  # Segment.duration_ms
META = "m"  # .meta (read) and .edit_meta() (edit) of a Draft, Track or Segment


def _meta_view(raw: dict[str, Any]) -> dict[str, Any]:
    meta = raw.get(META)
    return meta if isinstance(meta, dict) else {}


def _meta_for_edit(raw: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(raw.get(META), dict):
        raw[META] = {}
    return raw[META]


class Segment:
    """A piece of a track: ``duration_ms`` is the wire's ``d``, ``meta`` / ``edit_meta()``
    its ``m``. Its place on the timeline is ``meta["start"]`` (ms) when given, else it
    follows the previous segment of its track."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    @classmethod
    def new(cls, duration_ms: int, /, **meta: Any) -> Segment:
        return cls({DURATION: int(duration_ms), META: dict(meta)})

    @property
    def duration_ms(self) -> int:
        """The length in ms (wire ``d``); 0 when missing."""
        return int(self.raw.get(DURATION, 0) or 0)

    @duration_ms.setter
    def duration_ms(self, value: int) -> None:
        self.raw[DURATION] = int(value)

    @property
    def meta(self) -> dict[str, Any]:
        """The metadata (wire ``m``); a detached empty dict when there is none (reading never
        adds fields). Use ``edit_meta()`` to edit."""
        return _meta_view(self.raw)

    def edit_meta(self) -> dict[str, Any]:
        """The metadata dict (wire ``m``) for editing, created when missing."""
        return _meta_for_edit(self.raw)


class Track:
    """A lane of the timeline: ``kind`` is the wire's ``tt`` (a TrackType value, or a type we
    do not know), ``segments`` its ``sg``, ``meta`` / ``edit_meta()`` its ``m``."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    @classmethod
    def new(cls, kind: int, /, segments: list[Segment] | None = None, **meta: Any) -> Track:
        raw: dict[str, Any] = {KIND: int(kind), SEGMENTS: [s.raw for s in segments or []]}
        if meta:
            raw[META] = dict(meta)
        return cls(raw)

    @property
    def kind(self) -> int:
        """The track type (wire ``tt``); -1 when missing or not a number (a malformed track
        is no type)."""
        try:
            return int(self.raw.get(KIND, -1))
        except (TypeError, ValueError, OverflowError):
            return -1

    @property
    def segments(self) -> list[Segment]:
        """The segments (wire ``sg``); none when it is not a list."""
        sg = self.raw.get(SEGMENTS)
        return [Segment(s) for s in sg] if isinstance(sg, list) else []

    def raw_segments(self) -> list[Any]:
        """The wire's segment items as they are, malformed ones included (for readers that
        skip what they cannot use); empty when ``sg`` is not a list."""
        sg = self.raw.get(SEGMENTS)
        return sg if isinstance(sg, list) else []

    def add_segment(self, segment: Segment) -> Segment:
        """Add a segment at the end (the segment list is created when missing)."""
        self.raw.setdefault(SEGMENTS, []).append(segment.raw)
        return segment

    def set_segments(self, segments: list[Segment]) -> None:
        """Replace every segment of the track."""
        self.raw[SEGMENTS] = [s.raw for s in segments]

    def with_meta(self, **changes: Any) -> Track:
        """A shallow copy whose metadata is this track's with ``changes`` over it (this track
        is left as it is)."""
        return Track({**self.raw, META: {**self.meta, **changes}})

    @property
    def meta(self) -> dict[str, Any]:
        """The metadata (wire ``m``); a detached empty dict when there is none (reading never
        adds fields). Use ``edit_meta()`` to edit."""
        return _meta_view(self.raw)

    def edit_meta(self) -> dict[str, Any]:
        """The metadata dict (wire ``m``) for editing, created when missing."""
        return _meta_for_edit(self.raw)

    def spans(self) -> list[tuple[int, int]]:
        """(start, end) in ms of each segment on the timeline."""
        out, cursor = [], 0
        for seg in self.segments:
            start = seg.meta.get("start")
            start = int(start) if isinstance(start, int | float) else cursor
            out.append((start, start + seg.duration_ms))
            cursor = start + seg.duration_ms
        return out

    def span(self) -> tuple[int, int]:
        s = self.spans()
        return (min(a for a, _ in s), max(b for _, b in s)) if s else (0, 0)


class Draft:
    """The whole document: ``tracks`` is the wire's ``t``, ``meta`` / ``edit_meta()`` its
    ``m``; every other field is kept as it came."""

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        self.raw: dict[str, Any] = raw if raw is not None else {TRACKS: []}
        if not isinstance(self.raw.get(TRACKS), list):
            self.raw[TRACKS] = []

    @classmethod
    def decode(cls, data: str | bytes | dict[str, Any] | None) -> Draft:
        if data is None:
            return cls()
        obj = json.loads(data) if isinstance(data, str | bytes) else data
        check_depth(obj)
        if obj is data:
            obj = copy.deepcopy(data)
        return cls(obj if isinstance(obj, dict) else {TRACKS: []})

    def encode(self) -> dict[str, Any]:
        return copy.deepcopy(self.raw)

    def dumps(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False, separators=(",", ":"))

    @property
    def tracks(self) -> list[Track]:
        return [Track(t) for t in self.raw[TRACKS] if isinstance(t, dict)]

    @property
    def meta(self) -> dict[str, Any]:
        """The metadata (wire ``m``); a detached empty dict when there is none (reading never
        adds fields). Use ``edit_meta()`` to edit."""
        return _meta_view(self.raw)

    def edit_meta(self) -> dict[str, Any]:
        """The metadata dict (wire ``m``) for editing, created when missing."""
        return _meta_for_edit(self.raw)

    def tracks_of(self, kind: int) -> list[Track]:
        return [t for t in self.tracks if t.kind == kind]

    def first(self, kind: int) -> Track | None:
        found = self.tracks_of(kind)
        return found[0] if found else None

    def add(self, track: Track) -> Track:
        self.raw[TRACKS].append(track.raw)
        return track

    def remove(self, kind: int) -> None:
        self.raw[TRACKS] = [
            t for t in self.raw[TRACKS] if not (isinstance(t, dict) and t.get(KIND) == kind)
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
    first = track.segments[0].meta if track.segments else {}
    meta = {**track.meta, **first}
    if track.kind == TrackType.VIDEO:
        return f"Video: {meta.get('name') or meta.get('title') or 'clip'} ({when})"
    if track.kind == TrackType.AUDIO:
        volume = meta.get("volume", 100)
        label = meta.get("name") or meta.get("genre") or "Music"
        return f"BGM: {label} ({when}, {volume:g}%)"
    if track.kind == TrackType.TEXT:
        return f'Title: "{meta.get("text") or meta.get("title") or ""}" ({when})'
    return f"Track type {track.kind}: {len(track.segments)} segment(s) ({when})"


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
    kinds = sorted({t.kind for t in before.tracks} | {t.kind for t in after.tracks})
    for kind in kinds:
        old, new = before.tracks_of(kind), after.tracks_of(kind)
        label = TRACK_LABEL[TrackType(kind)] if kind in (0, 1, 7) else f"type-{kind}"
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
            am = {**a.meta, **(a.segments[0].meta if a.segments else {})}
            bm = {**b.meta, **(b.segments[0].meta if b.segments else {})}
            if kind == TrackType.AUDIO and am.get("volume") != bm.get("volume"):
                found.append(f"music volume {am.get('volume', 100)}% → {bm.get('volume', 100)}%")
            if kind == TrackType.TEXT and am.get("text") != bm.get("text"):
                found.append(f'title now "{bm.get("text", "")}"')
            if a.span() != b.span():
                found.append(f"{label} now {_secs(b.span()[0])}-{_secs(b.span()[1])}s")
            if am.get("src") != bm.get("src") and kind == TrackType.AUDIO:
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
