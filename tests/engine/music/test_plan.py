import pytest

from nemodesk.engine.brief import Brief
from nemodesk.engine.music.plan import MAX_TEMPO_NUDGE, RING_S, make_plan


@pytest.mark.parametrize("duration", [3.0, 7.5, 12.0, 30.0, 59.9, 90.0, 135.0, 600.0])
@pytest.mark.parametrize("bpm", [70.0, 96.0, 128.0, 150.0])
def test_sections_fill_the_length_on_bar_lines(duration, bpm):
    plan = make_plan(Brief(duration_s=duration, bpm=bpm))
    assert abs(plan.bpm / bpm - 1) <= MAX_TEMPO_NUDGE + 1e-9
    assert plan.sections[0].start_s == 0 and plan.sections[-1].end_s == duration
    for a, b in zip(plan.sections, plan.sections[1:], strict=False):
        assert a.end_s == pytest.approx(b.start_s)
    for s in plan.sections[1:-1]:  # inner boundaries sit on bar lines
        assert s.start_s / plan.bar_s == pytest.approx(round(s.start_s / plan.bar_s), abs=1e-6)
    ring = duration - plan.end_s
    assert plan.sections[-1].name == "ending"
    assert RING_S[0] <= ring <= RING_S[1] + 0.5  # a real ring-out, not a cut-off


@pytest.mark.parametrize("duration", [20.0, 60.0, 240.0])
def test_loops_are_whole_bars(duration):
    plan = make_plan(Brief(duration_s=duration, bpm=85, loop=True))
    assert plan.end_s == duration
    assert plan.body_beats % 4 == 0
    assert plan.body_beats * plan.beat_s == pytest.approx(duration)
    assert abs(plan.bpm / 85 - 1) <= MAX_TEMPO_NUDGE + 1e-9
    assert all(s.energy == plan.sections[0].energy for s in plan.sections)


def test_short_loop_falls_back_to_whole_beats():
    plan = make_plan(Brief(duration_s=8.0, bpm=85, loop=True))  # no whole bar fits in 3%
    assert plan.body_beats * plan.beat_s == pytest.approx(8.0)
    assert abs(plan.bpm / 85 - 1) <= MAX_TEMPO_NUDGE


def test_arc_energies():
    build = make_plan(Brief(duration_s=90, bpm=100, arc="build")).sections[:-1]
    assert [s.energy for s in build] == sorted(s.energy for s in build)
    assert build[-1].energy - build[0].energy >= 0.5
    fall = make_plan(Brief(duration_s=90, bpm=100, arc="fall")).sections[:-1]
    assert fall[0].energy - fall[-1].energy >= 0.5


def test_cuts_become_hits_and_tempo_prefers_the_grid():
    cuts = [2.5, 5.0, 7.5, 10.0, 12.5]  # every 2.5 s: 96 BPM puts them on the beat
    plan = make_plan(Brief(duration_s=16, bpm=95), cuts_s=cuts)
    assert len(plan.hits_s) == len(cuts)
    assert all(min(abs(h - c) for h in plan.hits_s) <= 0.035 for c in cuts)
    step = plan.beat_s / 4
    on_grid = [abs(c / step - round(c / step)) * step <= 0.035 for c in cuts]
    assert all(on_grid)
