"""The one place where a failed answer is recovered: token renewal and the 429 wait.

Modelled on httpx's ``Auth.auth_flow``: ``auth_flow`` is a generator that yields the
headers of an attempt and is sent back what that attempt's answer said. Sent an error, it
renews the token (1001) or waits (HTTP 429) — each at most once per flow — and yields the
headers of the next attempt, or raises the error, completed by the client (``explain``).
Sent ``None``, it yields fresh headers for a plain retry (a dropped stream resumed) without
spending a recovery. Plain calls (``NemoClient.call``) and the chat stream (``sse.ChatRun``)
drive the same flow, so the rule lives once.

``Caller`` is what the helper modules (``sse``, ``upload``, ``download``, ``render``) need of
the client; typing against it keeps them from importing ``client.py``, which imports them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from typing import Any, Protocol

import httpx

from nemodesk.client import errors
from nemodesk.client.config import ClientConfig
from nemodesk.client.models import SessionState

AuthFlow = AsyncGenerator[dict[str, str], errors.NemoError | None]
"""Yields an attempt's headers; is sent the error its answer carried, or None."""


class Caller(Protocol):
    """The client as its helper modules see it (``NemoClient`` is the one implementation)."""

    config: ClientConfig
    http: httpx.AsyncClient

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Callable[[], dict[str, Any]] | None = None,
        **kw: Any,
    ) -> dict[str, Any]: ...

    async def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]: ...

    async def renew_token(self) -> str: ...

    def explain(self, err: errors.NemoError) -> errors.NemoError: ...

    async def state(self, session_id: str | None = None) -> SessionState: ...


async def auth_flow(client: Caller, extra: Callable[[], dict[str, str]] | None = None) -> AuthFlow:
    """Yield each attempt's headers (the bearer token plus ``extra()``); be sent the error
    its answer carried (or ``None`` for a plain retry); renew, wait or raise."""
    renewed = waited = False
    while True:
        err = yield await client.headers(extra() if extra else None)
        if err is None:
            continue
        if isinstance(err, errors.TokenExpired) and not renewed:
            renewed = True
            await client.renew_token()
        elif isinstance(err, errors.RateLimited) and not waited:
            waited = True
            await asyncio.sleep(client.config.timing.retry_429_s)
        else:
            raise client.explain(err)
