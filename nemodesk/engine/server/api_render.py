"""Render (export) a draft: submit, status, cancel, download — plus local media downloads."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, field_validator

from nemodesk.core.draft import Draft, check_depth
from nemodesk.core.formats import MUSIC_FORMATS, VIDEO_OUTPUT_FORMATS
from nemodesk.engine.server import deps, work
from nemodesk.engine.server.errors import BAD_REQUEST, NOT_FOUND, ApiError, render_ok
from nemodesk.engine.server.store import DuplicateRender

log = logging.getLogger("nemodesk.engine")
router = APIRouter()
User = Annotated[str, Depends(deps.current_user)]
RENDER_ID = re.compile(r"[A-Za-z0-9_\-]{1,100}")  # fullmatch: "$" would allow a final "\n"
FORMATS = VIDEO_OUTPUT_FORMATS + tuple(f for f in MUSIC_FORMATS if f != "flac")


class Output(BaseModel):
    format: str = Field("mp4", max_length=8)
    quality: str = Field("high", max_length=16)


class RenderBody(BaseModel):
    id: str = Field(max_length=100)
    sessionId: str = Field(max_length=100)
    draft: dict[str, Any]
    output: Output = Output()

    @field_validator("draft")
    @classmethod
    def _shallow(cls, draft: dict[str, Any]) -> dict[str, Any]:
        check_depth(draft)  # DraftError is a ValueError: a 400, not a RecursionError later
        return draft


def _sources(request: Request, draft: Draft, user: str) -> dict[str, str]:
    store, files = deps.store(request), deps.config(request).files_dir
    out: dict[str, str] = {}
    for track in draft.tracks:
        for seg in track.segments:
            src = seg.meta.get("src")
            if not isinstance(src, str) or src in out:
                continue
            kind, _, ident = src.partition(":")
            if kind == "upload" and (up := store.get_upload(ident, user)):
                out[src] = str(files / up.session_id / "uploads" / up.stored_name)
            elif kind == "media" and (m := store.get_media(ident, user)):
                out[src] = m.path
    return out


@router.post("/api/render/proxy/lambda", summary="Submit a render of a draft")
async def submit(request: Request, body: RenderBody, user: User) -> dict[str, Any]:
    if not RENDER_ID.fullmatch(body.id):
        raise ApiError(BAD_REQUEST, "Render ids use letters, digits, '-' and '_' only.", 400)
    fmt = body.output.format.lower()
    if fmt not in FORMATS:
        raise ApiError(
            BAD_REQUEST, f"Unknown output format {fmt!r}: use one of {', '.join(FORMATS)}.", 400
        )
    quality = body.output.quality if body.output.quality in ("high", "medium", "low") else "high"
    deps.session_of(request, body.sessionId, user)
    draft = Draft.decode(body.draft)
    if not draft.exportable:
        raise ApiError(
            BAD_REQUEST, "Nothing to export yet: the draft has no track with content.", 400
        )
    store = deps.store(request)
    jobs = request.app.state.jobs
    jobs.admit(user)  # a bounded queue per client: one too many is "busy" (429)
    try:
        store.create_render(body.id, body.sessionId, user, body.model_dump())
    except DuplicateRender:
        raise ApiError(
            BAD_REQUEST, "A render with this id exists already: use a new id.", 409
        ) from None
    folder = deps.config(request).files_dir / body.sessionId / "renders"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{body.id}.{fmt}"
    task = jobs.track(
        user,
        jobs.run(
            user,
            work.export_render,
            str(jobs.db_path),
            body.id,
            user,
            draft.encode(),
            _sources(request, draft, user),
            str(out),
            fmt,
            quality,
        ),
    )
    task.add_done_callback(
        lambda t: (
            t.cancelled()
            or (t.exception() and log.error("render %s: %s", body.id, type(t.exception()).__name__))
        )
    )
    return render_ok({"id": body.id, "status": "pending", "progress": 0})


@router.get("/api/render/proxy/lambda/{render_id}", summary="Render status")
def status(request: Request, render_id: str, user: User) -> dict[str, Any]:
    r = deps.store(request).get_render(render_id, user)
    if r is None:
        raise ApiError(NOT_FOUND, "No such render.", 404)
    url = (
        f"{str(request.base_url).rstrip('/')}/api/render/proxy/{render_id}/download"
        if r.status == "completed"
        else None
    )
    data = {
        "id": r.render_id,
        "status": r.status,
        "progress": r.progress,
        "outputUrl": url,
        "error": r.error,
    }
    body = render_ok(data)
    body.update(
        {"status": r.status, "progress": r.progress, "output": {"url": url}, "error": r.error}
    )
    return body


@router.post("/api/render/proxy/lambda/{render_id}/cancel", summary="Cancel a render")
def cancel(request: Request, render_id: str, user: User) -> dict[str, Any]:
    store = deps.store(request)
    r = store.get_render(render_id, user)
    if r is None:
        raise ApiError(NOT_FOUND, "No such render.", 404)
    if r.status in ("pending", "processing"):
        store.update_render(render_id, status="cancelled")
    return render_ok(
        {
            "id": render_id,
            "status": "cancelled"
            if r.status in ("pending", "processing", "cancelled")
            else r.status,
        }
    )


@router.get("/api/render/proxy/{render_id}/download", summary="Download a finished render")
def download(request: Request, render_id: str, user: User) -> FileResponse:
    r = deps.store(request).get_render(render_id, user)
    if (
        r is None
        or r.status != "completed"
        or not r.output_path
        or not Path(r.output_path).is_file()
    ):
        raise ApiError(NOT_FOUND, "This render has no finished file.", 404)
    deps.store(request).touch_render(render_id)  # the disk budget removes unused ones first
    return FileResponse(r.output_path, filename=Path(r.output_path).name)


@router.get("/api/local/media/{media_id}", summary="A generated file (local engine extra)")
async def media_file(request: Request, media_id: str, user: User) -> FileResponse:
    m = deps.store(request).get_media(media_id, user)
    # a take's stems and MIDI are made the first time they are asked for (disk_budget)
    path = await request.app.state.disk.file_of(request.app.state.jobs, m) if m else None
    if path is None:
        raise ApiError(NOT_FOUND, "No such media.", 404)
    return FileResponse(path, filename=path.name)
