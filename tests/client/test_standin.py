"""The cloud stand-in itself behaves as the spec (and its faults) say: raw httpx, sync."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from tests.client.standin import CloudStandIn

ATTRIBUTION = {
    "X-Skill-Source": "ai-music-generator-free",
    "X-Skill-Version": "0.0-test",
    "X-Skill-Platform": "nemodesk",
}
DRAFT = {"t": [{"tt": 0, "sg": [{"d": 10000, "m": {"name": "clip"}}]}]}


@pytest.fixture
def cloud():
    with CloudStandIn() as c:
        yield c


def client(cloud: CloudStandIn, token: str | None = None) -> httpx.Client:
    headers = dict(ATTRIBUTION) | ({"Authorization": f"Bearer {token}"} if token else {})
    return httpx.Client(base_url=cloud.url, headers=headers, timeout=10)


def token(c: httpx.Client, client_id: str = "cid-1") -> str:
    r = c.post("/api/auth/anonymous-token", headers={"X-Client-Id": client_id})
    assert r.status_code == 200 and r.json()["code"] == 0
    return r.json()["data"]["token"]


def session(c: httpx.Client) -> str:
    r = c.post("/api/tasks/me/with-session/nemo_agent", json={"task_name": "p", "language": "en"})
    assert r.json()["code"] == 0, r.text
    return r.json()["data"]["session_id"]


def sse(c: httpx.Client, sid: str, text: str, last_id: str | None = None):
    """(events as (id, payload), cut?) of one /run_sse answer."""
    body = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": sid,
        "new_message": {"parts": [{"text": text}]},
    }
    headers = {"Accept": "text/event-stream"} | ({"Last-Event-ID": last_id} if last_id else {})
    events, data, eid, cut = [], [], None, False
    with c.stream("POST", "/run_sse", json=body, headers=headers) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        try:
            for line in r.iter_lines():
                if line.startswith("id:"):
                    eid = line[3:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif line == "":
                    if "".join(data).strip():
                        events.append((eid, json.loads("\n".join(data))))
                    data, eid = [], None  # (an event's own id, for the checks)
        except httpx.RemoteProtocolError:
            cut = True
    return events, cut


def test_anonymous_token_needs_a_client_id_and_is_stable(cloud):
    with client(cloud) as c:
        r = c.post("/api/auth/anonymous-token")
        assert r.status_code == 400 and r.json()["code"] != 0
        r = c.post("/api/auth/anonymous-token", headers={"X-Client-Id": "cid-1"})
        data = r.json()["data"]
        assert data["token"].startswith("nmv_usr_") and data["credits"] == 100
        assert token(c) == data["token"] and cloud.tokens_issued == [data["token"]]


def test_expired_token_answers_1001_and_a_new_one_works(cloud):
    with client(cloud) as c:
        first = token(c)
        cloud.faults.expire_token_after = 1
        c.headers["Authorization"] = f"Bearer {first}"
        assert c.get("/api/credits/balance/simple").json()["code"] == 0
        r = c.get("/api/credits/balance/simple")
        assert r.status_code == 200 and r.json()["code"] == 1001
        second = token(c)
        assert second != first
        c.headers["Authorization"] = f"Bearer {second}"
        assert c.get("/api/credits/balance/simple").json()["data"]["available"] == 100
        assert c.get("/api/credits/balance/simple").json()["code"] == 0  # fired once only


def test_rate_limit_answers_429_once(cloud):
    cloud.faults.rate_limit_once = {"/api/credits"}
    with client(cloud) as c:
        c.headers["Authorization"] = f"Bearer {token(c)}"
        r = c.get("/api/credits/balance/simple")
        assert r.status_code == 429 and r.headers["retry-after"] == "30"
        assert c.get("/api/credits/balance/simple").status_code == 200


def test_export_needs_attribution_and_status_shape_b(cloud):
    cloud.faults.status_shape = "B"
    with client(cloud) as c:
        tok = token(c)
        body = {"id": "render_1", "sessionId": "s", "draft": DRAFT, "output": {"format": "mp4"}}
        bare = httpx.post(
            cloud.url + "/api/render/proxy/lambda",
            json=body,
            headers={"Authorization": f"Bearer {tok}"},
        )
        assert bare.status_code == 402
        c.headers["Authorization"] = f"Bearer {tok}"
        assert c.post("/api/render/proxy/lambda", json=body).json()["success"] is True
        assert c.post("/api/render/proxy/lambda", json=body).status_code == 409  # duplicate id
        seen = [c.get("/api/render/proxy/lambda/render_1").json() for _ in range(3)]
        assert all("status" not in s and "output" not in s for s in seen)
        assert [s["data"]["status"] for s in seen] == ["pending", "processing", "completed"]
        assert seen[-1]["data"]["progress"] == 100
        assert seen[-1]["data"]["outputUrl"] == cloud.url + "/cdn/render_1.mp4"
        assert cloud.requests("/api/render/proxy/lambda")[0].attribution["x-skill-source"] is None


def test_dropped_download_resumes_with_range(cloud):
    cloud.faults.drop_download_after = 100_000
    cloud.faults.render_polls = 0
    with client(cloud) as c:
        c.headers["Authorization"] = f"Bearer {token(c)}"
        body = {"id": "render_2", "sessionId": "s", "draft": DRAFT, "output": {"format": "mp4"}}
        c.post("/api/render/proxy/lambda", json=body)
        url = c.get("/api/render/proxy/lambda/render_2").json()["output"]["url"]
        got = bytearray()
        with pytest.raises(httpx.RemoteProtocolError), httpx.stream("GET", url) as r:
            assert int(r.headers["content-length"]) == len(cloud.output_bytes)
            for chunk in r.iter_raw():
                got += chunk
        assert len(got) == 100_000
        r = httpx.get(url, headers={"Range": f"bytes={len(got)}-"})
        total = len(cloud.output_bytes)
        assert r.status_code == 206
        assert r.headers["content-range"] == f"bytes {len(got)}-{total - 1}/{total}"
        assert bytes(got) + r.content == cloud.output_bytes
        fallback = c.get("/api/render/proxy/render_2/download")
        assert fallback.content == cloud.output_bytes


def test_cut_stream_resumes_from_last_event_id(cloud):
    with client(cloud) as c:
        c.headers["Authorization"] = f"Bearer {token(c)}"
        whole, cut = sse(c, session(c), "generate music for my video")
        assert not cut and len(whole) >= 6
        cloud.faults.drop_stream_after = 3
        sid = session(c)
        head, cut = sse(c, sid, "generate music for my video")
        ids = [i for i, _ in head if i]
        assert cut and len(ids) == 3
        tail, cut = sse(c, sid, "generate music for my video", last_id=ids[-1])
        assert not cut
        assert [p for _, p in head + tail] == [p for _, p in whole]
        numbered = [i.split(":")[1] for i, _ in whole if i]
        assert [i.split(":")[1] for i, _ in head + tail if i] == numbered
        assert numbered == [str(n) for n in range(1, len(numbered) + 1)]
        assert cloud.messages_received() == ["generate music for my video"] * 2
        assert cloud.requests("/run_sse")[-1].last_event_id == ids[-1]
        assert {t["tt"] for t in cloud.state(sid)["draft"]["t"]} == {1, 3, 7}
        cloud.faults.resume = False
        empty, cut = sse(c, sid, "generate music for my video", last_id=ids[-1])
        assert empty == [] and not cut


def test_message_faults_and_state_effects(cloud):
    with client(cloud) as c:
        c.headers["Authorization"] = f"Bearer {token(c)}"
        sid = session(c)
        cloud.faults.two_stage = True
        events, _ = sse(c, sid, "generate a soundtrack")
        kinds = {e.get("type") or ("agent" if "content" in e else "?") for _, e in events}
        assert {"text", "tool_call", "tool_result", "heartbeat", "agent"} <= kinds

        def state():
            return c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]

        assert [t["tt"] for t in state()["draft"]["t"]] == [3, 1]
        assert [t["tt"] for t in state()["draft"]["t"]] == [3, 1, 7]
        cloud.faults.silent = True
        events, cut = sse(c, sid, "put the music at 30%")
        assert not cut and all(e.get("type") == "heartbeat" for _, e in events)
        bgm = next(t for t in state()["draft"]["t"] if t["tt"] == 1)
        assert bgm["sg"][0]["m"]["volume"] == 30
        cloud.faults.no_credits = True
        r = c.post(
            "/run_sse",
            json={
                "app_name": "nemo_agent",
                "user_id": "me",
                "session_id": sid,
                "new_message": {"parts": [{"text": "again"}]},
            },
        )
        assert r.json()["code"] == 2001
        cloud.faults.lose_sessions = True
        assert c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["code"] == 1002
        assert c.get(f"/api/state/nemo_agent/me/{session(c)}/latest").json()["code"] == 0
        assert cloud.messages_received() == ["generate a soundtrack", "put the music at 30%"]


def test_upload_counts_checks_and_answers_early(cloud):
    cloud.faults.max_upload_bytes = 200_000
    with client(cloud) as c:
        c.headers["Authorization"] = f"Bearer {token(c)}"
        sid = session(c)
        url = f"/api/upload-video/nemo_agent/me/{sid}"
        r = c.post(url, files=[("files", ("city.mp4", b"x" * 150_000, "video/mp4"))])
        f = r.json()["data"]["files"][0]
        assert f["filename"] == "city.mp4" and f["file_type"] == "video" and f["width"] == 1920
        assert r.json()["data"]["session_state_applied"] is True
        assert cloud.state(sid)["draft"]["t"][0]["tt"] == 0
        assert c.post(url, files={"files": ("a.txt", b"hi")}).json()["code"] == 4001
        big = c.post(url, files={"files": ("big.mp4", b"x" * 1_000_000)})
        assert big.json()["code"] == 4002 and cloud.log[-1].body_len == 0
        r = c.post(url, json={"urls": ["https://x.test/v.mov"], "source_type": "url"})
        assert r.json()["data"]["files"][0]["file_type"] == "video"


def test_close_ends_an_open_stream_promptly():
    cloud = CloudStandIn().start()
    cloud.faults.heartbeats_for_s = 30
    with client(cloud) as c:
        c.headers["Authorization"] = f"Bearer {token(c)}"
        sid = session(c)
        body = {
            "app_name": "nemo_agent",
            "user_id": "me",
            "session_id": sid,
            "new_message": {"parts": [{"text": "hello " + uuid.uuid4().hex}]},
        }
        with c.stream("POST", "/run_sse", json=body) as r:
            lines = r.iter_lines()
            assert next(lines).startswith("data:")
            t0 = time.monotonic()
            cloud.close()
            assert time.monotonic() - t0 < 2
            with pytest.raises(httpx.HTTPError):
                for _ in lines:
                    pass
