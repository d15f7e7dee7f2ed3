"""Raw HTTP/1.1 over a socket, for bodies no polite client sends: chunked floods, bodies that
trickle, stop or never end. A reader thread takes the answer while the body is still being
sent, so an early answer (413, 408) is seen even when the server then closes the socket."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    sent: int = 0  # body bytes the server took before answering or closing
    seconds: float = 0.0  # from the first byte sent to the answer (or the end)
    closed: bool = False  # the server closed the connection

    def json(self) -> dict:
        return json.loads(self.body)


def chunked(parts: Iterable[bytes]) -> Iterator[bytes]:
    """Frame ``parts`` as Transfer-Encoding: chunked."""
    for p in parts:
        if p:
            yield b"%x\r\n%s\r\n" % (len(p), p)
    yield b"0\r\n\r\n"


def _parse(raw: bytes, reply: Reply) -> None:
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/"):
        return
    reply.status = int(lines[0].split()[1])
    reply.headers = {
        k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
    }
    if reply.headers.get("transfer-encoding") == "chunked":
        body, data = b"", rest
        while data:
            size_line, _, data = data.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            body, data = body + data[:size], data[size + 2 :]
        reply.body = body
    else:
        reply.body = rest[: int(reply.headers.get("content-length", len(rest)))]


def send(
    url: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: Iterable[bytes],
    *,
    timeout: float = 10.0,
    close_after_body: bool = False,
) -> Reply:
    """Send the request head, then ``body`` piece by piece (stopping once an answer arrives or
    the socket breaks); return the answer. ``close_after_body``: hang up as soon as the body
    is sent, without waiting (a client that goes away mid-upload)."""
    u = urlsplit(url)
    sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
    head = f"{method} {path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )
    reply = Reply()
    got = bytearray()
    answered = threading.Event()

    def read() -> None:
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    reply.closed = True
                    break
                got.extend(data)
                if b"\r\n\r\n" in got:
                    answered.set()
        except OSError:
            reply.closed = True
        finally:
            answered.set()

    t0 = time.perf_counter()
    sock.sendall(head.encode() + b"\r\n")
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for piece in body:
            if answered.is_set():
                break
            try:
                sock.sendall(piece)
            except OSError:
                break
            reply.sent += len(piece)
        if close_after_body:
            sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            return reply
        answered.wait(timeout)
        reply.seconds = time.perf_counter() - t0
        time.sleep(0.05)  # the rest of a short answer
        if answered.is_set() and got:
            # the whole answer: until the server closes or the length is there
            deadline = time.monotonic() + 2
            while reader.is_alive() and time.monotonic() < deadline:
                _parse(bytes(got), reply)
                if reply.status is not None and len(reply.body) >= int(
                    reply.headers.get("content-length", 0)
                ):
                    break
                time.sleep(0.02)
        _parse(bytes(got), reply)
    finally:
        with contextlib.suppress(OSError):
            sock.close()
    reader.join(1)
    return reply


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        line = next(x for x in f if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


class PeakRss:
    """The highest resident memory of process ``pid`` while the block runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.base = self.peak = rss_mb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.02)

    @property
    def growth(self) -> float:
        return self.peak - self.base

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pid))


def open_files_under(pid: int, folder: os.PathLike) -> list[str]:
    """Files under ``folder`` that process ``pid`` holds open."""
    out = []
    root = os.fspath(folder)
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith(root):
            out.append(target)
    return out
