"""The score as a Standard MIDI File, so a user can take the arrangement into a DAW.

Type 1: a conductor track (tempo, metre, key, section markers, video hit cues) and one
track per part. Written with mido, atomically like the audio files.
"""

from __future__ import annotations

import os
from pathlib import Path

import mido

from nemodesk.engine.music.audiofile import write_atomically
from nemodesk.engine.music.score import Part, Score

TICKS_PER_BEAT = 480
DRUM_CHANNEL = 9  # General MIDI channel 10
_MELODIC_CHANNELS = [c for c in range(16) if c != DRUM_CHANNEL]
_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# The spelling a key signature can carry (mido accepts at most 7 sharps or flats).
_MAJOR = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MINOR = ("Cm", "C#m", "Dm", "Ebm", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "Bbm", "Bm")
_MINOR_MODES = {"minor", "aeolian", "dorian", "phrygian", "locrian"}


def key_signature(key: str, mode: str) -> str:
    """mido's name for the key signature of a tonic like "F#" or "Bb" and a mode."""
    name = key.strip()
    pc = _PITCH_CLASS.get(name[:1].upper())
    if pc is None:
        return "C"
    pc += name[1:].count("#") - name[1:].count("b")
    return (_MINOR if mode.lower() in _MINOR_MODES else _MAJOR)[pc % 12]


def channels_for(parts: list[Part]) -> list[int]:
    """Drums on channel 10; others one channel each, or one per program past 15 parts."""
    melodic = [p for p in parts if not p.is_drum]
    by_program: dict[int, int] = {}
    out = []
    for p in parts:
        if p.is_drum:
            out.append(DRUM_CHANNEL)
        elif len(melodic) <= len(_MELODIC_CHANNELS):
            out.append(_MELODIC_CHANNELS[melodic.index(p)])
        else:  # share: same program, same channel (a program change would clash otherwise)
            slot = by_program.setdefault(p.program, len(by_program))
            out.append(_MELODIC_CHANNELS[slot % len(_MELODIC_CHANNELS)])
    return out


def _track(name: str, timed: list[tuple[int, int, mido.Message]], end: int) -> mido.MidiTrack:
    """Absolute-tick events (tick, order, message) to a track with delta times."""
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
    now = 0
    for tick, _, msg in sorted(timed, key=lambda e: (e[0], e[1])):
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, end - now)))
    return track


def _note_events(part: Part, channel: int, ticks) -> list[tuple[int, int, mido.Message]]:
    """note_on/note_off pairs; a note ends where the next of the same key starts, so one
    note's note_off never cuts a re-struck one short."""
    notes = sorted(part.notes, key=lambda n: (n.key, n.start_s))
    events = []
    for i, n in enumerate(notes):
        key = min(127, max(0, n.key))
        on = ticks(n.start_s)
        off = max(on + 1, ticks(n.start_s + n.dur_s))
        if i + 1 < len(notes) and notes[i + 1].key == n.key:
            nxt = ticks(notes[i + 1].start_s)
            if nxt <= on:  # the same key struck twice at once: keep one
                continue
            off = min(off, nxt)
        vel = min(127, max(1, n.vel))
        events.append((on, 2, mido.Message("note_on", channel=channel, note=key, velocity=vel)))
        events.append((off, 1, mido.Message("note_off", channel=channel, note=key, velocity=0)))
    return events


def score_to_midi(score: Score) -> mido.MidiFile:
    bpm = score.bpm if score.bpm > 0 else 120.0

    def ticks(seconds: float) -> int:
        return max(0, round(seconds * bpm / 60 * TICKS_PER_BEAT))

    end = ticks(score.duration_s)
    meta = [
        (0, 0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))),
        (0, 0, mido.MetaMessage("time_signature", numerator=score.beats_per_bar, denominator=4)),
        (0, 0, mido.MetaMessage("key_signature", key=key_signature(score.key, score.mode))),
    ]
    meta += [(ticks(s.start_s), 1, mido.MetaMessage("marker", text=s.name)) for s in score.sections]
    meta += [(ticks(t), 1, mido.MetaMessage("cue_marker", text="hit")) for t in score.hits_s]
    title = f"{score.genre} {score.key} {score.mode} {bpm:g} bpm".strip()
    mid = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    mid.tracks.append(_track(title, meta, end))
    for part, ch in zip(score.parts, channels_for(score.parts), strict=True):
        volume = round(min(127, max(0, 100 * 10 ** (part.gain_db / 40))))  # GM volume curve
        setup = [
            (0, 0, mido.Message("program_change", channel=ch, program=part.program & 0x7F)),
            (0, 0, mido.Message("control_change", channel=ch, control=7, value=volume)),
        ]
        events = setup + _note_events(part, ch, ticks)
        mid.tracks.append(_track(part.name, events, max(end, max(e[0] for e in events))))
    return mid


def write_midi(path: str | os.PathLike[str], score: Score) -> Path:
    """Write the score as a type 1 MIDI file, 480 ticks per beat; returns the path."""
    mid = score_to_midi(score)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            mid.save(file=fh)

    return write_atomically(path, write)
