"""Anonymous token, sessions, credits and state: the small endpoints of the API."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from nemodesk.engine.server import deps
from nemodesk.engine.server.errors import BAD_REQUEST, ApiError, ok

router = APIRouter()
User = Annotated[str, Depends(deps.current_user)]


def client_key(client_id: str, secret: str | None) -> str:
    """The users-table key of a client. The client id alone is no password (it is sent in
    the clear, shown in support talk, may sit in world-readable files), so the local app
    also sends ``X-Client-Secret``, a random value kept beside the id (0600), and its user is
    keyed on both: someone who sends only the id (or the id with another secret) gets a
    fresh, empty user, never this one's data. Only a hash of the secret is stored."""
    if not secret:
        return client_id
    digest = hashlib.sha256(f"{client_id}\0{secret}".encode()).hexdigest()
    return f"{client_id}#{digest[:40]}"


@router.post("/api/auth/anonymous-token", summary="Get an anonymous token")
def anonymous_token(
    request: Request,
    x_client_id: Annotated[str | None, Header()] = None,
    x_client_secret: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    if not x_client_id or not x_client_id.strip() or len(x_client_id) > 128:
        raise ApiError(BAD_REQUEST, "Missing X-Client-Id header: send a client UUID.", 400)
    if x_client_secret is not None and not 16 <= len(x_client_secret) <= 256:
        raise ApiError(BAD_REQUEST, "X-Client-Secret must be 16 to 256 characters.", 400)
    store = deps.store(request)
    key = client_key(x_client_id, x_client_secret)
    user = store.user_for_client(key)
    if user is None and key != x_client_id:
        # the first request with a secret adopts what this id made before secrets existed
        user = store.rebind_client(x_client_id, key)
    user = user or store.create_user(key)
    token, expires = store.issue_token(user, deps.config(request).token_ttl_s)
    when = dt.datetime.fromtimestamp(expires, dt.UTC).isoformat().replace("+00:00", "Z")
    return ok({"token": token, "user_id": user, "expires_at": when, "credits": 100})


class SessionBody(BaseModel):
    task_name: str = Field("project", max_length=200)
    language: str = Field("en", max_length=16)


@router.post("/api/tasks/me/with-session/nemo_agent", summary="Create a session")
def create_session(request: Request, body: SessionBody, user: User) -> dict[str, Any]:
    s = deps.store(request).create_session(user, body.task_name, body.language)
    return ok({"task_id": s.task_id, "session_id": s.session_id, "user_id": user})


@router.get("/api/credits/balance/simple", summary="Credits (local generation is free)")
def credits(request: Request, user: User) -> dict[str, Any]:
    available = deps.config(request).free_credits
    frozen = request.app.state.jobs.busy_for(user) * 100
    return ok({"available": available, "frozen": frozen, "total": available + frozen})


@router.get("/api/state/nemo_agent/me/{session_id}/latest", summary="Latest session state")
def state(request: Request, session_id: str, user: User) -> dict[str, Any]:
    deps.session_of(request, session_id, user)
    store = deps.store(request)
    extra = store.state(session_id)
    return ok(
        {
            "state": {
                "draft": store.draft(session_id),
                "video_infos": extra.get("video_infos", []),
                "canvas_config": extra.get("canvas_config", {}),
                "video_analyses": extra.get("video_analyses", []),
                "generated_media": extra.get("generated_media", []),
            }
        }
    )
