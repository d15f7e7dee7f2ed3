"""Loudness for where the video goes: a prompt or an edit that names a delivery (TV and
broadcast, EBU R128, a podcast's or the web's level, an explicit LUFS figure) masters the
take to it, measured on the downloaded file with an independent meter (pyloudnorm)."""

from __future__ import annotations

import io

import numpy as np
import pyloudnorm
import pytest
import soundfile

from nemodesk.core.draft import Draft, TrackType
from nemodesk.engine.agent.planner import plan_message
from tests.engine.server.conftest import start_engine, stop_engine
from tests.engine.server.sse import chat


@pytest.mark.parametrize(
    ("text", "lufs"),
    [
        ("calm piano for a broadcast news intro, 30 seconds", -23.0),
        ("upbeat pop for TV", -23.0),
        ("cinematic trailer music, EBU R128", -23.0),
        ("电视广告的欢快音乐", -23.0),
        ("lofi beat at -16 LUFS", -16.0),
        ("chill beat, podcast loudness", -16.0),
        ("energetic edm, youtube loudness", -14.0),
        ("warm acoustic for my travel vlog", -14.0),  # nothing named: the web's level
        ("a 20 second jazz tune about my television", -14.0),  # a word, not a delivery
    ],
)
def test_a_named_delivery_sets_the_loudness_of_a_new_piece(text, lufs):
    plan = plan_message(text, None, seed=1)
    assert plan.settings is not None and plan.settings.loudness_lufs == lufs, plan.reply


@pytest.mark.parametrize(
    ("text", "lufs"), [("make it broadcast-ready", -23.0), ("适合电视播出", -23.0)]
)
def test_an_edit_that_names_a_delivery_remasters(text, lufs):
    current = plan_message("warm acoustic for my travel vlog", None, seed=1).settings
    plan = plan_message(text, current, seed=1)
    assert plan.settings.loudness_lufs == lufs and plan.action.value == "regenerate"
    assert "-23 LUFS" in plan.reply


def test_the_app_parameter_wins_over_the_words():
    plan = plan_message("music for TV", None, seed=1, parameters={"loudness_lufs": -18})
    assert plan.settings.loudness_lufs == -18


def _take_lufs(c, sid: str) -> float:
    state = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]
    draft = Draft.decode(state["draft"])
    src = draft.first(TrackType.AUDIO).segments[0].meta["src"].removeprefix("media:")
    entry = next(m for m in state["generated_media"] if m["media_id"] == src)
    audio, rate = soundfile.read(io.BytesIO(c.get(entry["url"]).content))
    return float(pyloudnorm.Meter(rate).integrated_loudness(np.asarray(audio)))


def test_broadcast_and_back_to_the_web_measured_on_the_file(tmp_path):
    engine = start_engine(tmp_path / "data")
    try:
        token = engine.token()
        sid = engine.session(token)
        with engine.client(token) as c:
            chat(c, sid, "a 12 second upbeat corporate track for TV")
            broadcast = _take_lufs(c, sid)
            chat(c, sid, "youtube loudness")
            web = _take_lufs(c, sid)
        assert broadcast == pytest.approx(-23.0, abs=1.0)
        assert web == pytest.approx(-14.0, abs=1.0)
    finally:
        assert stop_engine(engine) == 0
