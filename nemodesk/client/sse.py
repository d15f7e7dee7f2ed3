"""One chat message over ``/run_sse``, read to its end whatever the network does.

The stream has no "done" event: its closing is the end. Events come flat
(``{"type": "text", …}``) or in the agent-framework shape (``{"content": {"parts": …}}``);
empty ``data:`` lines and comments are keep-alives. Faults are recovered as the spec says:
a dropped stream is resumed with ``Last-Event-ID`` (never by sending the message again),
then the state is polled until the change shows; heartbeats alone for too long is a
timeout; a stream that closes without a word is a *silent completion*, summarised by
diffing the draft.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from httpx_sse import aconnect_sse

from nemodesk.client import api, errors
from nemodesk.client.auth import AuthFlow, Caller, auth_flow
from nemodesk.client.envelope import envelope_error, read_json
from nemodesk.core import guitalk
from nemodesk.core.draft import Draft, diff_words


@dataclass(frozen=True)
class ChatEvent:
    kind: str  # "text", "tool_call", "tool_result" or "heartbeat"
    text: str = ""
    name: str = ""
    payload: Any = None
    partial: bool = False


def parse_data(data: str) -> list[ChatEvent]:
    """The events one SSE ``data`` field holds, in either of the spec's shapes."""
    if not data.strip():
        return [ChatEvent("heartbeat")]
    try:
        obj = json.loads(data)
    except ValueError:
        return [ChatEvent("text", data)]
    if not isinstance(obj, dict):
        return [ChatEvent("text", str(obj))]
    kind = obj.get("type")
    if kind == "text":
        content = obj.get("content", obj.get("text", ""))
        return [ChatEvent("text", str(content or ""))]
    if kind == "tool_call":
        return [ChatEvent("tool_call", name=str(obj.get("name", "")), payload=obj.get("args"))]
    if kind == "tool_result":
        return [ChatEvent("tool_result", name=str(obj.get("name", "")), payload=obj.get("result"))]
    if kind in ("heartbeat", "ping", "keepalive"):
        return [ChatEvent("heartbeat")]
    content = obj.get("content")
    if isinstance(content, dict) and isinstance(content.get("parts"), list):
        partial = bool(obj.get("partial"))
        out: list[ChatEvent] = []
        for part in content["parts"]:
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("text"), str):
                out.append(ChatEvent("text", part["text"], partial=partial))
            elif isinstance(part.get("functionCall"), dict):
                call = part["functionCall"]
                out.append(ChatEvent("tool_call", name=str(call.get("name", "")), payload=call))
            elif isinstance(part.get("functionResponse"), dict):
                resp = part["functionResponse"]
                out.append(ChatEvent("tool_result", name=str(resp.get("name", "")), payload=resp))
        return out or [ChatEvent("heartbeat")]
    if isinstance(content, str):
        return [ChatEvent("text", content)]
    return [ChatEvent("heartbeat")]


@dataclass
class ChatOutcome:
    texts: list[str] = field(default_factory=list)  # shown to the user, GUI talk removed
    actions: list[guitalk.Action] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    silent: bool = False
    change: str = ""
    draft: Draft = field(default_factory=Draft)
    recovery: str = ""  # "", "resumed" or "polled"

    @property
    def reply(self) -> str:
        """What to show: the backend's words, or for a silent completion the change."""
        return "\n".join(self.texts) if self.texts else self.change


class _Parts:
    """Text as it streams: partial chunks grow the current part, a full text closes it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self._open = False

    def add(self, ev: ChatEvent) -> None:
        if ev.partial:
            if self._open:
                self.parts[-1] += ev.text
            else:
                self.parts.append(ev.text)
                self._open = True
            return
        if self._open and ev.text.startswith(self.parts[-1]):
            self.parts[-1] = ev.text  # the final event repeats the streamed chunks
        elif ev.text.strip():
            self.parts.append(ev.text)
        self._open = False


class ChatRun:
    def __init__(
        self,
        client: Caller,
        session_id: str,
        text: str,
        *,
        on_text: Callable[[str], None] | None = None,
        on_tool: Callable[[ChatEvent], None] | None = None,
        on_still_working: Callable[[float], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        parameters: dict | None = None,
        preview: bool = False,
    ) -> None:
        self.client = client
        # ask the local engine for heads of long takes (its extra; the cloud never hears it)
        self.preview = preview and getattr(client.config, "backend", "") == "local"
        self.session_id = session_id
        self.text = text
        self.parameters = parameters  # explicit settings; the same body on a resume
        self.on_text = on_text
        self.on_tool = on_tool
        self.on_still_working = on_still_working
        self.on_notice = on_notice
        self.timing = client.config.timing
        self.parts = _Parts()
        self.tools: list[str] = []
        self.last_id: str | None = None
        self.recovery = ""
        self._last_progress = time.monotonic()

    async def run(self) -> ChatOutcome:
        before = (await self.client.state(self.session_id)).draft
        started = time.monotonic()
        ticker = asyncio.create_task(self._still_working(started))
        try:
            async with asyncio.timeout(self.timing.sse_hard_timeout_s):
                if not await self._stream():
                    await self._poll_until_changed(before, started)
        except TimeoutError:
            raise errors.StreamTimeout("no end within the hard limit") from None
        finally:
            ticker.cancel()
        after = await self._settled(before)
        parts = guitalk.drop_trailing_glitch(self.parts.parts)
        outcome = ChatOutcome(tools=self.tools, draft=after, recovery=self.recovery)
        for part in parts:
            translated = guitalk.translate(part)
            outcome.actions.extend(translated.actions)
            if translated.text.strip():
                outcome.texts.append(translated.text.strip())
        outcome.change = diff_words(before, after)
        outcome.silent = not parts
        return outcome

    async def _still_working(self, started: float) -> None:
        while True:
            await asyncio.sleep(self.timing.still_working_s)
            if self.on_still_working:
                self.on_still_working(time.monotonic() - started)

    def _take(self, ev: ChatEvent) -> None:
        if ev.kind == "heartbeat":
            if time.monotonic() - self._last_progress > self.timing.heartbeat_timeout_s:
                raise errors.StreamTimeout("only heartbeats")
            return
        self._last_progress = time.monotonic()
        if ev.kind == "text":
            self.parts.add(ev)
            if self.on_text and ev.text:
                self.on_text(ev.text)
        else:
            if ev.kind == "tool_call" and ev.name:
                self.tools.append(ev.name)
            if self.on_tool:
                self.on_tool(ev)

    async def _stream(self) -> bool:
        """Read the stream to its end; True when it ended normally, False when the rest
        must come from polling the state. Token renewal and the 429 wait are the client's
        ``auth_flow``; a resume after a dropped stream sends the last event id."""
        flow = auth_flow(self.client, self._resume_headers)
        try:
            return await self._read_with(flow)
        finally:
            await flow.aclose()

    def _resume_headers(self) -> dict[str, str]:
        headers = {api.H_LAST_EVENT_ID: self.last_id} if self.last_id else {}
        if self.preview:
            headers[api.H_PREVIEW] = api.PREVIEW_HEAD
        return headers

    async def _read_with(self, flow: AuthFlow) -> bool:
        body = api.run_body(self.session_id, self.text, self.parameters)
        tries = 0
        read_s = self.timing.heartbeat_timeout_s + 5
        headers = await anext(flow)
        while True:
            events = 0
            try:
                async with aconnect_sse(
                    self.client.http,
                    "POST",
                    api.RUN_SSE,
                    json=body,
                    headers=headers,
                    timeout=httpx.Timeout(30.0, read=read_s),
                ) as source:
                    resp = source.response
                    if "text/event-stream" not in resp.headers.get("content-type", ""):
                        await resp.aread()
                        err = envelope_error(resp, read_json(resp)) or errors.ServerError(
                            "the answer was not an event stream", http_status=resp.status_code
                        )
                        headers = await flow.asend(err)  # renewed, waited, or raised
                        continue
                    self._last_progress = time.monotonic()
                    async for sse in source.aiter_sse():
                        events += 1
                        if sse.id:
                            self.last_id = sse.id
                        for ev in parse_data(sse.data):
                            self._take(ev)
                # resumed onto nothing: the state will tell
                return not (self.recovery and events == 0 and not self.parts.parts)
            except httpx.ReadTimeout:
                raise errors.StreamTimeout("no event at all") from None
            except httpx.ConnectError as e:
                if not self.last_id:
                    raise errors.ConnectionLost(type(e).__name__) from e
                tries += 1  # the engine went away mid-run: try again, then poll
            except httpx.TransportError:
                tries += 1
            if not self.last_id or tries > self.timing.sse_reconnects:
                self.recovery = "polled"
                return False  # without an event id a reconnect would send it again
            self.recovery = "resumed"
            await asyncio.sleep(self.timing.sse_reconnect_s)
            headers = await flow.asend(None)  # a plain retry: fresh headers, no recovery spent

    async def _poll_until_changed(self, before: Draft, started: float) -> None:
        self.recovery = "polled"
        told = False
        deadline = time.monotonic() + self.timing.state_poll_max_s
        while time.monotonic() < deadline:
            with contextlib.suppress(errors.ConnectionLost):
                if (await self.client.state(self.session_id)).draft.raw != before.raw:
                    return
            if not told and time.monotonic() - started > self.timing.recovery_notice_s:
                told = True
                if self.on_notice:
                    self.on_notice("The connection dropped; still waiting for the result…")
            await asyncio.sleep(self.timing.state_poll_s)
        raise errors.StreamTimeout("no change in the state after the stream dropped")

    async def _settled(self, before: Draft) -> Draft:
        """The state after the run; on the cloud, re-read until it stops changing (a
        generation can land in two stages)."""
        draft = (await self.client.state(self.session_id)).draft
        if draft.raw == before.raw:
            return draft
        for _ in range(self.timing.settle_polls):
            await asyncio.sleep(self.timing.state_poll_s)
            again = (await self.client.state(self.session_id)).draft
            if again.raw == draft.raw:
                break
            draft = again
        return draft
