"""Request dependencies: who is calling (bearer token) and which of their sessions."""

from __future__ import annotations

import time
from collections import OrderedDict

from fastapi import Request

from nemodesk.engine.server.config import ServerConfig
from nemodesk.engine.server.errors import BAD_TOKEN, SESSION_NOT_FOUND, ApiError
from nemodesk.engine.server.store import Session, Store


def store(request: Request) -> Store:
    return request.app.state.store


def config(request: Request) -> ServerConfig:
    return request.app.state.config


def _token_user(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return store(request).user_for_token(token.strip())


def rate_key(request: Request) -> str:
    """Whose budget a request spends: the authenticated user's (all their tokens share it),
    else the peer address's — so junk or expired Authorization headers get no fresh budget."""
    found = getattr(request.app.state, "store", None) and _token_user(request)
    if found:
        return f"user:{found}"
    return f"peer:{request.client.host if request.client else '?'}"


class RateLimiter:
    """Token bucket per key: ``rate`` requests a second, bursts of twice that. At most
    ``max_keys`` buckets are kept (least recently used go first; a full bucket is the same
    as none), so the map cannot grow without bound."""

    def __init__(self, rate: float, max_keys: int = 4096) -> None:
        self.rate, self.cap, self.max_keys = rate, rate * 2, max_keys
        self.level: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        tokens, last = self.level.pop(key, (self.cap, now))
        tokens = min(self.cap, tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        self.level[key] = (tokens - 1 if allowed else tokens, now)
        while len(self.level) > self.max_keys:
            self.level.popitem(last=False)
        return allowed


def current_user(request: Request) -> str:
    user = _token_user(request)
    if user is None:
        raise ApiError(
            BAD_TOKEN,
            "The token is missing, invalid or expired: get a new one.",
            401,
            {"WWW-Authenticate": "Bearer"},
        )
    return user


def session_of(request: Request, session_id: str, user: str) -> Session:
    """The caller's own session; someone else's answers exactly like a missing one."""
    session = store(request).get_session(session_id, user) if len(session_id) < 100 else None
    if session is None:
        raise ApiError(SESSION_NOT_FOUND, "Session not found: start a new one.", 404)
    return session
