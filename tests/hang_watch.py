"""A watchdog process that photographs a hung test process's native stacks with gdb.

faulthandler shows the Python stacks of a hang, but a deadlock inside Qt holding the GIL needs
the C++ side too: which thread waits on which. The watched process arms and disarms the
watchdog over a pipe; when an armed deadline passes, the watchdog runs
``gdb -batch -ex "thread apply all bt"`` on it and writes the result to stderr and to
``tests/artifacts/hang-<pid>.txt``. It never kills anything: faulthandler ends the process.

Run as ``python -m tests.hang_watch PID``; commands on stdin: ``arm SECONDS LABEL``, ``disarm``.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def native_stacks(pid: int) -> str:
    gdb = shutil.which("gdb")
    if gdb is None:
        return "(gdb is not installed: no native stacks)\n"
    try:
        proc = subprocess.run(
            [
                gdb,
                "-p",
                str(pid),
                "-batch",
                "-nx",
                "-iex",
                "set auto-load safe-path /",
                "-ex",
                "thread apply all bt 40",
                "-ex",
                "thread apply all py-bt",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        return "(gdb did not finish within 120 s)\n"
    return proc.stdout + proc.stderr[-4000:]


def photograph(pid: int, label: str) -> None:
    text = f"=== hang in pid {pid}: {label} ===\n{native_stacks(pid)}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"hang-{pid}.txt").write_text(text)
    sys.stderr.write(text)
    sys.stderr.flush()


def main(pid: int) -> None:
    deadline: float | None = None
    label = ""
    buffer = b""
    while True:
        wait = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        ready, _, _ = select.select([sys.stdin.fileno()], [], [], wait)
        if not ready:  # the deadline passed with the watch armed
            photograph(pid, label)
            deadline = None
            continue
        chunk = os.read(sys.stdin.fileno(), 4096)
        if not chunk:  # the watched process ended
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            command, _, rest = line.decode(errors="replace").partition(" ")
            if command == "arm":
                seconds, _, label = rest.partition(" ")
                deadline = time.monotonic() + float(seconds)
            elif command == "disarm":
                deadline = None


class HangWatch:
    """The watched side: one watchdog process for the life of this process."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.hang_watch", str(os.getpid())],
            stdin=subprocess.PIPE,
            cwd=Path(__file__).resolve().parent.parent,
        )

    def _send(self, line: str) -> None:
        if self._proc.stdin is not None and self._proc.poll() is None:
            self._proc.stdin.write(line.encode() + b"\n")
            self._proc.stdin.flush()

    def arm(self, seconds: float, label: str) -> None:
        self._send(f"arm {seconds} {label}")

    def disarm(self) -> None:
        self._send("disarm")


if __name__ == "__main__":
    main(int(sys.argv[1]))
