"""Plan: tempo, bars, sections and hit points fitted so the track is exactly the asked length.

A non-looping track is a body of bars followed by a final chord that rings out until the
last sample; a loop is whole bars only (no intro, no outro, one energy), so its end meets
its start. The tempo moves by at most 3% from the brief's.

With a video, the picture leads:

- Every hard cut gets an accent (``hits_s``); of cuts closer than a beat, only the one that
  starts the longer shot. The brief's overrides apply first: ``hits_off_s`` turns a cut's
  hit off, ``hits_moved`` moves it (see ``Brief``).
- Section boundaries snap to the cuts: every accented cut at least ``MIN_SECTION_S`` after
  the previous boundary (and with room for music and the ring-out after it) starts a
  section *exactly* at the cut. The bar grid restarts there: the bar before the cut is cut
  short (or stretched by less than a beat) — the way a film cue hits a cut — and the tempo is
  chosen within the 3% so those bars are as close to whole beats as they can be.
- On clips under 30 s the intro lasts at most a quarter of the clip, and an arc's peak
  moves onto a cut when one starts a section near it.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

import numpy as np

from nemodesk.engine.brief import Brief
from nemodesk.engine.music.score import Section

MAX_TEMPO_NUDGE = 0.03
RING_S = (1.0, 3.0)  # how long the final chord may ring out
CUT_SNAP_S = 0.035  # an accent this close to the grid needs no room cleared in the pattern
SECTION_SNAP_S = 0.060
MIN_SECTION_S = 3.5  # a cut starts a section only this long after the previous boundary
FIRST_SECTION_S = 1.0  # ... or this long after the start
HIT_MATCH_S = 0.15  # an override names the cut (or hit) within this of its time (Brief)
INTRO_SHARE = 0.25  # on clips shorter than SHORT_CLIP_S, the intro's most
SHORT_CLIP_S = 30.0
MAX_HIT_BOOST_DB = 12.0
ENDING_ON_CUT_RING_S = 0.6  # the final chord moves onto a late cut if it still rings this long


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
    bars_s: list[float] = field(default_factory=list)  # where each bar of the body starts
    section_cuts_s: list[float] = field(default_factory=list)  # cuts that start a section
    hit_boost_db: float = 0.0  # extra level of the accents (Brief.hit_boost_db, clamped)

    @property
    def beat_s(self) -> float:
        return 60.0 / self.bpm

    @property
    def bar_s(self) -> float:
        return self.beat_s * self.beats_per_bar

    @property
    def breath_s(self) -> float:
        """The thinned moment before an accent: 0.15 s, kept within 1/8..1/4 of a beat."""
        return min(max(0.15, self.beat_s / 8), self.beat_s / 4)

    def bar_beats(self, bar: int) -> float:
        """Length of a bar in beats: whole bars, except the bar before a section's cut (cut
        short, or stretched by under a beat) and a short last bar before the ending."""
        end = self.bars_s[bar + 1] if bar + 1 < len(self.bars_s) else self.end_s
        return (end - self.bars_s[bar]) / self.beat_s

    def bar_at(self, t: float) -> int:
        return max(0, bisect.bisect_right(self.bars_s, t + 1e-6) - 1)


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


def _offset(t: float, unit: float) -> float:
    return abs(t - round(t / unit) * unit)


def _grid_score(
    hits: list[float], origins: list[float], beat: float, end_s: float
) -> tuple[int, float]:
    """(how many accents need no grid restart or snap, minus how far they are off): sections
    whose length is within CUT_SNAP_S of whole beats, and other accents on their section's
    sixteenth grid."""
    count, off = 0, 0.0
    for a, b in itertools.pairwise(origins):
        d = _offset(b - a, beat)
        count, off = count + (d <= CUT_SNAP_S), off + d
    for h in hits:
        if h >= end_s or any(abs(h - o) < 1e-9 for o in origins):
            continue
        o = origins[bisect.bisect_right(origins, h) - 1]
        d = _offset(h - o, beat / 4)
        count, off = count + (d <= CUT_SNAP_S), off + d
    return count, -round(off, 3)


def fit_tempo(
    duration_s: float,
    bpm: float,
    loop: bool,
    cuts_s: list[float],
    origins: list[float] | None = None,
) -> tuple[float, int]:
    """(bpm, beats from the last origin to the final chord): the fitted tempo, chosen among
    ±3% so that the accents on ``cuts_s`` need as little moving as possible. ``origins`` are
    where the bar grid (re)starts: 0 and the cuts that start sections."""
    origins = origins or [0.0]
    beat, k = _fit(duration_s - origins[-1], bpm, loop)
    if not cuts_s or loop or k == 0:
        return 60.0 / beat, k
    best = None
    if origins == [0.0]:
        best = (*_grid_score(cuts_s, origins, beat, k * beat), -abs(bpm * beat / 60.0 - 1), beat, k)
    for candidate in np.linspace(bpm * (1 - MAX_TEMPO_NUDGE), bpm * (1 + MAX_TEMPO_NUDGE), 241):
        b = 60.0 / candidate
        kk = _beats_at(duration_s - origins[-1], b)
        if kk is None:
            continue
        end = origins[-1] + kk * b
        score = (*_grid_score(cuts_s, origins, b, end), -abs(candidate / bpm - 1), b, kk)
        if best is None or score[:3] > best[:3]:
            best = score
    if best is None:
        return 60.0 / beat, k
    return 60.0 / best[3], best[4]


def _nearest(times: list[float], t: float) -> int | None:
    if not times:
        return None
    i = int(np.argmin([abs(x - t) for x in times]))
    return i if abs(times[i] - t) <= HIT_MATCH_S else None


def accent_times(cuts: list[float], brief: Brief, beat: float, duration: float) -> list[float]:
    """The times that get an accent: the cuts after the brief's overrides (turned off, moved),
    and of any closer than a beat, only the one that starts the longer shot."""
    times = list(cuts)
    for off in brief.hits_off_s:
        i = _nearest(times, float(off))
        if i is not None:
            times.pop(i)
    for pair in brief.hits_moved:
        src, dst = float(pair[0]), float(pair[1])
        i = _nearest(times, src)
        if i is None:
            times.append(dst)  # nothing there to move: the hit is added where it was asked
        else:
            times[i] = dst
    times = sorted(t for t in times if 0.05 < t < duration - 0.05)
    kept: list[float] = []
    for i, t in enumerate(times):
        nxt = times[i + 1] if i + 1 < len(times) else duration
        if kept and t - kept[-1] < beat:
            prev_shot = t - kept[-1]
            if nxt - t > prev_shot:  # this cut starts the longer shot: it is the stronger
                kept[-1] = t
            continue
        kept.append(t)
    return kept


def _section_cuts(hits: list[float], duration: float, beat: float) -> list[float]:
    """The accents that start sections: each far enough from the previous boundary, with
    room for a few beats and the ring-out before the end. The first shot may be short: the
    music before it is a pickup or a short intro."""
    out: list[float] = []
    last = 0.0
    gap = max(MIN_SECTION_S, 2 * beat)
    latest = duration - RING_S[0] - max(2.0, 3 * beat)
    for h in hits:
        if h - last >= (gap if out else FIRST_SECTION_S) and h <= latest:
            out.append(h)
            last = h
    return out


def _bar_starts(origins: list[float], end_s: float, bar_s: float, beat: float) -> list[list[float]]:
    """Bar starts per segment (between grid origins). Less than a beat left before the next
    origin is given to the bar before it rather than made a bar of its own."""
    out = []
    for i, o in enumerate(origins):
        stop = origins[i + 1] if i + 1 < len(origins) else end_s
        bars: list[float] = []
        t = o
        while t < stop - 1e-6:
            if bars and stop - t < beat - 1e-6:
                break
            bars.append(t)
            t = o + len(bars) * bar_s
        out.append(bars)
    return out


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


def _blocks(n_bars: int, total_bars: int) -> list[int]:
    """A stretch of bars cut into 8-bar sections (4 when the track is short); the rest
    joins the last."""
    sizes: list[int] = []
    rest = n_bars
    block = 8 if total_bars >= 16 else 4
    while rest > 0:
        take = block if rest - block >= block // 2 or rest <= block else rest
        take = min(take, rest)
        sizes.append(take)
        rest -= take
    return sizes


def _intro_bars(
    total_bars: int, seg0: list[float], seg0_end: float, brief: Brief, cut: bool
) -> int:
    """How many bars the intro takes: 2 or 4 by length, the whole first shot when the first
    cut comes that early, never more than a quarter of a clip under 30 s (none when even one
    bar is too long for that)."""
    if brief.loop or brief.arc == "fall":
        return 0
    intro = 4 if total_bars >= 24 else 2 if total_bars >= 8 else 0
    if cut and len(seg0) <= intro + 1:
        intro = len(seg0)
    if brief.duration_s < SHORT_CLIP_S:
        limit = INTRO_SHARE * brief.duration_s + 1e-6
        while intro > 0 and (seg0[intro] if intro < len(seg0) else seg0_end) > limit:
            intro -= 1
    return intro


def _peak_on_cut(secs: list[list], arc: str, near_s: float) -> None:
    """Move the arc's peak onto a section that starts on a cut near it (in place).
    ``secs`` rows: [name, start, end, energy, bars, first_bar, on_cut]."""
    if len(secs) < 3 or arc == "fall":
        return
    energies = [r[3] for r in secs]
    p = int(np.argmax(energies))
    if secs[p][6]:
        return
    near = [
        q
        for q in range(1, len(secs) - (arc != "build"))
        if secs[q][6] and abs(secs[q][1] - secs[p][1]) <= near_s and secs[q][3] < secs[p][3]
    ]
    if not near:
        return
    q = min(near, key=lambda q: abs(secs[q][1] - secs[p][1]))
    if arc == "build" and q < p:  # the peak runs from the cut to the end
        merged = [secs[p][0], secs[q][1], secs[-1][2], secs[p][3], 0, secs[q][5], True]
        merged[4] = sum(r[4] for r in secs[q:])
        del secs[q:]
        secs.append(merged)
    else:
        secs[p][0], secs[q][0] = secs[q][0], secs[p][0]
        secs[p][3], secs[q][3] = secs[q][3], secs[p][3]


def make_plan(brief: Brief, cuts_s: list[float] | None = None, beats_per_bar: int = 4) -> Plan:
    """The plan for the brief (and the video's cuts): a tempo and a bar grid that fit the
    length and land on the cuts, sections with names and energies along the arc, the final
    chord and the accents."""
    duration = brief.duration_s
    cuts = sorted(c for c in (cuts_s or []) if 0.05 < c < duration - 0.05)
    beat0 = 60.0 / brief.bpm
    accents = accent_times(cuts, brief, beat0, duration)
    origins, bpm, last_beats = _grid_origins(brief, accents, duration, beat0)
    beat = 60.0 / bpm
    end_s = _final_chord_at(brief, accents, origins, last_beats, beat, duration)
    plan = Plan(
        bpm=bpm,
        beats_per_bar=beats_per_bar,
        duration_s=duration,
        body_beats=round(end_s / beat),
        end_s=end_s,
        cuts_s=cuts,
        loop=brief.loop,
        section_cuts_s=origins[1:],
        hit_boost_db=float(np.clip(brief.hit_boost_db, -MAX_HIT_BOOST_DB, MAX_HIT_BOOST_DB)),
    )
    segments = _bar_starts(origins, end_s, plan.bar_s, beat) if end_s > 0 else [[]]
    plan.bars_s = [t for seg in segments for t in seg]
    total_bars = len(plan.bars_s)
    seg0_end = origins[1] if len(origins) > 1 else end_s
    intro = _intro_bars(total_bars, segments[0], seg0_end, brief, len(origins) > 1)
    rows = _section_rows(segments, plan.bars_s, intro)
    if brief.arc != "flat" and not brief.loop:
        _split_for_arc(rows, plan.bars_s)
    for a, b in itertools.pairwise(rows):
        a[2] = b[1]
    if rows:
        rows[-1][2] = end_s
    _name_sections(rows, brief, intro)
    _peak_on_cut(rows, brief.arc, max(2 * plan.bar_s, 0.15 * end_s))
    for name, start, end, e, bars, fb, on_cut in rows:
        plan.sections.append(Section(name, start, end, e, bars, fb, on_cut))
    if not plan.sections and end_s > 0:  # less than a bar of music before the ending
        plan.sections.append(Section("intro", 0.0, end_s, brief.energy, 0))
    if not brief.loop:
        last_energy = plan.sections[-1].energy if plan.sections else brief.energy
        plan.sections.append(Section("ending", end_s, duration, last_energy, 0, total_bars))
    # the accent is where the picture cuts, to the sample: the tempo was chosen to bring the
    # grid near the cuts, and the accent clears its own room in the pattern (accents.py)
    plan.hits_s = sorted({round(h, 4) for h in accents})
    return plan


def _grid_origins(
    brief: Brief, accents: list[float], duration: float, beat0: float
) -> tuple[list[float], float, int]:
    """Where the bar grid (re)starts — the start, then each cut that opens a section — with
    the tempo fitted to them and the last stretch's beats; one grid when no room is left."""
    origins = [0.0]
    if not brief.loop:
        origins += [float(c) for c in _section_cuts(accents, duration, beat0)]
    bpm, last_beats = fit_tempo(duration, brief.bpm, brief.loop, accents, origins)
    if last_beats == 0 and len(origins) > 1:  # no room after the cuts: one grid after all
        origins = [0.0]
        bpm, last_beats = fit_tempo(duration, brief.bpm, brief.loop, accents, origins)
    return origins, bpm, last_beats


def _final_chord_at(
    brief: Brief,
    accents: list[float],
    origins: list[float],
    last_beats: int,
    beat: float,
    duration: float,
) -> float:
    """Where the final chord strikes: after the last grid's beats (the very end for a loop),
    or on a late cut."""
    end_s = duration if brief.loop else origins[-1] + last_beats * beat
    if len(origins) == 1:
        end_s = duration if brief.loop else last_beats * beat
    if not brief.loop:
        # a cut just before or inside the ring-out: the final chord lands on it (the last
        # bar is stretched or cut short) rather than an accent on a fading chord
        late = [
            h
            for h in accents
            if (h >= end_s - beat or duration - h <= RING_S[1])
            and h <= duration - ENDING_ON_CUT_RING_S
        ]
        if late and late[0] > origins[-1] + beat:
            end_s = late[0]
    return end_s


def _section_rows(segments: list[list[float]], bars_s: list[float], intro: int) -> list[list]:
    """Section rows laid over the grid's segments: the intro, then blocks of bars; a section
    after the first segment's starts on its cut. Each row: name, start, end, energy, bars,
    first bar, starts on a cut (name, end and energy are filled in later)."""
    total_bars = len(bars_s)
    rows: list[list] = []
    first_bar = 0
    for i, seg in enumerate(segments):
        sizes = _blocks(len(seg) - (intro if i == 0 else 0), total_bars)
        if i == 0 and intro:
            sizes = [intro, *sizes]
        for j, size in enumerate(sizes):
            rows.append(["", bars_s[first_bar], 0.0, 0.0, size, first_bar, j == 0 and i > 0])
            first_bar += size
    return rows


def _split_for_arc(rows: list[list], bars_s: list[float]) -> None:
    """Halve the longest section until there are three (in place): a short track still needs
    a start, a middle and an end for its arc to be heard."""
    while len(rows) < 3 and max((r[4] for r in rows), default=0) >= 2:
        i = max(range(len(rows)), key=lambda k: rows[k][4])
        name, start, _, _, size, fb, on_cut = rows[i]
        half = size // 2
        rows[i : i + 1] = [
            [name, start, 0.0, 0.0, half, fb, on_cut],
            ["", bars_s[fb + half], 0.0, 0.0, size - half, fb + half, False],
        ]


def _name_sections(rows: list[list], brief: Brief, intro: int) -> None:
    """Names and energies along the arc (in place); without an intro bar the arc's intro is
    skipped, and a lone section is never called an intro."""
    n = len(rows)
    skip = 0 if intro or brief.loop or brief.arc == "fall" or n <= 1 else 1
    names = _names(brief.arc, n + skip, brief.loop)[skip:]
    energies = _energies(brief.arc, n + skip, brief.energy, brief.loop)[skip:]
    if n == 1 and not intro and names[0] == "intro":
        names[0] = "verse" if brief.arc != "build" else "build"
    for row, name, e in zip(rows, names, energies, strict=True):
        row[0], row[3] = name, e
