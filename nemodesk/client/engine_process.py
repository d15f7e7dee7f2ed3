"""Operating-system plumbing for the local engine's child process: is a pid alive, spawn
from one long-lived thread (the engine asks Linux for a parent-death signal, which follows
that thread), drain a child's output, and an inter-process file lock. Kept apart from
``local_engine`` so that module reads as the lifecycle it implements."""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
from concurrent.futures import Future, InvalidStateError
from pathlib import Path
from typing import IO, Any


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (never signals it: on Windows ``os.kill`` would kill)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.restype = ctypes.c_void_p
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # ERROR_ACCESS_DENIED: exists, not ours
        code = ctypes.c_ulong()
        try:
            ok = kernel32.GetExitCodeProcess(ctypes.c_void_p(handle), ctypes.byref(code))
        finally:
            kernel32.CloseHandle(ctypes.c_void_p(handle))
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Spawner:
    """Starts children from one thread that lives as long as the process. Linux sends the
    parent-death signal when the *thread* that forked the child ends, so spawning from a
    short-lived thread (an executor, a loop in a worker thread) would stop the engine early."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], list[str], dict[str, Any]]]
        self._jobs = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()

    def popen(self, cmd: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        with self._guard:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="nemodesk-engine-spawner", daemon=True
                )
                self._thread.start()
        done: Future[subprocess.Popen[bytes]] = Future()
        self._jobs.put((done, cmd, kwargs))
        return done.result()  # a fork+exec: milliseconds, fine to block on

    def _run(self) -> None:
        while True:
            done, cmd, kwargs = self._jobs.get()
            try:
                done.set_result(subprocess.Popen(cmd, **kwargs))
            except BaseException as e:
                done.set_exception(e)


spawner = Spawner()


def settle(future: Future[str | None], value: str | None) -> None:
    if not future.done():
        with contextlib.suppress(InvalidStateError):
            future.set_result(value)


def drain(stdout: IO[bytes], log: IO[bytes], first_line: Future[str | None]) -> None:
    """Hand over the ready line, then copy the child's stdout to the log until it ends, so the
    pipe never fills and blocks the engine."""
    try:
        for raw in iter(stdout.readline, b""):
            settle(first_line, raw.decode("utf-8", "replace").strip())
            log.write(raw)
            log.flush()
    except (OSError, ValueError):
        pass
    finally:
        settle(first_line, None)
        with contextlib.suppress(OSError):
            log.close()
        with contextlib.suppress(OSError):
            stdout.close()


class FileLock:
    """An exclusive lock on a file, between processes (and between tasks of one process, since
    each attempt opens its own descriptor). The OS releases it if the holder dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if sys.platform == "win32":
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
