"""The HTTP side of the cloud stand-in: routing, bodies, SSE streams, cuts and downloads."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.client import standin_script as sc
from tests.client.standin import ATTRIBUTION, CloudStandIn, Recorded, Run, envelope

UPLOAD = re.compile(r"^/api/upload-video/nemo_agent/me/([^/]+)$")
STATE = re.compile(r"^/api/state/nemo_agent/me/([^/]+)/latest$")
RENDER = re.compile(r"^/api/render/proxy/lambda/([^/]+)(/cancel)?$")
PROXY_DOWNLOAD = re.compile(r"^/api/render/proxy/([^/]+)/download$")
CDN = re.compile(r"^/cdn/([^/]+)\.mp4$")
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
MAX_JSON = 10 * 2**20


class Cut(Exception):
    """The connection is to be closed at once, without finishing the answer."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 60
    rec: Recorded | None = None

    @property
    def cloud(self) -> CloudStandIn:
        return self.server.cloud  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        with self.cloud.lock:
            self.cloud.connections.add(self.connection)

    def finish(self) -> None:
        with self.cloud.lock:
            self.cloud.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        if self.rec is not None:
            self.rec.status = code
        super().send_response(code, message)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    # -- plumbing --------------------------------------------------------------------------

    def _reply(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def _body_chunks(self, size: int = 65536) -> Iterator[bytes]:
        """The request body as it arrives (Content-Length or chunked)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                line = self.rfile.readline(65537)
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                yield from self._exactly(n, size)
                self.rfile.readline(3)
        else:
            yield from self._exactly(int(self.headers.get("Content-Length") or 0), size)

    def _exactly(self, left: int, size: int) -> Iterator[bytes]:
        while left > 0:
            data = self.rfile.read(min(size, left))
            if not data:
                raise Cut("request body cut short")
            left -= len(data)
            yield data

    def _read_json(self) -> Any:
        body = bytearray()
        for chunk in self._body_chunks():
            body += chunk
            if len(body) > MAX_JSON:
                raise Cut("body too large")
        assert self.rec is not None
        self.rec.body_len = len(body)
        try:
            return json.loads(body) if body else None
        except ValueError:
            return None

    def _answer_early(
        self, status: int, obj: Any, chunks: Iterator[bytes], headers: dict | None = None
    ) -> None:
        """Answer before the body is read, then drop the rest (briefly) and close, so the
        sender can finish writing and read the answer."""
        self.close_connection = True
        self._reply(status, obj, headers)
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
        self.connection.settimeout(0.5)
        deadline = time.monotonic() + 2
        with contextlib.suppress(OSError, Cut, ValueError):
            for _ in chunks:
                if time.monotonic() > deadline or self.cloud.stopping.is_set():
                    break

    def _cut(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        raise Cut("cut by the stand-in")

    # -- routing ---------------------------------------------------------------------------

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.rec = self.cloud.record(self.command, path, headers)
        try:
            self._route(path, self.command)
        except Cut:
            self.close_connection = True
        except (OSError, ValueError):
            self.close_connection = True

    def _route(self, path: str, method: str) -> None:
        cloud = self.cloud
        upload = UPLOAD.match(path) if method == "POST" else None
        if cloud.rate_limited(path):
            msg, retry = envelope(429, "Too many requests, retry later"), {"Retry-After": "30"}
            if upload:
                return self._answer_early(429, msg, self._body_chunks(), retry)
            self._read_json()
            return self._reply(429, msg, retry)
        if upload:
            return self._upload(upload.group(1))
        body = self._read_json()
        if m := CDN.match(path):
            return self._download(m.group(1)) if method == "GET" else self._not_found()
        if path == "/api/auth/anonymous-token" and method == "POST":
            client_id = (self.headers.get("X-Client-Id") or "").strip()
            if not client_id:
                return self._reply(400, envelope(400, "X-Client-Id header is required"))
            return self._reply(200, {"code": 0, "data": cloud.anonymous_token(client_id)})
        user = cloud.authorize(self.headers.get("Authorization"))
        if user is None:
            bad = envelope(1001, "Invalid or expired token")
            return self._reply(200, {"success": False, **bad} if "/render/" in path else bad)
        if path == "/run_sse" and method == "POST":
            return self._run_sse(user, body)
        if path == "/api/tasks/me/with-session/nemo_agent" and method == "POST":
            if not (isinstance(body, dict) and body.get("task_name") and body.get("language")):
                return self._reply(422, envelope(4220, "task_name and language are required"))
            data = cloud.create_session(user, str(body["task_name"]), str(body["language"]))
            return self._reply(200, {"code": 0, "data": data})
        if path == "/api/credits/balance/simple" and method == "GET":
            return self._reply(200, {"code": 0, "data": cloud.credits(user)})
        if (m := STATE.match(path)) and method == "GET":
            state = cloud.get_state(m.group(1))
            if state is None:
                return self._reply(200, envelope(1002, "Session not found"))
            return self._reply(200, {"code": 0, "data": {"state": state}})
        if path == "/api/render/proxy/lambda" and method == "POST":
            if not all(map(self.rec_header, ATTRIBUTION)):
                msg = "Free plan cannot export: missing X-Skill-* attribution headers"
                return self._reply(402, {"success": False, "code": 402, "message": msg})
            return self._reply(*cloud.submit_render(body if isinstance(body, dict) else {}))
        if (m := RENDER.match(path)) and (method == "POST") == bool(m.group(2)):
            rid, cancel = m.group(1), m.group(2)
            return self._reply(*(cloud.cancel_render(rid) if cancel else cloud.render_status(rid)))
        if (m := PROXY_DOWNLOAD.match(path)) and method == "GET":
            return self._download(m.group(1))
        return self._not_found()

    def rec_header(self, name: str) -> str:
        assert self.rec is not None
        return self.rec.headers.get(name, "").strip()

    def _not_found(self) -> None:
        self._reply(404, envelope(404, f"No route for {self.command} {self.path}"))

    # -- /run_sse --------------------------------------------------------------------------

    def _run_sse(self, user: str, body: Any) -> None:
        assert self.rec is not None
        try:
            text = "".join(p.get("text", "") for p in body["new_message"]["parts"])
            ok = body["app_name"] == "nemo_agent" and body["user_id"] == "me"
            sid = str(body["session_id"])
        except (KeyError, TypeError, AttributeError):
            text, ok, sid = "", False, ""
        last_id = self.headers.get("Last-Event-ID")
        self.rec.message, self.rec.last_event_id = text, last_id
        if last_id:  # a reconnect: never a new run
            run, after = self.cloud.find_run(last_id)
            if run is None or not self.cloud.faults.resume:
                return self._stream(None, 0, None, 0.0)
            return self._stream(run, after, None, 0.0)
        if not ok:
            msg = "body must be app_name=nemo_agent, user_id=me, session_id, new_message.parts"
            return self._reply(422, envelope(4220, msg))
        run = self.cloud.start_run(user, sid, text)
        if isinstance(run, dict):
            return self._reply(200, run)
        faults = self.cloud.faults
        if faults.silent:
            return self._stream(None, 0, None, max(faults.heartbeats_for_s, 0.15))
        drop = faults.drop_stream_after
        drop = drop if drop is not None and self.cloud.once("drop_stream") else None
        self._stream(run, 0, drop, faults.heartbeats_for_s)

    def _chunk(self, data: bytes) -> None:
        if self.cloud.stopping.is_set():
            self._cut()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _stream(self, run: Run | None, after: int, drop: int | None, beats_s: float) -> None:
        """A text/event-stream, chunked, Connection: close. A run's numbered events after
        ``after`` (keep-alives first for ``beats_s``); cut without the last chunk after
        ``drop`` events; ``run`` None: keep-alives only."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        stop, every = self.cloud.stopping, max(0.005, self.cloud.faults.heartbeat_every_s)
        end, k = time.monotonic() + beats_s, 0
        while time.monotonic() < end:
            self._chunk(sc.KEEPALIVES[k % len(sc.KEEPALIVES)])
            k += 1
            stop.wait(min(every, max(0.0, end - time.monotonic())))
        n = sent = 0
        for item in run.items if run else []:
            n += item.data is not None
            if n <= after:
                continue
            self._chunk(sc.encode(item, run.run_id, n))  # type: ignore[union-attr]
            if item.data is not None:
                sent += 1
                if drop is not None and sent >= drop:
                    self._cut()
            stop.wait(0.01)
        if drop is not None:
            self._cut()
        self._chunk(b"")  # the terminating chunk: a clean end

    # -- uploads ---------------------------------------------------------------------------

    def _upload(self, sid: str) -> None:
        assert self.rec is not None
        cloud, rec = self.cloud, self.rec
        chunks = self._body_chunks()
        if cloud.authorize(self.headers.get("Authorization")) is None:
            return self._answer_early(200, envelope(1001, "Invalid or expired token"), chunks)
        if cloud.session(sid) is None:
            return self._answer_early(200, envelope(1002, "Session not found"), chunks)
        limit = cloud.faults.max_upload_bytes
        too_big = envelope(4002, f"File too large (max {limit} bytes)")
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            body = self._read_json()
            urls = body.get("urls") if isinstance(body, dict) else None
            if not isinstance(urls, list) or not urls:
                return self._reply(422, envelope(4220, "urls must be a non-empty list"))
            names = [urlsplit(str(u)).path.rsplit("/", 1)[-1] for u in urls]
            if not all(map(sc.kind_of, names)):
                return self._reply(200, self._unsupported())
            digests = [hashlib.sha256(str(u).encode()).hexdigest() for u in urls]
            files = list(zip(names, digests, strict=True))
            return self._reply(200, {"code": 0, "data": cloud.add_uploads(sid, files)})
        m = re.search(r'boundary="?([^";]+)"?', ctype)
        if not ctype.startswith("multipart/form-data") or not m:
            return self._answer_early(422, envelope(4220, "multipart/form-data expected"), chunks)
        if int(self.headers.get("Content-Length") or 0) > limit + 16384:
            return self._answer_early(200, too_big, chunks)
        parser, checked = sc.MultipartCounter(m.group(1)), 0
        for chunk in chunks:
            rec.body_len += len(chunk)
            parser.feed(chunk)
            files = parser.files
            if any(not sc.kind_of(p.filename or "") for p in files[checked:]):
                return self._answer_early(200, self._unsupported(), chunks)
            checked = len(files)
            if sum(p.size for p in files) > limit:
                return self._answer_early(200, too_big, chunks)
        if not parser.files:
            return self._reply(200, envelope(4001, "No file in the 'files' field"))
        done = [(p.filename or "", p.sha.hexdigest()) for p in parser.files]
        self._reply(200, {"code": 0, "data": cloud.add_uploads(sid, done)})

    def _unsupported(self) -> dict[str, Any]:
        kinds = sorted(sc.KINDS)
        return envelope(4001, f"Unsupported file type; accepted: {' '.join(kinds)}")

    # -- downloads -------------------------------------------------------------------------

    def _download(self, rid: str) -> None:
        cloud = self.cloud
        if not cloud.render_done(rid):
            return self._reply(404, envelope(404, f"No output for render {rid}"))
        data, total = cloud.output_bytes, len(cloud.output_bytes)
        start, end, status = 0, total - 1, 200
        if m := RANGE.match(self.headers.get("Range", "").strip()):
            a, b = m.groups()
            if a:
                start, end = int(a), min(int(b), total - 1) if b else total - 1
            elif b:
                start = max(0, total - int(b))
            if start >= total or start > end:
                bad = {"Content-Range": f"bytes */{total}"}
                return self._reply(416, envelope(416, "Bad range"), bad)
            status = 206
        cut_after = cloud.faults.drop_download_after
        cut_after = cut_after if cut_after is not None and cloud.once("drop_download") else None
        self.send_response(status)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{total}")
        self.end_headers()
        pos, stop_at = start, end + 1
        if cut_after is not None:
            stop_at = min(stop_at, start + cut_after)
        while pos < stop_at:
            if cloud.stopping.is_set():
                self._cut()
            nxt = min(stop_at, pos + 65536)
            self.wfile.write(data[pos:nxt])
            pos = nxt
        if cut_after is not None:
            self._cut()
