"""Choosing 简体中文 in Settings switches everything at once: the timeline's lanes, the status
bar's backend and the Settings dialog itself, while it is still open (a live preview); Cancel
goes back to the stored language, OK keeps the new one. A window switched live reads the same
as one built in Chinese."""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QTabWidget,
    QWidget,
)

from nemodesk.core.draft import Draft
from nemodesk.ui.main_window import MainWindow
from tests.ui.test_main_window import desktop, run, until  # noqa: F401  (the real app and engine)

CJK = re.compile(r"[\u4e00-\u9fff]")
DRAFT = {
    "t": [
        {"tt": 0, "sg": [{"d": 8000, "m": {"name": "beach.mp4"}}]},
        {"tt": 1, "m": {"genre": "acoustic"}, "sg": [{"d": 8000, "m": {"volume": 30}}]},
    ],
    "v": 3,
}


def texts(root: QWidget) -> list[tuple[str, str]]:
    """(class, text) of every word-bearing widget under ``root``, in tree order."""
    out: list[tuple[str, str]] = []
    for w in root.findChildren(QWidget):
        if w.window() is not root:  # dialogs opened from it
            continue
        if isinstance(w, QLabel | QAbstractButton):
            out.append((type(w).__name__, w.text()))
        elif isinstance(w, QGroupBox):
            out.append(("QGroupBox", w.title()))
        elif isinstance(w, QComboBox):
            out += [("QComboBox", w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QTabWidget):
            out += [("QTabWidget", w.tabText(i)) for i in range(w.count())]
    return out


def choose(dialog, code: str) -> None:
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData(code))
    QApplication.processEvents()


def test_language_switches_everything_at_once(desktop):  # noqa: F811
    w = desktop.window
    run(desktop, until(lambda: w.backend_label.text() == "Local engine"))
    desktop.service.draftChanged.emit(Draft.decode(DRAFT))
    assert w.timeline.lane_headers() == [("Video", "beach.mp4"), ("BGM", "Volume 30%")]
    assert w.timeline._lanes[1].labels == ["Acoustic"]

    desktop.open_settings()
    dialog = desktop.settings_dialog
    assert dialog.windowTitle() == "Settings"
    choose(dialog, "zh_CN")
    # at once, with the dialog still open: no next track, no OK needed
    assert w.timeline.lane_headers() == [("视频", "beach.mp4"), ("背景音乐", "音量 30%")]
    assert w.timeline._lanes[1].labels == ["原声"]
    assert w.backend_label.text() == "本地引擎"
    assert dialog.windowTitle() == "设置"
    assert dialog._service_box.title() == "音乐服务" and dialog._general_box.title() == "常规"
    assert CJK.search(dialog.local_radio.text()) and CJK.search(dialog._language_label.text())
    assert dialog.language_combo.currentData() == "zh_CN"
    assert desktop.prefs.language != "zh_CN"  # a preview: nothing written yet

    dialog.reject()  # Cancel: back to the stored language
    QApplication.processEvents()
    assert w.timeline.lane_headers()[1] == ("BGM", "Volume 30%")
    assert w.backend_label.text() == "Local engine"

    desktop.open_settings()
    dialog = desktop.settings_dialog
    choose(dialog, "zh_CN")
    dialog.accept()
    QApplication.processEvents()
    assert desktop.prefs.language == "zh_CN"
    assert w.timeline.lane_headers()[0][0] == "视频" and w.backend_label.text() == "本地引擎"

    # the live-switched window says exactly what one built in Chinese says
    fresh = MainWindow(desktop.service, desktop.prefs)
    try:
        live, built = texts(w), texts(fresh)
        skip = {w.backend_label.text(), fresh.backend_label.text()}  # fresh: "starting"
        stale = [(a, b) for a, b in zip(live, built, strict=False) if a != b and a[1] not in skip]
        assert len(live) == len(built) and not stale, stale[:8]
    finally:
        fresh.deleteLater()
        desktop.prefs.language = "en"
        desktop.preview_language("en")
