"""Motif-based melodies: a one-bar idea, repeated over the next chord, contrasted, resolved.

Strong beats take chord tones; weak ones move by scale step, so the tune fits the harmony
and still sings. Phrases are four bars: A, A' (the motif re-fitted to the new chord), B
(a contrasting rhythm), A'' ending on a long chord tone.

The "pentatonic" style (国风) keeps every note to the key's five-note pentatonic mode
(``Key.pentatonic_pcs``: gong in a major key, yu in a minor one): steps move between the
five notes, and strong beats take the chord tones that are among them.
"""

from __future__ import annotations

import numpy as np

from nemodesk.engine.music.accompaniment import BarChord
from nemodesk.engine.music.groove import Grid, velocity
from nemodesk.engine.music.score import Note
from nemodesk.engine.music.theory import Key

RHYTHMS: dict[str, list[list[tuple[int, int]]]] = {  # (step, length) in sixteenths
    "plucky": [
        [(0, 2), (2, 2), (4, 4), (10, 2), (12, 4)],
        [(0, 3), (3, 1), (4, 2), (6, 2), (8, 4), (12, 2), (14, 2)],
        [(2, 2), (4, 2), (6, 2), (8, 6)],
        [(0, 2), (4, 2), (6, 2), (8, 2), (10, 6)],
    ],
    "legato": [
        [(0, 6), (6, 2), (8, 8)],
        [(0, 4), (4, 4), (8, 4), (12, 4)],
        [(0, 8), (8, 4), (12, 4)],
        [(0, 12), (12, 4)],
    ],
    "sparse": [[(0, 8), (8, 8)], [(4, 4), (8, 8)], [(0, 12), (12, 4)], [(2, 6), (8, 8)]],
    # long tones with a grace-like turn into them, as an erhu or dizi sings
    "pentatonic": [
        [(0, 6), (6, 2), (8, 8)],
        [(0, 4), (4, 2), (6, 2), (8, 8)],
        [(0, 8), (8, 3), (11, 1), (12, 4)],
        [(0, 3), (3, 1), (4, 4), (8, 8)],
    ],
}
PENTATONIC_STYLES = frozenset({"pentatonic"})


def _strong(step: int) -> bool:
    return step % 8 == 0 or (step % 4 == 0 and step > 0)


def _scale_step(note: int, steps: int, scale_pcs: set[int]) -> int:
    direction = 1 if steps > 0 else -1
    for _ in range(abs(steps)):
        note += direction
        while note % 12 not in scale_pcs:
            note += direction
    return note


def _nearest_chord_tone(note: int, pcs: tuple[int, ...]) -> int:
    return min(
        (n for n in range(note - 6, note + 7) if n % 12 in pcs), key=lambda n: (abs(n - note), n)
    )


def _fit(note: int, low: int, high: int) -> int:
    while note < low:
        note += 12
    while note > high:
        note -= 12
    return note


class MelodyWriter:
    def __init__(self, key: Key, style: str, low: int, high: int, rng: np.random.Generator):
        self.key, self.rng = key, rng
        self.low, self.high = low, high
        self.pentatonic = style in PENTATONIC_STYLES or key.pentatonic is not None
        self.scale = key.pentatonic_pcs() if self.pentatonic else key.scale_pcs()
        self.rhythms = RHYTHMS.get(style, RHYTHMS["plucky"])
        self.center = (low + high) // 2
        self.motif = self._new_motif()
        self.last = _fit(self.center, low, high)

    def _new_motif(self) -> tuple[list[tuple[int, int]], list[int]]:
        rhythm = self.rhythms[int(self.rng.integers(len(self.rhythms)))]
        moves = [0] + [int(self.rng.choice([-2, -1, -1, 1, 1, 2, 0])) for _ in rhythm[1:]]
        return rhythm, moves

    def bar(
        self,
        grid: Grid,
        chord: BarChord,
        role: str,
        energy: float,
        cadence_pcs: tuple[int, ...] | None = None,
    ) -> list[Note]:
        """``role``: 'A' states the motif, 'B' contrasts, 'end' resolves to a long tone."""
        rhythm, moves = self.motif if role == "A" else self._new_motif()
        pcs = self._chord_tones(chord.pcs)
        if role == "end":
            head = [i for i, (st, _) in enumerate(rhythm) if st < 8][:2]
            rhythm = [*(rhythm[i] for i in head), (8, 8)]
            moves = [*(moves[i] for i in head), 0]
        start = _nearest_chord_tone(
            self.last if abs(self.last - self.center) < 7 else self.center, pcs
        )
        notes, pitch = [], start
        steps_here = chord.beats * 4
        for i, ((st, length), move) in enumerate(zip(rhythm, moves, strict=False)):
            if st >= steps_here:
                break
            pitch = _scale_step(pitch, move, self.scale) if move else pitch
            last = role == "end" and i == len(rhythm) - 1
            if last and cadence_pcs and cadence_pcs[0] in chord.pcs:  # resolve home when the
                pitch = _nearest_chord_tone(pitch, cadence_pcs[:1])  # harmony is home too
            elif _strong(st) or length >= 4:
                pitch = _nearest_chord_tone(pitch, pcs)
            pitch = _fit(pitch, self.low, self.high)
            dur = min(length, steps_here - st) * grid.step_s * 0.9
            notes.append(
                Note(
                    grid.time(chord.bar, st, self.rng),
                    dur,
                    pitch,
                    velocity(92 if _strong(st) else 80, energy, self.rng, 3),
                )
            )
        if notes:
            self.last = notes[-1].key
        return notes

    def _chord_tones(self, pcs: tuple[int, ...]) -> tuple[int, ...]:
        """The chord tones a strong beat may take: in the pentatonic style only those in
        the five notes (all five when the chord has none)."""
        if not self.pentatonic:
            return pcs
        inside = tuple(p for p in pcs if p in self.scale)
        return inside or tuple(sorted(self.scale))

    def phrase_role(self, bar_in_phrase: int, last_bar_of_section: bool) -> str:
        if last_bar_of_section or bar_in_phrase == 3:
            return "end"
        return "B" if bar_in_phrase == 2 else "A"
