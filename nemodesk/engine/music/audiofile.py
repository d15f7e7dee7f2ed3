"""Audio files written and read through PyAV (its bundled FFmpeg), atomically.

A file only ever appears complete: encoding goes to a hidden temp file beside the target,
which is flushed to disk and renamed over it. Any failure removes the temp file and becomes
one AudioFileError sentence a user can act on. WAV and FLAC are byte-for-byte
deterministic (fixed-seed dither, FFmpeg's bitexact mode: no encoder version tags).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import numpy as np


class AudioFileError(Exception):
    """One clear user-facing sentence about why an audio file could not be written or read."""


FORMATS = ("wav", "mp3", "flac", "m4a")

_BITRATE = 192_000
_FRAME = 8192  # samples per frame handed to the encoder
_PCM_FRAME = 1 << 18  # WAV: few, large frames (PCM has no frame size)
_DITHER_SEED = 0x5EED  # same audio in, same bits out
_MUXER = {"wav": "wav", "mp3": "mp3", "flac": "flac", "m4a": "ipod"}
_CONTAINER_OPTIONS = {"fflags": "+bitexact"}  # no "Lavf x.y" tags that change with versions
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_DENIED = {errno.EACCES, errno.EPERM}


def format_for(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The format to write: an explicit fmt wins, else the file's extension."""
    name = (fmt or Path(path).suffix.lstrip(".")).lower().lstrip(".")
    if name in FORMATS:
        return name
    choices = ", ".join(FORMATS)
    if not name:
        raise AudioFileError(f"Cannot tell the audio format of {path}: use one of {choices}.")
    raise AudioFileError(f"Unknown audio format '{name}': use one of {choices}.")


def _as_frames(audio: np.ndarray) -> np.ndarray:
    x = np.asarray(audio, dtype=np.float32)
    x = x[:, None] if x.ndim == 1 else x
    if x.ndim != 2 or x.shape[1] not in (1, 2):
        raise AudioFileError(f"Cannot write audio shaped {x.shape}: expected mono or stereo.")
    if not len(x):
        raise AudioFileError("Cannot write an audio file with no samples in it.")
    if np.isfinite(x.min()) and np.isfinite(x.max()):  # a NaN or inf shows in one of them
        return x
    return np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0)


class _Dither:
    """Seeded TPDF dither for 16-bit PCM, by block: the same numbers as two whole-track
    draws (the second generator starts where the first track-sized draw ends)."""

    def __init__(self, values: int) -> None:
        self.add = np.random.default_rng(_DITHER_SEED)
        self.sub = np.random.default_rng(_DITHER_SEED)
        # float32 draws take 32 bits each: two per 64-bit step of PCG64
        self.sub.bit_generator.advance(values // 2)
        if values % 2:  # an odd count leaves half a step buffered
            self.sub.random(1, dtype=np.float32)

    def __call__(self, v: np.ndarray) -> None:
        v += self.add.random(v.shape, dtype=np.float32)
        v -= self.sub.random(v.shape, dtype=np.float32)


def _to_int(x: np.ndarray, bits: int, dither: _Dither | None = None) -> np.ndarray:
    """Float to integer PCM (a block at a time: per-frame conversion cost more than the
    encoding); 16-bit gets seeded TPDF dither so quiet fades don't turn to grit."""
    if bits == 16:
        dither = dither or _Dither(x.size)
        v = x * np.float32(32768.0)
        dither(v)
        np.round(v, out=v)
        np.clip(v, -32768, 32767, out=v)
        return v.astype(np.int16)
    v = x * np.float32(8388608.0)  # exact in float32: a power-of-two scale, |v| < 2**24
    np.round(v, out=v)
    np.clip(v, -8388608, 8388607, out=v)
    return v.astype(np.int32) << 8  # FFmpeg takes 24-bit PCM in the top bits of s32


_READ_BLOCK = 1 << 18  # samples converted at a time (a multiple of every frame size)


def _frames(
    read: Callable[[int, int], np.ndarray], n: int, ch: int, fmt: str, bits: int, sr: int
) -> Iterator[av.AudioFrame]:
    layout = "mono" if ch == 1 else "stereo"
    dither = _Dither(n * ch) if fmt in ("wav", "flac") and bits == 16 else None
    # PCM takes frames of any size; FLAC and the lossy encoders re-frame what they get
    step = _PCM_FRAME if fmt == "wav" else _FRAME
    for base in range(0, n, _READ_BLOCK):
        x = _as_frames(read(base, min(n, base + _READ_BLOCK)))
        if fmt in ("wav", "flac"):
            sample_fmt = "s16" if bits == 16 else "s32"
            pcm = _to_int(x, bits, dither)
        else:
            sample_fmt = "fltp"
            planar = np.clip(x, -1.0, 1.0).T  # planar: one row per channel
        for pos in range(0, len(x), step):
            if fmt in ("wav", "flac"):
                arr = pcm[pos : pos + step].reshape(1, -1)  # packed: interleaved channels
            else:
                arr = np.ascontiguousarray(planar[:, pos : pos + step])
            frame = av.AudioFrame.from_ndarray(arr, format=sample_fmt, layout=layout)
            frame.sample_rate = sr
            frame.pts = base + pos
            yield frame


def _encode(
    tmp: Path, read: Callable[[int, int], np.ndarray], n: int, ch: int, sr: int, fmt: str, bits
) -> None:
    layout = "mono" if ch == 1 else "stereo"
    options = {"movflags": "+faststart"} if fmt == "m4a" else {}
    with av.open(
        str(tmp), "w", format=_MUXER[fmt], options=options, container_options=_CONTAINER_OPTIONS
    ) as out:
        codec = {
            "wav": "pcm_s16le" if bits == 16 else "pcm_s24le",
            "flac": "flac",
            "mp3": "libmp3lame",
            "m4a": "aac",
        }[fmt]
        stream = out.add_stream(codec, rate=sr, layout=layout)
        ctx = stream.codec_context
        if fmt in ("wav", "flac"):
            ctx.format = "s16" if bits == 16 else "s32"
        else:
            ctx.format = "fltp"
            ctx.bit_rate = _BITRATE
        for frame in _frames(read, n, ch, fmt, bits, sr):
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def _sentence(err: BaseException, final: Path) -> str:
    code = getattr(err, "errno", None)
    if code in _NO_SPACE:
        return f"Not enough disk space to write {final}."
    if code in _DENIED:
        return f"Cannot write to {final.parent}: permission denied."
    if code == errno.EROFS:
        return f"Cannot write to {final.parent}: the disk is read-only."
    if code in (errno.ENOENT, errno.ENOTDIR):
        return f"Cannot write to {final}: the folder {final.parent} does not exist."
    if code == errno.EISDIR:
        return f"Cannot write to {final}: a folder has that name."
    reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return f"Cannot write {final}: {reason}."


def write_audio(
    path: str | os.PathLike[str],
    audio: np.ndarray,
    sr: int,
    fmt: str | None = None,
    *,
    bits: int = 16,
) -> Path:
    """Write (n,) or (n, channels) float audio as wav (16/24-bit), flac, mp3 or m4a (AAC).

    Exactly len(audio) frames for wav and flac. Atomic: see write_atomically.
    """
    final = Path(path)
    fmt = format_for(final, fmt)
    if bits not in (16, 24):
        raise AudioFileError(f"Cannot write {bits}-bit audio: use 16 or 24 bits.")
    x = _as_frames(audio)
    return write_atomically(
        final, lambda tmp: _encode(tmp, _slicer(x), len(x), x.shape[1], int(sr), fmt, bits)
    )


def _slicer(x: np.ndarray) -> Callable[[int, int], np.ndarray]:
    return lambda a, b: x[a:b]


def write_audio_blocks(
    path: str | os.PathLike[str],
    read: Callable[[int, int], np.ndarray],
    n: int,
    sr: int,
    fmt: str | None = None,
    *,
    channels: int = 2,
    bits: int = 16,
) -> Path:
    """write_audio for a track read a block at a time: read(a, b) gives samples a..b as
    (b - a, channels) float; the same file as write_audio of the whole array."""
    final = Path(path)
    fmt = format_for(final, fmt)
    if bits not in (16, 24):
        raise AudioFileError(f"Cannot write {bits}-bit audio: use 16 or 24 bits.")
    if n <= 0:
        raise AudioFileError("Cannot write an audio file with no samples in it.")
    return write_atomically(final, lambda tmp: _encode(tmp, read, n, channels, int(sr), fmt, bits))


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Let write(tmp) fill a hidden temp file beside path, then move it onto path.

    Readers see the old file or the complete new one, never a part. On failure the temp
    file is removed and the error becomes an AudioFileError sentence; an interrupt
    (Ctrl-C, SystemExit) cleans up too but stays what it is.
    """
    final = Path(path)
    if not final.parent.is_dir():
        raise AudioFileError(_sentence(FileNotFoundError(errno.ENOENT, "missing"), final))
    tmp = final.with_name(f".{final.name}.part-{secrets.token_hex(4)}")
    try:
        write(tmp)
        with open(tmp, "rb") as fh:  # on disk before the rename makes it visible
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(err, AudioFileError) or not isinstance(err, Exception):
            raise
        raise AudioFileError(_sentence(err, final)) from err
    return final


def read_audio(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Decode the first audio stream to float32 (n, channels) and its sample rate."""
    p = Path(path)
    try:
        with av.open(str(p)) as box:
            if not box.streams.audio:
                raise AudioFileError(f"{p} has no audio in it.")
            stream = box.streams.audio[0]
            ch = stream.codec_context.channels
            to_float = av.AudioResampler(format="flt", layout=stream.layout, rate=stream.rate)
            parts = [
                out.to_ndarray().reshape(-1, ch)
                for frame in box.decode(stream)
                for out in to_float.resample(frame)
            ]
            parts += [out.to_ndarray().reshape(-1, ch) for out in to_float.resample(None)]
            rate = stream.rate
    except AudioFileError:
        raise
    except FileNotFoundError as err:
        raise AudioFileError(f"Cannot read {p}: there is no such file.") from err
    except PermissionError as err:
        raise AudioFileError(f"Cannot read {p}: permission denied.") from err
    except (av.error.FFmpegError, OSError, ValueError) as err:
        raise AudioFileError(f"Cannot read {p}: it is not an audio file we can decode.") from err
    audio = np.concatenate(parts) if parts else np.zeros((0, ch), np.float32)
    return audio.astype(np.float32, copy=False), int(rate)
