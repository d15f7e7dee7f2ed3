"""The conversation: what the user typed and what the backend answered (GUI talk already
translated by the client), notices such as "Still working…", and a quiet indicator of the
tool the backend is running."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nemodesk.ui.icons import icon

ROLES = ("user", "assistant", "notice", "error")


class Bubble(QLabel):
    def __init__(self, role: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.role = role
        self.setObjectName(f"bubble-{role}")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setMargin(8)


class Conversation(QWidget):
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messages: list[tuple[str, str]] = []
        self._lines = QWidget(self)
        self._column = QVBoxLayout(self._lines)
        self._column.addStretch(1)
        self._column.setSpacing(6)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self._lines)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.activity = QLabel(self)
        self.activity.setObjectName("muted")
        self.activity.setVisible(False)
        self.input = QLineEdit(self)
        self.input.setClearButtonEnabled(True)
        self.send_button = QPushButton(self)
        self.send_button.setIcon(icon("send"))
        self.send_button.clicked.connect(self._submit)
        self.input.returnPressed.connect(self._submit)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.activity)
        layout.addLayout(row)
        self._dots = 0
        self._tool = ""
        self._timer = QTimer(self)
        self._timer.setInterval(400)
        self._timer.timeout.connect(self._tick)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.input.setPlaceholderText(
            self.tr("Refine by talking: “slower”, “more drums”, “music at 20%”, “export”…")
        )
        self.input.setAccessibleName(self.tr("Message to the music assistant"))
        self.send_button.setText(self.tr("Send"))
        self.scroll.setAccessibleName(self.tr("Conversation"))

    def _submit(self) -> None:
        text = self.input.text().strip()
        if text:
            self.input.clear()
            self.submitted.emit(text)

    def add(self, role: str, text: str) -> None:
        if not text.strip():
            return
        role = role if role in ROLES else "assistant"
        self.messages.append((role, text))
        bubble = Bubble(role, text, self._lines)
        row = QHBoxLayout()
        if role == "user":
            row.addStretch(1)
            row.addWidget(bubble, 4)
        elif role in ("notice", "error"):
            row.addWidget(bubble, 1)
            bubble.setAlignment(Qt.AlignmentFlag.AlignCenter)
        else:
            row.addWidget(bubble, 4)
            row.addStretch(1)
        self._column.insertLayout(self._column.count() - 1, row)
        QTimer.singleShot(0, self._to_bottom)

    def clear(self) -> None:
        """Forget every line (the history was cleared)."""
        self.messages.clear()
        while self._column.count() > 1:  # the last item is the stretch that keeps lines low
            row = self._column.takeAt(0).layout()
            while row is not None and row.count():
                item = row.takeAt(0)
                if item.widget() is not None:
                    item.widget().deleteLater()

    def _to_bottom(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.maximum())

    def still_working(self, elapsed_s: float) -> None:
        minutes = max(int(elapsed_s // 60), 1)
        self.add("notice", self.tr("Still working… (%n minute(s))", "", minutes))

    def set_activity(self, tool: str) -> None:
        """A quiet line naming the backend's current tool; empty hides it."""
        self._tool = tool
        self.activity.setVisible(bool(tool))
        if tool:
            self._timer.start()
            self._tick()
        else:
            self._timer.stop()

    def _tick(self) -> None:
        self._dots = (self._dots + 1) % 4
        self.activity.setText(
            self.tr("Working: {0}").format(self.tool_label(self._tool)) + "." * self._dots
        )

    def tool_label(self, tool: str) -> str:
        """The backend's tool name in the user's words; a tool we don't know (the cloud
        may have more) is shown as its name."""
        known = {
            "generate_music": self.tr("generating music"),
            "update_mix": self.tr("updating the mix"),
            "use_variation": self.tr("switching variation"),
            "undo": self.tr("undoing"),
        }
        return known.get(tool, tool.replace("_", " "))
