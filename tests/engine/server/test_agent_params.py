"""Explicit parameters with a chat message (``new_message.parameters``) and choosing one of a
generation's takes ("use variation 2", "用第二个版本", ``use_media_id``), through a real
`nemodesk serve`. Tracks are kept short so the renders stay cheap."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.engine.server.sse import chat, texts


def send(
    c: httpx.Client, sid: str, text: str, parameters: dict[str, Any] | None = None
) -> list[dict]:
    """One message with parameters; the events of its stream."""
    message: dict[str, Any] = {"parts": [{"text": text}]}
    if parameters is not None:
        message["parameters"] = parameters
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": sid, "new_message": message}
    events = []
    with c.stream("POST", "/run_sse", json=body, headers={"Accept": "text/event-stream"}) as r:
        assert r.status_code == 200, r.read()
        for line in r.iter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[5:].strip()))
    return events


def state(c: httpx.Client, sid: str) -> dict[str, Any]:
    body = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()
    assert body["code"] == 0, body
    return body["data"]["state"]


def bgm(st: dict) -> dict:
    found = [t for t in st["draft"].get("t", []) if t.get("tt") == 1]
    assert len(found) == 1 and len(found[0]["sg"]) == 1, st["draft"]
    return found[0]["sg"][0]["m"]


def on_timeline(st: dict) -> dict:
    """The generated_media entry the BGM segment plays."""
    media_id = bgm(st)["src"].removeprefix("media:")
    return next(g for g in st["generated_media"] if g["media_id"] == media_id)


def tools(events: list[dict], kind: str, name: str) -> list[dict]:
    return [e for e in events if e.get("type") == kind and e.get("name") == name]


@pytest.fixture(scope="module")
def client(engine):
    with engine.client(engine.token()) as c:
        yield c


@pytest.fixture
def sid(engine, client) -> str:
    r = client.post(
        "/api/tasks/me/with-session/nemo_agent", json={"task_name": "p", "language": "en"}
    )
    return r.json()["data"]["session_id"]


def test_parameters_override_the_text(client, sid):
    events = send(
        client, sid, "fast rock, 20 seconds", {"genre": "jazz", "bpm": 90, "duration_s": 4}
    )
    st = state(client, sid)
    music = st["draft"]["m"]["nemodesk"]["brief"]
    take = on_timeline(st)
    assert music["genre"] == take["genre"] == "jazz" and music["bpm"] == 90
    assert abs(take["bpm"] - 90) <= 0.03 * 90 + 1e-6 and bgm(st)["bpm"] == take["bpm"]
    assert abs(take["duration_s"] - 4) < 0.05 and music["duration_s"] == 4
    assert tools(events, "tool_call", "generate_music")[0]["args"]["genre"] == "jazz"
    reply = texts(events)
    assert "jazz" in reply and "90 BPM" in reply
    assert "Set by you: genre, tempo, length" in reply and "chosen for you" in reply

    # an edit: the parameter wins over the text's "slower" and the mix is kept
    events = send(client, sid, "slower", {"bpm": 100})
    st = state(client, sid)
    assert st["draft"]["m"]["nemodesk"]["brief"]["bpm"] == 100
    assert abs(on_timeline(st)["bpm"] - 100) <= 3 + 1e-6 and "100 BPM" in texts(events)


def test_empty_text_with_parameters_generates(client, sid):
    params = {"genre": "piano", "duration_s": 3, "seed": 1234, "loudness_lufs": -18, "loop": True}
    events = send(client, sid, "", params)
    st = state(client, sid)
    take = on_timeline(st)
    settings = st["draft"]["m"]["nemodesk"]
    assert take["genre"] == "piano" and take["seed"] == 1234 == settings["seed"]
    assert settings["brief"]["loop"] is True and settings["loudness_lufs"] == -18
    assert abs(take["loudness_lufs"] + 18) < 1.5, take["loudness_lufs"]
    reply = texts(events)
    assert reply.startswith("Made a 3 s solo piano track") and "seed 1234" in reply


@pytest.mark.parametrize(
    ("text", "parameters", "where"),
    [
        ("make music", {"bpm": 500}, "bpm"),
        ("make music", {"bpm": "fast"}, "bpm"),
        ("make music", {"genre": "polka"}, "Unknown genre"),
        ("make music", {"key": "H#"}, "Unknown key"),
        ("make music", {"instruments": ["kazoo"]}, "Unknown instrument"),
        ("make music", {"instruments": "piano"}, "instruments"),
        ("make music", {"arc": "up"}, "arc"),
        ("make music", {"loop": "yes"}, "loop"),
        ("make music", {"variations": 6}, "variations"),
        ("make music", {"seed": -1}, "seed"),
        ("make music", {"loudness_lufs": 0}, "loudness_lufs"),
        ("make music", {"duration_s": 0}, "duration_s"),
        ("make music", {"tempo": 90}, "tempo"),
        ("make music", [1, 2], "parameters"),
        ("", {}, "empty"),
        ("", {"bpm": None}, "empty"),
    ],
)
def test_invalid_parameters_are_a_4xx_envelope(client, sid, text, parameters, where):
    body = {
        "session_id": sid,
        "new_message": {"parts": [{"text": text}], "parameters": parameters},
    }
    r = client.post("/run_sse", json=body)
    assert 400 <= r.status_code < 500
    data = r.json()
    assert data["code"] != 0 and data["data"] is None and where in data["message"], data
    assert not state(client, sid)["generated_media"]  # nothing ran


def test_variations_then_use_one_and_undo(client, sid):
    events = send(client, sid, "calm ambient", {"variations": 3, "duration_s": 3, "seed": 50})
    assert len(tools(events, "tool_call", "generate_music")) == 3
    st = state(client, sid)
    takes = [g for g in st["generated_media"] if g["kind"] == "mix"]
    assert [g["variation"] for g in takes] == [1, 2, 3]
    assert [g["seed"] for g in takes] == [50, 51, 52]
    assert on_timeline(st)["media_id"] == takes[0]["media_id"]
    chat(client, sid, "music at 40%, fade out 1 second")  # a mix of its own, kept by the pick
    before = state(client, sid)

    events, _ = chat(client, sid, "use variation 2")
    st = state(client, sid)
    assert on_timeline(st)["media_id"] == takes[1]["media_id"]
    assert not tools(events, "tool_call", "generate_music")  # nothing rendered
    assert tools(events, "tool_call", "use_variation")[0]["args"] == {"variation": 2}
    assert tools(events, "tool_result", "use_variation")[0]["result"]["ok"] is True
    assert bgm(st)["volume"] == 40 and bgm(st)["fade_out"] == 1000
    settings = st["draft"]["m"]["nemodesk"]
    assert settings["seed"] == 51 == bgm(st)["seed"] and settings["volume"] == 40
    assert settings["brief"]["bpm"] == takes[1]["bpm"] == bgm(st)["bpm"]
    assert texts(events).startswith(f"Using variation 2 ({round(takes[1]['bpm'], 1):g} BPM, ")
    assert st["generated_media"] == before["generated_media"]

    chat(client, sid, "undo")
    assert state(client, sid)["draft"] == before["draft"]

    events, _ = chat(client, sid, "用第二个版本")
    st = state(client, sid)
    assert on_timeline(st)["media_id"] == takes[1]["media_id"]
    assert texts(events).startswith("已使用第 2 个版本")

    for text in ("use take 3", "pick version 1", "use the second one", "用版本3"):
        events, _ = chat(client, sid, text)
        n = int(tools(events, "tool_result", "use_variation")[0]["result"]["variation"])
        assert on_timeline(state(client, sid))["media_id"] == takes[n - 1]["media_id"], text
    assert n == 3

    events = send(client, sid, "", {"use_media_id": takes[0]["media_id"]})
    assert on_timeline(state(client, sid))["media_id"] == takes[0]["media_id"]
    assert "variation 1" in texts(events)


def test_use_out_of_range_or_unknown_changes_nothing(client, sid):
    events, _ = chat(client, sid, "use variation 2")
    assert "no variations" in texts(events) and not state(client, sid)["generated_media"]
    send(client, sid, "", {"variations": 2, "duration_s": 2})
    before = state(client, sid)
    for text, words in (
        ("use variation 4", "There is no variation 4: the last generation made 2 variations"),
        ("use the fifth one", "Nothing was changed."),
        ("用第五个版本", "没有第 5 个版本：上次生成了 2 个（1–2）。没有做任何更改。"),
    ):
        events, _ = chat(client, sid, text)
        assert words in texts(events), texts(events)
        assert tools(events, "tool_result", "use_variation")[0]["result"]["ok"] is False
        assert state(client, sid)["draft"] == before["draft"]
    events = send(client, sid, "", {"use_media_id": "med_nope"})
    assert "med_nope" in texts(events) and state(client, sid)["draft"] == before["draft"]
    events, _ = chat(client, sid, "use variation 1")  # already playing: no new history entry
    assert "already on the timeline" in texts(events)
    chat(client, sid, "undo")  # so undo takes back the generation itself
    assert not [t for t in state(client, sid)["draft"].get("t", []) if t.get("tt") == 1]
