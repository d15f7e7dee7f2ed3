"""The frozen app, built once per test session by PyInstaller from build.spec into a temp
folder (removed at the end), for the tests that need the real bundle: its self-test, what a
session loads in it, and its size against issue 18's goal."""

from __future__ import annotations

import faulthandler
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1500  # a cold PyInstaller analysis on a loaded 2-core machine


def allow_seconds(seconds: float) -> None:
    """Move tests/conftest.py's faulthandler deadline (570 s, exits the run) for a test that
    is slow by nature, not hung: xz -9 of the whole bundle on a loaded 2-core machine."""
    faulthandler.dump_traceback_later(seconds, exit=True)


def fresh_env(home: Path) -> dict[str, str]:
    """What a user's first start sees: an empty HOME, no venv on PATH, no display."""
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen"}  # fmt: skip


@pytest.fixture(scope="session")
def frozen_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """dist/NemoDesk/NemoDesk, freshly built (skips off Linux or without PyInstaller)."""
    if sys.platform != "linux":
        pytest.skip("built per platform by the release CI")
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    if not pyinstaller.exists():
        pytest.skip("PyInstaller is not installed (make setup installs it)")
    base = tmp_path_factory.mktemp("frozen")
    dist, work = base / "dist", base / "work"
    build = subprocess.run(
        [str(pyinstaller), "--noconfirm", "--log-level", "ERROR",
         "--distpath", str(dist), "--workpath", str(work), str(ROOT / "build.spec")],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, cwd=ROOT,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-3000:]
    shutil.rmtree(work, ignore_errors=True)
    app = dist / "NemoDesk" / "NemoDesk"
    assert app.is_file()
    yield app
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def app_icons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("icons")
    script = ROOT / "scripts" / "make_icons.py"
    cmd = [sys.executable, str(script), "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)
    return out
