"""Timeline pictures and sound shapes for an upload: a strip of JPEG thumbnails and a peak
waveform, both cheap enough to make right after the upload lands.

Thumbnails seek to the keyframe before each point and decode forward only when that
keyframe is far from it, so long clips cost about `count` keyframe decodes. The waveform
keeps per-block peaks while decoding (memory stays small for hour-long files) and folds
them into the asked number of points at the end.
"""

from __future__ import annotations

import itertools
import math
import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from nemodesk.engine.media.probe import MediaError, open_media, picture_stream, probe

_JPEG_QUALITY = 80


def _size(frame: av.VideoFrame, stream: av.VideoStream, height: int) -> tuple[int, int]:
    """Thumbnail size keeping the displayed shape (pixel aspect and rotation included)."""
    w, h = frame.width, frame.height
    sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    if sar and sar > 0:
        w = w * float(sar)
    if round((frame.rotation or 0) / 90) % 2:
        w, h = h, w
    return max(1, round(height * w / h)), height


def _picture(frame: av.VideoFrame, stream: av.VideoStream, height: int) -> Image.Image:
    size = _size(frame, stream, height)
    turn = round((frame.rotation or 0) / 90) % 4
    if turn % 2:  # scale the coded picture, then turn it upright
        image = frame.to_image(width=size[1], height=size[0])
    else:
        image = frame.to_image(width=size[0], height=size[1])
    return image.rotate(90 * turn, expand=True) if turn else image


def make_thumbnails(video: Path, out_dir: Path, *, count: int = 10, height: int = 90) -> list[Path]:
    """`count` JPEGs `height` pixels high, evenly spaced (each from the middle of its slice
    of the clip), named thumb_000.jpg… in out_dir. A still image gives `count` copies."""
    video, out_dir = Path(video), Path(out_dir)
    if count < 1 or height < 8:
        raise ValueError("count must be at least 1 and height at least 8 pixels")
    info = probe(video)
    if not (info.has_video or info.kind == "image"):
        raise MediaError(f"{video.name} has no picture to make thumbnails from.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MediaError(
            f"Can't create the folder {out_dir} for thumbnails: {exc.strerror}."
        ) from None
    paths = [out_dir / f"thumb_{i:03d}.jpg" for i in range(count)]
    with open_media(video) as box:
        stream = picture_stream(box)
        assert stream is not None
        stream.thread_type = "AUTO"
        try:
            duration = 0.0 if info.kind == "image" else info.duration_s
            images = _grab(box, stream, duration, count, height)
        except (av.FFmpegError, ValueError, OSError):
            raise MediaError(f"{video.name} is damaged: its pictures can't be decoded.") from None
    if not images:
        raise MediaError(f"{video.name} is damaged: its pictures can't be decoded.")
    for i, path in enumerate(paths):
        image = images[min(i, len(images) - 1)]
        tmp = path.with_name(f".{path.name}.part")
        try:
            image.convert("RGB").save(tmp, "JPEG", quality=_JPEG_QUALITY)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise MediaError(f"Can't write thumbnails to {out_dir}: {exc.strerror}.") from None
    return paths


def _keyframes(stream: av.VideoStream, tb: Fraction) -> list[float]:
    """Keyframe times from the container's index (mp4/mov have one); [] when unknown."""
    try:
        return sorted(float(e.timestamp * tb) for e in stream.index_entries if e.is_keyframe)
    except (AttributeError, TypeError, ValueError):
        return []


def _grab(
    box: av.container.InputContainer,
    stream: av.VideoStream,
    duration: float,
    count: int,
    height: int,
) -> list[Image.Image]:
    """One picture per slice, from the slice's middle: seek to the keyframe before it, and
    decode on only while that keyframe lies more than half a slice away. When the keyframe
    is one already decoded past (sparse keyframes), decoding simply continues forward, so
    the whole strip never costs more than one pass over the clip."""
    if duration <= 0:  # a still: one decode, repeated
        for frame in box.decode(stream):
            return [_picture(frame, stream, height)]
        return []
    tb = stream.time_base or Fraction(1, 1000)
    start = float(stream.start_time * tb) if stream.start_time is not None else 0.0
    keys = _keyframes(stream, tb)
    slice_s = duration / count
    rate = float(stream.average_rate or stream.guessed_rate or 30)
    half_frame = 0.5 / rate if rate > 0 else 0.0
    images: list[Image.Image] = []
    frames = None
    last_t = -math.inf
    linear = False
    for i in range(count):
        target = start + (i + 0.5) * slice_s
        key = max((k for k in keys if k <= target), default=None)
        if not linear and (frames is None or key is None or key > last_t or target < last_t):
            box.seek(int(target / tb), stream=stream, backward=True)
            frames = box.decode(stream)
            first = next(frames, None)
            if first is None or (first.time is not None and first.time > target + slice_s / 2):
                # MPEG-TS (.mts/.m2ts) seeks land on the keyframe after the target, or past
                # the end: read from the start instead, and on forward from there.
                box.seek(0)
                frames, linear = box.decode(stream), True
            else:
                frames = itertools.chain([first], frames)
        chosen = None
        for frame in frames:
            last_t = float(frame.time) if frame.time is not None else target
            chosen = frame
            if last_t >= target - half_frame:  # the frame shown at the middle
                break
        if chosen is None:  # past the last frame: keep the previous picture
            frames = None
            if images:
                images.append(images[-1])
            continue
        images.append(_picture(chosen, stream, height))
    return images


def make_waveform(audio_or_video: Path, *, points: int = 1000) -> list[float]:
    """Peak level (0..1, full scale = 1) of the first audio stream in `points` equal slices;
    [] for a file without sound."""
    path = Path(audio_or_video)
    if points < 1:
        raise ValueError("points must be at least 1")
    info = probe(path)
    if not info.has_audio:
        return []
    rate = info.audio_rate or 48_000
    expected = max(1, int(info.duration_s * rate))
    block = max(1, min(256, expected // (points * 4)))  # ≥ 4 blocks per point
    peaks: list[np.ndarray] = []
    carry = np.zeros(0, np.float32)
    with open_media(path) as box:
        stream = box.streams.audio[0]
        stream.thread_type = "AUTO"
        try:
            for frame in box.decode(stream):
                data = frame.to_ndarray()
                mono = _peak_mono(data, frame.format.name, len(frame.layout.channels))
                mono = np.concatenate([carry, mono]) if carry.size else mono
                whole = mono.size // block * block
                if whole:
                    peaks.append(mono[:whole].reshape(-1, block).max(axis=1))
                carry = mono[whole:]
        except (av.FFmpegError, ValueError):
            if not peaks:
                raise MediaError(f"{path.name} is damaged: its sound can't be decoded.") from None
            cut_short = True  # keep what was read, silent after, so the times still line up
        else:
            cut_short = False
    if carry.size:
        peaks.append(np.array([carry.max()], np.float32))
    if not peaks:
        return []
    env = np.concatenate(peaks)
    if cut_short and env.size < math.ceil(expected / block):
        env = np.pad(env, (0, math.ceil(expected / block) - env.size))
    # Slice i covers blocks [starts[i], starts[i+1]); a slice narrower than a block repeats
    # its block's peak.
    starts = np.minimum(np.floor(np.linspace(0, env.size, points + 1)[:-1]), env.size - 1)
    out = np.minimum(1.0, np.maximum.reduceat(env, starts.astype(np.intp)))
    return [round(float(v), 4) for v in out]


def _peak_mono(data: np.ndarray, fmt: str, channels: int) -> np.ndarray:
    """|sample| as float32 0..1, the loudest channel at each instant."""
    x = np.abs(data.astype(np.float32))
    if fmt.startswith("s16"):
        x /= 32768.0
    elif fmt.startswith("s32"):
        x /= 2147483648.0
    elif fmt.startswith("u8"):
        x = np.abs(data.astype(np.float32) - 128.0) / 128.0
    elif fmt.startswith("s64"):
        x /= 9.223372036854776e18
    if fmt.endswith("p"):  # planar: one row per channel
        return x.max(axis=0)
    return x.reshape(-1, max(1, channels)).max(axis=1)  # packed: interleaved
