"""Compose: a Score from a brief and a plan — chords, drums, bass, comping, pads, melody,
the ending and the accents on video cuts. Deterministic for a given seed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nemodesk.engine.brief import Brief
from nemodesk.engine.music import grooves
from nemodesk.engine.music.accents import hit_parts
from nemodesk.engine.music.accompaniment import BarChord, bass_bar, comp_bar, pad_bar
from nemodesk.engine.music.drums import CRASH, KICK, drum_bar
from nemodesk.engine.music.genres import GENRE_TEMPLATES, Genre, Voice, arrange
from nemodesk.engine.music.groove import Grid, level, rng_for
from nemodesk.engine.music.melody import MelodyWriter
from nemodesk.engine.music.plan import Plan
from nemodesk.engine.music.score import Note, Part, Score, Section
from nemodesk.engine.music.theory import Key, progression_for, progressions, voice

GROUP_OF_ROLE = {
    "drums": "drums",
    "bass": "bass",
    "comp": "chords",
    "pad": "pads",
    "lead": "melody",
    "fx": "hits",
}
ROLES = ("drums", "bass", "comp", "pad", "lead")


def _section_at(sections: list[Section], t: float) -> Section:
    for s in sections:
        if s.start_s <= t + 1e-6 < s.end_s:
            return s
    return sections[-1]


def _chords(
    plan: Plan, key: Key, genre: Genre, mood: str, seed: int, progression: int | None = None
) -> list[BarChord]:
    """One chord per bar; a progression per kind of section (picked by the seed, or by
    ``progression``: the n-th kind of section plays ``progressions(...)[progression + n]``);
    a dominant before the ending."""
    body = [s for s in plan.sections if s.name != "ending"]
    total_bars = len(plan.bars_s)
    progs: dict[str, tuple[int, ...]] = {}
    chosen = progressions(mood, key.mode) if progression is not None else []
    out: list[BarChord] = []
    for bar in range(total_bars):
        sec = _section_at(body, plan.bars_s[bar])
        if sec.name not in progs and chosen:
            progs[sec.name] = chosen[(int(progression or 0) + len(progs)) % len(chosen)]
        elif sec.name not in progs:
            progs[sec.name] = progression_for(mood, key.mode, rng_for(seed, "prog", sec.name))
        prog = progs[sec.name]
        degree = prog[(bar - sec.first_bar) % len(prog)]
        if not plan.loop and bar == total_bars - 1 and total_bars >= 2:
            degree = 4
        # a bar cut short before a cut plays its whole beats; one stretched by a fraction
        # of a beat plays four and the chord rings on into the cut (``span_beats``)
        span = plan.bar_beats(bar)
        beats = max(1, min(plan.beats_per_bar, int(span + 0.02)))
        out.append(BarChord(bar, degree, key.chord(degree, seventh=genre.sevenths), beats, span))
    return out


def compose(brief: Brief, plan: Plan, seed: int, sample_rate: int) -> Score:
    genre = GENRE_TEMPLATES[brief.genre]
    voices = arrange(brief.genre, brief.instruments, brief.exclude, brief.lead)
    key = Key.parse(brief.key, brief.mode)
    grid = Grid(
        plan.bpm, plan.beats_per_bar, genre.swing, genre.swing_16ths, bar_starts=tuple(plan.bars_s)
    )
    chords = _chords(plan, key, genre, brief.mood, seed, brief.progression)
    drum_table = grooves.drum_table(genre.drum_style, brief.groove)
    comp_style = grooves.comp_style(genre.comp_style, brief.groove)
    if "drums" in voices and voices["drums"].name != "brushes":
        voices["drums"] = replace(
            voices["drums"], program=grooves.kit(voices["drums"].program, brief.groove)
        )
    body = [s for s in plan.sections if s.name != "ending"] or plan.sections
    notes: dict[str, list[Note]] = {role: [] for role in voices}
    rngs = {role: rng_for(seed, role) for role in voices}
    writers: dict[str, MelodyWriter] = {}
    comp_prev: tuple[int, ...] | None = None
    pad_prev: tuple[int, ...] | None = None
    for i, chord in enumerate(chords):
        sec = _section_at(body, plan.bars_s[chord.bar])
        e = sec.energy
        nxt = chords[i + 1] if i + 1 < len(chords) else (chords[0] if plan.loop else None)
        sec_first, sec_last = sec.first_bar, sec.first_bar + max(sec.bars, 1) - 1
        if "drums" in voices:
            notes["drums"] += drum_bar(
                genre.drum_style,
                grid,
                chord.bar,
                e,
                rngs["drums"],
                fill=chord.bar == sec_last and sec.bars >= 4 and i + 1 < len(chords),
                crash=chord.bar == sec_first and not (plan.loop and chord.bar == 0),
                beats=chord.beats,
                table=drum_table,
            )
        if "bass" in voices and genre.bass_style != "none":
            v = voices["bass"]
            notes["bass"] += bass_bar(
                genre.bass_style, grid, chord, nxt, key, e, rngs["bass"], v.low, v.high
            )
        if "comp" in voices:
            v = voices["comp"]
            low = max(v.low, 52) if comp_style != "arp" else v.low + 7
            comp_prev = voice(chord.pcs, comp_prev, low, min(v.high, low + 20))
            notes["comp"] += comp_bar(comp_style, grid, chord, comp_prev, e, rngs["comp"])
        if "pad" in voices:
            v = voices["pad"]
            pad_prev = voice(chord.pcs, pad_prev, max(v.low, 50), min(v.high, 74))
            notes["pad"] += pad_bar(grid, chord, pad_prev, e, rngs["pad"])
        if "lead" in voices and _lead_plays(sec, body, genre):
            v = voices["lead"]
            writer = writers.setdefault(
                sec.name,
                MelodyWriter(key, genre.lead_style, v.low, v.high, rng_for(seed, "lead", sec.name)),
            )
            role = writer.phrase_role((chord.bar - sec_first) % 4, chord.bar == sec_last)
            cadence = key.chord(0) if chord.bar == sec_last else None
            notes["lead"] += writer.bar(grid, chord, role, e, cadence)
    if not plan.loop:
        _ending(
            notes,
            voices,
            plan,
            key,
            body[-1] if body else plan.sections[-1],
            comp_prev,
            pad_prev,
            rng_for(seed, "ending"),
        )
    if "lead" in notes:
        notes["lead"] = leave_room(notes["lead"], plan.speech_s)
    hits = hit_parts(
        plan,
        voices,
        genre,
        key,
        chords,
        notes,
        lambda t: _section_at(plan.sections, t).energy,
        rng_for(seed, "hits"),
    )
    parts = [
        Part(v.name, GROUP_OF_ROLE[role], v.program, role == "drums", notes[role], v.gain_db)
        for role, v in voices.items()
        if notes.get(role)
    ]
    parts += hits
    return Score(
        plan.bpm,
        plan.beats_per_bar,
        brief.key,
        brief.mode,
        plan.duration_s,
        sample_rate,
        brief.genre,
        plan.sections,
        parts,
        plan.hits_s,
        plan.loop,
    )


ROOM_BEFORE_S = 0.2  # the melody is out of the way this long before a voice comes in
MIN_NOTE_S = 0.12  # shorter than this after trimming, a note is left out


def leave_room(notes: list[Note], speech_s: list[tuple[float, float]]) -> list[Note]:
    """The melody rests while a voice talks: notes that would sound over speech are left
    out, notes that start before it stop in time. The voice's band is then free before any
    ducking (the harmony underneath keeps playing)."""
    if not speech_s:
        return notes
    out: list[Note] = []
    for n in notes:
        end = n.start_s + n.dur_s
        clash = [a for a, b in speech_s if n.start_s < b and end > a - ROOM_BEFORE_S]
        if not clash:
            out.append(n)
            continue
        stop = min(clash) - ROOM_BEFORE_S
        if stop - n.start_s >= MIN_NOTE_S:
            out.append(replace(n, dur_s=stop - n.start_s))
    return out


def _lead_plays(sec: Section, body: list[Section], genre: Genre) -> bool:
    if genre.name == "piano":
        return sec.energy >= 0.25
    if len(body) > 1 and sec is body[0] and sec.name == "intro":
        return False
    return sec.energy >= 0.35


def _ending(
    notes: dict[str, list[Note]],
    voices: dict[str, Voice],
    plan: Plan,
    key: Key,
    last: Section,
    comp_prev: tuple[int, ...] | None,
    pad_prev: tuple[int, ...] | None,
    rng: np.random.Generator,
) -> None:
    """The final tonic chord at ``plan.end_s``, held so that it rings out to the last sample."""
    t = plan.end_s
    ring = plan.duration_s - t
    hold = max(0.15, ring - 0.6)
    tonic = key.chord(0)
    e = max(last.energy, 0.4)
    vel = int(70 + 30 * e)
    if "pad" in voices:
        v = voices["pad"]
        for n in voice(tonic, pad_prev, max(v.low, 50), min(v.high, 74)):
            notes["pad"].append(Note(t, hold, n, vel - 6))
    if "comp" in voices:
        v = voices["comp"]
        low = max(v.low, 52)
        for j, n in enumerate(voice(tonic, comp_prev, low, min(v.high, low + 20))):
            notes["comp"].append(Note(t + 0.006 * j, hold, n, vel))
    if "bass" in voices:
        v = voices["bass"]
        root = v.low + ((tonic[0] - v.low) % 12)
        notes["bass"].append(Note(t, hold, root, vel))
    if "lead" in voices and notes["lead"]:
        last_note = notes["lead"][-1].key
        target = min(
            (n for n in range(last_note - 7, last_note + 8) if n % 12 == tonic[0]),
            key=lambda n: abs(n - last_note),
        )
        notes["lead"].append(Note(t, hold, target, vel - 4))
    if "drums" in voices and level(last.energy) >= 1:
        notes["drums"] += [Note(t, 0.5, CRASH, vel + 10), Note(t, 0.2, KICK, vel + 12)]
    for role in notes:  # nothing from the body may spill over the final chord
        notes[role] = [n for n in notes[role] if n.start_s <= t + 0.02 or n.start_s >= t - 1e-6]
