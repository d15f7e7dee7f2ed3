"""Export a draft (the timeline) to one file: the video with its music, or the sound alone.

The draft is read through nemodesk.core.draft: the video track (tt 0) gives the clips and
the length, BGM tracks (tt 1) the music, title tracks (tt 7) the text; other tracks and
fields are ignored. The sound is mixed in numpy (audiomix): the clips at their level, the
music dipping under their speech by the curve nemodesk.core.ducking draws from the draft.
The picture is copied packet for packet when nothing about it changes (one whole H.264
clip into mp4/mov, no title): that is a remux, many times faster than real time and
bit-exact. The same clip under a title is smart-rendered (smart_render.py): only the GOPs
the title covers are decoded, titled and re-encoded, the rest copied, and the result is
checked with a decoder; a source that can't be cut cleanly, or an output that doesn't
verify, falls back to the full re-encode. Otherwise frames are
decoded, titled (title.py) and re-encoded. The file appears only when complete: it is
written to a hidden temp name beside `out` and renamed; cancelling or failing removes it.
"""

from __future__ import annotations

import errno
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from nemodesk.core.draft import Draft, Segment, Track, TrackType
from nemodesk.core.ducking import Breakpoints, clip_sound_heard, music_gain
from nemodesk.engine.media import audiomix, smart_render
from nemodesk.engine.media.audiomix import (
    RATE,
    Part,
    SoundWriter,
    SourceReadError,
    add_audio_stream,
    sound_writer,
)
from nemodesk.engine.media.frames import (
    Clip,
    add_video_stream,
    can_copy,
    copy_packets,
    encode_video,
)
from nemodesk.engine.media.probe import MediaError, MediaInfo, picture_stream, probe
from nemodesk.engine.media.smart_render import SmartPlan, SmartRefused, SmartRenderFailed
from nemodesk.engine.music.audiofile import AudioFileError, write_atomically

VIDEO_FORMATS = ("mp4", "mov", "webm")
AUDIO_FORMATS = ("wav", "mp3", "m4a")
QUALITIES = ("high", "medium", "low")

_MUXER = {"mp4": "mp4", "mov": "mov", "webm": "webm", "wav": "wav", "mp3": "mp3", "m4a": "ipod"}
_POLL_S = 0.02  # how often cancelled() is asked (at most)
# The mix is one float32 buffer (23 MB a minute); past this the memory it needs is too much.
MAX_LENGTH_S = 2 * 3600

log = logging.getLogger("nemodesk.engine")


class ExportError(Exception):
    """Why an export failed, as one sentence a user can act on."""


class ExportCancelled(ExportError):
    """The user cancelled; the partial file is gone."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    duration_s: float
    has_video: bool
    has_audio: bool
    format: str
    # How the picture was made: "copy" (packets remuxed), "smart" (only the titled GOPs
    # re-encoded), "encode" (every frame re-encoded); "" without a picture.
    picture: str = ""


@dataclass
class _Plan:
    clips: list[Clip] = field(default_factory=list)
    music: list[Part] = field(default_factory=list)
    titles: list[tuple[str, float, float]] = field(default_factory=list)  # text, start, end
    length_s: float = 0.0
    music_gain: Breakpoints = field(default_factory=list)  # the dip under speech

    @property
    def has_picture(self) -> bool:
        return any(c.picture for c in self.clips)


class _Watch:
    """Progress (monotonic, throttled to ~1% steps or 0.5 s) and cancel polling (at most
    every 20 ms: cancelled() may be a database read)."""

    def __init__(
        self, progress: Callable[[float], None] | None, cancelled: Callable[[], bool] | None
    ) -> None:
        self._progress, self._cancelled = progress, cancelled
        self._value, self._sent, self._t_sent, self._t_poll = 0.0, -1.0, 0.0, -1.0

    @property
    def value(self) -> float:
        return self._value

    def check(self) -> None:
        if self._cancelled is None:
            return
        now = time.monotonic()
        if now - self._t_poll < _POLL_S:
            return
        self._t_poll = now
        if self._cancelled():
            raise ExportCancelled("The export was cancelled.")

    def set(self, value: float, final: bool = False) -> None:
        self._value = max(self._value, min(1.0 if final else 0.99, value))
        if not final:
            self.check()
        if self._progress is None:
            return
        now = time.monotonic()
        step = self._value - self._sent
        if final or step >= 0.01 or (step > 0 and now - self._t_sent >= 0.5):
            self._sent, self._t_sent = self._value, now
            self._progress(self._value)

    def stage(self, lo: float, hi: float, total: float) -> Callable[[float], None]:
        """A callback taking work done out of `total`, mapped onto [lo, hi]."""
        span = hi - lo

        def tick(done: float) -> None:
            self.set(lo + span * min(1.0, done / total) if total > 0 else hi)

        return tick


def _num(meta: dict[str, Any], key: str, default: float) -> float:
    value = meta.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return float(value)


def _volume(*metas: dict[str, Any]) -> float:
    """The first volume given (segment before track), in percent, as a linear gain."""
    for meta in metas:
        v = _num(meta, "volume", -1.0)
        if v >= 0:
            return min(v, 400.0) / 100.0
    return 1.0


def _resolve(resolve: Callable[[str], Path], src: str, name: str) -> Path:
    try:
        path = Path(resolve(src))
    except (KeyError, LookupError, ValueError, OSError, TypeError):
        path = None
    if path is None or not path.is_file():
        raise ExportError(f"A file this draft uses is missing: {name}.")
    return path


def _probe(path: Path) -> MediaInfo:
    try:
        return probe(path)
    except MediaError as err:
        raise ExportError(str(err)) from None


def _start_facts(path: Path, info: MediaInfo) -> tuple[float, int, float]:
    """(zero_s, rotation, video duration) of a source: where its first picture (or sound)
    sits in the file's clock, how its pictures are turned for display, how long they run."""
    try:
        with av.open(str(path)) as box:
            video = picture_stream(box) if info.has_video or info.kind == "image" else None
            stream = video or (box.streams.audio[0] if box.streams.audio else None)
            if stream is None:
                return 0.0, 0, 0.0
            tb = stream.time_base or Fraction(1, 1)
            zero = float(stream.start_time * tb) if stream.start_time is not None else 0.0
            if video is None:
                return zero, 0, 0.0
            dur = float(video.duration * tb) if video.duration else info.duration_s
            rotation = 0
            for frame in box.decode(video):
                rotation = round(frame.rotation or 0)
                break
            return zero, rotation, dur
    except (av.FFmpegError, OSError, ValueError):
        return 0.0, 0, info.duration_s


def _spans(track: Track) -> list[tuple[dict[str, Any], float, float]]:
    """(meta, start ms, end ms) per segment: Track.spans()'s rule (a segment without
    `meta["start"]` follows the one before), except that a malformed segment (not an object,
    a non-numeric duration) is skipped instead of stopping the export."""
    out: list[tuple[dict[str, Any], float, float]] = []
    cursor = 0.0
    for item in track.raw_segments():
        if not isinstance(item, dict):
            continue
        seg = Segment(item)
        try:
            d = float(seg.duration_ms)
        except (TypeError, ValueError, OverflowError):
            continue
        start = _num(seg.meta, "start", cursor)
        out.append((seg.meta, start, start + d))
        cursor = start + d
    return out


def _plan(draft: Draft, resolve: Callable[[str], Path], watch: _Watch) -> _Plan:
    """The clips, music and titles of the draft. Each source is resolved, probed and opened
    once however many segments use it, and cancel is polled per segment: a 10,000-segment
    draft plans in well under a second and stops at once when cancelled."""
    plan = _Plan()
    video_end = 0.0
    other_end = 0.0
    resolved: dict[str, Path] = {}
    probed: dict[Path, MediaInfo] = {}
    facts: dict[Path, tuple[float, int, float]] = {}

    def path_of(src: str, name: str) -> Path:
        if src not in resolved:
            resolved[src] = _resolve(resolve, src, name)
        return resolved[src]

    def info_of(path: Path) -> MediaInfo:
        if path not in probed:
            probed[path] = _probe(path)
        return probed[path]

    def facts_of(path: Path, info: MediaInfo) -> tuple[float, int, float]:
        if path not in facts:
            facts[path] = _start_facts(path, info)
        return facts[path]

    for track in draft.tracks:
        try:
            tt = track.kind
        except (TypeError, ValueError):
            continue
        if tt not in (TrackType.VIDEO, TrackType.AUDIO, TrackType.TEXT):
            continue
        for m, a_ms, b_ms in _spans(track):
            watch.check()
            if b_ms <= a_ms or a_ms < 0:
                continue
            start, dur = a_ms / 1000, (b_ms - a_ms) / 1000
            if tt == TrackType.TEXT:
                text = m.get("text") or m.get("title")
                if isinstance(text, str) and text.strip():
                    plan.titles.append((text, start, start + dur))
                continue
            src = m.get("src")
            if not isinstance(src, str) or not src:
                continue
            name = str(m.get("name") or src)
            path = path_of(src, name)
            info = info_of(path)
            in_s = max(0.0, _num(m, "in", 0.0) / 1000)
            if tt == TrackType.VIDEO:
                zero, rotation, vdur = facts_of(path, info)
                plan.clips.append(
                    Clip(
                        path,
                        info,
                        start,
                        in_s,
                        dur,
                        _volume(m, track.meta),
                        clip_sound_heard(track),
                        zero,
                        rotation,
                        vdur,
                    )
                )
                video_end = max(video_end, b_ms / 1000)
            else:
                zero = facts_of(path, info)[0] if info.has_audio else 0.0
                plan.music.append(
                    Part(
                        path,
                        start,
                        in_s,
                        dur,
                        _volume(m, track.meta),
                        max(0.0, _num(m, "fade_in", 0.0) / 1000),
                        max(0.0, _num(m, "fade_out", 0.0) / 1000),
                        zero_s=zero,
                    )
                )
                other_end = max(other_end, b_ms / 1000)
    plan.clips.sort(key=lambda c: c.start_s)  # later starts win where clips overlap
    plan.length_s = video_end if plan.clips else other_end
    plan.music_gain = music_gain(draft)
    return plan


# ---- sound ------------------------------------------------------------------------------


def _clip_parts(plan: _Plan) -> list[Part]:
    return [
        Part(c.path, c.start_s, c.in_s, c.dur_s, c.volume, zero_s=c.zero_s)
        for c in plan.clips
        if c.info.has_audio and c.heard
    ]


# ---- the export ---------------------------------------------------------------------------


def _check_args(fmt: str, quality: str) -> str:
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in VIDEO_FORMATS + AUDIO_FORMATS:
        choices = ", ".join(VIDEO_FORMATS + AUDIO_FORMATS)
        raise ExportError(f"Unknown export format '{fmt}': use one of {choices}.")
    if quality not in QUALITIES:
        raise ExportError(f"Unknown export quality '{quality}': use high, medium or low.")
    return fmt


def _smart_plan(plan: _Plan, fmt: str, quality: str, watch: _Watch) -> SmartPlan | None:
    """The smart render of a titled whole clip, or None (and the reason logged) when the
    source can't be cut cleanly."""
    if not plan.titles or not can_copy(plan.clips, plan.length_s, fmt, False):
        return None
    try:
        return smart_render.plan(plan.clips[0], plan.length_s, plan.titles, quality, watch.check)
    except SmartRefused as why:
        log.info("export: full re-encode under the title: %s", why)
        return None


def _write(
    tmp: Path, plan: _Plan, fmt: str, quality: str, video: bool, watch: _Watch, smart: bool
) -> tuple[bool, str]:
    """Mix, then mux into tmp. Returns whether the file has sound and the picture's mode."""
    mode = "audio" if not video else "encode"
    smart_plan = None
    if video and can_copy(plan.clips, plan.length_s, fmt, bool(plan.titles)):
        mode = "copy"
    elif video and smart and (smart_plan := _smart_plan(plan, fmt, quality, watch)) is not None:
        mode = "smart"
    # Share of the progress bar for the mix: it dominates a remux, not a re-encode.
    mix_share = {"encode": 0.05, "smart": 0.2}.get(mode, 0.45)
    parts = _clip_parts(plan)
    sound = None
    if not (parts or plan.music or not video):
        mix_share = 0.0  # nothing to mix
    else:
        work = sum(p.dur_s for p in plan.music) + sum(p.dur_s for p in parts)
        tick = watch.stage(0, mix_share, work)
        sound = audiomix.mix(plan.music, parts, plan.length_s, tick, plan.music_gain)
    if mode == "smart":
        assert smart_plan is not None
        tick = watch.stage(mix_share, 0.99, smart_plan.work())
        try:
            _mux(tmp, plan, fmt, quality, sound, mode, tick, smart_plan)
            numbers = smart_render.verify(tmp, smart_plan, tick)
            log.info("export: smart render verified %s", numbers)
            return sound is not None, mode
        except (SmartRenderFailed, av.FFmpegError, ValueError) as err:
            log.warning("export: smart render failed (%s); re-encoding everything", err)
            mode = "encode"
        tick = watch.stage(watch.value, 0.99, plan.length_s)
    else:
        tick = watch.stage(mix_share, 0.99, plan.length_s)
    if mode == "copy":
        try:
            _mux(tmp, plan, fmt, quality, sound, mode, tick)
            return sound is not None, mode
        except (av.FFmpegError, ValueError):  # a stream the muxer won't take as it is
            mode = "encode"
    _mux(tmp, plan, fmt, quality, sound, mode, tick)
    return sound is not None, mode


def _mux(
    tmp: Path,
    plan: _Plan,
    fmt: str,
    quality: str,
    sound: np.ndarray | None,
    mode: str,
    tick: Callable[[float], None],
    smart_plan: SmartPlan | None = None,
) -> None:
    """Write the file: the sound alone ("audio"), or the picture copied ("copy"), partly
    re-encoded ("smart") or re-encoded ("encode") with the sound interleaved."""
    options = {"movflags": "+faststart"} if fmt in ("mp4", "mov", "m4a") else {}
    container_options = {"fflags": "+bitexact"} if fmt == "wav" else {}
    with av.open(
        str(tmp), "w", format=_MUXER[fmt], options=options, container_options=container_options
    ) as oc:
        if mode == "audio":
            assert sound is not None
            writer = SoundWriter(oc, add_audio_stream(oc, fmt, quality), sound)
            step = max(1024, min(RATE, sound.shape[1] // 100))  # ~1% steps of progress
            for pos in range(step, sound.shape[1] + step, step):
                writer.until(pos / RATE)
                tick(pos / RATE)
            writer.finish()
            return
        if mode == "copy":
            with av.open(str(plan.clips[0].path)) as box:
                src = picture_stream(box)
                assert src is not None
                out = oc.add_stream_from_template(src)  # video first, as players expect
                writer = sound_writer(oc, fmt, quality, sound)
                copy_packets(oc, box, src, out, writer, tick)
        elif mode == "smart":
            assert smart_plan is not None
            writer = smart_render.write(
                oc, smart_plan, lambda: sound_writer(oc, fmt, quality, sound), tick
            )
        else:
            stream, geo = add_video_stream(oc, plan.clips, fmt, quality)
            writer = sound_writer(oc, fmt, quality, sound)
            encode_video(oc, stream, geo, plan.clips, plan.titles, plan.length_s, writer, tick)
        if writer is not None:
            writer.finish()


def export_draft(
    draft: dict[str, Any],
    resolve: Callable[[str], Path],
    out: Path,
    *,
    fmt: str = "mp4",
    quality: str = "high",
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    smart: bool = True,
) -> ExportResult:
    """Render `draft` to `out` as fmt (mp4, mov, webm; or wav, mp3, m4a for the sound alone).

    resolve maps a segment's src ("upload:<id>", "media:<id>") to its file. A draft whose
    clips have no picture exports its sound as m4a (the path's suffix changes to match).
    progress(0..1) reports work done; cancelled() is polled and stops the export.
    smart=False re-encodes the whole picture under a title (no smart render).
    Raises ExportError (ExportCancelled when cancelled) with one plain sentence; no partial
    file is ever left at `out`.
    """
    fmt = _check_args(fmt, quality)
    watch = _Watch(progress, cancelled)
    watch.check()
    plan = _plan(Draft.decode(draft), resolve, watch)
    if plan.length_s <= 0 or not (plan.clips or plan.music):
        raise ExportError("This draft has nothing to export yet: add a clip or some music first.")
    if plan.length_s > MAX_LENGTH_S:
        raise ExportError(
            f"This draft runs {plan.length_s / 3600:.1f} hours; exports are limited to "
            f"{MAX_LENGTH_S // 3600} hours, so shorten its tracks first."
        )
    out = Path(out)
    video = fmt in VIDEO_FORMATS and plan.has_picture
    if fmt in VIDEO_FORMATS and not video:
        fmt = "m4a"
        if out.suffix.lower() in (".mp4", ".mov", ".webm"):
            out = out.with_suffix(".m4a")
    has_audio, picture = [False], [""]

    def work(tmp: Path) -> None:
        try:
            has_audio[0], mode = _write(tmp, plan, fmt, quality, video, watch, smart)
            picture[0] = mode if video else ""
        except SourceReadError as err:
            raise ExportError(
                f"{err.path.name} could not be read to the end: it may be damaged."
            ) from None
        except av.FFmpegError as err:
            code = getattr(err, "errno", None)
            if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EROFS):
                raise OSError(code, "write failed") from None
            raise ExportError(f"The export could not be encoded as {fmt.upper()}.") from None
        except (ExportError, OSError, MemoryError):
            raise
        except Exception as err:  # a bug: a plain sentence for the user, the cause for logs
            raise ExportError("The export failed because of an internal error.") from err

    try:
        write_atomically(out, work)
    except AudioFileError as err:
        cause = err.__cause__
        if isinstance(cause, ExportError):
            raise cause  # noqa: B904 - its own cause (if any) is the useful one
        raise ExportError(str(err)) from None
    watch.set(1.0, final=True)
    return ExportResult(out, round(plan.length_s, 3), video, has_audio[0], fmt, picture[0])


__all__ = [
    "AUDIO_FORMATS",
    "VIDEO_FORMATS",
    "ExportCancelled",
    "ExportError",
    "ExportResult",
    "export_draft",
]
