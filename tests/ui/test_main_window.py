"""The whole window against a real local engine: drops, routing, variations, export and
cancel, settings, keyring message, language switch, and the engine stopped on close."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from nemodesk.client.local_engine import pid_alive
from nemodesk.core.draft import TrackType
from nemodesk.ui.app import DesktopApp
from nemodesk.ui.preferences import Preferences
from tests.fixtures.media import make_clip, make_image, make_text_file_named


async def until(check, timeout_s: float = 90.0) -> None:
    t0 = time.perf_counter()
    while not check():
        assert time.perf_counter() - t0 < timeout_s, "state not reached in time"
        await asyncio.sleep(0.02)


@pytest.fixture
def desktop(qapp, tmp_path):
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    Preferences().window_geometry = b""  # each test starts as a first start: a window another
    # test resized and closed must not come back at its size
    d = DesktopApp(qapp, time.perf_counter(), tmp_path / "data")
    d.prefs.output_folder = tmp_path / "out"
    (tmp_path / "out").mkdir()
    d.window.export_view.set_output_folder(tmp_path / "out")
    d.show()
    d.loop = loop
    d.runs: list[tuple[str, bool]] = []
    d.service.running.connect(lambda name, on: d.runs.append((name, on)))
    run_on(loop, until(lambda: d.service._ready.is_set()))
    yield d
    if d.window.isVisible():
        d.window.close()
    run_on(loop, asyncio.wait_for(d.closed.wait(), 30))
    d.reporter.uninstall()
    loop.close()  # joins the loop's worker threads: Qt aborts at exit on a live QThread
    asyncio.set_event_loop(None)


def run_on(loop: qasync.QEventLoop, coro):
    """``loop.run_until_complete`` without qasync's last ``processEvents()``: that runs due
    asyncio callbacks outside the running loop, where an httpx call in flight (a card's
    waveform, a "use this") dies with anyio's "not running on any asynchronous event loop".
    In the app the loop never stops, so this only ever bit the tests."""
    future = asyncio.ensure_future(coro, loop=loop)
    future.add_done_callback(lambda _f: loop.stop())
    loop.run_forever()
    if not future.done():
        raise RuntimeError("the event loop stopped before the awaited state was reached")
    return future.result()


def run(d, coro):
    return run_on(d.loop, coro)


def drop(widget, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    enter = QDragEnterEvent(
        pos.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_drops_accepted_refused_and_several(desktop, tmp_path):
    w = desktop.window
    clip = make_clip(tmp_path / "beach.mp4", duration_s=6.0, cuts_s=[2.0, 4.0])
    text = make_text_file_named(tmp_path / "notes.txt")
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ" + b"\0" * 100)
    drop(w.drop, [text, exe])
    assert "notes.txt" in w.drop.message.text() and "mp4" in w.drop.message.text()
    assert ("upload", True) not in desktop.runs  # refused before any upload
    assert w.conversation.messages[-1][0] == "error"
    image = make_image(tmp_path / "cover.png")
    drop(w.drop, [clip, image, text])
    run(desktop, until(lambda: w.drop.clip is not None and not desktop.service.busy("upload")))
    clip_info = w.drop.clip
    assert clip_info["name"] == "beach.mp4" and abs(clip_info["duration_s"] - 6.0) < 0.1
    assert [round(c, 1) for c in clip_info["cuts_s"]] == [2.0, 4.0]
    assert "notes.txt" in w.drop.message.text() or "notes.txt" in w.conversation.messages[-1][1]
    video = w.timeline.draft().first(TrackType.VIDEO)
    assert video is not None and abs(video.span()[1] - 6000) <= 100
    assert w.prompt.parameters()["duration_s"] == pytest.approx(6.0, abs=0.1)  # match video


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("credits", "free"),
        ("积分", "free"),
        ("balance", "free"),
        ("余额", "free"),
        ("status", "Timeline ("),
        ("状态", "Timeline ("),
        ("show tracks", "Timeline ("),
    ],
)
def test_commands_answered_without_sse(desktop, text, expect):
    w = desktop.window
    w.say(text)
    run(desktop, until(lambda: w.conversation.messages[-1][0] == "assistant"))
    assert expect in w.conversation.messages[-1][1]
    assert not any(name == "chat" for name, _ in desktop.runs)


@pytest.mark.parametrize("text", ["upload", "上传"])
def test_upload_command_opens_the_picker(desktop, text):
    asked = []
    desktop.window.drop.pick_files = lambda: asked.append(1) or []
    desktop.window.say(text)
    assert asked == [1] and not any(name == "chat" for name, _ in desktop.runs)


@pytest.mark.parametrize("text", ["export", "导出"])
def test_export_command_runs_the_export(desktop, tmp_path, text):
    w = desktop.window
    w.generate("calm piano", {"duration_s": 3.0})
    run(desktop, until(lambda: ("chat", False) in desktop.runs))
    w.say(text)
    run(desktop, until(lambda: ("export", False) in desktop.runs))
    files = list((tmp_path / "out").iterdir())
    assert len(files) == 1 and files[0].suffix == ".wav" and files[0].stat().st_size > 100_000
    assert w.tabs.currentWidget() is w.export_view
    assert [n for n, on in desktop.runs if on].count("chat") == 1  # the export went no SSE


def test_variations_use_this_and_export_cancel(desktop, tmp_path):
    w = desktop.window
    renders, downloads = [], []
    desktop.service.renderProgress.connect(renders.append)
    desktop.service.downloadProgress.connect(downloads.append)
    w.prompt.genres.select(["jazz"])
    w.prompt.prompt.setPlainText("relaxed jazz for a cafe video")
    w.prompt.duration_mode.setCurrentIndex(w.prompt.DURATION_CUSTOM)
    w.prompt.duration.setTime(w.prompt.duration.time().fromString("00:04", "mm:ss"))
    w.prompt.request(3)
    run(desktop, until(lambda: len(w.variations.cards) == 3 and not desktop.service.busy("chat")))
    cards = w.variations.cards
    assert cards[0].in_use and not cards[1].in_use and w.variations.isVisible()
    assert all(c.entry["genre"] == "jazz" for c in cards)
    cards[1].use_button.click()
    run(desktop, until(lambda: desktop.service.current_media_id() == cards[1].media_id))
    run(desktop, until(lambda: w.variations.cards[1].in_use))
    bgm = w.timeline.draft().first(TrackType.AUDIO)
    assert bgm.segments[0].meta["src"] == f"media:{cards[1].media_id}"
    assert abs(bgm.span()[1] - 4000) <= 50

    w.export_view.select_format("mp3")
    w.export_view.trigger_export()
    run(desktop, until(lambda: ("export", False) in desktop.runs))
    out = list((tmp_path / "out").glob("*.mp3"))
    assert len(out) == 1 and renders[-1].status == "completed"
    assert downloads and downloads[-1].done == out[0].stat().st_size
    assert w.export_view.result_path() == out[0]

    desktop.runs.clear()
    w.export_view.select_format("wav")
    w.export_view.trigger_export()
    w.export_view.cancel_button.click()
    run(desktop, until(lambda: ("export", False) in desktop.runs))
    assert not list((tmp_path / "out").glob("*.wav"))
    assert not list((tmp_path / "out").glob(".*"))
    assert not w.export_view.is_running()


def test_keyring_message_language_switch_and_settings_kept(desktop):
    w = desktop.window
    desktop.prefs.keyring_notice_shown = False  # shown once per user: the suite shares one
    desktop.service.tokenStatus.emit(False)
    assert w.keyring_label.isVisible()
    assert "keyring" in w.keyring_label.text()
    w.prompt.moods.select(["epic"])
    english = w.prompt.generate_button.text()
    desktop.prefs.language = "zh_CN"
    desktop.apply_settings({"language": "zh_CN"})
    QApplication.processEvents()
    assert w.prompt.generate_button.text() == "生成" and w.windowTitle() != english
    assert "密钥" in w.keyring_label.text()
    desktop.prefs.language = "en"
    desktop.apply_settings({"language": "en"})
    QApplication.processEvents()
    assert w.prompt.generate_button.text() == english == "Generate"
    w.close()
    run(desktop, asyncio.wait_for(desktop.closed.wait(), 30))
    assert desktop.prefs.prompt_choices["mood"] == ["epic"]


def test_engine_child_stopped_on_close(desktop):
    engine = desktop.service.engine
    assert engine is not None and engine.owned and pid_alive(engine.pid)
    pid = engine.pid
    desktop.window.close()
    run(desktop, asyncio.wait_for(desktop.closed.wait(), 30))
    t0 = time.perf_counter()
    while pid_alive(pid) and time.perf_counter() - t0 < 10:
        time.sleep(0.05)
    assert not pid_alive(pid)
    assert not os.path.exists(engine.record_path)
