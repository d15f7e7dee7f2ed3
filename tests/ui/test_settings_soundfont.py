"""Settings → Instrument sounds (issue 17): the built-in SoundFont by default; a chosen
.sf2/.sf3 is checked (RIFF ``sfbk``), stored and named, a file that is not one is refused with
a message and the old choice kept; and with a chosen SoundFont the restarted local engine keeps
the session and plays new music with it — measured on the rendered audio."""

from __future__ import annotations

import itertools
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QFileDialog

from nemodesk.core.draft import TrackType
from nemodesk.ui.preferences import Preferences, is_soundfont
from nemodesk.ui.settings_dialog import SettingsDialog
from tests.ui.test_main_window import desktop, run, until  # noqa: F401 (the fixture)

_RATE = 44000  # 440 Hz is then exactly 100 samples


def _chunk(tag: bytes, data: bytes) -> bytes:
    data += b"\0" * (len(data) % 2)
    return tag + struct.pack("<I", len(data)) + data


def _list(kind: bytes, *chunks: bytes) -> bytes:
    return _chunk(b"LIST", kind + b"".join(chunks))


def tiny_soundfont(path: Path) -> Path:
    """A valid SoundFont of a few KB: one looped sawtooth (A4) as the melodic preset 0 and
    the drum kit (bank 128), so every part of a take plays it — a buzz nothing like FluidR3."""
    period = _RATE // 440
    saw = np.tile(np.linspace(-0.5, 0.5, period, endpoint=False), 40)
    samples = (saw * 32767).astype("<i2").tobytes() + b"\0" * 92  # 46 zero points after
    name = lambda s: s.encode().ljust(20, b"\0")  # noqa: E731
    phdr = b"".join(
        name(n) + struct.pack("<HHHIII", prog, bank, bag, 0, 0, 0)
        for n, prog, bank, bag in (("Saw", 0, 0, 0), ("Saw kit", 0, 128, 1), ("EOP", 0, 0, 2))
    )
    pbag = struct.pack("<HHHHHH", 0, 0, 1, 0, 2, 0)
    pgen = struct.pack("<HHHHHH", 41, 0, 41, 0, 0, 0)  # each zone: instrument 0
    inst = name("Saw") + struct.pack("<H", 0) + name("EOI") + struct.pack("<H", 1)
    ibag = struct.pack("<HHHH", 0, 0, 3, 0)
    igen = struct.pack("<HHHHHHHH", 38, 0xF448, 54, 1, 53, 0, 0, 0)  # ~0.05 s release, loop
    shdr = (
        name("saw")
        + struct.pack("<IIIIIBbHH", 0, 4000, 1000, 3000, _RATE, 69, 0, 0, 1)
        + b"\0" * 46
    )
    body = b"sfbk" + b"".join(
        (
            _list(
                b"INFO",
                _chunk(b"ifil", struct.pack("<HH", 2, 1)),
                _chunk(b"isng", b"EMU8000\0"),
                _chunk(b"INAM", b"Tiny saw\0"),
            ),
            _list(b"sdta", _chunk(b"smpl", samples)),
            _list(
                b"pdta",
                _chunk(b"phdr", phdr),
                _chunk(b"pbag", pbag),
                _chunk(b"pmod", b"\0" * 10),
                _chunk(b"pgen", pgen),
                _chunk(b"inst", inst),
                _chunk(b"ibag", ibag),
                _chunk(b"imod", b"\0" * 10),
                _chunk(b"igen", igen),
                _chunk(b"shdr", shdr),
            ),
        )
    )
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


BLACK_PEARL = Path("/usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2")


def prefs_at(path: Path) -> Preferences:
    return Preferences(QSettings(str(path), QSettings.Format.IniFormat))


@pytest.fixture
def prefs(tmp_path: Path) -> Preferences:
    return prefs_at(tmp_path / "NemoDesk.ini")


def open_dialog(qtbot, prefs: Preferences) -> SettingsDialog:
    dlg = SettingsDialog(prefs)
    qtbot.addWidget(dlg)
    return dlg


def pick(monkeypatch, path: Path) -> list[str]:
    """The file dialog answers ``path``; returns the filters it was asked with."""
    asked: list[str] = []

    def fake(parent, caption, folder, filters, *a, **kw):
        asked.append(filters)
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake))
    return asked


def test_built_in_by_default(qtbot, prefs: Preferences) -> None:
    dlg = open_dialog(qtbot, prefs)
    assert prefs.soundfont == ""
    assert dlg.soundfont_combo.currentIndex() == 0
    assert dlg.soundfont_combo.currentText() == "Built-in (FluidR3 GM)"
    assert dlg.values()["soundfont"] == ""
    assert dlg._soundfont_label.text() == "Instrument &sounds:"


def test_a_chosen_soundfont_is_stored_and_named(
    qtbot, monkeypatch, prefs: Preferences, tmp_path: Path
) -> None:
    own = tiny_soundfont(tmp_path / "My Strings.sf2")
    dlg = open_dialog(qtbot, prefs)
    changes: list[dict] = []
    dlg.settingsChanged.connect(changes.append)
    asked = pick(monkeypatch, own)
    dlg.soundfont_button.click()
    assert asked and "*.sf2" in asked[0] and "*.sf3" in asked[0]
    assert dlg.soundfont_combo.currentText() == "My Strings.sf2"
    assert dlg.soundfont_note.isHidden()
    dlg.accept()
    assert changes == [{"soundfont": str(own)}]
    assert prefs_at(prefs.file_path).soundfont == str(own)  # on disk, read back fresh

    again = open_dialog(qtbot, prefs_at(prefs.file_path))
    assert again.soundfont_combo.currentText() == "My Strings.sf2"
    again.soundfont_combo.setCurrentIndex(0)  # back to the built-in sounds
    again.accept()
    assert prefs_at(prefs.file_path).soundfont == ""


@pytest.mark.skipif(not BLACK_PEARL.is_file(), reason="no third-party SoundFont installed")
def test_a_third_party_soundfont_passes_the_check(qtbot, monkeypatch, prefs) -> None:
    dlg = open_dialog(qtbot, prefs)
    pick(monkeypatch, BLACK_PEARL)
    dlg.soundfont_button.click()
    assert dlg.soundfont_combo.currentText() == BLACK_PEARL.name
    assert is_soundfont(BLACK_PEARL)


def wav_named_sf2(path: Path) -> Path:
    """A RIFF file that is not a SoundFont (a WAV): the header's form type gives it away."""
    sf.write(str(path), np.zeros(100, dtype=np.float32), 8000, format="WAV")
    return path


@pytest.mark.parametrize(
    "make",
    [
        lambda d: wav_named_sf2(d / "song.sf2"),
        lambda d: (d / "notes.sf2").write_text("not a soundfont") and d / "notes.sf2",
        lambda d: d / "gone.sf3",
        lambda d: shutil.copy(tiny_soundfont(d / "tiny.sf2"), d / "tiny.wav") and d / "tiny.wav",
    ],
    ids=["wav-renamed", "text", "missing", "wrong-suffix"],
)
def test_a_file_that_is_not_a_soundfont_is_refused(
    qtbot, monkeypatch, prefs: Preferences, tmp_path: Path, make
) -> None:
    good = tiny_soundfont(tmp_path / "Good.sf2")
    prefs.soundfont = good
    dlg = open_dialog(qtbot, prefs)
    dlg.show()
    bad = make(tmp_path)
    pick(monkeypatch, bad)
    dlg.soundfont_button.click()
    assert dlg.soundfont_note.isVisible()
    assert bad.name in dlg.soundfont_note.text() and "not a SoundFont" in dlg.soundfont_note.text()
    assert dlg.soundfont_combo.currentText() == "Good.sf2"  # the old choice kept
    dlg.accept()
    assert prefs_at(prefs.file_path).soundfont == str(good)


def test_the_refusal_is_said_in_chinese(qtbot, monkeypatch, prefs, tmp_path: Path) -> None:
    from nemodesk.ui.i18n import Translator

    translator = Translator()
    assert translator.apply("zh_CN") == "zh_CN"
    try:
        dlg = open_dialog(qtbot, prefs)
        pick(monkeypatch, wav_named_sf2(tmp_path / "song.sf2"))
        dlg.soundfont_button.click()
        text = dlg.soundfont_note.text()
        assert "song.sf2" in text and "SoundFont" in text and "音色" in text
        assert "内置" in dlg.soundfont_combo.itemText(0)
    finally:
        translator.apply("en")


# -- end to end: the app, a real local engine, rendered audio --------------------------------


def _spectrum(path: Path) -> np.ndarray:
    """Long-term average magnitude spectrum (dB, 1/3-octave-ish bands) of a rendered file."""
    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    frames = np.lib.stride_tricks.sliding_window_view(mono, 4096)[::2048]
    power = (np.abs(np.fft.rfft(frames * np.hanning(4096), axis=1)) ** 2).mean(axis=0)
    freqs = np.fft.rfftfreq(4096, 1 / rate)
    edges = 100 * 2 ** (np.arange(0, 7.5, 1 / 3))  # 100 Hz .. ~18 kHz
    bands = [power[(freqs >= lo) & (freqs < hi)].sum() for lo, hi in itertools.pairwise(edges)]
    db = 10 * np.log10(np.asarray(bands) + 1e-12)
    return db - db.max()  # the shape, not the level (both are mastered to one loudness)


def _distance_db(a: Path, b: Path) -> float:
    return float(np.sqrt(np.mean((_spectrum(a) - _spectrum(b)) ** 2)))


def _engine_env(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_a_chosen_soundfont_plays_after_the_engine_restarts(
    desktop,  # noqa: F811
    tmp_path: Path,
) -> None:
    d, w = desktop, desktop.window
    own = tiny_soundfont(tmp_path / "Saw.sf2")
    takes: list[Path] = []

    def keep(path: str, _peaks, _ms) -> None:
        takes.append(Path(shutil.copy(path, tmp_path / f"take{len(takes)}.wav")))

    d.service.musicReady.connect(keep)

    def generate(undo_first: bool = False) -> Path:
        """The same prompt and seed; ``undo_first`` takes the draft back to empty first,
        else the engine sees nothing new to do and keeps the take it has."""
        if undo_first:
            w.undo()  # as Edit → Undo does
            run(d, until(lambda: not d.service.busy("chat")))
            draft = run(d, d.service.client.draft())
            assert draft.first(TrackType.AUDIO) is None
        count = len(takes)
        d.runs.clear()
        w.generate("calm piano and strings", {"duration_s": 6.0, "seed": 11})
        run(d, until(lambda: len(takes) > count and not d.service.busy("chat")))
        return takes[-1]

    def choose(path: str) -> int:
        old_pid = d.service.engine.pid
        d.prefs.soundfont = path
        d.apply_settings({"soundfont": path})
        run(
            d,
            until(
                lambda: (
                    d.service.ready_now()
                    and d.service.engine is not None
                    and d.service.engine.pid not in (None, old_pid)
                )
            ),
        )
        QApplication.processEvents()
        return d.service.engine.pid

    try:
        assert "NEMODESK_SOUNDFONT" not in _engine_env(d.service.engine.pid)
        built_in = generate()
        session = d.service.client.session.session_id
        messages = len(w.conversation.messages)

        pid = choose(str(own))
        assert _engine_env(pid)["NEMODESK_SOUNDFONT"] == str(own)
        # the session survived the restart: same id, its take still in the engine's draft
        assert d.service.client.session.session_id == session
        draft = run(d, d.service.client.draft())
        assert draft.first(TrackType.AUDIO) is not None
        assert len(w.conversation.messages) == messages  # no "new session" notice
        sawed = generate(undo_first=True)

        pid = choose("")
        assert "NEMODESK_SOUNDFONT" not in _engine_env(pid)
        again = generate(undo_first=True)
    finally:
        d.prefs.soundfont = ""  # the suite shares one settings file

    same = _distance_db(built_in, again)
    changed = _distance_db(built_in, sawed)
    print(f"spectral distance: built-in vs built-in {same:.2f} dB, vs own SoundFont {changed:.2f}")
    assert same < 0.5, "the same prompt and seed on the built-in sounds renders alike"
    assert changed > 3.0, "the chosen SoundFont is what the take was rendered with"
