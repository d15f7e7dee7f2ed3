"""The whole flow of the API document against a real `nemodesk serve`."""

from __future__ import annotations

import time

import av

from tests.engine.server.sse import chat, texts
from tests.fixtures.media import make_clip


def test_token_needs_client_id(engine):
    with engine.client() as c:
        r = c.post("/api/auth/anonymous-token")
        assert r.status_code == 400 and r.json()["code"] != 0
        r = c.post("/api/auth/anonymous-token", headers={"X-Client-Id": "abc-123"})
        data = r.json()["data"]
        assert r.json()["code"] == 0 and data["token"].startswith("nmv_usr_")
        assert data["credits"] == 100 and data["user_id"] and data["expires_at"]


def test_full_flow(engine, tmp_path):
    token = engine.token()
    sid = engine.session(token)
    clip = make_clip(
        tmp_path / "city.mp4", duration_s=8.0, cuts_s=[2.5, 5.0], width=640, height=360
    )
    with engine.client(token) as c:
        with open(clip, "rb") as f:
            r = c.post(
                f"/api/upload-video/nemo_agent/me/{sid}",
                files=[("files", ("city.mp4", f, "video/mp4"))],
            )
        body = r.json()
        assert body["code"] == 0, body
        up = body["data"]["files"][0]
        assert abs(up["duration"] - 8.0) < 0.1 and up["width"] == 640 and up["cdn_url"]
        assert body["data"]["session_state_applied"] is True

        events, times = chat(c, sid, "make a tense cinematic score that fits this video")
        kinds = [e["type"] for e in events]
        assert "tool_call" in kinds and "tool_result" in kinds and texts(events)
        assert times[0] < 1.0

        state = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]
        tracks = {t["tt"]: t for t in state["draft"]["t"]}
        assert set(tracks) >= {0, 1}
        video_ms = sum(s["d"] for s in tracks[0]["sg"])
        music_ms = sum(s["d"] for s in tracks[1]["sg"])
        assert abs(video_ms - 8000) <= 100 and abs(music_ms - video_ms) <= 100
        assert state["generated_media"] and state["video_infos"]

        r = c.post(
            "/api/render/proxy/lambda",
            json={
                "id": f"render_{int(time.time() * 1000)}",
                "sessionId": sid,
                "draft": state["draft"],
                "output": {"format": "mp4", "quality": "high"},
            },
        )
        assert r.json()["success"] is True, r.json()
        rid = r.json()["data"]["id"]
        for _ in range(600):
            s = c.get(f"/api/render/proxy/lambda/{rid}").json()
            if s["data"]["status"] in ("completed", "failed"):
                break
            time.sleep(0.2)
        assert s["data"]["status"] == "completed", s
        url = s["data"]["outputUrl"]
        assert url == s["output"]["url"]
        r = c.get(url)
        assert r.status_code == 200
        out = tmp_path / "out.mp4"
        out.write_bytes(r.content)
        with av.open(str(out)) as f:
            assert f.streams.video and f.streams.audio
            assert abs(f.duration / 1e6 - 8.0) <= 0.3
        r = c.get(url, headers={"Range": "bytes=100-199"})
        assert r.status_code == 206 and len(r.content) == 100
        assert r.content == out.read_bytes()[100:200]
