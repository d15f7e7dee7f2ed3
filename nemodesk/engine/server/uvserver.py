"""uvicorn's server as the engine runs it: stopping is quick and a normal end (exit 0).
Imported by ``main.serve`` after it has started the workers (uvicorn and FastAPI are ~1 s)."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Iterator

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol


class HttpProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, minus one crash: when malformed bytes arrive on a
    connection that has already been answered and is closing (a body the app refused early,
    then bad chunk framing), uvicorn tries to answer 400 a second time, h11 refuses
    ("can't handle event type Response when state=MUST_CLOSE") and the traceback lands in
    the log. There is nothing left to say on such a connection: it is closed."""

    def send_400_response(self, msg: str) -> None:
        if self.conn.our_state in (h11.MUST_CLOSE, h11.CLOSED, h11.DONE):
            self.transport.close()
            return
        super().send_400_response(msg)


class Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after a graceful shutdown (exit status -15); a
    stopped engine is a normal end for us, so it exits 0.

    Stopping does not wait for running work (a long render could take minutes): chat runs
    are cancelled (their streams end), the worker processes are killed and the renders they
    ran are marked failed, so the engine is gone within about a second."""

    def __init__(self, config: uvicorn.Config, app: FastAPI, stop_asked: threading.Event) -> None:
        super().__init__(config)
        self.app = app
        self.stop_asked = stop_asked  # a signal that came while the engine was starting

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        _stop_work(self.app)
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        def stop(signum: int, frame: object) -> None:
            self.should_exit = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        if self.stop_asked.is_set():
            self.should_exit = True
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _stop_work(app: FastAPI) -> None:
    state = app.state
    runs, jobs, store = (getattr(state, name, None) for name in ("runs", "jobs", "store"))
    if runs is not None:
        runs.cancel_all()  # first: their awaits end cancelled, not with a dead pool's error
    if jobs is not None:
        jobs.stop_now()
    if store is not None:
        stopped = store.mark_interrupted()
        if stopped:
            logging.getLogger("nemodesk.engine").warning(
                "stopping: %d running render(s) marked failed", stopped
            )
