"""Progressive preview (a local engine extra): the head of a long track, playable while the
rest renders.

When the client asks for it (the request header ``X-Nemo-Preview: head``, which the app
sends to the local engine only: other clients and the headless ``make`` pay nothing), for
a take longer than ``head.MIN_TRACK_S`` the worker renders the first seconds first
(``nemodesk.engine.music.head``) into ``<session>/preview/head-<name>.wav``, then the whole
track as before. The chat run watches for that file and, the moment it is there, emits a
``tool_result`` named ``music_preview`` on the SSE stream: a documented event shape that a
client keeps internal (spec: "tool call / tool result: keep internal"), so a client that
does not know it ignores it, and the cloud never sends it. Its result names the URL of the
head (``GET /api/local/preview/<session>/<file>``), the head's length and the whole
track's. The head is removed when the take is done, or, if the run is cancelled, when the
worker lets go of it: no head file stays behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from nemodesk.engine.server import deps
from nemodesk.engine.server.errors import NOT_FOUND, ApiError

router = APIRouter()
User = Annotated[str, Depends(deps.current_user)]
ASK_HEADER, ASK_VALUE = "X-Nemo-Preview", "head"  # a client that will play heads says so
EVENT = "music_preview"
POLL_S = 0.01  # how often the run looks for the head while the worker renders
_NAME = re.compile(r"head-track-[0-9a-f]{12}\.wav")


def head_path(files_dir: Path, session_id: str, stem: str) -> Path:
    return files_dir / session_id / "preview" / f"head-{stem}.wav"


@router.get("/api/local/preview/{session_id}/{name}", summary="The head of a track rendering")
def preview_head(request: Request, session_id: str, name: str, user: User) -> FileResponse:
    deps.session_of(request, session_id, user)
    path = deps.config(request).files_dir / session_id / "preview" / name
    if not _NAME.fullmatch(name) or not path.is_file():
        raise ApiError(NOT_FOUND, "No such preview (the track may be finished).", 404)
    return FileResponse(path, media_type="audio/wav")


def generate_track(head: str, head_s: float, *args: Any) -> dict[str, Any]:
    """In a worker: the head of the track into ``head``, then ``work.generate_track(*args)``
    (the same brief, seed, cuts, speech and loudness). The score is composed once for both:
    the head renders a copy cut short, and the whole track is rendered from it."""
    from nemodesk.engine.brief import Brief
    from nemodesk.engine.music.generate import MusicEngine
    from nemodesk.engine.music.head import render_head
    from nemodesk.engine.server import work

    brief, seed, _out, cuts, loudness, _stems, _midi, _plan, speech = args
    engine = work._engine or MusicEngine()
    Path(head).parent.mkdir(parents=True, exist_ok=True)
    composed = engine.compose(Brief(**brief), seed, cuts, speech)
    render_head(
        engine,
        Brief(**brief),
        seed,
        Path(head),
        cuts_s=cuts,
        speech_s=speech,
        loudness_lufs=loudness,
        head_s=head_s,
        composed=composed,
    )
    engine.compose = lambda *_a, **_k: composed  # this job's arguments only
    try:
        return work.generate_track(*args)
    finally:
        del engine.compose


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


async def await_with_head(
    run, future: asyncio.Future, head: Path, url: str, duration_s: float, heartbeat_s: float
) -> Any:
    """The take's result, like ``chat_run._await_with_heartbeats``; on the way, the
    ``music_preview`` event as soon as the head is on disk. The head is removed after."""
    loop = asyncio.get_running_loop()
    told, beat = False, loop.time() + heartbeat_s
    try:
        while True:
            done, _ = await asyncio.wait({future}, timeout=POLL_S if not told else heartbeat_s)
            if done:
                return future.result()
            if not told and head.is_file():
                told = True
                result = {"url": url, "duration_s": duration_s, "session_id": run.session_id}
                run.emit({"type": "tool_result", "name": EVENT, "result": result})
            if loop.time() >= beat:
                run.emit({"type": "heartbeat"})
                beat = loop.time() + heartbeat_s
    except asyncio.CancelledError:
        future.add_done_callback(lambda _f: _remove(head))  # the worker may still write it
        raise
    finally:
        _remove(head)
