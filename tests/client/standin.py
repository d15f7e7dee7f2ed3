"""A stand-in for the NemoVideo cloud: a real HTTP server on loopback that speaks the API of
/work/shared/spec/nemovideo-api.md and can be told to misbehave (see ``Faults``).

    with CloudStandIn() as cloud:
        cloud.faults.drop_stream_after = 2
        ...  # point the client at cloud.url

Standard library only on the server side, so faults such as a connection cut half-way
are fully under control. The HTTP side is in ``standin_handler``; what the cloud says
and how the draft changes is in ``standin_script``.

Envelope errors (1001, 1002, 2001, 4001, 4002) come with HTTP 200, as the spec allows
("a non-zero code is an error even when HTTP status is 200"). One-shot faults
(rate_limit_once per prefix, drop_stream_after, drop_download_after,
duplicate_render_once) fire once per stand-in; expire_token_after and lose_sessions
fire once each time they are set (set them back to None/False to re-arm).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from tests.client import standin_script as sc

ATTRIBUTION = ("x-skill-source", "x-skill-version", "x-skill-platform")
OUTPUT_SIZE = 3 * 2**20


@dataclass
class Faults:
    """All settable by a test before or during a flow; times are in seconds."""

    expire_token_after: int | None = None  # after N authorized requests the token dies (1001)
    lose_sessions: bool = False  # sessions existing when seen set are forgotten (1002)
    rate_limit_once: set[str] = field(default_factory=set)  # path prefixes: 429 the first time
    no_credits: bool = False  # /run_sse answers JSON code 2001
    status_shape: str = "A"  # render status: "A" top-level, "B" under data
    silent: bool = False  # /run_sse streams keep-alives only, then closes; state still changes
    drop_stream_after: int | None = None  # first new stream cut after N numbered events
    resume: bool = True  # Last-Event-ID continues the run; False: empty stream, closed at once
    heartbeats_for_s: float = 0.0  # keep-alives only for this long before the text
    heartbeat_every_s: float = 0.05
    drop_download_after: int | None = None  # first output GET cut after N bytes
    duplicate_render_once: bool = False  # first render submit: HTTP 409 duplicate
    render_polls: int = 2  # polls answering pending/processing before the end
    fail_render: bool = False  # the render ends "failed" with an error message
    max_upload_bytes: int = 50 * 2**20  # per upload request (files summed) -> 4002
    two_stage: bool = False  # generation: BGM first, the title on a later state fetch
    trailing_issue: bool = False  # text ends with "I encountered a temporary issue..."


@dataclass
class Recorded:
    """One request as the stand-in saw it (fields filled in as the request goes)."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body_len: int = 0  # body bytes read before answering
    status: int | None = None  # HTTP status answered (None: cut before any answer)
    message: str | None = None  # /run_sse: the message text
    last_event_id: str | None = None  # /run_sse: the Last-Event-ID header

    @property
    def attribution(self) -> dict[str, str | None]:
        return {k: self.headers.get(k) for k in ATTRIBUTION}


@dataclass
class Run:
    run_id: str
    session_id: str
    message: str
    items: list[sc.Item]


def envelope(code: int, msg: str) -> dict[str, Any]:
    return {"code": code, "msg": msg}


class CloudStandIn:
    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self.log: list[Recorded] = []
        noise = random.Random(7).randbytes(OUTPUT_SIZE - 12)
        self.output_bytes = b"\x00\x00\x00\x18ftypmp42" + noise  # 3 MiB, same every run
        self.url = ""
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.connections: set[Any] = set()
        self._tokens: dict[str, dict[str, Any]] = {}  # token -> client_id, user_id, valid
        self._client_token: dict[str, str] = {}
        self._client_user: dict[str, str] = {}
        self._credits: dict[str, int] = {}
        self._issued: list[str] = []
        self._sessions: dict[str, dict[str, Any]] = {}
        self._runs: dict[str, Run] = {}
        self._messages: list[str] = []
        self._renders: dict[str, dict[str, Any]] = {}
        self._fired: set[str] = set()
        self._authorized = 0
        self._expire_base: int | None = None
        self._lost_seen = False

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> CloudStandIn:
        from tests.client.standin_handler import Handler

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.cloud = self  # type: ignore[attr-defined]
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        with self.lock:
            conns = list(self.connections)
        for conn in conns:  # wakes handlers idle on keep-alive reads or blocked writing
            with contextlib.suppress(OSError):
                conn.shutdown(2)
        server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> CloudStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what tests look at ----------------------------------------------------------------

    def messages_received(self) -> list[str]:
        """Texts of /run_sse messages that started a run (not resumes, not refused ones)."""
        with self.lock:
            return list(self._messages)

    @property
    def tokens_issued(self) -> list[str]:
        with self.lock:
            return list(self._issued)

    def state(self, session_id: str, live: bool = False) -> dict[str, Any]:
        """The session's server-side state: a snapshot, or the live dict (to tweak it)."""
        with self.lock:
            st = self._sessions[session_id]["state"]
            return st if live else sc.snapshot(st)

    def session_ids(self) -> list[str]:
        with self.lock:
            return list(self._sessions)

    def requests(self, path_prefix: str = "") -> list[Recorded]:
        with self.lock:
            return [r for r in self.log if r.path.startswith(path_prefix)]

    # -- shared state (handlers call these; each holds the lock) ---------------------------

    def record(self, method: str, path: str, headers: dict[str, str]) -> Recorded:
        rec = Recorded(method, path, headers)
        with self.lock:
            self.log.append(rec)
        return rec

    def once(self, name: str) -> bool:
        """True the first time only."""
        with self.lock:
            if name in self._fired:
                return False
            self._fired.add(name)
            return True

    def rate_limited(self, path: str) -> bool:
        with self.lock:
            hits = [p for p in self.faults.rate_limit_once if path.startswith(p)]
        return any(self.once(f"429:{p}") for p in hits)

    def anonymous_token(self, client_id: str) -> dict[str, Any]:
        with self.lock:
            token = self._client_token.get(client_id)
            if token is None or not self._tokens[token]["valid"]:
                token = f"nmv_usr_{secrets.token_hex(16)}"
                user = self._client_user.setdefault(client_id, f"anon_{uuid.uuid4().hex[:12]}")
                self._credits.setdefault(user, 100)
                expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
                self._tokens[token] = {
                    "client_id": client_id,
                    "user_id": user,
                    "valid": True,
                    "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
                self._client_token[client_id] = token
                self._issued.append(token)
            rec = self._tokens[token]
            return {
                "token": token,
                "user_id": rec["user_id"],
                "expires_at": rec["expires_at"],
                "credits": self._credits[rec["user_id"]],
            }

    def authorize(self, authorization: str | None) -> str | None:
        """The user id behind a valid bearer token, else None (-> 1001)."""
        token = (authorization or "").removeprefix("Bearer ").strip()
        with self.lock:
            rec = self._tokens.get(token)
            if rec is None or not rec["valid"]:
                return None
            n = self.faults.expire_token_after
            if n is None:
                self._expire_base = None
            elif self._expire_base != -1:
                if self._expire_base is None:
                    self._expire_base = self._authorized
                if self._authorized - self._expire_base >= n:
                    rec["valid"], self._expire_base = False, -1  # -1: fired
                    return None
            self._authorized += 1
            return rec["user_id"]

    def session(self, session_id: str) -> dict[str, Any] | None:
        with self.lock:
            if self.faults.lose_sessions and not self._lost_seen:
                self._sessions.clear()
            self._lost_seen = self.faults.lose_sessions
            return self._sessions.get(session_id)

    def create_session(self, user: str, task_name: str, language: str) -> dict[str, Any]:
        self.session("")  # a pending lose_sessions applies to the sessions before this one
        with self.lock:
            sid, task = uuid.uuid4().hex, f"task_{uuid.uuid4().hex[:16]}"
            self._sessions[sid] = {
                "task_id": task,
                "user_id": user,
                "language": language,
                "state": sc.new_state(task_name),
                "pending": [],
            }
            return {"task_id": task, "session_id": sid, "user_id": user}

    def credits(self, user: str) -> dict[str, int]:
        with self.lock:
            available = self._credits.get(user, 0)
            return {"available": available, "frozen": 0, "total": available}

    def get_state(self, session_id: str) -> dict[str, Any] | None:
        """The state as answered; a two-stage run's rest shows on the next fetch."""
        with self.lock:
            sess = self.session(session_id)
            if sess is None:
                return None
            out = sc.snapshot(sess["state"])
            for track in sess.pop("pending", []):
                sc.put_track(sess["state"]["draft"], track)
            sess["pending"] = []
            return out

    def start_run(self, user: str, session_id: str, message: str) -> Run | dict[str, Any]:
        """A new run (state changed, credits charged), or the error envelope."""
        with self.lock:
            sess = self.session(session_id)
            if sess is None:
                return envelope(1002, f"Session {session_id} not found")
            if self.faults.no_credits:
                return envelope(2001, "Insufficient credits")
            kind, value = sc.classify(message)
            st = sess["state"]
            duration = sc.video_ms(st["draft"])
            sess["pending"] += sc.apply_run(st, kind, value, self.faults.two_stage)
            self._credits[user] = max(0, self._credits.get(user, 0) - sc.COSTS[kind])
            items = sc.script(kind, value, message, duration, self.faults.trailing_issue)
            run = Run(f"run_{uuid.uuid4().hex[:10]}", session_id, message, items)
            self._runs[run.run_id] = run
            self._messages.append(message)
            return run

    def find_run(self, last_event_id: str) -> tuple[Run | None, int]:
        run_id, _, n = last_event_id.strip().rpartition(":")
        with self.lock:
            run = self._runs.get(run_id)
        return run, int(n) if n.isdigit() else 0

    def add_uploads(self, session_id: str, files: list[tuple[str, str]]) -> dict[str, Any]:
        """(filename, hash) pairs -> the upload answer's data; the files join the draft."""
        with self.lock:
            sess = self._sessions[session_id]
            infos = [sc.file_info(self.url, name, digest) for name, digest in files]
            for info in infos:
                sc.add_upload(sess["state"], info)
            return {"files": infos, "session_state_applied": True}

    def submit_render(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        rid = body.get("id")
        missing = [k for k in ("id", "sessionId", "draft", "output") if k not in body]
        if missing or not isinstance(rid, str):
            return 422, {"success": False, "message": f"Missing fields: {', '.join(missing)}"}
        with self.lock:
            dup = rid in self._renders
            if not dup and self.faults.duplicate_render_once:
                dup = self.once("duplicate_render")
            if dup:
                return 409, {"success": False, "code": 409, "message": f"duplicate id {rid}"}
            draft = body["draft"] if isinstance(body["draft"], dict) else {}
            tracks = draft.get("t") if isinstance(draft.get("t"), list) else []
            if not any(isinstance(t, dict) and t.get("sg") for t in tracks):
                return 200, {"success": False, "message": "Nothing to export: the draft is empty"}
            self._renders[rid] = {"polls": 0, "status": "pending", "progress": 0, "body": body}
            return 200, {"success": True, "data": {"id": rid, "status": "pending"}}

    def render_status(self, rid: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            r = self._renders.get(rid)
            if r is None:
                return 404, {"success": False, "message": f"render {rid} not found"}
            if r["status"] in ("pending", "processing"):
                r["polls"] += 1
                n = max(0, self.faults.render_polls)
                if r["polls"] > n and self.faults.fail_render:
                    r["status"], r["error"] = "failed", "Render failed: encoder ran out of memory"
                elif r["polls"] > n:
                    r["status"], r["progress"] = "completed", 100
                else:
                    r["status"] = "pending" if r["polls"] == 1 else "processing"
                    r["progress"] = int(100 * (r["polls"] - 1) / n)
            url = f"{self.url}/cdn/{rid}.mp4" if r["status"] == "completed" else None
            if self.faults.status_shape == "B":
                data = {"id": rid, "status": r["status"], "progress": r["progress"]}
                data |= {"outputUrl": url} if url else {}
                data |= {"error": r["error"]} if "error" in r else {}
                return 200, {"success": True, "data": data}
            out = {"success": True, "id": rid, "status": r["status"], "progress": r["progress"]}
            out |= {"output": {"url": url, "format": "mp4"}} if url else {}
            out |= {"error": r["error"]} if "error" in r else {}
            return 200, out

    def cancel_render(self, rid: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            r = self._renders.get(rid)
            if r is None:
                return 404, {"success": False, "message": f"render {rid} not found"}
            if r["status"] in ("pending", "processing"):
                r["status"] = "cancelled"
            return 200, {"success": True, "data": {"id": rid, "status": r["status"]}}

    def render_done(self, rid: str) -> bool:
        with self.lock:
            r = self._renders.get(rid)
            return r is not None and r["status"] == "completed"
