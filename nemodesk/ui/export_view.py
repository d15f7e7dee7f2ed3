"""The export view: what to export, where to, and how it is going.

An export has two phases the user waits through — the render (a percentage the backend
reports) and the download (bytes, speed and time left) — and both can be cancelled. The
finished file is shown as a chip that can be dragged straight into a video editor or a
folder, because that is where the music goes next.

The view only asks (``exportRequested``, ``cancelRequested``) and shows; the window's
service runs the job and calls the ``set_*`` slots.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QStandardPaths,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QGuiApplication,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nemodesk.client import Progress, RenderStatus
from nemodesk.core.ducking import DEFAULT_DUCK_DB, MAX_DUCK_DB, MIN_DUCK_DB, SoundMode
from nemodesk.ui import theme
from nemodesk.ui.file_chip import ElidedLabel, FileChip
from nemodesk.ui.humanize import download_text
from nemodesk.ui.icons import icon

FORMATS: tuple[str, ...] = ("mp4", "wav", "mp3", "m4a")
QUALITIES: tuple[str, ...] = ("high", "medium", "low")
DOWNLOAD_BAR_STEPS = 1000
SOUND_MODES: tuple[SoundMode, ...] = (SoundMode.DUCK, SoundMode.EVEN, SoundMode.MUTE)
DEPTH_SETTLE_MS = 400  # the depth is sent once the arrows stop


class _State(Enum):
    IDLE = "idle"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportView(QWidget):
    """Format, quality, extras and folder; the Export and Cancel buttons; progress; the result.

    ``open_url`` opens a folder in the file manager (QDesktopServices by default; tests pass
    their own), ``pick_folder`` asks for a destination (a QFileDialog by default).
    """

    exportRequested = Signal(dict)
    cancelRequested = Signal()
    # the clip sound the user chose: mode ("duck", "even", "mute") and the dip's depth in dB,
    # or None when the depth was not touched (the draft's own, maybe automatic, stays)
    clipSoundChanged = Signal(str, object)

    def __init__(
        self,
        parent: QWidget | None = None,
        open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl,
        pick_folder: Callable[[QWidget, str], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_url = open_url
        self._pick_folder = pick_folder or self._dialog_folder
        music = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation)
        self._folder = Path(music or Path.home())
        self._has_video = True
        self._local_extras = False
        self._sound_busy = False
        self._state = _State.IDLE
        self._result: Path | None = None
        self._build()
        self._wire()
        self.retranslate()
        self._show_state()

    # ---- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        """The options form, the clip's sound block, the buttons and the progress area, in
        the order the focus chain follows."""
        fields = self._option_fields()
        self._sound_block()
        form = self._options_form(fields)
        buttons = self._buttons()
        self._progress_area()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.sound_box)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_area)
        layout.addStretch(1)

    def _option_fields(self) -> list[QLayout | QWidget]:
        """Format, quality, stems and MIDI, and the folder: the form's fields."""
        self.format_buttons = {fmt: QRadioButton(self) for fmt in FORMATS}
        self.format_group = QButtonGroup(self)
        formats = QGridLayout()
        for i, fmt in enumerate(FORMATS):
            self.format_group.addButton(self.format_buttons[fmt], i)
            formats.addWidget(self.format_buttons[fmt], i, 0)  # one a row: none cut short
        self.format_buttons["mp4"].setChecked(True)
        self.quality = QComboBox(self)
        for q in QUALITIES:
            self.quality.addItem("", q)
        self.stems = QCheckBox(self)
        self.midi = QCheckBox(self)
        extras = QVBoxLayout()
        extras.addWidget(self.stems)
        extras.addWidget(self.midi)
        self.folder_label = ElidedLabel(self)
        self.change_folder = QPushButton(self)
        folder = QHBoxLayout()
        folder.addWidget(self.folder_label, 1)
        folder.addWidget(self.change_folder)
        return [formats, self.quality, extras, folder]

    def _sound_block(self) -> None:
        """How the clip's own sound plays under the music, and how deep the music ducks."""
        self.clip_sound = QComboBox(self)
        for mode in SOUND_MODES:
            self.clip_sound.addItem("", mode.value)
        self.duck_depth = QSpinBox(self)
        self.duck_depth.setRange(round(MIN_DUCK_DB), round(MAX_DUCK_DB))
        self.duck_depth.setValue(round(DEFAULT_DUCK_DB))
        self.duck_depth.setKeyboardTracking(False)
        self._depth_timer = QTimer(self)
        self._depth_timer.setSingleShot(True)
        self._depth_timer.setInterval(DEPTH_SETTLE_MS)
        # The clip's sound: its own block, so its labels do not widen the form's label column.
        self.sound_box = QWidget(self)
        self.sound_title = QLabel(self.sound_box)
        self.sound_title.setObjectName("sectionLabel")
        self.depth_label = QLabel(self.sound_box)
        self.depth_label.setBuddy(self.duck_depth)
        depth_row = QHBoxLayout()
        depth_row.addWidget(self.depth_label)
        depth_row.addWidget(self.duck_depth)
        depth_row.addStretch(1)
        sv = QVBoxLayout(self.sound_box)
        sv.setContentsMargins(0, 6, 0, 4)
        sv.addWidget(self.sound_title)
        sv.addWidget(self.clip_sound)
        sv.addLayout(depth_row)

    def _options_form(self, fields: list[QLayout | QWidget]) -> QFormLayout:
        self.form_labels = [QLabel(self) for _ in range(4)]
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, field in zip(self.form_labels, fields, strict=True):
            form.addRow(label, field)
        return form

    def _buttons(self) -> QHBoxLayout:
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("primary")
        self.export_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        return buttons

    def _progress_area(self) -> None:
        """Status, progress bar, detail, and the finished file with its folder."""
        self.status_icon = QLabel(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self._status_glyph = ""
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_icon)
        status_row.addWidget(self.status, 1)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.detail = QLabel(self)
        self.detail.setObjectName("muted")
        self.chip = FileChip(self)
        self.show_folder = QPushButton(self)
        self.copy_path = QPushButton(self)  # offered when no file manager could open
        self.copy_path.setVisible(False)
        done = QHBoxLayout()
        done.addWidget(self.chip)
        done.addWidget(self.show_folder)
        done.addWidget(self.copy_path)
        done.addStretch(1)
        self.progress_area = QFrame(self)
        pv = QVBoxLayout(self.progress_area)
        pv.setContentsMargins(0, 8, 0, 0)
        pv.addLayout(status_row)
        pv.addWidget(self.bar)
        pv.addWidget(self.detail)
        pv.addLayout(done)

    def _wire(self) -> None:
        self.export_button.clicked.connect(self.trigger_export)
        self.cancel_button.clicked.connect(self._cancel)
        self.change_folder.clicked.connect(self._choose_folder)
        self.show_folder.clicked.connect(self._reveal)
        self.copy_path.clicked.connect(self._copy_path)
        self.clip_sound.activated.connect(lambda _i: self._mode_chosen())
        self.duck_depth.valueChanged.connect(lambda _v: self._depth_timer.start())
        self._depth_timer.timeout.connect(self._depth_chosen)

    def retranslate(self) -> None:
        names = {
            "mp4": self.tr("MP4 video with music"),
            "wav": self.tr("WAV (lossless)"),
            "mp3": self.tr("MP3"),
            "m4a": self.tr("M4A (AAC)"),
        }
        for fmt, button in self.format_buttons.items():
            button.setText(names[fmt])
            button.setAccessibleName(self.tr("Format: {0}").format(names[fmt]))
        for i, text in enumerate((self.tr("High"), self.tr("Medium"), self.tr("Low"))):
            self.quality.setItemText(i, text)
        self.quality.setAccessibleName(self.tr("Quality"))
        self.stems.setText(self.tr("Stems (WAV per instrument)"))
        self.stems.setAccessibleName(self.tr("Stems"))
        self.midi.setText(self.tr("MIDI"))
        self.midi.setAccessibleName(self.tr("MIDI"))
        self.change_folder.setText(self.tr("Change…"))
        self.change_folder.setAccessibleName(self.tr("Change the output folder"))
        self.folder_label.setAccessibleName(self.tr("Output folder"))
        self.export_button.setText(self.tr("Export"))
        self.export_button.setToolTip(self.tr("Export (Ctrl+E)"))
        self.export_button.setAccessibleName(self.tr("Export"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the export"))
        self.show_folder.setText(self.tr("Show in folder"))
        self.show_folder.setAccessibleName(self.tr("Show the exported file in its folder"))
        self.copy_path.setText(self.tr("Copy path"))
        self.copy_path.setAccessibleName(self.tr("Copy the exported file's path"))
        self.bar.setAccessibleName(self.tr("Export progress"))
        sound_names = (
            self.tr("Duck music under voice"),
            self.tr("Mix evenly"),
            self.tr("Mute original sound"),
        )
        for i, text in enumerate(sound_names):
            self.clip_sound.setItemText(i, text)
        self.clip_sound.setAccessibleName(self.tr("Clip sound"))
        self.clip_sound.setToolTip(self.tr("The video's own sound, and the music under its speech"))
        self.duck_depth.setSuffix(self.tr(" dB"))
        self.duck_depth.setAccessibleName(self.tr("Duck depth"))
        self.duck_depth.setToolTip(self.tr("How far the music dips while someone speaks"))
        self.sound_title.setText(self.tr("Clip sound"))
        self.depth_label.setText(self.tr("Duck depth"))
        labels = (self.tr("Format"), self.tr("Quality"), self.tr("Extras"), self.tr("Save to"))
        for label, text in zip(self.form_labels, labels, strict=True):
            label.setText(text)
        self.chip.retranslate()
        self._refresh_options()
        self._show_folder()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.PaletteChange:
            self._refresh_icons()
        super().changeEvent(event)

    def _refresh_icons(self) -> None:
        self.export_button.setIcon(icon("export"))
        self.cancel_button.setIcon(icon("cancel"))
        self.change_folder.setIcon(icon("folder"))
        self.show_folder.setIcon(icon("folder"))
        self.chip.refresh_icons()
        self._set_status(self.status.text(), self._status_glyph)

    # ---- options ----------------------------------------------------------------------------

    def set_has_video(self, has_video: bool) -> None:
        """MP4 needs a clip to put the music on; without one the choice moves to WAV."""
        self._has_video = has_video
        if not has_video and self.selected_format() == "mp4":
            self.format_buttons["wav"].setChecked(True)
        self._refresh_options()

    def set_clip_sound(self, mode: SoundMode | str, depth_db: float) -> None:
        """Show the draft's clip sound (core.ducking's mode and depth); sends nothing."""
        self._depth_timer.stop()
        index = self.clip_sound.findData(SoundMode(mode).value)
        self.clip_sound.setCurrentIndex(max(index, 0))
        self.duck_depth.blockSignals(True)
        self.duck_depth.setValue(round(depth_db))
        self.duck_depth.blockSignals(False)
        self._refresh_options()

    def clip_sound_choice(self) -> tuple[str, float]:
        return str(self.clip_sound.currentData()), float(self.duck_depth.value())

    def set_sound_busy(self, busy: bool) -> None:
        """While the backend works on the draft, the clip sound waits."""
        self._sound_busy = busy
        self._refresh_options()

    def _mode_chosen(self) -> None:
        self._depth_timer.stop()
        self._refresh_options()
        self.clipSoundChanged.emit(str(self.clip_sound.currentData()), None)

    def _depth_chosen(self) -> None:
        self._refresh_options()
        self.clipSoundChanged.emit(*self.clip_sound_choice())

    def set_local_extras(self, available: bool) -> None:
        """Stems and MIDI exist only on the local engine."""
        self._local_extras = available
        self._refresh_options()

    def set_output_folder(self, path: str | Path) -> None:
        if str(path):
            self._folder = Path(path).expanduser()
        self._show_folder()

    def output_folder(self) -> Path:
        return self._folder

    def select_format(self, fmt: str) -> None:
        button = self.format_buttons.get(fmt)
        if button is not None and button.isEnabled():
            button.setChecked(True)

    def selected_format(self) -> str:
        checked = self.format_group.checkedId()
        return FORMATS[checked] if checked >= 0 else "wav"

    def options(self) -> dict[str, Any]:
        return {
            "format": self.selected_format(),
            "quality": str(self.quality.currentData()),
            "stems": self._local_extras and self.stems.isChecked(),
            "midi": self._local_extras and self.midi.isChecked(),
            "folder": str(self._folder),
        }

    def _refresh_options(self) -> None:
        idle = self._state is not _State.RUNNING
        mp4 = self.format_buttons["mp4"]
        mp4.setEnabled(idle and self._has_video)
        mp4.setToolTip(
            "" if self._has_video else self.tr("Add a video clip to export it with music.")
        )
        for fmt in FORMATS[1:]:
            self.format_buttons[fmt].setEnabled(idle)
        self.quality.setEnabled(idle)
        cloud_tip = self.tr("Only the local engine can export this.")
        for box in (self.stems, self.midi):
            box.setEnabled(idle and self._local_extras)
            box.setToolTip("" if self._local_extras else cloud_tip)
        self.change_folder.setEnabled(idle)
        self.sound_box.setVisible(self._has_video)  # the clip's sound needs a clip
        self.clip_sound.setEnabled(not self._sound_busy)
        ducking = self.clip_sound.currentData() == SoundMode.DUCK.value
        self.duck_depth.setEnabled(ducking and not self._sound_busy)
        self.depth_label.setEnabled(ducking)

    def _show_folder(self) -> None:
        self.folder_label.setText(str(self._folder))
        self.folder_label.setToolTip(str(self._folder))

    def _dialog_folder(self, parent: QWidget, start: str) -> str:
        return QFileDialog.getExistingDirectory(parent, self.tr("Export to folder"), start)

    def _choose_folder(self) -> None:
        chosen = self._pick_folder(self, str(self._folder))
        if chosen:
            self.set_output_folder(chosen)

    # ---- running ----------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self._state is _State.RUNNING

    def trigger_export(self) -> None:
        """Ask for an export with the chosen options (Ctrl+E); ignored while one runs."""
        if self._state is _State.RUNNING or not self.export_button.isEnabled():
            return
        self._result = None
        self._enter(_State.RUNNING)
        self._set_status(self.tr("Starting the export…"))
        self.bar.setRange(0, 0)
        self.exportRequested.emit(self.options())

    def _cancel(self) -> None:
        if self._state is _State.RUNNING:
            self.cancel_button.setEnabled(False)
            self._set_status(self.tr("Cancelling…"))
            self.cancelRequested.emit()

    def set_render_progress(self, status: RenderStatus) -> None:
        if status.status == "failed":
            self.set_failed(status.error or self.tr("The render failed."))
            return
        if self._state is not _State.RUNNING:
            self._enter(_State.RUNNING)
        if status.status == "completed":
            self._set_status(self.tr("Rendered. Downloading…"))
            self.bar.setRange(0, 0)
        elif status.status == "processing" or status.progress > 0:
            percent = round(min(max(status.progress, 0.0), 100.0))
            self._set_status(self.tr("Rendering… {0}%").format(percent))
            self.bar.setRange(0, 100)
            self.bar.setValue(percent)
        else:
            self._set_status(self.tr("Waiting for the renderer…"))
            self.bar.setRange(0, 0)
        self.detail.setText("")

    def set_download_progress(self, p: Progress) -> None:
        if self._state is not _State.RUNNING:
            self._enter(_State.RUNNING)
        self._set_status(self.tr("Downloading…"))
        fraction = p.fraction
        if fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, DOWNLOAD_BAR_STEPS)
            self.bar.setValue(round(fraction * DOWNLOAD_BAR_STEPS))
        self.detail.setText(download_text(p))

    def set_finished(self, path: Path) -> None:
        self._result = Path(path)
        self._enter(_State.DONE)
        self._set_status(self.tr("Saved {0}").format(self._result.name), "check")
        self.detail.setText(self.tr("Drag the file into your editor, or open its folder."))
        self.chip.set_path(self._result)

    def set_failed(self, message: str) -> None:
        self._enter(_State.FAILED)
        self._set_status(message or self.tr("The export failed."), "error")

    def set_cancelled(self) -> None:
        self._enter(_State.IDLE)
        self.progress_area.setVisible(True)
        self._set_status(self.tr("Export cancelled."))

    def reset(self) -> None:
        self._result = None
        self._enter(_State.IDLE)

    def result_path(self) -> Path | None:
        return self._result

    def _reveal(self) -> None:
        if self._result is None:
            return
        opened = self._open_url(QUrl.fromLocalFile(str(self._result.parent)))
        if opened is False:  # no file manager or launcher on this system: say so
            self.detail.setText(
                self.tr("No file manager could be opened. The file is in {0}").format(
                    str(self._result.parent)
                )
            )
            self.copy_path.setVisible(True)

    def _copy_path(self) -> None:
        if self._result is not None:
            QGuiApplication.clipboard().setText(str(self._result))
            self.detail.setText(self.tr("Path copied: {0}").format(str(self._result)))

    # ---- showing ----------------------------------------------------------------------------

    def _enter(self, state: _State) -> None:
        self._state = state
        self._show_state()

    def _show_state(self) -> None:
        running = self._state is _State.RUNNING
        done = self._state is _State.DONE
        self.export_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress_area.setVisible(self._state is not _State.IDLE)
        self.bar.setVisible(running)
        self.detail.setVisible(running or done)
        self.detail.setText("")
        self.chip.setVisible(done)
        self.show_folder.setVisible(done)
        self.copy_path.setVisible(False)
        self._refresh_options()
        self._refresh_icons()

    def _set_status(self, text: str, glyph: str = "") -> None:
        """The status line, with a coloured glyph for the two endings (saved, failed)."""
        self._status_glyph = glyph
        scheme = theme.colors()
        colour = {"error": scheme.danger, "check": scheme.success}.get(glyph, scheme.text)
        self.status.setStyleSheet(f"color: {colour};" if glyph == "error" else "")
        self.status.setText(text)
        self.status.setAccessibleName(text)
        self.status_icon.setVisible(bool(glyph))
        if glyph:
            side = self.status.fontMetrics().height()
            self.status_icon.setPixmap(icon(glyph, QColor(colour)).pixmap(side, side))
