"""Title overlays drawn with Pillow and blended onto decoded frames with numpy.

This FFmpeg build has no drawtext filter, so the text is rasterised once into an RGBA image
(white, bold, with a soft dark shadow, centred in the lower third) and mixed into each
frame's YUV planes inside its bounding box only, in fixed point. The title is white on
black, so in YUV it is pure luma (chroma stays neutral 128) and no colour matrix is
involved. Measured against FFmpeg's overlay filter fed the same RGBA image (see
benchmarks/bench_export.py): both cost about 0.9 CPU-seconds per minute of 720p30, next to
~30 for the H.264 encode, so the simpler one won: the fade is just a weight here, where a
graph needs a new overlay frame per step.
"""

from __future__ import annotations

import functools
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE_OF_HEIGHT = 0.07  # font size as a share of the picture height
FADE_S = 0.3  # fade in and out, capped at a quarter of the title's time
_MAX_WIDTH = 0.9  # of the picture width
_SHADOW_ALPHA = 0.65

_LATIN_FONTS = (
    "DejaVuSans-Bold.ttf",
    "LiberationSans-Bold.ttf",
    "NotoSans-Bold.ttf",
    "Arial Bold.ttf",
    "arialbd.ttf",
    "Helvetica.ttc",
)
_CJK_FONTS = (
    "NotoSansCJK-Bold.ttc",
    "NotoSansCJKsc-Bold.otf",
    "NotoSansSC-Bold.otf",
    "wqy-zenhei.ttc",
    "DroidSansFallbackFull.ttf",
    "msyhbd.ttc",
    "PingFang.ttc",
    "NotoSansCJK-Regular.ttc",
)
_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/Library/Fonts",
    "C:/Windows/Fonts",
)
# CJK ideographs, kana, hangul, fullwidth forms: DejaVu has none of them.
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


@functools.lru_cache(maxsize=1)
def _font_files() -> dict[str, Path]:
    """File name -> path for every font under the usual folders (walked once)."""
    found: dict[str, Path] = {}
    for folder in _FONT_DIRS:
        root = Path(os.path.expanduser(folder))
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                found.setdefault(name.lower(), Path(dirpath) / name)
    return found


@functools.lru_cache(maxsize=32)
def _font(size: int, cjk: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The first installed bold sans for the script, else Pillow's bundled font."""
    files = _font_files()
    for name in (*_CJK_FONTS, *_LATIN_FONTS) if cjk else (*_LATIN_FONTS, *_CJK_FONTS):
        path = files.get(name.lower())
        if path is None:
            continue
        try:
            font = ImageFont.truetype(str(path), size, index=_sc_face(path))
        except OSError:
            continue
        return font
    return ImageFont.load_default(size=size)


@functools.lru_cache(maxsize=8)
def _sc_face(path: Path) -> int:
    """In a CJK collection, the Simplified Chinese face (same glyph set, mainland forms)."""
    if path.suffix.lower() != ".ttc":
        return 0
    for index in range(8):
        try:
            family = ImageFont.truetype(str(path), 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC"):
            return index
    return 0


def _width(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> float:
    return font.getlength(text)


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_w: float) -> list[str]:
    """Greedy wrap on spaces (between characters for CJK), keeping given line breaks."""
    lines: list[str] = []
    for para in text.split("\n"):
        spaced = " " in para or not _CJK.search(para)
        words, glue = (para.split(" "), " ") if spaced else (list(para), "")
        line = ""
        for word in words:
            trial = f"{line}{glue}{word}" if line else word
            if line and _width(font, trial) > max_w:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def render_rgba(text: str, width: int, height: int) -> tuple[Image.Image, int, int]:
    """The title as an RGBA image and its top-left (x, y) on a width x height picture."""
    text = "\n".join(" ".join(line.split()) for line in text.strip().splitlines())
    cjk = bool(_CJK.search(text))
    max_w = _MAX_WIDTH * width
    size0 = max(10, round(SIZE_OF_HEIGHT * height))
    size = size0
    while True:  # wrap to at most two lines, shrinking the font if it still won't fit
        font = _font(size, cjk)
        lines = _wrap(text, font, max_w)
        fits = len(lines) <= 2 and all(_width(font, line) <= max_w for line in lines)
        if fits or size <= max(8, size0 * 0.4):
            break
        size = max(8, int(size * 0.9))
    body = "\n".join(lines)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    spacing = round(size * 0.25)
    left, top, right, bottom = probe.multiline_textbbox(
        (0, 0), body, font=font, align="center", spacing=spacing
    )
    blur = max(1.0, size * 0.08)
    shift = (max(1, round(size * 0.04)), max(1, round(size * 0.06)))
    pad = int(blur * 3) + max(shift) + 2
    left, top = math.floor(left), math.floor(top)
    w, h = math.ceil(right) - left + 2 * pad, math.ceil(bottom) - top + 2 * pad
    origin = (pad - left, pad - top)
    text_mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(text_mask).multiline_text(
        origin, body, fill=255, font=font, align="center", spacing=spacing
    )
    shadow = Image.new("L", (w, h), 0)
    ImageDraw.Draw(shadow).multiline_text(
        (origin[0] + shift[0], origin[1] + shift[1]),
        body,
        fill=255,
        font=font,
        align="center",
        spacing=spacing,
        stroke_width=max(1, size // 18),
        stroke_fill=255,
    )
    shadow = shadow.filter(ImageFilter.GaussianBlur(blur))
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    layer.putalpha(shadow.point(lambda v: round(v * _SHADOW_ALPHA)))
    white = Image.new("RGBA", (w, h), (255, 255, 255, 0))
    white.putalpha(text_mask)
    layer = Image.alpha_composite(layer, white)
    x = (width - w) // 2
    centre_y = round(height * 5 / 6)  # middle of the lower third
    y = min(centre_y - h // 2, height - h - round(0.04 * height))
    return layer, x, max(0, y)


@dataclass(frozen=True)
class Overlay:
    """A title ready to blend into yuv420p frames: premultiplied luma and alpha over an
    even-aligned box at (x, y), shown from start_s to end_s with fades."""

    x: int
    y: int
    alpha: np.ndarray  # (h, w) float32, 0..1
    luma: np.ndarray  # (h, w) float32, title luma * alpha (limited range)
    alpha_c: np.ndarray  # (h/2, w/2) float32
    start_s: float
    end_s: float
    _full: list[np.ndarray] = field(default_factory=list, repr=False, compare=False)

    def strength(self, t: float) -> float:
        """0 outside the title's time, ramping up and down at its edges."""
        if t < self.start_s or t >= self.end_s:
            return 0.0
        fade = min(FADE_S, (self.end_s - self.start_s) / 4)
        if fade <= 0:
            return 1.0
        return float(min(1.0, (t - self.start_s) / fade, (self.end_s - t) / fade))

    def _weights(self, f: float) -> tuple[np.ndarray, ...]:
        """Fixed-point (x256) blend weights at strength f: out = (px * keep + add) >> 8.
        The sum is a convex mix of two bytes, so it fits uint16."""
        if f >= 1 and self._full:
            return self._full
        keep_y = np.rint(256 * (1 - self.alpha * f)).astype(np.uint16)
        add_y = np.rint(256 * self.luma * f + 128).astype(np.uint16)
        keep_c = np.rint(256 * (1 - self.alpha_c * f)).astype(np.uint16)
        add_c = np.rint(256 * 128 * self.alpha_c * f + 128).astype(np.uint16)
        weights = (keep_y, add_y, keep_c, add_c)
        if f >= 1:
            self._full.extend(weights)
        return weights

    def apply(self, frame: av.VideoFrame, t: float) -> av.VideoFrame:
        """The frame with the title blended in at time t (a new frame; the decoder's own
        buffers are never written, other frames may still reference them)."""
        f = self.strength(t)
        if f <= 0:
            return frame
        keep_y, add_y, keep_c, add_c = self._weights(f)
        img = frame.to_ndarray()  # (h*3/2, w) yuv420p, a private copy
        fh, fw = frame.height, frame.width
        (h, w), (ch, cw), y, x = keep_y.shape, keep_c.shape, self.y, self.x
        region = img[y : y + h, x : x + w]
        region[...] = (region * keep_y + add_y) >> 8
        chroma = img[fh:].reshape(2, fh // 2, fw // 2)  # U then V, as PyAV lays them out
        cr = chroma[:, y // 2 : y // 2 + ch, x // 2 : x // 2 + cw]
        cr[...] = (cr * keep_c + add_c) >> 8
        return av.VideoFrame.from_ndarray(img, format="yuv420p")


def make_overlay(
    text: str, width: int, height: int, start_s: float, end_s: float
) -> Overlay | None:
    """The overlay for a title drawn on an upright width x height picture (exports encode
    pictures upright). None for an empty title."""
    if not text.strip() or end_s <= start_s:
        return None
    rgba, x, y = render_rgba(text, width, height)
    arr = np.asarray(rgba, dtype=np.float32) / 255.0
    full = np.zeros((height, width, 2), np.float32)  # alpha, premultiplied grey
    h, w = arr.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    if x1 <= x0 or y1 <= y0:
        return None
    crop = arr[y0 - y : y1 - y, x0 - x : x1 - x]
    full[y0:y1, x0:x1, 0] = crop[..., 3]
    full[y0:y1, x0:x1, 1] = crop[..., 0] * crop[..., 3]
    alpha = full[..., 0]
    rows, cols = np.nonzero(alpha > 1 / 512)
    if not rows.size:
        return None
    ys, ye = rows.min() // 2 * 2, min(height, (rows.max() + 2) // 2 * 2)
    xs, xe = cols.min() // 2 * 2, min(width, (cols.max() + 2) // 2 * 2)
    a = np.ascontiguousarray(alpha[ys:ye, xs:xe])
    grey = full[ys:ye, xs:xe, 1]
    luma = np.ascontiguousarray(a * 16.0 + grey * 219.0)  # limited-range Y, premultiplied
    ac = a.reshape(a.shape[0] // 2, 2, a.shape[1] // 2, 2).mean(axis=(1, 3))
    return Overlay(int(xs), int(ys), a, luma, np.ascontiguousarray(ac), start_s, end_s)
