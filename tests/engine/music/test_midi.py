"""MIDI export: read back with mido and compared with the score."""

from __future__ import annotations

import mido
import pytest

from nemodesk.engine.music.audiofile import AudioFileError
from nemodesk.engine.music.midi import (
    DRUM_CHANNEL,
    TICKS_PER_BEAT,
    channels_for,
    key_signature,
    write_midi,
)
from nemodesk.engine.music.score import Note, Part, Score, Section


def small_score() -> Score:
    drums = Part("kick", "drums", 0, is_drum=True, notes=[Note(0.0, 0.1, 36, 110)])
    drums.notes += [Note(0.5 * i, 0.1, 42, 70) for i in range(1, 8)]
    piano = Part("piano", "keys", 0, notes=[Note(0.25, 1.0, 60, 80), Note(1.0, 0.5, 64, 70)])
    bass = Part("bass", "bass", 33, notes=[Note(0.0, 2.0, 40, 90)], gain_db=-6.0)
    return Score(
        bpm=96.0,
        beats_per_bar=3,
        key="F#",
        mode="minor",
        duration_s=7.5,
        sample_rate=44100,
        genre="lofi",
        sections=[Section("intro", 0.0, 3.75, 0.3, 2), Section("verse", 3.75, 7.5, 0.7, 2)],
        parts=[drums, piano, bass],
        hits_s=[1.875],
    )


def ticks(seconds: float, bpm: float = 96.0) -> int:
    return round(seconds * bpm / 60 * TICKS_PER_BEAT)


def absolute(track: mido.MidiTrack) -> list[tuple[int, mido.Message]]:
    now, out = 0, []
    for msg in track:
        now += msg.time
        out.append((now, msg))
    return out


@pytest.fixture
def midi(tmp_path) -> mido.MidiFile:
    path = write_midi(tmp_path / "score.mid", small_score())
    assert path.exists() and not [p for p in tmp_path.iterdir() if ".part-" in p.name]
    return mido.MidiFile(path)


def test_header_and_conductor(midi):
    assert midi.type == 1 and midi.ticks_per_beat == 480
    assert len(midi.tracks) == 4  # conductor + one per part
    conductor = absolute(midi.tracks[0])
    kinds = {m.type: m for _, m in conductor}
    assert kinds["set_tempo"].tempo == mido.bpm2tempo(96.0)
    sig = kinds["time_signature"]
    assert (sig.numerator, sig.denominator) == (3, 4)
    assert kinds["key_signature"].key == "F#m"
    markers = [(t, m.text) for t, m in conductor if m.type == "marker"]
    assert markers == [(0, "intro"), (ticks(3.75), "verse")]
    assert [t for t, m in conductor if m.type == "cue_marker"] == [ticks(1.875)]
    assert midi.length == pytest.approx(7.5, abs=0.01)


def test_parts(midi):
    names = [next(m.name for m in t if m.type == "track_name") for t in midi.tracks[1:]]
    assert names == ["kick", "piano", "bass"]
    programs = {}
    for track, name in zip(midi.tracks[1:], names, strict=True):
        pc = next(m for m in track if m.type == "program_change")
        programs[name] = (pc.program, pc.channel)
    assert programs["kick"][1] == DRUM_CHANNEL == 9
    assert programs["piano"] == (0, 0)
    assert programs["bass"] == (33, 1)
    volume = next(m for m in midi.tracks[3] if m.type == "control_change" and m.control == 7)
    assert volume.value == 71  # -6 dB on the GM volume curve


def test_notes(midi):
    score = small_score()
    for track, part in zip(midi.tracks[1:], score.parts, strict=True):
        ons = [(t, m) for t, m in absolute(track) if m.type == "note_on" and m.velocity > 0]
        offs = [(t, m) for t, m in absolute(track) if m.type == "note_off"]
        assert len(ons) == len(offs) == len(part.notes)
    piano = absolute(midi.tracks[2])
    first_on = next((t, m) for t, m in piano if m.type == "note_on")
    assert first_on[0] == ticks(0.25) and first_on[1].note == 60 and first_on[1].velocity == 80
    first_off = next(t for t, m in piano if m.type == "note_off" and m.note == 60)
    assert first_off == ticks(1.25)
    drum_ons = [m for m in midi.tracks[1] if m.type == "note_on"]
    assert {m.channel for m in drum_ons} == {9} and drum_ons[0].note == 36


def test_restruck_note_is_not_cut(tmp_path):
    score = small_score()
    score.parts = [Part("lead", "lead", 81, notes=[Note(0.0, 1.0, 72, 90), Note(0.5, 1.0, 72, 90)])]
    midi = mido.MidiFile(write_midi(tmp_path / "a.mid", score))
    events = [(t, m.type) for t, m in absolute(midi.tracks[1]) if m.type.startswith("note")]
    assert events == [
        (0, "note_on"),
        (ticks(0.5), "note_off"),
        (ticks(0.5), "note_on"),
        (ticks(1.5), "note_off"),
    ]


def test_key_signatures():
    assert key_signature("C", "major") == "C"
    assert key_signature("A", "minor") == "Am"
    assert key_signature("A#", "major") == "Bb"
    assert key_signature("Db", "minor") == "C#m"
    assert key_signature("Eb", "dorian") == "Ebm"
    assert key_signature("Cb", "major") == "B"


def test_channels():
    parts = [Part(f"p{i}", "keys", program=i % 20) for i in range(14)]
    parts.insert(3, Part("drums", "drums", 0, is_drum=True))
    chans = channels_for(parts)
    assert chans[3] == 9 and 9 not in chans[:3] + chans[4:]
    assert len(set(chans)) == len(chans)  # 14 melodic parts: one channel each
    many = [Part(f"p{i}", "keys", program=i % 5) for i in range(20)]
    shared = channels_for(many)
    assert 9 not in shared
    for a, b in zip(many, shared, strict=True):  # same program, same channel
        assert all(s == b for p, s in zip(many, shared, strict=True) if p.program == a.program)


def test_missing_folder(tmp_path):
    with pytest.raises(AudioFileError, match="does not exist"):
        write_midi(tmp_path / "nope" / "a.mid", small_score())
