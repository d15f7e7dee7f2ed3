"""The pictures inside timeline segments: the BGM waveform and the video thumbnails.

Both are drawn often (every scroll, every playhead tick) and change rarely, so each keeps
what it built: waveform outlines per zoom level in fixed-width tiles, thumbnails scaled once
per lane height.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from nemodesk.ui.timeline_model import TimeScale

TILE_PX = 512
ZOOM_LEVELS_KEPT = 4
MIN_AMPLITUDE = 0.03  # silence still shows as a hairline


class WaveformStrip:
    """Peaks (0..1) spread evenly over ``duration_ms`` of audio that starts at the lane's
    first segment. Drawn from image tiles cached per (zoom, height, colour): blitting is
    cheap, filling a scaled outline is not."""

    def __init__(self, peaks: Sequence[float] | np.ndarray, duration_ms: float) -> None:
        self.peaks = np.clip(np.asarray(peaks, dtype=np.float32).ravel(), 0.0, 1.0)
        self.duration_ms = max(0.0, float(duration_ms))
        self._levels: OrderedDict[tuple[float, int, int], dict[int, QImage | None]] = OrderedDict()

    def _column_values(self, px_per_s: float, c0: int, cols: int) -> np.ndarray:
        n = len(self.peaks)
        total_px = self.duration_ms / 1000 * px_per_s
        per_col = n / total_px
        end_col = min(cols, int(np.ceil(total_px)) - c0)
        if end_col <= 0:
            return np.empty(0, dtype=np.float32)
        if per_col >= 1:
            edges = np.minimum((np.arange(c0, c0 + end_col + 1) * per_col).astype(np.int64), n)
            starts = edges[:-1][edges[:-1] < n]
            if not len(starts):
                return np.empty(0, dtype=np.float32)
            stop = max(int(edges[len(starts)]), int(starts[-1]) + 1)
            values = np.maximum.reduceat(self.peaks[:stop], starts)
        else:
            centres = (np.arange(c0, c0 + end_col) + 0.5) * per_col - 0.5
            values = np.interp(centres, np.arange(n), self.peaks)
        return np.maximum(values, MIN_AMPLITUDE)

    def _tile(self, px_per_s: float, height: int, color: QColor, k: int) -> QImage | None:
        key = (px_per_s, height, color.rgba())
        level = self._levels.get(key)
        if level is None:
            level = self._levels[key] = {}
            while len(self._levels) > ZOOM_LEVELS_KEPT:
                self._levels.popitem(last=False)
        if k not in level:
            values = self._column_values(px_per_s, k * TILE_PX, TILE_PX)
            level[k] = _render_tile(values, height, color) if len(values) else None
        return level[k]

    def paint(
        self, p: QPainter, scale: TimeScale, clip: QRectF, offset_ms: float, color: QColor
    ) -> None:
        """Draw the waveform inside ``clip`` (a segment), centred vertically in it."""
        if not len(self.peaks) or self.duration_ms <= 0 or clip.height() < 2:
            return
        origin = scale.x(offset_ms)
        k0 = max(0, int((clip.left() - origin) // TILE_PX))
        k1 = int((clip.right() - origin) // TILE_PX)
        height, top = int(clip.height()), int(clip.top())
        p.save()
        p.setClipRect(clip, Qt.ClipOperation.IntersectClip)
        for k in range(k0, k1 + 1):
            tile = self._tile(scale.px_per_s, height, color, k)
            if tile is None:
                break
            p.drawImage(QPointF(round(origin) + k * TILE_PX, top), tile)
        p.restore()


def _render_tile(values: np.ndarray, height: int, color: QColor) -> QImage:
    """Columns filled symmetrically about the middle to ``value`` × 84 % of the height, with
    a soft (anti-aliased) edge."""
    half = (height - 1) / 2
    rows = np.abs(np.arange(height, dtype=np.float32) - half)[:, None]
    reach = values.astype(np.float32)[None, :] * half * 0.84
    alpha = np.clip(reach - rows + 0.5, 0.0, 1.0) * (color.alpha() / 255)
    rgb = np.array([color.red(), color.green(), color.blue()], dtype=np.float32)
    argb = np.empty((height, len(values), 4), dtype=np.uint8)  # B, G, R, A in memory
    argb[..., 3] = np.round(alpha * 255)
    for channel, value in zip((2, 1, 0), rgb, strict=True):
        argb[..., channel] = np.round(alpha * value)
    image = QImage(
        argb.data, len(values), height, len(values) * 4, QImage.Format.Format_ARGB32_Premultiplied
    )
    return image.copy()


class ThumbnailStrip:
    """Frames spread evenly over ``duration_ms`` of video that starts at the lane's first
    segment, tiled at a fixed width so they stay put while scrolling."""

    def __init__(self, images: Sequence[QImage], duration_ms: float) -> None:
        self.images = [img for img in images if not img.isNull()]
        self.duration_ms = max(1.0, float(duration_ms))
        first = self.images[0] if self.images else QImage()
        self._aspect = first.width() / max(1, first.height()) if self.images else 16 / 9
        self._by_height: dict[int, list[QPixmap]] = {}

    def tile_px(self, height: int) -> int:
        return max(8, round(height * self._aspect))

    def _scaled(self, height: int) -> list[QPixmap]:
        pixmaps = self._by_height.get(height)
        if pixmaps is None:
            if len(self._by_height) >= 4:
                self._by_height.clear()
            width = self.tile_px(height)
            pixmaps = self._by_height[height] = [
                QPixmap.fromImage(
                    img.scaled(
                        width,
                        height,
                        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                )
                for img in self.images
            ]
        return pixmaps

    def paint(self, p: QPainter, scale: TimeScale, clip: QRectF, offset_ms: float) -> None:
        """Tile frames across ``clip``; each tile shows the frame at the tile's middle."""
        if not self.images:
            return
        height = int(clip.height())
        pixmaps = self._scaled(height)
        tile = self.tile_px(height)
        origin = scale.x(offset_ms)
        k0 = int((clip.left() - origin) // tile)
        k1 = int((clip.right() - origin) // tile)
        n = len(pixmaps)
        top = int(clip.top())
        p.save()
        p.setClipRect(clip, Qt.ClipOperation.IntersectClip)
        for k in range(k0, k1 + 1):
            centre_ms = scale.ms(origin + (k + 0.5) * tile) - offset_ms
            i = min(n - 1, max(0, int(centre_ms / self.duration_ms * n)))
            p.drawPixmap(int(origin + k * tile), top, pixmaps[i])
        p.restore()
