"""Time from process start to the app's first painted window, for any way of starting it.

The app prints ``first-paint <epoch seconds>`` once its window has painted when
``NEMODESK_PAINT_MARK`` is set (nemodesk/ui/app.py); the clock starts just before the spawn.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def first_paint(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    """Seconds from spawning ``cmd`` until it reports its first paint; the app is then stopped."""
    t0 = time.time()
    proc = subprocess.Popen(
        cmd, env={**env, "NEMODESK_PAINT_MARK": "1"}, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, cwd=cwd,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("first-paint "):
                return float(line.split()[1]) - t0
        raise RuntimeError(f"{cmd[0]} exited before painting")
    finally:
        proc.terminate()
        proc.wait(30)
