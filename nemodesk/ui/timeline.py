"""The timeline panel's view: the decoded draft's tracks over a time ruler, with zoom,
scrolling, scene-cut and music-hit markers and a playhead tied to the player.

It only reads the draft (selection and seeking are reported by signal; editing is the
conversation's job), and it stays fast on big drafts: spans are sorted once per draft and
each repaint only touches what is exposed (see timeline_paint).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPalette, QRegion, QResizeEvent
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QWidget

from nemodesk.core.draft import Draft, Segment, Track, TrackType, summary
from nemodesk.core.ducking import Breakpoints, SoundMode, music_gain, sound_mode, speech_on_timeline
from nemodesk.ui.timeline_input import TimelineInput
from nemodesk.ui.timeline_media import ThumbnailStrip, WaveformStrip
from nemodesk.ui.timeline_model import Lane, TimeScale, build_lanes
from nemodesk.ui.timeline_paint import Scene, paint_timeline

HEADER_W_PX = 116
RULER_H_PX = 28
MIN_LANE_H_PX = 26
MAX_LANE_H_PX = 200  # a short draft grows into the room (no dead space under it)
END_PAD_PX = 44  # room after the end for the last ruler label ("00:10")
MIN_DURATION_MS = 10_000  # an empty timeline still shows ten seconds of ruler
MAX_PX_PER_S = 2_000.0
ZOOM_STEP = 1.5
HIT_TOLERANCE_PX = 2.0


class TimelineView(TimelineInput, QWidget):
    """Draws a Draft; emits what the user points at. Coordinates: lane headers on the left
    (``content_left()`` px wide), the ruler on top, a horizontal scrollbar at the bottom."""

    segmentSelected = Signal(dict)
    seekRequested = Signal(int)
    zoomChanged = Signal(float)
    # what the user asks of the accent on a cut: ("off" | "on" | "move" | "boost", cut s, value)
    # where value is the new time for "move" and the dB step for "boost"
    hitEditRequested = Signal(str, float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._draft = Draft()
        self._lanes: list[Lane] = []
        self._draft_ms = 0
        self._px_per_s = 50.0
        self._auto_fit = True
        self._playhead_ms = 0.0
        self._cuts = np.empty(0, dtype=np.float64)
        self._hits = np.empty(0, dtype=np.float64)
        self._waveform: WaveformStrip | None = None
        self._waveform_track: int | None = None
        self._thumbs: dict[int | None, ThumbnailStrip] = {}
        self._selected: tuple[int, int] | None = None
        self._speech: list[tuple[int, int]] = []
        self._gain: Breakpoints = []
        self._scrollbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self._scrollbar.setAccessibleName(self.tr("Timeline position"))
        self._scrollbar.valueChanged.connect(self.update)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(self.tr("Timeline"))
        self.setAccessibleDescription(self.tr("Empty timeline"))
        self._layout_scrollbar()

    # -- content ----------------------------------------------------------------------------

    def set_draft(self, draft: Draft) -> None:
        """Show ``draft``; it is only read, never changed. A selection that still exists
        survives (drafts come back after every edit)."""
        self._draft = draft
        self._lanes = build_lanes(draft)
        self._draft_ms = max((lane.end_ms for lane in self._lanes), default=0)
        self._speech = heard_speech(draft)
        self._gain = music_gain(draft)
        if self._selected is not None:
            li, pos = self._selected
            if li >= len(self._lanes) or pos >= len(self._lanes[li].starts):
                self._selected = None
        self.setAccessibleDescription(summary(draft))
        self._relayout()

    def draft(self) -> Draft:
        return self._draft

    def speech_ms(self) -> list[tuple[int, int]]:
        """The speech band's spans (timeline ms)."""
        return list(self._speech)

    def music_gain(self) -> Breakpoints:
        """The dip line's breakpoints (timeline ms, dB): core.ducking's curve."""
        return list(self._gain)

    def set_video_thumbnails(
        self, images: Sequence[QImage], duration_ms: float, track_index: int | None = None
    ) -> None:
        """Frames spread evenly over the video's ``duration_ms``; drawn in the given video
        track, or the first one."""
        strip = ThumbnailStrip(images, duration_ms)
        strip.set_cuts(self._cuts)  # each shot starts its own tile, on its cut
        self._thumbs[track_index] = strip
        self._relayout()

    def set_waveform(
        self,
        peaks: Sequence[float] | np.ndarray,
        duration_ms: float,
        track_index: int | None = None,
    ) -> None:
        """Peaks in 0..1 spread over the music's ``duration_ms``; drawn in the given audio
        track, or the first one (the BGM)."""
        self._waveform = WaveformStrip(peaks, duration_ms)
        self._waveform_track = track_index
        self._relayout()

    def show_music_coming(self, duration_ms: int, title: str = "") -> None:
        """A track being made (its head plays): the BGM lane at the track's known length, a
        lane of its own when the draft has none yet, until the draft that holds it comes
        (``set_draft``). The waveform (``set_waveform``) fills in as the audio does."""
        draft = Draft.decode(self._draft.encode())
        bgm = draft.first(TrackType.AUDIO)
        if bgm is None:
            draft.add(Track.new(TrackType.AUDIO, [Segment.new(duration_ms, title=title)]))
        elif bgm.segments:
            bgm.segments[0].duration_ms = int(duration_ms)
        else:
            bgm.add_segment(Segment.new(duration_ms, title=title))
        self.set_draft(draft)

    def set_cuts(self, cuts_s: Sequence[float]) -> None:
        self._cuts = np.sort(np.asarray(cuts_s, dtype=np.float64).ravel() * 1000)
        for strip in self._thumbs.values():
            strip.set_cuts(self._cuts)
        self.update()

    def set_hits(self, hits_s: Sequence[float]) -> None:
        self._hits = np.sort(np.asarray(hits_s, dtype=np.float64).ravel() * 1000)
        self.update()

    def cut_near(self, x: float, tolerance_px: float = 6.0) -> float | None:
        """The cut (ms) whose marker is under x, if any."""
        if not self._cuts.size:
            return None
        xs = np.array([self.x_for_ms(c) for c in self._cuts])
        i = int(np.argmin(np.abs(xs - x)))
        return float(self._cuts[i]) if abs(xs[i] - x) <= tolerance_px else None

    def hit_on_cut(self, cut_ms: float, tolerance_ms: float = 120.0) -> bool:
        """Whether the music has an accent at (or right next to) this cut."""
        return bool(self._hits.size) and float(np.min(np.abs(self._hits - cut_ms))) <= tolerance_ms

    def set_playhead(self, ms: float, follow: bool = False) -> None:
        """Move the playhead; with ``follow`` (while playing) the view pages along when the
        playhead leaves it."""
        old_x = round(self.x_for_ms(self._playhead_ms))
        self._playhead_ms = max(0.0, float(ms))
        x = self.x_for_ms(self._playhead_ms)
        if follow and not HEADER_W_PX <= x <= self.width() - 8:
            page = round(self._playhead_ms * self._px_per_s / 1000 - self._view_w() * 0.1)
            self._scrollbar.setValue(page)
            self.update()
            return
        bottom = self._lanes_bottom()
        dirty = QRegion(QRect(old_x - 8, 0, 16, bottom)) + QRegion(
            QRect(round(x) - 8, 0, 16, bottom)
        )
        self.update(dirty + QRegion(QRect(0, 0, HEADER_W_PX, RULER_H_PX)))

    def playhead(self) -> int:
        return round(self._playhead_ms)

    def duration_ms(self) -> float:
        """The time the ruler covers: the draft, or the media shown in it if longer."""
        longest = float(self._draft_ms)
        if self._waveform is not None:
            longest = max(longest, self._waveform.duration_ms)
        for strip in self._thumbs.values():
            longest = max(longest, strip.duration_ms)
        return longest if longest > 0 else float(MIN_DURATION_MS)

    # -- zoom and scroll ------------------------------------------------------------------------

    def px_per_s(self) -> float:
        return self._px_per_s

    def fit_px_per_s(self) -> float:
        return max(1e-3, (self._view_w() - END_PAD_PX) / (self.duration_ms() / 1000))

    def set_zoom(self, px_per_s: float, anchor_x: float | None = None) -> None:
        """Zoom keeping the time under ``anchor_x`` (widget x) in place; by default the
        playhead when visible, else the middle of the view."""
        if anchor_x is None:
            anchor_x = self.x_for_ms(self._playhead_ms)
            if not HEADER_W_PX <= anchor_x <= self.width():
                anchor_x = HEADER_W_PX + self._view_w() / 2
        fit = self.fit_px_per_s()
        new = min(MAX_PX_PER_S, max(min(fit, MAX_PX_PER_S), float(px_per_s)))
        anchor_ms = self.ms_at(anchor_x)
        self._px_per_s = new
        self._auto_fit = new <= fit * 1.0001
        self._update_scroll_range()
        self._scrollbar.setValue(round(anchor_ms * new / 1000 - (anchor_x - HEADER_W_PX)))
        self.update()
        self.zoomChanged.emit(new)

    def zoom_in(self) -> None:
        self.set_zoom(self._px_per_s * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._px_per_s / ZOOM_STEP)

    def fit(self) -> None:
        """Show the whole timeline; it then stays fitted through resizes and new drafts
        until the user zooms."""
        self._px_per_s = self.fit_px_per_s()
        self._auto_fit = True
        self._update_scroll_range()
        self._scrollbar.setValue(0)
        self.update()
        self.zoomChanged.emit(self._px_per_s)

    def scroll_px(self) -> int:
        return self._scrollbar.value()

    def set_scroll_px(self, value: int) -> None:
        self._scrollbar.setValue(value)

    # -- geometry (public for tests and for the panel around it) --------------------------------

    def content_left(self) -> int:
        return HEADER_W_PX

    def ruler_rect(self) -> QRect:
        return QRect(0, 0, self.width(), RULER_H_PX)

    def x_for_ms(self, ms: float) -> float:
        return self._scale().x(ms)

    def ms_at(self, x: float) -> float:
        return self._scale().ms(x)

    def lane_rects(self) -> list[QRect]:
        """One rect per track (full width, header included), top to bottom."""
        if not self._lanes:
            return []
        avail = self.height() - RULER_H_PX - self._scrollbar.height()
        lane_h = max(MIN_LANE_H_PX, min(MAX_LANE_H_PX, avail // len(self._lanes)))
        return [
            QRect(0, RULER_H_PX + i * lane_h, self.width(), lane_h) for i in range(len(self._lanes))
        ]

    def lane_labels(self) -> list[str]:
        return [lane.title for lane in self._lanes]

    def lane_headers(self) -> list[tuple[str, str]]:
        """(title, detail) per lane, e.g. ("BGM", "35%")."""
        return [(lane.title, lane.detail) for lane in self._lanes]

    def segment_rect(self, track_index: int, segment_index: int) -> QRectF | None:
        """Where a segment is drawn (before clipping to the view), or None."""
        if not 0 <= track_index < len(self._lanes):
            return None
        lane = self._lanes[track_index]
        found = np.nonzero(lane.order == segment_index)[0]
        if not len(found):
            return None
        pos = int(found[0])
        rect = self.lane_rects()[track_index]
        x0, x1 = self.x_for_ms(lane.starts[pos]), self.x_for_ms(lane.ends[pos])
        return QRectF(x0, rect.top() + 3, max(1.0, x1 - x0), rect.height() - 6)

    def segment_at(self, pos: QPoint) -> dict[str, Any] | None:
        hit = self._hit(pos)
        return self._lanes[hit[0]].details(hit[1]) if hit else None

    def tooltip_at(self, pos: QPoint) -> str:
        """The summary of the segment under ``pos`` (what the hover tooltip shows)."""
        hit = self._hit(pos)
        return self._lanes[hit[0]].summary(hit[1]) if hit else ""

    def selected_segment(self) -> dict[str, Any] | None:
        if self._selected is None:
            return None
        return self._lanes[self._selected[0]].details(self._selected[1])

    def sizeHint(self) -> QSize:
        lanes = max(3, len(self._lanes))
        return QSize(800, RULER_H_PX + lanes * 56 + self._scrollbar.sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        lanes = max(1, len(self._lanes))
        return QSize(
            HEADER_W_PX + 120,
            RULER_H_PX + lanes * MIN_LANE_H_PX + self._scrollbar.sizeHint().height(),
        )

    # -- internals -------------------------------------------------------------------------------

    def _view_w(self) -> int:
        return max(1, self.width() - HEADER_W_PX)

    def _scale(self) -> TimeScale:
        return TimeScale(HEADER_W_PX, self._px_per_s, self._scrollbar.value())

    def _lanes_bottom(self) -> int:
        rects = self.lane_rects()
        return rects[-1].bottom() + 1 if rects else RULER_H_PX

    def _first_lane(self, kind: str, preferred: int | None) -> int | None:
        if preferred is not None:
            return preferred if 0 <= preferred < len(self._lanes) else None
        return next((i for i, lane in enumerate(self._lanes) if lane.kind == kind), None)

    def _layout_scrollbar(self) -> None:
        h = self._scrollbar.sizeHint().height()
        self._scrollbar.setGeometry(HEADER_W_PX, self.height() - h, self._view_w(), h)

    def _update_scroll_range(self) -> None:
        content = self.duration_ms() * self._px_per_s / 1000 + END_PAD_PX
        view = self._view_w()
        self._scrollbar.setRange(0, max(0, round(content - view)))
        self._scrollbar.setPageStep(view)
        self._scrollbar.setSingleStep(max(16, view // 20))

    def _relayout(self) -> None:
        if self._auto_fit:
            self.fit()
        else:
            self.set_zoom(self._px_per_s, HEADER_W_PX)
        self.updateGeometry()

    def _scene(self) -> Scene:
        thumbs: dict[int, ThumbnailStrip] = {}
        for key, strip in self._thumbs.items():
            li = self._first_lane("video", key)
            if li is not None:
                thumbs[li] = strip
        wave_lane = self._first_lane("audio", self._waveform_track)
        return Scene(
            lanes=self._lanes,
            lane_rects=self.lane_rects(),
            ruler=self.ruler_rect(),
            header_w=HEADER_W_PX,
            scale=self._scale(),
            palette=self.palette(),
            font=self.font(),
            cuts_ms=self._cuts,
            hits_ms=self._hits,
            playhead_ms=self._playhead_ms,
            selected=self._selected,
            hits_lane=wave_lane,
            waveform=self._waveform,
            waveform_lane=wave_lane,
            thumbs=thumbs,
            focused=self.hasFocus(),
            speech_ms=self._speech,
            speech_lane=self._first_lane("video", None),
            music_gain=self._gain,
            gain_lane=wave_lane,
        )

    def _hit(self, pos: QPoint) -> tuple[int, int] | None:
        """(lane, sorted position) of the segment under ``pos``: one containing the time
        wins over one merely within HIT_TOLERANCE_PX, the later-drawn over the earlier."""
        if pos.x() < HEADER_W_PX:
            return None
        for li, rect in enumerate(self.lane_rects()):
            if not rect.contains(pos):
                continue
            lane = self._lanes[li]
            t = self.ms_at(pos.x() + 0.5)
            tol = HIT_TOLERANCE_PX * 1000 / self._px_per_s
            lo, hi = lane.visible(t - tol, t + tol)
            starts, ends = lane.starts[lo:hi], lane.ends[lo:hi]
            inside = np.nonzero((starts <= t) & (t < ends))[0]
            if len(inside):
                return li, lo + int(inside[-1])
            near = np.nonzero((starts - tol <= t) & (t <= ends + tol))[0]
            if len(near):
                dist = np.minimum(np.abs(starts[near] - t), np.abs(ends[near] - t))
                return li, lo + int(near[int(np.argmin(dist))])
            return None
        return None

    def _select(self, hit: tuple[int, int] | None) -> None:
        """Select (and announce) the segment at ``hit``, or clear the selection."""
        self._selected = hit
        self.update()
        if hit is not None:
            self.segmentSelected.emit(self._lanes[hit[0]].details(hit[1]))

    # -- Qt events -------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        exposed = event.rect()
        bottom = self._lanes_bottom()
        if exposed.bottom() >= bottom:
            rest = QRect(0, bottom, self.width(), self.height() - bottom)
            p.fillRect(rest & exposed, self.palette().color(QPalette.ColorRole.Window))
        paint_timeline(p, self._scene(), exposed)
        p.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout_scrollbar()
        self._relayout()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.update()
        elif event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        """Lane titles, details and segment words in the new language, at once (the lanes
        keep their words, so they are rebuilt from the draft)."""
        self._scrollbar.setAccessibleName(self.tr("Timeline position"))
        self.setAccessibleName(self.tr("Timeline"))
        self._lanes = build_lanes(self._draft)
        self.setAccessibleDescription(
            summary(self._draft) if self._lanes else self.tr("Empty timeline")
        )
        self.update()


def heard_speech(draft: Draft) -> list[tuple[int, int]]:
    """Speech on the timeline in every video track whose sound is heard ("duck" or "even"),
    as core.ducking finds it for the dip; a muted track's speech is not shown."""
    view = Draft()
    for track in draft.tracks_of(TrackType.VIDEO):
        if sound_mode(track) is not SoundMode.MUTE:
            view.add(track.with_meta(sound=SoundMode.DUCK.value))
    return speech_on_timeline(view)
