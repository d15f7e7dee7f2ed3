"""Request dependencies: who is calling (bearer token) and which of their sessions."""

from __future__ import annotations

from fastapi import Request

from nemodesk.engine.server.config import ServerConfig
from nemodesk.engine.server.errors import BAD_TOKEN, SESSION_NOT_FOUND, ApiError
from nemodesk.engine.server.store import Session, Store


def store(request: Request) -> Store:
    return request.app.state.store


def config(request: Request) -> ServerConfig:
    return request.app.state.config


def current_user(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    user = store(request).user_for_token(token.strip()) if scheme.lower() == "bearer" else None
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
