"""Variations that differ, through a real `nemodesk serve`: "3 variations" makes takes that
say how they differ, and a picked take keeps its character (lead, groove, chords, key,
tempo) through later edits."""

from __future__ import annotations

from nemodesk.core.draft import Draft, TrackType
from tests.engine.server.sse import chat, texts

CHARACTER = ("lead", "lead_instrument", "groove", "progression", "key", "mode")


def _state(c, sid: str) -> dict:
    return c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]


def _current(c, sid: str) -> tuple[dict, dict, dict]:
    """(BGM segment meta, its media entry, the engine's settings)."""
    state = _state(c, sid)
    draft = Draft.decode(state["draft"])
    seg = draft.first(TrackType.AUDIO).segments[0].meta
    media_id = seg["src"].removeprefix("media:")
    entry = next(m for m in state["generated_media"] if m["media_id"] == media_id)
    return seg, entry, draft.meta["nemodesk"]


def _character(entry: dict) -> dict:
    return {k: entry[k] for k in CHARACTER}


def test_three_variations_differ_and_the_picked_one_survives_edits(engine) -> None:
    token = engine.token()
    sid = engine.session(token)
    with engine.client(token) as c:
        chat(c, sid, "upbeat acoustic travel vlog, warm, 16 seconds")
        events, _ = chat(c, sid, "give me 3 variations")
        assert "3 candidates" in texts(events)
        takes = [m for m in _state(c, sid)["generated_media"] if m.get("kind") == "mix"][-3:]
        assert [t["variation"] for t in takes] == [1, 2, 3]
        descriptions = [t["description"] for t in takes]
        print(descriptions)
        assert len(set(descriptions)) == 3, descriptions
        assert descriptions[0].startswith("the brief's take")
        for t in takes[1:]:
            assert len(t["changes"]) >= 2 and {"progression", "groove"} <= set(t["changes"])
        assert takes[0]["groove"] is None and takes[0]["progression"] is None
        assert len({(t["groove"], t["progression"], t["lead_instrument"]) for t in takes}) == 3
        # the tool calls said which take changes what
        calls = [e for e in events if e.get("name") == "generate_music" and "args" in e]
        assert [len(e["args"]["changes"]) >= 2 for e in calls] == [False, True, True]

        chat(c, sid, "use variation 2")
        _, used, settings = _current(c, sid)
        assert used["media_id"] == takes[1]["media_id"]
        brief = settings["brief"]
        picked = takes[1]
        assert (brief["lead"], brief["groove"], brief["progression"]) == (
            picked["lead"],
            picked["groove"],
            picked["progression"],
        )
        assert (brief["key"], brief["mode"], brief["bpm"]) == (
            picked["key"],
            picked["mode"],
            picked["bpm"],
        )

        chat(c, sid, "shorter")
        _, short, _ = _current(c, sid)
        assert short["media_id"] != picked["media_id"] and short["duration_s"] < 16.0
        assert _character(short) == _character(picked)
        # the plan may nudge the tempo ≤ 3 % to end on a bar at the exact length
        assert abs(short["bpm"] - picked["bpm"]) < picked["bpm"] * 0.035

        chat(c, sid, "slower")
        _, slow, _ = _current(c, sid)
        assert _character(slow) == _character(picked)
        assert slow["bpm"] < picked["bpm"] * 0.97

        # variation 1 picked back: the brief's own character again
        chat(c, sid, "3 variations")
        chat(c, sid, "use variation 1")
        _, first, settings = _current(c, sid)
        assert first["variation"] == 1
        assert settings["brief"]["groove"] == first["groove"]
        assert settings["brief"]["lead"] == first["lead"]
