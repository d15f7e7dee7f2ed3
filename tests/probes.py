"""Run a helper program of the test suite in its own process and read its answer.

Probes and drivers (tests/client/*_probe.py, tests/ui/*_driver.py) run apart from pytest so a
crash, a freeze or a memory measure stays theirs; each prints one JSON line last.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def module_command(module: str, *args: object) -> list[str]:
    return [sys.executable, "-m", module, *map(str, args)]


def run_probe(
    argv: list[str], *, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` from the repository root with it importable; output captured as text."""
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)},
    )


def answer(proc: subprocess.CompletedProcess[str]) -> Any:
    """The probe's last line, as JSON (after checking it succeeded)."""
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-6000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
