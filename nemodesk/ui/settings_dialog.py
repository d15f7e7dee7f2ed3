"""The Settings dialog: backend and API address, language, output folder, loudness target, the
instrument sounds (built-in or the user's own .sf2/.sf3), and where the token lives (with
"Forget token").

The dialog edits a copy: Cancel writes nothing, OK writes only what changed and reports it in
``settingsChanged``, so the app re-applies exactly that (a new client for a new backend, a
new translator for a new language) without a restart.

Picking a language previews it at once (``languagePreviewed``: the app installs it, and the
whole window and this dialog switch); Cancel previews the stored language again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from nemodesk.ui.icons import icon
from nemodesk.ui.preferences import (
    LOUDNESS_MAX_LUFS,
    LOUDNESS_MIN_LUFS,
    SOUNDFONT_SUFFIXES,
    Preferences,
    is_http_url,
    is_soundfont,
    looks_secret,
)

# Each language named in itself, so a user lost in the wrong language still finds their own.
LANGUAGE_NAMES: Final = (("en", "English"), ("zh_CN", "简体中文"))
LOUDNESS_STEP_LUFS: Final = 0.5
OK_COLOR: Final = QColor("#2e9d5b")
WARN_COLOR: Final = QColor("#d08a00")
ERROR_COLOR: Final = QColor("#d64545")
STATUS_ICON_PX: Final = 16


class SettingsDialog(QDialog):
    """``settingsChanged(dict)`` maps each changed key (see ``preferences.EDITABLE_KEYS``) to
    its new value; it is emitted after OK wrote them, and only if something changed."""

    settingsChanged = Signal(dict)
    forgetTokenRequested = Signal()
    languagePreviewed = Signal(str)  # "system", "en" or "zh_CN": show the app in it now

    def __init__(
        self,
        preferences: Preferences,
        parent: QWidget | None = None,
        *,
        keyring_secure: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self._prefs = preferences
        self._labels: list[QLabel] = []
        self._keyring_secure: bool | None = None
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(self._service_group())
        layout.addWidget(self._general_group())
        self._error = QLabel()
        self._error.setWordWrap(True)
        self._error.setStyleSheet(f"color: {ERROR_COLOR.name()};")
        self._error.hide()
        layout.addWidget(self._error)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.retranslate()
        self._load()
        self._update_state()
        if keyring_secure is not None:
            self.set_keyring_status(keyring_secure)
        self.language_combo.currentIndexChanged.connect(
            lambda _: self.languagePreviewed.emit(self.language_combo.currentData())
        )

    # -- building ---------------------------------------------------------------------------

    def _service_group(self) -> QGroupBox:
        box = self._service_box = QGroupBox()
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

        self.local_radio = QRadioButton()
        self.cloud_radio = QRadioButton()
        self._backend_group = QButtonGroup(self)
        self._backend_group.addButton(self.local_radio)
        self._backend_group.addButton(self.cloud_radio)
        radios = QVBoxLayout()
        radios.addWidget(self.local_radio)
        radios.addWidget(self.cloud_radio)
        self._backend_label = self._row(form, radios)

        self.api_edit = QLineEdit()
        self.api_edit.setPlaceholderText("https://")
        self.api_edit.setClearButtonEnabled(True)
        self.api_label = self._row(form, self.api_edit, self.api_edit)

        self.keyring_icon = QLabel()
        self.keyring_icon.setFixedSize(QSize(STATUS_ICON_PX, STATUS_ICON_PX))
        self.keyring_label = QLabel()
        self.keyring_label.setWordWrap(True)
        self.forget_button = QPushButton(icon("trash"), "")
        self.forget_button.clicked.connect(self.forgetTokenRequested)
        token_row = QHBoxLayout()
        token_row.addWidget(self.keyring_icon, 0, Qt.AlignmentFlag.AlignVCenter)
        token_row.addWidget(self.keyring_label, 1)
        token_row.addWidget(self.forget_button)
        self._token_label = self._row(form, token_row)
        self.keyring_icon.hide()

        self._backend_group.buttonToggled.connect(lambda *_: self._update_state())
        self.api_edit.textChanged.connect(self._update_state)
        return box

    def _general_group(self) -> QGroupBox:
        box = self._general_box = QGroupBox()
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

        self.language_combo = QComboBox()
        self.language_combo.addItem("", "system")
        for code, name in LANGUAGE_NAMES:
            self.language_combo.addItem(name, code)
        self._language_label = self._row(form, self.language_combo, self.language_combo)

        self.folder_edit = QLineEdit()
        self.folder_edit.textChanged.connect(self._update_state)
        self.browse_button = QPushButton(icon("folder"), "")
        self.browse_button.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        self._folder_label = self._row(form, folder_row, self.folder_edit)

        self.loudness_spin = QDoubleSpinBox()
        self.loudness_spin.setRange(LOUDNESS_MIN_LUFS, LOUDNESS_MAX_LUFS)
        self.loudness_spin.setSingleStep(LOUDNESS_STEP_LUFS)
        self.loudness_spin.setDecimals(1)
        loudness_row = QHBoxLayout()
        loudness_row.addWidget(self.loudness_spin)
        loudness_row.addStretch(1)
        self._loudness_label = self._row(form, loudness_row, self.loudness_spin)

        self.soundfont_combo = QComboBox()
        self.soundfont_combo.addItem("", "")  # the built-in sounds; a chosen file is item 1
        self.soundfont_button = QPushButton(icon("folder"), "")
        self.soundfont_button.clicked.connect(self.choose_soundfont)
        sounds_row = QHBoxLayout()
        sounds_row.addWidget(self.soundfont_combo, 1)
        sounds_row.addWidget(self.soundfont_button)
        sounds = QVBoxLayout()
        sounds.addLayout(sounds_row)
        self.soundfont_note = QLabel()
        self.soundfont_note.setWordWrap(True)
        self.soundfont_note.setStyleSheet(f"color: {ERROR_COLOR.name()};")
        self.soundfont_note.hide()
        sounds.addWidget(self.soundfont_note)
        self._soundfont_label = self._row(form, sounds, self.soundfont_combo)
        return box

    def retranslate(self) -> None:
        """Every text in the current language (again on each language switch)."""
        self.setWindowTitle(self.tr("Settings"))
        self._error.setAccessibleName(self.tr("Problem"))
        self._service_box.setTitle(self.tr("Music service"))
        self.local_radio.setText(self.tr("Local engine (on this computer, offline)"))
        self.local_radio.setAccessibleName(self.tr("Local engine"))
        self.cloud_radio.setText(self.tr("NemoVideo cloud"))
        self.cloud_radio.setAccessibleName(self.tr("NemoVideo cloud"))
        self._backend_label.setText(self.tr("Backend:"))
        self.api_edit.setAccessibleName(self.tr("API address"))
        self.api_label.setText(self.tr("API &address:"))
        self.keyring_label.setAccessibleName(self.tr("Token status"))
        self.forget_button.setText(self.tr("&Forget token"))
        self.forget_button.setAccessibleName(self.tr("Forget token"))
        self.forget_button.setToolTip(
            self.tr("Remove the saved sign-in token; a new one is requested when needed")
        )
        self._token_label.setText(self.tr("Token:"))
        self._show_keyring_status()
        self._general_box.setTitle(self.tr("General"))
        self.language_combo.setItemText(0, self.tr("System default"))
        self.language_combo.setAccessibleName(self.tr("Language"))
        self._language_label.setText(self.tr("&Language:"))
        self.folder_edit.setAccessibleName(self.tr("Output folder"))
        self.browse_button.setText(self.tr("&Browse…"))
        self.browse_button.setAccessibleName(self.tr("Browse for the output folder"))
        self._folder_label.setText(self.tr("&Output folder:"))
        self.loudness_spin.setSuffix(self.tr(" LUFS"))
        self.loudness_spin.setAccessibleName(self.tr("Loudness target"))
        self.loudness_spin.setToolTip(
            self.tr("-14 LUFS suits most streaming sites; -23 LUFS is the broadcast norm")
        )
        self._loudness_label.setText(self.tr("Loudness &target:"))
        self.soundfont_combo.setItemText(0, self.tr("Built-in (FluidR3 GM)"))
        self.soundfont_combo.setAccessibleName(self.tr("Instrument sounds"))
        self.soundfont_combo.setToolTip(
            self.tr("The SoundFont the local engine plays new music with")
        )
        self.soundfont_button.setText(self.tr("&Choose…"))
        self.soundfont_button.setAccessibleName(self.tr("Choose a SoundFont file"))
        self._soundfont_label.setText(self.tr("Instrument &sounds:"))
        self._align_labels()
        if hasattr(self, "buttons"):  # on a language switch, not while building
            self._update_state()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _row(
        self, form: QFormLayout, field: QWidget | QLayout, buddy: QWidget | None = None
    ) -> QLabel:
        label = QLabel()
        if buddy is not None:
            label.setBuddy(buddy)
        self._labels.append(label)
        form.addRow(label, field)
        return label

    def _align_labels(self) -> None:
        """One label column across both groups, so the fields line up."""
        for label in self._labels:
            label.setMinimumWidth(0)
        width = max(label.sizeHint().width() for label in self._labels)
        for label in self._labels:
            label.setMinimumWidth(width)

    # -- state ------------------------------------------------------------------------------

    def _load(self) -> None:
        values = self._prefs.snapshot()
        (self.cloud_radio if values["backend"] == "cloud" else self.local_radio).setChecked(True)
        self.api_edit.setText(values["api_url"])
        self.language_combo.setCurrentIndex(
            max(0, self.language_combo.findData(values["language"]))
        )
        self.folder_edit.setText(values["output_folder"])
        self.loudness_spin.setValue(values["loudness_lufs"])
        self._show_soundfont(values["soundfont"])

    def values(self) -> dict[str, Any]:
        """What the dialog currently shows, keyed like ``Preferences.snapshot``."""
        return {
            "backend": "cloud" if self.cloud_radio.isChecked() else "local",
            "api_url": self.api_edit.text().strip().rstrip("/"),
            "language": self.language_combo.currentData(),
            "output_folder": str(Path(self.folder_edit.text().strip()).expanduser()),
            "loudness_lufs": self.loudness_spin.value(),
            "soundfont": self.soundfont_combo.currentData() or "",
        }

    def _problem(self) -> str:
        cloud = self.cloud_radio.isChecked()
        if cloud and not is_http_url(self.api_edit.text()):
            return self.tr("Enter an API address that starts with http:// or https://.")
        if not self.folder_edit.text().strip():
            return self.tr("Choose a folder for exported files.")
        return ""

    def _update_state(self) -> None:
        self.api_edit.setEnabled(self.cloud_radio.isChecked())
        self.api_label.setEnabled(self.cloud_radio.isChecked())
        self._show_problem(self._problem())

    def reject(self) -> None:
        """Cancel: nothing written, and a previewed language gives way to the stored one."""
        if self.language_combo.currentData() != self._prefs.language:
            self.languagePreviewed.emit(self._prefs.language)
        super().reject()

    def _show_problem(self, text: str) -> None:
        self._error.setText(text)
        self._error.setVisible(bool(text))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not text)

    def set_keyring_status(self, secure: bool) -> None:
        self._keyring_secure = secure
        self._show_keyring_status()

    def _show_keyring_status(self) -> None:
        secure = self._keyring_secure
        if secure is None:
            self.keyring_label.setText(self.tr("Checking the system keyring…"))
            return
        if secure:
            text = self.tr("Token stored in the system keyring")
            name, color = "check", OK_COLOR
        else:
            text = self.tr("No system keyring: the token is kept in memory for this session only")
            name, color = "warning", WARN_COLOR
        self.keyring_label.setText(text)
        self.keyring_icon.setPixmap(icon(name, color).pixmap(STATUS_ICON_PX, STATUS_ICON_PX))
        self.keyring_icon.show()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the output folder"), self.folder_edit.text()
        )
        if folder:
            self.folder_edit.setText(folder)

    def _show_soundfont(self, path: str) -> None:
        """Item 0 is the built-in sounds; item 1, when there is a file, names it (the whole
        path in its tooltip) and is selected."""
        while self.soundfont_combo.count() > 1:
            self.soundfont_combo.removeItem(1)
        if path:
            self.soundfont_combo.addItem(Path(path).name, path)
            self.soundfont_combo.setItemData(1, path, Qt.ItemDataRole.ToolTipRole)
            self.soundfont_combo.setCurrentIndex(1)
        else:
            self.soundfont_combo.setCurrentIndex(0)

    def choose_soundfont(self) -> None:
        current = self.soundfont_combo.currentData() or ""
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose a SoundFont"),
            str(Path(current).parent) if current else "",
            self.tr("SoundFonts (*.sf2 *.sf3)"),
        )
        if path:
            self.use_soundfont(path)

    def use_soundfont(self, path: str | Path) -> bool:
        """Show ``path`` as the chosen sounds if it is a readable SoundFont; else say why
        and keep the previous choice."""
        path = Path(path)
        if path.suffix.lower() not in SOUNDFONT_SUFFIXES or not is_soundfont(path):
            self.soundfont_note.setText(
                self.tr(
                    "{0} is not a SoundFont (.sf2 or .sf3) that can be read; "
                    "the instrument sounds stay as they were."
                ).format(path.name)
            )
            self.soundfont_note.show()
            return False
        self.soundfont_note.hide()
        self._show_soundfont(str(path))
        return True

    # -- closing ----------------------------------------------------------------------------

    def accept(self) -> None:
        problem = self._problem()
        if problem:
            self._show_problem(problem)
            return
        old = self._prefs.snapshot()
        new = self.values()
        if not is_http_url(new["api_url"]):
            new["api_url"] = old["api_url"]  # local backend: a half-typed address is ignored
        changed = {key: value for key, value in new.items() if value != old[key]}
        if any(looks_secret(key, value) for key, value in changed.items()):
            # Checked before writing anything: a link with a token in it must not half-save.
            self._show_problem(
                self.tr("That address contains a sign-in token; enter the address without it.")
            )
            return
        for key, value in changed.items():
            setattr(self._prefs, key, value)
        self._prefs.sync()
        super().accept()
        if changed:
            self.settingsChanged.emit(changed)
