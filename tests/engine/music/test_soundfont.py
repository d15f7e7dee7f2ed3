"""The one SoundFont: its pack round-trips (everything but the samples to the byte, the
samples to within the codec's noise), a damaged pack is
refused, a user's own file is used (and a broken one falls back), and the built-in sounds
answer velocity the way the score asks (the reason MuseScore General was not chosen)."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from nemodesk.engine.music import soundfont
from nemodesk.engine.music.synth import NoteSampler


def _chunk(cid: bytes, payload: bytes) -> bytes:
    pad = b"\0" if len(payload) & 1 else b""
    return cid + struct.pack("<I", len(payload)) + payload + pad


def _fake_sf2(path: Path, seconds: float = 3.0) -> Path:
    """A RIFF/sfbk file with real-looking 16-bit samples (decaying tones and noise)."""
    rng = np.random.default_rng(7)
    t = np.arange(int(44100 * seconds)) / 44100
    tone = np.sin(2 * np.pi * 220 * t) * np.exp(-t) * 20000 + rng.normal(0, 300, t.size)
    samples = np.clip(tone, -32768, 32767).astype("<i2").tobytes()
    body = (
        b"sfbk"
        + _chunk(b"LIST", b"INFO" + _chunk(b"ifil", struct.pack("<HH", 2, 1)))
        + _chunk(b"LIST", b"sdta" + _chunk(b"smpl", samples))
        + _chunk(b"LIST", b"pdta" + _chunk(b"phdr", b"preset headers" * 3))
    )
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_pack_round_trips_and_is_small(tmp_path):
    source = _fake_sf2(tmp_path / "Tiny.sf2")
    packed = soundfont.pack(source, tmp_path / "Tiny.sf2pack")
    assert packed.stat().st_size < 0.25 * source.stat().st_size
    out = soundfont.unpack(packed, tmp_path / "out" / "Tiny.sf2")
    a, b = source.read_bytes(), out.read_bytes()
    off, size = soundfont._sample_chunk(a)
    assert len(a) == len(b) and a[:off] == b[:off] and a[off + size :] == b[off + size :]
    x = np.frombuffer(a, "<i2", size // 2, off).astype(np.float64)
    y = np.frombuffer(b, "<i2", size // 2, off).astype(np.float64)
    level = 10 * np.log10(np.mean(y**2) / np.mean(x**2))
    noise = 10 * np.log10(np.mean((y - x) ** 2) / np.mean(x**2))
    print(f"level {level:+.3f} dB, noise {noise:.1f} dB under the signal")
    assert abs(level) < 0.1 and noise < -25
    assert not list((tmp_path / "out").glob(".*"))  # no temp file left


def test_unpacked_once_into_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(soundfont.CACHE_ENV, str(tmp_path / "cache"))
    packed = soundfont.pack(_fake_sf2(tmp_path / "Tiny.sf2"), tmp_path / "Tiny.sf2pack")
    first = soundfont.unpacked(packed)
    assert first.parent == tmp_path / "cache" and first.name.endswith("-Tiny.sf2")
    assert first.name == soundfont.unpacked_name(soundfont._header(packed)[0])
    stamp = first.stat().st_mtime_ns
    assert soundfont.unpacked(packed) == first and first.stat().st_mtime_ns == stamp


@pytest.mark.parametrize("damage", ["samples", "header", "truncated", "fields"])
def test_a_damaged_pack_is_refused_and_writes_nothing(tmp_path, damage):
    packed = soundfont.pack(_fake_sf2(tmp_path / "Tiny.sf2"), tmp_path / "Tiny.sf2pack")
    data = bytearray(packed.read_bytes())
    if damage == "samples":  # a flipped bit deep in the coded samples
        data[-2000] ^= 0x40
    elif damage == "header":
        data[:8] = b"GARBAGE!"
    elif damage == "fields":  # a header of another version of the format, under this magic
        start = len(soundfont._MAGIC)
        end = data.index(b"\n", start)
        header = json.loads(data[start:end])
        header["spans"] = header.pop("groups")
        data[start : end + 1] = json.dumps(header).encode() + b"\n"
    else:
        data = data[: len(data) // 2]
    packed.write_bytes(bytes(data))
    with pytest.raises(soundfont.PackError):
        soundfont.unpack(packed, tmp_path / "out" / "Tiny.sf2")
    assert not (tmp_path / "out" / "Tiny.sf2").exists()
    assert not list((tmp_path / "out").glob(".*")) if (tmp_path / "out").exists() else True


def test_a_chosen_soundfont_is_used_and_a_missing_one_is_not(tmp_path, monkeypatch):
    own = _fake_sf2(tmp_path / "Mine.sf2")
    monkeypatch.setenv(soundfont.SOUNDFONT_ENV, str(own))
    assert soundfont.find_soundfont() == own
    monkeypatch.setenv(soundfont.SOUNDFONT_ENV, str(tmp_path / "gone.sf2"))
    assert soundfont.find_soundfont() == soundfont.builtin_soundfont()


def test_a_chosen_file_that_is_no_soundfont_falls_back_to_the_built_in(tmp_path):
    junk = tmp_path / "song.sf2"
    junk.write_bytes(b"this is not a SoundFont at all" * 100)
    sampler = NoteSampler(junk, 44100)
    assert sampler.soundfont == soundfont.builtin_soundfont()
    note = sampler.note(0, False, 60, 100, 0.5)
    assert np.abs(note).max() > 0.01  # it plays


@pytest.mark.parametrize(
    ("name", "program", "key", "is_drum"),
    [
        ("piano", 0, 60, False),
        ("piano low", 0, 48, False),
        ("piano high", 0, 72, False),
        ("nylon guitar", 24, 60, False),
        ("steel guitar", 25, 52, False),
        ("strings", 48, 60, False),
        ("finger bass", 33, 36, False),
        ("kick", 0, 36, True),
        ("snare", 0, 38, True),
    ],
)
def test_the_built_in_sounds_get_louder_with_velocity(name, program, key, is_drum):
    """40 → 80 → 120 rises by ≥ 2 dB each step. MuseScore General under TinySoundFont fails
    this for its piano (−48/−64/−36 dBFS: it needs SoundFont modulators)."""
    sampler = NoteSampler(soundfont.builtin_soundfont(), 44100)
    rms = []
    for vel in (40, 80, 120):
        audio = sampler.note(program, is_drum, key, vel, 0.5)
        rms.append(20 * np.log10(np.sqrt(np.mean(audio**2)) + 1e-12))
    assert rms[1] - rms[0] >= 2.0 and rms[2] - rms[1] >= 2.0, (name, rms)
