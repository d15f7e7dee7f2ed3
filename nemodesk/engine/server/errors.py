"""The API's error envelope and codes, in one place.

JSON answers are ``{"code": 0, "data": …}``; an error is a non-zero ``code`` with a
``message`` (and ``msg``, which one write-up of the cloud API uses). Render endpoints answer
``{"success": …, "data": …}`` instead. Error codes are the spec's.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

BAD_TOKEN = 1001
SESSION_NOT_FOUND = 1002
NO_CREDITS = 2001
UNSUPPORTED_FILE = 4001
FILE_TOO_LARGE = 4002
BAD_REQUEST = 4000  # malformed JSON, wrong types: the engine's own code
NOT_FOUND = 4004
RATE_LIMITED = 4029
INTERNAL = 5000


class ApiError(Exception):
    """Raised anywhere in a handler; turned into the envelope with its HTTP status."""

    def __init__(
        self, code: int, message: str, http_status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.http_status = code, message, http_status
        self.headers = headers or {}


class BodyRefused(HTTPException):
    """A request body cut off while it is read: over its limit (413) or too slow (408).

    An HTTPException, so FastAPI's body parsing passes it on instead of turning it into
    "error parsing the body"; ``code`` is the envelope's, and the connection is closed so the
    rest of the body is never read."""

    def __init__(self, code: int, message: str, http_status: int) -> None:
        super().__init__(http_status, message, {"Connection": "close"})
        self.code, self.message = code, message


def ok(data: Any) -> dict[str, Any]:
    return {"code": 0, "data": data}


def render_ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def error_response(
    code: int,
    message: str,
    http_status: int = 200,
    *,
    render: bool = False,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, "msg": message, "data": None}
    if render:
        body["success"] = False
        body["error"] = message
    return JSONResponse(body, status_code=http_status, headers=headers)
