"""Drive the real app through its main states and save a screenshot of each (run by
test_screenshots.py under Xvfb). Usage: python -m tests.ui.shots_driver OUT_DIR LANG CLIP"""

from __future__ import annotations

import asyncio
import faulthandler
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import qasync

from tests.hang_watch import HangWatch

PROMPTS = {
    "en": "Tense cinematic score that builds to a dramatic finale, title: Night Run",
    "zh_CN": "紧张的电影感配乐，逐渐推向高潮，标题：夜跑",
}


async def _until(check, timeout_s: float = 120.0) -> None:
    t0 = time.perf_counter()
    while not check():
        if time.perf_counter() - t0 > timeout_s:
            raise TimeoutError("state not reached")
        await asyncio.sleep(0.02)


async def drive(desktop, out: Path, lang: str, clip: Path) -> dict:
    service, window = desktop.service, desktop.window
    shots: dict[str, str] = {}
    failures: list[str] = []
    service.failed.connect(lambda name, err: failures.append(f"{name}: {err!r}"))

    async def shot(name: str) -> None:
        await asyncio.sleep(0.3)  # the Qt loop paints meanwhile (never processEvents() here:
        # inside a running task it would re-enter asyncio)
        path = out / f"{name}-{lang}.png"
        window.grab().save(str(path))
        shots[name] = str(path)
        if name == "variations" and shutil.which("import") and os.environ.get("DISPLAY"):
            screen = out / f"screen-{lang}.png"
            subprocess.run(["import", "-window", "root", str(screen)], timeout=30, check=False)

    await _until(lambda: service._ready.is_set())
    await shot("empty")
    window.upload([clip])
    await _until(lambda: window.drop.clip is not None)
    await shot("clip-loaded")
    window.prompt.prompt.setPlainText(PROMPTS[lang])
    task = window.prompt.request(1)
    await _until(lambda: service.busy("chat"))
    await asyncio.sleep(0.2)
    await shot("generating")
    await _until(lambda: not service.busy("chat"))
    window.prompt.request(3)
    await _until(lambda: service.busy("chat"))
    await _until(lambda: not service.busy("chat"))
    await _until(lambda: len(window.variations.cards) == 3)
    await shot("variations")
    rendered: list[float] = []
    service.renderProgress.connect(lambda st: rendered.append(st.progress))
    window.export_view.set_output_folder(Path(tempfile.mkdtemp(prefix="nemodesk-shots-out-")))
    window.tabs.setCurrentWidget(window.export_view)
    window.export_view.trigger_export()
    await _until(lambda: rendered)
    await shot("exporting")
    await _until(lambda: not service.busy("export"))
    await shot("exported")
    del task
    window.close()
    await asyncio.wait_for(desktop.closed.wait(), 30)
    return {"shots": shots, "failures": failures}


def main() -> int:
    # A hang says where, then ends: native stacks by gdb at 120 s, Python stacks at 150 s.
    watch = HangWatch()
    watch.arm(120, "screenshot driver")
    faulthandler.dump_traceback_later(150, exit=True)
    out, lang, clip = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    from nemodesk.ui import app as appmod
    from nemodesk.ui.preferences import Preferences

    qt = appmod._setup_qt(sys.argv[:1])
    qt.setQuitOnLastWindowClosed(False)
    Preferences().language = lang
    loop = qasync.QEventLoop(qt)
    asyncio.set_event_loop(loop)
    data = Path(tempfile.mkdtemp(prefix="nemodesk-shots-"))
    desktop = appmod.DesktopApp(qt, time.perf_counter(), data)
    desktop.reporter.uninstall()  # a failure here goes to stderr, not to the app's log
    desktop.window.resize(1440, 900)
    desktop.show()
    with loop:
        result = loop.run_until_complete(drive(desktop, out, lang, clip))
    watch.disarm()
    print(json.dumps(result))
    return 0 if not result["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
