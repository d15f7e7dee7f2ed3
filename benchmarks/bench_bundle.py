"""The installed app as users get it: the one-folder bundle's size and the frozen app's cold
start (first painted window from process start) and self-test timings, in a fresh
environment (empty HOME, no venv on PATH). Builds dist/NemoDesk first when it is missing.

Run: .venv/bin/python -m benchmarks.bench_bundle
Goal: first paint ≤ 1.5 s frozen as well. Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.first_paint import first_paint

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dist" / "NemoDesk" / ("NemoDesk.exe" if sys.platform == "win32" else "NemoDesk")
RUNS = 3


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def fresh_env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }


def main() -> None:
    if not APP.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "package.sh")], check=True, cwd=ROOT)
    size = folder_bytes(APP.parent)
    paints = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as home:
            paints.append(first_paint([str(APP)], fresh_env(Path(home))))
    with tempfile.TemporaryDirectory() as home:
        t0 = time.perf_counter()
        out = subprocess.run(
            [str(APP), "--self-test"], env={**fresh_env(Path(home))}, capture_output=True,
            text=True, timeout=600,
        )  # fmt: skip
        wall = time.perf_counter() - t0
    report = json.loads(out.stdout.strip().splitlines()[-1])
    rows = [
        ("bundle size (dist/NemoDesk)", f"{size / 1e6:.0f} MB", ""),
        ("frozen cold start → first paint (median of 3)",
         f"{statistics.median(paints):.2f} s", "≤ 1.5 s"),
        ("frozen --self-test wall time", f"{wall:.2f} s", ""),
        ("  engine ready / generate 5 s / export WAV",
         f"{report.get('engine_ready_s')} / {report.get('generate_s')} / "
         f"{report.get('export_s')} s", ""),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    for name, value, goal in rows:
        print(f"{name:<{width}}  {value:>24}  {goal}")
    print(
        json.dumps(
            {
                "bundle_mb": round(size / 1e6, 1),
                "frozen_first_paint_s": round(statistics.median(paints), 3),
                "frozen_first_paint_runs_s": [round(p, 3) for p in paints],
                "frozen_self_test_wall_s": round(wall, 2),
                "self_test": report,
                "platform": sys.platform,
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
