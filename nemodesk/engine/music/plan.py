"""Plan: tempo, sections and hit points fitted so the track is exactly the asked length.

A non-looping track is ``body`` (whole beats at a tempo nudged by at most 3%) followed by a
final chord that rings out until the last sample; a loop is whole bars only, so its end
meets its start. With a video, the tempo is chosen (within the same 3%) so that as many
scene cuts as possible fall on the sixteenth-note grid, section changes move onto bar lines
next to cuts, and every cut gets an accent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nemodesk.engine.music.brief import Brief
from nemodesk.engine.music.score import Section

MAX_TEMPO_NUDGE = 0.03
RING_S = (1.0, 3.0)  # how long the final chord may ring out
CUT_SNAP_S = 0.035  # an accent moves onto the grid only when that is this close to the cut
SECTION_SNAP_S = 0.060


@dataclass
class Plan:
    bpm: float
    beats_per_bar: int
    duration_s: float
    body_beats: int
    end_s: float  # where the final chord strikes (== duration_s for a loop)
    sections: list[Section] = field(default_factory=list)
    hits_s: list[float] = field(default_factory=list)
    cuts_s: list[float] = field(default_factory=list)
    loop: bool = False
    speech_s: list[tuple[float, float]] = field(default_factory=list)  # where a voice talks

    @property
    def beat_s(self) -> float:
        return 60.0 / self.bpm

    @property
    def bar_s(self) -> float:
        return self.beat_s * self.beats_per_bar


def _fit_beats(duration_s: float, beat0: float, loop: bool) -> tuple[float, int] | None:
    """(beat length, body beats) for one tempo, or None when nothing fits."""
    ring_mid = sum(RING_S) / 2
    shortest, longest = beat0 / (1 + MAX_TEMPO_NUDGE), beat0 / (1 - MAX_TEMPO_NUDGE)
    best: tuple[float, float, int] | None = None
    for unit in (4, 2, 1):
        for k in range(unit, int(duration_s / shortest) + unit + 1, unit):
            if loop:
                beat = duration_s / k
                if not shortest <= beat <= longest:
                    continue
                cost = abs(beat0 / beat - 1)
            else:
                beat = min(max((duration_s - ring_mid) / k, shortest), longest)
                ring = duration_s - k * beat
                if not RING_S[0] <= ring <= RING_S[1] + 0.5:
                    continue
                cost = abs(beat0 / beat - 1) + 0.01 * abs(ring - ring_mid)
            if best is None or cost < best[0]:
                best = (cost, beat, k)
        if best is not None:
            return best[1], best[2]
    return None


def _fit(duration_s: float, bpm: float, loop: bool) -> tuple[float, int]:
    beat0 = 60.0 / bpm
    fitted = _fit_beats(duration_s, beat0, loop)
    if fitted:
        return fitted
    if loop:  # very short loop: as many whole beats as fit, tempo follows the length
        k = max(1, round(duration_s / beat0))
        return duration_s / k, k
    # too short for even one beat before the ring-out: a single chord (a sting)
    return beat0, 0


def _grid_score(cuts: np.ndarray, beat: float, end_s: float) -> int:
    if cuts.size == 0:
        return 0
    step = beat / 4
    inside = cuts[cuts < end_s]
    dist = np.abs(inside - np.round(inside / step) * step)
    return int((dist <= CUT_SNAP_S).sum())


def _beats_at(duration_s: float, beat: float) -> int | None:
    """Body beats at exactly this beat length, leaving a ring-out in range (whole bars
    preferred), or None."""
    ring_mid = sum(RING_S) / 2
    for unit in (4, 2, 1):
        ks = [
            k
            for k in range(unit, int(duration_s / beat) + 1, unit)
            if RING_S[0] <= duration_s - k * beat <= RING_S[1] + 0.5
        ]
        if ks:
            return min(ks, key=lambda k: abs(duration_s - k * beat - ring_mid))
    return None


def fit_tempo(duration_s: float, bpm: float, loop: bool, cuts_s: list[float]) -> tuple[float, int]:
    """(bpm, body beats): the fitted tempo, chosen among ±3% to put cuts on the grid."""
    beat, k = _fit(duration_s, bpm, loop)
    if not cuts_s or loop or k == 0:
        return 60.0 / beat, k
    cuts = np.asarray(cuts_s, dtype=float)
    best = (_grid_score(cuts, beat, k * beat), -abs(bpm * beat / 60.0 - 1), beat, k)
    for candidate in np.linspace(bpm * (1 - MAX_TEMPO_NUDGE), bpm * (1 + MAX_TEMPO_NUDGE), 241):
        b = 60.0 / candidate
        kk = _beats_at(duration_s, b)
        if kk is None:
            continue
        score = (_grid_score(cuts, b, kk * b), -abs(candidate / bpm - 1), b, kk)
        if score[:2] > best[:2]:
            best = score
    return 60.0 / best[2], best[3]


def _energies(arc: str, n: int, energy: float, loop: bool) -> list[float]:
    if loop or n <= 1:
        return [energy] * n
    t = np.linspace(0.0, 1.0, n)
    if arc == "build":
        e = 0.2 + 0.8 * t
    elif arc == "fall":
        e = 1.0 - 0.75 * t
    elif arc == "wave":
        e = energy + 0.25 * np.where(np.arange(n) % 2 == 1, 1.0, -1.0)
    else:
        e = np.full(n, energy)
        e[0] = energy * 0.75
        if n > 3:
            e[2::2] = min(1.0, energy + 0.12)
            e[-1] = energy * 0.85  # the outro eases off before the final chord
    return [float(np.clip(x, 0.12, 1.0)) for x in e]


def _names(arc: str, n: int, loop: bool) -> list[str]:
    if loop:
        return ["loop A", "loop B"] * (n // 2) + ["loop A"] * (n % 2)
    base = {
        "build": ["intro", "verse", "build", "rise", "peak"],
        "fall": ["peak", "verse", "settle", "calm", "outro"],
        "wave": ["intro", "swell", "dip", "swell", "dip"],
    }.get(arc, ["intro", "verse", "chorus", "verse", "chorus"])
    names = [
        base[min(i, len(base) - 1)] if arc != "wave" else base[i % len(base)] for i in range(n)
    ]
    if arc == "build" and n >= 2:
        names[-1] = "peak"
    elif arc in ("flat", "wave") and n >= 4:
        names[-1] = "outro"
    return names


def _section_bars(total_bars: int, loop: bool) -> list[int]:
    """Section lengths in bars: a short intro, then 8-bar blocks (4 when short)."""
    if total_bars <= 4:
        return [total_bars] if total_bars else []
    sizes: list[int] = []
    rest = total_bars
    if not loop and total_bars >= 8:
        intro = 4 if total_bars >= 24 else 2
        sizes.append(intro)
        rest -= intro
    block = 8 if total_bars >= 16 else 4
    while rest > 0:
        take = block if rest - block >= block // 2 or rest <= block else rest
        take = min(take, rest)
        sizes.append(take)
        rest -= take
    return sizes


def _snap_boundaries(bounds: list[int], bar_s: float, cuts: list[float]) -> list[int]:
    """Move inner section boundaries onto bar lines that sit on a cut, when one is near."""
    out = list(bounds)
    for i in range(1, len(out) - 1):
        best = None
        for cut in cuts:
            bar = round(cut / bar_s)
            if abs(bar * bar_s - cut) > SECTION_SNAP_S or abs(bar - out[i]) > 2:
                continue
            if out[i - 1] + 2 <= bar <= out[i + 1] - 2 and (
                best is None or abs(bar - out[i]) < abs(best - out[i])
            ):
                best = bar
        if best is not None:
            out[i] = best
    return out


def make_plan(brief: Brief, cuts_s: list[float] | None = None, beats_per_bar: int = 4) -> Plan:
    duration = brief.duration_s
    cuts = sorted(c for c in (cuts_s or []) if 0.05 < c < duration - 0.05)
    bpm, body_beats = fit_tempo(duration, brief.bpm, brief.loop, cuts)
    beat = 60.0 / bpm
    end_s = duration if brief.loop else body_beats * beat
    plan = Plan(
        bpm=bpm,
        beats_per_bar=beats_per_bar,
        duration_s=duration,
        body_beats=body_beats,
        end_s=end_s,
        cuts_s=cuts,
        loop=brief.loop,
    )
    whole_bars, extra_beats = divmod(body_beats, beats_per_bar)
    sizes = _section_bars(whole_bars, brief.loop)
    if brief.arc != "flat" and not brief.loop and len(sizes) < 3 <= whole_bars:
        # a short track still needs a start, a middle and an end for its arc to be heard
        sizes = [whole_bars // 3 + (i < whole_bars % 3) for i in range(3)][::-1]
    bounds = [0]
    for s in sizes:
        bounds.append(bounds[-1] + s)
    bounds = _snap_boundaries(bounds, plan.bar_s, cuts)
    names = _names(brief.arc, len(sizes), brief.loop)
    energies = _energies(brief.arc, len(sizes), brief.energy, brief.loop)
    for i in range(len(sizes)):
        start = bounds[i] * plan.bar_s
        end = bounds[i + 1] * plan.bar_s if i < len(sizes) - 1 else end_s
        plan.sections.append(Section(names[i], start, end, energies[i], bounds[i + 1] - bounds[i]))
    if not plan.sections and body_beats:  # less than a bar of music before the ending
        plan.sections.append(Section("intro", 0.0, end_s, brief.energy, 0))
    elif extra_beats and plan.sections:
        last = plan.sections[-1]
        plan.sections[-1] = Section(last.name, last.start_s, end_s, last.energy, last.bars)
    if not brief.loop:
        last_energy = plan.sections[-1].energy if plan.sections else brief.energy
        plan.sections.append(Section("ending", end_s, duration, last_energy, 0))
    step = beat / 4
    hits = []
    for cut in cuts:
        grid = round(cut / step) * step
        hits.append(round(grid if abs(grid - cut) <= CUT_SNAP_S else cut, 4))
    plan.hits_s = sorted(set(hits))
    return plan
