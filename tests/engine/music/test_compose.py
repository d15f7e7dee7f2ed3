"""The score itself: harmony, voice leading, melody, groove and determinism."""

from __future__ import annotations

import itertools

import pytest

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.music.compose import compose
from nemodesk.engine.music.plan import make_plan
from nemodesk.engine.music.theory import Key


def score_for(prompt: str, seed: int = 1, **kw):
    brief = parse_brief(prompt, **kw)
    plan = make_plan(brief)
    return brief, plan, compose(brief, plan, seed, 44100)


def part(score, group):
    return next(p for p in score.parts if p.group == group)


@pytest.mark.parametrize(
    "prompt",
    [
        "upbeat acoustic travel vlog",
        "tense cinematic thriller",
        "chill lo-fi study beat",
        "romantic solo piano",
        "smooth jazz",
        "energetic EDM",
    ],
)
def test_melody_strong_beats_are_chord_tones(prompt):
    brief, plan, score = score_for(prompt, duration_s=60)
    key = Key.parse(brief.key, brief.mode)
    lead = part(score, "melody")
    step = plan.beat_s / 4
    strong = total = 0
    for note in lead.notes:
        if note.start_s >= plan.end_s - 0.01:
            continue
        bar, pos = divmod(round(note.start_s / step), 16)  # humanised: nearest sixteenth
        if pos % 8 != 0:
            continue
        from nemodesk.engine.music.compose import _chords  # the same chord the bar had
        from nemodesk.engine.music.genres import GENRE_TEMPLATES

        chords = _chords(plan, key, GENRE_TEMPLATES[brief.genre], brief.mood, 1)
        total += 1
        strong += note.key % 12 in chords[min(bar, len(chords) - 1)].pcs
    assert total >= 8 and strong / total >= 0.9


def test_voice_leading_is_smooth():
    _, plan, score = score_for("warm corporate piano", duration_s=60)
    pads = [n for n in part(score, "pads").notes if n.start_s < plan.end_s - 0.05]
    bars = sorted({round(n.start_s / plan.bar_s) for n in pads})  # one chord a bar
    chords = [sorted(n.key for n in pads if round(n.start_s / plan.bar_s) == b) for b in bars]
    moves = [
        sum(abs(a - b) for a, b in zip(c1, c2, strict=False)) / len(c1)
        for c1, c2 in itertools.pairwise(chords)
        if len(c1) == len(c2)
    ]
    assert moves and sum(moves) / len(moves) <= 2.5  # semitones per voice on average


def test_density_and_velocity_follow_energy():
    _, plan, score = score_for("electronic track building tension", duration_s=90)
    body = [s for s in plan.sections if s.name != "ending"]
    drums = part(score, "drums").notes
    first, last = body[0], body[-1]

    def per_bar(sec):
        notes = [n for n in drums if sec.start_s <= n.start_s < sec.end_s]
        return len(notes) / max(1, (sec.end_s - sec.start_s) / plan.bar_s), notes

    d0, n0 = per_bar(first)
    d1, n1 = per_bar(last)
    assert d1 > d0 * 1.5
    assert sum(n.vel for n in n1) / len(n1) > (sum(n.vel for n in n0) / len(n0) if n0 else 0)


def test_swing_and_humanised_timing():
    _, plan, score = score_for("smooth jazz cafe", duration_s=30, bpm=120)
    ride = [n for n in part(score, "drums").notes if n.key == 51]
    step = plan.beat_s / 4
    offsets = [(n.start_s / step) % 4 for n in ride]
    swung = [o for o in offsets if 2.3 < o < 3.5]  # off-beat eighths pushed late
    assert len(swung) >= 10
    exact = [n for n in ride if abs(n.start_s / step - round(n.start_s / step)) < 1e-9]
    assert len(exact) < len(ride) / 4  # humanised, not quantised


def test_same_seed_same_score_different_seed_different_notes():
    _, _, a = score_for("playful chiptune", 5, duration_s=30)
    _, _, b = score_for("playful chiptune", 5, duration_s=30)
    _, _, c = score_for("playful chiptune", 6, duration_s=30)
    notes = lambda s: [(p.name, n) for p in s.parts for n in p.notes]  # noqa: E731
    assert notes(a) == notes(b)
    assert notes(a) != notes(c)


def test_ending_is_a_tonic_chord_held_into_the_ring_out():
    brief, plan, score = score_for("warm acoustic", duration_s=30)
    tonic = Key.parse(brief.key, brief.mode).tonic
    final = [
        n
        for p in score.parts
        if p.group in ("pads", "chords", "bass")
        for n in p.notes
        if abs(n.start_s - plan.end_s) < 0.05
    ]
    assert final and {n.key % 12 for n in final} <= {tonic, (tonic + 4) % 12, (tonic + 7) % 12}
    assert all(n.dur_s >= 0.5 for n in final)
