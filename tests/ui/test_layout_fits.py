"""The window fits the screen and its words fit their widgets: the first start uses about 80 %
of the screen, and at 1280×720 and 1920×1080, in English and Chinese, with a clip, a track
and three variations on screen, no label, button, check box, radio button or combo box is
narrower than its text (only widgets made to elide, like file names, may shorten theirs),
and nothing sticks out of the widget that holds it. Screenshots land in tmp_path."""

from __future__ import annotations

import re

from PySide6.QtCore import QSize
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QWidget,
)

from nemodesk.ui.file_chip import ElidedLabel
from nemodesk.ui.player import PlayerView
from tests.fixtures.media import make_clip
from tests.ui.test_main_window import desktop, run, until  # noqa: F401  (the real app and engine)

SIZES = [(1280, 720), (1920, 1080)]
TAGS = re.compile(r"<[^>]+>")
MNEMONIC = re.compile(r"&(?=[^&\s])")


def shown(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.window() is window and widget.width() > 0


def plain(text: str) -> str:
    return MNEMONIC.sub("", TAGS.sub("", text)).replace("&amp;", "&")


def needed_width(w: QWidget) -> tuple[int, int, str] | None:
    """(width the text needs, width there is, text), or None for widgets not checked."""
    style = w.style()
    fm = QFontMetrics(w.font())
    if isinstance(w, ElidedLabel) or w.property("elides"):
        return None  # made to shorten (file names, paths); the full text is its tooltip
    if isinstance(w, QLabel):
        text = plain(w.text())
        if not text or w.wordWrap() or (w.pixmap() is not None and not w.pixmap().isNull()):
            return None
        need = max(fm.horizontalAdvance(line) for line in text.split("\n"))
        room = w.contentsRect().width() - 2 * w.margin() - max(0, w.indent())
        return need, room, text
    if isinstance(w, QPushButton):
        text = plain(w.text())
        if not text:
            return None
        opt = QStyleOptionButton()
        w.initStyleOption(opt)
        content = QSize(fm.horizontalAdvance(text), fm.height())
        if not w.icon().isNull():
            content.setWidth(content.width() + w.iconSize().width() + 4)
        need = style.sizeFromContents(QStyle.ContentsType.CT_PushButton, opt, content, w).width()
        return need, w.width(), text
    if isinstance(w, QCheckBox | QRadioButton):
        text = plain(w.text())
        return (w.sizeHint().width(), w.width(), text) if text else None
    if isinstance(w, QComboBox):
        text = w.currentText()
        if not text or w.isEditable():
            return None
        opt = QStyleOptionComboBox()
        w.initStyleOption(opt)
        content = QSize(fm.horizontalAdvance(text), fm.height())
        if not w.itemIcon(w.currentIndex()).isNull():
            content.setWidth(content.width() + w.iconSize().width() + 4)
        need = style.sizeFromContents(QStyle.ContentsType.CT_ComboBox, opt, content, w).width()
        return need, w.width(), text
    return None


def problems(window: QWidget) -> list[str]:
    found = []
    for w in window.findChildren(QWidget):
        if not shown(w, window):
            continue
        check = needed_width(w)
        if check is not None and check[0] > check[1]:
            found.append(f"{type(w).__name__} {check[2]!r}: needs {check[0]} px, has {check[1]}")
        parent = w.parentWidget()
        if parent is None or parent is window or isinstance(parent, QAbstractScrollArea):
            continue
        if isinstance(parent.parentWidget(), QAbstractScrollArea):
            continue  # a scroll area's viewport: its content may be taller, it scrolls
        g = w.geometry()
        if w.isWindow() or not isinstance(w, QLabel | QPushButton | QCheckBox | QRadioButton):
            continue
        if g.left() < 0 or g.right() >= parent.width() + 1 or g.bottom() >= parent.height() + 1:
            found.append(
                f"{type(w).__name__} {plain(getattr(w, 'text', str)())!r} sticks out of "
                f"{type(parent).__name__} ({g.x()},{g.y()} {g.width()}×{g.height()} in "
                f"{parent.width()}×{parent.height()})"
            )
    return found


def test_first_start_uses_most_of_the_screen(desktop):  # noqa: F811
    avail = QGuiApplication.primaryScreen().availableGeometry()
    size = desktop.window.size()
    minimum = desktop.window.minimumSize()
    for got, room, least in ((size.width(), avail.width(), minimum.width()),
                             (size.height(), avail.height(), minimum.height())):  # fmt: skip
        assert got == max(least, round(room * 0.8)) or abs(got - room * 0.8) <= 0.03 * room


def test_words_fit_at_1280x720_and_1920x1080_in_english_and_chinese(desktop, tmp_path):  # noqa: F811
    w = desktop.window
    clip = make_clip(tmp_path / "beach-at-sunset.mp4", duration_s=8.0, cuts_s=[3.0, 5.5])
    w.upload([clip])
    run(desktop, until(lambda: w.drop.clip is not None and not desktop.service.busy("upload")))
    w.prompt.prompt.setPlainText("warm acoustic travel vlog")
    w.prompt.request(3)
    run(desktop, until(lambda: len(w.variations.cards) == 3 and not desktop.service.busy("chat")))
    run(desktop, until(lambda: w.player.placeholder.text() != ""))
    report: dict[str, list[str]] = {}
    try:
        for lang in ("en", "zh_CN"):
            desktop.preview_language(lang)
            for width, height in SIZES:
                w.resize(width, height)
                for tab in (w.conversation, w.export_view):
                    w.tabs.setCurrentWidget(tab)
                    for _ in range(3):
                        QApplication.processEvents()
                    name = f"{lang}-{width}x{height}-{tab.__class__.__name__}"
                    w.grab().save(str(tmp_path / f"{name}.png"))
                    found = problems(w)
                    if found:
                        report[name] = found
    finally:
        desktop.preview_language("en")
    assert not report, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in report.items())
    # the player never shows the engine's own file name for the music
    assert not re.search(r"med_\w+|\.wav", w.findChild(PlayerView).placeholder.text())
    assert not w.findChildren(QScrollArea)[0].horizontalScrollBar().isVisible()


def test_hit_dots_keep_off_the_words_and_lanes_fill_the_room(qtbot):
    """A hit right at the start of the BGM does not sit on its "Acoustic · 100%" label, and a
    two-lane timeline in a tall panel grows its lanes instead of leaving empty space."""
    from nemodesk.core.draft import Draft
    from nemodesk.ui.timeline import TimelineView
    from nemodesk.ui.timeline_paint import HIT_COLOR, SEGMENT_TEXT
    from tests.ui.test_timeline import near, pixels

    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(900, 420)
    view.set_draft(
        Draft.decode(
            {
                "t": [
                    {"tt": 0, "sg": [{"d": 8000}]},
                    {"tt": 1, "m": {"genre": "acoustic"}, "sg": [{"d": 8000, "m": {}}]},
                ],
                "v": 3,
            }
        )
    )
    view.set_hits([0.3, 0.6])
    view.show()
    qtbot.waitExposed(view)
    img = pixels(view)
    bgm = view.lane_rects()[1]
    x0 = round(view.x_for_ms(0))
    label = img[bgm.top() : bgm.top() + 22, x0 : x0 + 110]  # where the words are drawn
    assert near(label, SEGMENT_TEXT, 40).any()  # the words are there…
    assert not near(label, HIT_COLOR, 10).any()  # …and no dot on them
    assert near(img[bgm.top() : bgm.bottom(), x0 : x0 + 60], HIT_COLOR, 10).any()
    scrollbar = view._scrollbar.height()
    assert view.height() - scrollbar - view.lane_rects()[-1].bottom() < 12  # no dead space
