"""Issue 15's hardening, each against a real ``nemodesk serve`` on loopback."""

from __future__ import annotations

import json

from tests.engine.server.conftest import start_engine, stop_engine
from tests.engine.server.sse import chat, texts


def _body(sid: str, text: str) -> dict:
    return {"session_id": sid, "new_message": {"parts": [{"text": text}]}}


def test_use_variation_999_names_999(engine):
    token = engine.token()
    sid = engine.session(token)
    with engine.client(token) as c:
        chat(c, sid, "2 variations of a 5 second calm piano piece")
        events, _ = chat(c, sid, "use variation 999")
    said = texts(events)
    assert "There is no variation 999:" in said, said
    assert "made 2 variations" in said, said


def test_last_event_id_with_a_new_message_is_409(engine):
    token = engine.token()
    sid = engine.session(token)
    with engine.client(token) as c:
        first_id = None
        with c.stream("POST", "/run_sse", json=_body(sid, "5 second calm piano piece")) as r:
            for line in r.iter_lines():
                if line.startswith("id:") and first_id is None:
                    first_id = line[3:].strip()
        assert first_id
        media = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]
        before = len(media["generated_media"])
        # the same message with its Last-Event-ID resumes (replays), as before
        with c.stream(
            "POST",
            "/run_sse",
            json=_body(sid, "5 second calm piano piece"),
            headers={"Last-Event-ID": first_id},
        ) as r:
            assert r.status_code == 200
            replay = [json.loads(x[5:]) for x in r.iter_lines() if x.startswith("data:")]
        assert replay
        # a different message with that Last-Event-ID is not silently dropped: 409
        r = c.post(
            "/run_sse",
            json=_body(sid, "make it a 6 second jazz piece"),
            headers={"Last-Event-ID": first_id},
        )
        assert r.status_code == 409, r.text
        assert r.json()["code"] != 0 and "Last-Event-ID" in r.json()["message"]
        state = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]
        assert len(state["generated_media"]) == before  # nothing ran
        # and without the header the new message runs
        events, _ = chat(c, sid, "make it a 6 second jazz piece")
        assert any(e["type"] == "tool_result" for e in events), texts(events)


def _nested(depth: int) -> str:
    """A draft whose one segment's metadata nests ``depth`` objects deep, as JSON text (the
    json module cannot write one this deep)."""
    inner = '{"x":' * depth + "1" + "}" * depth
    return '{"t":[{"tt":0,"sg":[{"d":1000,"m":' + inner + "}]}]}"


def test_deeply_nested_draft_is_400_without_traceback(tmp_path):
    engine = start_engine(tmp_path / "data")
    try:
        token = engine.token()
        sid = engine.session(token)
        with engine.client(token) as c:
            for depth in (500, 5000):  # 5000: deeper than the JSON parser goes: 400 too
                draft = _nested(depth)
                text = f'{{"id":"render_deep_{depth}","sessionId":"{sid}","draft":{draft}}}'
                r = c.post(
                    "/api/render/proxy/lambda",
                    content=text,
                    headers={"Content-Type": "application/json"},
                )
                assert r.status_code == 400, (depth, r.text[:300])
                body = r.json()
                assert body["code"] == 4000 and body["success"] is False
                if depth == 500:
                    assert "nested too deeply" in body["message"], body
            assert c.get("/api/credits/balance/simple").json()["code"] == 0
    finally:
        assert stop_engine(engine) == 0
    log = engine.proc.stderr.read()
    assert "Traceback" not in log and "RecursionError" not in log, log[-2000:]
