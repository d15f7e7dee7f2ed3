"""Every endpoint path, header name and fixed value of the NemoVideo API, in one place.

Both backends speak this API (shared/spec/nemovideo-api.md); nothing else in the client
spells a path or a header by hand.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

DEFAULT_API_URL = "https://mega-api-prod.nemovideo.ai"
DEFAULT_WEB_URL = "https://nemovideo.com"
SKILL_NAME = "ai-music-generator-free"
SKILL_SOURCE = "ai-music-generator-free"
DEFAULT_PLATFORM = "nemodesk"
APP_NAME = "nemo_agent"

H_CLIENT_ID = "X-Client-Id"
H_CLIENT_SECRET = "X-Client-Secret"  # local engine only: binds the id to this user
H_SKILL_SOURCE = "X-Skill-Source"
H_SKILL_VERSION = "X-Skill-Version"
H_SKILL_PLATFORM = "X-Skill-Platform"
H_LAST_EVENT_ID = "Last-Event-ID"
# the local engine's extra: "play a long take's head while the rest renders" (its
# ``music_preview`` tool result names it); never sent to the cloud
H_PREVIEW, PREVIEW_HEAD = "X-Nemo-Preview", "head"

ANONYMOUS_TOKEN = "/api/auth/anonymous-token"
CREATE_SESSION = "/api/tasks/me/with-session/nemo_agent"
RUN_SSE = "/run_sse"
CREDITS = "/api/credits/balance/simple"
RENDER = "/api/render/proxy/lambda"


def _seg(value: str) -> str:
    """A client-supplied id as one safe path segment."""
    return quote(value, safe="")


def upload_path(session_id: str) -> str:
    return f"/api/upload-video/nemo_agent/me/{_seg(session_id)}"


def state_path(session_id: str) -> str:
    return f"/api/state/nemo_agent/me/{_seg(session_id)}/latest"


def render_status_path(render_id: str) -> str:
    return f"{RENDER}/{_seg(render_id)}"


def render_cancel_path(render_id: str) -> str:
    return f"{RENDER}/{_seg(render_id)}/cancel"


def render_download_path(render_id: str) -> str:
    return f"/api/render/proxy/{_seg(render_id)}/download"


def local_session_path(session_id: str) -> str:
    """A session of the local engine, for DELETE (the cloud has no such call)."""
    return f"/api/local/sessions/{_seg(session_id)}"


def local_media_path(media_id: str) -> str:
    """One generated media file of the local engine (a take's mix, stem or MIDI)."""
    return f"/api/local/media/{_seg(media_id)}"


def task_link(web_url: str, task_id: str, session_id: str, version: str, platform: str) -> str:
    """The link that opens the session on the web. It never carries a token."""
    query = urlencode(
        {
            "task": task_id,
            "session": session_id,
            "skill_name": SKILL_NAME,
            "skill_version": version,
            "skill_source": platform,
        }
    )
    return f"{web_url.rstrip('/')}/workspace/claim?{query}"


def run_body(session_id: str, text: str, parameters: dict | None = None) -> dict:
    """The ``/run_sse`` body. ``parameters`` (explicit music settings: a local-engine extra)
    go under ``new_message`` only when given, so the cloud gets its documented body."""
    message: dict = {"parts": [{"text": text}]}
    if parameters:
        message["parameters"] = parameters
    return {
        "app_name": APP_NAME,
        "user_id": "me",
        "session_id": session_id,
        "new_message": message,
    }
