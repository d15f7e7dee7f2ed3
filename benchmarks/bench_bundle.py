"""The installed app as users get it: the one-folder bundle's size, the Linux installer's
size, and the frozen app's cold start (first painted window from process start) and
self-test timings, in a fresh environment (empty HOME, no venv on PATH). Builds
dist/NemoDesk first when it is missing (`make package`), and the installer when it is
missing or older than the bundle.

Run: .venv/bin/python -m benchmarks.bench_bundle
Goals (issue 18): bundle ≤ 250 MB, compressed installer ≤ 120 MB; first paint ≤ 1.5 s frozen
as well. Prints a table and, last, one JSON line.
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
BUNDLE_GOAL_MB = 250
INSTALLER_GOAL_MB = 120


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def largest(folder: Path, n: int = 10) -> str:
    sizes: dict[str, int] = {}
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            key = "/".join(p.relative_to(folder).parts[:2])
            sizes[key] = sizes.get(key, 0) + p.stat().st_size
    top = sorted(sizes.items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{k.removeprefix('_internal/')} {v / 1e6:.0f}" for k, v in top)


def installer() -> Path | None:
    """The Linux .tar.xz of the current bundle (made when missing or stale); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    sys.path[:0] = [str(ROOT / "packaging" / "linux")]
    import build_tarball  # packaging/linux/build_tarball.py

    out = ROOT / "dist" / build_tarball.tarball_name()
    if not out.exists() or out.stat().st_mtime < APP.stat().st_mtime:
        build_tarball.make_tarball(APP.parent, build_tarball.bundle.BUILD_ICONS)
    return out


def fresh_env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }


def _goal(value_mb: float | None, goal_mb: int) -> str:
    if value_mb is None:
        return f"≤ {goal_mb} MB"
    verdict = "met" if value_mb <= goal_mb else f"MISSED by {value_mb - goal_mb:.0f} MB"
    return f"≤ {goal_mb} MB ({verdict})"


def main() -> None:
    if not APP.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "package.sh")], check=True, cwd=ROOT)
    size = folder_bytes(APP.parent)
    tarball = installer()
    tar_size = tarball.stat().st_size if tarball else None
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
    size_mb = size / 1e6
    tar_mb = tar_size / 1e6 if tar_size is not None else None
    rows = [
        ("bundle size (dist/NemoDesk)", f"{size_mb:.0f} MB", _goal(size_mb, BUNDLE_GOAL_MB)),
        (
            f"installer size ({tarball.name if tarball else '-'})",
            f"{tar_mb:.0f} MB" if tar_mb is not None else "-",
            _goal(tar_mb, INSTALLER_GOAL_MB),
        ),
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
    if size_mb > BUNDLE_GOAL_MB:  # why: where the megabytes are
        print(f"  largest parts (MB): {largest(APP.parent)}")
    print(
        json.dumps(
            {
                "bundle_mb": round(size_mb, 1),
                "bundle_goal_mb": BUNDLE_GOAL_MB,
                "installer_mb": round(tar_mb, 1) if tar_mb is not None else None,
                "installer_goal_mb": INSTALLER_GOAL_MB,
                "installer": tarball.name if tarball else None,
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
