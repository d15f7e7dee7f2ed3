"""Start, find and stop the local engine (``nemodesk serve``) that the app talks to over HTTP.

One engine per data folder: ``engine.json`` in the folder names the running engine, so a second
window (or the next launch) reuses it instead of racing a second server on the same database,
and a file lock makes the check-then-start atomic across processes. The engine runs as a child
process and is reached over HTTP only, so this module never imports the engine (nor the UI).

The engine must never outlive the app, even after a crash or ``kill -9``: on Linux the engine
asks for a parent-death signal as it starts, it also watches ``--parent-pid`` itself (every
OS), and an ``atexit`` hook stops it on a normal exit. Nothing runs between fork and exec (no
``preexec_fn``: Python code there can deadlock a threaded app).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import httpx
import platformdirs

from nemodesk.client.engine_process import (
    FileLock,
    drain,
    pid_alive,
    spawner,
)

READY_PREFIX = "NemoDesk engine listening on "
RECORD_NAME = "engine.json"
LOCK_NAME = "engine.lock"
LOG_NAME = "engine.log"
PROBE_PATH = "/openapi.json"  # answered without a token once the app's lifespan has started
# The engine plays this SoundFont instead of its built-in one (engine/music/soundfont.py reads
# it; named here again because the client never imports the engine).
SOUNDFONT_ENV = "NEMODESK_SOUNDFONT"


class EngineStartError(RuntimeError):
    """The engine could not be started; ``stderr_tail`` holds the last lines it logged, so the
    message shown to the user (and any bug report) says why."""

    def __init__(self, message: str, stderr_tail: Sequence[str] = ()) -> None:
        self.stderr_tail = list(stderr_tail)
        detail = "\n".join(self.stderr_tail)
        super().__init__(f"{message}\n--- engine log ---\n{detail}" if detail else message)


def default_data_dir() -> Path:
    """Where the app keeps its engine data unless told otherwise: the folder a plain
    ``nemodesk serve`` uses too, so both see the same sessions."""
    return platformdirs.user_data_path("NemoDesk", appauthor=False) / "engine"


def engine_command(data_dir: Path, parent_pid: int | None = None) -> list[str]:
    """The command that runs the engine; a frozen app (PyInstaller) is its own interpreter, so
    its executable takes ``serve`` directly instead of ``-m nemodesk``."""
    frozen = getattr(sys, "frozen", False)
    base = [sys.executable] if frozen else [sys.executable, "-m", "nemodesk"]
    cmd = [*base, "serve", "--port", "0", "--data-dir", str(data_dir)]
    if parent_pid is not None:
        cmd += ["--parent-pid", str(parent_pid)]
    return cmd


class LocalEngine:
    """The engine for one data folder: started here (``owned``) or reused from another process.

    ``async with LocalEngine() as engine: ... engine.url ...``; or ``start_sync()`` /
    ``stop_sync()`` outside an event loop. ``stop`` only stops an engine this object started.
    """

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        start_timeout: float = 30.0,
        stop_timeout: float = 10.0,
        env: Mapping[str, str] | None = None,
        soundfont: Path | str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.soundfont = Path(soundfont) if soundfont else None  # None: the built-in sounds
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.env = dict(env or {})  # extra variables for a started engine (NEMODESK_* limits)
        self.url: str | None = None
        self.pid: int | None = None
        self.version: str | None = None
        self.owned = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._drainer: threading.Thread | None = None
        self._first_line: Future[str | None] | None = None
        self._early_lock: FileLock | None = None  # held from launch_early until start()

    @property
    def record_path(self) -> Path:
        return self.data_dir / RECORD_NAME

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_NAME

    def launch_env(self) -> dict[str, str]:
        """The environment a started engine gets: ours plus ``env``, with
        ``NEMODESK_SOUNDFONT`` naming the chosen SoundFont, or absent for the built-in one
        (a value inherited from our own environment must not override the user's choice)."""
        env = {**os.environ, **self.env}
        env.pop(SOUNDFONT_ENV, None)
        if self.soundfont is not None:
            env[SOUNDFONT_ENV] = str(self.soundfont)
        return env

    def __repr__(self) -> str:
        return f"LocalEngine(url={self.url!r}, pid={self.pid}, owned={self.owned})"

    # -- lifecycle --------------------------------------------------------------------------

    def launch_early(self) -> bool:
        """Start the engine process now, without waiting for it (the app calls this before
        it builds its window, so the engine and its workers warm up meanwhile); ``start``
        then only waits for it to answer. Nothing happens (False) when the folder's engine
        may be running already or another process holds the folder's lock: ``start`` then
        does the usual. The lock is held until ``start`` has written the record."""
        if self.url is not None or self._proc is not None:
            return False
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.data_dir / LOCK_NAME)
        if not lock.try_acquire():
            return False
        record = self._read_record()
        if record is not None and pid_alive(record["pid"]):
            lock.release()  # probably running: start() asks it and reuses it
            return False
        try:
            self._spawn()
        except EngineStartError:
            lock.release()  # start() tries again and reports why it cannot
            return False
        self._early_lock = lock
        atexit.register(self._kill)  # never started (the app closed first): no engine left
        return True

    async def start(self) -> Self:
        """Reuse the folder's running engine, or start one; returns self once it answers."""
        if self.url is not None:
            return self
        if self._early_lock is not None:
            return await self._start_launched()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        async with self._locked():
            record = self._read_record()
            if record is not None:
                version = await self._answering(record)
                if version is not None:
                    self.url, self.pid, self.version = record["url"], record["pid"], version
                    self.owned = False
                    return self
            await self._launch()
            self._write_record()
        atexit.register(self.stop_sync)
        return self

    async def _start_launched(self) -> Self:
        """``start`` for the engine ``launch_early`` started: wait until it answers."""
        lock, self._early_lock = self._early_lock, None
        assert lock is not None
        atexit.unregister(self._kill)
        try:
            await self._wait_launched()
            self._write_record()
        finally:
            lock.release()
        atexit.register(self.stop_sync)
        return self

    async def stop(self) -> None:
        """Stop the engine if we started it (a reused one belongs to its owner)."""
        await asyncio.to_thread(self.stop_sync)

    def start_sync(self) -> Self:
        """``start`` for code without an event loop (not callable from inside a running one)."""
        return asyncio.run(self.start())

    def stop_sync(self) -> None:
        """Remove ``engine.json`` first, so no one picks a dying engine, then SIGTERM the engine
        (a graceful stop that also ends its workers), and kill it if it does not stop in time."""
        if self._early_lock is not None:  # launched early, never started: just end it
            lock, self._early_lock = self._early_lock, None
            atexit.unregister(self._kill)
            self._kill()
            lock.release()
            return
        if not self.owned:
            return
        atexit.unregister(self.stop_sync)
        self._remove_record()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if self._drainer is not None:
            self._drainer.join(2)
        self._proc = self._drainer = None
        self.url = self.pid = None
        self.owned = False

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def __enter__(self) -> Self:
        return self.start_sync()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_sync()

    # -- internals ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
        """Hold the folder's lock; polled so the event loop stays free while another process
        finishes starting the engine we are about to reuse."""
        lock = FileLock(self.data_dir / LOCK_NAME)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.start_timeout + 30
        while not lock.try_acquire():
            if loop.time() > deadline:
                raise EngineStartError(
                    f"Another NemoDesk kept {lock.path} locked for too long while starting "
                    "the engine."
                )
            await asyncio.sleep(0.05)
        try:
            yield
        finally:
            lock.release()

    def _read_record(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self.record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if (
            not isinstance(record, dict)
            or not isinstance(record.get("url"), str)
            or not isinstance(record.get("pid"), int)
        ):
            return None
        return record

    def _write_record(self) -> None:
        """Temp file + rename: a reader never sees half a record."""
        record = {
            "url": self.url,
            "pid": self.pid,
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "version": self.version,
        }
        tmp = self.record_path.with_name(f".{RECORD_NAME}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.record_path)

    def _remove_record(self) -> None:
        record = self._read_record()
        if record is not None and record["pid"] == self.pid:
            with contextlib.suppress(OSError):
                self.record_path.unlink()

    async def _answering(self, record: dict[str, Any]) -> str | None:
        """The engine's version if the recorded engine is alive and answers, else None (stale:
        a crashed engine, or a pid the OS gave to another program)."""
        if not pid_alive(record["pid"]):
            return None
        async with _http() as client:
            return await _probe(client, record["url"])

    async def _launch(self) -> None:
        self._spawn()
        await self._wait_launched()

    def _spawn(self) -> None:
        """Start the engine process (a fork+exec: milliseconds) and its log drain."""
        log = self._open_log()
        kwargs: dict[str, Any] = {}
        if sys.platform == "win32":
            kwargs["creationflags"] = subprocess.CREATE_NO_WINDOW
        try:
            proc = spawner.popen(
                engine_command(self.data_dir, os.getpid()),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                env=self.launch_env(),
                **kwargs,
            )
        except OSError as e:
            log.close()
            raise EngineStartError(f"Cannot run the engine: {e}.") from e
        assert proc.stdout is not None
        first_line: Future[str | None] = Future()
        self._proc = proc
        self._drainer = threading.Thread(
            target=drain, args=(proc.stdout, log, first_line), name="nemodesk-engine-log"
        )
        self._drainer.daemon = True
        self._drainer.start()
        self._first_line = first_line

    async def _wait_launched(self) -> None:
        proc, first_line = self._proc, self._first_line
        assert proc is not None and first_line is not None
        try:
            self.url, self.version = await self._wait_ready(proc, first_line)
        except BaseException:
            self._kill()
            raise
        self.pid = proc.pid
        self.owned = True

    async def _wait_ready(
        self, proc: subprocess.Popen[bytes], first_line: Future[str | None]
    ) -> tuple[str, str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.start_timeout
        done, _ = await asyncio.wait({asyncio.wrap_future(first_line)}, timeout=self.start_timeout)
        if not done:
            raise EngineStartError(
                f"The engine did not start within {self.start_timeout:g} s.", self._log_tail()
            )
        line = first_line.result()
        if line is None or not line.startswith(READY_PREFIX):
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(proc.wait, 5)
            raise EngineStartError(
                f"The engine stopped before it was ready (exit code {proc.poll()}).",
                self._log_tail(),
            )
        url = line.removeprefix(READY_PREFIX).strip()
        async with _http() as client:
            while True:
                version = await _probe(client, url)
                if version is not None:
                    return url, version
                if proc.poll() is not None:
                    raise EngineStartError(
                        f"The engine stopped before it answered (exit code {proc.returncode}).",
                        self._log_tail(),
                    )
                if loop.time() > deadline:
                    raise EngineStartError(
                        f"The engine did not answer at {url} within {self.start_timeout:g} s.",
                        self._log_tail(),
                    )
                await asyncio.sleep(0.1)

    def _kill(self) -> None:
        """A start that failed leaves nothing running."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)

    def _open_log(self) -> IO[bytes]:
        """A fresh log per run (the previous one kept as ``engine.log.1``), so an error report
        shows this run. Both the child's stderr and our copy of its stdout append to it."""
        with contextlib.suppress(OSError):
            self.log_path.replace(self.log_path.with_name(LOG_NAME + ".1"))
        return open(self.log_path, "ab")  # closed by the drain thread

    def _log_tail(self, lines: int = 20) -> list[str]:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(max(0, f.seek(0, os.SEEK_END) - 8192))
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        return text.splitlines()[-lines:]


def _http() -> httpx.AsyncClient:
    # trust_env=False: a system proxy must never see (or break) loopback calls.
    return httpx.AsyncClient(trust_env=False, timeout=2.0)


async def _probe(client: httpx.AsyncClient, url: str) -> str | None:
    """The engine's version if ``url`` answers as a NemoDesk engine, else None."""
    try:
        r = await client.get(url.rstrip("/") + PROBE_PATH)
        if r.status_code != 200:
            return None
        return str(r.json().get("info", {}).get("version", ""))
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
