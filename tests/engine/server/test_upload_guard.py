"""Uploads against a real `nemodesk serve`: all-or-nothing per request (files and URLs), URL
uploads that never reach internal addresses (on any redirect hop), and render ids that are
exactly what they look like."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from tests.engine.server.conftest import start_engine, stop_engine
from tests.fixtures.media import make_clip, make_text_file_named

# The engine of this module may fetch from 127.0.0.1 (the tests' own file server) and from
# nothing else internal: NEMODESK_URL_UPLOAD_ALLOW is the explicit opt-in for tests.
ENV = {"NEMODESK_URL_UPLOAD_ALLOW": "127.0.0.1", "NEMODESK_RATE_PER_S": "1000"}


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    e = start_engine(tmp_path_factory.mktemp("guard"), **ENV)
    yield e
    assert stop_engine(e) == 0


class _Recorder(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; ``redirects`` maps a path to a Location; every request is recorded."""

    redirects: ClassVar[dict[str, str]] = {}
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if self.path in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


def _serve(host: str, folder, redirects: dict[str, str]) -> tuple[str, list[str], object]:
    seen: list[str] = []
    handler = type("H", (_Recorder,), {"redirects": redirects, "seen": seen})
    server = http.server.ThreadingHTTPServer(
        (host, 0), functools.partial(handler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://{host}:{server.server_address[1]}", seen, server


@pytest.fixture
def servers(tmp_path) -> Iterator[tuple[str, list[str], str, list[str], dict[str, str]]]:
    """An allowed file server on 127.0.0.1 and an "internal service" on 127.0.0.2."""
    pub, secret = tmp_path / "pub", tmp_path / "secret"
    pub.mkdir()
    secret.mkdir()
    (secret / "secret.mp4").write_bytes(b"internal data")
    redirects: dict[str, str] = {}
    url, seen, s1 = _serve("127.0.0.1", pub, redirects)
    internal, internal_seen, s2 = _serve("127.0.0.2", secret, {})
    yield url, seen, internal, internal_seen, redirects
    s1.shutdown()
    s2.shutdown()


def _upload_urls(eng, token: str, sid: str, urls: list[str]) -> dict:
    with eng.client(token) as c:
        c.timeout = 15  # HEAD tried unroutable addresses until its own 120 s timeout
        return c.post(
            f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": urls, "source_type": "url"}
        ).json()


def _leftovers(eng, sid: str) -> list[str]:
    folder = eng.data_dir / "files" / sid / "uploads"
    return sorted(str(p) for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def _state(eng, token: str, sid: str) -> dict:
    with eng.client(token) as c:
        return c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]


def _nothing_kept(eng, token: str, sid: str) -> None:
    state = _state(eng, token, sid)
    assert state["draft"]["t"] == [], state["draft"]
    assert not state.get("video_infos") and not state.get("video_analyses")
    assert _leftovers(eng, sid) == []


def test_multi_file_upload_is_all_or_nothing(eng, tmp_path):
    """Issue 15.3: good.mp4 then bad.mp4 (text) in one request -> 400, but good.mp4 stayed in
    the draft and video_infos while its file was deleted (then its file URL was a 500)."""
    token = eng.token()
    sid = eng.session(token)
    good = make_clip(tmp_path / "good.mp4", duration_s=1.0, width=160, height=90)
    bad = make_text_file_named(tmp_path / "bad.mp4")
    with eng.client(token) as c, open(good, "rb") as fg, open(bad, "rb") as fb:
        r = c.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            files=[
                ("files", ("good.mp4", fg, "video/mp4")),
                ("files", ("bad.mp4", fb, "video/mp4")),
            ],
        )
    assert r.status_code == 400 and r.json()["code"] == 4001, r.text
    assert "bad.mp4" in r.json()["message"]
    _nothing_kept(eng, token, sid)
    with eng.client(token) as c, open(good, "rb") as fg:  # the good one alone still goes in
        r = c.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            files=[("files", ("good.mp4", fg, "video/mp4"))],
        )
        [info] = r.json()["data"]["files"]
        assert c.get(f"/api/local/files/{info['upload_id']}").status_code == 200


def test_multi_url_upload_is_all_or_nothing(eng, tmp_path, servers):
    """Issue 15.3, URL form: {"urls": [ok, bad]} left ok's file behind, an orphan."""
    url, _, _, _, _ = servers
    make_clip(tmp_path / "pub" / "ok.mp4", duration_s=2.0)
    make_text_file_named(tmp_path / "pub" / "notes.mp4")
    token = eng.token()
    sid = eng.session(token)
    body = _upload_urls(eng, token, sid, [f"{url}/ok.mp4", f"{url}/missing.mp4"])
    assert body["code"] != 0 and "missing.mp4" in body["message"], body
    _nothing_kept(eng, token, sid)
    body = _upload_urls(eng, token, sid, [f"{url}/ok.mp4", f"{url}/notes.mp4"])
    assert body["code"] == 4001 and "notes.mp4" in body["message"], body
    _nothing_kept(eng, token, sid)
    body = _upload_urls(eng, token, sid, [f"{url}/ok.mp4", f"{url}/ok.mp4"])
    assert body["code"] == 0 and len(body["data"]["files"]) == 2, body


def _neutral(message: str) -> str:
    return re.sub(r"\S+\.mp4", "<name>", message)


def test_url_upload_never_reaches_internal_addresses(eng, tmp_path, servers):
    """Issue 15.4: _fetch checked only the scheme, followed redirects anywhere, and its error
    told which ports answered. Every hop's address is checked; one neutral error."""
    url, seen, internal, internal_seen, redirects = servers
    make_clip(tmp_path / "pub" / "clip.mp4", duration_s=2.0)
    port = int(internal.rsplit(":", 1)[1])
    redirects.update(
        {
            "/hop.mp4": f"{internal}/secret.mp4",  # allowed server -> internal service
            "/two.mp4": "/hop.mp4",  # the bad hop is the second one
            "/meta.mp4": "http://169.254.169.254/latest/meta-data.mp4",
            "/v6.mp4": f"http://[::1]:{port}/secret.mp4",
            "/name.mp4": f"http://localhost:{port}/secret.mp4",
            "/good.mp4": "/clip.mp4",  # a redirect that stays allowed is followed
        }
    )
    token = eng.token()
    sid = eng.session(token)
    direct = [
        f"{internal}/secret.mp4",  # a listening internal port
        "http://127.0.0.2:9/closed.mp4",  # a closed one: the same answer
        f"http://0.0.0.0:{port}/secret.mp4",
        "http://10.1.2.3/lan.mp4",
        "http://192.168.0.1/router.mp4",
        "http://100.64.0.1/cgnat.mp4",
        "http://224.0.0.1/multicast.mp4",
        "http://240.0.0.1/reserved.mp4",
        "http://[fe80::1]/linklocal.mp4",
        "http://[::ffff:127.0.0.2]/mapped.mp4",
    ]
    via = [f"{url}{p}" for p in ("/hop.mp4", "/two.mp4", "/meta.mp4", "/v6.mp4", "/name.mp4")]
    messages = set()
    for u in direct + via:
        body = _upload_urls(eng, token, sid, [u])
        assert body["code"] != 0, (u, body)
        assert u.rsplit("/", 1)[1] in body["message"], (u, body)
        messages.add(_neutral(body["message"]))
    assert len(messages) == 1, messages  # nothing tells a listening port from a closed one
    assert internal_seen == []  # the internal service never saw a request
    assert "/hop.mp4" in seen and "/two.mp4" in seen
    _nothing_kept(eng, token, sid)
    body = _upload_urls(eng, token, sid, [f"{url}/good.mp4"])
    assert body["code"] == 0 and body["data"]["files"][0]["filename"] == "good.mp4", body


def test_url_upload_to_loopback_needs_the_opt_in(tmp_path):
    """Without NEMODESK_URL_UPLOAD_ALLOW the tests' own loopback server is refused too."""
    (tmp_path / "pub").mkdir()
    make_clip(tmp_path / "pub" / "clip.mp4", duration_s=1.0)
    url, seen, server = _serve("127.0.0.1", tmp_path / "pub", {})
    engine = start_engine(tmp_path / "data")
    try:
        token = engine.token()
        sid = engine.session(token)
        body = _upload_urls(engine, token, sid, [f"{url}/clip.mp4"])
        assert body["code"] != 0 and seen == [], body
    finally:
        stop_engine(engine)
        server.shutdown()


def test_render_id_with_a_trailing_newline_is_refused(eng):
    """Issue 15.10: RENDER_ID used ``$``, which matches before a final newline."""
    token = eng.token()
    sid = eng.session(token)
    with eng.client(token) as c:
        for rid in ("render_nl\n", "render_ok\r", "render_\u00e9"):
            r = c.post(
                "/api/render/proxy/lambda",
                json={"id": rid, "sessionId": sid, "draft": {"t": [{"tt": 1, "sg": [{"d": 1}]}]}},
            )
            assert r.json()["success"] is False and "Render ids" in r.json()["error"], r.text
    renders = eng.data_dir / "files" / sid / "renders"
    assert not renders.is_dir() or list(renders.iterdir()) == []
