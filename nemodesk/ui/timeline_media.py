"""The pictures inside timeline segments: the BGM waveform and the video thumbnails.

Both are drawn often (every scroll, every playhead tick) and change rarely, so each keeps
what it built: waveform outlines per zoom level in fixed-width tiles, thumbnails scaled once
per lane height.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from itertools import pairwise

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
    """Frames of ``duration_ms`` of video that starts at the lane's first segment: by default
    image i is the frame from the middle of the i-th of n equal slices (as the engine makes
    them), or at ``times_ms`` when given.

    Drawn as tiles one frame wide, laid out shot by shot: each scene cut starts a new tile
    exactly at the cut (the last tile of a shot is cut short), and each tile shows the frame
    nearest its own time taken from its own shot, so the picture never changes anywhere but
    on a cut. Tiles are anchored to the time axis, so they stay put while scrolling."""

    def __init__(
        self,
        images: Sequence[QImage],
        duration_ms: float,
        times_ms: Sequence[float] | None = None,
    ) -> None:
        kept = [(i, img) for i, img in enumerate(images) if not img.isNull()]
        self.images = [img for _, img in kept]
        self.duration_ms = max(1.0, float(duration_ms))
        n = len(images)
        if times_ms is not None and len(times_ms) == n:
            self.times_ms = np.array([float(times_ms[i]) for i, _ in kept], dtype=np.float64)
        else:
            self.times_ms = np.array(
                [(i + 0.5) * self.duration_ms / max(1, n) for i, _ in kept], dtype=np.float64
            )
        self.cuts_ms = np.empty(0, dtype=np.float64)
        first = self.images[0] if self.images else QImage()
        self._aspect = first.width() / max(1, first.height()) if self.images else 16 / 9
        self._by_height: dict[int, list[QPixmap]] = {}

    def set_cuts(self, cuts_ms: Sequence[float] | np.ndarray) -> None:
        """Scene cuts in the video's own ms (0 = its first frame)."""
        cuts = np.sort(np.asarray(cuts_ms, dtype=np.float64).ravel())
        self.cuts_ms = cuts[(cuts > 0) & (cuts < self.duration_ms)]

    def tile_px(self, height: int) -> int:
        return max(8, round(height * self._aspect))

    def shots(self) -> list[tuple[float, float]]:
        """(start, end) ms of each shot, cut to cut."""
        bounds = [0.0, *self.cuts_ms.tolist(), self.duration_ms]
        return list(pairwise(bounds))

    def frame_for(self, t_ms: float) -> int:
        """The image to show at ``t_ms`` (video ms): the nearest in time within the shot
        that holds t; the nearest overall when that shot has none."""
        if not len(self.times_ms):
            return -1
        k = int(np.searchsorted(self.cuts_ms, t_ms, side="right"))
        lo = self.cuts_ms[k - 1] if k > 0 else -np.inf
        hi = self.cuts_ms[k] if k < len(self.cuts_ms) else np.inf
        inside = np.nonzero((self.times_ms >= lo) & (self.times_ms < hi))[0]
        pool = inside if len(inside) else np.arange(len(self.times_ms))
        return int(pool[int(np.argmin(np.abs(self.times_ms[pool] - t_ms)))])

    def tiles(
        self, px_per_s: float, height: int, t0_ms: float, t1_ms: float
    ) -> list[tuple[float, float, int]]:
        """(start ms, end ms, image index) of the tiles meeting [t0, t1] (video ms)."""
        tile_ms = self.tile_px(height) * 1000 / max(1e-9, px_per_s)
        out: list[tuple[float, float, int]] = []
        for a, b in self.shots():
            if b <= t0_ms or a >= t1_ms:
                continue
            k0 = max(0, int((t0_ms - a) // tile_ms))
            k1 = int((min(b, t1_ms) - a) // tile_ms)
            for k in range(k0, k1 + 1):
                start = a + k * tile_ms
                if start >= b:
                    break
                end = min(b, start + tile_ms)
                out.append((start, end, self.frame_for((start + end) / 2)))
        return out

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
        """Tile frames across ``clip``, shot by shot (see the class)."""
        if not self.images or clip.width() <= 0:
            return
        height = int(clip.height())
        pixmaps = self._scaled(height)
        top = int(clip.top())
        t0 = scale.ms(clip.left()) - offset_ms
        t1 = scale.ms(clip.right()) - offset_ms
        p.save()
        p.setClipRect(clip, Qt.ClipOperation.IntersectClip)
        for start, end, i in self.tiles(scale.px_per_s, height, t0, t1):
            xa = round(scale.x(offset_ms + start))
            xb = round(scale.x(offset_ms + end))
            if xb <= xa:
                continue
            pix = pixmaps[i]
            # a tile cut short by a cut shows the middle of its frame
            w = min(xb - xa, pix.width())
            sx = (pix.width() - w) // 2
            p.drawPixmap(QRectF(xa, top, xb - xa, height), pix, QRectF(sx, 0, w, height))
        p.restore()
