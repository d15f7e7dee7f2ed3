"""Request bodies, bounded as they are read.

A Content-Length header is a promise, and chunked bodies make none: so every byte the app
reads is counted, on every route, and the request is answered 413 the moment its body
crosses the route's limit (the rest is never read: the connection closes). A body must also
keep arriving: one that pauses longer than ``idle_s``, or averages under ``min_bps`` once it
has had ``grace_s``, is answered 408 — a trickling client cannot hold a connection and an
open upload file forever. uvicorn has neither bound (its only timeout is keep-alive), so
this pure ASGI middleware wraps ``receive``. A client that hangs up mid-body is logged in one
line, once. When uvicorn has already answered a malformed request itself (bad chunk framing)
and is closing the connection, the app's own answer is dropped instead of ending in an
"Exception in ASGI application" traceback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

try:  # uvicorn's HTTP/1.1 state machine (the only one installed without httptools)
    from h11 import LocalProtocolError
except ImportError:  # pragma: no cover
    LocalProtocolError = ()  # type: ignore[assignment,misc]

from nemodesk.engine.server.errors import BAD_REQUEST, FILE_TOO_LARGE, BodyRefused

log = logging.getLogger("nemodesk.engine")
UPLOAD_PREFIX = "/api/upload-video/"
MULTIPART_OVERHEAD = 64 * 1024  # part headers and boundaries around the files' own bytes


@dataclass(frozen=True)
class Limit:
    max_bytes: int
    code: int
    message: str


@dataclass(frozen=True)
class Pace:
    """How a body must keep arriving."""

    idle_s: float = 30.0  # the longest pause between two pieces of a body
    min_bps: float = 32 * 1024  # the slowest average, once ``grace_s`` has passed
    grace_s: float = 10.0

    @classmethod
    def from_env(cls) -> Pace:
        """NEMODESK_BODY_IDLE_S, NEMODESK_BODY_MIN_BPS, NEMODESK_BODY_GRACE_S (tests use short
        ones); 0 turns a bound off."""
        values = {}
        for name, attr in (
            ("NEMODESK_BODY_IDLE_S", "idle_s"),
            ("NEMODESK_BODY_MIN_BPS", "min_bps"),
            ("NEMODESK_BODY_GRACE_S", "grace_s"),
        ):
            if raw := os.environ.get(name):
                values[attr] = float(raw)
        return cls(**values)


def limit_for(path: str, content_type: str, max_upload_bytes: int, max_json_bytes: int) -> Limit:
    """The most body bytes a request may carry: files for a multipart upload (all parts
    together), the JSON limit for everything else (the URL form of an upload included)."""
    if path.startswith(UPLOAD_PREFIX) and content_type.lower().startswith("multipart/"):
        return Limit(
            max_upload_bytes + MULTIPART_OVERHEAD,
            FILE_TOO_LARGE,
            f"The upload is too large (over {max(1, max_upload_bytes // 2**20)} MB in one "
            "request): compress or trim it first.",
        )
    return Limit(max_json_bytes, BAD_REQUEST, "The request is too large.")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


class BodyLimits:
    """Wraps ``receive`` of each HTTP request: counts the body, bounds its pace."""

    def __init__(self, app: ASGIApp, limit: Callable[[str, str], Limit], pace: Pace) -> None:
        self.app, self.limit, self.pace = app, limit, pace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with ``receive`` counted and paced and ``send`` guarded. Kept whole:
        the two wrappers are closures over this one request's scope, limit and counters, and
        read best beside each other."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"], _header(scope, b"content-type"))
        pace = self.pace
        read, done, started = 0, False, time.monotonic()

        async def counted() -> Message:
            nonlocal read, done
            if done:  # after the body: disconnect watching (SSE) waits as long as it likes
                return await receive()
            try:
                async with asyncio.timeout(pace.idle_s or None):
                    message = await receive()
            except TimeoutError:
                done = True
                raise BodyRefused(
                    BAD_REQUEST,
                    f"The request body stopped arriving (nothing for {pace.idle_s:g} s).",
                    408,
                ) from None
            if message["type"] == "http.disconnect":
                done = True
                log.warning(
                    "%s %s: the client disconnected after %d bytes of its body; dropped",
                    scope.get("method", "?"),
                    scope["path"],
                    read,
                )
                return message
            read += len(message.get("body", b""))
            if read > limit.max_bytes:
                done = True
                raise BodyRefused(limit.code, limit.message, 413)
            if not message.get("more_body", False):
                done = True
                return message
            elapsed = time.monotonic() - started
            if pace.min_bps and elapsed > pace.grace_s and read / elapsed < pace.min_bps:
                done = True
                raise BodyRefused(
                    BAD_REQUEST,
                    f"The request body arrives too slowly ({read / elapsed / 1024:.1f} KB/s).",
                    408,
                )
            return message

        dropped = False

        async def guarded(message: Message) -> None:
            nonlocal dropped
            if dropped:
                return
            try:
                await send(message)
            except LocalProtocolError:
                if message["type"] != "http.response.start":
                    raise
                dropped = True  # and the rest of this answer with it
                log.info("%s %s: answered by the server already", scope.get("method"), path)

        path = scope["path"]
        await self.app(scope, counted, guarded)
