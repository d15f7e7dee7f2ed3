"""Load, play, switch and drop players over and over, each cycle with new QMediaPlayers, in a
qasync loop with executor work — the pattern that froze the app (see nemodesk/ui/media_track.py).

Run as ``python -m tests.ui.player_threads_driver MUSIC CLIP CYCLES``; prints the cycles done
as JSON. A freeze is photographed (tests/hang_watch.py) and ends the process after 60 s.
"""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication

from nemodesk.ui.player import PlayerView
from tests.hang_watch import HangWatch


async def cycle(i: int, music: Path, clip: Path) -> None:
    player = PlayerView()
    player.show()
    player.load_music(music)
    player.play()
    await asyncio.sleep(0.05 + (i % 7) * 0.03)
    if i % 2:
        player.load_video(clip)
        player.play()
        await asyncio.sleep(0.1)
    player.load_music(music)
    player.play()
    await asyncio.to_thread(time.sleep, 0.01)
    await asyncio.sleep((i % 5) * 0.02)
    player.pause()
    del player
    gc.collect()


def main() -> int:
    music, clip, cycles = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    app = QApplication(sys.argv[:1])
    watch = HangWatch()
    done = 0
    for i in range(cycles):
        watch.arm(40, f"player cycle {i}")
        faulthandler.dump_traceback_later(60, exit=True)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        loop.run_until_complete(cycle(i, music, clip))
        loop.close()
        asyncio.set_event_loop(None)
        done += 1
    faulthandler.cancel_dump_traceback_later()
    watch.disarm()
    print(json.dumps({"cycles": done}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
