"""The preview's copy of the music with the dip under speech, so the player sounds like the
export.

The export multiplies the music by ``10 ** (db / 20)``, ``db`` being core.ducking's curve
(timeline ms, linear in dB between breakpoints), on the timeline clock: music sample ``i``
sounds at ``offset_ms + i / rate * 1000``. ``write_ducked`` does the same to the downloaded
WAV, in blocks (a long track never sits in memory as floats), into a temporary name that is
renamed when complete. The file is named by a hash of what it depends on (the media, the
curve and the music's offset), so it is made once and reused until one of them changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import wave
from pathlib import Path

import numpy as np

from nemodesk.core.ducking import Breakpoints, gains_db

BLOCK_FRAMES = 1 << 18
_DTYPES = {2: np.int16, 4: np.int32}


KEEP_PER_MEDIA = 3  # older curves of the same music are removed


def _safe(media_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in media_id)[:40]


def ducked_name(media_id: str, points: Breakpoints, offset_ms: int) -> str:
    key = json.dumps([media_id, [[int(t), float(g)] for t, g in points], int(offset_ms)])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"{_safe(media_id)}-ducked-{digest}.wav"


def prune(folder: Path, media_id: str, keep: int = KEEP_PER_MEDIA) -> None:
    """Remove all but the ``keep`` newest ducked copies of one music (a file still open
    elsewhere may refuse: it goes next time)."""
    try:
        found = sorted(
            folder.glob(f"{_safe(media_id)}-ducked-*.wav"),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
    except OSError:
        return
    for old in found[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _int24_to_int32(raw: bytes) -> np.ndarray:
    b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
    v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
    return np.where(v >= 1 << 23, v - (1 << 24), v)


def _int32_to_int24(v: np.ndarray) -> bytes:
    u = (v.astype(np.int64) & 0xFFFFFF).astype(np.uint32)
    out = np.empty((len(u), 3), dtype=np.uint8)
    out[:, 0], out[:, 1], out[:, 2] = u & 0xFF, (u >> 8) & 0xFF, (u >> 16) & 0xFF
    return out.tobytes()


def write_ducked(src: Path, dest: Path, points: Breakpoints, offset_ms: float) -> Path:
    """Write ``src`` (PCM WAV, 16/24/32-bit) to ``dest`` with the curve applied; returns
    ``dest``. Raises ``wave.Error``/``ValueError`` for a WAV it cannot read."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        with wave.open(str(src), "rb") as r, wave.open(str(tmp), "wb") as w:
            width, channels, rate = r.getsampwidth(), r.getnchannels(), r.getframerate()
            if width not in (2, 3, 4):
                raise ValueError(f"unsupported sample width {width}")
            w.setnchannels(channels)
            w.setsampwidth(width)
            w.setframerate(rate)
            limit = (1 << (8 * width - 1)) - 1
            pos = 0
            while True:
                raw = r.readframes(BLOCK_FRAMES)
                if not raw:
                    break
                data = _int24_to_int32(raw) if width == 3 else np.frombuffer(raw, _DTYPES[width])
                frames = len(data) // channels
                t_ms = offset_ms + (pos + np.arange(frames)) * (1000.0 / rate)
                db = gains_db(points, t_ms)
                if np.any(db != 0.0):
                    g = np.power(10.0, db / 20.0)
                    v = data.reshape(frames, channels).astype(np.float64) * g[:, None]
                    v = np.clip(np.round(v), -limit - 1, limit).ravel()
                    data = v.astype(np.int32) if width != 2 else v.astype(np.int16)
                if width == 3:
                    w.writeframesraw(_int32_to_int24(data))
                else:
                    w.writeframesraw(np.ascontiguousarray(data, dtype=_DTYPES[width]).tobytes())
                pos += frames
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
