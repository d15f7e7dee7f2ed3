"""Anonymous token, sessions, credits and state: the small endpoints of the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from nemodesk.engine.server import deps
from nemodesk.engine.server.errors import BAD_REQUEST, ApiError, ok

router = APIRouter()
User = Annotated[str, Depends(deps.current_user)]


@router.post("/api/auth/anonymous-token", summary="Get an anonymous token")
def anonymous_token(
    request: Request, x_client_id: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    if not x_client_id or not x_client_id.strip() or len(x_client_id) > 128:
        raise ApiError(BAD_REQUEST, "Missing X-Client-Id header: send a client UUID.", 400)
    store = deps.store(request)
    user = store.user_for_client(x_client_id) or store.create_user(x_client_id)
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
