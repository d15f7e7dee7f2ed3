"""Time on the grid: sixteenth steps with swing, and humanised timing and velocity."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

STEPS_PER_BAR = 16


def rng_for(seed: int, *names: str) -> np.random.Generator:
    """A generator per (seed, part): parts stay independent, and everything is reproducible
    across processes (no use of Python's salted ``hash``)."""
    return np.random.default_rng([seed & 0xFFFFFFFF, *(zlib.crc32(n.encode()) for n in names)])


def level(energy: float) -> int:
    """Energy 0..1 as a density level 0..3 (sparse, light, full, driving)."""
    return 0 if energy < 0.3 else 1 if energy < 0.55 else 2 if energy < 0.8 else 3


def velocity(base: float, energy: float, rng: np.random.Generator, spread: float = 4.0) -> int:
    """Velocity from a pattern's base, scaled by energy and humanised."""
    v = base * (0.5 + 0.5 * energy) + rng.normal(0.0, spread)
    return int(np.clip(round(v), 12, 127))


@dataclass(frozen=True)
class Grid:
    bpm: float
    beats_per_bar: int = 4
    swing: float = 0.0  # fraction of the swing unit by which off-beats are late
    swing_16ths: bool = False
    jitter_s: float = 0.006  # humanised timing, standard deviation
    bar_starts: tuple[float, ...] = ()  # where each bar starts (Plan.bars_s); else bar * bar_s

    @property
    def beat_s(self) -> float:
        return 60.0 / self.bpm

    @property
    def step_s(self) -> float:
        return self.beat_s / 4

    @property
    def bar_s(self) -> float:
        return self.beat_s * self.beats_per_bar

    def time(
        self,
        bar: int,
        step: float,
        rng: np.random.Generator | None = None,
        jitter: float | None = None,
    ) -> float:
        """Seconds of ``step`` (sixteenths, may be fractional) in ``bar``, swung and humanised."""
        origin = self.bar_starts[bar] if bar < len(self.bar_starts) else bar * self.bar_s
        t = origin + step * self.step_s
        if self.swing:
            if self.swing_16ths and int(step) % 2 == 1 and step == int(step):
                t += self.swing * self.step_s
            elif not self.swing_16ths and int(step) % 4 == 2 and step == int(step):
                t += self.swing * 2 * self.step_s
        if rng is not None:
            sd = self.jitter_s if jitter is None else jitter
            t += float(np.clip(rng.normal(0.0, sd), -2.5 * sd, 2.5 * sd))
        return max(0.0, t)
