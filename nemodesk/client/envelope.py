"""Reading the API's answers: the JSON body (or None) and the typed error it carries.

Every client module that reads an answer — plain calls, the chat stream, uploads, renders —
imports these from here, so none of them needs the client class itself.
"""

from __future__ import annotations

from typing import Any

import httpx

from nemodesk.client import errors


def read_json(resp: httpx.Response) -> Any:
    """The answer's JSON body, or None when it is not JSON."""
    try:
        return resp.json()
    except ValueError:
        return None


def envelope_error(resp: httpx.Response, body: Any) -> errors.NemoError | None:
    """The error an answer carries, or None: a non-zero ``code`` is an error even with
    HTTP 200; so are ``success: false`` and an HTTP error status."""
    status = resp.status_code
    if isinstance(body, dict):
        msg = str(body.get("msg") or body.get("message") or body.get("error") or "")
        code = body.get("code")
        if isinstance(code, int) and code != 0:
            return errors.from_answer(code, msg, status)
        if body.get("success") is False or status >= 400:
            return errors.from_answer(code if isinstance(code, int) else -1, msg, status)
        return None
    if status >= 400:
        return errors.from_answer(-1, resp.reason_phrase, status)
    return None
