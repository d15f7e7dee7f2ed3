"""The basics a new user expects (issue 13, item 8): Undo/Redo by shortcut and button that
change the draft and the UI, File/Edit/Help menus whose windows open, the file dialog that
starts in the last folder (else Videos), and the keyring notice shown once with a "Why?"."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QTableWidget

from nemodesk.core.draft import TrackType
from nemodesk.ui.preferences import Preferences, videos_folder
from tests.ui.test_main_window import desktop, run, until  # noqa: F401 (the fixture)


def _volume(d) -> int | None:
    bgm = d.service.draft.first(TrackType.AUDIO)
    return int(bgm.segments[0].meta.get("volume", 100)) if bgm and bgm.segments else None


def _round(d, start) -> None:
    """Do ``start`` and wait until its chat round ended."""
    d.runs.clear()
    start()
    run(d, until(lambda: ("chat", False) in d.runs and not d.service.busy("chat")))
    QApplication.processEvents()


def test_undo_and_redo_by_shortcut_and_button(desktop):  # noqa: F811
    d, w = desktop, desktop.window
    assert not w.undo_button.isEnabled() and not w.redo_button.isEnabled()
    _round(d, lambda: w.generate("calm piano", {"duration_s": 3.0}))
    assert _volume(d) == 100 and w.undo_button.isEnabled() and not w.redo_button.isEnabled()
    _round(d, lambda: w.say("music at 20%"))
    assert _volume(d) == 20 and w.player.music_volume() == 20

    w.setFocus()  # not in a text field: Ctrl+Z is the window's
    w.activateWindow()
    _round(d, lambda: QTest.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier))
    assert _volume(d) == 100, "Ctrl+Z undid the volume change"
    assert w.player.music_volume() == 100
    assert w.timeline.draft().first(TrackType.AUDIO).segments[0].meta.get("volume", 100) == 100
    assert w.redo_button.isEnabled()

    _round(d, w.redo_button.click)
    assert _volume(d) == 20 and w.player.music_volume() == 20
    assert not w.redo_button.isEnabled()

    _round(d, w.undo_button.click)
    assert _volume(d) == 100
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    _round(d, lambda: QTest.keyClick(w, Qt.Key.Key_Z, mods))
    assert _volume(d) == 20, "Ctrl+Shift+Z redid it"
    said = [text for role, text in w.conversation.messages if role == "user"]
    assert "Undo the last change" in said and "Redo the change" in said


def test_a_new_edit_ends_redo(desktop):  # noqa: F811
    d, w = desktop, desktop.window
    _round(d, lambda: w.generate("calm piano", {"duration_s": 3.0}))
    _round(d, lambda: w.say("music at 20%"))
    _round(d, w.undo)
    assert w.redo_button.isEnabled()
    _round(d, lambda: w.say("music at 50%"))
    assert _volume(d) == 50 and not w.redo_button.isEnabled()


def test_menus_and_their_windows(desktop):  # noqa: F811
    w = desktop.window
    titles = [a.text().replace("&", "") for a in w.menuBar().actions()]
    assert titles == ["File", "Edit", "Help"]
    assert w.undo_action.shortcut() == QKeySequence("Ctrl+Z")
    assert QKeySequence("Ctrl+Shift+Z") in w.redo_action.shortcuts()
    assert w.shortcuts_action in w.help_menu.actions() and w.about_action in w.help_menu.actions()

    w.shortcuts_action.trigger()
    QApplication.processEvents()
    dialog = w.findChild(QDialog, "shortcutsDialog")
    assert dialog is not None and dialog.isVisible()
    table = dialog.findChild(QTableWidget)
    keys = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert "Ctrl+Z" in keys and "Ctrl+Shift+Z" in keys and "Ctrl+O" in keys
    dialog.reject()

    w.about_action.trigger()
    QApplication.processEvents()
    about = w.findChild(QMessageBox, "aboutBox")
    assert about is not None and about.isVisible() and "NemoDesk" in about.text()
    about.reject()


def test_file_dialog_starts_in_videos_then_the_last_folder(desktop, tmp_path):  # noqa: F811
    prefs, w = desktop.prefs, desktop.window
    prefs._settings.remove("files/last_open_folder")
    assert prefs.open_folder() == videos_folder()
    assert w.drop.start_folder() == str(videos_folder())
    assert Path(w.drop.start_folder()) != Path.cwd() or videos_folder() == Path.cwd()

    folder = tmp_path / "clips"
    folder.mkdir()
    w.drop.pick_files = lambda: [str(folder / "beach.mp4")]
    (folder / "beach.mp4").write_bytes(b"")
    w.drop.open_dialog()
    run(desktop, until(lambda: not desktop.service.busy("upload")))
    assert w.drop.start_folder() == str(folder)
    assert Preferences(prefs._settings).last_open_folder == folder  # kept in the file

    folder.joinpath("beach.mp4").unlink()
    folder.rmdir()  # gone: back to Videos, never the working directory
    assert w.drop.start_folder() == str(videos_folder())


def test_keyring_notice_once_with_why(desktop):  # noqa: F811
    w, prefs = desktop.window, desktop.prefs
    prefs.keyring_notice_shown = False  # the suite shares one settings file
    w.keyring_label.setVisible(False)
    desktop.service.tokenStatus.emit(False)
    assert w.keyring_label.isVisible() and "keyring" in w.keyring_label.text()
    assert 'href="why"' in w.keyring_label.text() and "Why?" in w.keyring_label.text()
    assert w.keyring_label.objectName() != "warning"  # not the orange warning style
    assert prefs.keyring_notice_shown

    w.keyring_label.linkActivated.emit("why")
    QApplication.processEvents()
    why = [b for b in w.findChildren(QMessageBox) if b.isVisible()]
    assert why and "Secret Service" in why[0].text() and "this session" in why[0].text()
    why[0].accept()

    assert w.keyring_timer.isActive()
    w.keyring_timer.timeout.emit()  # the time is up
    assert not w.keyring_label.isVisible()

    desktop.service.tokenStatus.emit(False)  # the next start: not again
    assert not w.keyring_label.isVisible()
