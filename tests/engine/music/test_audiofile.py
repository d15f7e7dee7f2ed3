"""Audio files: exact lengths, deterministic bytes, and failures that leave nothing behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import av
import numpy as np
import pytest

from nemodesk.engine.music import audiofile
from nemodesk.engine.music.audiofile import (
    FORMATS,
    AudioFileError,
    format_for,
    read_audio,
    write_audio,
)

SR = 44100


def tone(seconds: float, channels: int = 2) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    x = 0.4 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 3300 * t)
    x = np.stack([x, 0.7 * x], axis=1)[:, :channels]
    return x.astype(np.float32)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".part-" in p.name]


def test_format_for():
    assert format_for("a/b/song.WAV") == "wav"
    assert format_for("song.flac") == "flac"
    assert format_for("song.wav", "mp3") == "mp3"  # explicit wins
    assert format_for("song", "M4A") == "m4a"
    with pytest.raises(AudioFileError, match="wav, mp3, flac, m4a"):
        format_for("song.ogg")
    with pytest.raises(AudioFileError, match="Cannot tell"):
        format_for("song")
    assert set(FORMATS) == {"wav", "mp3", "flac", "m4a"}


@pytest.mark.parametrize("fmt", ["wav", "flac"])
@pytest.mark.parametrize("seconds", [1.0, 2.345, 61.0])
def test_lossless_round_trip_is_sample_exact(tmp_path, fmt, seconds):
    x = tone(seconds)
    path = write_audio(tmp_path / f"out.{fmt}", x, SR)
    y, sr = read_audio(path)
    assert sr == SR and y.shape == x.shape and y.dtype == np.float32
    assert np.abs(y - x).max() <= 2.5 / 32768  # rounding plus +-1 LSB of dither
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_24_bit(tmp_path, fmt):
    x = tone(1.0)
    y, _ = read_audio(write_audio(tmp_path / f"deep.{fmt}", x, SR, bits=24))
    assert y.shape == x.shape and np.abs(y - x).max() <= 1.5 / 2**23
    with pytest.raises(AudioFileError, match="16 or 24"):
        write_audio(tmp_path / f"odd.{fmt}", x, SR, bits=12)


@pytest.mark.parametrize("fmt", ["mp3", "m4a"])
@pytest.mark.parametrize("seconds", [2.345, 10.0])
def test_lossy_duration(tmp_path, fmt, seconds):
    x = tone(seconds)
    path = write_audio(tmp_path / f"out.{fmt}", x, SR)
    y, sr = read_audio(path)
    assert sr == SR and y.shape[1] == 2
    assert abs(len(y) - len(x)) / SR <= 0.05
    with av.open(str(path)) as box:
        stream = box.streams.audio[0]
        assert stream.codec_context.name in ({"mp3", "mp3float"} if fmt == "mp3" else {"aac"})
        assert 150_000 <= (stream.bit_rate or box.bit_rate) <= 230_000


def test_m4a_is_faststart(tmp_path):
    data = write_audio(tmp_path / "a.m4a", tone(2.0), SR).read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat")


def test_mono(tmp_path):
    y, _ = read_audio(write_audio(tmp_path / "m.wav", tone(1.0, channels=1)[:, 0], SR))
    assert y.shape == (SR, 1)


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_same_input_same_bytes(tmp_path, fmt):
    x = tone(3.0) * np.linspace(1, 0, 3 * SR, dtype=np.float32)[:, None]  # a fade: dither shows
    a = write_audio(tmp_path / f"a.{fmt}", x, SR).read_bytes()
    b = write_audio(tmp_path / f"b.{fmt}", x, SR).read_bytes()
    assert a == b
    assert b"Lavf" not in a and b"Lavc" not in a  # no encoder version tags


def test_missing_folder(tmp_path):
    with pytest.raises(AudioFileError, match="does not exist"):
        write_audio(tmp_path / "nope" / "a.wav", tone(0.5), SR)
    assert list(tmp_path.iterdir()) == []


def test_name_taken_by_a_folder(tmp_path):
    (tmp_path / "a.wav").mkdir()
    with pytest.raises(AudioFileError, match="a folder has that name"):
        write_audio(tmp_path / "a.wav", tone(0.5), SR)
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(AudioFileError, match="permission denied"):
            write_audio(ro / "a.wav", tone(0.5), SR)
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


class _FailingContainer:
    """A real output container whose third write fails as a full disk (or a Ctrl-C) would."""

    def __init__(self, real, exc: BaseException):
        self.real, self.exc, self.calls = real, exc, 0

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self.real.__exit__(*exc)

    def mux(self, packets):
        self.calls += 1
        if self.calls == 2:  # after the first packets are in the file
            raise self.exc
        return self.real.mux(packets)


def _fail_writes(monkeypatch, exc: BaseException) -> list[str]:
    opened: list[str] = []
    real_open = av.open

    def fake_open(file, *args, **kwargs):
        opened.append(str(file))
        return _FailingContainer(real_open(file, *args, **kwargs), exc)

    monkeypatch.setattr(audiofile.av, "open", fake_open)
    return opened


@pytest.mark.parametrize("fmt", ["wav", "mp3"])
def test_full_disk_leaves_no_partial_file(tmp_path, monkeypatch, fmt):
    old = write_audio(tmp_path / f"song.{fmt}", tone(0.5), SR).read_bytes()
    opened = _fail_writes(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(AudioFileError, match="Not enough disk space"):
        write_audio(tmp_path / f"song.{fmt}", tone(5.0), SR)
    assert opened and Path(opened[0]).parent == tmp_path  # the temp file was really begun
    assert leftovers(tmp_path) == []
    assert (tmp_path / f"song.{fmt}").read_bytes() == old  # the previous file is intact


def test_permission_error_is_a_sentence(tmp_path, monkeypatch):
    _fail_writes(monkeypatch, PermissionError(errno.EACCES, "Permission denied"))
    with pytest.raises(AudioFileError, match="permission denied") as err:
        write_audio(tmp_path / "a.flac", tone(5.0), SR)
    assert "\n" not in str(err.value)
    assert leftovers(tmp_path) == []


def test_interrupt_cleans_up_and_stays_an_interrupt(tmp_path, monkeypatch):
    _fail_writes(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_audio(tmp_path / "a.wav", tone(5.0), SR)
    assert list(tmp_path.iterdir()) == []


def test_bad_input_audio(tmp_path):
    with pytest.raises(AudioFileError, match="no samples"):
        write_audio(tmp_path / "a.wav", np.zeros((0, 2), np.float32), SR)
    with pytest.raises(AudioFileError, match="mono or stereo"):
        write_audio(tmp_path / "a.wav", np.zeros((10, 6), np.float32), SR)
    with pytest.raises(AudioFileError, match="Unknown audio format"):
        write_audio(tmp_path / "a.ogg", tone(0.1), SR)
    assert list(tmp_path.iterdir()) == []


def test_read_errors(tmp_path):
    with pytest.raises(AudioFileError, match="no such file"):
        read_audio(tmp_path / "missing.wav")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all " * 50)
    with pytest.raises(AudioFileError, match="not an audio file"):
        read_audio(junk)
