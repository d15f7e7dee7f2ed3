"""Keys, scales, chords and voice leading: the harmony the composer stands on."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

PITCH_CLASS = {
    "C": 0,
    "C#": 1,
    "Db": 1,
    "D": 2,
    "D#": 3,
    "Eb": 3,
    "E": 4,
    "F": 5,
    "F#": 6,
    "Gb": 6,
    "G": 7,
    "G#": 8,
    "Ab": 8,
    "A": 9,
    "A#": 10,
    "Bb": 10,
    "B": 11,
}
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)  # natural minor; V is made major (harmonic minor)
# The five Chinese pentatonic modes (五声调式), each a rotation of the major pentatonic
# C D E G A started on its own note: gong 宫 (do), shang 商 (re), jue 角 (mi), zhi 徵 (sol),
# yu 羽 (la). Intervals above the mode's tonic.
PENTATONIC_MODES: dict[str, tuple[int, ...]] = {
    "gong": (0, 2, 4, 7, 9),
    "shang": (0, 2, 5, 7, 10),
    "jue": (0, 3, 5, 8, 10),
    "zhi": (0, 2, 5, 7, 9),
    "yu": (0, 3, 5, 7, 10),
}
# A major key is heard in gong, a minor one in yu: the same tonic and third.
DEFAULT_PENTATONIC = {"major": "gong", "minor": "yu"}

# Progressions as scale degrees (0-based). A trailing "7" flavour is decided by the genre.
PROGRESSIONS: dict[str, list[tuple[int, ...]]] = {
    "upbeat": [(0, 4, 5, 3), (0, 3, 5, 4), (0, 4, 3, 4)],
    "happy": [(0, 4, 5, 3), (0, 3, 4, 3)],
    "warm": [(0, 5, 3, 4), (0, 3, 0, 4), (0, 3, 4, 3)],
    "inspiring": [(0, 4, 5, 3), (3, 0, 4, 4), (0, 3, 5, 4)],
    "romantic": [(0, 5, 3, 4), (0, 3, 0, 4)],
    "playful": [(0, 3, 4, 3), (0, 1, 4, 0)],
    "calm": [(0, 3, 0, 3), (0, 5, 3, 4)],
    "chill": [(1, 4, 0, 5), (0, 5, 1, 4), (3, 2, 1, 0)],
    "dreamy": [(0, 3, 5, 3), (0, 2, 3, 3)],
    "epic": [(0, 4, 5, 3), (0, 3, 4, 4)],
    # minor moods: tonic and dominant carry the key so it reads unmistakably as minor
    "tense": [(0, 5, 3, 4), (0, 0, 5, 4), (0, 3, 0, 4)],
    "dark": [(0, 3, 0, 4), (0, 5, 3, 4)],
    "sad": [(0, 5, 3, 4), (0, 3, 5, 4)],
    "mysterious": [(0, 1, 0, 4), (0, 5, 0, 4)],
    "aggressive": [(0, 0, 5, 4), (0, 5, 6, 4)],
    "nostalgic": [(0, 5, 3, 4), (0, 3, 6, 4)],
}
MINOR_EPIC = [(0, 5, 3, 4), (0, 5, 6, 4)]


@dataclass(frozen=True)
class Key:
    tonic: int  # pitch class 0..11
    mode: str  # "major" | "minor"
    # A pentatonic mode (PENTATONIC_MODES) when the harmony too keeps to the five notes
    # (chords lose the tones outside them); None: the diatonic key.
    pentatonic: str | None = None

    @classmethod
    def parse(cls, name: str, mode: str, pentatonic: str | bool | None = None) -> Key:
        """The key named; ``pentatonic`` a mode name, or True for the mode's own (gong in
        major, yu in minor), keeps the harmony to its five notes."""
        if pentatonic is True:
            pentatonic = DEFAULT_PENTATONIC[mode]
        return cls(PITCH_CLASS[name], mode, pentatonic or None)

    def pentatonic_pcs(self) -> set[int]:
        """The five pitch classes of the key's pentatonic mode (gong for major, yu for
        minor unless ``pentatonic`` names another), all inside the diatonic scale except
        for shang/jue/zhi, whose fourth or seventh is the mode's own."""
        mode = self.pentatonic or DEFAULT_PENTATONIC[self.mode]
        return {(self.tonic + s) % 12 for s in PENTATONIC_MODES[mode]}

    @property
    def scale(self) -> tuple[int, ...]:
        return MAJOR_SCALE if self.mode == "major" else MINOR_SCALE

    def degree_pc(self, degree: int) -> int:
        return (self.tonic + self.scale[degree % 7]) % 12

    def scale_pcs(self) -> set[int]:
        return {(self.tonic + s) % 12 for s in self.scale}

    def chord(self, degree: int, seventh: bool = False) -> tuple[int, ...]:
        """Pitch classes of the chord on a scale degree, root first. In minor, V is major
        (raised leading tone), the harmonic-minor habit that makes the key audible."""
        pcs = [self.degree_pc(degree + i) for i in (0, 2, 4)] + (
            [self.degree_pc(degree + 6)] if seventh else []
        )
        if self.pentatonic:
            return pentatonic_chord(tuple(pcs), self.pentatonic_pcs())
        if self.mode == "minor" and degree % 7 == 4:
            pcs[1] = (pcs[1] + 1) % 12  # raised third of V
            if seventh:
                pcs[3] = (pcs[0] + 10) % 12  # dominant seventh
        return tuple(pcs)


def pentatonic_chord(pcs: tuple[int, ...], scale: set[int]) -> tuple[int, ...]:
    """A chord kept to the pentatonic ``scale``, the way Chinese harmony leans on fifths,
    seconds and fourths: each tone outside the scale moves to the nearest scale tone (the
    upper one on a tie), so in C gong IV (F A C) becomes A C E over E, V (G B D) the
    suspended G C D. Tones stay in place (a doubled tone may result), so a chord keeps
    its root, third and fifth slots for the bass and the voicing."""
    out: list[int] = []
    for pc in pcs:
        if pc not in scale:
            pc = min(
                ((pc + d) % 12 for d in (1, -1, 2, -2) if (pc + d) % 12 in scale),
                key=lambda q: (min((q - pc) % 12, (pc - q) % 12), (q - pc) % 12 != 1),
            )
        out.append(pc)
    return tuple(out)


def plain_progressions(mood: str, mode: str) -> list[tuple[int, ...]]:
    """The progressions a plain brief picks from for this mood and mode."""
    options = PROGRESSIONS.get(mood, PROGRESSIONS["warm"])
    if mood == "epic" and mode == "minor":
        options = MINOR_EPIC
    if (mode == "minor" and mood not in PROGRESSIONS) or (
        mode == "minor" and mood in ("upbeat", "warm", "happy", "playful", "romantic")
    ):
        options = PROGRESSIONS["sad"]
    if mode == "major" and mood in ("tense", "dark", "sad", "mysterious", "aggressive"):
        options = PROGRESSIONS["warm"]
    return options


def progression_for(mood: str, mode: str, rng: np.random.Generator) -> tuple[int, ...]:
    """One of the mood's progressions, picked by ``rng`` (a plain brief's choice)."""
    options = plain_progressions(mood, mode)
    return options[int(rng.integers(len(options)))]


def progressions(mood: str, mode: str) -> list[tuple[int, ...]]:
    """What ``Brief.progression`` indexes: the mood's progressions started halfway round
    (I-V-vi-IV becomes vi-IV-I-V: the same chords, other ones on the strong bars), then
    the progressions themselves. A plain brief only ever plays the latter."""
    options = plain_progressions(mood, mode)
    turned = [p[len(p) // 2 :] + p[: len(p) // 2] for p in options]
    return list(dict.fromkeys(turned + options))


def voice(
    chord: tuple[int, ...], previous: tuple[int, ...] | None, low: int, high: int, size: int = 4
) -> tuple[int, ...]:
    """A voicing of ``chord`` within [low, high] with the smallest total movement from the
    previous voicing (smooth voice leading); the first chord is placed near the middle.
    Every chord tone sounds; with more voices than tones, some are doubled."""
    pool = [n for n in range(low, high + 1) if n % 12 in chord]
    need = set(chord[:size])
    candidates = [
        c
        for c in itertools.combinations(pool, min(size, len(pool)))
        if need <= {n % 12 for n in c} and c[-1] - c[0] <= 16
    ]
    if not candidates:  # range too narrow: close position from low
        return tuple(sorted({low + ((pc - low) % 12) for pc in chord}))
    if previous is None:
        mid = (low + high) / 2
        return min(candidates, key=lambda v: (abs(float(np.mean(v)) - mid), v))

    def movement(v: tuple[int, ...]) -> tuple[float, tuple[int, ...]]:
        return (sum(abs(a - b) for a, b in zip(v, previous, strict=False)), v)

    return min(candidates, key=movement)


def nearest(pc: int, around: int) -> int:
    """The MIDI note of pitch class ``pc`` closest to ``around``."""
    base = around - ((around - pc) % 12)
    return base if around - base <= 6 else base + 12
