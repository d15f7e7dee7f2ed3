"""Which SoundFont the engine plays, and the compressed pack the installer carries it in.

One choice everywhere: FluidR3 GM (MIT), cut down to the presets the engine plays
(``sf2subset.engine_presets``: 46 of its 189, 78 of its 148 MB, every kept sample's bytes as
they were). Development and tests make that subset from Debian's ``fluid-soundfont-gm`` once
into the user's cache. The bundle carries it packed: each sample Ogg Vorbis-coded at its own
rate (libvorbis -q 6, as MuseScore's .sf3 does; one stream per rate: 11 MB for the 78),
everything else verbatim; it unpacks once into the cache (~1 s), checked (SHA-256 of the
preset data and of the coded samples; each sample's decoded length and level). The pack was
lossless FLAC (36 MB) until issue 18's 250 MB bundle; the samples are now the same to within
the codec's noise, not to the bit, and a listener cannot tell the two apart
(``test_soundfont_subset`` renders every preset both ways and compares loudness and
spectrum). The engine's first worker unpacks it as the engine starts
(``server/work.init_worker``), not when the first track is asked for, and a file lock keeps
two engines starting at once from doing it twice. MuseScore General (MIT, smaller as .sf3)
was measured and not chosen: its piano crossfades velocity layers with SoundFont modulators,
which TinySoundFont does not implement, so a middle-C at velocity 40/80/120 comes out at
−48/−64/−36 dBFS (FluidR3: −37/−31/−28).

A user who owns better sounds picks an .sf2/.sf3 in Settings; the app passes it to the
engine as ``NEMODESK_SOUNDFONT``, and it is played whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import secrets
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

from nemodesk.engine.music import dsp

SOUNDFONT_ENV = "NEMODESK_SOUNDFONT"
CACHE_ENV = "NEMODESK_SOUNDFONT_CACHE"
BUILTIN_NAME = "FluidR3_GM.sf2"  # the source
ENGINE_NAME = "FluidR3_GM-engine.sf2"  # the subset the engine plays (and the bundle packs)
PACK_SUFFIX = ".sf2pack"
SYSTEM_PATHS = (  # Debian/Ubuntu, then Arch/Fedora
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM2-2.sf2",
)
_MAGIC = b"NEMODESK-SF2PACK 3\n"  # 1: FLAC; 2: Vorbis per sample; 3: per rate
_QUALITY = 6  # libvorbis -q (0-10): ~100 kb/s for a mono 44.1 kHz sample; transparent
_TAIL = 4096  # zeros after each sample in its stream: two long blocks, so none overlaps the next
_LEVEL_DB = 1.0  # a decoded sample's level may differ from the original's by at most this
_CHECKED_DB = 30.0  # (dB over one LSB, i.e. -60 dBFS) quieter samples are coding noise
_SUBSET_VERSION = 1  # part of the cached subset's name: bump when the subset's recipe changes

log = logging.getLogger(__name__)


class SoundFontMissing(RuntimeError):
    """No General MIDI SoundFont could be found."""


class PackError(ValueError):
    """A SoundFont pack that is damaged or does not unpack to its recorded bytes."""


def bundled_pack() -> Path | None:
    """The frozen bundle's SoundFont pack (None when running from source)."""
    bundle = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[3]))
    for pack_file in sorted((bundle / "resources" / "soundfonts").glob(f"*{PACK_SUFFIX}")):
        return pack_file
    return None


def system_soundfont() -> Path:
    """The whole FluidR3 GM the system has (the subset's source)."""
    for candidate in SYSTEM_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise SoundFontMissing(
        "No General MIDI SoundFont found: install fluid-soundfont-gm (make setup does) or "
        f"choose an .sf2/.sf3 file in Settings ({SOUNDFONT_ENV})."
    )


def builtin_soundfont() -> Path:
    """The built-in SoundFont as a plain .sf2 file: the engine's subset of FluidR3, from the
    bundle's pack when frozen, else made from the system's FluidR3 (both into the cache,
    on first use)."""
    pack_file = bundled_pack()
    if pack_file is not None:
        return unpacked(pack_file)
    return engine_subset(system_soundfont())


def find_soundfont() -> Path:
    """The user's own SoundFont when one is chosen and readable, else the built-in one."""
    chosen = os.environ.get(SOUNDFONT_ENV)
    if chosen:
        path = Path(chosen).expanduser()
        if path.is_file() and os.access(path, os.R_OK):
            return path
        log.warning("the chosen SoundFont %s is not readable: using the built-in one", path)
    return builtin_soundfont()


def cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_cache_path("NemoDesk", appauthor=False) / "soundfonts"


def subset_bytes(source: Path) -> bytes:
    """``source`` (FluidR3 GM) cut down to the presets the engine plays."""
    from nemodesk.engine.music import sf2subset

    return sf2subset.subset(source.read_bytes(), sf2subset.engine_presets())


def engine_subset(source: Path) -> Path:
    """The engine's subset of ``source`` in the cache, made on first use (~1 s)."""
    from nemodesk.engine.music import sf2subset

    st = source.stat()
    recipe = json.dumps(
        [str(source), st.st_size, st.st_mtime_ns, sorted(sf2subset.engine_presets()),
         _SUBSET_VERSION]
    )  # fmt: skip
    dest = cache_dir() / f"{hashlib.sha256(recipe.encode()).hexdigest()[:16]}-{ENGINE_NAME}"
    if dest.is_file():
        return dest
    with _locked(dest):
        if not dest.is_file():  # another engine may have made it while we waited
            _sweep(dest)
            _write_atomically(dest, [subset_bytes(source)])
    return dest


def _sweep(dest: Path) -> None:
    """Remove what an engine killed mid-write left of ``dest`` (call holding its lock)."""
    for part in dest.parent.glob(f".{dest.name}.part-*"):
        with contextlib.suppress(OSError):
            part.unlink()


@contextlib.contextmanager
def _locked(dest: Path):
    """An exclusive lock (between processes) on ``dest``'s lock file beside it: two engines
    starting at once make the file once; the second waits, then finds it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(dest.with_name(f".{dest.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for ~10 s, then raises
                    break
                except OSError:
                    continue
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


# ---- the pack ---------------------------------------------------------------------------


def _chunks(buf: bytes | memoryview, start: int, end: int):
    """(id, data offset, size) of the RIFF chunks in buf[start:end]. Some writers leave
    out the pad byte after an odd-sized chunk, so it is skipped only when it is one."""
    off = start
    while off + 8 <= end:
        cid = bytes(buf[off : off + 4])
        (size,) = struct.unpack_from("<I", buf, off + 4)
        yield cid, off + 8, size
        off += 8 + size
        if size & 1 and not bytes(buf[off : off + 4]).isalnum():
            off += 1


def _sample_chunk(data: bytes) -> tuple[int, int]:
    """Offset and size of the 16-bit sample data (``sdta``/``smpl``) of an .sf2 file."""
    if data[:4] != b"RIFF" or data[8:12] != b"sfbk":
        raise PackError("not a SoundFont 2 file")
    for cid, off, size in _chunks(data, 12, len(data)):
        if cid == b"LIST" and data[off : off + 4] == b"sdta":
            for sub, soff, ssize in _chunks(data, off + 4, off + size):
                if sub == b"smpl":
                    return soff, ssize & ~1
    raise PackError("the SoundFont has no sample data")


def _sample_spans(data: bytes, size: int) -> list[tuple[int, int, int]]:
    """(start, end, rate) in sample points of every sample the ``shdr`` table lists (the
    whole sample chunk as one at 44.1 kHz when the file has no readable tables), without
    repeats."""
    from nemodesk.engine.music.sf2subset import SF2, SF2Error

    try:
        headers = SF2.parse(data).tables[b"shdr"][:-1]  # the last is the terminal record
    except SF2Error:
        headers = []
    points = size // 2
    spans: set[tuple[int, int, int]] = set()
    for rec in headers:
        start, end, _, _, rate = struct.unpack_from("<IIIII", rec, 20)
        if 0 <= start < end <= points:
            spans.add((start, end, rate if 8000 <= rate <= 192000 else 44100))
    return sorted(spans) or [(0, points, 44100)]


def _encode(signal: np.ndarray, rate: int) -> bytes:
    """Float samples (-1..1) as one Ogg Vorbis stream."""
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="ogg") as box:
        stream = box.add_stream("libvorbis", rate=rate, layout="mono")
        stream.options = {"global_quality": str(_QUALITY * 118), "flags": "+qscale"}
        frame = av.AudioFrame.from_ndarray(signal.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate, frame.pts = rate, 0
        box.mux(stream.encode(frame))
        box.mux(stream.encode(None))
    return out.getvalue()


def _decode(blob: bytes | memoryview, count: int) -> np.ndarray:
    """The first ``count`` points of one Ogg Vorbis stream, as float32."""
    import av

    out = np.zeros(count, np.float32)
    filled = 0
    with av.open(io.BytesIO(blob), format="ogg") as box:
        for frame in box.decode(audio=0):
            n = min(frame.samples, count - filled)
            out[filled : filled + n] = np.frombuffer(frame.planes[0], np.float32, n)
            filled += n
            if filled >= count:
                break
    if filled < count:
        raise PackError(f"the samples decode to {filled} points, expected {count}")
    return out


def _to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x * np.float32(32768.0)), -32768, 32767).astype(np.int16)


def pack(sf2: Path, dest: Path, name: str | None = None) -> Path:
    """Write ``dest``: ``sf2`` with its samples Vorbis-coded (those of one rate one after
    another in one stream, ``_TAIL`` zeros apart) and the rest verbatim, for the installer;
    it unpacks to a file called ``name`` (default: ``sf2``'s own)."""
    data = sf2.read_bytes()
    off, size = _sample_chunk(data)
    points = np.frombuffer(data, "<i2", size // 2, off)
    between = np.ones(len(points), bool)  # what lies between the samples (their zero pads)
    by_rate: dict[int, list[tuple[int, int]]] = {}
    for start, end, rate in _sample_spans(data, size):
        by_rate.setdefault(rate, []).append((start, end))
        between[start:end] = False
    groups, blobs = [], []
    for rate, spans in sorted(by_rate.items()):
        signal = np.zeros(sum(e - s + _TAIL for s, e in spans), np.float32)
        at = 0
        for s, e in spans:
            signal[at : at + e - s] = points[s:e] / np.float32(32768.0)
            at += e - s + _TAIL
        blobs.append(_encode(signal, rate))
        groups.append(
            [rate, len(blobs[-1]), [[s, e, round(dsp.rms_db(points[s:e]), 3)] for s, e in spans]]
        )
    gaps = zlib.compress(points[between].tobytes(), 9)  # kept exact
    rest = data[:off] + data[off + size :]
    header = {
        "name": name or sf2.name,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),  # of the source, which names the cache
        "rest_sha256": hashlib.sha256(rest).hexdigest(),
        "coded_sha256": hashlib.sha256(b"".join([gaps, *blobs])).hexdigest(),
        "samples_at": off,
        "samples_bytes": size,
        "gaps_bytes": len(gaps),
        "groups": groups,
    }
    _write_atomically(dest, [_MAGIC, json.dumps(header).encode() + b"\n", rest, gaps, *blobs])
    return dest


def _header(pack_file: Path) -> tuple[dict, int]:
    with pack_file.open("rb") as f:
        if f.read(len(_MAGIC)) != _MAGIC:
            raise PackError(f"{pack_file.name} is not a SoundFont pack")
        line = f.readline(1 << 20)
        try:
            return json.loads(line), len(_MAGIC) + len(line)
        except ValueError as e:
            raise PackError(f"{pack_file.name}: a damaged header") from e


def unpacked_name(header: dict) -> str:
    """The unpacked file's name in the cache: the source's hash, the coding, the name."""
    return f"{header['sha256'][:16]}-vorbis{_QUALITY}-{header['name']}"


def unpacked(pack_file: Path) -> Path:
    """The .sf2 of ``pack_file`` in the cache, unpacked and checked on first use (~1 s)."""
    header, _ = _header(pack_file)
    dest = cache_dir() / unpacked_name(header)
    if dest.is_file() and dest.stat().st_size == header["size"]:
        return dest
    with _locked(dest):
        if dest.is_file() and dest.stat().st_size == header["size"]:  # made while we waited
            return dest
        _sweep(dest)
        return unpack(pack_file, dest)


def unpack(pack_file: Path, dest: Path) -> Path:
    """Rebuild the .sf2 at ``dest``; PackError when the preset data is not what was packed
    or a sample does not decode to its length and level."""
    try:
        return _unpack(pack_file, dest)
    except (KeyError, TypeError, IndexError) as e:  # a header without what this version reads
        raise PackError(f"{pack_file.name}: an unreadable header ({e!r})") from e


def _unpack(pack_file: Path, dest: Path) -> Path:
    import av

    name = pack_file.name
    header, start = _header(pack_file)
    data = memoryview(pack_file.read_bytes())[start:]
    at, size, total = header["samples_at"], header["samples_bytes"], header["size"]
    rest_size = total - size
    rest = data[:rest_size]
    if (
        hashlib.sha256(rest).hexdigest() != header["rest_sha256"]
        or hashlib.sha256(data[rest_size:]).hexdigest() != header["coded_sha256"]
    ):
        raise PackError(f"{name} does not unpack to the SoundFont it was made from")
    pos = rest_size + header["gaps_bytes"]
    points = np.zeros(size // 2, np.int16)
    between = np.ones(len(points), bool)
    jobs = []
    for _rate, nbytes, spans in header["groups"]:
        for s, e, _level in spans:
            between[s:e] = False
        jobs.append((data[pos : pos + nbytes], spans))
        pos += nbytes
    if pos != len(data):
        raise PackError(f"{name}: {len(data) - pos} bytes more or less than recorded")
    try:
        gaps = zlib.decompress(data[rest_size : rest_size + header["gaps_bytes"]])
        points[between] = np.frombuffer(gaps, np.int16)
    except (zlib.error, ValueError) as e:
        raise PackError(f"{name}: damaged sample data ({e})") from e

    def decode(job: tuple[memoryview, list]) -> None:
        blob, spans = job
        try:
            signal = _decode(blob, sum(e - s + _TAIL for s, e, _ in spans))
        except (av.FFmpegError, ValueError) as err:
            raise PackError(f"{name}: damaged samples ({err})") from err
        at = 0
        for s, e, level in spans:
            points[s:e] = _to_int16(signal[at : at + e - s])
            at += e - s + _TAIL
            if level > _CHECKED_DB and abs(dsp.rms_db(points[s:e]) - level) > _LEVEL_DB:
                raise PackError(f"{name}: a sample decodes to another level than it was packed at")

    for job in jobs:  # one stream per sample rate (two threads measured no faster)
        decode(job)
    _write_atomically(dest, [rest[:at], memoryview(points).cast("B"), rest[at:]])
    return dest


def _write_atomically(dest: Path, parts: list) -> None:
    """Write to a hidden temp name beside ``dest`` and rename: a reader (another worker
    process unpacking at the same moment) sees the whole file or none."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part-{secrets.token_hex(4)}")
    try:
        with tmp.open("wb") as f:
            for part in parts:
                f.write(part)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
