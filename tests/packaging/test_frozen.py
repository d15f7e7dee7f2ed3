"""The frozen app, built for real by PyInstaller from build.spec (once per session, see
conftest.py), passes its own --self-test in a fresh environment (empty HOME, no venv on
PATH): proof that the bundle carries the engine, the SoundFont, PyAV and the Qt plugins."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import fresh_env


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_frozen_bundle_self_test(frozen_app: Path, tmp_path: Path) -> None:
    bundled = {p.name for p in frozen_app.parent.rglob("*")}
    assert any(n.endswith(".sf2pack") for n in bundled)  # the SoundFont, packed
    assert "libqoffscreen.so" in bundled and "libqxcb.so" in bundled  # Qt platforms
    assert "libqwayland.so" in bundled
    assert "libffmpegmediaplugin.so" in bundled and "nemodesk_zh_CN.qm" in bundled
    home = tmp_path / "home"
    home.mkdir()
    run = subprocess.run(
        [str(frozen_app), "--self-test"], env=fresh_env(home), capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert run.returncode == 0 and report["ok"], (report, run.stderr[-3000:])
    assert report["wav_seconds"] == 5.0 and report["wav_bytes"] > 800_000
    # the engine warmed a worker (SoundFont unpacked and loaded, imports done) as it started,
    # before the first track was asked for: its log says so (issue 18)
    assert report["worker_warm_s"] is not None, run.stderr[-3000:]
    assert "No QtMultimedia backends found" not in run.stderr  # the player has its backend
