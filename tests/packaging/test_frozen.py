"""The frozen app, built for real by PyInstaller from build.spec into a temp folder, passes
its own --self-test in a fresh environment (empty HOME, no venv on PATH): proof that the
bundle carries the engine, the SoundFont, PyAV and the Qt plugins."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="built per platform by the release CI")
def test_frozen_bundle_self_test(tmp_path):
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    if not pyinstaller.exists():
        pytest.skip("PyInstaller is not installed (make setup installs it)")
    dist, work = tmp_path / "dist", tmp_path / "work"
    build = subprocess.run(
        [str(pyinstaller), "--noconfirm", "--log-level", "ERROR",
         "--distpath", str(dist), "--workpath", str(work), str(ROOT / "build.spec")],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-3000:]
    app = dist / "NemoDesk" / "NemoDesk"
    assert app.is_file()
    bundled = {p.name for p in (dist / "NemoDesk").rglob("*")}
    assert "FluidR3_GM.sf2.sf2pack" in bundled  # the SoundFont, packed
    assert "libqoffscreen.so" in bundled and "libqxcb.so" in bundled  # Qt platforms
    assert "libffmpegmediaplugin.so" in bundled and "nemodesk_zh_CN.qm" in bundled
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           "QT_QPA_PLATFORM": "offscreen"}  # fmt: skip
    run = subprocess.run(
        [str(app), "--self-test"], env=env, capture_output=True, text=True, timeout=600
    )
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert run.returncode == 0 and report["ok"], (report, run.stderr[-3000:])
    assert report["wav_seconds"] == 5.0 and report["wav_bytes"] > 800_000
    shutil.rmtree(dist, ignore_errors=True)
