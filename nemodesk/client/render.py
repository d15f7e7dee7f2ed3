"""Export: submit a render of the draft, follow it to the end, and cancel it when asked.

Render ids are unique per submit (``render_<uuid>``); a duplicate-id answer gets a new id
and one more try, as the spec says. Polling follows the backend's pace (10–30 s on the
cloud, a fraction of a second locally) with a bounded count; both status shapes are read.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from typing import Any

from nemodesk.client import api, errors
from nemodesk.client.auth import Caller
from nemodesk.client.models import RenderStatus
from nemodesk.core.draft import Draft


def new_render_id() -> str:
    return f"render_{uuid.uuid4().hex}"


async def submit(
    client: Caller, session_id: str, draft: Draft, fmt: str = "mp4", quality: str = "high"
) -> str:
    if not draft.exportable:
        raise errors.RenderFailed("There is nothing to export yet: make some music first.")
    for attempt in range(2):
        render_id = new_render_id()
        body: dict[str, Any] = {
            "id": render_id,
            "sessionId": session_id,
            "draft": draft.encode(),
            "output": {"format": fmt, "quality": quality},
        }
        try:
            await client.call("POST", api.RENDER, json=body)
            return render_id
        except errors.DuplicateRender:
            if attempt:
                raise
    raise errors.DuplicateRender()


async def status(client: Caller, render_id: str) -> RenderStatus:
    return RenderStatus.parse(await client.call("GET", api.render_status_path(render_id)))


async def cancel(client: Caller, render_id: str) -> None:
    await client.call("POST", api.render_cancel_path(render_id))


async def wait(
    client: Caller,
    render_id: str,
    on_progress: Callable[[RenderStatus], None] | None = None,
) -> RenderStatus:
    """Poll until completed; failed ⇒ ``RenderFailed`` with the backend's reason. A
    cancelled task cancels the render on the server too."""
    timing = client.config.timing
    try:
        for _ in range(timing.render_max_polls):
            st = await status(client, render_id)
            if on_progress:
                on_progress(st)
            if st.status == "completed":
                return st
            if st.status == "failed":
                raise errors.RenderFailed(st.error)
            if st.status in ("cancelled", "canceled"):
                raise asyncio.CancelledError()
            await asyncio.sleep(timing.render_poll_s)
    except asyncio.CancelledError:
        with contextlib.suppress(errors.NemoError):
            await asyncio.shield(cancel(client, render_id))
        raise
    raise errors.RenderTimeout(f"{timing.render_max_polls} polls")
