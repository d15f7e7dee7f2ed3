"""The drop area: clips (and images, audio) dragged in from the file manager or picked with
Open…. Unsupported files are refused here, before any upload, with the list of what is
supported; during an upload it shows progress, rate and a cancel button; afterwards the
clip's thumbnail, length and detected cuts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from nemodesk.client import Progress
from nemodesk.core.formats import ACCEPTED_EXTENSIONS, kind_of, supported_list
from nemodesk.ui import theme
from nemodesk.ui.humanize import clock, download_text
from nemodesk.ui.icons import icon


def split_files(mime: QMimeData) -> tuple[list[Path], list[str]]:
    """Local files in a drop, split into accepted paths and refused names."""
    ok: list[Path] = []
    refused: list[str] = []
    for url in mime.urls():
        if not url.isLocalFile():
            refused.append(url.toString())
            continue
        path = Path(url.toLocalFile())
        if path.is_file() and kind_of(path.name) is not None:
            ok.append(path)
        else:
            refused.append(path.name or str(path))
    return ok, refused


class DropArea(QFrame):
    filesChosen = Signal(list)  # list[Path]
    refused = Signal(list, str)  # names, message
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropArea")
        self.setAcceptDrops(True)
        self.setProperty("dragActive", False)
        self.setMinimumHeight(120)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.pages = QStackedLayout()
        for page in (self._empty_page(), self._uploading_page(), self._clip_page()):
            self.pages.addWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addLayout(self.pages, 1)
        outer.addWidget(self.message)  # under every page: an error shows with the clip too
        self.message.setContentsMargins(8, 0, 8, 8)
        self.message.setVisible(False)
        self.clip: dict[str, Any] | None = None
        self.pick_files: Callable[[], list[str]] = self._ask_files  # tests pass their own
        self.start_folder: Callable[[], str] = str  # where the dialog opens (the window's)
        self.retranslate()

    def _empty_page(self) -> QWidget:
        """Nothing dropped yet: the hint and Open (and the message line every page shows)."""
        self.hint = QLabel(self)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.open_button = QPushButton(self)
        self.open_button.setIcon(icon("open"))
        self.open_button.clicked.connect(self.open_dialog)
        self.message = QLabel(self)
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty = QWidget(self)
        ev = QVBoxLayout(empty)
        ev.addStretch(1)
        ev.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        row.addStretch(1)
        ev.addLayout(row)
        ev.addStretch(1)
        return empty

    def _uploading_page(self) -> QWidget:
        """A clip on its way: name, progress, rate and Cancel."""
        self.upload_label = QLabel(self)
        self.upload_bar = QProgressBar(self)
        self.upload_bar.setRange(0, 1000)
        self.upload_bar.setTextVisible(False)
        self.upload_rate = QLabel(self)
        self.upload_rate.setObjectName("muted")
        self.cancel_button = QPushButton(self)
        self.cancel_button.setIcon(icon("cancel"))
        self.cancel_button.clicked.connect(self.cancelRequested)
        busy = QWidget(self)
        bv = QVBoxLayout(busy)
        bv.addStretch(1)
        bv.addWidget(self.upload_label)
        bv.addWidget(self.upload_bar)
        br = QHBoxLayout()
        br.addWidget(self.upload_rate, 1)
        br.addWidget(self.cancel_button)
        bv.addLayout(br)
        bv.addStretch(1)
        return busy

    def _clip_page(self) -> QWidget:
        """The clip in use: thumbnail, name, facts and Replace."""
        self.thumb = QLabel(self)
        self.thumb.setFixedSize(160, 90)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clip_name = QLabel(self)
        self.clip_name.setObjectName("clipName")
        self.clip_facts = QLabel(self)
        self.clip_facts.setObjectName("muted")
        self.clip_facts.setWordWrap(True)
        self.replace_button = QPushButton(self)
        self.replace_button.setIcon(icon("open"))
        self.replace_button.clicked.connect(self.open_dialog)
        clip = QWidget(self)
        cl = QHBoxLayout(clip)
        cl.addWidget(self.thumb)
        facts = QVBoxLayout()
        facts.addStretch(1)
        facts.addWidget(self.clip_name)
        facts.addWidget(self.clip_facts)
        facts.addWidget(self.replace_button, 0, Qt.AlignmentFlag.AlignLeft)
        facts.addStretch(1)
        cl.addLayout(facts, 1)
        return clip

    # ---- text -------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.hint.setText(self.tr("Drop a video clip here"))
        self.open_button.setText(self.tr("Open…"))
        self.open_button.setToolTip(self.tr("Open a clip (Ctrl+O)"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.replace_button.setText(self.tr("Use another clip…"))
        self.setAccessibleName(self.tr("Drop area for video clips"))
        if self.clip:
            self.set_clip(self.clip)

    # ---- drag and drop ----------------------------------------------------------------------

    def _set_active(self, on: bool) -> None:
        self.setProperty("dragActive", on)
        self.style().unpolish(self)
        self.style().polish(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
            self._set_active(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QEvent) -> None:
        self._set_active(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_active(False)
        self.take(event.mimeData())
        event.acceptProposedAction()

    def take(self, mime: QMimeData) -> None:
        ok, refused = split_files(mime)
        if refused:
            self.refuse(refused)
        if ok:
            self.filesChosen.emit(ok)

    def refuse(self, names: list[str]) -> None:
        text = self.tr("Can't use {0}. Supported files: {1}.").format(
            ", ".join(names[:3]) + ("…" if len(names) > 3 else ""), supported_list()
        )
        self.show_message(text, error=True)
        self.refused.emit(names, text)

    def _ask_files(self) -> list[str]:
        patterns = " ".join(f"*.{e}" for e in ACCEPTED_EXTENSIONS)
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Open a clip"),
            self.start_folder(),
            self.tr("Video, image and audio files") + f" ({patterns})",
        )
        return files

    def open_dialog(self) -> None:
        paths = [Path(f) for f in self.pick_files()]
        refused = [p.name for p in paths if kind_of(p.name) is None]
        if refused:
            self.refuse(refused)
        ok = [p for p in paths if kind_of(p.name) is not None]
        if ok:
            self.filesChosen.emit(ok)

    # ---- states -----------------------------------------------------------------------------

    def start_upload(self, names: list[str]) -> None:
        self.upload_label.setText(self.tr("Uploading {0}…").format(", ".join(names)))
        self.upload_bar.setValue(0)
        self.upload_rate.setText("")
        self.pages.setCurrentIndex(1)

    def set_progress(self, p: Progress) -> None:
        if p.fraction is not None:
            self.upload_bar.setValue(int(p.fraction * 1000))
        self.upload_rate.setText(download_text(p))

    def set_clip(self, clip: dict[str, Any]) -> None:
        self.clip = clip
        thumbs = clip.get("thumbnails") or []
        if thumbs:
            pix = QPixmap.fromImage(thumbs[0]).scaled(
                self.thumb.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self.thumb.setPixmap(pix)
        else:
            self.thumb.setPixmap(icon("video").pixmap(48, 48))
        self.clip_name.setText(str(clip.get("name", "")))
        cuts = list(clip.get("cuts_s") or [])
        facts = [clock(float(clip.get("duration_s") or 0))]
        if clip.get("width") and clip.get("height"):
            facts.append(f"{clip['width']}×{clip['height']}")
        if cuts:
            shown = ", ".join(clock(c) for c in cuts[:6]) + ("…" if len(cuts) > 6 else "")
            facts.append(self.tr("%n cut(s) at {0}", "", len(cuts)).format(shown))
        else:
            facts.append(self.tr("no hard cuts detected"))
        self.clip_facts.setText(" · ".join(facts))
        self.show_message("")
        self.pages.setCurrentIndex(2)

    def clear_clip(self, message: str = "") -> None:
        """No clip any more (the new session has none and it could not be sent again)."""
        self.clip = None
        self.thumb.clear()
        self.clip_name.setText("")
        self.clip_facts.setText("")
        self.pages.setCurrentIndex(0)
        self.show_message(message, error=bool(message))

    def show_message(self, text: str, error: bool = False) -> None:
        """The line under the area, whatever page shows: an error in the danger colour;
        empty hides it."""
        colour = theme.colors().danger if error and text else ""
        self.message.setStyleSheet(f"color: {colour};" if colour else "")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def upload_finished(self, failed_message: str | None = None) -> None:
        """Back to the clip (or the empty page), with a message when it failed (None: the
        message stays as it is — a failure told a moment before the end stays in view)."""
        self.pages.setCurrentIndex(2 if self.clip else 0)
        if failed_message is not None:
            self.show_message(failed_message, error=bool(failed_message))
