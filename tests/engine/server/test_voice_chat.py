"""The clip's sound by chat and by the app's control, against a real `nemodesk serve`: speech
found at upload is stored with the clip (and survives a restart); "mute the original sound",
"no ducking", "quieter under the voice-over", 人声时音乐小一点, 关闭原声 change the video track."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from nemodesk.core.draft import Draft, TrackType
from nemodesk.core.ducking import DEFAULT_DUCK_DB, depth_db, music_gain
from nemodesk.engine.agent.voice import STEP_DB, read
from tests.engine.server.conftest import start_engine, stop_engine
from tests.engine.server.sse import chat, texts
from tests.fixtures.media import make_clip
from tests.fixtures.speech import talk

READS = [
    ("quieter under the voice-over", "duck", +STEP_DB, ""),
    ("duck the music more", "duck", +STEP_DB, ""),
    ("I can't hear my voice", "duck", +STEP_DB, "i"),
    ("duck less", "duck", -STEP_DB, ""),
    ("no ducking", "even", 0.0, ""),
    ("mix evenly", "even", 0.0, ""),
    ("mute the original sound", "mute", 0.0, ""),
    ("keep the original audio", "duck", 0.0, ""),
    ("slower and quieter under the voice", "duck", +STEP_DB, "slower and"),
    ("人声时音乐小一点", "duck", +STEP_DB, ""),
    ("说话的时候音乐再低一点", "duck", +STEP_DB, ""),
    ("关闭原声", "mute", 0.0, ""),
    ("不要避让", "even", 0.0, ""),
    ("保留原声", "duck", 0.0, ""),
    ("more drums", None, 0.0, "more drums"),
    ("music at 20%", None, 0.0, "music at 20%"),
    ("make the vocals louder", None, 0.0, "make the vocals louder"),
    ("mute the piano", None, 0.0, "mute the piano"),
]


@pytest.mark.parametrize(("text", "mode", "step", "rest"), READS)
def test_reading_the_clip_sound_words(text: str, mode: str | None, step: float, rest: str):
    change, left = read(text)
    assert (change.mode.value if change.mode else None) == mode
    assert change.step_db == step
    assert " ".join(left.split()).lower() == rest


def test_an_absolute_depth() -> None:
    change, _ = read("duck the music 18 dB")
    assert change.mode.value == "duck" and change.depth_db == 18.0


@pytest.fixture(scope="module")
def voice_clip(tmp_path_factory) -> tuple[Path, list[tuple[float, float]]]:
    voice = talk(10.0, [1.6], first_s=0.7)
    path = make_clip(tmp_path_factory.mktemp("vo") / "vlog.mp4", duration_s=10.0,
                     sound=voice.stereo())  # fmt: skip
    return path, voice.regions


def _state(c: httpx.Client, sid: str) -> dict:
    return c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]


def _video_track(c: httpx.Client, sid: str):
    return Draft.decode(_state(c, sid)["draft"]).first(TrackType.VIDEO)


def _send(c: httpx.Client, sid: str, text: str = "", **params) -> httpx.Response | list[dict]:
    if not params:
        return chat(c, sid, text)[0]
    body = {
        "session_id": sid,
        "new_message": {"parts": [{"text": text}], "parameters": params},
    }
    r = c.post("/run_sse", json=body, headers={"Accept": "text/event-stream"})
    return r


def test_speech_at_upload_chat_and_control(tmp_path: Path, voice_clip) -> None:
    clip, regions = voice_clip
    engine = start_engine(tmp_path / "data")
    try:
        token = engine.token()
        sid = engine.session(token)
        with engine.client(token) as c, open(clip, "rb") as f:
            r = c.post(f"/api/upload-video/nemo_agent/me/{sid}",
                       files=[("files", ("vlog.mp4", f, "video/mp4"))])  # fmt: skip
            assert r.json()["code"] == 0, r.json()
            info = _state(c, sid)["video_infos"][0]
            assert len(info["speech_s"]) == len(regions)
            for (a, b), (ta, tb) in zip(info["speech_s"], regions, strict=True):
                assert abs(a - ta) <= 0.15 and abs(b - tb) <= 0.15
            assert -40 < info["voice_lufs"] < -10
            track = _video_track(c, sid)
            assert track.meta["sound"] == "duck" and "duck_db" not in track.meta
            seg = track.segments[0].meta
            assert seg["speech"] == [
                [round(a * 1000), round(b * 1000)] for a, b in info["speech_s"]
            ]

            events = _send(c, sid, "upbeat acoustic background for my vlog")
            draft = Draft.decode(_state(c, sid)["draft"])
            auto = depth_db(draft)
            assert auto >= DEFAULT_DUCK_DB and music_gain(draft)

            events = _send(c, sid, "quieter under the voice-over")
            assert "dips" in texts(events)
            assert _video_track(c, sid).meta["duck_db"] == pytest.approx(min(30.0, auto + STEP_DB))
            bgm = Draft.decode(_state(c, sid)["draft"]).first(TrackType.AUDIO)
            assert bgm.segments[0].meta["volume"] == 100  # not read as "quieter music"

            events = _send(c, sid, "mute the original sound")
            assert _video_track(c, sid).meta["sound"] == "mute"
            assert not music_gain(Draft.decode(_state(c, sid)["draft"]))
            events = _send(c, sid, "保留原声")
            assert _video_track(c, sid).meta["sound"] == "duck"
            assert "压低" in texts(events)
            events = _send(c, sid, "关闭原声")
            assert _video_track(c, sid).meta["sound"] == "mute" and "原声" in texts(events)

            r = _send(c, sid, clip_sound="even", duck_db=9)  # the app's control
            assert r.status_code == 200
            track = _video_track(c, sid)
            assert track.meta["sound"] == "even" and track.meta["duck_db"] == 9
            r = _send(c, sid, clip_sound="loud")
            assert r.status_code in (400, 422) and "Traceback" not in r.text
            r = _send(c, sid, duck_db=99)
            assert r.status_code in (400, 422)
            events = _send(c, sid, "undo")
            assert _video_track(c, sid).meta["sound"] == "mute"  # the control's change undone
        assert stop_engine(engine) == 0
        engine = start_engine(tmp_path / "data")  # a restart keeps what was found
        with engine.client(token) as c:
            assert _state(c, sid)["video_infos"][0]["speech_s"] == info["speech_s"]
            assert _video_track(c, sid).segments[0].meta["speech"] == seg["speech"]
    finally:
        stop_engine(engine)
