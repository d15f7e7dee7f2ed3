"""Issue 15's hardening, each against a real ``nemodesk serve`` on loopback."""

from __future__ import annotations

import json

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
