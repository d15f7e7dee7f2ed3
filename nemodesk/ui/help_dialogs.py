"""The Help menu's windows: the keyboard shortcuts and About NemoDesk."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nemodesk import __version__
from nemodesk.ui.icons import app_icon


def shortcuts() -> list[tuple[str, str]]:
    """(keys, what they do), in the UI language."""
    return [
        ("Ctrl+O", QCoreApplication.translate("HelpDialogs", "Open a clip")),
        ("Ctrl+Enter", QCoreApplication.translate("HelpDialogs", "Generate")),
        ("Space", QCoreApplication.translate("HelpDialogs", "Play or pause")),
        ("Ctrl+Z", QCoreApplication.translate("HelpDialogs", "Undo the last change")),
        ("Ctrl+Shift+Z", QCoreApplication.translate("HelpDialogs", "Redo the change")),
        ("Ctrl+E", QCoreApplication.translate("HelpDialogs", "Export")),
        ("Ctrl+,", QCoreApplication.translate("HelpDialogs", "Settings")),
        ("Ctrl+wheel", QCoreApplication.translate("HelpDialogs", "Zoom the timeline")),
        ("F1", QCoreApplication.translate("HelpDialogs", "Keyboard shortcuts")),
        ("Ctrl+Q", QCoreApplication.translate("HelpDialogs", "Quit")),
    ]


def shortcuts_dialog(parent: QWidget) -> QDialog:
    dialog = QDialog(parent)
    dialog.setObjectName("shortcutsDialog")
    dialog.setWindowTitle(QCoreApplication.translate("HelpDialogs", "Keyboard shortcuts"))
    rows = shortcuts()
    table = QTableWidget(len(rows), 2, dialog)
    table.setHorizontalHeaderLabels(
        [
            QCoreApplication.translate("HelpDialogs", "Keys"),
            QCoreApplication.translate("HelpDialogs", "Action"),
        ]
    )
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    for i, (keys, what) in enumerate(rows):
        table.setItem(i, 0, QTableWidgetItem(keys))
        table.setItem(i, 1, QTableWidgetItem(what))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    dialog.resize(460, 420)
    return dialog


def about_box(parent: QWidget) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle(QCoreApplication.translate("HelpDialogs", "About NemoDesk"))
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(
        f"<b>NemoDesk {__version__}</b><br>"
        + QCoreApplication.translate(
            "HelpDialogs", "Music for your videos, made on this computer or in the NemoVideo cloud."
        )
    )
    box.addButton(QMessageBox.StandardButton.Close)
    return box
