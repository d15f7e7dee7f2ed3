"""The finished file as a chip users can drag straight into a video editor or a folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QSize, Qt, QUrl
from PySide6.QtGui import (
    QDrag,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QWidget

from nemodesk.core.formats import kind_of
from nemodesk.ui.icons import icon

MIN_NAME_PX = 48


class ElidedLabel(QLabel):
    """A one-line label that asks for its full width but, squeezed, draws what fits with an
    ellipsis in the middle — file names and paths keep their ends, which tell them apart."""

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_NAME_PX, super().minimumSizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideMiddle, rect.width()
        )
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            rect,
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            text,
            self.foregroundRole(),
        )


class FileChip(QFrame):
    """The finished file, as something to drag out (or copy with Ctrl+C)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self._press: QPoint | None = None
        self.setObjectName("fileChip")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setStyleSheet(
            "#fileChip { background: palette(base); border: 1px solid palette(mid);"
            " border-radius: 6px; }"
            "#fileChip:focus { border: 1px solid palette(highlight); }"
        )
        self.glyph = QLabel(self)
        self.name = ElidedLabel(self)
        self.handle = QLabel(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.glyph)
        row.addWidget(self.name, 1)
        row.addWidget(self.handle)

    def set_path(self, path: Path) -> None:
        self.path = path
        self.name.setText(path.name)
        self.retranslate()
        self.refresh_icons()

    def retranslate(self) -> None:
        self.setToolTip(self.tr("Drag into your video editor or a folder (Ctrl+C copies it)"))
        name = self.path.name if self.path else ""
        self.setAccessibleName(self.tr("Exported file {0}").format(name))

    def refresh_icons(self) -> None:
        video = self.path is not None and kind_of(self.path.name) == "video"
        self.glyph.setPixmap(icon("video" if video else "music").pixmap(20, 20))
        self.handle.setPixmap(icon("drag").pixmap(16, 16))

    def mime_data(self) -> QMimeData:
        mime = QMimeData()
        if self.path is not None:
            mime.setUrls([QUrl.fromLocalFile(str(self.path))])
        return mime

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or self.path is None:
            return
        moved = (event.position().toPoint() - self._press).manhattanLength()
        if moved < QApplication.startDragDistance():
            return
        self._press = None
        drag = QDrag(self)
        drag.setMimeData(self.mime_data())
        drag.setPixmap(self.grab())
        drag.exec(Qt.DropAction.CopyAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy) and self.path is not None:
            QGuiApplication.clipboard().setMimeData(self.mime_data())
            return
        super().keyPressEvent(event)
