"""One QMediaPlayer with its audio output, safe to drive from Python.

Qt's ffmpeg backend builds and destroys its renderers on its own threads. A renderer that dies
disconnects from our QMediaPlayer and QAudioOutput, and ``~QObject`` calls the sender's
``disconnectNotify`` while it holds a signal-slot mutex. On objects made from Python that call
goes through the PySide wrapper, which takes the GIL to look for a Python override, once per
object and virtual (then it remembers there is none). If the main thread holds the GIL at that
moment and waits for the same mutex, say in ``play()``, neither moves again: the app freezes
for good. ``prime_virtuals`` makes that first lookup happen on the main thread, so the ffmpeg
threads never need the GIL (tests/ui/test_player_threads.py: a freeze within ~10 load/play
cycles before, none in hundreds after).
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

MAX_INTERPOLATION_MS = 250  # the backend reports at least every ~100 ms while playing


def _ignore(*_args: object) -> None:
    pass


def prime_virtuals(*objects: QObject) -> None:
    """Have each wrapper look up (and cache the absence of) its Python ``connectNotify`` and
    ``disconnectNotify`` overrides now, on this thread, rather than later on a Qt thread that
    holds a mutex while it waits for the GIL."""
    for obj in objects:
        obj.objectNameChanged.connect(_ignore)
        obj.objectNameChanged.disconnect(_ignore)


class MediaTrack(QObject):
    """One QMediaPlayer and its audio output, remembering when it last reported a position so
    it can be read between the backend's coarse updates."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        prime_virtuals(self.player, self.audio)
        self.player.setAudioOutput(self.audio)
        self.loaded = False
        self._pos_ms = 0
        self._at = time.monotonic()
        self.player.positionChanged.connect(self._mark)
        self.player.playbackStateChanged.connect(lambda _s: self._mark(self.player.position()))

    def _mark(self, ms: int) -> None:
        self._pos_ms = ms
        self._at = time.monotonic()

    def load(self, path: Path | None) -> None:
        self.player.stop()
        self.player.setSource(QUrl.fromLocalFile(str(path)) if path else QUrl())
        self.loaded = path is not None
        self._mark(0)

    def playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def set_position(self, ms: int) -> None:
        self.player.setPosition(max(int(ms), 0))
        self._mark(max(int(ms), 0))

    def estimate_ms(self) -> float:
        if not self.playing():
            return float(self.player.position())
        since_ms = min((time.monotonic() - self._at) * 1000.0, MAX_INTERPOLATION_MS)
        return self._pos_ms + since_ms
