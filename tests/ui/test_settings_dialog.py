"""The Settings dialog: shows the stored values, validates the API address, writes only on OK
and reports exactly what changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QWidget

from nemodesk.client.api import DEFAULT_API_URL
from nemodesk.ui.preferences import Preferences
from nemodesk.ui.settings_dialog import SettingsDialog


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "NemoDesk.ini"


def prefs_at(path: Path) -> Preferences:
    return Preferences(QSettings(str(path), QSettings.Format.IniFormat))


@pytest.fixture
def dialog(qtbot, ini: Path) -> SettingsDialog:
    prefs = prefs_at(ini)
    prefs.output_folder = "/srv/music"
    prefs.sync()
    dlg = SettingsDialog(prefs)
    qtbot.addWidget(dlg)
    return dlg


def ok_button(dlg: SettingsDialog):
    return dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)


def count_pixels(widget: QWidget, predicate) -> int:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if predicate(QColor(image.pixel(x, y)))
    )


def test_shows_the_stored_values(qtbot, ini: Path) -> None:
    prefs = prefs_at(ini)
    prefs.backend = "cloud"
    prefs.api_url = "http://127.0.0.1:9000"
    prefs.language = "zh_CN"
    prefs.output_folder = "/srv/exports"
    prefs.loudness_lufs = -16.5
    dlg = SettingsDialog(prefs)
    qtbot.addWidget(dlg)
    assert dlg.cloud_radio.isChecked() and not dlg.local_radio.isChecked()
    assert dlg.api_edit.text() == "http://127.0.0.1:9000"
    assert dlg.language_combo.currentData() == "zh_CN"
    assert dlg.language_combo.currentText() == "简体中文"
    assert dlg.folder_edit.text() == "/srv/exports"
    assert dlg.loudness_spin.value() == -16.5


def test_language_names_are_shown_in_their_own_language(dialog: SettingsDialog) -> None:
    combo = dialog.language_combo
    items = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
    assert items == [("system", "System default"), ("en", "English"), ("zh_CN", "简体中文")]


def test_api_address_only_for_the_cloud(dialog: SettingsDialog) -> None:
    assert dialog.local_radio.isChecked()
    assert not dialog.api_edit.isEnabled()
    dialog.cloud_radio.setChecked(True)
    assert dialog.api_edit.isEnabled()
    assert dialog.api_edit.text() == DEFAULT_API_URL


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("https://api.example.com", True),
        ("http://127.0.0.1:8765", True),
        ("ftp://example.com", False),
        ("example.com", False),
        ("https://", False),
        ("", False),
    ],
)
def test_cloud_address_is_validated(dialog: SettingsDialog, text: str, valid: bool) -> None:
    dialog.cloud_radio.setChecked(True)
    dialog.api_edit.setText(text)
    assert ok_button(dialog).isEnabled() is valid
    assert dialog._error.isVisibleTo(dialog) is not valid


def test_invalid_address_is_ignored_for_the_local_engine(dialog: SettingsDialog) -> None:
    dialog.cloud_radio.setChecked(True)
    dialog.api_edit.setText("nonsense")
    assert not ok_button(dialog).isEnabled()
    dialog.local_radio.setChecked(True)
    assert ok_button(dialog).isEnabled()


def test_problem_is_shown_in_red(qtbot, dialog: SettingsDialog) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)

    def reddish(c: QColor) -> bool:
        return c.red() > 150 and c.green() < 120 and c.blue() < 120

    assert count_pixels(dialog, reddish) == 0
    dialog.cloud_radio.setChecked(True)
    dialog.api_edit.setText("ftp://nope")
    assert count_pixels(dialog, reddish) > 30


def test_ok_writes_and_reports_only_the_changes(qtbot, dialog: SettingsDialog, ini: Path) -> None:
    dialog.cloud_radio.setChecked(True)
    dialog.api_edit.setText("https://api.example.com/")
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
    dialog.loudness_spin.setValue(-16.5)
    with qtbot.waitSignal(dialog.settingsChanged) as blocker:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert blocker.args == [
        {
            "backend": "cloud",
            "api_url": "https://api.example.com",
            "language": "zh_CN",
            "loudness_lufs": -16.5,
        }
    ]
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = prefs_at(ini)
    assert stored.backend == "cloud"
    assert stored.api_url == "https://api.example.com"
    assert stored.language == "zh_CN"
    assert stored.loudness_lufs == -16.5
    assert stored.output_folder == Path("/srv/music")


def test_ok_without_changes_emits_nothing(qtbot, dialog: SettingsDialog, ini: Path) -> None:
    before = ini.read_bytes()
    with qtbot.assertNotEmitted(dialog.settingsChanged):
        dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert ini.read_bytes() == before


def test_cancel_writes_nothing(qtbot, dialog: SettingsDialog, ini: Path) -> None:
    before = ini.read_bytes()
    dialog.cloud_radio.setChecked(True)
    dialog.language_combo.setCurrentIndex(2)
    dialog.folder_edit.setText("/elsewhere")
    dialog.loudness_spin.setValue(-9)
    with qtbot.assertNotEmitted(dialog.settingsChanged):
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel),
            Qt.MouseButton.LeftButton,
        )
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert ini.read_bytes() == before
    assert prefs_at(ini).backend == "local"


def test_address_with_a_token_is_refused_whole(qtbot, dialog: SettingsDialog, ini: Path) -> None:
    before = ini.read_bytes()
    dialog.language_combo.setCurrentIndex(1)
    dialog.cloud_radio.setChecked(True)
    dialog.api_edit.setText("https://api.example.com/?token=nmv_usr_abcdef")
    with qtbot.assertNotEmitted(dialog.settingsChanged):
        dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "token" in dialog._error.text()
    assert ini.read_bytes() == before  # not even the language was half-saved


def test_loudness_range_and_step(dialog: SettingsDialog) -> None:
    spin = dialog.loudness_spin
    assert (spin.minimum(), spin.maximum(), spin.singleStep()) == (-23.0, -9.0, 0.5)
    spin.setValue(-14.0)
    spin.stepUp()
    assert spin.value() == -13.5
    spin.setValue(-40)
    assert spin.value() == -23.0
    assert spin.text().endswith("LUFS")


def test_browse_fills_the_folder(monkeypatch, dialog: SettingsDialog, tmp_path: Path) -> None:
    asked: list[str] = []

    def fake(parent, caption, start):
        asked.append(start)
        return str(tmp_path)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(fake))
    dialog.browse_button.click()
    assert asked == ["/srv/music"]
    assert dialog.folder_edit.text() == str(tmp_path)
    assert dialog.values()["output_folder"] == str(tmp_path)


def test_empty_folder_blocks_ok(dialog: SettingsDialog) -> None:
    dialog.folder_edit.setText("   ")
    assert not ok_button(dialog).isEnabled()


@pytest.mark.parametrize(
    ("secure", "text", "hue_ok"),
    [
        (True, "Token stored in the system keyring", lambda c: c.green() > c.red() + 40),
        (
            False,
            "No system keyring: the token is kept in memory for this session only",
            lambda c: c.red() > c.blue() + 80 and c.green() > c.blue() + 40,
        ),
    ],
)
def test_keyring_status(qtbot, dialog: SettingsDialog, secure: bool, text: str, hue_ok) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.set_keyring_status(secure)
    assert dialog.keyring_label.text() == text
    assert dialog.keyring_icon.isVisible()
    assert count_pixels(dialog.keyring_icon, hue_ok) > 10


def test_keyring_status_from_the_constructor(qtbot, ini: Path) -> None:
    dlg = SettingsDialog(prefs_at(ini), keyring_secure=False)
    qtbot.addWidget(dlg)
    assert dlg.keyring_label.text().startswith("No system keyring")


def test_forget_token_button(qtbot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.forgetTokenRequested, timeout=1000):
        qtbot.mouseClick(dialog.forget_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted  # the dialog stays open


def test_controls_are_named_and_reachable_by_keyboard(dialog: SettingsDialog) -> None:
    controls = [
        dialog.local_radio,
        dialog.cloud_radio,
        dialog.api_edit,
        dialog.forget_button,
        dialog.language_combo,
        dialog.folder_edit,
        dialog.browse_button,
        dialog.loudness_spin,
    ]
    for control in controls:
        assert control.accessibleName()
        assert control.focusPolicy() & Qt.FocusPolicy.TabFocus
