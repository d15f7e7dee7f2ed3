"""How the instruments are played (issue 17): strums rolled string by string, velocities that
never machine-gun, legato pads, the piano's sustain pedal, jazz swing, walking bass, extended
chords and brushes, folk strum patterns and percussion, lo-fi 16th swing, 808 slides and the
genre styles. Each is measured on the score the composer writes and on its parts rendered as
stems by the SoundFont sampler (the same notes the mix is made of)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.music import genres
from nemodesk.engine.music.accompaniment import BarChord, bass_bar, comp_bar
from nemodesk.engine.music.compose import _chords, compose
from nemodesk.engine.music.drums import drum_bar
from nemodesk.engine.music.groove import Grid, rng_for
from nemodesk.engine.music.plan import make_plan
from nemodesk.engine.music.score import Part
from nemodesk.engine.music.synth import render_part
from nemodesk.engine.music.theory import Key

SR = 44100
HAT, SHAKER, CLAP, STOMP, RIDE, CLAVES = 42, 82, 39, 35, 51, 75


def score_for(prompt: str, seed: int = 1, **kw):
    brief = parse_brief(prompt, **kw)
    plan = make_plan(brief)
    return brief, plan, compose(brief, plan, seed, SR)


def part(score, group):
    return next(p for p in score.parts if p.group == group)


def stem(engine, p: Part, seconds: float) -> np.ndarray:
    """The part rendered alone, mono."""
    out = np.zeros((round(seconds * SR), 2), np.float32)
    render_part(p, engine.sampler, out, loop=False)
    return out.mean(axis=1)


def strums(notes, window=0.08):
    """Chord strikes: notes starting within ``window`` of the first one, in time order."""
    notes = sorted(notes, key=lambda n: (n.start_s, n.key))
    groups, cur = [], []
    for n in notes:
        if cur and n.start_s - cur[0].start_s > window:
            groups.append(cur)
            cur = []
        cur.append(n)
    return [*groups, cur] if cur else groups


def bar_of(plan, t):
    bars = plan.bars_s
    return max(i for i, b in enumerate(bars) if b <= t + 0.05)  # a note may come early


# --- strummed guitars ---------------------------------------------------------------


def test_strums_roll_string_by_string_8_to_20_ms(engine):
    _, _plan, score = score_for("upbeat acoustic travel vlog", duration_s=40)
    guitar = part(score, "chords")
    assert 24 <= guitar.program <= 31
    rolled = [g for g in strums(guitar.notes) if len(g) >= 3]
    assert len(rolled) >= 20
    gaps, downs, ups = [], 0, 0
    for g in rolled:
        gaps += [b.start_s - a.start_s for a, b in itertools.pairwise(g)]
        keys = [n.key for n in g]
        downs += keys == sorted(keys)
        ups += keys == sorted(keys, reverse=True)
    gaps_ms = np.array(gaps) * 1000
    assert np.percentile(gaps_ms, 5) >= 8.0 and np.percentile(gaps_ms, 95) <= 20.0, gaps_ms
    assert downs + ups == len(rolled)  # down low→high, up high→low
    assert downs >= 5 and ups >= 5
    # heard: a strum's attack spreads over its strings; the same notes struck together rise
    # at once (the control, rendered with the same sampler)
    spread = _attack_spread_ms(engine, guitar, rolled[:12])
    block = _attack_spread_ms(
        engine,
        replace(guitar, notes=[replace(n, start_s=g[0].start_s) for g in rolled[:12] for n in g]),
        [[replace(n, start_s=g[0].start_s) for n in g] for g in rolled[:12]],
    )
    assert np.median(spread) >= 2 * np.median(block) + 5, (spread, block)


def _attack_spread_ms(engine, p: Part, groups) -> list[float]:
    """Per strike: how long (ms) the stem's spectral flux (librosa onset strength, 1.5 ms
    hops) stays strong over its first 80 ms: new pitches keep arriving string after string,
    all at once when they are struck together."""
    import librosa

    end = max(n.start_s + n.dur_s for g in groups for n in g) + 1
    audio = stem(engine, replace(p, notes=[n for g in groups for n in g]), end)
    hop = 64
    flux = librosa.onset.onset_strength(y=audio, sr=SR, hop_length=hop, n_fft=1024, lag=1)
    out = []
    for g in groups:
        a = round(g[0].start_s * SR / hop)
        w = flux[a : a + round(0.08 * SR / hop)]
        strong = np.flatnonzero(w >= 0.35 * w.max())
        out.append(float(strong[-1] - strong[0]) * hop / SR * 1000)
    return out


# --- velocities that do not machine-gun ----------------------------------------------


@pytest.mark.parametrize("prompt", ["upbeat acoustic travel vlog", "chill lo-fi study beat"])
def test_repeated_hits_vary_in_velocity_and_sound(engine, prompt):
    _, _plan, score = score_for(prompt, duration_s=40)
    drums = part(score, "drums")
    keys = {}
    for n in drums.notes:
        keys.setdefault(n.key, []).append(n)
    _key, hits = max(
        ((k, v) for k, v in keys.items() if k in (HAT, SHAKER)), key=lambda kv: len(kv[1])
    )
    hits.sort(key=lambda n: n.start_s)
    vels = np.array([n.vel for n in hits])
    assert len(vels) >= 60
    assert np.std(vels) >= 3.0
    assert not np.any(np.diff(vels) == 0), "the same velocity twice in a row"
    # the bass's repeated notes too
    bass = sorted(part(score, "bass").notes, key=lambda n: n.start_s)
    same = [(a.vel, b.vel) for a, b in itertools.pairwise(bass) if a.key == b.key]
    assert len(same) >= 8 and all(x != y for x, y in same)
    # heard: consecutive hits are not the same waveform (round robin), and peaks differ
    audio = stem(engine, replace(drums, notes=hits), hits[-1].start_s + 1)
    corr, peaks = [], []
    length = round(0.02 * SR)
    for a, b in itertools.pairwise(hits):
        x = audio[round(a.start_s * SR) :][:length]
        y = audio[round(b.start_s * SR) :][:length]
        corr.append(np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y) + 1e-12))
        peaks.append(20 * np.log10(np.abs(x).max() + 1e-9))
    assert np.mean(np.array(corr) > 0.999) <= 0.1, np.mean(np.array(corr) > 0.999)
    assert np.std(np.diff(peaks)) >= 0.5


# --- legato pads and strings ----------------------------------------------------------


@pytest.mark.parametrize("prompt", ["upbeat acoustic travel vlog", "calm ambient background"])
def test_pads_are_legato(engine, prompt):
    _, plan, score = score_for(prompt, duration_s=40)
    pad = sorted(part(score, "pads").notes, key=lambda n: n.start_s)
    starts = sorted({round(n.start_s, 4) for n in pad})
    held = 0
    for n in pad:
        later = [s for s in starts if s > n.start_s + 0.05]
        if later:
            held += n.start_s + n.dur_s >= later[0] + 0.02  # rings into the next chord
    assert held == sum(1 for n in pad if any(s > n.start_s + 0.05 for s in starts))
    # heard: no dip in the pad stem where the chords change
    audio = stem(engine, part(score, "pads"), plan.duration_s)
    win = round(0.02 * SR)
    rms = np.sqrt(np.convolve(audio**2, np.ones(win) / win, mode="same"))
    body = slice(round(starts[0] * SR) + SR, round(starts[-1] * SR))
    for s in starts[1:-1]:
        i = round(s * SR)
        around = rms[i - round(0.3 * SR) : i + round(0.3 * SR)]
        if i < body.start or i >= body.stop:
            continue
        dip = 20 * np.log10(around.min() / np.median(around))
        assert dip > -6.0, (s, dip)


# --- the piano's sustain pedal --------------------------------------------------------


@pytest.mark.parametrize("prompt", ["corporate upbeat presentation", "romantic solo piano"])
def test_piano_comp_held_to_the_chord_change(engine, prompt):
    _, plan, score = score_for(prompt, duration_s=40)
    piano = part(score, "chords")
    assert piano.program < 8
    bars = [*plan.bars_s, plan.end_s]
    ends = []
    for n in piano.notes:
        b = bar_of(plan, n.start_s)
        if b + 1 < len(bars) and n.start_s < plan.end_s - 0.1:
            ends.append(n.start_s + n.dur_s - bars[b + 1])
    ends = np.array(ends)
    assert len(ends) >= 30
    assert np.mean(np.abs(ends) < 0.08) >= 0.9, np.percentile(ends, [5, 50, 95])
    # heard: within a bar the piano's decay never breaks off between strikes
    audio = stem(engine, piano, plan.duration_s)
    win = round(0.02 * SR)
    rms = np.sqrt(np.convolve(audio**2, np.ones(win) / win, mode="same")) + 1e-9
    breaks = 0
    for b in range(1, len(bars) - 2):
        seg = rms[round(bars[b] * SR) + win : round(bars[b + 1] * SR) - win]
        if len(seg):
            breaks += 20 * np.log10(seg.min() / seg.max()) < -30
    assert breaks == 0


# --- jazz -------------------------------------------------------------------------------


def test_jazz_swings_2_to_1_walks_extends_and_brushes(engine):
    brief, plan, score = score_for("smooth jazz cafe with brushes", duration_s=40, bpm=120)
    drums = part(score, "drums")
    step = plan.beat_s / 4
    ratios = _swing_ratios([n.start_s for n in drums.notes if n.key == RIDE], step, 4)
    assert len(ratios) >= 10
    assert 1.8 <= np.median(ratios) <= 2.2, np.median(ratios)
    # heard: the ride's onsets in the drum stem keep the same ratio
    audio = stem(engine, replace(drums, notes=[n for n in drums.notes if n.key == RIDE]), 41)
    onsets = _audio_onsets(audio)
    assert 1.8 <= np.median(_swing_ratios(onsets, step, 4)) <= 2.2
    # walking bass: a note on every beat, the last one a step from the next bar's root
    key = Key.parse(brief.key, brief.mode)
    bass = part(score, "bass").notes
    body = [s for s in plan.sections if s.name != "ending" and s.energy >= 0.3]
    walked, approached = 0, 0
    for b in range(len(plan.bars_s) - 1):
        t0, t1 = plan.bars_s[b], plan.bars_s[b + 1]
        if not any(s.start_s <= t0 < s.end_s for s in body) or t1 - t0 < 3.5 * plan.beat_s:
            continue
        inbar = sorted(
            (n for n in bass if t0 - 0.03 <= n.start_s < t1 - 0.03), key=lambda n: n.start_s
        )
        walked += len(inbar) == 4
        nxt = [n for n in bass if abs(n.start_s - t1) < 0.03]
        if inbar and nxt:
            approached += 1 <= abs(inbar[-1].key - nxt[0].key) <= 2
    assert walked >= 8 and approached >= 0.7 * walked
    # extended chords: over each bar's root the comping sounds a seventh and a 9th or 13th
    chords = _chords(plan, key, genres.GENRE_TEMPLATES[brief.genre], brief.mood, 1)
    comp = part(score, "chords").notes
    extended = 0
    bars_n = 0
    for c in chords[:-1]:
        t0, t1 = plan.bars_s[c.bar], plan.bars_s[c.bar + 1]
        pcs = {n.key % 12 for n in comp if t0 - 0.03 <= n.start_s < t1 - 0.03}
        if len(pcs) >= 3:
            bars_n += 1
            extended += _has_extension(pcs, c.pcs[0])
    assert bars_n >= 8 and extended >= 0.6 * bars_n, (extended, bars_n)
    # brushes: the brush kit, swirling under the ride
    assert drums.program == 40
    swirls = [n for n in drums.notes if n.key == 40]
    assert len(swirls) >= 8 and np.median([n.dur_s for n in swirls]) >= plan.beat_s


def _has_extension(pcs: set[int], root: int) -> bool:
    seventh = (root + 10) % 12 in pcs or (root + 11) % 12 in pcs
    return seventh and ((root + 2) % 12 in pcs or (root + 9) % 12 in pcs)


def _swing_ratios(times, step, pair):
    """Long/short ratio of each swung pair (``pair``: its length in 16th steps, 4 for
    eighths, 2 for sixteenths): from an on-beat onset to the off-beat, then to the next."""
    times = sorted(times)
    out = []
    for t in times:
        pos = t / step
        if abs(pos - round(pos / pair) * pair) > 0.3:
            continue
        off = [u for u in times if 0.3 * pair * step < u - t < 0.85 * pair * step]
        nxt = [u for u in times if abs(u - t - pair * step) < 0.15 * pair * step]
        if off and nxt:
            out.append((off[0] - t) / (nxt[0] - off[0]))
    return out


def _audio_onsets(audio: np.ndarray) -> list[float]:
    """Attack times in a stem: where the 1 ms envelope rises past 4x its previous 20 ms."""
    env = np.convolve(np.abs(np.diff(audio, prepend=0.0)), np.ones(44) / 44, mode="same")
    hop = 44
    e = env[::hop]
    out, last = [], -1.0
    for i in range(20, len(e)):
        t = i * hop / SR
        if e[i] > 4 * e[i - 20 : i].mean() + 1e-5 and t - last > 0.08:
            out.append(t)
            last = t
    return out


# --- acoustic / folk upbeat --------------------------------------------------------------


def test_upbeat_acoustic_strums_d_du_udu_with_claps_shaker_stomps():
    _, plan, score = score_for("upbeat energetic acoustic travel vlog", duration_s=40)
    guitar = part(score, "chords")
    step = plan.beat_s / 4
    full = [s for s in plan.sections if s.energy >= 0.55 and s.name != "ending"]
    assert full
    seen = 0
    for b in range(len(plan.bars_s) - 1):
        t0 = plan.bars_s[b]
        if not any(s.start_s <= t0 < s.end_s for s in full):
            continue
        strokes = []
        for g in strums(
            [n for n in guitar.notes if t0 - 0.03 <= n.start_s < plan.bars_s[b + 1] - 0.03]
        ):
            keys = [n.key for n in g]
            strokes.append(
                (round((g[0].start_s - t0) / step), "D" if keys == sorted(keys) else "U")
            )
        seen += strokes == [(0, "D"), (4, "D"), (6, "U"), (10, "U"), (12, "D"), (14, "U")]
    assert seen >= 4
    keys = {n.key for n in part(score, "drums").notes}
    assert {SHAKER, CLAP, STOMP} <= keys


# --- lo-fi 16th swing --------------------------------------------------------------------


def test_lofi_swings_16ths_55_to_62_percent():
    _, plan, score = score_for("energetic lo-fi hip hop beat", duration_s=40, bpm=80)
    step = plan.beat_s / 4
    hats = [n.start_s for n in part(score, "drums").notes if n.key == HAT]
    fractions = [r / (1 + r) for r in _swing_ratios(hats, step, 2)]
    assert len(fractions) >= 20
    assert 0.55 <= np.median(fractions) <= 0.62, np.median(fractions)


# --- 808 slides and the genre styles ---------------------------------------------------


def test_808_slides_in_pitch(engine, monkeypatch):
    name = parse_brief("energetic EDM").genre
    base = genres.GENRE_TEMPLATES[name]
    trap = replace(
        base,
        bass_style="808",
        voices={**base.voices, "bass": genres.Voice("synth_bass", 38, 28, 52)},
    )
    monkeypatch.setitem(genres.GENRE_TEMPLATES, name, trap)
    _, plan, score = score_for("energetic EDM", duration_s=30)
    bass = part(score, "bass")
    assert "808" in bass.name
    notes = sorted(bass.notes, key=lambda n: n.start_s)
    slides = [
        (a, b)
        for a, b in itertools.pairwise(notes)
        if a.start_s + 0.02 < b.start_s < a.start_s + a.dur_s - 0.02 and abs(a.key - b.key) >= 5
    ]
    assert len(slides) >= 4
    audio = stem(engine, bass, plan.duration_s)
    between = 0
    for a, b in slides[:6]:
        f0, f1 = 440 * 2 ** ((a.key - 69) / 12), 440 * 2 ** ((b.key - 69) / 12)
        lo, hi = sorted((f0, f1))
        track = [_f0(audio, b.start_s + dt) for dt in np.arange(0.01, 0.1, 0.01)]
        after = _f0(audio, b.start_s + 0.16)
        between += sum(lo * 1.06 < f < hi / 1.06 for f in track) >= 2 and abs(after / f1 - 1) < 0.05
    assert between >= 3


def _f0(audio: np.ndarray, t: float) -> float:
    """Fundamental by autocorrelation over a 60 ms frame (25–400 Hz)."""
    i = round(t * SR)
    x = audio[i - round(0.03 * SR) : i + round(0.03 * SR)].astype(np.float64)
    x = x - x.mean()
    ac = np.correlate(x, x, mode="full")[len(x) - 1 :]
    lo, hi = SR // 400, SR // 25
    lag = lo + int(np.argmax(ac[lo:hi]))
    return SR / lag


def test_genre_styles_have_their_signatures():
    grid = Grid(120)
    key = Key.parse("A", "minor")
    rng = rng_for(1, "t")

    def drums(style, e=0.7, bar=0):
        return drum_bar(style, grid, bar, e, rng)

    def steps(notes, k):
        return sorted({round(n.start_s / grid.step_s) % 16 for n in notes if n.key == k})

    assert steps(drums("house"), 36) == [0, 4, 8, 12] and steps(drums("house"), 39) == [4, 12]
    assert steps(drums("reggae"), 36) == [8]
    assert steps(drums("latin", bar=0), CLAVES) == [0, 6, 12]
    assert steps(drums("latin", bar=1), CLAVES) == [4, 8]
    trap = [n for b in range(8) for n in drum_bar("trap", grid, b, 0.9, rng) if n.key == HAT]
    gaps = np.diff(sorted(n.start_s for n in trap))
    assert np.any(gaps < 0.7 * grid.step_s)  # a 32nd or triplet roll
    funk = drums("funk", 0.9)
    ghosts = [n.vel for n in funk if n.key == 38 and round(n.start_s / grid.step_s) % 4]
    assert ghosts and max(ghosts) < 60
    for style in ("trap", "house", "funk", "reggae", "latin", "folk", "kids", "epic", "guofeng"):
        assert drums(style), style
    assert drums("no such style") == [] or True  # falls back, never raises
    chord, nxt = BarChord(0, 0, key.chord(0)), BarChord(1, 3, key.chord(3))
    for style in ("808", "funk", "reggae", "rnb", "no such style"):
        assert bass_bar(style, grid, chord, nxt, key, 0.7, rng, 28, 52), style
    reggae = bass_bar("reggae", grid, chord, nxt, key, 0.7, rng, 28, 52)
    assert min(n.start_s for n in reggae) > 0.1 * grid.beat_s  # beat 1 left empty
    skank = comp_bar("skank", grid, chord, (57, 60, 64), 0.7, rng)
    assert {round(n.start_s / grid.step_s) % 16 for n in skank} == {2, 6, 10, 14}
    funk_comp = comp_bar("funk", grid, chord, (57, 60, 64), 0.9, rng)
    assert max(n.dur_s for n in funk_comp) < grid.step_s
    comp_bar("no such style", grid, chord, (57, 60, 64), 0.7, rng)
