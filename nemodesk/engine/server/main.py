"""``nemodesk serve``: run the engine's API with uvicorn on a socket we bind ourselves, so the
first line printed can name the real port (``--port 0`` picks a free one).

Light to import: the worker processes (which unpack the built-in SoundFont) start first, and
the web stack (FastAPI, uvicorn, the API modules: ~1-2 s of imports) is imported while they
warm up, so the first track asked for finds a worker ready."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from nemodesk.engine.server.config import LOOPBACK_HOSTS, ServerConfig

if TYPE_CHECKING:
    import uvicorn


_PART = re.compile(r"\..+\.part(?:-[0-9a-f]+)?")  # write_atomically, thumbs, generate temps


def _tidy_data_dir(data_dir: Path) -> int:
    """At start, before any job runs: remove the hidden ``.<name>.part…`` temp files a killed
    engine (SIGKILL, power cut) left mid-write; nothing else ever would. And make what an
    older engine left private (folders 0700, files 0600; new ones are, by the umask).
    Returns how many temp files went."""
    removed = 0
    with contextlib.suppress(OSError):
        os.chmod(data_dir, 0o700)
    for folder, dirs, files in os.walk(data_dir):
        for name in dirs:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(folder, name), 0o700)
        for name in files:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                if _PART.fullmatch(name):
                    os.unlink(path)
                    removed += 1
                elif os.lstat(path).st_mode & 0o077:
                    os.chmod(path, 0o600)
    return removed


def _stop_with_parent(pid: int, stop: Callable[[], None]) -> None:
    """Stop (call ``stop``, as a SIGTERM would) once process ``pid`` (the app that started
    us) is gone, even if it was killed with SIGKILL and could not stop us: Linux's
    PR_SET_PDEATHSIG exists nowhere else. Watched from the start, before the web stack is
    imported."""
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        kernel32.OpenProcess.restype = ctypes.c_void_p
        kernel32.WaitForSingleObject.argtypes = (ctypes.c_void_p, ctypes.c_uint32)
        handle = kernel32.OpenProcess(0x00100000, False, pid)  # SYNCHRONIZE; robust to pid reuse

        def gone() -> bool:
            return not handle or kernel32.WaitForSingleObject(handle, 0) != 0x102  # WAIT_TIMEOUT
    else:
        first_ppid = os.getppid()
        if pid == first_ppid and sys.platform.startswith("linux"):
            _term_with_parent()

        def gone() -> bool:
            if pid == first_ppid:  # our parent: a zombie still answers kill(0), getppid does not
                return os.getppid() != pid
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                pass
            return False

    def watch() -> None:
        while not gone():
            time.sleep(1.0)
        stop()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _term_with_parent() -> None:
    """Ask Linux for a SIGTERM when the thread that started us ends (the app, even after
    ``kill -9``): at once, where the watch polls each second. Asked here rather than by the
    app between fork and exec: Python code there (a ``preexec_fn``) can deadlock a threaded
    app, and did (the app's spawner thread hung in Popen, the window never came up). If the
    app died before this call, the watch's first look sees it."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG


def listen_socket(host: str, port: int) -> socket.socket:
    """The listening socket, bound by us so the first line can name the real port.
    IPPROTO_TCP is spelled out: asyncio turns Nagle off only on sockets whose proto says
    TCP, and with Nagle on every reply on a kept-alive connection waits ~40 ms for the
    client's delayed ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _config(host: str, port: int, data_dir: Path | None) -> ServerConfig:
    """The engine's settings: defaults, then the environment, then ``--data-dir``; a host
    beyond loopback is warned about and lets any Host header in."""
    config = ServerConfig(host=host, port=port)
    config.apply_env()
    if data_dir is not None:
        config.data_dir = data_dir
    if host not in LOOPBACK_HOSTS:
        print(f"WARNING: serving on {host}: other machines can reach this engine.", file=sys.stderr)
        config.allowed_hosts = ("*",)
    return config


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    data_dir: Path | None = None,
    allow_remote: bool = False,
    parent_pid: int | None = None,
) -> int:
    """``nemodesk serve``: refuse a remote host unless allowed, bind the socket, tidy the data
    folder, say where we listen (the app waits for that line), then run until stopped."""
    if host not in LOOPBACK_HOSTS and not allow_remote:
        print(
            f"nemodesk: refusing to listen on {host}: the engine is for this machine only. "
            "Pass --allow-remote to expose it (anyone who can reach it can use it).",
            file=sys.stderr,
        )
        return 2
    # Everything the engine writes (database, uploads, takes, renders; ffmpeg's and the
    # workers' files too) is the user's alone: folders 0700, files 0600.
    os.umask(0o077)
    config = _config(host, port, data_dir)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = listen_socket(host, port)
    except OSError as e:
        print(f"nemodesk: cannot listen on {host}:{port}: {e.strerror}.", file=sys.stderr)
        return 2
    real_port = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if family == socket.AF_INET6 else host
    # from the moment we say we listen, a SIGTERM is a request to stop (exit 0), even one
    # that comes before uvicorn takes the signals over
    stop_asked = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop_asked.set())
    running: list[uvicorn.Server] = []

    def stop() -> None:
        stop_asked.set()
        for server in running:
            server.should_exit = True

    if parent_pid is not None:
        _stop_with_parent(parent_pid, stop)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # before the line that says we are ready: whoever waits for it finds the folder tidied
    swept = _tidy_data_dir(config.data_dir)
    if swept:
        logging.getLogger("nemodesk.engine").warning(
            "removed %d unfinished temp file(s) left by an engine that was killed", swept
        )
    # the workers start now (the first unpacks the built-in SoundFont on a first start, then
    # imports the music modules and loads it) while the web stack below is imported
    from nemodesk.engine.server.work import new_pool

    pool = new_pool(max(1, config.workers))
    print(f"NemoDesk engine listening on http://{shown}:{real_port}", flush=True)
    import uvicorn

    from nemodesk.engine.server.app import create_app
    from nemodesk.engine.server.uvserver import HttpProtocol, Server

    if stop_asked.is_set():  # stopped (SIGTERM, or the app is gone) while we were starting
        _kill_pool(pool)
        return 0
    app = create_app(config, pool)
    server = Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            http=HttpProtocol,
            timeout_graceful_shutdown=1,
        ),
        app,
        stop_asked,
    )
    running.append(server)
    if stop_asked.is_set():
        server.should_exit = True
    server.run(sockets=[sock])
    return 0


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for proc in processes:
        proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)
