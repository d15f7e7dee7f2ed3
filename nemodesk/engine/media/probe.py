"""What a dropped file really is, read from its content with PyAV (never from its name), so the
engine scores music for the true length and refuses broken files with one clear sentence."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import av
from av.container import InputContainer
from av.stream import Disposition

# Demuxers that hold a single picture (or an animated one for gif/webp), not footage.
_IMAGE_FORMATS = frozenset(
    {"image2", "gif", "gif_pipe", "webp", "webp_pipe", "apng", "png_pipe", "jpeg_pipe"}
)
# Raw elementary streams whose header length may be a guess from the bitrate (mp3 without a
# Xing/VBRI header, ADTS aac): their length is checked by walking the packets, so a
# cut-short one reads as a shorter file rather than a false "cut short" on a good one.
_ESTIMATED_DURATION_FORMATS = frozenset({"mp3", "aac", "ac3", "eac3", "h264", "hevc", "m4v"})
_MAX_IMAGE_FRAMES = 100_000  # bound the frame walk of a huge animated image


class MediaError(Exception):
    """A file the engine can't use, as one sentence a user can act on (no traceback, no
    FFmpeg jargon), e.g. 'clip.mp4 is not a video, image or audio file we can read.'"""


@dataclass(frozen=True)
class MediaInfo:
    """The facts the engine needs about one input file.

    kind is 'video', 'audio' or 'image'; images have duration 0 unless animated (gif).
    has_video is True only for moving pictures (not stills, not an mp3's cover art);
    format_name is FFmpeg's demuxer name (e.g. 'mov,mp4,m4a,3gp,3g2,mj2');
    width/height/fps are 0 without a picture, audio_rate/audio_channels 0 without sound.
    """

    path: str
    kind: str
    format_name: str
    duration_s: float
    size_bytes: int
    width: int
    height: int
    fps: float
    has_video: bool
    has_audio: bool
    video_codec: str | None
    audio_codec: str | None
    audio_rate: int
    audio_channels: int
    nominal_fps: float = 0.0  # the stream's declared rate (a phone's VFR 30, averaging 27.4)
    sample_aspect: float = 1.0  # pixel width / height (anamorphic DV, HDV: not 1)
    hdr: str = ""  # "hlg" or "pq" for HDR pictures (BT.2020, iPhone HLG), else ""


def _name(path: Path) -> str:
    return path.name or str(path)


@contextmanager
def open_media(path: str | os.PathLike) -> Iterator[InputContainer]:
    """Open a file for reading with PyAV, turning every way it can fail into a MediaError."""
    p = Path(path)
    name = _name(p)
    if not p.exists():
        raise MediaError(f"{name} was not found; it may have been moved or deleted.")
    if p.is_dir():
        raise MediaError(f"{name} is a folder, not a video, image or audio file.")
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise MediaError(f"{name} can't be read ({exc.strerror or 'access denied'}).") from None
    if size == 0:
        raise MediaError(f"{name} is empty (0 bytes), so there is nothing to read.")
    try:
        container = av.open(str(p), mode="r")
    except PermissionError:
        raise MediaError(f"{name} can't be opened: permission denied.") from None
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError):
        raise MediaError(
            f"{name} is not a video, image or audio file we can read "
            "(it may be damaged, incomplete or another kind of file)."
        ) from None
    try:
        yield container
    finally:
        container.close()


def picture_stream(container: InputContainer) -> av.VideoStream | None:
    """The first real video stream; cover art attached to audio files doesn't count."""
    for stream in container.streams.video:
        if not stream.disposition & Disposition.attached_pic:
            return stream
    return None


def probe(path: str | os.PathLike) -> MediaInfo:
    """Read what a file really contains; raises MediaError for anything we can't use."""
    p = Path(path)
    name = _name(p)
    with open_media(p) as container:
        try:
            return _probe(container, p)
        except MediaError:
            raise
        except (av.FFmpegError, OSError, ValueError, ZeroDivisionError, OverflowError):
            raise MediaError(
                f"{name} is damaged: its contents can't be decoded, so we can't use it."
            ) from None


def _probe(container: InputContainer, p: Path) -> MediaInfo:
    name = _name(p)
    fmt = container.format.name
    video = picture_stream(container)
    audio = container.streams.audio[0] if container.streams.audio else None
    if video is None and audio is None:
        raise MediaError(f"{name} has no picture or sound in it that we can read.")

    is_image = video is not None and audio is None and fmt in _IMAGE_FORMATS
    main = video if video is not None else audio
    assert main is not None
    _check_decodable(container, main, name)

    if is_image:
        kind, duration = "image", _image_duration(container, main)
    else:
        kind = "video" if video is not None else "audio"
        duration = _duration(container, main, fmt)
        if duration <= 0:
            raise MediaError(f"{name} has no playable length (its duration is zero).")
        _check_complete(container, main, duration, fmt, name)

    vctx = video.codec_context if video is not None else None
    actx = audio.codec_context if audio is not None else None
    fps = nominal = 0.0
    sar = 1.0
    if video is not None and (kind == "video" or duration > 0):
        rate = video.average_rate or video.guessed_rate or video.base_rate
        fps = float(rate) if rate else 0.0
        declared = video.guessed_rate or video.base_rate
        nominal = float(declared) if declared else 0.0
    hdr = ""
    if video is not None:
        trc = video.codec_context.color_trc
        hdr = {18: "hlg", 16: "pq"}.get(int(trc or 0), "")
        ratio = video.sample_aspect_ratio or video.codec_context.sample_aspect_ratio
        sar = float(ratio) if ratio and 0.2 < ratio < 5 else 1.0
    return MediaInfo(
        path=str(p),
        kind=kind,
        format_name=fmt,
        duration_s=round(duration, 6),
        size_bytes=p.stat().st_size,
        width=int(vctx.width) if vctx else 0,
        height=int(vctx.height) if vctx else 0,
        fps=fps,
        has_video=kind == "video" and video is not None,
        has_audio=audio is not None,
        video_codec=video.codec_context.codec.canonical_name if video is not None else None,
        audio_codec=audio.codec_context.codec.canonical_name if audio is not None else None,
        audio_rate=int(actx.sample_rate or 0) if actx else 0,
        audio_channels=int(actx.layout.nb_channels) if actx else 0,
        nominal_fps=nominal,
        sample_aspect=sar,
        hdr=hdr,
    )


def _check_decodable(container: InputContainer, stream: av.stream.Stream, name: str) -> None:
    """Decode the first frame: a valid header over garbage data must not pass as media."""
    what = "picture" if stream.type == "video" else "sound"
    try:
        for _frame in container.decode(stream):
            break
        else:
            raise MediaError(f"{name} is damaged: it holds no {what} we can decode.")
    except av.DecoderNotFoundError:
        codec = stream.codec_context.codec.canonical_name
        raise MediaError(f"{name} uses a {what} format ({codec}) we can't decode.") from None
    except av.FFmpegError:
        raise MediaError(f"{name} is damaged: its {what} can't be decoded.") from None
    _rewind(container)


def _rewind(container: InputContainer) -> None:
    # An unseekable input is read on from where it is; callers tolerate that.
    with suppress(av.FFmpegError):
        container.seek(0)


def _start_s(container: InputContainer, stream: av.stream.Stream) -> float:
    if container.start_time is not None:
        return container.start_time / av.time_base
    if stream.start_time is not None:
        return float(stream.start_time * stream.time_base)
    return 0.0


def _duration(container: InputContainer, stream: av.stream.Stream, fmt: str) -> float:
    """Container duration, else the stream's, else the end of its last packet: some
    webm/mkv (live recordings, browser MediaRecorder) carry no duration at all."""
    header = None
    if container.duration and container.duration > 0:
        header = container.duration / av.time_base
    elif stream.duration and stream.time_base:
        header = float(stream.duration * stream.time_base)
    if header is not None and fmt not in _ESTIMATED_DURATION_FORMATS:
        return header
    measured = _duration_by_reading(container, stream)
    # An exact header (LAME's, which also trims encoder padding) agrees with the walk.
    if header is not None and abs(header - measured) <= max(0.05, 0.01 * measured):
        return header
    return measured


def _duration_by_reading(container: InputContainer, stream: av.stream.Stream) -> float:
    """Walk the packets (no decoding needed when they carry timestamps; count decoded frames
    when they don't)."""
    _rewind(container)
    start = _start_s(container, stream)
    tb = stream.time_base
    end: float | None = None
    count = 0
    for packet in container.demux(stream):
        ts = packet.pts if packet.pts is not None else packet.dts
        if packet.size == 0:
            continue
        count += 1
        if ts is not None and tb:
            t = float((ts + (packet.duration or 0)) * tb)
            end = t if end is None else max(end, t)
    if end is not None:
        return max(0.0, end - start)
    # No timestamps at all: count decoded frames and use the nominal rate.
    _rewind(container)
    if stream.type == "video":
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        frames = sum(1 for _ in container.decode(stream))
        return frames / float(rate) if rate else 0.0
    samples = sum(f.samples for f in container.decode(stream))
    rate = stream.codec_context.sample_rate
    return samples / rate if rate else 0.0


def _image_duration(container: InputContainer, stream: av.stream.Stream) -> float:
    """0 for a still; the sum of frame delays for an animated gif/webp."""
    _rewind(container)
    tb = stream.time_base
    frames, end, start = 0, 0.0, None
    for packet in container.demux(stream):
        if packet.size == 0:
            continue
        frames += 1
        ts = packet.pts if packet.pts is not None else packet.dts
        if ts is not None and tb:
            t0 = float(ts * tb)
            start = t0 if start is None else min(start, t0)
            end = max(end, float((ts + (packet.duration or 0)) * tb))
        if frames > _MAX_IMAGE_FRAMES:
            break
    if frames <= 1:
        return 0.0
    if start is not None and end > start:
        return end - start
    rate = stream.average_rate or stream.guessed_rate
    return frames / float(rate) if rate else 0.0


def _check_complete(
    container: InputContainer, stream: av.stream.Stream, duration: float, fmt: str, name: str
) -> None:
    """Catch files cut short by an interrupted copy or download: the header still promises
    the full length but the data stops early. Only the tail is read, so this stays fast."""
    rate = stream.average_rate if stream.type == "video" else None
    if fmt == "avi" and stream.frames and rate:
        # AVI headers count frames; without the closing index FFmpeg measures what's there.
        promised = stream.frames / float(rate)
        if promised > duration + max(0.5, 0.05 * promised):
            _raise_short(name, duration, promised)
    start = _start_s(container, stream)
    tb = stream.time_base
    if not tb:
        return
    tolerance = max(0.5, 0.02 * duration)
    # Decode the last second: a "faststart" file (index first) cut short by a download still
    # promises every frame, but the seek lands past the data, or a last frame is half there.
    target = max(0.0, duration - 1.0)
    try:
        container.seek(int((target + start) / tb), stream=stream, backward=True)
    except av.FFmpegError:
        _rewind(container)
    end, broken = 0.0, False
    try:
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            length = float(frame.duration * tb) if frame.duration else 0.0
            if stream.type == "audio" and frame.sample_rate:
                length = frame.samples / frame.sample_rate
            end = max(end, float(frame.pts * tb) + length - start)
    except av.FFmpegError:
        broken = True
    if end <= 0.0:
        # Nothing decodable after the seek: find where the data really stops.
        end = _last_packet_end(container, stream, start)
    if end < duration - tolerance:
        _raise_short(name, end, duration)
    if broken and end < duration - 1.5 / float(rate or 25):
        _raise_short(name, end, duration)


def _last_packet_end(container: InputContainer, stream: av.stream.Stream, start: float) -> float:
    """Where the packets that are really in the file stop (no decoding)."""
    _rewind(container)
    tb = stream.time_base
    end = 0.0
    try:
        for packet in container.demux(stream):
            ts = packet.pts if packet.pts is not None else packet.dts
            if packet.size == 0 or ts is None:
                continue
            end = max(end, float((ts + (packet.duration or 0)) * tb) - start)
    except av.FFmpegError:
        pass
    return end


def _raise_short(name: str, actual: float, promised: float) -> None:
    raise MediaError(
        f"{name} seems cut short (it stops at {actual:.1f} s of {promised:.1f} s); "
        "copy or export it again."
    )
