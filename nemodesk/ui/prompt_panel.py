"""The prompt panel: what the music should be. Presets fill explicit parameters (sent beside
the text), never words pasted into the prompt."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, QSize, Qt, QTime, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QStyleOptionButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from nemodesk.core import presets
from nemodesk.ui.flow_layout import FlowLayout
from nemodesk.ui.icons import icon
from nemodesk.ui.preset_labels import genre_labels, instrument_labels, mood_labels


class Chip(QPushButton):
    """A preset chip as wide as its words: Fusion makes every push button with text at least
    80 px wide, which spread the chips over a row more than they need."""

    WIDE = 200  # a content width the style does not round up

    def sizeHint(self) -> QSize:
        opt = QStyleOptionButton()
        self.initStyleOption(opt)
        fm = self.fontMetrics()
        box = QSize(self.WIDE, fm.height())
        frame = self.style().sizeFromContents(
            QStyle.ContentsType.CT_PushButton, opt, box, self
        ) - QSize(self.WIDE, 0)
        return QSize(fm.horizontalAdvance(self.text()) + frame.width(), frame.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class PromptEdit(QPlainTextEdit):
    """The description box: asks for three lines and takes up to seven when there is room
    (a text edit's usual 192 px would push the panel's last rows under the fold)."""

    LINES_WANTED = 3

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        lines = self.fontMetrics().lineSpacing() * self.LINES_WANTED
        margins = self.contentsMargins()
        doc = 2 * round(self.document().documentMargin())
        return QSize(hint.width(), lines + doc + margins.top() + margins.bottom())


class ColumnScroll(QScrollArea):
    """A column that scrolls up and down only: never narrower than its content (plus the
    scroll bar), so nothing is cut at its right edge; the window's minimum width counts it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        content = self.widget()
        if content is None:
            return hint
        bar = self.verticalScrollBar().sizeHint().width()
        frame = 2 * self.frameWidth()
        return QSize(content.minimumSizeHint().width() + bar + frame, hint.height())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # the content's needs changed
            self.updateGeometry()  # (a scroll area keeps its own otherwise)
            self._fit_bar()
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_bar()
        super().resizeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # QScrollArea watches its content already; its wrapped rows may change height
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit_bar()
        return super().eventFilter(watched, event)

    def _fit_bar(self) -> None:
        """Show the scroll bar only when the content does not fit at the full width. Qt
        decides from the current width, bar included: wrapping chip rows are a little taller
        beside a bar, so a panel that fits without one (613 px in a 617 px view) could keep
        the bar it got in a smaller window (619 px beside it) — two stable states, and which
        one the user saw depended on the window's history."""
        content = self.widget()
        if content is None:
            return
        room = self.maximumViewportSize()
        layout = content.layout()
        if layout is not None and layout.hasHeightForWidth():
            need = content.heightForWidth(room.width())
        else:
            need = content.minimumSizeHint().height()
        fits = need <= room.height()
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if fits else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        if self.verticalScrollBarPolicy() != policy:
            self.setVerticalScrollBarPolicy(policy)


class ChipRow(QWidget):
    """A wrapping row of checkable chips; ``exclusive`` rows allow at most one choice
    (clicking the chosen chip again clears it)."""

    changed = Signal()

    def __init__(self, ids: tuple[str, ...], exclusive: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.exclusive = exclusive
        self.buttons: dict[str, QPushButton] = {}
        layout = FlowLayout(self, spacing=4)
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)
        for key in ids:
            b = Chip(self)
            b.setObjectName("chip")
            b.setCheckable(True)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.toggled.connect(lambda on, k=key: self._toggled(k, on))
            self._group.addButton(b)
            layout.addWidget(b)
            self.buttons[key] = b

    def set_labels(self, labels: dict[str, str]) -> None:
        for key, b in self.buttons.items():
            b.setText(labels.get(key, key))
            b.setAccessibleName(labels.get(key, key))

    def _toggled(self, key: str, on: bool) -> None:
        if on and self.exclusive:
            for other, b in self.buttons.items():
                if other != key and b.isChecked():
                    b.blockSignals(True)
                    b.setChecked(False)
                    b.blockSignals(False)
        self.changed.emit()

    def selected(self) -> list[str]:
        return [k for k, b in self.buttons.items() if b.isChecked()]

    def select(self, keys: list[str]) -> None:
        for k, b in self.buttons.items():
            b.blockSignals(True)
            b.setChecked(k in keys)
            b.blockSignals(False)


class GenreRow(ChipRow):
    """The genre chips: the most-used genres, then a chip for one picked under "More…" (so
    the choice stays in view; it stays there, unchecked, when another chip is chosen), then
    "More…", a menu of the other genres, checkable, one choice at most. ``buttons`` holds
    the main chips; ``selected``/``select`` speak for every genre in ``ids``."""

    def __init__(self, ids: tuple[str, ...], main: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(tuple(k for k in main if k in ids), exclusive=True, parent=parent)
        self.rest = tuple(k for k in ids if k not in main)
        self._names: dict[str, str] = {}
        self.extra_key: str | None = None  # the genre the extra chip stands for
        self.extra = Chip(self)
        self.extra.setObjectName("chip")
        self.extra.setCheckable(True)
        self.extra.setCursor(Qt.CursorShape.PointingHandCursor)
        self.extra.toggled.connect(self._extra_toggled)
        self.extra.hide()
        self.more = Chip(self)  # opens its menu itself: a QPushButton menu's arrow would
        self.more.setObjectName("chip")  # cover a chip's words (sized to them)
        self.more.setCursor(Qt.CursorShape.PointingHandCursor)
        self.more.clicked.connect(self.open_menu)
        self.menu = QMenu(self)
        group = QActionGroup(self.menu)
        group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self.actions_by_key: dict[str, QAction] = {}
        for key in self.rest:
            action = QAction(key, self.menu)
            action.setCheckable(True)
            action.setData(key)
            group.addAction(action)
            self.menu.addAction(action)
            self.actions_by_key[key] = action
        group.triggered.connect(self._picked)
        self.layout().addWidget(self.extra)
        self.layout().addWidget(self.more)

    def set_labels(self, labels: dict[str, str]) -> None:
        super().set_labels(labels)
        self._names = labels
        for key, action in self.actions_by_key.items():
            action.setText(labels.get(key, key))
        if self.extra_key is not None:
            self._show_extra()
        more = QCoreApplication.translate("PromptPanel", "More…")
        self.more.setText(more)
        self.more.setAccessibleName(QCoreApplication.translate("PromptPanel", "More genres"))
        self.more.setToolTip(QCoreApplication.translate("PromptPanel", "More genres"))

    def open_menu(self) -> None:
        """The menu under the button (above it when the screen ends), on the checked genre."""
        self._sync_menu()
        current = self.actions_by_key.get(self.extra_key or "") if self.extra.isChecked() else None
        self.menu.popup(self.more.mapToGlobal(QPoint(0, self.more.height())))
        self.menu.setActiveAction(current or self.menu.actions()[0])

    def _picked(self, action: QAction) -> None:
        key = str(action.data())
        if action.isChecked():
            self.select([key])
        else:  # the chosen genre picked again: cleared, as a chip clicked again is
            self.extra.blockSignals(True)
            self.extra.setChecked(False)
            self.extra.blockSignals(False)
        self.changed.emit()

    def _show_extra(self) -> None:
        key = self.extra_key or ""
        self.extra.setText(self._names.get(key, key))
        self.extra.setAccessibleName(self._names.get(key, key))
        self.extra.show()
        self.layout().invalidate()
        self.updateGeometry()

    def _extra_toggled(self, on: bool) -> None:
        if on:
            self._uncheck_main()
        self._sync_menu()
        self.changed.emit()

    def _uncheck_main(self) -> None:
        for b in self.buttons.values():
            b.blockSignals(True)
            b.setChecked(False)
            b.blockSignals(False)

    def _toggled(self, key: str, on: bool) -> None:
        if on:
            self.extra.blockSignals(True)
            self.extra.setChecked(False)
            self.extra.blockSignals(False)
            self._sync_menu()
        super()._toggled(key, on)

    def _sync_menu(self) -> None:
        for key, action in self.actions_by_key.items():
            action.setChecked(self.extra.isChecked() and key == self.extra_key)

    def selected(self) -> list[str]:
        chosen = super().selected()
        if self.extra.isChecked() and self.extra_key is not None:
            chosen.append(self.extra_key)
        return chosen

    def select(self, keys: list[str]) -> None:
        super().select(keys)
        other = next((k for k in keys if k in self.rest), None)
        if other is not None:
            self._uncheck_main()
            self.extra_key = other
            self._show_extra()
        self.extra.blockSignals(True)
        self.extra.setChecked(other is not None)
        self.extra.blockSignals(False)
        self._sync_menu()


class PromptPanel(QWidget):
    generateRequested = Signal(str, dict)  # prompt text, explicit parameters

    DURATION_AUTO, DURATION_VIDEO, DURATION_CUSTOM = range(3)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fields()
        form = self._settings_form()
        self._actions_row()
        self._lay_out(form)
        self._wire()
        self.retranslate()
        self._sync_duration()

    def _fields(self) -> None:
        """The prompt, the settings' inputs, the chip rows and the buttons."""
        self._clip_s: float | None = None
        self.prompt = PromptEdit(self)
        self.prompt.setTabChangesFocus(True)
        self.prompt.setMinimumHeight(60)
        self.prompt.setMaximumHeight(120)
        self.duration_mode = QComboBox(self)
        self.duration = QTimeEdit(self)
        self.duration.setDisplayFormat("mm:ss")
        self.duration.setTimeRange(QTime(0, 0, 1), QTime(0, 20, 0))
        self.duration.setTime(QTime(0, 1, 30))
        self.bpm = QSpinBox(self)
        self.bpm.setRange(0, 220)
        self.bpm.setSingleStep(2)
        self.arc = QComboBox(self)
        self.loop = QCheckBox(self)
        self.moods = ChipRow(presets.MOODS, exclusive=True, parent=self)
        self.genres = GenreRow(presets.GENRES, presets.MAIN_GENRES, parent=self)
        self.instruments = ChipRow(presets.INSTRUMENTS, exclusive=False, parent=self)
        self.seed_label = QLabel(self)
        self.seed_label.setObjectName("muted")
        self.seed_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.generate_button = QPushButton(self)
        self.generate_button.setObjectName("primary")
        self.generate_button.setIcon(icon("generate"))
        self.variations_button = QPushButton(self)
        self.variations_button.setIcon(icon("variations"))
        self._labels: dict[str, QLabel] = {}

    def _settings_form(self) -> QGridLayout:
        # Length on one row, Tempo and Energy side by side, the loop box and the seed under
        # them: the whole panel shows without scrolling from 1280×720 up
        form = QGridLayout()
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(4)
        for key in ("length", "tempo", "arc"):
            self._labels[key] = QLabel(self)
        length = QHBoxLayout()
        length.addWidget(self.duration_mode, 1)
        length.addWidget(self.duration)
        form.addWidget(self._labels["length"], 0, 0)
        form.addLayout(length, 0, 1, 1, 3)
        form.addWidget(self._labels["tempo"], 1, 0)
        form.addWidget(self.bpm, 1, 1)
        form.addWidget(self._labels["arc"], 1, 2)
        form.addWidget(self.arc, 1, 3)
        form.addWidget(self.loop, 2, 1, 1, 2)
        form.addWidget(self.seed_label, 2, 3, Qt.AlignmentFlag.AlignRight)
        form.setColumnStretch(1, 2)
        form.setColumnStretch(3, 3)
        for field in (self.bpm, self.arc):
            field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return form

    def _actions_row(self) -> None:
        """Generate and Variations, in a widget of their own."""
        self.actions = QWidget(self)  # the window may pin these below its scroll area
        buttons = QHBoxLayout(self.actions)
        buttons.setContentsMargins(0, 2, 0, 0)
        buttons.addWidget(self.generate_button, 2)
        buttons.addWidget(self.variations_button, 1)

    def _lay_out(self, form: QGridLayout) -> None:
        """The prompt, the chip rows with their labels, the settings form, the buttons."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._labels["prompt"] = QLabel(self)
        layout.addWidget(self._labels["prompt"])
        layout.addWidget(self.prompt, 1)  # grows to its seven lines when there is room
        for key, row in (("mood", self.moods), ("genre", self.genres)):
            self._labels[key] = QLabel(self)
            layout.addWidget(self._labels[key])
            layout.addWidget(row)
        self._labels["instruments"] = QLabel(self)
        layout.addWidget(self._labels["instruments"])
        layout.addWidget(self.instruments)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.actions)
        for label in self._labels.values():
            label.setObjectName("sectionLabel")

    def _wire(self) -> None:
        """The buttons, the length mode and Ctrl+Enter."""
        self.generate_button.clicked.connect(lambda: self.request(1))
        self.variations_button.clicked.connect(lambda: self.request(presets.VARIATIONS))
        self.duration_mode.currentIndexChanged.connect(self._sync_duration)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(lambda: self.request(1))

    # ---- text -------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.prompt.setPlaceholderText(
            self.tr(
                "Describe the music — e.g. “90-second upbeat acoustic track for a travel "
                "vlog, warm and adventurous”"
            )
        )
        self.prompt.setAccessibleName(self.tr("Music description"))
        titles = {
            "prompt": self.tr("Describe the feel"),
            "mood": self.tr("Mood"),
            "genre": self.tr("Genre"),
            "instruments": self.tr("Instruments"),
            "length": self.tr("Length"),
            "tempo": self.tr("Tempo"),
            "arc": self.tr("Energy"),
        }
        for key, label in self._labels.items():
            label.setText(titles[key])
        mode = self.duration_mode.currentIndex()
        self.duration_mode.blockSignals(True)
        self.duration_mode.clear()
        self.duration_mode.addItems(
            [self.tr("From the description"), self.tr("Match the video"), self.tr("Custom")]
        )
        self.duration_mode.setCurrentIndex(max(mode, 0))
        self.duration_mode.blockSignals(False)
        self.duration_mode.setAccessibleName(self.tr("Length"))
        self.duration.setAccessibleName(self.tr("Custom length (minutes:seconds)"))
        self.bpm.setSpecialValueText(self.tr("Auto"))
        self.bpm.setSuffix(self.tr(" BPM"))
        self.bpm.setAccessibleName(self.tr("Tempo in beats per minute"))
        arc = self.arc.currentIndex()
        self.arc.clear()
        self.arc.addItems(
            [
                self.tr("Auto"),
                self.tr("Steady"),
                self.tr("Build up"),
                self.tr("Wind down"),
                self.tr("Rise and fall"),
            ]
        )
        self.arc.setCurrentIndex(max(arc, 0))
        self.arc.setAccessibleName(self.tr("Energy arc"))
        self.loop.setText(self.tr("Seamless loop"))
        self.generate_button.setText(self.tr("Generate"))
        self.generate_button.setToolTip(self.tr("Generate (Ctrl+Enter)"))
        self.variations_button.setText(self.tr("3 variations"))
        self.moods.set_labels(mood_labels())
        self.genres.set_labels(genre_labels())
        self.instruments.set_labels(instrument_labels())
        self._show_seed()

    # ---- state ------------------------------------------------------------------------------

    def set_clip_duration(self, seconds: float | None) -> None:
        """A loaded clip offers "match the video" and makes it the default."""
        self._clip_s = seconds
        if seconds and self.duration_mode.currentIndex() == self.DURATION_AUTO:
            self.duration_mode.setCurrentIndex(self.DURATION_VIDEO)
        self._sync_duration()

    def _sync_duration(self) -> None:
        item = self.duration_mode.model().item(self.DURATION_VIDEO)
        if item is not None:
            item.setEnabled(self._clip_s is not None)
        if self._clip_s is None and self.duration_mode.currentIndex() == self.DURATION_VIDEO:
            self.duration_mode.setCurrentIndex(self.DURATION_AUTO)
        self.duration.setEnabled(self.duration_mode.currentIndex() == self.DURATION_CUSTOM)

    def set_seed(self, seed: int | None) -> None:
        self._seed = seed
        self._show_seed()

    def _show_seed(self) -> None:
        seed = getattr(self, "_seed", None)
        self.seed_label.setText(self.tr("Seed: {0}").format(seed) if seed is not None else "")
        self.seed_label.setVisible(seed is not None)

    def set_busy(self, busy: bool) -> None:
        self.generate_button.setEnabled(not busy)
        self.variations_button.setEnabled(not busy)

    # ---- parameters -------------------------------------------------------------------------

    def parameters(self, variations: int = 1) -> dict[str, Any]:
        """Only what the user chose; the engine fills the rest and says what it chose."""
        p: dict[str, Any] = {}
        mode = self.duration_mode.currentIndex()
        if mode == self.DURATION_VIDEO and self._clip_s:
            p["duration_s"] = round(self._clip_s, 3)
        elif mode == self.DURATION_CUSTOM:
            t = self.duration.time()
            p["duration_s"] = float(t.minute() * 60 + t.second())
        if self.bpm.value() > 0:
            p["bpm"] = float(self.bpm.value())
        if self.arc.currentIndex() > 0:
            p["arc"] = presets.ARCS[self.arc.currentIndex() - 1]
        if self.loop.isChecked():
            p["loop"] = True
        if mood := self.moods.selected():
            p["mood"] = mood[0]
        if genre := self.genres.selected():
            p["genre"] = genre[0]
        if inst := self.instruments.selected():
            p["instruments"] = inst
        if variations > 1:
            p["variations"] = variations
        return p

    def request(self, variations: int) -> None:
        if not self.generate_button.isEnabled():
            return
        self.generateRequested.emit(self.prompt.toPlainText().strip(), self.parameters(variations))

    def choices(self) -> dict[str, Any]:
        """What to remember between runs (QSettings)."""
        t = self.duration.time()
        return {
            "prompt": self.prompt.toPlainText(),
            "duration_mode": self.duration_mode.currentIndex(),
            "duration_s": t.minute() * 60 + t.second(),
            "bpm": self.bpm.value(),
            "arc": self.arc.currentIndex(),
            "loop": self.loop.isChecked(),
            "mood": self.moods.selected(),
            "genre": self.genres.selected(),
            "instruments": self.instruments.selected(),
        }

    def show_track(self, brief: dict[str, Any]) -> None:
        """Show the current track's settings (``m.brief`` of the draft's music, after a chat
        edit or a picked variation), so Generate makes what the user hears. What the engine
        chose by itself stays "Auto"; the description text is left as the user wrote it."""
        chosen = set(brief.get("chosen") or [])

        def given(name: str, value: Any, allowed: tuple[str, ...]) -> list[str]:
            return [value] if name not in chosen and value in allowed else []

        self.moods.select(given("mood", brief.get("mood"), presets.MOODS))
        self.genres.select(given("genre", brief.get("genre"), presets.GENRES))
        asked = brief.get("instruments") or []
        self.instruments.select([i for i in asked if i in presets.INSTRUMENTS])
        bpm = brief.get("bpm")
        tempo = "tempo" not in chosen and isinstance(bpm, int | float)
        self.bpm.setValue(round(bpm) if tempo else 0)
        arc = given("arc", brief.get("arc"), presets.ARCS)
        self.arc.setCurrentIndex(presets.ARCS.index(arc[0]) + 1 if arc else 0)
        self.loop.setChecked(brief.get("loop") is True)
        secs = brief.get("duration_s")
        if brief.get("fits_video") and self._clip_s:
            self.duration_mode.setCurrentIndex(self.DURATION_VIDEO)
        elif "duration" not in chosen and isinstance(secs, int | float) and secs > 0:
            whole = min(round(secs), 20 * 60)
            self.duration.setTime(QTime(0, whole // 60, whole % 60))
            self.duration_mode.setCurrentIndex(self.DURATION_CUSTOM)
        else:
            self.duration_mode.setCurrentIndex(self.DURATION_AUTO)
        self._sync_duration()

    def restore(self, c: dict[str, Any]) -> None:
        self.prompt.setPlainText(str(c.get("prompt", "")))
        self.duration_mode.setCurrentIndex(int(c.get("duration_mode", 0)) % 3)
        secs = int(c.get("duration_s", 90))
        self.duration.setTime(QTime(0, min(secs // 60, 20), secs % 60))
        self.bpm.setValue(int(c.get("bpm", 0)))
        self.arc.setCurrentIndex(int(c.get("arc", 0)))
        self.loop.setChecked(bool(c.get("loop", False)))
        self.moods.select(list(c.get("mood", [])))
        self.genres.select(list(c.get("genre", [])))
        self.instruments.select(list(c.get("instruments", [])))
        self._sync_duration()
