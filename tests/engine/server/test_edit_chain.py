"""Edits keep the brief: a chain of chat edits on a clip (build → slower → more drums → music
30% → 3 variations → use variation 2 → shorter) against a real `nemodesk serve`. After each
step the track still rises (measured on the rendered mix), still hits the clip's cuts, keeps
the mix and the picked take; each edit changes only what it names."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nemodesk.core.draft import Draft, TrackType
from tests.engine.server.conftest import start_engine, stop_engine
from tests.engine.server.sse import chat, texts
from tests.fixtures.media import make_clip
from tests.fixtures.speech import decode_mono

CUTS = [5.0, 10.0, 15.0]


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


def _thirds_db(c, entry: dict, tmp: Path) -> list[float]:
    path = tmp / f"{entry['media_id']}.wav"
    path.write_bytes(c.get(entry["url"]).content)
    x = decode_mono(path)
    n = len(x) // 3
    return [float(10 * np.log10(np.mean(x[i * n : (i + 1) * n] ** 2))) for i in range(3)]


def _check(c, sid: str, tmp: Path, step: str) -> tuple[dict, dict, dict]:
    seg, entry, settings = _current(c, sid)
    thirds = _thirds_db(c, entry, tmp)
    print(f"{step:>14}: {entry['bpm']:.1f} BPM, {entry['duration_s']:g} s, thirds "
          + " / ".join(f"{t:.1f}" for t in thirds) + f" dB, hits {entry['hits_s']}")  # fmt: skip
    assert settings["brief"]["arc"] == "build", step
    assert thirds[2] >= thirds[0] + 3.0, (step, thirds)  # still rising
    for cut in CUTS:  # still on the picture: every cut inside the music has its hit
        if cut < entry["duration_s"] - 0.5:
            assert min(abs(h - cut) for h in entry["hits_s"]) <= 0.06, (step, cut)
    return seg, entry, settings


def test_a_chain_of_edits_keeps_the_brief(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "hike.mp4", duration_s=20.0, cuts_s=CUTS)
    engine = start_engine(tmp_path / "data")
    try:
        token = engine.token()
        sid = engine.session(token)
        with engine.client(token) as c, open(clip, "rb") as f:
            r = c.post(f"/api/upload-video/nemo_agent/me/{sid}",
                       files=[("files", ("hike.mp4", f, "video/mp4"))])  # fmt: skip
            assert r.json()["code"] == 0
            chat(c, sid, "upbeat acoustic travel vlog that builds to the end")
            _, first, _ = _check(c, sid, tmp_path, "build")
            assert abs(first["duration_s"] - 20.0) < 0.05  # fits the video

            chat(c, sid, "slower")
            _, slower, s = _check(c, sid, tmp_path, "slower")
            assert slower["bpm"] < first["bpm"] * 0.92
            assert s["brief"]["mood"] == "upbeat" and s["brief"]["genre"] == "acoustic"

            chat(c, sid, "more drums")
            _, drums, s = _check(c, sid, tmp_path, "more drums")
            assert "drums" in s["brief"]["instruments"]
            assert abs(drums["bpm"] - slower["bpm"]) < slower["bpm"] * 0.035  # tempo kept

            chat(c, sid, "music at 30%")
            seg, same, _ = _check(c, sid, tmp_path, "music 30%")
            assert seg["volume"] == 30 and same["media_id"] == drums["media_id"]

            events, _ = chat(c, sid, "give me 3 variations")
            assert texts(events)
            seg, _, _ = _check(c, sid, tmp_path, "3 variations")
            assert seg["volume"] == 30
            takes = [m for m in _state(c, sid)["generated_media"] if m.get("kind") == "mix"][-3:]
            assert [t["variation"] for t in takes] == [1, 2, 3]

            chat(c, sid, "use variation 2")
            seg, used, s = _check(c, sid, tmp_path, "use 2")
            assert used["media_id"] == takes[1]["media_id"] and seg["volume"] == 30

            chat(c, sid, "shorter")
            seg, short, s = _check(c, sid, tmp_path, "shorter")
            assert short["duration_s"] < 20.0 and seg["volume"] == 30
            assert "drums" in s["brief"]["instruments"]
            # the picked take's character is kept: its seed and its tempo / key
            assert short["seed"] == used["seed"]
            assert (short["key"], short["mode"]) == (used["key"], used["mode"])
            assert abs(short["bpm"] - used["bpm"]) < used["bpm"] * 0.035
    finally:
        stop_engine(engine)
