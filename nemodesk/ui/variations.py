"""Candidate tracks as cards: how each differs ("piano lead · 118 BPM · new chords · push
groove"), a small waveform, play/pause, their parameters, and "Use this" (the chosen one
becomes the BGM on the timeline).

The local engine says what each take changed (``changes``, ``lead_instrument``,
``groove_name``, ``chords`` in its ``generated_media`` entry) and the card words it in the
user's language; a backend that sends only a ``description``, or nothing, gets that text or
the plain BPM · key."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nemodesk.ui.humanize import clock
from nemodesk.ui.icons import icon
from nemodesk.ui.preset_labels import genre_labels, mood_labels
from nemodesk.ui.timeline_media import WaveformStrip
from nemodesk.ui.timeline_model import TimeScale

CARD_PEAKS = 160  # points of a card's waveform
CARDS_HEIGHT = 200
CARD_MAX_WIDTH = 340  # a wide window leaves the rest of the strip empty, not cards stretched
ASPECTS = ("lead", "tempo", "key", "progression", "groove")  # engine/music/variations.py


def lead_labels() -> dict[str, str]:
    """Lead instruments as named inside a card's line ("piano lead")."""
    return {
        "piano": QCoreApplication.translate("VariationsView", "piano"),
        "guitar": QCoreApplication.translate("VariationsView", "acoustic guitar"),
        "electric_guitar": QCoreApplication.translate("VariationsView", "electric guitar"),
        "ukulele": QCoreApplication.translate("VariationsView", "ukulele"),
        "organ": QCoreApplication.translate("VariationsView", "organ"),
        "marimba": QCoreApplication.translate("VariationsView", "marimba"),
        "bells": QCoreApplication.translate("VariationsView", "bells"),
        "flute": QCoreApplication.translate("VariationsView", "flute"),
        "synth": QCoreApplication.translate("VariationsView", "synth"),
        "brass": QCoreApplication.translate("VariationsView", "brass"),
        "strings": QCoreApplication.translate("VariationsView", "strings"),
    }


def groove_labels() -> dict[str, str]:
    return {
        "push": QCoreApplication.translate("VariationsView", "push groove"),
        "half": QCoreApplication.translate("VariationsView", "half-time groove"),
        "drive": QCoreApplication.translate("VariationsView", "driving groove"),
    }


def _key(entry: dict[str, Any]) -> str:
    mode = {
        "major": QCoreApplication.translate("VariationsView", "major"),
        "minor": QCoreApplication.translate("VariationsView", "minor"),
    }.get(str(entry.get("mode", "")), str(entry.get("mode", "")))
    return f"{entry['key']} {mode}".strip() if entry.get("key") else ""


def _bpm(entry: dict[str, Any]) -> str:
    bpm = entry.get("bpm")
    return f"{float(bpm):.0f} BPM" if isinstance(bpm, int | float) and bpm else ""


def character(entry: dict[str, Any]) -> str:
    """How the take differs, in the user's language: "piano lead · 118 BPM · E major · new
    chords vi–IV–I–V · push groove"; the first take says what it is ("The brief's take ·
    bells lead · 112 BPM · G major"). Without the engine's fields: the backend's
    ``description``, else BPM · key."""
    changes = entry.get("changes")
    if not isinstance(changes, list):
        text = entry.get("description")
        if isinstance(text, str) and text.strip():
            return text.strip()
        return " · ".join(p for p in (_bpm(entry), _key(entry)) if p)
    lead = entry.get("lead_instrument")
    lead_text = (
        QCoreApplication.translate("VariationsView", "{0} lead").format(
            lead_labels().get(str(lead), str(lead).replace("_", " "))
        )
        if isinstance(lead, str) and lead
        else ""
    )
    chords = entry.get("chords")
    groove = entry.get("groove_name")
    words = {
        "lead": lead_text,
        "tempo": _bpm(entry),
        "key": _key(entry),
        "progression": (
            QCoreApplication.translate("VariationsView", "new chords {0}").format(chords)
            if isinstance(chords, str) and chords
            else QCoreApplication.translate("VariationsView", "new chords")
        ),
        "groove": groove_labels().get(
            str(groove), QCoreApplication.translate("VariationsView", "new groove")
        ),
    }
    if entry.get("variation", 1) == 1 or not changes:
        parts = [
            QCoreApplication.translate("VariationsView", "The brief's take"),
            words["lead"],
            words["tempo"],
            words["key"],
        ]
    else:
        parts = [words[a] for a in ASPECTS if a in changes]
    return " · ".join(p for p in parts if p)


class CardWaveform(QWidget):
    """A take's whole length as a small waveform (the timeline's ``WaveformStrip``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardWaveform")
        self.setMinimumHeight(30)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(30)
        self.peaks = np.zeros(0, dtype=np.float32)
        self._strip: WaveformStrip | None = None

    def set_peaks(self, peaks: Any) -> None:
        self.peaks = np.clip(np.asarray(peaks, dtype=np.float32).ravel(), 0.0, 1.0)
        # spread over one "second" per point: the scale below maps it onto the width
        self._strip = WaveformStrip(self.peaks, len(self.peaks) * 1000) if len(self.peaks) else None
        self.update()

    def paintEvent(self, _event: Any) -> None:
        if self._strip is None or self.width() < 2:
            return
        p = QPainter(self)
        scale = TimeScale(left=0.0, px_per_s=self.width() / len(self.peaks))
        color = self.palette().color(QPalette.ColorRole.Highlight)
        self._strip.paint(p, scale, QRectF(self.rect()), 0.0, color)
        p.end()


def describe(entry: dict[str, Any]) -> str:
    """``95 BPM · E minor · Cinematic · Tense · 0:12``, in the user's language."""
    parts = [p for p in (_bpm(entry), _key(entry)) if p]
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
        self.how = QLabel(character(entry), self)
        self.how.setObjectName("cardHow")
        self.how.setWordWrap(True)
        self.waveform = CardWaveform(self)
        self.facts = QLabel(describe(entry), self)
        self.facts.setObjectName("muted")
        self.facts.setWordWrap(True)
        self.play_button = QPushButton(self)
        self.play_button.setObjectName("cardPlay")  # an icon alone: narrow padding
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
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.how)
        layout.addWidget(self.waveform)
        layout.addWidget(self.facts)
        layout.addLayout(buttons)
        # as narrow as its words allow: the strip shares its width among the cards
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMaximumWidth(CARD_MAX_WIDTH)
        self.in_use = False
        self.retranslate()

    def retranslate(self) -> None:
        n = self.entry.get("variation", 1)
        self.how.setText(character(self.entry))
        self.facts.setText(describe(self.entry))
        self.title.setText(self.tr("Variation {0}").format(n))
        self.waveform.setAccessibleName(self.tr("Waveform of variation {0}").format(n))
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
    """The cards side by side, sharing the width: never scrolled sideways, so every card and
    its "Use this" is in view; the strip is as wide as its cards need (the window's minimum
    width counts it)."""

    playRequested = Signal(str)
    useRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._inner = QWidget(self)
        self._row = QHBoxLayout(self._inner)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addStretch(0)  # takes the room only once every card is at its widest
        self.setWidget(self._inner)
        self.cards: list[Card] = []
        self.setVisible(False)

    def minimumSizeHint(self) -> QSize:
        inner = self._inner.minimumSizeHint()
        return QSize(inner.width(), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as the cards' wrapped words need at this width (narrow cards wrap their
        lines more), at least ``CARDS_HEIGHT``: no card's buttons cut off at the bottom."""
        if not self.cards:
            self.setFixedHeight(0)
            return
        need = self._inner.heightForWidth(self.viewport().width())
        need = max(CARDS_HEIGHT, need if need > 0 else self._inner.sizeHint().height())
        if need != self.height():
            self.setFixedHeight(need)

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
            self._row.insertWidget(self._row.count() - 1, card, 1)
            self.cards.append(card)
        self.set_current(current)
        self.setVisible(len(self.cards) > 1)
        self.setFixedHeight(CARDS_HEIGHT if self.cards else 0)
        self._fit_height()
        self.updateGeometry()

    def set_peaks(self, media_id: str, peaks: Any) -> None:
        """Draw ``peaks`` (0..1 over the take's length) on the card of ``media_id``."""
        for c in self.cards:
            if c.media_id == media_id:
                c.waveform.set_peaks(peaks)

    def set_current(self, media_id: str | None) -> None:
        for c in self.cards:
            c.set_in_use(c.media_id == media_id)

    def set_playing(self, media_id: str | None) -> None:
        for c in self.cards:
            c.set_playing(c.media_id == media_id)
