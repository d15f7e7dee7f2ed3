"""Each error code from the case that should produce it; the security rules."""

from __future__ import annotations

import httpx

from nemodesk.core.formats import VIDEO_EXTENSIONS, kind_of, supported_list
from tests.fixtures.media import make_clip, make_text_file_named


def test_bad_token_is_1001(engine):
    with engine.client("nmv_usr_not-a-real-token") as c:
        r = c.get("/api/credits/balance/simple")
        assert r.json()["code"] == 1001 and r.status_code == 401
    with engine.client() as c:
        assert c.get("/api/credits/balance/simple").json()["code"] == 1001


def test_other_users_session_is_1002(engine):
    mine, theirs = engine.token(), engine.token()
    sid = engine.session(theirs)
    with engine.client(mine) as c:
        assert c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["code"] == 1002
        assert c.get("/api/state/nemo_agent/me/ses_missing/latest").json()["code"] == 1002
        r = c.post(
            "/run_sse",
            json={
                "app_name": "nemo_agent",
                "user_id": "me",
                "session_id": sid,
                "new_message": {"parts": [{"text": "make music"}]},
            },
        )
        assert r.json()["code"] == 1002


def test_unsupported_files_are_4001(engine, tmp_path):
    token = engine.token()
    sid = engine.session(token)
    fake = make_text_file_named(tmp_path / "movie.mp4")
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ" + b"\0" * 1000)
    with engine.client(token) as c:
        for path in (fake, exe):
            with open(path, "rb") as f:
                r = c.post(
                    f"/api/upload-video/nemo_agent/me/{sid}",
                    files=[("files", (path.name, f, "application/octet-stream"))],
                )
            body = r.json()
            assert body["code"] == 4001, body
            assert "mp4" in body["message"] and path.name in body["message"]
        state = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]
        assert state["draft"]["t"] == []  # nothing of a refused file stays
    assert not list((engine.data_dir / "files" / sid / "uploads").glob("*.mp4"))


def test_phone_and_camcorder_containers_are_accepted(engine, tmp_path):
    """.m4v, AVCHD .MTS/.M2TS (H.264 + AC-3 in MPEG-TS) and .3gp: one list in core/formats
    for the drop area, the client's and the server's upload checks and the installers."""
    token = engine.token()
    sid = engine.session(token)
    names = ["apple.m4v", "CAMCORDER.MTS", "00001.M2TS", "phone.3gp"]
    for name in names:
        assert kind_of(name) == "video"
        clip = make_clip(tmp_path / name, duration_s=2.0, cuts_s=[1.0], width=160, height=90)
        with engine.client(token) as c, open(clip, "rb") as f:
            r = c.post(
                f"/api/upload-video/nemo_agent/me/{sid}",
                files=[("files", (name, f, "application/octet-stream"))],
            )
        body = r.json()
        assert body["code"] == 0, body
        [info] = body["data"]["files"]
        assert info["filename"] == name
    with engine.client(token) as c:
        draft = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]["draft"]
    video = next(t for t in draft["t"] if t["tt"] == 0)
    assert [abs(s["d"] - 2000) <= 40 for s in video["sg"]] == [True] * len(names)
    for ext in ("m4v", "mts", "m2ts", "3gp"):
        assert ext in VIDEO_EXTENSIONS and ext in supported_list()


def test_too_large_is_4002(engine, tmp_path):
    """The test engine allows 50 MB; a bigger body is refused without being read whole."""
    token = engine.token()
    sid = engine.session(token)
    big = tmp_path / "big.mp4"
    with open(big, "wb") as f:
        f.truncate(60 * 2**20)
    with engine.client(token) as c, open(big, "rb") as f:
        r = c.post(
            f"/api/upload-video/nemo_agent/me/{sid}", files=[("files", ("big.mp4", f, "video/mp4"))]
        )
        assert r.json()["code"] == 4002


def test_several_files_in_one_upload(engine, tmp_path):
    token = engine.token()
    sid = engine.session(token)
    a = make_clip(tmp_path / "a.mp4", duration_s=3.0)
    b = make_clip(tmp_path / "b.mov", duration_s=2.0)
    with engine.client(token) as c, open(a, "rb") as fa, open(b, "rb") as fb:
        r = c.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            files=[
                ("files", ("a.mp4", fa, "video/mp4")),
                ("files", ("b.mov", fb, "video/quicktime")),
            ],
        )
        files = r.json()["data"]["files"]
        assert [f["filename"] for f in files] == ["a.mp4", "b.mov"]
        draft = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]["draft"]
        video = next(t for t in draft["t"] if t["tt"] == 0)
        assert [s["d"] for s in video["sg"]] == [3000, 2000]


def test_host_allow_list_and_no_cors(engine):
    token = engine.token()
    port = engine.url.rsplit(":", 1)[1]
    r = httpx.get(
        f"{engine.url}/api/credits/balance/simple",
        headers={"Host": f"evil.example:{port}", "Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 400
    r = httpx.get(
        f"{engine.url}/api/credits/balance/simple",
        headers={"Origin": "https://evil.example", "Authorization": f"Bearer {token}"},
    )
    assert r.json()["code"] == 0
    assert not any(h.lower().startswith("access-control-") for h in r.headers)
    r = httpx.options(
        f"{engine.url}/api/credits/balance/simple",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert not any(h.lower().startswith("access-control-") for h in r.headers)


def test_malformed_bodies_get_the_envelope(engine):
    token = engine.token()
    with engine.client(token) as c:
        for body in (
            b"{not json",
            b"[]",
            b'{"task_name": 5}',
            '{"task_name": "\ud800"}'.encode("utf-8", "surrogatepass"),
        ):
            r = c.post(
                "/api/tasks/me/with-session/nemo_agent",
                content=body,
                headers={"Content-Type": "application/json"},
            )
            assert 400 <= r.status_code < 500
            assert r.json()["code"] != 0
        r = c.post(
            "/api/tasks/me/with-session/nemo_agent",
            content=b"x" * (3 * 2**20),
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 413 and r.json()["code"] != 0
        r = c.post(
            "/run_sse",
            json={"session_id": engine.session(token), "new_message": {"parts": [{"text": "   "}]}},
        )
        assert r.status_code == 400 and "empty" in r.json()["message"]


def test_render_errors(engine):
    token = engine.token()
    sid = engine.session(token)
    with engine.client(token) as c:
        r = c.post(
            "/api/render/proxy/lambda",
            json={"id": "render_x1", "sessionId": sid, "draft": {"t": []}},
        )
        assert r.json()["success"] is False and "Nothing to export" in r.json()["error"]
        r = c.get("/api/render/proxy/lambda/render_nope")
        assert r.status_code == 404 and r.json()["success"] is False
        r = c.post(
            "/api/render/proxy/lambda",
            json={
                "id": "../../etc",
                "sessionId": sid,
                "draft": {"t": [{"tt": 1, "sg": [{"d": 1}]}]},
            },
        )
        assert r.json()["success"] is False
