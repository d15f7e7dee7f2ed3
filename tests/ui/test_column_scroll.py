"""The prompt column's scroll bar shows only when the panel does not fit at the column's
full width. Wrapping chip rows are taller beside a scroll bar (less room per line), so a
panel can fit without the bar yet need it beside one: Qt keeps whichever state the window's
history left (seen on CI as a bar over a panel that fit at 1280×720)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

from nemodesk.ui.flow_layout import FlowLayout
from nemodesk.ui.prompt_panel import ColumnScroll
from tests.ui.test_layout_fits import settle


def _panel() -> QWidget:
    """Eighteen fixed-size chips that wrap: 60 px per chip, 30 px per line."""
    content = QWidget()
    column = QVBoxLayout(content)
    column.setContentsMargins(0, 0, 0, 0)
    row = QWidget()
    flow = FlowLayout(row, spacing=0)
    for i in range(18):
        chip = QPushButton(f"{i}")
        chip.setFixedSize(60, 30)
        flow.addWidget(chip)
    column.addWidget(row)
    column.addStretch(1)
    return content


def test_the_bar_goes_when_the_panel_fits_at_full_width():
    app = QApplication.instance() or QApplication([])
    area = ColumnScroll()
    area.setWidget(_panel())
    bar = area.verticalScrollBar().sizeHint().width()
    content = area.widget()
    # six chips a line at 360 px (3 lines, 90 px); beside the bar five (4 lines, 120 px)
    full = 360  # the viewport's full width
    area.resize(full, 40)  # too low: the bar shows
    area.show()
    settle(area)
    assert area.verticalScrollBar().isVisible()
    need_full = content.heightForWidth(full)
    need_beside = content.heightForWidth(full - bar)
    assert need_beside > need_full, (need_full, need_beside)  # the two-state case
    area.resize(full, need_full)  # fits without the bar, not beside it
    settle(area)
    assert not area.verticalScrollBar().isVisible(), (
        need_full,
        need_beside,
        area.viewport().size(),
    )
    assert area.viewport().width() == full and content.height() == need_full
    area.resize(full, need_full - 1)  # one pixel short: the bar is back, and it can scroll
    settle(area)
    assert area.verticalScrollBar().isVisible() and area.verticalScrollBar().maximum() > 0
    area.close()
    app.processEvents()
