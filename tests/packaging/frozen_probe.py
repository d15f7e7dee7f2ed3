"""Run a Python script *inside* a frozen NemoDesk (its bundled interpreter, its PYZ, its
libraries) — to check what the bundle can do beyond ``--self-test`` and what it loads.

The frozen app's ``multiprocessing.freeze_support()`` treats ``--multiprocessing-fork
pipe_handle=N`` as a spawned worker and unpickles its start-up data from that pipe; we send
a pickle that unpickles as ``runpy.run_path(script)``. The script prints one JSON line last.
"""

from __future__ import annotations

import json
import os
import pickle
import runpy
import subprocess
from pathlib import Path
from typing import Any

# Run by probe() inside the frozen app: exercises what a session uses beyond the self-test
# (the player's FFmpeg backend, PyAV's codecs, Pillow's title, ICU collation, the keyring
# module, speech detection) and reports the modules and shared libraries that ended up loaded.
SESSION_PROBE = r"""
import json, os, sys, time, tempfile
from pathlib import Path
report = {"errors": []}
def check(name, fn):
    try:
        report[name] = fn()
    except Exception as e:  # noqa: BLE001
        report["errors"].append(f"{name}: {type(e).__name__}: {e}")

work = Path(tempfile.mkdtemp(prefix="nemodesk-probe-"))

def codecs():
    import av, numpy as np
    out = {}
    path = work / "clip.mp4"
    with av.open(str(path), "w") as c:
        v = c.add_stream("libx264", rate=25)
        v.width, v.height, v.pix_fmt = 320, 240, "yuv420p"
        a = c.add_stream("aac", rate=44100)
        for i in range(25):
            img = np.full((240, 320, 3), i * 10 % 255, np.uint8)
            for p in v.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in v.encode():
            c.mux(p)
        t = np.arange(44100, dtype=np.float32) / 44100
        frame = av.AudioFrame.from_ndarray(
            np.sin(2 * np.pi * 440 * t)[None, :].astype(np.float32), format="fltp", layout="mono")
        frame.sample_rate = 44100
        for p in a.encode(frame):
            c.mux(p)
        for p in a.encode():
            c.mux(p)
    with av.open(str(path)) as c:
        out["h264_aac_frames"] = sum(1 for _ in c.decode(video=0))
    for codec, ext in (("libmp3lame", "mp3"), ("libopus", "opus"), ("flac", "flac"),
                       ("pcm_s16le", "wav"), ("aac", "m4a")):
        p = work / f"a.{ext}"
        with av.open(str(p), "w") as c:
            s = c.add_stream(codec, rate=48000 if codec == "libopus" else 44100)
            n = 48000 if codec == "libopus" else 44100
            fr = av.AudioFrame.from_ndarray(np.zeros((1, n), np.int16) if codec == "pcm_s16le"
                else np.zeros((1, n), np.float32 if codec != "flac" else np.int16),
                format="s16" if codec in ("pcm_s16le", "flac") else "fltp", layout="mono")
            fr.sample_rate = n
            for pk in s.encode(fr):
                c.mux(pk)
            for pk in s.encode():
                c.mux(pk)
        with av.open(str(p)) as c:
            out[codec] = sum(f.samples for f in c.decode(audio=0))
    out["decoders"] = {n: av.codec.Codec(n, "r").name for n in ("h264", "hevc", "vp9", "vp8",
                       "libdav1d", "aac", "mp3", "opus", "flac", "amrnb", "webp")}
    out["codecs_available"] = len(av.codecs_available)
    return out

def title():
    from nemodesk.engine.media.title import render_rgba
    img, w, h = render_rgba("Hello 你好", 640, 360)
    return [img.size[0], img.size[1]]

def collate():
    from PySide6.QtCore import QCollator, QLocale
    words = ["张", "阿", "北"]
    c = QCollator(QLocale("zh_CN"))
    return sorted(words, key=c.sortKey)

def icu():
    from PySide6.QtCore import QByteArray, QLocale, QTimeZone
    zone = QTimeZone(QByteArray(b"Asia/Shanghai"))
    return {
        "compare": [c for c in (QCollatorCompare("zh_CN", "阿", "北"),
                                QCollatorCompare("en_US", "a", "B"))],
        "zone_zh": zone.displayName(QTimeZone.TimeType.StandardTime,
                                    QTimeZone.NameType.LongName, QLocale("zh_CN")),
        "upper_tr": QLocale("tr_TR").toUpper("i"),
    }

def QCollatorCompare(locale, a, b):
    from PySide6.QtCore import QCollator, QLocale
    return QCollator(QLocale(locale)).compare(a, b)

def player():
    # Qt's FFmpeg media plugin, on the FFmpeg it is given in the bundle (PyAV's): a video's
    # pictures reach the screen, and the music formats the app previews play
    from PySide6.QtCore import QCoreApplication, QUrl
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
    from PySide6.QtWidgets import QApplication
    from PySide6.QtMultimediaWidgets import QVideoWidget
    app = QApplication.instance() or QApplication(["probe"])
    def play(name, widget=None):
        player = QMediaPlayer()
        out = QAudioOutput()
        player.setAudioOutput(out)
        frames = []
        if widget is not None:
            player.setVideoOutput(widget)
            widget.show()
            widget.videoSink().videoFrameChanged.connect(
                lambda f: frames.append(f.size().width()) if f.isValid() else None)
        player.setSource(QUrl.fromLocalFile(str(work / name)))
        t0 = time.monotonic()
        loading = (QMediaPlayer.MediaStatus.NoMedia, QMediaPlayer.MediaStatus.LoadingMedia)
        while player.mediaStatus() in loading and time.monotonic() - t0 < 20:
            app.processEvents()
            time.sleep(0.02)
        player.play()
        t1 = time.monotonic()
        while player.position() < 300 and time.monotonic() - t1 < 10:
            app.processEvents()
            time.sleep(0.02)
        status = {"available": player.isAvailable(), "duration_ms": player.duration(),
                  "position_ms": player.position(), "error": player.errorString(),
                  "frames": len(frames), "width": max(frames, default=0)}
        player.stop()
        return status
    status = play("clip.mp4", QVideoWidget())
    status["music"] = {ext: play(f"a.{ext}") for ext in ("wav", "mp3", "m4a")}
    return status

def keyring_backend():
    import keyring
    return type(keyring.get_keyring()).__name__

def speech():
    # the voice-over detector (Silero in numpy, its weights from the bundle) on real speech
    import subprocess
    from nemodesk.engine.media.speech import detect_speech
    wav = work / "voice.wav"
    words = "Welcome back. Today we walk through the old town and find the best coffee."
    subprocess.run(["espeak-ng", "-w", str(wav), words], check=True)
    regions, lufs = detect_speech(wav)
    return {"regions": len(regions), "voiced_s": sum(b - a for a, b in regions), "lufs": lufs}

check("codecs", codecs)
check("title", title)
check("collate", collate)
check("icu", icu)
check("player", player)
check("keyring", keyring_backend)
check("speech", speech)
report["modules"] = sorted(sys.modules)
libs = set()
for line in open("/proc/self/maps"):
    parts = line.split()
    if len(parts) >= 6 and ".so" in parts[5]:
        libs.add(parts[5])
report["libraries"] = sorted(libs)
print(json.dumps(report), flush=True)
os._exit(0)
"""


class _RunPath:
    """Unpickles as ``runpy.run_path(path, run_name="__main__")``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[str, None, str]]:
        return (runpy.run_path, (self.path, None, "__main__"))


def probe(app: Path, script: str, env: dict[str, str], timeout: float = 300) -> dict[str, Any]:
    """Run ``script`` (Python source) in the frozen ``app``; its last stdout line as JSON."""
    folder = Path(env["HOME"])
    path = folder / "probe_script.py"
    path.write_text(script, encoding="utf-8")
    read, write = os.pipe()
    try:
        os.write(write, pickle.dumps(_RunPath(str(path)), protocol=4))
    finally:
        os.close(write)
    try:
        run = subprocess.run(
            [str(app), "--multiprocessing-fork", f"pipe_handle={read}"],
            pass_fds=(read,), env=env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    finally:
        os.close(read)
    lines = run.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"probe printed nothing (exit {run.returncode}): {run.stderr[-3000:]}")
    return json.loads(lines[-1])
