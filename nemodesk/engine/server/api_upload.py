"""Uploads: multipart (several files, streamed to disk) or URLs; checked by content.

One request is all-or-nothing: every file is stored and analysed before any is recorded, and
when one fails none stays (no draft segment, no ``video_infos`` row, no file). URLs are
fetched through ``netguard`` (public addresses only, on every redirect hop).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from nemodesk.core.draft import Draft
from nemodesk.core.formats import extension, kind_of, supported_list
from nemodesk.engine.server import deps, draftops, netguard
from nemodesk.engine.server.errors import (
    BAD_REQUEST,
    FILE_TOO_LARGE,
    NOT_FOUND,
    UNSUPPORTED_FILE,
    ApiError,
    ok,
)
from nemodesk.engine.server.multipart import TooLarge, Unsupported, receive_files
from nemodesk.engine.server.store import Store

router = APIRouter()
log = logging.getLogger(__name__)
User = Annotated[str, Depends(deps.current_user)]


def _analyse(path: Path, thumbs_dir: Path) -> dict[str, Any]:
    """Probe, scene cuts, thumbnails and waveform of one stored upload (runs in a thread)."""
    from nemodesk.engine.media.probe import probe
    from nemodesk.engine.media.scenes import detect_cuts

    info = probe(path)
    out: dict[str, Any] = {
        "info": info,
        "cuts_s": [],
        "speech_s": [],
        "voice_lufs": None,
        "thumbnails": [],
        "waveform": [],
    }
    if info.kind == "video" and info.has_video:
        out["cuts_s"] = detect_cuts(path)
        if info.has_audio:
            out["speech_s"], out["voice_lufs"] = _speech(path)
        try:
            from nemodesk.engine.media.thumbs import make_thumbnails, make_waveform

            out["thumbnails"] = [str(p) for p in make_thumbnails(path, thumbs_dir)]
            out["waveform"] = make_waveform(path, points=400)
        except ImportError:  # thumbnails are a nicety; the upload stands without them
            pass
    return out


def _speech(path: Path) -> tuple[list[list[float]], float | None]:
    """Where the clip speaks (seconds on its picture clock) and how loud; none when its sound
    is damaged (the upload stands: the music just won't duck under it)."""
    from nemodesk.engine.media.speech import SpeechError, detect_speech

    try:
        regions, lufs = detect_speech(path)
    except SpeechError:
        log.warning("speech detection failed for an upload; no ducking for it", exc_info=True)
        return [], None
    return [[a, b] for a, b in regions], lufs


def _thumbs_of(path: Path) -> Path:
    return path.parent / f"{path.stem}-thumbs"


def _discard(paths: list[Path]) -> None:
    """Remove stored files of a refused request, with their thumbnails."""
    for path in paths:
        path.unlink(missing_ok=True)
        shutil.rmtree(_thumbs_of(path), ignore_errors=True)


async def _inspect(filename: str, path: Path) -> dict[str, Any]:
    """Analyse one stored file (no record yet); 4001 when it is no media we can read."""
    from nemodesk.engine.media.probe import MediaError

    try:
        return await asyncio.to_thread(_analyse, path, _thumbs_of(path))
    except MediaError as e:
        why = str(e).replace(path.name, filename)  # users know their name, not ours
        raise ApiError(UNSUPPORTED_FILE, f"{why} Supported: {supported_list()}.", 400) from None


def _register(
    request: Request,
    session_id: str,
    user: str,
    filename: str,
    path: Path,
    size: int,
    sha256: str,
    found: dict[str, Any],
) -> dict[str, Any]:
    """Record one analysed upload (a video also goes on the draft's timeline); its answer."""
    store = deps.store(request)
    info = found["info"]
    details = _details(found, sha256)
    upload_id = store.add_upload(session_id, user, filename, path.name, info.kind, size, details)
    base = str(request.base_url).rstrip("/")
    if info.kind == "video" and info.has_video:
        _add_to_draft(store, session_id, upload_id, filename, found)
        _record_video(store, session_id, upload_id, filename, found, details, base)
    return {
        "filename": filename,
        "file_type": info.kind,
        "upload_id": upload_id,
        "cdn_url": f"{base}/api/local/files/{upload_id}",
        "duration": details["duration"],
        "width": info.width,
        "height": info.height,
        "fps": details["fps"],
        "hash": sha256,
        "size": size,
        "cuts_s": found["cuts_s"],
    }


def _details(found: dict[str, Any], sha256: str) -> dict[str, Any]:
    """What the store keeps of an upload's analysis (also the ``video_infos`` row's fields)."""
    info = found["info"]
    return {
        "duration": round(info.duration_s, 3),
        "width": info.width,
        "height": info.height,
        "fps": round(info.fps, 3),
        "has_audio": info.has_audio,
        "kind": info.kind,
        "cuts_s": found["cuts_s"],
        "speech_s": found["speech_s"],
        "voice_lufs": found["voice_lufs"],
        "hash": sha256,
    }


def _add_to_draft(
    store: Store, session_id: str, upload_id: str, filename: str, found: dict[str, Any]
) -> None:
    """Put the video on the session's draft (milliseconds, with where it speaks) and save it."""
    info = found["info"]
    draft = Draft.decode(store.draft(session_id))
    draftops.add_video(
        draft,
        upload_id,
        Path(filename).stem,
        round(info.duration_s * 1000),
        width=info.width,
        height=info.height,
        fps=round(info.fps, 3),
        speech=[[round(a * 1000), round(b * 1000)] for a, b in found["speech_s"]],
        voice_lufs=found["voice_lufs"],
    )
    store.save_draft(session_id, draft.encode(), f"upload {filename}")


def _record_video(
    store: Store,
    session_id: str,
    upload_id: str,
    filename: str,
    found: dict[str, Any],
    details: dict[str, Any],
    base: str,
) -> None:
    """The session state the agent and the app read about the video: its info row, its
    analysis (cuts, waveform, thumbnail URLs) and the canvas it sets."""
    info = found["info"]
    extra = store.state(session_id)
    store.set_state(
        session_id,
        "video_infos",
        [
            *extra.get("video_infos", []),
            {"upload_id": upload_id, "filename": filename, **details},
        ],
    )
    store.set_state(
        session_id,
        "video_analyses",
        [
            *extra.get("video_analyses", []),
            {
                "upload_id": upload_id,
                "cuts_s": found["cuts_s"],
                "waveform": found["waveform"],
                "thumbnails": [
                    f"{base}/api/local/files/{upload_id}/thumbs/{i}"
                    for i in range(len(found["thumbnails"]))
                ],
            },
        ],
    )
    store.set_state(
        session_id,
        "canvas_config",
        {"width": info.width, "height": info.height, "fps": round(info.fps, 3)},
    )


class UrlUpload(BaseModel):
    urls: list[Annotated[str, Field(max_length=2048)]] = Field(min_length=1, max_length=10)
    source_type: str = "url"


async def _fetch(
    url: str, folder: Path, max_bytes: int, timeout_s: float
) -> tuple[str, Path, int, str]:
    """Download one URL into ``folder`` (at most ``max_bytes``). Every failure to get it —
    an internal address refused, a refused or silent port, a timeout, an error answer — is the
    same neutral message, so nothing tells which internal ports answer."""
    import hashlib

    if not url.lower().startswith(("http://", "https://")):
        raise ApiError(BAD_REQUEST, "Only http and https URLs can be uploaded.", 400)
    try:
        name = Path(httpx.URL(url).path).name or "download"
    except httpx.InvalidURL:
        raise ApiError(BAD_REQUEST, "Invalid URL.", 400) from None
    if kind_of(name) is None:
        raise ApiError(
            UNSUPPORTED_FILE, f"{name} is not a supported type. Supported: {supported_list()}.", 400
        )
    path = folder / f"{secrets.token_hex(12)}.{extension(name)}"
    digest, size = hashlib.sha256(), 0
    try:
        async with (
            asyncio.timeout(timeout_s),
            netguard.get(url, timeout_s=timeout_s) as resp,
        ):
            resp.raise_for_status()
            with open(path, "wb") as f:
                async for chunk in resp.aiter_bytes(1 << 20):
                    size += len(chunk)
                    if size > max_bytes:
                        raise ApiError(
                            FILE_TOO_LARGE, f"{name} is too large: compress or trim it first.", 413
                        )
                    f.write(chunk)
                    digest.update(chunk)
    except ApiError:
        path.unlink(missing_ok=True)
        raise
    except (netguard.Refused, httpx.HTTPError, TimeoutError, OSError, ValueError):
        path.unlink(missing_ok=True)
        raise ApiError(BAD_REQUEST, f"Could not download {name}.", 400) from None
    return name, path, size, digest.hexdigest()


@router.post("/api/upload-video/nemo_agent/me/{session_id}", summary="Upload files or URLs")
async def upload(request: Request, session_id: str, user: User) -> dict[str, Any]:
    deps.session_of(request, session_id, user)
    cfg = deps.config(request)
    folder = cfg.files_dir / session_id / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            body = UrlUpload.model_validate_json(await request.body())
        except ValueError:
            raise ApiError(BAD_REQUEST, 'Invalid request: expected {"urls": [...]}.', 400) from None
        received: list[tuple[str, Path, int, str]] = []
        try:
            for u in body.urls:  # the URLs of one request share the upload limit
                left = cfg.max_upload_bytes - sum(r[2] for r in received)
                received.append(await _fetch(u, folder, left, cfg.url_upload_timeout_s))
        except BaseException:
            _discard([r[1] for r in received])
            raise
    else:
        try:
            files = await receive_files(request.stream(), ctype, folder, cfg.max_upload_bytes)
        except TooLarge as e:
            raise ApiError(
                FILE_TOO_LARGE,
                f"{e.filename} is too large (over "
                f"{cfg.max_upload_bytes // 2**20} MB in one upload): compress or trim it first.",
                413,
                {"Connection": "close"},
            ) from None
        except Unsupported as e:
            raise ApiError(
                UNSUPPORTED_FILE,
                f"{e.filename} is not a supported type. Supported: {supported_list()}.",
                400,
                {"Connection": "close"},
            ) from None
        except ValueError as e:
            raise ApiError(BAD_REQUEST, f"Invalid upload: {e}.", 400) from None
        if not files:
            raise ApiError(BAD_REQUEST, "No file in the upload: send one or more 'files'.", 400)
        received = [(f.filename, f.path, f.size, f.sha256) for f in files]
    try:  # every file analysed before any is recorded: all or nothing
        found = [await _inspect(name, path) for name, path, _, _ in received]
    except BaseException:
        _discard([r[1] for r in received])
        raise
    out = [
        _register(request, session_id, user, name, path, size, digest, f)
        for (name, path, size, digest), f in zip(received, found, strict=True)
    ]
    return ok({"files": out, "session_state_applied": True})


@router.get("/api/local/files/{upload_id}", summary="An uploaded file (local engine extra)")
def uploaded_file(request: Request, upload_id: str, user: User) -> FileResponse:
    up = deps.store(request).get_upload(upload_id, user)
    if up is None:
        raise ApiError(NOT_FOUND, "No such file.", 404)
    path = deps.config(request).files_dir / up.session_id / "uploads" / up.stored_name
    return FileResponse(path, filename=up.filename)


@router.get("/api/local/files/{upload_id}/thumbs/{index}", summary="A clip thumbnail")
def thumbnail(request: Request, upload_id: str, index: int, user: User) -> FileResponse:
    up = deps.store(request).get_upload(upload_id, user)
    if up is None:
        raise ApiError(NOT_FOUND, "No such file.", 404)
    folder = (
        deps.config(request).files_dir
        / up.session_id
        / "uploads"
        / f"{Path(up.stored_name).stem}-thumbs"
    )
    thumbs = sorted(folder.glob("*.jpg")) if folder.is_dir() else []
    if not 0 <= index < len(thumbs):
        raise ApiError(NOT_FOUND, "No such thumbnail.", 404)
    return FileResponse(thumbs[index], media_type="image/jpeg")


def remove_session_files(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
