"""Local engine extras for a user's data: delete a session ("Clear history") and how much
of the data-folder budget is used. Not part of the cloud API (it documents no delete)."""

from __future__ import annotations

import asyncio
import shutil
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from nemodesk.engine.server import deps, disk_budget
from nemodesk.engine.server.errors import ok

router = APIRouter()
User = Annotated[str, Depends(deps.current_user)]


@router.delete("/api/local/sessions/{session_id}", summary="Delete a session and its files")
async def delete_session(request: Request, session_id: str, user: User) -> dict[str, Any]:
    """Its chat, drafts, uploads, takes and renders, rows and files. Its running chat runs
    stop and its renders are cancelled; a worker still busy for it writes into a folder the
    next budget pass removes."""
    deps.session_of(request, session_id, user)  # someone else's answers like a missing one
    store = deps.store(request)
    runs = request.app.state.runs
    tasks = [
        r.task
        for r in list(runs.by_id.values())
        if r.session_id == session_id and r.task is not None and not r.task.done()
    ]
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for key in [k for k, r in runs.by_id.items() if r.session_id == session_id]:
        runs.by_id.pop(key, None)
    store.cancel_session_renders(session_id)
    store.delete_session(session_id, user)
    folder = deps.config(request).files_dir / session_id
    await asyncio.to_thread(shutil.rmtree, folder, True)
    return ok({"session_id": session_id, "deleted": True})


@router.get("/api/local/disk", summary="Data folder use and budget")
async def disk(request: Request, user: User) -> dict[str, Any]:
    d: disk_budget.DiskBudget | None = getattr(request.app.state, "disk", None)
    used = await asyncio.to_thread(d.usage) if d else 0
    return ok({"used_bytes": used, "budget_bytes": d.budget if d else None})
