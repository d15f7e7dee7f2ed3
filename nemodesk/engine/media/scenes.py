"""Hard-cut detection, so music accents can land on the picture's cuts.

Cuts are sudden jumps in the difference between small YUV thumbnails (64×36 luma, 32×18
chroma) of successive pictures. The jump is measured against the motion level around it, so
pans, hand-held shake and grain don't read as cuts, and fades or colour drifts (many small
steps) never reach the bar. The change must also last (pictures two and three apart across
it still differ), which rejects flashes.

Speed (1080p H.264 at 8 Mb/s: ≥ 12× real time on two cores, issue 18): the decoder skips
the deblocking filter and the pictures no other picture refers to (typically every other
B-frame), and files of 6 s or more are scanned in parts side by side, one single-threaded
decoder per core, split at keyframes (shorter ones: one frame-threaded decoder). Each picture
kept becomes a thumbnail by a fast 128×72 scale and 2×2 sums. So the scan compares reference
pictures; frame-exactness is restored after it (see _decide): a cut between two of them with
skipped pictures in between is placed by decoding just those (from the keyframe before, the
others still skipped), and a candidate whose score the skipped pictures leave in doubt is
decoded picture by picture around it and scored as a full decode would. Files whose packets
carry no timestamps are scanned picture by picture.
"""

from __future__ import annotations

import bisect
import itertools
import os
import threading
import warnings
from collections import deque
from dataclasses import dataclass, field

import av
import numpy as np
from av.video.reformatter import Interpolation, VideoReformatter

from nemodesk.engine.media.probe import (
    MediaError,
    open_media,
    picture_stream,
)

THUMB_W, THUMB_H = 64, 36
_MAX_PARTS = 4  # the scan runs in up to this many parts side by side (one per core)...
_MIN_SPLIT_S = 6.0  # ...for files at least this long
# A score of 1.0 means the thumbnail difference (mean |Δ| / 255, luma 2/3 and chroma 1/3 of
# the weight) jumped by this much above _MOTION_FACTOR × the surrounding motion level. The
# default threshold 0.3 is then a jump of 0.024 (about 6 grey levels across the picture):
# measured on generated footage, cuts between shots of the same colour score ≥ 0.33 and no
# fade, dissolve, fast grainy pan, colour drift or keyframe pulse scores over 0.06.
_SCORE_SCALE = 0.08
_MOTION_FACTOR = 2.5  # a cut must exceed 2.5× the surrounding motion level (dropped frames)...
_WINDOW = 8  # ...measured as the median difference over this many frames on each side
_PERSIST = 0.5  # share of the jump that must remain between frames 2-3 apart across it


@dataclass
class _Scan:
    """What one pass over the picture stream saw (times on the picture's own clock)."""

    times: list[float] = field(default_factory=list)  # decoded pictures, display order
    pts: list[int] = field(default_factory=list)
    d1: list[float] = field(default_factory=list)  # thumbnail distance to the decoded i-1
    d2: list[float] = field(default_factory=list)  # ... i-2
    d3: list[float] = field(default_factory=list)  # ... i-3
    packets: list[tuple[int, bool]] = field(default_factory=list)  # (pts, keyframe), decode order
    complete: bool = True  # False: a picture without a timestamp turned up while skipping
    head: list[np.ndarray] = field(default_factory=list)  # first 3 thumbnails (for joining)
    tail: list[np.ndarray] = field(default_factory=list)  # last 3


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
    try:
        with open_media(path) as container:
            stream = picture_stream(container)
            if stream is None:
                return []
            index = stream.index
            splits = _split_points(container, stream, min(os.cpu_count() or 1, _MAX_PARTS))
        scan = _scan_file(path, index, splits)
        if not scan.complete:
            with open_media(path) as container:
                scan = _measure(container, container.streams[index], skip_nonref=False)
        cuts = _decide(path, index, scan, threshold, min_gap_s)
    except av.FFmpegError:
        raise MediaError(f"{name} is damaged: its picture can't be decoded.") from None
    return cuts


def _clock(container: av.container.InputContainer, stream: av.VideoStream) -> float:
    """The first picture's time: cuts count from it, as the export and the speech regions
    do, so a sound lead-in before the first picture doesn't make cuts late."""
    if stream.start_time is not None and stream.time_base:
        return float(stream.start_time * stream.time_base)
    if container.start_time is not None:
        return container.start_time / av.time_base
    return 0.0


def _open_decoder(stream: av.VideoStream) -> av.codec.context.CodecContext:
    stream.thread_type = "AUTO"
    cc = stream.codec_context
    # Skipping the deblocking filter decodes H.264/HEVC ~15% faster; the drift it causes is
    # fine detail that the thumbnail averages away (< 0.01 at keyframes, measured).
    cc.options = {"skip_loop_filter": "all"}
    return cc


class _Thumbnailer:
    """64×36 luma + 2× 32×18 chroma as one int16 vector (×4: sums of 2×2 pixels).

    libswscale's fast bilinear scale to 128×72 reads only the few source pixels it needs
    (~0.16 ms for a 1080p picture, against ~1.2 ms for an area scale straight to 64×36); the
    2×2 sums then average what it sampled."""

    def __init__(self) -> None:
        self._reformatter = VideoReformatter()

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        a = self._reformatter.reformat(
            frame,
            width=2 * THUMB_W,
            height=2 * THUMB_H,
            format="yuv420p",
            interpolation=Interpolation.FAST_BILINEAR,
        ).to_ndarray()
        luma = a[: 2 * THUMB_H].reshape(THUMB_H, 2, THUMB_W, 2)
        chroma = a[2 * THUMB_H :].reshape(2, THUMB_H // 2, 2, THUMB_W // 2, 2)
        return np.concatenate(
            [
                luma.sum(axis=(1, 3), dtype=np.int16).ravel(),
                chroma.sum(axis=(2, 4), dtype=np.int16).ravel(),
            ]
        )


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two thumbnails, 0..1 (luma weighs 2/3)."""
    return float(np.abs(a - b).mean()) / (4 * 255.0)


def _measure(
    container: av.container.InputContainer,
    stream: av.VideoStream,
    *,
    skip_nonref: bool,
    part: tuple[int | None, int | None] = (None, None),
) -> _Scan:
    """Decode the picture stream once; per decoded picture i, its time and its thumbnail
    distance to decoded pictures i-1, i-2 and i-3. With skip_nonref, pictures no other
    picture refers to are not decoded (scan.packets still lists them).
    part: (from, until) keyframe pts: only the pictures shown from `from` (a keyframe the
    decoding starts at) up to before `until` (the packets before that keyframe's); the
    distances of a part's first three pictures are left for _join."""
    cc = _open_decoder(stream)
    first, until = part
    if first is not None or until is not None:
        stream.thread_type = "NONE"  # one decoder per core instead
    if skip_nonref:
        cc.skip_frame = "NONREF"
    start = _clock(container, stream)
    tb = stream.time_base
    rate = float(stream.average_rate or stream.guessed_rate or 30)
    thumb = _Thumbnailer()
    recent: deque[np.ndarray] = deque(maxlen=3)
    scan = _Scan()
    if first is not None:
        container.seek(first, stream=stream, backward=True)
    listing = True
    for packet in container.demux(stream):
        if packet.pts is not None:
            if (
                first is not None
                and not scan.packets
                and not (packet.pts == first and packet.is_keyframe)
            ):
                scan.complete = False  # the seek didn't land on the keyframe
                return scan
            if until is not None and packet.pts == until and packet.is_keyframe:
                listing = False  # the next part lists the packets from here
            if listing:
                scan.packets.append((packet.pts, packet.is_keyframe))
        elif skip_nonref and packet.size:
            scan.complete = False  # skipped pictures could not be placed in time
            return scan
        for frame in cc.decode(packet):
            t = frame.time
            if t is None or tb is None:
                if skip_nonref or first is not None or until is not None:
                    scan.complete = False
                    return scan
                t = start + len(scan.times) / rate
            if first is not None and frame.pts < first:
                continue  # an open GOP's leading picture: the part before shows it
            if until is not None and frame.pts >= until:
                scan.tail = list(recent)
                return scan
            small = thumb(frame)
            scan.times.append(t - start)
            scan.pts.append(frame.pts if frame.pts is not None else -1)
            k = len(recent)
            scan.d1.append(_distance(recent[-1], small) if k >= 1 else 0.0)
            scan.d2.append(_distance(recent[-2], small) if k >= 2 else np.nan)
            scan.d3.append(_distance(recent[-3], small) if k >= 3 else np.nan)
            recent.append(small)
            if len(scan.head) < 3:
                scan.head.append(small)
    scan.tail = list(recent)
    return scan


def _split_points(
    container: av.container.InputContainer, stream: av.VideoStream, parts: int
) -> list[int]:
    """Pts of keyframes that cut the picture stream into about equal parts, one per core,
    for files long enough to gain from it; [] to scan in one piece."""
    tb = stream.time_base
    if parts < 2 or not tb:
        return []
    if stream.duration is not None:
        length = float(stream.duration * tb)
    elif container.duration is not None:
        length = container.duration / av.time_base
    else:
        return []
    if length < _MIN_SPLIT_S:
        return []
    origin = stream.start_time or 0
    points: list[int] = []
    try:
        for k in range(1, parts):
            target = origin + round(length * k / parts / tb)
            best = None
            for backward in (True, False):
                container.seek(target, stream=stream, backward=backward)
                packet = next((p for p in container.demux(stream) if p.pts is not None), None)
                if packet is None or not packet.is_keyframe:
                    continue  # (a seek may land on any picture, e.g. in MPEG-TS)
                if best is None or abs(packet.pts - target) < abs(best - target):
                    best = packet.pts
            slack = length / parts / 2 / tb  # at most half a part away from the target
            if best is not None and abs(best - target) <= slack and best > origin:
                points.append(best)
    except (av.FFmpegError, OSError):
        return []
    return sorted(set(points))


def _scan_file(path: str | os.PathLike, index: int, splits: list[int]) -> _Scan:
    """The reference-picture scan, in parts decoded side by side when there are split
    points (each part one single-threaded decoder: no frame-threading overhead, and the
    parts run in parallel on a loaded machine too); in one piece otherwise."""
    bounds = [None, *splits, None]
    parts: list[_Scan | BaseException | None] = [None] * (len(bounds) - 1)

    def run(k: int) -> None:
        try:
            with open_media(path) as container:
                parts[k] = _measure(
                    container,
                    container.streams[index],
                    skip_nonref=True,
                    part=(bounds[k], bounds[k + 1]),
                )
        except BaseException as exc:  # re-raised in the calling thread
            parts[k] = exc

    threads = [threading.Thread(target=run, args=(k,)) for k in range(1, len(parts))]
    for t in threads:
        t.start()
    run(0)
    for t in threads:
        t.join()
    for p in parts:
        if isinstance(p, BaseException):
            raise p
    scans = [p for p in parts if isinstance(p, _Scan)]
    if len(scans) > 1 and not all(p.complete for p in scans):
        return _scan_file(path, index, [])  # a part couldn't be placed: in one piece
    return _join(scans)


def _join(scans: list[_Scan]) -> _Scan:
    """One scan from consecutive parts; each part's first distances reach into the last."""
    out = scans[0]
    for nxt in scans[1:]:
        for j, small in enumerate(nxt.head):
            before = (out.tail + nxt.head[:j])[-3:]
            k = len(before)
            nxt.d1[j] = _distance(before[-1], small) if k >= 1 else 0.0
            nxt.d2[j] = _distance(before[-2], small) if k >= 2 else np.nan
            nxt.d3[j] = _distance(before[-3], small) if k >= 3 else np.nan
        out.times += nxt.times
        out.pts += nxt.pts
        out.d1 += nxt.d1
        out.d2 += nxt.d2
        out.d3 += nxt.d3
        out.packets += nxt.packets
        out.complete = out.complete and nxt.complete
        out.tail = (out.tail + nxt.tail)[-3:] if len(nxt.tail) < 3 else nxt.tail
    return out


def _scores(
    d: np.ndarray, skip1: np.ndarray, skip2: np.ndarray, motion_d: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per picture: how sudden its change is (unclipped score) and whether it lasts.
    motion_d: the differences the motion level is measured on (default: d)."""
    n = len(d)
    # Motion level around each frame: median difference just before and just after it.
    m = d if motion_d is None else motion_d
    padded = np.concatenate([np.full(_WINDOW, np.nan), m, np.full(_WINDOW, np.nan)])
    padded[_WINDOW] = np.nan  # frame 0 has no predecessor
    windows = np.lib.stride_tricks.sliding_window_view(padded, _WINDOW)
    with warnings.catch_warnings():  # all-NaN windows at the edges are expected
        warnings.simplefilter("ignore", RuntimeWarning)
        before = np.nanmedian(windows[:n], axis=1)  # frames i-W .. i-1
        after = np.nanmedian(windows[_WINDOW + 1 : _WINDOW + 1 + n], axis=1)  # i+1 .. i+W
    motion = np.fmax(np.nan_to_num(before, nan=0.0), np.nan_to_num(after, nan=0.0))
    score = np.maximum((d - _MOTION_FACTOR * motion) / _SCORE_SCALE, 0.0)
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
    return score, persistent


# A candidate whose high score (see _decide) reaches this share of the threshold is scored
# again picture by picture; more than _MAX_UNSURE of them plus one per _UNSURE_PER_S seconds
# and the file is scanned again picture by picture.
_UNSURE = 0.4
_MAX_UNSURE = 4
_UNSURE_PER_S = 20.0

# Context a picture's score depends on: _WINDOW differences each side, each needing the
# picture before, and the persistence test's pictures 3 before and 2 after.
_CONTEXT = _WINDOW + 3


def _decide(
    path: str | os.PathLike, index: int, scan: _Scan, threshold: float, min_gap_s: float
) -> list[float]:
    """Cut times from a scan, each on the exact first picture of its new shot.

    Where the scan decoded every picture around a candidate, its score is the real one.
    Where it skipped pictures, the differences span two or more pictures: the motion level
    around a cut then reads higher than picture by picture and a subtle cut scores lower
    (measured: 0.05 for a same-colour cut that scores 0.38), while the same differences
    divided by the pictures they span read lower (grain doesn't grow with the span), so that
    score is too high. A candidate that passes even the low score is a cut; one that passes
    neither is not; in between, the pictures around it are decoded and it is scored again
    picture by picture. Too many of those, and the whole file is scanned picture by picture.
    """
    n = len(scan.times)
    if n < 2:
        return []
    d = np.array(scan.d1)
    all_pts = sorted(p for p, _ in scan.packets)
    pos = {p: k for k, p in enumerate(all_pts)}  # display position of each packet's picture
    decoded = set(scan.pts)
    span = np.ones(n)
    for i in range(1, n):
        a, b = scan.pts[i - 1], scan.pts[i]
        if a in pos and b in pos and pos[b] > pos[a]:
            span[i] = pos[b] - pos[a]
    low, persistent = _scores(d, np.array(scan.d2), np.array(scan.d3))
    high, _ = _scores(d, np.array(scan.d2), np.array(scan.d3), motion_d=d / span)

    def skipped_between(lo: int, hi: int) -> list[int]:
        """Pts of pictures the scan skipped between decoded pictures lo and hi."""
        a, b = scan.pts[lo], scan.pts[hi]
        if a not in pos or b not in pos:
            return []
        return [p for p in all_pts[pos[a] + 1 : pos[b]] if p not in decoded]

    found: list[tuple[float, float, float]] = []  # (time, clipped score, difference)
    unsure: list[int] = []
    for i in np.flatnonzero(persistent & (high >= _UNSURE * threshold)):
        i = int(i)
        gap = skipped_between(i - 1, i)
        full_rate = not skipped_between(max(0, i - _CONTEXT), min(n - 1, i + _CONTEXT))
        if full_rate or low[i] >= threshold:
            if low[i] < threshold:
                continue
            t = _place(path, index, scan, scan.pts[i - 1], gap, scan.pts[i]) if gap else None
            found.append((scan.times[i] if t is None else t, min(1.0, low[i]), d[i]))
        else:
            unsure.append(i)
    if len(unsure) > _MAX_UNSURE + scan.times[-1] / _UNSURE_PER_S:
        with open_media(path) as container:
            full = _measure(container, container.streams[index], skip_nonref=False)
        return _decide(path, index, full, threshold, min_gap_s) if full.complete else []
    for i in unsure:
        lo_pts = all_pts[max(0, pos[scan.pts[i - 1]] - _CONTEXT)]
        hi_pts = all_pts[min(len(all_pts) - 1, pos[scan.pts[i]] + _CONTEXT)]
        best = _rescore(path, index, scan, all_pts, lo_pts, hi_pts, scan.pts[i - 1], scan.pts[i])
        if best is not None and best[1] >= threshold:
            found.append((best[0], min(1.0, best[1]), best[2]))

    chosen: list[tuple[float, float, float]] = []
    for cut in sorted(found, key=lambda c: (-c[1], -c[2], c[0])):
        if all(abs(cut[0] - other[0]) >= min_gap_s for other in chosen):
            chosen.append(cut)
    return sorted({round(float(c[0]), 6) for c in chosen})


def _keyframe_before(scan: _Scan, wanted: set[int]) -> int | None:
    """Pts of the keyframe to decode from so every picture in `wanted` comes out right:
    the last one before them in decode order, one further back while a wanted picture is
    shown before it (open GOP: such a leading picture may refer to the GOP before)."""
    order = {p: k for k, (p, _) in enumerate(scan.packets)}
    keys = [k for k, (_, key) in enumerate(scan.packets) if key]
    first = min(order[p] for p in wanted)
    k = bisect.bisect_right(keys, first) - 1
    while k > 0 and any(p < scan.packets[keys[k]][0] for p in wanted):
        k -= 1
    return scan.packets[keys[k]][0] if k > 0 else None


def _thumbs_of(
    path: str | os.PathLike, index: int, scan: _Scan, wanted: set[int], decode: set[int]
) -> list[tuple[int, np.ndarray, float]]:
    """(pts, thumbnail, time) of the pictures in `wanted`, display order, decoding only the
    reference pictures and those in `decode` from the keyframe before them."""
    seek_pts = _keyframe_before(scan, wanted)
    found = _decode_some(path, index, seek_pts, wanted, decode, _Thumbnailer())
    if found is None:  # the seek landed after the keyframe (e.g. MPEG-TS): from the start
        found = _decode_some(path, index, None, wanted, decode, _Thumbnailer())
    return sorted(found or [], key=lambda x: x[0])


def _place(
    path: str | os.PathLike, index: int, scan: _Scan, a: int, skipped: list[int], b: int
) -> float | None:
    """Time of the first picture of the new shot for a clear cut found between decoded
    pictures a and b with `skipped` between them: the biggest step in a, skipped..., b."""
    seq = _thumbs_of(path, index, scan, {a, b, *skipped}, set(skipped))
    if len(seq) < 2 or seq[0][0] != a or seq[-1][0] != b:
        return None  # couldn't see inside the gap: keep picture b
    steps = [_distance(x[1], y[1]) for x, y in itertools.pairwise(seq)]
    return seq[int(np.argmax(steps)) + 1][2]


def _rescore(
    path: str | os.PathLike,
    index: int,
    scan: _Scan,
    all_pts: list[int],
    lo_pts: int,
    hi_pts: int,
    a: int,
    b: int,
) -> tuple[float, float, float] | None:
    """Decode every picture from lo_pts to hi_pts and score them as a full-rate scan would;
    (time, unclipped score, difference) of the best lasting change after picture a, up to
    picture b."""
    window = [p for p in all_pts if lo_pts <= p <= hi_pts]
    seq = _thumbs_of(path, index, scan, set(window), set(window))
    if len(seq) < 4:
        return None
    thumbs = [x[1] for x in seq]

    def apart(k: int) -> np.ndarray:  # distance of each picture to the one k before it
        near = [_distance(thumbs[j - k], thumbs[j]) for j in range(k, len(thumbs))]
        return np.array([np.nan] * k + near)

    d, d2, d3 = np.nan_to_num(apart(1), nan=0.0), apart(2), apart(3)
    score, persistent = _scores(d, d2, d3)
    if lo_pts != all_pts[0]:  # the window's own first pictures lack context: not candidates
        score[:_CONTEXT] = 0.0
    if hi_pts != all_pts[-1]:
        score[-_CONTEXT:] = 0.0
    best = None
    for j in range(1, len(seq)):
        if a <= seq[j - 1][0] < b and persistent[j] and (best is None or score[j] > best[1]):
            best = (seq[j][2], float(score[j]), float(d[j]))
    return best


def _decode_some(
    path: str | os.PathLike,
    index: int,
    seek_pts: int | None,
    wanted: set[int],
    skipped: set[int],
    thumb: _Thumbnailer,
) -> list[tuple[int, np.ndarray, float]] | None:
    """(pts, thumbnail, time) of the pictures in `wanted`, decoding from the keyframe at
    seek_pts (None: from the start) only the reference pictures and those in `skipped`.
    None if the seek landed after seek_pts."""
    found: dict[int, tuple[int, np.ndarray, float]] = {}
    with open_media(path) as container:
        stream = container.streams[index]
        start = _clock(container, stream)
        cc = _open_decoder(stream)
        if seek_pts is not None:
            container.seek(seek_pts, stream=stream, backward=True)
        landed = False

        def take(frames: list[av.VideoFrame]) -> bool:
            for frame in frames:
                if frame.pts in wanted and frame.time is not None:
                    found[frame.pts] = (frame.pts, thumb(frame), frame.time - start)
            return len(found) == len(wanted)

        for packet in container.demux(stream):
            if not landed and packet.pts is not None:
                landed = True
                if seek_pts is not None and packet.pts > seek_pts:
                    return None
            cc.skip_frame = "DEFAULT" if packet.pts in skipped else "NONREF"
            if take(cc.decode(packet)):
                break
    return list(found.values())
