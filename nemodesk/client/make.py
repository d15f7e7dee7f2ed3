"""``nemodesk make``: the app's whole flow without a window — upload, chat, wait, export,
download — for scripts and checks. Progress goes to stderr; ``--json`` puts one JSON
object on the last stdout line. Exit 0 only when the file is on disk."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import av

from nemodesk.client import errors
from nemodesk.client.client import NemoClient
from nemodesk.client.config import Backend, ClientConfig
from nemodesk.client.models import Progress, RenderStatus
from nemodesk.core.formats import extension, kind_of

EXPORT_FORMATS = ("mp4", "wav", "mp3", "m4a")


class UsageError(Exception):
    """Bad input from the command line: exit code 2."""


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _transfer(verb: str) -> Any:
    last = [-1]

    def show(p: Progress) -> None:
        pct = int((p.fraction or 0) * 100)
        if pct // 10 != last[0] // 10:
            last[0] = pct
            eta = f", {p.eta_s:.0f} s left" if p.eta_s is not None else ""
            _say(f"{verb}: {pct}% of {_mb(p.total or p.done)} at {_mb(p.rate_bps)}/s{eta}")

    return show


def _render_progress() -> Any:
    last = [-1.0]

    def show(st: RenderStatus) -> None:
        if st.progress - last[0] >= 20 or st.status != "processing":
            last[0] = st.progress
            _say(f"export: {st.status} {st.progress:.0f}%")

    return show


def choose_format(fmt: str | None, out: Path | None, has_video: bool) -> str:
    fmt = (fmt or (extension(out.name) if out else "") or ("mp4" if has_video else "wav")).lower()
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "mp4" and not has_video:  # music alone in a .mp4 would lie about its content
        raise UsageError("an mp4 needs a clip (--video FILE); for music alone use wav, mp3 or m4a")
    return fmt


def bad_file_sentence(err: errors.NemoError) -> str:
    """One sentence on why the file was refused: the server's own reason (e.g. 'trip.mp4
    seems cut short (it stops at 5.7 s of 10.0 s); copy or export it again.') without the
    list of supported types it appends, else the client's message."""
    reason = err.detail.split(" Supported:", 1)[0].strip()
    if " " in reason and reason.endswith("."):
        return reason
    return err.message("en")


def check_uploaded(name: str, file_type: str) -> None:
    """`--video` is for footage: sound alone or a still has no picture to put the music
    under, and the engine places only clips with moving pictures on the timeline."""
    if file_type == "audio":
        raise UsageError(
            f"{name} has sound but no picture; --video needs a video clip "
            "(the music can't be fitted to an audio file yet)"
        )
    if file_type == "image":
        raise UsageError(f"{name} is a still image; --video needs a video clip")


def media_duration_s(path: Path) -> float:
    with av.open(str(path)) as f:
        return float(f.duration / av.time_base) if f.duration else 0.0


async def make(
    prompt: str,
    video: Path | None,
    out: Path | None,
    backend: Backend,
    fmt: str | None,
    data_dir: Path | None = None,
) -> dict[str, Any]:
    """Make one track from ``prompt`` (and ``video``) and export it: the local engine is
    started for it and stopped after. Returns what ``run`` prints as JSON."""
    fmt, out = _checked(prompt, video, out, fmt)
    config = ClientConfig.from_env(backend=backend)
    engine = None
    if backend == "local":
        from nemodesk.client.local_engine import LocalEngine

        engine = LocalEngine(data_dir=data_dir)
        _say("Starting the local engine…")
        await engine.start()
        config = replace(config, api_url=engine.url, keyring_account=f"local:{engine.data_dir}")
    try:
        async with NemoClient(config) as client:
            return await _make_with(client, prompt, video, out, fmt, backend)
    finally:
        if engine is not None:
            await engine.stop()


def _checked(
    prompt: str, video: Path | None, out: Path | None, fmt: str | None
) -> tuple[str, Path]:
    """The format and the output path, after refusing what cannot work before any request."""
    if not prompt.strip():
        raise UsageError("the prompt is empty: describe the music you want")
    if video is not None and (kind_of(video.name) is None or not video.is_file()):
        raise UsageError(f"cannot use {video}: not a readable video/audio/image file")
    fmt = choose_format(fmt, out, video is not None)
    out = (out or Path(f"nemodesk-music.{fmt}")).expanduser().resolve()
    if not extension(out.name):
        out = out.with_suffix(f".{fmt}")
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {out}: no such folder")
    return fmt, out


async def _make_with(
    client: NemoClient, prompt: str, video: Path | None, out: Path, fmt: str, backend: Backend
) -> dict[str, Any]:
    """The session, the upload, the message and the export, each said on stderr."""
    session = await client.create_session()
    client.on_session_replaced = lambda old, new: _say(
        "The session was lost; continuing in a new one."
    )
    if video is not None:
        files = await client.upload([video], _transfer("upload"))
        for f in files:
            check_uploaded(video.name, f.file_type)
            _say(f"uploaded {f.filename} ({f.duration or 0:.1f} s)")
    outcome = await client.send(
        prompt,
        on_still_working=lambda s: _say(f"Still working… ({s / 60:.0f} min)"),
        on_notice=_say,
    )
    _say(outcome.reply)
    if not outcome.draft.exportable:
        raise errors.RenderFailed("the music service made nothing to export")
    path = await client.export(out, fmt, "high", _render_progress(), _transfer("download"))
    if not path.is_file() or path.stat().st_size == 0:
        raise errors.RenderFailed("the exported file is missing")
    return {
        "path": str(path),
        "duration_s": round(media_duration_s(path), 3),
        "session_id": (client.session or session).session_id,
        "render_id": client.last_render_id,
        "backend": backend,
        "format": fmt,
        "bytes": path.stat().st_size,
        "reply": outcome.reply,
    }


def run(args: Any) -> int:
    try:
        result = asyncio.run(
            make(args.prompt, args.video, args.output, args.backend, args.fmt, args.data_dir)
        )
    except UsageError as e:
        _say(f"nemodesk make: {e}")
        return 2
    except (errors.UnsupportedFile, errors.FileTooLarge) as e:  # bad input, as the README says
        _say(f"nemodesk make: {bad_file_sentence(e)}")
        return 2
    except errors.NemoError as e:
        _say(f"nemodesk make: {e.message('en')}")
        return 1
    except KeyboardInterrupt:
        _say("nemodesk make: cancelled")
        return 130
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(result["path"])
    return 0
