"""Which SoundFont the engine plays, and the lossless pack the installer carries it in.

One choice everywhere: FluidR3 GM (MIT), cut down to the presets the engine plays
(``sf2subset.engine_presets``: 46 of its 189, 78 of its 148 MB, every kept sample's bytes
as they were). Development and tests make that subset from Debian's ``fluid-soundfont-gm``
once into the user's cache; the bundle carries the same subset packed (its samples as FLAC,
the rest verbatim, 36 MB) and unpacks it once into the cache, checked against the subset's
SHA-256, so the installed app renders with the very bytes the tests heard. The engine's first
worker unpacks it as the engine starts (``server/work.init_worker``), not when the first track
is asked for, and a file lock keeps two engines starting at once from doing it twice.
MuseScore General (MIT, smaller as .sf3) was measured and not chosen: its piano crossfades
velocity layers with SoundFont modulators, which TinySoundFont does not implement, so a
middle-C at velocity 40/80/120 comes out at −48/−64/−36 dBFS (FluidR3: −37/−31/−28).

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
from pathlib import Path

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
_MAGIC = b"NEMODESK-SF2PACK 1\n"
_RATE = 44100  # FLAC needs a rate; the samples keep their own in the SoundFont's headers
_BLOCK = 4608
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


def pack(sf2: Path, dest: Path, name: str | None = None) -> Path:
    """Write ``dest``: ``sf2`` with its samples FLAC-coded (lossless), for the installer;
    it unpacks to a file called ``name`` (default: ``sf2``'s own)."""
    import av
    import numpy as np

    data = sf2.read_bytes()
    off, size = _sample_chunk(data)
    samples = np.frombuffer(data, "<i2", size // 2, off)
    flac = io.BytesIO()
    with av.open(flac, "w", format="flac") as out:
        stream = out.add_stream("flac", rate=_RATE, layout="mono", format="s16")
        for i in range(0, len(samples), _BLOCK):
            block = np.ascontiguousarray(samples[i : i + _BLOCK]).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
            frame.sample_rate, frame.pts = _RATE, i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    header = {
        "name": name or sf2.name,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "samples_at": off,
        "samples_bytes": size,
    }
    _write_atomically(
        dest,
        [
            _MAGIC,
            json.dumps(header).encode() + b"\n",
            data[:off],
            data[off + size :],
            flac.getvalue(),
        ],
    )
    return dest


def _header(pack_file: Path) -> tuple[dict, int]:
    with pack_file.open("rb") as f:
        if f.read(len(_MAGIC)) != _MAGIC:
            raise PackError(f"{pack_file.name} is not a SoundFont pack")
        line = f.readline(4096)
        return json.loads(line), len(_MAGIC) + len(line)


def unpacked(pack_file: Path) -> Path:
    """The .sf2 of ``pack_file`` in the cache, unpacked and verified on first use (~1 s)."""
    header, _ = _header(pack_file)
    dest = cache_dir() / f"{header['sha256'][:16]}-{header['name']}"
    if dest.is_file() and dest.stat().st_size == header["size"]:
        return dest
    with _locked(dest):
        if dest.is_file() and dest.stat().st_size == header["size"]:  # made while we waited
            return dest
        _sweep(dest)
        return unpack(pack_file, dest)


def unpack(pack_file: Path, dest: Path) -> Path:
    """Rebuild the original .sf2 at ``dest``; PackError unless its SHA-256 matches."""
    import av
    import numpy as np

    header, start = _header(pack_file)
    data = memoryview(pack_file.read_bytes())[start:]
    at, size, total = header["samples_at"], header["samples_bytes"], header["size"]
    rest = total - size  # the file without its samples
    samples = np.empty(size // 2, "<i2")
    filled = 0
    try:
        with av.open(io.BytesIO(data[rest:]), format="flac") as f:
            for frame in f.decode(audio=0):
                block = frame.to_ndarray().reshape(-1)
                if filled + len(block) > len(samples):
                    raise PackError(f"{pack_file.name}: more samples than recorded")
                samples[filled : filled + len(block)] = block
                filled += len(block)
    except av.FFmpegError as e:
        raise PackError(f"{pack_file.name}: damaged samples ({e})") from e
    if filled * 2 != size:
        raise PackError(f"{pack_file.name}: {filled * 2} sample bytes, expected {size}")
    parts = [data[:at], memoryview(samples).cast("B"), data[at:rest]]
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    if digest.hexdigest() != header["sha256"]:
        raise PackError(f"{pack_file.name} does not unpack to the SoundFont it was made from")
    _write_atomically(dest, parts)
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
