"""Streaming multipart/form-data: each file part goes straight to disk as it arrives.

Memory stays flat whatever the file size, and an upload is refused the moment its files
together cross the limit, without reading the rest. A body that ends before its closing
boundary is refused too, and whatever it had stored is removed (python-multipart's
``finalize`` does not check that the message was complete: its ``on_end`` tells). The parsing
itself is python-multipart's.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header

from nemodesk.core.formats import extension, kind_of


class TooLarge(Exception):
    def __init__(self, filename: str) -> None:
        super().__init__(filename)
        self.filename = filename


class Unsupported(Exception):
    def __init__(self, filename: str) -> None:
        super().__init__(filename)
        self.filename = filename


@dataclass
class ReceivedFile:
    field: str
    filename: str  # as the client named it: shown to users, never used as a path
    path: Path  # where it was stored, under a name of our own
    size: int = 0
    sha256: str = ""


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    field: str = ""
    filename: str | None = None
    handle: object | None = None
    hasher: object | None = None
    size: int = 0
    path: Path | None = None


async def receive_files(
    stream: AsyncIterator[bytes], content_type: str, folder: Path, max_bytes: int
) -> list[ReceivedFile]:
    """Store every file part of the body in ``folder``; other fields are ignored.

    ``max_bytes`` bounds the files of the request together. On any failure (too large,
    unsupported, a body cut short, the client gone) no file of the request stays."""
    ctype, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ValueError("expected multipart/form-data with a boundary")
    folder.mkdir(parents=True, exist_ok=True)
    done: list[ReceivedFile] = []
    part = _Part()
    header = [b"", b""]
    total = 0
    ended = False

    def on_part_begin() -> None:
        nonlocal part
        part = _Part()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        part.headers[header[0].strip().lower()] = header[1].strip()
        header[0] = header[1] = b""

    def on_headers_finished() -> None:
        _, opts = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.field = opts.get(b"name", b"").decode("utf-8", "replace")
        raw_name = opts.get(b"filename")
        if raw_name is None:
            return
        name = os.path.basename(raw_name.decode("utf-8", "replace").replace("\\", "/"))[:200]
        part.filename = name or "file"
        if kind_of(part.filename) is None:
            raise Unsupported(part.filename)
        part.path = folder / f"{secrets.token_hex(12)}.{extension(part.filename)}"
        part.handle = open(part.path, "wb")  # noqa: SIM115 (closed in on_part_end/cleanup)
        part.hasher = hashlib.sha256()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        nonlocal total
        if part.handle is None:
            return
        chunk = data[start:end]
        part.size += len(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise TooLarge(part.filename or "file")
        part.handle.write(chunk)  # type: ignore[attr-defined]
        part.hasher.update(chunk)  # type: ignore[attr-defined]

    def on_part_end() -> None:
        if part.handle is None or part.path is None:
            return
        part.handle.close()  # type: ignore[attr-defined]
        done.append(
            ReceivedFile(
                part.field, part.filename or "file", part.path, part.size, part.hasher.hexdigest()
            )
        )  # type: ignore[attr-defined]
        part.handle = None

    def on_end() -> None:
        nonlocal ended
        ended = True

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_end": on_end,
        },
    )
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
        if not ended:
            raise ValueError("the body ended before its closing boundary")
    except BaseException:
        if part.handle is not None:
            part.handle.close()  # type: ignore[attr-defined]
        for f in [*done, *([ReceivedFile("", "", part.path)] if part.path else [])]:
            f.path.unlink(missing_ok=True)
        raise
    return done
