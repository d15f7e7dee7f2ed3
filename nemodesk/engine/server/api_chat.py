"""``/run_sse``: one chat message, answered as a Server-Sent Events stream.

The work of a message (a "run") is an asyncio task of its own: the stream only follows its
event log. A client that drops the connection does not cancel the work — the result lands in
the state — and one that reconnects with ``Last-Event-ID`` is replayed what it missed
instead of the message being run twice. The stream closes when the run ends. A request whose
``Last-Event-ID`` names a known run but carries a different message is a contradiction (resume
that run, or run this new message?): it is answered 409 and nothing runs, so a message is never
silently dropped; the client sends a new message without the header.

A local extra on top of the cloud's body: ``new_message.parameters``, explicit settings
from the app's chips and fields (``Parameters``) that win over what the text says. With
parameters the text may be empty ("Generate" pressed with only chips chosen).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from nemodesk.core.messages import say
from nemodesk.engine.agent import params as chat_params
from nemodesk.engine.agent.text import language_of
from nemodesk.engine.brief import BriefError
from nemodesk.engine.server import api_preview, deps
from nemodesk.engine.server.chat_run import execute
from nemodesk.engine.server.errors import BAD_REQUEST, ApiError

log = logging.getLogger("nemodesk.engine")
router = APIRouter()
User = Annotated[str, Depends(deps.current_user)]
MAX_MESSAGE_CHARS = 10_000


@dataclass
class Run:
    run_id: str
    session_id: str
    message: tuple[str, str] = ("", "")  # the text and parameters (JSON) it was started with
    events: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None
    preview: bool = False  # the client plays a long take's head first (api_preview)

    def emit(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        self.changed.set()

    def finish(self) -> None:
        self.done = True
        self.changed.set()

    async def follow(self, start: int, heartbeat_s: float) -> AsyncIterator[bytes]:
        i = start
        while True:
            while i < len(self.events):
                data = json.dumps(self.events[i], ensure_ascii=False)
                yield f"id: {self.run_id}:{i + 1}\ndata: {data}\n\n".encode()
                i += 1
            if self.done:
                return
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), heartbeat_s)
            except TimeoutError:
                yield b": keep-alive\n\n"


class Runs:
    """The runs of this process, kept a while after they end for reconnecting clients."""

    def __init__(self) -> None:
        self.by_id: dict[str, Run] = {}

    def start(self, session_id: str, message: tuple[str, str] = ("", "")) -> Run:
        if len(self.by_id) > 500:  # drop the oldest finished runs
            for key in [k for k, r in self.by_id.items() if r.done][:250]:
                del self.by_id[key]
        run = Run(f"run_{secrets.token_hex(8)}", session_id, message)
        self.by_id[run.run_id] = run
        return run

    def cancel_all(self) -> None:
        """Cancel every unfinished run (the engine is stopping); their streams then end."""
        for run in self.by_id.values():
            if run.task and not run.task.done():
                stopped = "The engine stopped before this was finished: send it again."
                run.emit({"type": "text", "content": stopped})
                run.task.cancel()

    async def shutdown(self) -> None:
        tasks = [r.task for r in self.by_id.values() if r.task and not r.task.done()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class Part(BaseModel):
    text: str = Field("", max_length=MAX_MESSAGE_CHARS)


Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class Parameters(BaseModel):
    """Explicit music settings; null (or absent) leaves a setting to the text or the engine."""

    model_config = ConfigDict(extra="forbid")
    duration_s: Annotated[Number, Field(ge=1, le=1200)] | None = None
    bpm: Annotated[Number, Field(ge=40, le=220)] | None = None
    key: str | None = Field(None, max_length=20)
    mood: str | None = Field(None, max_length=40)
    genre: str | None = Field(None, max_length=40)
    instruments: list[Annotated[str, Field(max_length=40)]] | None = Field(None, max_length=20)
    arc: Literal["flat", "build", "fall", "wave"] | None = None
    loop: StrictBool | None = None
    seed: Annotated[StrictInt, Field(ge=0, le=2**31 - 1)] | None = None
    variations: Annotated[StrictInt, Field(ge=1, le=5)] | None = None
    loudness_lufs: Annotated[Number, Field(ge=-40, le=-5)] | None = None
    use_media_id: str | None = Field(None, min_length=1, max_length=100)
    hit_off: Annotated[Number, Field(ge=0, le=7200)] | None = None  # no accent on this cut
    hit_on: Annotated[Number, Field(ge=0, le=7200)] | None = None  # the cut's accent back
    hit_move: (
        Annotated[list[Annotated[Number, Field(ge=0, le=7200)]], Field(min_length=2, max_length=2)]
        | None
    ) = None  # [cut s, new time s]
    hit_boost_db: Annotated[Number, Field(ge=-12, le=12)] | None = None  # accents harder/softer
    clip_sound: Literal["duck", "even", "mute"] | None = None  # the clips' own sound
    duck_db: Annotated[Number, Field(ge=3, le=30)] | None = None  # the music's dip under speech
    history: Literal["undo", "redo"] | None = None  # the app's Undo / Redo buttons

    @model_validator(mode="after")
    def _known_names(self) -> Parameters:
        try:  # unknown genre, mood, key or instrument: the brief parser's own words
            chat_params.check(self.model_dump())
        except BriefError as e:
            raise PydanticCustomError("brief", str(e)) from None
        return self


class NewMessage(BaseModel):
    parts: list[Part] = Field(min_length=1, max_length=20)
    parameters: Parameters | None = None


class RunBody(BaseModel):
    app_name: str = Field("nemo_agent", max_length=64)
    user_id: str = Field("me", max_length=64)
    session_id: str = Field(max_length=100)
    new_message: NewMessage


def _resume_point(runs: Runs, last_event_id: str | None, session_id: str) -> tuple[Run, int] | None:
    if not last_event_id:
        return None
    run_id, _, seq = last_event_id.partition(":")
    run = runs.by_id.get(run_id)
    if run is None or run.session_id != session_id or not seq.isdigit():
        return None
    return run, int(seq)


@router.post("/run_sse", summary="Send a chat message; the answer is an SSE stream")
async def run_sse(
    request: Request,
    body: RunBody,
    user: User,
    last_event_id: Annotated[str | None, Header()] = None,
    x_nemo_preview: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    session = deps.session_of(request, body.session_id, user)
    runs: Runs = request.app.state.runs
    heartbeat_s = deps.config(request).heartbeat_s
    text = " ".join(p.text for p in body.new_message.parts).strip()
    given = body.new_message.parameters
    params = given.model_dump(exclude_none=True) if given else {}
    message = (text, json.dumps(params, sort_keys=True))
    resumed = _resume_point(runs, last_event_id, session.session_id)
    if resumed and resumed[0].message != message:
        raise ApiError(
            BAD_REQUEST,
            "Last-Event-ID names an earlier message's run, not this one: send a new message"
            " without Last-Event-ID (it was not run).",
            409,
        )
    if resumed:
        run, start = resumed
    else:
        if not text and not params:
            raise ApiError(BAD_REQUEST, "The message is empty: describe the music you want.", 400)
        jobs = request.app.state.jobs
        jobs.admit(user)  # a bounded queue per client: one too many is "busy" (429)
        run, start = runs.start(session.session_id, message), 0
        run.preview = x_nemo_preview == api_preview.ASK_VALUE  # a local extra: heads first
        run.task = jobs.track(user, _guarded(request.app, run, user, text, params or None))
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        run.follow(start, heartbeat_s), media_type="text/event-stream", headers=headers
    )


async def _guarded(app, run: Run, user: str, text: str, params: dict | None) -> None:
    try:
        await execute(app, run, user, text, params)
    except asyncio.CancelledError:
        raise
    except Exception as e:
        log.exception("chat run %s failed", run.run_id)
        run.emit({"type": "text", "content": failure_text(e, text)})
    finally:
        run.finish()


def failure_text(err: Exception, text: str) -> str:
    """What the user reads when a message's work failed: what to do about a full disk or
    an output that could not be written, else a plain apology (never the exception)."""
    from nemodesk.engine.music.audiofile import AudioFileError  # (the server stays light)
    from nemodesk.engine.music.spool import ScratchFull

    lang = language_of(text)
    if isinstance(err, ScratchFull):
        return say("agent.disk_full", lang, folder=err.filename)
    if isinstance(err, AudioFileError):
        return say("agent.write_failed", lang, reason=str(err))
    return say("agent.failed", lang)
