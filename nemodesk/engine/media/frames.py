"""The export's picture: packets copied as they are, or frames decoded, fitted, titled and
re-encoded.

Copying is chosen whenever nothing about the picture changes (export.py decides): it is a
remux, bit-exact and many times faster than real time. Re-encoding walks the output frame
grid; each output frame shows the latest source frame due by then (so any source frame
rate maps onto the output's), black where no clip is, with titles blended on top.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import av.filter
import numpy as np
from av.container import InputContainer, OutputContainer
from av.video.frame import PictureType

from nemodesk.engine.media.audiomix import SourceReadError, source_packets, tolerant_decode
from nemodesk.engine.media.probe import MediaInfo, picture_stream
from nemodesk.engine.media.title import make_overlay

INTERLEAVE_S = 0.5  # keep the sound this far ahead of the picture being muxed
_MAX_FPS = 60
_MAX_STILL = (1920, 1080)
# What players, editors and TVs expect; a phone's variable rate averages to 27.44 fps
# (26152/953), which is none of them.
STANDARD_RATES = tuple(
    Fraction(r) for r in ("24000/1001", "24", "25", "30000/1001", "30", "50", "60000/1001", "60")
)  # long side, short side of a video made from a still image

# quality -> (x264 preset, x264 crf, vp9 crf)
_VIDEO_QUALITY = {
    "high": ("veryfast", 20, 32),
    "medium": ("veryfast", 23, 36),
    "low": ("ultrafast", 28, 42),
}


class Sound(Protocol):
    def until(self, t_s: float) -> None: ...


@dataclass(frozen=True)
class Clip:
    """A video-track segment resolved to its file. zero_s is the source time of its first
    picture (the clip's 0: its sound is placed from the same point, keeping sync); rotation
    is the pictures' display rotation in degrees counter-clockwise."""

    path: Path
    info: MediaInfo
    start_s: float
    in_s: float
    dur_s: float
    volume: float
    heard: bool  # False when the track's sound mode is "mute"
    zero_s: float = 0.0
    rotation: int = 0
    video_dur_s: float = 0.0

    @property
    def end_s(self) -> float:
        return self.start_s + self.dur_s

    @property
    def picture(self) -> bool:
        return self.info.has_video or self.info.kind == "image"


def can_copy(clips: list[Clip], length_s: float, fmt: str, titled: bool) -> bool:
    """One whole H.264 clip from its start, nothing drawn on it, into mp4/mov."""
    if fmt not in ("mp4", "mov") or titled or len(clips) != 1:
        return False
    clip = clips[0]
    # H.264, or HEVC (phones): a copy keeps an iPhone's 10-bit HLG exactly as it was.
    if not clip.info.has_video or clip.info.video_codec not in ("h264", "hevc"):
        return False
    frame_s = 1 / clip.info.fps if clip.info.fps > 0 else 1 / 30
    return (
        clip.start_s < 1e-3
        and clip.in_s < 1e-3
        and abs(clip.dur_s - clip.video_dur_s) <= 1.5 * frame_s
        and abs(length_s - clip.dur_s) < 1e-3
    )


def copy_packets(
    oc: OutputContainer,
    box: InputContainer,
    src: av.VideoStream,
    out: av.VideoStream,
    sound: Sound | None,
    tick: Callable[[float], None],
) -> None:
    """Remux the clip's packets unchanged, the sound interleaved half a second ahead.
    Timestamps shift so the first picture is at 0, where the mix puts the clip's sound."""
    start = src.start_time or 0
    tb = src.time_base
    for packet in source_packets(box, src, Path(box.name)):
        if packet.pts is None and packet.dts is None:
            continue
        if packet.pts is not None:
            packet.pts -= start
        if packet.dts is not None:
            packet.dts -= start
        t = float((packet.pts if packet.pts is not None else packet.dts) * tb)
        if sound is not None:
            sound.until(t + INTERLEAVE_S)
        packet.stream = out
        oc.mux(packet)
        tick(t)


def black(width: int, height: int) -> av.VideoFrame:
    img = np.empty((height * 3 // 2, width), np.uint8)
    img[:height] = 16
    img[height:] = 128
    return av.VideoFrame.from_ndarray(img, format="yuv420p")


def _turn(frame: av.VideoFrame, k: int) -> av.VideoFrame:
    """The picture turned k quarter turns counter-clockwise, as yuv420p."""
    w, h = frame.width - frame.width % 2, frame.height - frame.height % 2
    img = frame.reformat(w, h, "yuv420p").to_ndarray()
    ty = np.rot90(img[:h], k)
    tu, tv = (np.rot90(p, k) for p in img[h:].reshape(2, h // 2, w // 2))
    flat = np.concatenate([ty.ravel(), tu.ravel(), tv.ravel()])
    return av.VideoFrame.from_ndarray(flat.reshape(-1, ty.shape[1]), format="yuv420p")


def fit(
    frame: av.VideoFrame, width: int, height: int, turn: int = 0, sar: float = 1.0
) -> av.VideoFrame:
    """The picture as width x height yuv420p (square pixels), turned to the output's
    orientation and scaled to fit its displayed shape (black bars where the shape differs).
    `sar` is the source's pixel aspect (anamorphic DV: 32/27 for 16:9 in 720x480)."""
    if turn:
        frame = _turn(frame, turn)
    shown_w, shown_h = float(frame.width), float(frame.height)
    if abs(sar - 1.0) > 1e-3:  # the stored pixels are wider (or narrower) than tall
        if turn % 2:
            shown_h *= sar
        else:
            shown_w *= sar
    elif frame.width == width and frame.height == height and frame.format.name == "yuv420p":
        return frame
    scale = min(width / shown_w, height / shown_h)
    fw = min(width, max(2, round(shown_w * scale / 2) * 2))
    fh = min(height, max(2, round(shown_h * scale / 2) * 2))
    if width - fw <= 2 and height - fh <= 2:
        return frame.reformat(width, height, "yuv420p", interpolation="BILINEAR")
    inner = frame.reformat(fw, fh, "yuv420p", interpolation="BILINEAR").to_ndarray()
    canvas = black(width, height).to_ndarray()
    x, y = (width - fw) // 4 * 2, (height - fh) // 4 * 2
    canvas[y : y + fh, x : x + fw] = inner[:fh]
    cu = canvas[height:].reshape(2, height // 2, width // 2)
    cu[:, y // 2 : (y + fh) // 2, x // 2 : (x + fw) // 2] = inner[fh:].reshape(2, fh // 2, fw // 2)
    return av.VideoFrame.from_ndarray(canvas, format="yuv420p")


class _ToSdr:
    """HDR pictures (BT.2020 HLG/PQ, 10-bit) as SDR BT.709 yuv420p, with FFmpeg's colorspace
    filter: BT.2020 primaries and matrix converted to BT.709 in linear light. The wheel has
    no zscale, so the transfer is read as BT.2020's SDR curve: right for HLG (made to look
    right on SDR screens that way), only approximate for PQ."""

    def __init__(self) -> None:
        self.graph: av.filter.Graph | None = None
        self.key: tuple[int, int, str] | None = None

    def __call__(self, frame: av.VideoFrame) -> av.VideoFrame:
        key = (frame.width, frame.height, frame.format.name)
        if self.graph is None or key != self.key:
            graph = av.filter.Graph()
            src = graph.add_buffer(
                width=frame.width,
                height=frame.height,
                format=frame.format.name,
                time_base=Fraction(1, 1000),
            )
            cs = graph.add(
                "colorspace",
                "all=bt709:iall=bt2020:itrc=bt2020-10:format=yuv420p:range=tv:irange=tv",
            )
            sink = graph.add("buffersink")
            src.link_to(cs)
            cs.link_to(sink)
            graph.configure()
            self.graph, self.key = graph, key
        self.graph.push(frame)
        return self.graph.pull()


class _Pictures:
    """A clip's decoded pictures, looked up by source time (the latest frame due by then)."""

    def __init__(self, clip: Clip, size: tuple[int, int], fps: float) -> None:
        self.clip, self.size = clip, size
        self.turn = round(clip.rotation / 90) % 4  # turned upright
        self.half = 0.5 / fps
        self.still = clip.info.kind == "image"
        self.frame_s = 1 / (clip.info.fps if clip.info.fps > 0 else 30.0)
        self.cur: tuple[float, av.VideoFrame] | None = None
        self.nxt: tuple[float, av.VideoFrame] | None = None
        self.fitted: av.VideoFrame | None = None
        self.done, self.count = False, 0
        self.sdr = _ToSdr() if clip.info.hdr else None
        try:
            self.box = av.open(str(clip.path))
        except (av.FFmpegError, OSError, ValueError) as err:
            raise SourceReadError(clip.path) from err
        try:
            stream = picture_stream(self.box)
            if stream is None:
                raise ValueError("no picture")
            stream.thread_type = "AUTO"
            target = clip.in_s + clip.zero_s
            if target > 0.5 and not self.still:
                tb = stream.time_base or Fraction(1, 1000)
                self.box.seek(int(target / tb), stream=stream, backward=True)
            self.frames = tolerant_decode(self.box, stream, clip.path)
        except (av.FFmpegError, OSError, ValueError) as err:
            self.box.close()
            raise SourceReadError(clip.path) from err

    def _next(self) -> tuple[float, av.VideoFrame] | None:
        try:
            frame = next(self.frames)
        except StopIteration:
            self.done = True
            return None
        except (av.FFmpegError, ValueError) as err:
            raise SourceReadError(self.clip.path) from err
        self.count += 1
        if frame.time is None:
            return (self.count - 1) * self.frame_s, frame
        return float(frame.time) - self.clip.zero_s, frame

    def at(self, t: float) -> av.VideoFrame | None:
        """The frame to show at source time t; None past the end of the footage."""
        while not self.done:
            if self.nxt is None:
                self.nxt = self._next()
                if self.nxt is None:
                    break
            if self.cur is not None and self.nxt[0] > t + self.half:
                break
            self.cur, self.nxt, self.fitted = self.nxt, None, None
        if self.cur is None:
            return None
        if self.done and not self.still and t > self.cur[0] + 2 * self.frame_s:
            return None
        if self.fitted is None and self.sdr is not None:
            self.cur = (self.cur[0], self.sdr(self.cur[1]))
        if self.fitted is None:
            self.fitted = fit(self.cur[1], *self.size, self.turn, self.clip.info.sample_aspect)
        return self.fitted

    def close(self) -> None:
        self.box.close()


@dataclass(frozen=True)
class Geometry:
    """The output picture: its displayed size (pictures are encoded upright) and rate."""

    width: int
    height: int
    fps: Fraction


def standard_rate(average: float, nominal: float = 0.0) -> Fraction:
    """The output's frame rate. A clean rate is kept (whole frames per second or the
    NTSC N×1000/1001, within 0.2 %: 25, 29.97, a screen recording's 15); a variable-rate
    phone clip averaging 27.44 takes its declared rate when that is clean (iPhones and
    Android phones declare 30), else the standard rate nearest its average."""
    for rate in (average, nominal):
        if 1 <= rate <= _MAX_FPS:
            whole = Fraction(round(rate))
            ntsc = Fraction(round(rate * 1.001) * 1000, 1001)
            best = min((whole, ntsc), key=lambda r: abs(float(r) - rate))
            if best > 0 and abs(float(best) - rate) <= 0.002 * rate:
                return best
    if 1 <= average <= _MAX_FPS:
        return min(STANDARD_RATES, key=lambda r: abs(float(r) - average))
    return Fraction(30)


def add_video_stream(
    oc: OutputContainer, clips: list[Clip], fmt: str, quality: str
) -> tuple[av.VideoStream, Geometry]:
    """The output picture takes the first clip's displayed size and its rate. Pictures are
    encoded upright (a phone's portrait clip is turned, not tagged with a display rotation:
    PyAV 15 cannot write one, and every player shows an upright picture the same way)."""
    first = next(c for c in clips if c.picture)
    width, height = first.info.width, first.info.height
    if abs(first.info.sample_aspect - 1.0) > 1e-3:  # anamorphic: square pixels, same shape
        width = round(width * first.info.sample_aspect)
    if round(first.rotation / 90) % 2:
        width, height = height, width
    if first.info.kind == "image":  # a photo's 12 MP would make a needlessly huge video
        scale = min(1.0, _MAX_STILL[0] / max(width, height), _MAX_STILL[1] / min(width, height))
        width, height = round(width * scale), round(height * scale)
    width, height = max(2, width - width % 2), max(2, height - height % 2)
    fps = standard_rate(first.info.fps, first.info.nominal_fps)
    preset, crf, vp9_crf = _VIDEO_QUALITY[quality]
    if fmt == "webm":
        stream = oc.add_stream("libvpx-vp9", rate=fps)
        stream.options = {
            "deadline": "realtime",
            "cpu-used": "8" if quality == "low" else "7",
            "row-mt": "1",
            "crf": str(vp9_crf),
            "b": "0",
        }
        stream.codec_context.thread_count = max(1, min(8, os.cpu_count() or 1))
    else:
        stream = oc.add_stream("libx264", rate=fps)
        stream.options = {"preset": preset, "crf": str(crf)}
        stream.codec_context.thread_count = 0  # x264 sizes its own thread pool
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.codec_context.time_base = 1 / fps
    if first.info.hdr:  # its pictures are converted to SDR BT.709 (_ToSdr): say so
        cc = stream.codec_context
        cc.color_primaries, cc.color_trc, cc.colorspace, cc.color_range = 1, 1, 1, 1
    return stream, Geometry(width, height, fps)


def encode_video(
    oc: OutputContainer,
    stream: av.VideoStream,
    geo: Geometry,
    clips: list[Clip],
    titles: list[tuple[str, float, float]],
    length_s: float,
    sound: Sound | None,
    tick: Callable[[float], None],
) -> None:
    """Decode, fit, title and encode every output frame of the timeline."""
    size = (geo.width, geo.height)
    overlays = [o for text, a, b in titles if (o := make_overlay(text, *size, a, b)) is not None]
    blank = black(*size)
    frame_tb = 1 / geo.fps
    pictures = [c for c in clips if c.picture]
    live: dict[int, _Pictures] = {}
    try:
        for k in range(max(1, round(length_s * geo.fps))):
            t = float(k * frame_tb)
            frame = None
            for i in range(len(pictures) - 1, -1, -1):  # the latest-starting clip on top
                clip = pictures[i]
                if clip.start_s - 1e-6 <= t < clip.end_s - 1e-6:
                    if i not in live:
                        live[i] = _Pictures(clip, size, float(geo.fps))
                    frame = live[i].at(clip.in_s + t - clip.start_s)
                    break
            for i in [i for i in live if pictures[i].end_s <= t]:
                live.pop(i).close()
            frame = frame if frame is not None else blank
            for overlay in overlays:
                frame = overlay.apply(frame, t)
            frame.pts, frame.time_base = k, frame_tb
            frame.pict_type = PictureType.NONE  # let the encoder place keyframes
            for packet in stream.encode(frame):
                if sound is not None:
                    sound.until(float(packet.pts * packet.time_base) + INTERLEAVE_S)
                oc.mux(packet)
            tick(t)
        oc.mux(stream.encode(None))
    finally:
        for p in live.values():
            p.close()
