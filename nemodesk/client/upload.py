"""Uploads: files streamed as multipart (memory stays flat for a 2 GB clip), or URLs.

Each file is checked before a byte is sent — extension against the accepted list, size
against the limit — so a wrong file is refused at once with the spec's 4001/4002 message;
the server checks again by content. Progress reports bytes and rate; cancelling the task
aborts the request.
"""

from __future__ import annotations

import asyncio
import io
import mimetypes
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from nemodesk.client import api, errors
from nemodesk.client.auth import Caller
from nemodesk.client.models import Progress, UploadedFile
from nemodesk.core.formats import MAX_UPLOAD_BYTES, kind_of

BATCH_BYTES = 1 << 20  # read off the loop and reported a batch at a time


class _Counting(io.RawIOBase):
    """A read-only file that counts what httpx reads from it, for the progress bar."""

    def __init__(self, path: Path, progress: Progress) -> None:
        self._f = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._progress = progress

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._f.fileno()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def read(self, size: int = -1) -> bytes:
        chunk = self._f.read(size)
        self._progress.add(len(chunk))
        return chunk

    def close(self) -> None:
        self._f.close()
        super().close()


def _batch(chunks: Iterator[bytes]) -> bytes:
    out = bytearray()
    for chunk in chunks:
        out += chunk
        if len(out) >= BATCH_BYTES:
            break
    return bytes(out)


async def _off_loop(stream: Any, tick: Callable[[], None]) -> AsyncIterator[bytes]:
    chunks = iter(stream)
    while batch := await asyncio.to_thread(_batch, chunks):
        tick()  # on the loop, about once a MiB
        yield batch


def check_file(path: Path, max_bytes: int | None = None) -> int:
    """The file's size, after the checks the server would make by name and size."""
    if kind_of(path.name) is None:
        raise errors.UnsupportedFile(filename=path.name)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise errors.UnsupportedFile(str(e.strerror or ""), filename=path.name) from e
    if not path.is_file():
        raise errors.UnsupportedFile(filename=path.name)
    if size > (max_bytes or MAX_UPLOAD_BYTES):
        raise errors.FileTooLarge(path.name)
    return size


async def upload_files(
    client: Caller,
    session_id: str,
    paths: list[Path],
    on_progress: Callable[[Progress], None] | None = None,
) -> list[UploadedFile]:
    if not paths:
        return []
    total = sum(check_file(p, client.config.max_upload_bytes) for p in paths)
    progress = Progress(total=total)
    opened: list[_Counting] = []

    def tick() -> None:
        if on_progress:
            on_progress(progress)

    def body() -> dict[str, Any]:
        for f in opened:
            f.close()
        opened.clear()
        progress.done = 0
        files = []
        for p in paths:
            f = _Counting(p, progress)
            opened.append(f)
            mime = mimetypes.guess_type(p.name)[0] or "application/octet-stream"
            files.append(("files", (p.name, f, mime)))
        # httpx encodes the multipart body; the file reads run in a worker thread a batch
        # at a time, so the event loop (and the window) never waits on the disk.
        encoded = httpx.Request("POST", "http://upload/", files=files)
        headers = {k: encoded.headers[k] for k in ("Content-Type", "Content-Length")}
        return {"content": _off_loop(encoded.stream, tick), "headers": headers, "timeout": None}

    try:
        answer = await client.call("POST", api.upload_path(session_id), body=body)
    except errors.UnsupportedFile as err:
        if not err.filename:  # the server's sentence names the file, or there was only one
            named = [p.name for p in paths if p.name in err.detail]
            err.filename = named[0] if named else paths[0].name if len(paths) == 1 else ""
        raise
    finally:
        for f in opened:
            f.close()
    progress.done = total
    tick()
    return _files(answer)


async def upload_urls(client: Caller, session_id: str, urls: list[str]) -> list[UploadedFile]:
    answer = await client.call(
        "POST",
        api.upload_path(session_id),
        json={"urls": list(urls), "source_type": "url"},
        timeout=600.0,
    )
    return _files(answer)


def _files(answer: dict[str, Any]) -> list[UploadedFile]:
    data = answer.get("data") or {}
    return [UploadedFile.parse(f) for f in data.get("files") or [] if isinstance(f, dict)]
