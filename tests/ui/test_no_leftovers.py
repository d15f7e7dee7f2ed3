"""Nothing the app starts outlives it (issue 13, item 9): on a display without a session bus
Qt used to autolaunch ``dbus-launch`` + ``dbus-daemon``, which stayed after the app quit.
The real app (``--self-test``: window, engine, a track, an export, quit) runs under Xvfb
with a marker in its environment; afterwards no process carrying the marker is left."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from nemodesk.ui.session_bus import NO_BUS, avoid_autolaunch

ROOT = Path(__file__).resolve().parents[2]


def test_the_bus_address_is_set_only_when_missing(tmp_path):
    env = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}
    assert avoid_autolaunch(env) == "unix:path=/run/user/1000/bus"
    env = {}
    assert avoid_autolaunch(env) == NO_BUS == env["DBUS_SESSION_BUS_ADDRESS"]
    env = {"XDG_RUNTIME_DIR": str(tmp_path)}
    assert avoid_autolaunch(env) == NO_BUS  # a runtime dir without a bus in it
    path = tmp_path / "bus"
    if len(str(path)) < 100:  # AF_UNIX path limit
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(path))
            env = {"XDG_RUNTIME_DIR": str(tmp_path)}
            assert avoid_autolaunch(env) == f"unix:path={path}"


def _carrying(marker: str) -> list[tuple[int, str]]:
    """The processes whose environment holds ``marker``: (pid, command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append((int(entry.name), cmd))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and Xvfb")
def test_no_process_outlives_the_app(tmp_path):
    if not shutil.which("Xvfb") or not shutil.which("dbus-launch"):
        pytest.skip("Xvfb or dbus-launch is not installed")
    display = next(
        n for n in range(180, 260) if not Path(f"/tmp/.X11-unix/X{n}").exists()
    )  # fmt: skip
    xvfb = subprocess.Popen(
        ["Xvfb", f":{display}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        t0 = time.perf_counter()
        while not Path(f"/tmp/.X11-unix/X{display}").exists():
            assert time.perf_counter() - t0 < 10, "Xvfb did not start"
            time.sleep(0.05)
        marker = f"NEMODESK_LEFTOVER_PROBE={uuid.uuid4().hex}"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "QT_QPA_PLATFORM")
        }
        env.update(
            DISPLAY=f":{display}",
            QT_QPA_PLATFORM="xcb",
            HOME=str(tmp_path),
            XDG_CONFIG_HOME=str(tmp_path / "config"),
            XDG_CACHE_HOME=str(tmp_path / "cache"),
            XDG_DATA_HOME=str(tmp_path / "data"),
            NEMODESK_LEFTOVER_PROBE=marker.partition("=")[2],
        )
        app = subprocess.run(
            [sys.executable, "-m", "nemodesk", "--self-test"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert app.returncode == 0, app.stdout[-2000:] + app.stderr[-2000:]
        t0 = time.perf_counter()
        while _carrying(marker) and time.perf_counter() - t0 < 10:
            time.sleep(0.1)
        left = _carrying(marker)
        for pid, _cmd in left:  # started by this test: end them; the assertion tells
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        assert not left, f"still running after the app quit: {left}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def test_the_runs_temp_files_go_to_its_own_folder():
    """tests/conftest.py: this process and its children (engines, ffmpeg, Qt, drivers) write
    temp files in one folder the run removes; pytest's tmp_path stays in the system temp."""
    here = Path(tempfile.gettempdir())
    assert here.name.startswith("nemodesk-tests-") and os.environ["TMPDIR"] == str(here)
    child = subprocess.run(
        [sys.executable, "-c", "import tempfile; print(tempfile.gettempdir())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == str(here)
    assert os.environ["PYTEST_DEBUG_TEMPROOT"] != str(here)
