"""A big upload streams: the client's memory stays flat while 1 GiB goes to the engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZE = 1 << 30


def test_one_gib_upload_memory_flat(engine, tmp_path):
    big = tmp_path / "big.mp4"
    with open(big, "wb") as f:
        f.truncate(SIZE)  # sparse: no disk cost to make it
    proc = subprocess.run(
        [sys.executable, "-m", "tests.client.upload_probe", engine.url, str(big)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["sent"] == SIZE and r["progress_calls"] >= 1000  # about every MiB
    assert r["code"] == 4001
    assert r["rss_peak_mb"] - r["rss_before_mb"] < 40, r
