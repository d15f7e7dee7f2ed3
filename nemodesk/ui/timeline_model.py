"""What the timeline draws, computed once per draft: one lane per track with its segments'
spans sorted for binary search, plus the time <-> pixel scale and the ruler's tick steps.

Kept free of painting so the widget can answer "what is under x?" and "what is visible?"
without walking thousands of segments on every repaint. Nothing here writes to the draft.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication

from nemodesk.core.draft import Draft, Track, TrackType
from nemodesk.ui.preset_labels import genre_labels

KIND_BY_TT = {TrackType.VIDEO: "video", TrackType.AUDIO: "audio", TrackType.TEXT: "text"}
# Ruler steps (ms): the smallest whose labels sit at least MIN_LABEL_PX apart is used.
TICK_STEPS_MS = (
    *(100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000),
    *(60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000),
)
MIN_LABEL_PX = 72
MIN_TICK_PX = 8


def _num(value: Any, default: float) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default
    )


def volume_of(meta: dict[str, Any]) -> float:
    """The volume in percent, read like core.draft.describe_track (default 100)."""
    return _num(meta.get("volume"), 100.0)


def fades_of(meta: dict[str, Any]) -> tuple[float, float]:
    """(fade_in, fade_out) in ms; absent or malformed values mean no fade."""
    return max(0.0, _num(meta.get("fade_in"), 0.0)), max(0.0, _num(meta.get("fade_out"), 0.0))


def segment_label(kind: str, meta: dict[str, Any]) -> str:
    """The words written on a segment block (and sent with segmentSelected)."""
    if kind == "video":
        src = meta.get("src")
        name = os.path.basename(src) if isinstance(src, str) else ""
        return str(
            meta.get("name")
            or meta.get("title")
            or name
            or QCoreApplication.translate("TimelineView", "Clip")
        )
    if kind == "audio":
        genre = meta.get("genre")  # the local engine's id: named in the UI language
        if isinstance(genre, str) and genre in (labels := genre_labels()):
            return labels[genre]
        return str(
            meta.get("name")
            or meta.get("genre")
            or QCoreApplication.translate("TimelineView", "Music")
        )
    if kind == "text":
        return str(meta.get("text") or meta.get("title") or "")
    return str(meta.get("name") or meta.get("title") or meta.get("text") or "")


def format_time(ms: float, step_ms: float = 1_000) -> str:
    """mm:ss (h:mm:ss past an hour), with tenths when the ruler step is under a second."""
    ms = max(0.0, ms)
    total_s = int(ms // 1000)
    h, m, s = total_s // 3600, total_s // 60 % 60, total_s % 60
    text = f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
    if step_ms < 1_000:
        text += f".{int(ms % 1000) // 100}"
    return text


def tick_steps(px_per_s: float) -> tuple[int, int]:
    """(label step, minor tick step) in ms for the given zoom."""
    major = next((s for s in TICK_STEPS_MS if s * px_per_s / 1000 >= MIN_LABEL_PX), None)
    if major is None:
        major = TICK_STEPS_MS[-1] * max(1, int(MIN_LABEL_PX * 1000 / px_per_s / 3_600_000) + 1)
    minor = major
    for div in (2, 3, 4, 5, 10):
        if major % div == 0 and major / div * px_per_s / 1000 >= MIN_TICK_PX:
            minor = major // div
    return major, minor


@dataclass
class Lane:
    """One track as the timeline shows it. Arrays are in start order; ``order`` maps back to
    the segment's index in its track, ``reach`` is the running maximum of the ends so
    overlapping segments are still found by binary search."""

    index: int
    tt: int
    kind: str
    title: str
    detail: str
    meta: dict[str, Any]
    starts: np.ndarray
    ends: np.ndarray
    order: np.ndarray
    reach: np.ndarray
    seg_meta: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def visible(self, t0_ms: float, t1_ms: float) -> tuple[int, int]:
        """Sorted positions [lo, hi) of the segments that may intersect [t0, t1)."""
        hi = int(np.searchsorted(self.starts, t1_ms, side="left"))
        lo = int(np.searchsorted(self.reach, t0_ms, side="right"))
        return min(lo, hi), hi

    @property
    def start_ms(self) -> int:
        return int(self.starts[0]) if len(self.starts) else 0

    @property
    def end_ms(self) -> int:
        return int(self.reach[-1]) if len(self.reach) else 0

    def details(self, pos: int) -> dict[str, Any]:
        """What segmentSelected carries: a copy, so listeners cannot edit the draft."""
        return {
            "track_index": self.index,
            "segment_index": int(self.order[pos]),
            "track_type": self.tt,
            "kind": self.kind,
            "label": self.labels[pos],
            "start_ms": int(self.starts[pos]),
            "end_ms": int(self.ends[pos]),
            "metadata": copy.deepcopy(self.seg_meta[pos]),
        }

    def summary(self, pos: int) -> str:
        """The tooltip of a segment: what it is, when, and its mix settings."""
        start, end = int(self.starts[pos]), int(self.ends[pos])
        label = self.labels[pos]
        head = f"{self.title}: {label}" if label else self.title
        when = QCoreApplication.translate("TimelineView", "{0} – {1} ({2} s)").format(
            format_time(start, 100), format_time(end, 100), f"{(end - start) / 1000:g}"
        )
        lines = [head, when]
        if self.kind == "audio":
            meta = self.seg_meta[pos]
            fade_in, fade_out = fades_of(meta)
            lines.append(
                QCoreApplication.translate("TimelineView", "Volume {0}%").format(
                    f"{volume_of(meta):g}"
                )
            )
            if fade_in or fade_out:
                lines.append(
                    QCoreApplication.translate(
                        "TimelineView", "Fade in {0} s, fade out {1} s"
                    ).format(f"{fade_in / 1000:g}", f"{fade_out / 1000:g}")
                )
        return "\n".join(lines)


def _lane(index: int, track: Track) -> Lane:
    tt = track.kind
    kind = KIND_BY_TT.get(tt, "generic")  # type: ignore[call-overload]
    segments = track.segments
    spans = track.spans()
    metas = [{**track.meta, **seg.meta} for seg in segments]
    n = len(spans)
    starts = np.fromiter((a for a, _ in spans), dtype=np.int64, count=n)
    ends = np.fromiter((max(a, b) for a, b in spans), dtype=np.int64, count=n)
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends) if n else ends
    seg_meta = [metas[i] for i in order]
    head = {**track.meta, **(segments[0].meta if segments else {})}
    if kind == "video":
        title, detail = (
            QCoreApplication.translate("TimelineView", "Video"),
            segment_label(kind, head) if segments else "",
        )
    elif kind == "audio":
        title, detail = (
            QCoreApplication.translate("TimelineView", "BGM"),
            QCoreApplication.translate("TimelineView", "Volume {0}%").format(
                f"{volume_of(head):g}"
            ),
        )
    elif kind == "text":
        title, detail = (
            QCoreApplication.translate("TimelineView", "Title"),
            segment_label(kind, head),
        )
    else:
        title, detail = (
            QCoreApplication.translate("TimelineView", "Track type {0}").format(tt),
            QCoreApplication.translate("TimelineView", "%n segment(s)", None, n),
        )
    return Lane(
        index=index,
        tt=tt,
        kind=kind,
        title=title,
        detail=detail,
        meta=head,
        starts=starts,
        ends=ends,
        order=order,
        reach=reach,
        seg_meta=seg_meta,
        labels=[segment_label(kind, m) for m in seg_meta],
    )


def build_lanes(draft: Draft) -> list[Lane]:
    """One lane per track, in the draft's order, unknown track types included."""
    return [_lane(i, track) for i, track in enumerate(draft.tracks)]


@dataclass
class TimeScale:
    """Maps timeline ms to widget x: ``left`` is where time 0 sits when not scrolled."""

    left: float
    px_per_s: float
    scroll_px: float = 0.0

    def x(self, ms: float) -> float:
        return self.left + ms * self.px_per_s / 1000 - self.scroll_px

    def ms(self, x: float) -> float:
        return (x - self.left + self.scroll_px) * 1000 / self.px_per_s
