"""Hard-cut detection, so music accents can land on the picture's cuts.

Every frame is decoded (multi-threaded, deblocking skipped) and shrunk by FFmpeg's area
filter to a 64×36 YUV thumbnail; cuts are sudden jumps in the thumbnail difference. The jump
is measured against the motion level around it, so pans, hand-held shake and grain don't read
as cuts, and fades or colour drifts (many small steps) never reach the bar. The change must
also last (frames two and three apart across it still differ), which rejects flashes.
"""

from __future__ import annotations

import os
import warnings
from collections import deque

import av
import numpy as np
from av.video.reformatter import Interpolation, VideoReformatter

from nemodesk.engine.media.probe import (
    MediaError,
    open_media,
    picture_stream,
    silence_other_streams,
)

THUMB_W, THUMB_H = 64, 36
# A score of 1.0 means the thumbnail difference (mean |Δ| / 255, luma 2/3 and chroma 1/3 of
# the weight) jumped by this much above _MOTION_FACTOR × the surrounding motion level. The
# default threshold 0.3 is then a jump of 0.024 (about 6 grey levels across the picture):
# measured on generated footage, cuts between shots of the same colour score ≥ 0.33 and no
# fade, dissolve, fast grainy pan, colour drift or keyframe pulse scores over 0.06.
_SCORE_SCALE = 0.08
_MOTION_FACTOR = 2.5  # a cut must exceed 2.5× the surrounding motion level (dropped frames)...
_WINDOW = 8  # ...measured as the median difference over this many frames on each side
_PERSIST = 0.5  # share of the jump that must remain between frames 2-3 apart across it


def detect_cuts(
    path: str | os.PathLike, *, threshold: float = 0.3, min_gap_s: float = 0.25
) -> list[float]:
    """Times in seconds (from the first picture) of the first frame of each new shot, sorted.

    threshold: 0..1, how sudden a change must be to count (see _SCORE_SCALE); lower finds
    subtler cuts. min_gap_s: of cuts closer than this, only the strongest is kept.
    A file without a picture returns []. Raises MediaError for unreadable files.
    """
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    name = os.path.basename(os.fspath(path)) or os.fspath(path)
    with open_media(path) as container:
        stream = picture_stream(container)
        if stream is None:
            return []
        try:
            times, diffs, skip1, skip2 = _measure(container, stream)
        except av.FFmpegError:
            raise MediaError(f"{name} is damaged: its picture can't be decoded.") from None
    return _pick_cuts(times, diffs, skip1, skip2, threshold, min_gap_s)


def _measure(
    container: av.container.InputContainer, stream: av.VideoStream
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Decode every frame once; return frame times and, per frame i, its thumbnail distance
    to frames i-1, i-2 and i-3."""
    silence_other_streams(container, stream)
    stream.thread_type = "AUTO"
    # Skipping the deblocking filter decodes H.264/HEVC ~15% faster; the drift it causes is
    # fine detail that the 64×36 area thumbnail averages away (< 0.01 at keyframes, measured).
    stream.codec_context.options = {"skip_loop_filter": "all"}
    # Times on the picture's own clock (its first frame is 0), as the export and the speech
    # regions count: a sound lead-in before the first picture must not make cuts late.
    if stream.start_time is not None and stream.time_base:
        start = float(stream.start_time * stream.time_base)
    elif container.start_time is not None:
        start = container.start_time / av.time_base
    else:
        start = 0.0
    rate = float(stream.average_rate or stream.guessed_rate or 30)
    reformatter = VideoReformatter()
    recent: deque[np.ndarray] = deque(maxlen=3)
    times: list[float] = []
    d1: list[float] = []
    d2: list[float] = []
    d3: list[float] = []
    for frame in container.decode(stream):
        thumb = (
            reformatter.reformat(
                frame,
                width=THUMB_W,
                height=THUMB_H,
                format="yuv420p",
                interpolation=Interpolation.AREA,
            )
            .to_ndarray()
            .astype(np.int16)
        )
        t = frame.time
        times.append(t - start if t is not None else len(times) / rate)
        k = len(recent)
        d1.append(_distance(recent[-1], thumb) if k >= 1 else 0.0)
        d2.append(_distance(recent[-2], thumb) if k >= 2 else np.nan)
        d3.append(_distance(recent[-3], thumb) if k >= 3 else np.nan)
        recent.append(thumb)
    return np.array(times), np.array(d1), np.array(d2), np.array(d3)


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two packed YUV420 thumbnails, 0..1 (luma weighs 2/3)."""
    return float(np.abs(a - b).mean()) / 255.0


def _pick_cuts(
    times: np.ndarray,
    d: np.ndarray,
    skip1: np.ndarray,
    skip2: np.ndarray,
    threshold: float,
    min_gap_s: float,
) -> list[float]:
    n = len(d)
    if n < 2:
        return []
    # Motion level around each frame: median difference just before and just after it.
    padded = np.concatenate([np.full(_WINDOW, np.nan), d, np.full(_WINDOW, np.nan)])
    padded[_WINDOW] = np.nan  # frame 0 has no predecessor
    windows = np.lib.stride_tricks.sliding_window_view(padded, _WINDOW)
    with warnings.catch_warnings():  # all-NaN windows at the edges are expected
        warnings.simplefilter("ignore", RuntimeWarning)
        before = np.nanmedian(windows[:n], axis=1)  # frames i-W .. i-1
        after = np.nanmedian(windows[_WINDOW + 1 : _WINDOW + 1 + n], axis=1)  # i+1 .. i+W
    motion = np.fmax(np.nan_to_num(before, nan=0.0), np.nan_to_num(after, nan=0.0))
    score = np.clip((d - _MOTION_FACTOR * motion) / _SCORE_SCALE, 0.0, 1.0)
    score[0] = 0.0

    # A cut is a lasting change: frames i+1 and i+2 still differ from frame i-1, and frame i
    # differs from i-2 and i-3 too. A flash fails the first test, the return from it the second.
    later1 = np.append(skip1[1:], np.nan)  # distance(i-1, i+1)
    later2 = np.append(skip2[2:], [np.nan, np.nan])  # distance(i-1, i+2)
    stays = np.fmin(later1, later2)
    left = np.fmin(skip1, skip2)  # distance(i-2, i), distance(i-3, i)
    persistent = (np.isnan(stays) | (stays >= _PERSIST * d)) & (
        np.isnan(left) | (left >= _PERSIST * d)
    )

    candidates = np.flatnonzero((score >= threshold) & persistent)
    chosen: list[int] = []
    for i in sorted(candidates, key=lambda i: (-score[i], -d[i], i)):
        if all(abs(times[i] - times[j]) >= min_gap_s for j in chosen):
            chosen.append(int(i))
    return sorted(round(float(times[i]), 6) for i in chosen)
