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
    """The brief's score over the plan: every bar's chord played by the band, then the final
    chord, room for speech in the melody and the accents on the plan's hits."""
    genre = GENRE_TEMPLATES[brief.genre]
    voices = arrange(brief.genre, brief.instruments, brief.exclude, brief.lead)
    key = Key.parse(brief.key, brief.mode, genre.pentatonic)
    grid = Grid(
        plan.bpm,
        plan.beats_per_bar,
        genre.swing,
        genre.swing_16ths,
        bar_starts=tuple(plan.bars_s),
    )
    chords = _chords(plan, key, genre, brief.mood, seed, brief.progression)
    drum_table = grooves.drum_table(genre.drum_style, brief.groove)
    comp_style = grooves.comp_style(genre.comp_style, brief.groove)
    _use_groove_kit(voices, brief.groove)
    body = [s for s in plan.sections if s.name != "ending"] or plan.sections
    band = _Band(genre, voices, key, grid, seed, drum_table, comp_style)
    for i, chord in enumerate(chords):
        nxt = chords[i + 1] if i + 1 < len(chords) else (chords[0] if plan.loop else None)
        sec = _section_at(body, plan.bars_s[chord.bar])
        band.play_bar(chord, nxt, sec, body, last=i + 1 == len(chords), loop=plan.loop)
    notes = band.notes
    for role in notes:
        notes[role] = no_repeated_velocity(notes[role])
    if not plan.loop:
        _ending(
            notes,
            voices,
            plan,
            key,
            body[-1] if body else plan.sections[-1],
            band.comp_prev,
            band.pad_prev,
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
    return Score(
        plan.bpm,
        plan.beats_per_bar,
        brief.key,
        brief.mode,
        plan.duration_s,
        sample_rate,
        brief.genre,
        plan.sections,
        _parts(voices, notes, slide_bass=genre.bass_style == "808") + hits,
        plan.hits_s,
        plan.loop,
    )


def no_repeated_velocity(notes: list[Note]) -> list[Note]:
    """Repeated hits of one key never share a velocity back to back (the machine-gun
    effect): a repeat is nudged 2-3 steps away from the last, alternately up and down."""
    last: dict[int, int] = {}
    out = []
    for i, n in enumerate(notes):
        prev = last.get(n.key)
        if prev is not None and abs(n.vel - prev) < 2:
            step = 3 if i % 2 else -3
            vel = n.vel + step if 1 <= n.vel + step <= 127 else n.vel - step
            n = replace(n, vel=vel)
        last[n.key] = n.vel
        out.append(n)
    return out


def _use_groove_kit(voices: dict[str, Voice], groove: int | None) -> None:
    """A groove variation may swap the drum kit (brushes stay brushes: they are the sound)."""
    if "drums" in voices and voices["drums"].name != "brushes":
        voices["drums"] = replace(
            voices["drums"], program=grooves.kit(voices["drums"].program, groove)
        )


def _parts(
    voices: dict[str, Voice], notes: dict[str, list[Note]], *, slide_bass: bool = False
) -> list[Part]:
    """One Part per role that has notes, in the arrangement's order and mix group; an 808
    bass line is named so (``synth.glides``: its overlapping notes slide into each other)."""
    return [
        Part(
            "808" if slide_bass and role == "bass" and "808" not in v.name else v.name,
            GROUP_OF_ROLE[role],
            v.program,
            role == "drums",
            notes[role],
            v.gain_db,
        )
        for role, v in voices.items()
        if notes.get(role)
    ]


class _Band:
    """The voices playing bar by bar: each role's notes so far and its own random stream
    (so roles stay independent of one another), the melody writer of each section, and the
    last comping and pad voicings (the next chord is voiced close to them)."""

    def __init__(
        self,
        genre: Genre,
        voices: dict[str, Voice],
        key: Key,
        grid: Grid,
        seed: int,
        drum_table: list[grooves.Row] | None,
        comp_style: str,
    ) -> None:
        self.genre, self.voices, self.key, self.grid, self.seed = genre, voices, key, grid, seed
        self.drum_table, self.comp_style = drum_table, comp_style
        self.notes: dict[str, list[Note]] = {role: [] for role in voices}
        self.rngs = {role: rng_for(seed, role) for role in voices}
        self.writers: dict[str, MelodyWriter] = {}
        self.comp_prev: tuple[int, ...] | None = None
        self.pad_prev: tuple[int, ...] | None = None

    def play_bar(
        self,
        chord: BarChord,
        nxt: BarChord | None,
        sec: Section,
        body: list[Section],
        *,
        last: bool,
        loop: bool,
    ) -> None:
        """One bar of every voice there is: drums, bass, comping, pads, then the melody."""
        e = sec.energy
        sec_first, sec_last = sec.first_bar, sec.first_bar + max(sec.bars, 1) - 1
        if "drums" in self.voices:
            self._drums(
                chord,
                e,
                fill=chord.bar == sec_last and sec.bars >= 4 and not last,
                crash=chord.bar == sec_first and not (loop and chord.bar == 0),
            )
        if "bass" in self.voices and self.genre.bass_style != "none":
            self._bass(chord, nxt, e)
        if "comp" in self.voices:
            self._comp(chord, e)
        if "pad" in self.voices:
            self._pad(chord, e)
        if "lead" in self.voices and _lead_plays(sec, body, self.genre):
            self._lead(chord, sec, e, sec_first, sec_last)

    def _drums(self, chord: BarChord, e: float, *, fill: bool, crash: bool) -> None:
        """The groove for the bar; a fill closes a long section, a crash opens one."""
        self.notes["drums"] += drum_bar(
            self.genre.drum_style,
            self.grid,
            chord.bar,
            e,
            self.rngs["drums"],
            fill=fill,
            crash=crash,
            beats=chord.beats,
            table=self.drum_table,
            brushes=self.voices["drums"].program == BRUSH_KIT,
        )

    def _bass(self, chord: BarChord, nxt: BarChord | None, e: float) -> None:
        """The bass line, which may lead into the next bar's chord."""
        v = self.voices["bass"]
        self.notes["bass"] += bass_bar(
            self.genre.bass_style,
            self.grid,
            chord,
            nxt,
            self.key,
            e,
            self.rngs["bass"],
            v.low,
            v.high,
        )

    def _comp(self, chord: BarChord, e: float) -> None:
        """Comping voiced close to the last bar's (arpeggios sit a fifth higher in the range)."""
        v = self.voices["comp"]
        low = max(v.low, 52) if self.comp_style != "arp" else v.low + 7
        pcs = extended(self.key, chord) if self.comp_style == "jazz" else chord.pcs
        self.comp_prev = voice(pcs, self.comp_prev, low, min(v.high, low + 20))
        pedal = v.program < 8 and self.comp_style in ("block", "arp", "strum")
        self.notes["comp"] += comp_bar(
            self.comp_style, self.grid, chord, self.comp_prev, e, self.rngs["comp"], pedal=pedal
        )

    def _pad(self, chord: BarChord, e: float) -> None:
        """The held pad chord, voiced close to the last bar's in the middle register."""
        v = self.voices["pad"]
        self.pad_prev = voice(chord.pcs, self.pad_prev, max(v.low, 50), min(v.high, 74))
        self.notes["pad"] += pad_bar(self.grid, chord, self.pad_prev, e, self.rngs["pad"])

    def _lead(self, chord: BarChord, sec: Section, e: float, sec_first: int, sec_last: int) -> None:
        """The melody: one writer per kind of section (so a chorus comes back as itself),
        phrased in four-bar units and cadencing on the tonic at the section's last bar."""
        v = self.voices["lead"]
        writer = self.writers.setdefault(
            sec.name,
            MelodyWriter(
                self.key, self.genre.lead_style, v.low, v.high, rng_for(self.seed, "lead", sec.name)
            ),
        )
        role = writer.phrase_role((chord.bar - sec_first) % 4, chord.bar == sec_last)
        cadence = self.key.chord(0) if chord.bar == sec_last else None
        self.notes["lead"] += writer.bar(self.grid, chord, role, e, cadence)


BRUSH_KIT = 40  # GM brush kit (bank 128)


def extended(key: Key, chord: BarChord) -> tuple[int, ...]:
    """A jazz pianist's rootless voicing (the walking bass has the root): third, seventh,
    ninth and fifth, the dominant's thirteenth for its fifth; a ninth a semitone above the
    root, which clashes, gives way to the fifth. The root comes last: voiced only if room."""
    pcs = chord.pcs
    root = pcs[0]
    seventh = pcs[3] if len(pcs) > 3 else key.degree_pc(chord.degree + 6)
    ninth = key.degree_pc(chord.degree + 1)
    if (ninth - root) % 12 != 2:
        ninth = pcs[2]
    top = key.degree_pc(chord.degree + 5) if chord.degree == 4 else pcs[2]
    return tuple(dict.fromkeys((pcs[1], seventh, ninth, top, root)))


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
