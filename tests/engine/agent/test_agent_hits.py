"""The accents on the cuts by chat (EN + 中文) and by the timeline's markers (parameters):
what the agent keeps in the brief, on the music's clock, for every later take."""

from __future__ import annotations

import pytest

from nemodesk.engine.agent import planner

CASES = [
    ("no hit at 0:10", {"hits_off_s": [10.0]}),
    ("remove the accent at 10 seconds", {"hits_off_s": [10.0]}),
    ("0:10不要重音", {"hits_off_s": [10.0]}),
    ("去掉0:10的重音", {"hits_off_s": [10.0]}),
    ("move the hit at 0:10 to 0:11", {"hits_moved": [(10.0, 11.0)]}),
    ("把0:10的重音移到0:11", {"hits_moved": [(10.0, 11.0)]}),
    ("hit harder on the cuts", {"hit_boost_db": 6.0}),
    ("stronger hits", {"hit_boost_db": 6.0}),
    ("卡点更明显", {"hit_boost_db": 6.0}),
    ("softer hits", {"hit_boost_db": -6.0}),
    ("重音轻一点", {"hit_boost_db": -6.0}),
]


def _start(start_s: float = 0.0):
    plan = planner.plan_message("upbeat acoustic travel vlog", None, seed=5, video_duration_s=20.0)
    plan.settings.start_s = start_s
    return plan.settings


@pytest.mark.parametrize(("text", "expect"), CASES)
def test_chat_words(text: str, expect: dict) -> None:
    settings = _start()
    plan = planner.plan_message(text, settings, seed=9, video_duration_s=20.0)
    assert plan.action == "regenerate" and plan.settings.seed == settings.seed  # same take
    b = plan.settings.brief
    got = {"hits_off_s": b.hits_off_s, "hits_moved": b.hits_moved, "hit_boost_db": b.hit_boost_db}
    for key, value in expect.items():
        assert got[key] == value, (text, got)
    assert plan.settings.volume == 100  # "softer hits" is not the music's volume


def test_markers_as_parameters_on_the_music_clock() -> None:
    """The timeline names cuts in its own time; music that starts at 2 s hears them 2 s earlier."""
    s = _start(start_s=2.0)
    s = planner.plan_message("", s, seed=1, parameters={"hit_off": 10.0}).settings
    assert s.brief.hits_off_s == [8.0]
    s = planner.plan_message("", s, seed=1, parameters={"hit_move": [14.0, 14.5]}).settings
    assert s.brief.hits_moved == [(12.0, 12.5)]
    s = planner.plan_message("", s, seed=1, parameters={"hit_on": 10.0}).settings
    assert s.brief.hits_off_s == []
    for _ in range(2):
        s = planner.plan_message("", s, seed=1, parameters={"hit_boost_db": 6.0}).settings
    assert s.brief.hit_boost_db == 12.0
    more = planner.plan_message("", s, seed=1, parameters={"hit_boost_db": 6.0})
    assert more.action == "none" and "already as strong" in more.reply  # bounded, and said
    assert s.brief.arc == "flat" and s.brief.genre == "acoustic"  # nothing else changed
