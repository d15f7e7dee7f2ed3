"""The composed piece as plain data: what the composer hands to the renderer and MIDI writer.

Times are in seconds (float) so that humanised timing and video hit points need no grid;
the renderer turns them into sample positions, the MIDI writer into ticks.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Note:
    start_s: float
    dur_s: float
    key: int  # MIDI note number (for drums: the GM percussion key)
    vel: int  # 1..127


@dataclass(slots=True)
class Part:
    """One instrument: a General MIDI program rendered into one stem group."""

    name: str  # "piano", "kick", ...
    group: str  # stem group: drums, bass, keys, guitar, strings, brass, lead, pad, fx
    program: int  # GM program 0..127 (ignored for drums)
    is_drum: bool = False
    notes: list[Note] = field(default_factory=list)
    gain_db: float = 0.0  # mix level of this part


@dataclass(frozen=True, slots=True)
class Section:
    name: str  # intro, verse, build, chorus, peak, bridge, outro, loop
    start_s: float
    end_s: float
    energy: float  # 0..1
    bars: int
    first_bar: int = 0  # index of its first bar in Plan.bars_s
    on_cut: bool = False  # it starts exactly on a video cut (the bar grid restarts there)


@dataclass(slots=True)
class Score:
    bpm: float
    beats_per_bar: int
    key: str  # tonic, e.g. "A", "F#"
    mode: str  # "major" | "minor"
    duration_s: float
    sample_rate: int
    genre: str
    sections: list[Section] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    hits_s: list[float] = field(default_factory=list)
    loop: bool = False

    @property
    def n_samples(self) -> int:
        return round(self.duration_s * self.sample_rate)

    @property
    def groups(self) -> list[str]:
        seen: list[str] = []
        for p in self.parts:
            if p.group not in seen:
                seen.append(p.group)
        return seen
