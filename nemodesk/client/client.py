"""``NemoClient``: one asyncio client for the cloud and the local engine.

Methods are named after what users do (``create_session``, ``send``, ``upload``,
``credits``, ``state``, ``export``). Each call goes through ``call``, which reads the
envelope and applies the spec's recoveries exactly once each: 1001 ⇒ a new anonymous
token; HTTP 429 ⇒ wait, retry; HTTP 400 for the client id ⇒ a new id; 1002 ⇒ a new
session, told to the caller. Everything else surfaces as a typed ``NemoError``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode

import httpx

from nemodesk.client import api, download, errors, render
from nemodesk.client.auth import auth_flow
from nemodesk.client.config import ClientConfig
from nemodesk.client.envelope import envelope_error, read_json
from nemodesk.client.models import (
    Credits,
    Progress,
    RenderStatus,
    Session,
    SessionState,
    UploadedFile,
)
from nemodesk.client.sse import ChatEvent, ChatOutcome, ChatRun
from nemodesk.client.tokens import TokenStore
from nemodesk.client.upload import upload_files, upload_urls
from nemodesk.core.draft import Draft

log = logging.getLogger(__name__)
T = TypeVar("T")
TokenSource = Literal["env", "keyring", "memory", "anonymous", ""]
NETWORK_ERRORS = (httpx.TransportError,)


class NemoClient:
    def __init__(
        self,
        config: ClientConfig,
        tokens: TokenStore | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.tokens = tokens if tokens is not None else TokenStore()
        self.http = httpx.AsyncClient(
            base_url=config.api_url,
            headers=config.attribution(),
            timeout=httpx.Timeout(30.0, connect=10.0),
            transport=transport,
            follow_redirects=True,
        )
        self.session: Session | None = None
        self.token_source: TokenSource = ""
        self.on_session_replaced: Callable[[Session | None, Session], None] | None = None
        self.last_render_id = ""
        self._token: str | None = None
        self._token_lock = asyncio.Lock()

    async def __aenter__(self) -> NemoClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    # ---- tokens ---------------------------------------------------------------------------

    @property
    def token_is_saved(self) -> bool:
        """False when the token lives in memory only (no keyring): the UI says so."""
        return self.token_source == "env" or self.tokens.is_secure

    async def token(self) -> str:
        async with self._token_lock:
            if self._token:
                return self._token
            if self.config.env_token:
                self._token, self.token_source = self.config.env_token, "env"
                return self._token
            stored = await asyncio.to_thread(self.tokens.get, self.config.account)
            if stored:
                self._token = stored
                self.token_source = "keyring" if self.tokens.is_secure else "memory"
                return stored
            return await self._anonymous_token()

    async def _anonymous_token(self) -> str:
        for attempt in range(2):
            resp = await self._send("POST", api.ANONYMOUS_TOKEN)
            body = read_json(resp)
            err = envelope_error(resp, body)
            if err is None:
                token = str(body["data"]["token"])
                self._token = token
                await asyncio.to_thread(self.tokens.set, self.config.account, token)
                self.token_source = "keyring" if self.tokens.is_secure else "memory"
                return token
            if isinstance(err, errors.MissingClientId) and attempt == 0:
                self.config = replace(self.config, client_id=str(uuid.uuid4()))
                continue
            if isinstance(err, errors.RateLimited) and attempt == 0:
                await asyncio.sleep(self.config.timing.retry_429_s)
                continue
            raise err
        raise errors.TokenExpired()

    async def renew_token(self) -> str:
        """Drop the current token (and its keyring entry) and fetch a new anonymous one."""
        async with self._token_lock:
            self._token = None
            self.config = replace(self.config, env_token=None)
            await asyncio.to_thread(self.tokens.forget, self.config.account)
            return await self._anonymous_token()

    async def forget_token(self) -> None:
        async with self._token_lock:
            self._token, self.token_source = None, ""
            await asyncio.to_thread(self.tokens.forget, self.config.account)

    # ---- requests -------------------------------------------------------------------------

    async def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token()}", **(extra or {})}

    async def _send(
        self, method: str, path: str, *, auth: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        """One request: with ``auth`` (the bearer headers) or, without, as the anonymous
        client asking for a token (its id, and on the local engine its secret)."""
        headers = dict(kw.pop("headers", None) or {})
        if auth is not None:
            headers.update(auth)
        else:
            headers[api.H_CLIENT_ID] = self.config.client_id
            if self.config.client_secret and self.config.backend == "local":
                headers[api.H_CLIENT_SECRET] = self.config.client_secret
        try:
            return await self.http.request(method, path, headers=headers, **kw)
        except NETWORK_ERRORS as e:
            raise errors.ConnectionLost(type(e).__name__) from e

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Callable[[], dict[str, Any]] | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        """One API call with the envelope read and the token and 429 recoveries applied
        (``auth.auth_flow``). ``body`` makes fresh request arguments per attempt (a
        streamed upload can only be sent once)."""
        flow = auth_flow(self)
        try:
            headers = await anext(flow)
            while True:
                fresh = body() if body else {}
                resp = await self._send(method, path, auth=headers, **fresh, **kw)
                data = read_json(resp)
                err = envelope_error(resp, data)
                if err is None:
                    return data if isinstance(data, dict) else {}
                headers = await flow.asend(err)
        finally:
            await flow.aclose()

    def register_link(self) -> str:
        """Where an anonymous user registers to get credits, bound to this account."""
        user = self.session.user_id if self.session else ""
        return f"{self.config.web_url}/?{urlencode({'bind': user})}" if user else ""

    def explain(self, err: errors.NemoError) -> errors.NemoError:
        """Complete an error with what only the client knows (the registration link)."""
        if isinstance(err, errors.NoCredits) and not err.link:
            err.link = self.register_link()
            err.registered = self.token_source == "env"
        return err

    async def in_session(self, work: Callable[[str], Awaitable[T]]) -> T:
        """Run ``work(session_id)``; on 1002 start a new session, tell the caller, and run
        it once more there."""
        session = self.session or await self.create_session()
        try:
            return await work(session.session_id)
        except errors.SessionLost:
            old = self.session
            new = await self.create_session()
            if self.on_session_replaced:
                self.on_session_replaced(old, new)
            return await work(new.session_id)

    # ---- what users do --------------------------------------------------------------------

    async def create_session(self, language: str | None = None) -> Session:
        body = {"task_name": "project", "language": language or self.config.language}
        data = (await self.call("POST", api.CREATE_SESSION, json=body)).get("data") or {}
        session = Session(
            session_id=str(data["session_id"]),
            task_id=str(data.get("task_id", "")),
            user_id=str(data.get("user_id", "")),
            link=api.task_link(
                self.config.web_url,
                str(data.get("task_id", "")),
                str(data["session_id"]),
                self.config.version,
                self.config.platform,
            ),
        )
        self.session = session
        return session

    async def delete_session(self, session_id: str) -> None:
        """Delete a session with its takes, renders and files (the local engine only: the
        cloud API has no such call)."""
        await self.call("DELETE", api.local_session_path(session_id))

    def use_session(self, session: Session) -> None:
        self.session = session

    async def credits(self) -> Credits:
        data = (await self.call("GET", api.CREDITS)).get("data") or {}
        return Credits.parse(data)

    async def state(self, session_id: str | None = None) -> SessionState:
        async def get(sid: str) -> SessionState:
            data = (await self.call("GET", api.state_path(sid))).get("data") or {}
            state = data.get("state") if isinstance(data.get("state"), dict) else {}
            return SessionState(state)

        if session_id:
            return await get(session_id)
        return await self.in_session(get)

    async def draft(self) -> Draft:
        return (await self.state()).draft

    async def send(
        self,
        text: str,
        *,
        parameters: dict | None = None,
        on_text: Callable[[str], None] | None = None,
        on_tool: Callable[[ChatEvent], None] | None = None,
        on_still_working: Callable[[float], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        preview: bool = False,
    ) -> ChatOutcome:
        """Send one chat message over SSE, with explicit music settings (``parameters``:
        duration_s, bpm, key, mood, genre, …) when given; the callbacks are
        ``nemodesk.client.sse.ChatRun``'s. ``preview``: ask the local engine for the head
        of a long take first (a ``music_preview`` tool result; ignored on the cloud)."""

        def run(sid: str) -> Awaitable[ChatOutcome]:
            return ChatRun(
                self,
                sid,
                text,
                parameters=parameters,
                on_text=on_text,
                on_tool=on_tool,
                on_still_working=on_still_working,
                on_notice=on_notice,
                preview=preview,
            ).run()

        return await self.in_session(run)

    async def upload(
        self,
        paths: list[Path],
        on_progress: Callable[[Progress], None] | None = None,
    ) -> list[UploadedFile]:
        return await self.in_session(lambda sid: upload_files(self, sid, paths, on_progress))

    async def export(
        self,
        dest: Path,
        fmt: str = "mp4",
        quality: str = "high",
        on_render: Callable[[RenderStatus], None] | None = None,
        on_download: Callable[[Progress], None] | None = None,
    ) -> Path:
        """Render the session's current draft and download it to ``dest`` (renamed into
        place only when complete). Cancelling the task cancels the render too."""

        async def go(sid: str) -> Path:
            draft = (await self.state(sid)).draft
            self.last_render_id = await render.submit(self, sid, draft, fmt, quality)
            done = await render.wait(self, self.last_render_id, on_render)
            return await download.download(self, self.last_render_id, done.url, dest, on_download)

        return await self.in_session(go)

    async def fetch_file(
        self,
        url: str,
        dest: Path,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> Path:
        """Download a file the backend named (a take's ``url``, a thumbnail) into ``dest``,
        with the resume and temp-name rules of an export; the token goes to the API's own
        host only."""
        return await download.fetch_file(self, url, dest, on_progress)

    async def fetch_media(
        self,
        media_id: str,
        dest: Path,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> Path:
        """Download one generated media file of the local engine (a take's stem or MIDI)
        into ``dest``, with the resume and temp-name rules of an export."""
        return await download.fetch_file(self, api.local_media_path(media_id), dest, on_progress)

    async def upload_urls(self, urls: list[str]) -> list[UploadedFile]:
        return await self.in_session(lambda sid: upload_urls(self, sid, urls))
