"""URL uploads, heartbeats, rate limits and the loopback rule."""

from __future__ import annotations

import functools
import http.server
import itertools
import subprocess
import sys
import threading
import time

import pytest

from tests.engine.server.conftest import start_engine, stop_engine
from tests.engine.server.sse import chat
from tests.fixtures.media import make_clip


@pytest.fixture
def file_server(tmp_path):
    """A real HTTP server on loopback serving tmp_path, for URL uploads."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_url_upload(engine, tmp_path, file_server):
    make_clip(tmp_path / "remote.mp4", duration_s=4.0)
    (tmp_path / "big.mp4").write_bytes(b"\0" * (51 * 2**20))  # over the test engine's 50 MB
    token = engine.token()
    sid = engine.session(token)
    with engine.client(token) as c:
        r = c.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            json={"urls": [f"{file_server}/remote.mp4"], "source_type": "url"},
        )
        files = r.json()["data"]["files"]
        assert files[0]["filename"] == "remote.mp4" and abs(files[0]["duration"] - 4.0) < 0.1
        r = c.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            json={"urls": [f"{file_server}/big.mp4"], "source_type": "url"},
        )
        assert r.json()["code"] == 4002
        r = c.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            json={"urls": ["file:///etc/passwd"], "source_type": "url"},
        )
        assert r.json()["code"] != 0
        r = c.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            json={"urls": [f"{file_server}/missing.mp4"], "source_type": "url"},
        )
        assert r.json()["code"] != 0 and "missing.mp4" in r.json()["message"]


def test_heartbeats_while_work_runs(tmp_path):
    engine = start_engine(tmp_path / "data", NEMODESK_HEARTBEAT_S="0.3")
    try:
        token = engine.token()
        sid = engine.session(token)
        with engine.client(token) as c:
            events, times = chat(c, sid, "10 minute calm ambient soundscape")
        beats = [t for e, t in zip(events, times, strict=True) if e["type"] == "heartbeat"]
        assert len(beats) >= 3
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert max(gaps) < 0.3 + 1.0  # never silent for long while the render runs
        assert events[-1]["type"] == "text"
    finally:
        stop_engine(engine)


def test_rate_limit_answers_429(tmp_path):
    engine = start_engine(tmp_path / "data", NEMODESK_RATE_PER_S="5")
    try:
        token = engine.token()
        with engine.client(token) as c:
            codes = [c.get("/api/credits/balance/simple").status_code for _ in range(40)]
        assert 429 in codes and codes[0] == 200
        time.sleep(1.0)
        with engine.client(token) as c:
            assert c.get("/api/credits/balance/simple").status_code == 200
    finally:
        stop_engine(engine)


def test_loopback_only_unless_asked(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "nemodesk",
            "serve",
            "--host",
            "0.0.0.0",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "--allow-remote" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_listen_socket_lets_asyncio_turn_nagle_off():
    """asyncio sets TCP_NODELAY only on sockets whose proto is TCP; with 0 every kept-alive
    reply waited ~40 ms for a delayed ACK."""
    import socket

    from nemodesk.engine.server.main import listen_socket

    sock = listen_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockname()[1] > 0
    finally:
        sock.close()
