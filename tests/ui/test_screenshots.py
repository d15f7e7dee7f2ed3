"""The main window in its main states, English and Chinese, photographed under a real X
server (Xvfb) into tests/artifacts/ — to be looked at, and checked here for content."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.fixtures.media import make_clip
from tests.fixtures.speech import voice_over
from tests.probes import answer, module_command, run_probe

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
STATES = ("empty", "clip-loaded", "generating", "variations", "exporting", "exported")


@pytest.fixture(scope="module")
def xvfb():
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (make setup installs it)")
    for display in range(70, 90):
        if not Path(f"/tmp/.X11-unix/X{display}").exists():
            break
    proc = subprocess.Popen(
        ["Xvfb", f":{display}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{display}").exists():
            break
        time.sleep(0.05)
    yield f":{display}"
    proc.terminate()
    proc.wait(10)


def _distinct_colours(path: Path) -> int:
    img = QImage(str(path)).scaled(200, 120)
    return len({img.pixel(x, y) for x in range(img.width()) for y in range(img.height())})


@pytest.mark.parametrize(("lang", "theme"), [("en", "light"), ("zh_CN", "light"), ("en", "dark")])
def test_main_window_states(xvfb, tmp_path, lang, theme):
    talk = voice_over(10.0, [1.0, 6.0]).stereo()  # speech: the band, and the music's dip
    clip = make_clip(tmp_path / "city-night.mp4", duration_s=10.0, cuts_s=[3.0, 6.5], sound=talk)
    out = ARTIFACTS / "screenshots" / theme
    out.mkdir(parents=True, exist_ok=True)
    env = {
        "DISPLAY": xvfb,
        "QT_QPA_PLATFORM": "xcb",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "NEMODESK_THEME": theme,
    }
    # A freeze photographs its stacks (gdb at 120 s, faulthandler at 150 s) into stderr.
    proc = run_probe(module_command("tests.ui.shots_driver", out, lang, clip), timeout=300, env=env)
    if proc.returncode != 0:
        (ARTIFACTS / f"stall-{lang}-{theme}.txt").write_text(proc.stderr[-20000:])
    result = answer(proc)
    assert result["failures"] == []
    for state in STATES:
        png = Path(result["shots"][state])
        assert png.is_file() and png.stat().st_size > 10_000
        assert _distinct_colours(png) > 40  # a painted window, not a blank surface
    if shutil.which("import"):  # the X server's own picture of the whole screen
        assert _distinct_colours(out / f"screen-{lang}.png") > 40
