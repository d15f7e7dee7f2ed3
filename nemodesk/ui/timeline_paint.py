"""Painting the timeline: ruler, lane headers, segments, markers and the playhead.

Everything is drawn only inside the exposed rect, and each lane asks its sorted spans for the
few segments there (binary search). Segments too narrow to show detail at the current zoom
are merged into one row image per lane, so a fully zoomed-out draft with thousands of
segments costs about the same as one with ten.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QCoreApplication, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPalette, QPen, QPolygonF

from nemodesk.core.ducking import Breakpoints, gain_db_at
from nemodesk.ui.timeline_media import ThumbnailStrip, WaveformStrip
from nemodesk.ui.timeline_model import (
    Lane,
    TimeScale,
    fades_of,
    format_time,
    tick_steps,
    volume_of,
)

# Accent colours are fixed (they read on light and dark backgrounds); the rest is palette.
KIND_COLORS = {
    "video": QColor("#3b82f6"),
    "audio": QColor("#14b8a6"),
    "text": QColor("#a855f7"),
    "generic": QColor("#64748b"),
}
CUT_COLOR = QColor("#f59e0b")
HIT_COLOR = QColor("#ec4899")
PLAYHEAD_COLOR = QColor("#ef4444")
SEGMENT_TEXT = QColor("#ffffff")
ENVELOPE_SHADE = QColor(0, 0, 0, 60)  # darkens the accent fill in any palette; text stays legible
LANE_PAD_PX = 3
DETAIL_MIN_PX = 6.0  # narrower segments are painted merged, without detail
LABEL_MIN_PX = 36.0
ROUNDED_MIN_PX = 12.0
HIT_RADIUS_PX = 3.5
ENVELOPE_MIN_PX = 24.0
CUT_LINE_ROOM_PX = 6
# Voice first: speech along the video lane's bottom, the music's dip as a line over the BGM.
SPEECH_LIGHT = QColor(250, 204, 21, 235)  # yellow: reads on the blue clips and on thumbnails
SPEECH_DARK = QColor(253, 224, 71, 215)
SPEECH_BAND_PX = 5
GAIN_LINE_PX = 2.0
GAIN_FULL_SCALE_DB = 24.0  # the lane's height: a 12 dB dip reaches halfway down
ARGB32_PREMULTIPLIED = QImage.Format.Format_ARGB32_Premultiplied


@dataclass
class Scene:
    """A snapshot of what to draw, handed over by the widget for one paint."""

    lanes: list[Lane]
    lane_rects: list[QRect]
    ruler: QRect
    header_w: int
    scale: TimeScale
    palette: QPalette
    font: QFont
    cuts_ms: np.ndarray
    hits_ms: np.ndarray
    playhead_ms: float
    selected: tuple[int, int] | None = None
    hits_lane: int | None = None
    waveform: WaveformStrip | None = None
    waveform_lane: int | None = None
    thumbs: dict[int, ThumbnailStrip] = field(default_factory=dict)
    focused: bool = False
    speech_ms: list[tuple[int, int]] = field(default_factory=list)
    speech_lane: int | None = None
    music_gain: Breakpoints = field(default_factory=list)
    gain_lane: int | None = None


def speech_color(palette: QPalette) -> QColor:
    """The voice colour of the speech band and the dip line, for a light or dark theme."""
    dark = palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5
    return QColor(SPEECH_DARK if dark else SPEECH_LIGHT)


def lane_inner(rect: QRect) -> QRectF:
    """The part of a lane segments are drawn in (inside their one-pixel edge)."""
    return QRectF(
        rect.left(), rect.top() + LANE_PAD_PX + 1, rect.width(), rect.height() - 2 * LANE_PAD_PX - 2
    )


def gain_y(inner: QRectF, db: float) -> float:
    """Where the dip line is drawn for ``db``: 0 dB at the top, GAIN_FULL_SCALE_DB down at
    the bottom."""
    depth = min(1.0, max(0.0, -db / GAIN_FULL_SCALE_DB))
    return inner.top() + GAIN_LINE_PX / 2 + depth * (inner.height() - GAIN_LINE_PX)


def _argb(color: QColor) -> int:
    """A QColor as a premultiplied ARGB32 pixel value."""
    a = color.alpha()
    r, g, b = (round(c * a / 255) for c in (color.red(), color.green(), color.blue()))
    return (a << 24) | (r << 16) | (g << 8) | b


def _text_color(palette: QPalette, alpha: int = 255) -> QColor:
    color = QColor(palette.color(QPalette.ColorRole.WindowText))
    color.setAlpha(alpha)
    return color


def paint_timeline(p: QPainter, sc: Scene, exposed: QRect) -> None:
    lanes_bottom = sc.lane_rects[-1].bottom() + 1 if sc.lane_rects else sc.ruler.bottom() + 1
    right = sc.ruler.right() + 1
    cx0, cx1 = max(exposed.left(), sc.header_w), min(exposed.right() + 1, right)
    if cx1 > cx0:
        content = QRect(cx0, 0, cx1 - cx0, lanes_bottom)
        p.save()
        p.setClipRect(content)
        _paint_ruler(p, sc, cx0, cx1)
        for li, rect in enumerate(sc.lane_rects):
            if rect.intersects(exposed):
                base = QPalette.ColorRole.Base if li % 2 == 0 else QPalette.ColorRole.AlternateBase
                p.fillRect(QRect(cx0, rect.top(), cx1 - cx0, rect.height()), sc.palette.color(base))
                _paint_lane(p, sc, li, rect, cx0, cx1)
        _paint_voice(p, sc, cx0, cx1, exposed)
        _paint_markers(p, sc, cx0, cx1, lanes_bottom)
        _paint_playhead(p, sc, cx0, cx1, lanes_bottom)
        p.restore()
    if exposed.left() < sc.header_w:
        _paint_headers(p, sc, lanes_bottom)
    if sc.focused:
        pen = QPen(sc.palette.color(QPalette.ColorRole.Highlight), 1)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRect(0, 0, right - 1, lanes_bottom - 1))


def _paint_ruler(p: QPainter, sc: Scene, cx0: int, cx1: int) -> None:
    r = sc.ruler
    p.fillRect(
        QRect(cx0, r.top(), cx1 - cx0, r.height()), sc.palette.color(QPalette.ColorRole.Window)
    )
    major, minor = tick_steps(sc.scale.px_per_s)
    t0, t1 = max(0.0, sc.scale.ms(cx0)), sc.scale.ms(cx1)
    bottom = r.bottom() + 1
    first = int(t0 // minor) * minor
    count = int((t1 - first) // minor) + 2
    ticks = first + np.arange(count, dtype=np.int64) * minor
    xs = np.round(sc.scale.x(ticks)).astype(np.int64)
    p.setPen(QPen(_text_color(sc.palette, 110), 1))
    is_major = ticks % major == 0
    for x, big in zip(xs.tolist(), is_major.tolist(), strict=True):
        p.drawLine(x, bottom - (9 if big else 4), x, bottom - 1)
    font = QFont(sc.font)
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
    p.setFont(font)
    p.setPen(_text_color(sc.palette, 220))
    first_major = int(t0 // major) * major
    t = first_major
    while t <= t1:
        x = sc.scale.x(t)
        p.drawText(QRectF(x + 3, r.top() + 2, 120, r.height() - 10), format_time(t, major))
        t += major
    p.fillRect(QRect(cx0, bottom - 1, cx1 - cx0, 1), sc.palette.color(QPalette.ColorRole.Mid))


def _paint_lane(p: QPainter, sc: Scene, li: int, rect: QRect, cx0: int, cx1: int) -> None:
    lane = sc.lanes[li]
    tol_ms = 1000 / sc.scale.px_per_s
    t0, t1 = sc.scale.ms(cx0) - tol_ms, sc.scale.ms(cx1) + tol_ms
    lo, hi = lane.visible(t0, t1)
    if lo >= hi:
        return
    keep = lane.ends[lo:hi] >= t0
    pos = np.nonzero(keep)[0] + lo
    x0 = sc.scale.x(lane.starts[pos].astype(np.float64))
    x1 = sc.scale.x(lane.ends[pos].astype(np.float64))
    wide = (x1 - x0) >= DETAIL_MIN_PX
    top, height = rect.top() + LANE_PAD_PX, rect.height() - 2 * LANE_PAD_PX
    if not wide.all():
        narrow = ~wide
        _paint_dense(p, sc, li, x0[narrow], x1[narrow], cx0, cx1, top, height)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for i in np.nonzero(wide)[0].tolist():
        _paint_block(p, sc, li, int(pos[i]), float(x0[i]), float(x1[i]), top, height)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    if sc.selected and sc.selected[0] == li:
        hit = np.nonzero(pos == sc.selected[1])[0]
        if len(hit) and not wide[hit[0]]:
            xa = math.floor(x0[hit[0]])
            w = max(3, math.ceil(x1[hit[0]]) - xa)
            _outline(p, sc, QRectF(xa - 1, top, w + 2, height))


def _paint_dense(
    p: QPainter,
    sc: Scene,
    li: int,
    x0: np.ndarray,
    x1: np.ndarray,
    cx0: int,
    cx1: int,
    top: int,
    height: int,
) -> None:
    """Segments a few pixels wide or less: one row image, scaled to the lane's height."""
    lane = sc.lanes[li]
    cols = cx1 - cx0
    a = np.clip(np.floor(x0).astype(np.int64) - cx0, 0, cols - 1)
    b = np.maximum(np.clip(np.ceil(x1).astype(np.int64) - cx0, 0, cols), a + 1)
    cover = np.cumsum(np.bincount(a, minlength=cols + 1) - np.bincount(b, minlength=cols + 1))
    covered = cover[:cols] > 0
    edges = a[(x1 - x0) >= 2.5]
    row = np.zeros(cols, dtype=np.uint32)
    color = KIND_COLORS[lane.kind]
    thumbs = sc.thumbs.get(li) if lane.kind == "video" else None
    if thumbs is not None and thumbs.images:
        lo, hi = int(a.min()), int(b.max())
        thumbs.paint(p, sc.scale, QRectF(cx0 + lo, top + 1, hi - lo, height - 2), lane.start_ms)
        base = QPalette.ColorRole.Base if li % 2 == 0 else QPalette.ColorRole.AlternateBase
        row[lo:hi] = _argb(sc.palette.color(base))
        row[covered] = 0
        row[edges] = _argb(QColor(0, 0, 0, 120))
    else:
        row[covered] = _argb(color)
        row[edges] = _argb(color.darker(150))
    image = QImage(row.data, cols, 1, cols * 4, ARGB32_PREMULTIPLIED)
    p.drawImage(QRectF(cx0, top, cols, height), image, QRectF(0, 0, cols, 1))


def _paint_block(
    p: QPainter, sc: Scene, li: int, pos: int, x0: float, x1: float, top: int, height: int
) -> None:
    lane = sc.lanes[li]
    xa, xb = math.floor(x0), math.floor(x1)
    if xb - xa > 6:
        xb -= 1  # a one-pixel gap between neighbours
    r = QRectF(xa, top, max(1, xb - xa), height)
    selected = sc.selected == (li, pos)
    color = KIND_COLORS[lane.kind]
    fill = color.lighter(118) if selected else color
    if r.width() >= ROUNDED_MIN_PX:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(r, 3, 3)
    else:
        p.fillRect(r, fill)
    inner = r.adjusted(1, 1, -1, -1)
    if lane.kind == "video" and li in sc.thumbs:
        sc.thumbs[li].paint(p, sc.scale, inner, lane.start_ms)
    elif lane.kind == "audio":
        meta = lane.seg_meta[pos]
        if sc.waveform is not None and sc.waveform_lane == li:
            wave = color.darker(165)
            sc.waveform.paint(p, sc.scale, inner, lane.start_ms, wave)
        if inner.width() >= ENVELOPE_MIN_PX:
            _paint_envelope(p, sc, inner, meta)
    # Labels stick to the visible part, so a long segment scrolled halfway still says what it is.
    shown = QRectF(inner)
    shown.setLeft(max(inner.left(), sc.header_w + 1.0))
    shown.setRight(min(inner.right(), float(sc.ruler.right())))
    if shown.width() >= LABEL_MIN_PX:
        boxed = lane.kind == "video" and li in sc.thumbs
        lift = SPEECH_BAND_PX + 2 if sc.speech_ms and sc.speech_lane == li else 0
        _paint_label(p, sc, lane, pos, shown, boxed=boxed, lift=lift)
    if selected:
        _outline(p, sc, r)


def _paint_envelope(p: QPainter, sc: Scene, r: QRectF, meta: dict) -> None:
    """Volume as a level line, fades as ramps down to silence; above it is dimmed."""
    fade_in, fade_out = fades_of(meta)
    px = sc.scale.px_per_s / 1000
    fi, fo = fade_in * px, fade_out * px
    if fi + fo > r.width() > 0:
        k = r.width() / (fi + fo)
        fi, fo = fi * k, fo * k
    level = min(max(volume_of(meta), 0.0), 100.0) / 100
    bottom, top = r.bottom(), r.top()
    y = bottom - level * (bottom - top)
    ramp = [QPointF(r.left(), bottom if fi else y), QPointF(r.left() + fi, y)]
    ramp += [QPointF(r.right() - fo, y), QPointF(r.right(), bottom if fo else y)]
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ENVELOPE_SHADE)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # the line below hides the edge
    p.drawPolygon(QPolygonF([r.topLeft(), r.topRight(), *ramp[::-1]]))
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(QPen(QColor(255, 255, 255, 230), 1.5))
    p.drawPolyline(QPolygonF(ramp))


def _paint_label(
    p: QPainter, sc: Scene, lane: Lane, pos: int, r: QRectF, *, boxed: bool, lift: float = 0
) -> None:
    """The segment's words; over thumbnails (``boxed``) on a dark pill to stay legible,
    ``lift`` px above the bottom (clear of the speech band)."""
    text = lane.labels[pos]
    if lane.kind == "audio":
        volume = f"{volume_of(lane.seg_meta[pos]):g}"
        text = (
            QCoreApplication.translate("TimelineView", "{0} · {1}%").format(text, volume)
            if text
            else f"{volume}%"
        )
    elif lane.kind == "generic" and not text:
        text = QCoreApplication.translate("TimelineView", "Type {0}").format(lane.tt)
    if not text:
        return
    font = QFont(sc.font)
    if lane.kind == "text":
        font.setBold(True)
    else:
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.9))
    fm = QFontMetrics(font)
    shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, int(r.width()) - 8)
    if not shown:
        return
    p.setFont(font)
    if boxed:
        box = QRectF(
            r.left() + 2,
            r.bottom() - fm.height() - 2 - lift,
            fm.horizontalAdvance(shown) + 8,
            fm.height() + 1,
        )
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(box, 3, 3)
        p.setPen(SEGMENT_TEXT)
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, shown)
        return
    p.setPen(SEGMENT_TEXT)
    align = Qt.AlignmentFlag.AlignLeft | (
        Qt.AlignmentFlag.AlignVCenter if lane.kind == "text" else Qt.AlignmentFlag.AlignTop
    )
    p.drawText(r.adjusted(4, 2, -4, -2), align, shown)


def _outline(p: QPainter, sc: Scene, r: QRectF) -> None:
    p.setPen(QPen(sc.palette.color(QPalette.ColorRole.Highlight), 2))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(r.adjusted(1, 1, -1, -1), 3, 3)


def _paint_voice(p: QPainter, sc: Scene, cx0: int, cx1: int, exposed: QRect) -> None:
    """Speech as a band along the bottom of the video lane; the music's gain as a line over
    the BGM segments (top = 0 dB), so the dips show under the speech that causes them."""
    color = speech_color(sc.palette)
    t0, t1 = sc.scale.ms(cx0 - 2), sc.scale.ms(cx1 + 2)
    li = sc.speech_lane
    if sc.speech_ms and li is not None and sc.lane_rects[li].intersects(exposed):
        inner = lane_inner(sc.lane_rects[li])
        y = inner.bottom() - SPEECH_BAND_PX
        edge = color.darker(160)
        for a, b in sc.speech_ms:
            if b < t0 or a > t1:
                continue
            x0, x1 = max(sc.scale.x(a), cx0 - 1.0), min(sc.scale.x(b), cx1 + 1.0)
            band = QRectF(x0, y, max(1.0, x1 - x0), SPEECH_BAND_PX)
            p.fillRect(band, color)
            p.fillRect(QRectF(band.left(), y - 1, band.width(), 1), edge)
    li = sc.gain_lane
    if not sc.music_gain or li is None or not sc.lane_rects[li].intersects(exposed):
        return
    lane, inner = sc.lanes[li], lane_inner(sc.lane_rects[li])
    times = [t for t, _ in sc.music_gain]
    shadow = QPen(QColor(0, 0, 0, 110), GAIN_LINE_PX + 2)
    line = QPen(color, GAIN_LINE_PX)
    lo, hi = lane.visible(t0, t1)
    for pos in range(lo, hi):
        a, b = max(float(lane.starts[pos]), t0), min(float(lane.ends[pos]), t1)
        if b <= a:
            continue
        inside = sc.music_gain[bisect_right(times, a) : bisect_left(times, b)]
        stops = [(a, gain_db_at(sc.music_gain, a)), *inside, (b, gain_db_at(sc.music_gain, b))]
        poly = QPolygonF([QPointF(sc.scale.x(t), gain_y(inner, g)) for t, g in stops])
        xa, xb = sc.scale.x(a), sc.scale.x(b)
        p.save()
        p.setClipRect(
            QRectF(xa, inner.top() - 2, xb - xa, inner.height() + 4),
            Qt.ClipOperation.IntersectClip,
        )
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for pen in (shadow, line):
            p.setPen(pen)
            p.drawPolyline(poly)
        p.restore()


def _paint_markers(p: QPainter, sc: Scene, cx0: int, cx1: int, lanes_bottom: int) -> None:
    t0, t1 = sc.scale.ms(cx0 - 6), sc.scale.ms(cx1 + 6)
    ruler_bottom = sc.ruler.bottom() + 1
    lanes_top = ruler_bottom
    cuts = sc.cuts_ms[np.searchsorted(sc.cuts_ms, t0) : np.searchsorted(sc.cuts_ms, t1, "right")]
    if len(cuts):
        xs = np.unique(np.round(sc.scale.x(cuts)).astype(np.int64))
        # Lines only for cuts with room around them (a crowd of lines hides the lanes; the
        # ruler's triangles still show every cut), drawn as one row image stretched over
        # the lanes (hundreds of separate fills are slow).
        gaps = np.diff(xs, prepend=-(10**9), append=10**9)
        alone = xs[(gaps[:-1] >= CUT_LINE_ROOM_PX) & (gaps[1:] >= CUT_LINE_ROOM_PX)]
        inside = alone[(alone >= cx0) & (alone < cx1)] - cx0
        row = np.zeros(cx1 - cx0, dtype=np.uint32)
        line = QColor(CUT_COLOR)
        line.setAlpha(170)
        row[inside] = _argb(line)
        image = QImage(row.data, cx1 - cx0, 1, (cx1 - cx0) * 4, ARGB32_PREMULTIPLIED)
        p.drawImage(QRectF(cx0, lanes_top, cx1 - cx0, lanes_bottom - lanes_top), image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(CUT_COLOR)
        y = ruler_bottom - 1
        for x in xs.tolist():
            c = x + 0.5
            p.drawPolygon(QPolygonF([QPointF(c - 5, y - 8), QPointF(c + 5, y - 8), QPointF(c, y)]))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    hits = sc.hits_ms[np.searchsorted(sc.hits_ms, t0) : np.searchsorted(sc.hits_ms, t1, "right")]
    if len(hits):
        if sc.hits_lane is not None:
            # along the bottom: the segment's words ("Acoustic · 100%") are along the top
            y = sc.lane_rects[sc.hits_lane].bottom() - LANE_PAD_PX - 7
        else:
            y = sc.ruler.top() + sc.ruler.height() * 0.6
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(HIT_COLOR)
        for x in np.round(sc.scale.x(hits.astype(np.float64))).astype(int).tolist():
            p.drawEllipse(QPointF(x + 0.5, y + 0.5), HIT_RADIUS_PX, HIT_RADIUS_PX)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)


def _paint_playhead(p: QPainter, sc: Scene, cx0: int, cx1: int, lanes_bottom: int) -> None:
    x = round(sc.scale.x(sc.playhead_ms))
    if x < cx0 - 8 or x > cx1 + 8:
        return
    top = sc.ruler.top()
    p.fillRect(QRect(x - 1, top, 2, lanes_bottom - top), PLAYHEAD_COLOR)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(PLAYHEAD_COLOR)
    c = float(x)
    handle = [(c - 6, top), (c + 6, top), (c + 6, top + 7), (c, top + 13), (c - 6, top + 7)]
    p.drawPolygon(QPolygonF([QPointF(a, b) for a, b in handle]))
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)


def _paint_headers(p: QPainter, sc: Scene, lanes_bottom: int) -> None:
    w = sc.header_w
    pal = sc.palette
    p.fillRect(QRect(0, 0, w, lanes_bottom), pal.color(QPalette.ColorRole.Window))
    font = QFont(sc.font)
    p.setFont(font)
    p.setPen(_text_color(pal, 230))
    corner = QRect(0, sc.ruler.top(), w, sc.ruler.height())
    p.drawText(
        corner.adjusted(8, 0, -6, 0),
        Qt.AlignmentFlag.AlignVCenter,
        format_time(sc.playhead_ms, 100),
    )
    bold = QFont(font)
    bold.setBold(True)
    small = QFont(font)
    small.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
    fm_bold, fm_small = QFontMetrics(bold), QFontMetrics(small)
    for lane, rect in zip(sc.lanes, sc.lane_rects, strict=True):
        p.fillRect(
            QRect(0, rect.top() + LANE_PAD_PX, 4, rect.height() - 2 * LANE_PAD_PX),
            KIND_COLORS[lane.kind],
        )
        two_lines = rect.height() >= fm_bold.height() + fm_small.height() + 6
        text_h = fm_bold.height() + (fm_small.height() if two_lines else 0)
        y = rect.top() + (rect.height() - text_h) // 2
        p.setFont(bold)
        p.setPen(_text_color(pal))
        title = fm_bold.elidedText(lane.title, Qt.TextElideMode.ElideRight, w - 18)
        # CJK fallback glyphs can be taller than the font's own metrics: draw unclipped
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextDontClip
        p.drawText(QRect(12, y, w - 16, fm_bold.height()), flags, title)
        if two_lines and lane.detail:
            p.setFont(small)
            p.setPen(_text_color(pal, 170))
            detail = fm_small.elidedText(lane.detail, Qt.TextElideMode.ElideRight, w - 18)
            p.drawText(QRect(12, y + fm_bold.height(), w - 16, fm_small.height()), flags, detail)
        p.fillRect(QRect(0, rect.bottom(), w, 1), pal.color(QPalette.ColorRole.Midlight))
    p.fillRect(QRect(0, sc.ruler.bottom(), w, 1), pal.color(QPalette.ColorRole.Mid))
    p.fillRect(QRect(w - 1, 0, 1, lanes_bottom), pal.color(QPalette.ColorRole.Mid))
