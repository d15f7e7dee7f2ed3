"""A bounded abuse run against a real `nemodesk serve` (issue 15's acceptance): chunked
floods, bodies that lie about their length, stall or trickle, broken chunk framing, deeply
nested JSON and URL uploads that redirect into loopback — many at once, seeded. No answer
may be a 5xx, the engine must keep serving and log no traceback, and its memory may not grow
by 50 MB."""

from __future__ import annotations

import http.server
import json
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from tests.engine.server.conftest import start_engine, stop_engine
from tests.engine.server.rawhttp import PeakRss, Reply, chunked, send

ENV = {
    "NEMODESK_MAX_UPLOAD_BYTES": str(2 * 2**20),
    "NEMODESK_RATE_PER_S": "100000",
    "NEMODESK_BODY_IDLE_S": "0.5",
    "NEMODESK_BODY_MIN_BPS": "16384",
    "NEMODESK_BODY_GRACE_S": "0.5",
    "NEMODESK_URL_UPLOAD_ALLOW": "127.0.0.1",
}
ROUTES = [
    "/run_sse",
    "/api/render/proxy/lambda",
    "/api/tasks/me/with-session/nemo_agent",
    "/api/auth/anonymous-token",
    "/api/credits/balance/simple",
]


def _filler(total: int, piece: int = 1 << 16) -> Iterator[bytes]:
    while total > 0:
        n = min(piece, total)
        yield b"a" * n
        total -= n


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


class _Redirector(http.server.BaseHTTPRequestHandler):
    targets: list[str] = []  # noqa: RUF012 (set once per run)

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", random.choice(self.targets))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_abuse_run_no_5xx_and_memory_flat(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    redirector = f"http://127.0.0.1:{server.server_address[1]}"
    engine = start_engine(tmp_path / "data", **ENV)
    port = engine.url.rsplit(":", 1)[1]
    _Redirector.targets = [
        f"http://127.0.0.2:{port}/api/credits/balance/simple.mp4",
        f"http://localhost:{port}/x.mp4",
        f"http://[::1]:{port}/x.mp4",
        "http://169.254.169.254/latest/meta-data.mp4",
        f"{redirector}/again.mp4",  # loops until the hop limit
    ]
    try:
        token = engine.token()
        sid = engine.session(token)
        auth = {"Authorization": f"Bearer {token}"}
        upload = f"/api/upload-video/nemo_agent/me/{sid}"
        rng = random.Random(15)

        def json_flood() -> Reply:
            path = rng.choice([*ROUTES, upload])
            head = {**auth, "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
            return send(engine.url, "POST", path, head, chunked(_filler(rng.randint(3, 20) << 20)))

        def multipart_flood() -> Reply:
            b = secrets.token_hex(6)
            start = (
                f'--{b}\r\nContent-Disposition: form-data; name="files"; filename="f.mp4"\r\n\r\n'
            ).encode()
            head = {
                **auth,
                "Content-Type": f"multipart/form-data; boundary={b}",
                "Transfer-Encoding": "chunked",
            }
            body = chunked([start, *_filler(rng.randint(3, 20) << 20)])
            return send(engine.url, "POST", upload, head, body)

        def lying_length() -> Reply:  # declares more than it sends, then waits
            head = {**auth, "Content-Type": "application/json", "Content-Length": "100000"}
            return send(engine.url, "POST", rng.choice(ROUTES[:3]), head, [b'{"a": "'], timeout=5)

        def trickle() -> Reply:
            def slow() -> Iterator[bytes]:
                yield b'{"session_id": "'
                for _ in range(40):
                    time.sleep(0.05)
                    yield b"x" * 50

            head = {**auth, "Content-Type": "application/json", "Content-Length": "1000000"}
            return send(engine.url, "POST", rng.choice(ROUTES[:3]), head, slow(), timeout=5)

        def bad_framing() -> Reply:
            head = {**auth, "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
            junk = rng.choice([b"zz\r\n{}\r\n0\r\n\r\n", b"5\r\n{}\r\n", b"ffffffffffff\r\n{"])
            return send(engine.url, "POST", rng.choice(ROUTES), head, [junk], timeout=3)

        def nested() -> Reply:
            depth = rng.choice([100, 1000, 20000])
            shapes = [  # "@" becomes the nested value
                {"session_id": sid, "new_message": {"parts": [{"text": ""}], "x": "@"}},
                {"id": f"render_n{rng.randint(0, 10**9)}", "sessionId": sid, "draft": "@"},
                {"task_name": "@"},
                {"urls": ["@"]},
            ]
            body = json.dumps(rng.choice(shapes)).replace('"@"', _nested(depth)).encode()
            head = {**auth, "Content-Type": "application/json", "Content-Length": str(len(body))}
            return send(engine.url, "POST", rng.choice([*ROUTES[:3], upload]), head, [body])

        def redirect_upload() -> Reply:
            body = json.dumps({"urls": [f"{redirector}/r{rng.randint(0, 99)}.mp4"]}).encode()
            head = {**auth, "Content-Type": "application/json", "Content-Length": str(len(body))}
            return send(engine.url, "POST", upload, head, [body])

        kinds: list[Callable[[], Reply]] = [
            json_flood,
            multipart_flood,
            lying_length,
            trickle,
            bad_framing,
            nested,
            redirect_upload,
        ]
        cases = [kinds[i % len(kinds)] for i in range(42)]
        rng.shuffle(cases)
        with engine.client(token) as c:  # warm every route once before measuring
            for path in ROUTES:
                c.post(path, json={})
        t0 = time.perf_counter()
        with PeakRss(engine.proc.pid) as rss, ThreadPoolExecutor(6) as pool:
            replies = list(pool.map(lambda f: (f.__name__, f()), cases))
        seconds = time.perf_counter() - t0
        statuses = sorted({(name, r.status) for name, r in replies}, key=str)
        print(
            f"abuse: {len(replies)} cases in {seconds:.1f} s, RSS {rss.base:.0f} -> "
            f"{rss.peak:.0f} MB; {statuses}"
        )
        assert all(r.status is None or r.status < 500 for _, r in replies), statuses
        assert all(r.status is not None for name, r in replies if name != "bad_framing")
        assert rss.growth < 50, (rss.base, rss.peak)
        with engine.client(token) as c:
            assert c.get("/api/credits/balance/simple").json()["code"] == 0
    finally:
        stop_engine(engine)
        server.shutdown()
    err = engine.proc.stderr.read()
    assert "Traceback" not in err and "unhandled" not in err, err[-3000:]
