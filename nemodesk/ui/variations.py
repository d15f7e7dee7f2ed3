"""Candidate tracks as cards: play/pause, their parameters, and "Use this" (the chosen one
becomes the BGM on the timeline)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from nemodesk.ui.humanize import clock
from nemodesk.ui.icons import icon
from nemodesk.ui.preset_labels import genre_labels, mood_labels


def describe(entry: dict[str, Any]) -> str:
    """``95 BPM · E minor · Cinematic · Tense · 0:12``, in the user's language."""
    parts = []
    if entry.get("bpm"):
        parts.append(f"{float(entry['bpm']):.0f} BPM")
    if entry.get("key"):
        mode = {
            "major": QCoreApplication.translate("VariationsView", "major"),
            "minor": QCoreApplication.translate("VariationsView", "minor"),
        }.get(str(entry.get("mode", "")), str(entry.get("mode", "")))
        parts.append(f"{entry['key']} {mode}".strip())
    if entry.get("genre"):
        parts.append(genre_labels().get(str(entry["genre"]), str(entry["genre"])))
    if entry.get("mood"):
        parts.append(mood_labels().get(str(entry["mood"]), str(entry["mood"])))
    if entry.get("duration_s"):
        parts.append(clock(float(entry["duration_s"])))
    return " · ".join(parts)


class Card(QFrame):
    playRequested = Signal(str)
    useRequested = Signal(str)

    def __init__(self, entry: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.entry = entry
        self.media_id = str(entry.get("media_id", ""))
        self.title = QLabel(self)
        self.title.setObjectName("cardTitle")
        self.facts = QLabel(describe(entry), self)
        self.facts.setObjectName("muted")
        self.facts.setWordWrap(True)
        self.play_button = QPushButton(self)
        self.play_button.setCheckable(True)
        self.play_button.setIcon(icon("play"))
        self.use_button = QPushButton(self)
        self.use_button.setIcon(icon("check"))
        self.play_button.clicked.connect(lambda: self.playRequested.emit(self.media_id))
        self.use_button.clicked.connect(lambda: self.useRequested.emit(self.media_id))
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.use_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addLayout(buttons)
        self.setMinimumWidth(190)
        self.in_use = False
        self.retranslate()

    def retranslate(self) -> None:
        n = self.entry.get("variation", 1)
        self.facts.setText(describe(self.entry))
        self.title.setText(self.tr("Variation {0}").format(n))
        self.use_button.setText(self.tr("In use") if self.in_use else self.tr("Use this"))
        self.play_button.setAccessibleName(self.tr("Play variation {0}").format(n))
        self.use_button.setAccessibleName(self.tr("Use variation {0}").format(n))

    def set_in_use(self, on: bool) -> None:
        self.in_use = on
        self.use_button.setEnabled(not on)
        self.setProperty("selected", on)
        self.style().unpolish(self)
        self.style().polish(self)
        self.retranslate()

    def set_playing(self, on: bool) -> None:
        self.play_button.setChecked(on)
        self.play_button.setIcon(icon("pause" if on else "play"))


class VariationsView(QScrollArea):
    playRequested = Signal(str)
    useRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._inner = QWidget(self)
        self._row = QHBoxLayout(self._inner)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addStretch(1)
        self.setWidget(self._inner)
        self.cards: list[Card] = []
        self.setVisible(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            for c in self.cards:
                c.retranslate()
        super().changeEvent(event)

    def set_media(self, entries: list[dict[str, Any]], current: str | None) -> None:
        """Show the candidates of the latest generation (their ``variation`` numbers run
        1…N); a single take is no choice, so the strip hides."""
        for c in self.cards:
            c.setParent(None)
            c.deleteLater()
        self.cards = []
        mixes = [e for e in entries if e.get("kind", "mix") == "mix"]
        latest: list[dict[str, Any]] = []
        for e in mixes:
            if e.get("variation", 1) == 1:
                latest = []
            latest.append(e)
        for e in latest:
            card = Card(e, self._inner)
            card.playRequested.connect(self.playRequested)
            card.useRequested.connect(self.useRequested)
            self._row.insertWidget(self._row.count() - 1, card)
            self.cards.append(card)
        self.set_current(current)
        self.setVisible(len(self.cards) > 1)
        self.setFixedHeight(140 if self.cards else 0)

    def set_current(self, media_id: str | None) -> None:
        for c in self.cards:
            c.set_in_use(c.media_id == media_id)

    def set_playing(self, media_id: str | None) -> None:
        for c in self.cards:
            c.set_playing(c.media_id == media_id)
