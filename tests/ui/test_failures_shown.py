"""Failures the user sees (issue 13): an unreachable cloud fails a job at once with a Retry,
a backend switch keeps the clip in the new session, a bad file reads as one plain sentence
where the user is looking, and nothing fails silently (no launcher, no sound output, a local
session's "link")."""

from __future__ import annotations

import socket
import time

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from nemodesk.core.draft import TrackType
from nemodesk.core.formats import supported_list
from nemodesk.ui.export_view import ExportView
from nemodesk.ui.player import PlayerView
from tests.fixtures.media import make_clip, make_text_file_named
from tests.ui.test_main_window import desktop, drop, run, until  # noqa: F401 (fixture)

FAIL_FAST_S = 5.0


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def prefs_restored(desktop):  # noqa: F811
    """Preferences persist in QSettings and the translator is the app's: put backend and
    language back afterwards."""
    yield desktop
    desktop.prefs.backend = "local"
    desktop.prefs.language = "en"
    desktop.translator.apply("en")  # the next test's widgets start in English


def test_unreachable_cloud_fails_each_job_fast_with_a_retry(prefs_restored, monkeypatch):
    d = prefs_restored
    w = d.window
    monkeypatch.setenv("NEMO_CLIENT_ID", "test-client")  # not the developer's own id file
    d.prefs.backend = "cloud"
    d.prefs.api_url = f"http://127.0.0.1:{closed_port()}"
    d.runs.clear()
    d.apply_settings({"backend": "cloud"})
    run(d, until(lambda: ("connect", False) in d.runs, 10))

    t0 = time.perf_counter()
    w.generate("calm piano", {"duration_s": 3.0})
    assert not w.prompt.generate_button.isEnabled()  # busy while it tries
    run(d, until(lambda: ("chat", False) in d.runs, FAIL_FAST_S))
    elapsed = time.perf_counter() - t0
    assert elapsed < FAIL_FAST_S
    assert w.prompt.generate_button.isEnabled()
    assert w.error_label.isVisible() and "network" in w.error_label.text()
    assert "Traceback" not in w.error_label.text() and "ConnectError" not in w.error_label.text()
    assert w.retry_button.isVisible() and w.retry_button.text() == "Retry"
    assert w.conversation.messages[-1][0] == "error"
    assert "not connected" in w.backend_label.text().lower()
    assert "free" not in w.credits_label.text() and "offline" not in w.credits_label.text()

    d.runs.clear()
    t0 = time.perf_counter()
    w.retry_button.click()  # still unreachable: fails fast again, Retry offered again
    run(d, until(lambda: ("chat", False) in d.runs, FAIL_FAST_S))
    assert time.perf_counter() - t0 < FAIL_FAST_S
    assert w.error_label.isVisible() and w.retry_button.isVisible()
    assert "free" not in w.credits_label.text()


def test_backend_switch_sends_the_shown_clip_to_the_new_session(desktop, tmp_path):  # noqa: F811
    w, service = desktop.window, desktop.service
    clip = make_clip(tmp_path / "beach.mp4", duration_s=4.0, cuts_s=[2.0])
    drop(w.drop, [clip])
    run(desktop, until(lambda: w.drop.clip is not None and not service.busy("upload")))
    old = w.session.session_id

    desktop.runs.clear()
    desktop.apply_settings({"backend": "local"})  # a new connection: a new session
    # one wait to the end (stopping the loop mid-upload would strand the upload's I/O)
    run(desktop, until(lambda: ("upload", False) in desktop.runs, 60))
    assert w.session is not None and w.session.session_id != old
    state = run(desktop, service.client.state())
    video = state.draft.first(TrackType.VIDEO)
    assert video is not None and abs(video.span()[1] - 4000) <= 100  # in the new session
    assert w.drop.clip is not None and w.drop.clip["name"] == "beach.mp4"
    assert w.timeline.draft().first(TrackType.VIDEO) is not None
    assert w.export_view.format_buttons["mp4"].isEnabled()

    clip.unlink()  # gone from disk: the area says so instead of showing a clip it lost
    old = w.session.session_id
    desktop.apply_settings({"backend": "local"})
    run(desktop, until(lambda: w.session is not None and w.session.session_id != old, 60))
    run(desktop, until(lambda: w.drop.clip is None, 10))
    assert w.drop.message.isVisible() and "beach.mp4" in w.drop.message.text()


def test_bad_file_reads_once_where_the_user_looks_and_clears(prefs_restored, tmp_path):
    d = prefs_restored
    w, service = d.window, d.service
    clip = make_clip(tmp_path / "beach.mp4", duration_s=3.0)
    drop(w.drop, [clip])
    run(d, until(lambda: w.drop.clip is not None and not service.busy("upload")))

    w.tabs.setCurrentWidget(w.export_view)  # the conversation is out of sight
    bad = make_text_file_named(tmp_path / "notes_renamed.mp4")
    d.runs.clear()
    drop(w.drop, [bad])
    run(d, until(lambda: ("upload", False) in d.runs))
    text = w.drop.message.text()
    assert w.drop.message.isVisible() and w.drop.clip is not None  # shown with the clip
    assert text.count("notes_renamed.mp4") == 1 and text.count(supported_list()) == 1
    assert "is not" not in text and "isn't supported. Supported" not in text  # not garbled
    assert w.error_label.isVisible() and w.error_label.text() == text
    assert not w.retry_button.isVisible()  # the next step is another file, not a retry

    d.prefs.language = "zh_CN"
    d.apply_settings({"language": "zh_CN"})
    QApplication.processEvents()
    d.runs.clear()
    drop(w.drop, [bad])
    run(d, until(lambda: ("upload", False) in d.runs))
    assert "无法使用“notes_renamed.mp4”" in w.drop.message.text()
    assert "isn't" not in w.drop.message.text()

    d.runs.clear()
    drop(w.drop, [clip])  # a later success clears the old error everywhere
    run(d, until(lambda: ("upload", False) in d.runs))
    assert not w.drop.message.isVisible() and w.drop.message.text() == ""
    assert not w.error_label.isVisible()


def test_show_in_folder_without_a_launcher_offers_the_path(qtbot, tmp_path):
    opened: list[QUrl] = []
    view = ExportView(open_url=lambda url: opened.append(url) or False)
    qtbot.addWidget(view)
    view.show()
    path = tmp_path / "beach-music.wav"
    path.write_bytes(b"\0")
    view.set_finished(path)
    assert not view.copy_path.isVisible()
    view.show_folder.click()
    assert opened == [QUrl.fromLocalFile(str(tmp_path))]
    assert "No file manager" in view.detail.text() and str(tmp_path) in view.detail.text()
    assert view.copy_path.isVisible()
    view.copy_path.click()
    assert QGuiApplication.clipboard().text() == str(path)
    assert "copied" in view.detail.text()


def test_player_says_it_is_silent_without_a_sound_output(qtbot):
    player = PlayerView()
    qtbot.addWidget(player)
    player.show()
    player.audio_outputs = lambda: []
    assert player.check_audio_output() is False
    assert player.sound_note.isVisible() and "silent" in player.sound_note.text()
    player.audio_outputs = lambda: [object()]
    assert player.check_audio_output() is True
    assert not player.sound_note.isVisible()


def test_local_session_offers_no_cloud_link(desktop):  # noqa: F811
    w = desktop.window
    assert w.session is not None and not w.link_button.isVisible()
    QGuiApplication.clipboard().clear()
    w._copy_link()  # the shortcut path, if anything still calls it
    assert QGuiApplication.clipboard().text() == ""
    assert "only on this computer" in w.statusBar().currentMessage()
