"""Downloading a finished render: resumable, with progress, never leaving half a file.

The bytes go to a hidden temp file beside the target and are renamed into place only when
complete. A dropped connection resumes with an HTTP Range request; a server that ignores
Range starts over. The bearer token is sent only to the API's own host, never to a CDN.
A full disk or a lost connection is reported as such, and the temp file is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path

import httpx

from nemodesk.client import api, errors
from nemodesk.client.auth import Caller
from nemodesk.client.models import Progress


def temp_path(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.part")


def _same_origin(url: str, base: httpx.URL) -> bool:
    u = httpx.URL(url)
    return not u.is_absolute_url or (u.host == base.host and u.port == base.port)


async def download(
    client: Caller,
    render_id: str,
    url: str | None,
    dest: Path,
    on_progress: Callable[[Progress], None] | None = None,
) -> Path:
    """Fetch the output URL (or the fallback endpoint) into ``dest``; return ``dest``."""
    dest = dest.expanduser()
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = temp_path(dest)
    sources = [u for u in (url, api.render_download_path(render_id)) if u]
    last: errors.NemoError = errors.ConnectionLost("no download address")
    try:
        for source in sources:
            try:
                await _fetch(client, source, part, on_progress)
            except (errors.ConnectionLost, errors.ServerError) as e:
                last = e
                continue
            os.replace(part, dest)
            return dest
        raise last
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


async def fetch_file(
    client: Caller,
    url: str,
    dest: Path,
    on_progress: Callable[[Progress], None] | None = None,
) -> Path:
    """Fetch one file the backend serves (a generated mix, a stem, a thumbnail) into
    ``dest`` with the same resume and temp-name rules as an export."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = temp_path(dest)
    try:
        await _fetch(client, url, part, on_progress)
        os.replace(part, dest)
        return dest
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


async def _fetch(
    client: Caller,
    url: str,
    part: Path,
    on_progress: Callable[[Progress], None] | None,
) -> None:
    timing = client.config.timing
    progress = Progress(total=None)
    with contextlib.suppress(FileNotFoundError):
        part.unlink()
    drops = 0
    while True:
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        if _same_origin(url, client.http.base_url):
            headers.update(await client.headers())
        try:
            async with client.http.stream("GET", url, headers=headers, timeout=60.0) as resp:
                if resp.status_code == 416 and have:
                    return  # we already hold every byte
                if resp.status_code >= 400:
                    await resp.aread()
                    raise errors.ServerError(
                        f"download answered HTTP {resp.status_code}",
                        http_status=resp.status_code,
                    )
                resumed = resp.status_code == 206 and have > 0
                mode = "ab" if resumed else "wb"
                length = resp.headers.get("content-length")
                body_len = int(length) if length and length.isdigit() else None
                start = have if resumed else 0
                progress.total = start + body_len if body_len is not None else None
                progress.done = start
                with open(part, mode, buffering=0) as f:  # a full disk shows at once
                    async for chunk in resp.aiter_bytes():  # as it arrives: a drop loses nothing
                        _write(f, chunk)
                        progress.add(len(chunk))
                        if on_progress:
                            on_progress(progress)
                if progress.total is not None and progress.done < progress.total:
                    raise httpx.RemoteProtocolError("short body")
                return
        except httpx.TransportError as e:
            drops += 1
            if drops > timing.download_retries:
                raise errors.ConnectionLost(f"download dropped {drops} times") from e
            await asyncio.sleep(timing.download_retry_s)


def _write(f, chunk: bytes) -> None:
    try:
        f.write(chunk)
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise errors.DiskFull() from e
        raise errors.NemoError(e.strerror or "cannot write the file") from e
