"""The main window: drop area and prompt on the left; player, variations and timeline in
the middle; conversation and export on the right; backend, credits and session link in the
status bar. It wires widgets to the ``AppService`` and turns errors into sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nemodesk.client import Credits, Session
from nemodesk.core.draft import Draft, TrackType
from nemodesk.core.ducking import clip_sound_heard, depth_db, sound_mode
from nemodesk.core.guitalk import Action
from nemodesk.ui.conversation import Conversation
from nemodesk.ui.drop_area import DropArea
from nemodesk.ui.error_text import Action as ErrorAction
from nemodesk.ui.error_text import describe
from nemodesk.ui.export_view import ExportView
from nemodesk.ui.help_dialogs import about_box, shortcuts_dialog
from nemodesk.ui.icons import app_icon, icon
from nemodesk.ui.player import PlayerView
from nemodesk.ui.preferences import Preferences
from nemodesk.ui.prompt_panel import ColumnScroll, PromptPanel
from nemodesk.ui.service import AppService
from nemodesk.ui.timeline import TimelineView
from nemodesk.ui.timeline_model import segment_label
from nemodesk.ui.variations import CARD_PEAKS, VariationsView

KEYRING_NOTICE_MS = 30_000  # how long the one-time "no keyring" notice stays
# What the service says about its backend (its own words, context "AppService"): kept as the
# source so a language switch re-says it at once.
BACKEND_STATUSES = (
    "Starting engine…",
    "Connecting to NemoVideo cloud…",
    "Local engine",
    "NemoVideo cloud",
)


class MainWindow(QMainWindow):
    settingsRequested = Signal()
    closed = Signal()

    def __init__(self, service: AppService, prefs: Preferences) -> None:
        """The window in named steps: its state, the three columns (input, the player and
        timeline, the conversation and export tabs), the status bar, then the wiring and
        what the preferences restore. Widgets are made in the order the focus chain
        follows."""
        super().__init__()
        self.service = service
        self.prefs = prefs
        self.language = "en"
        self.setWindowIcon(app_icon())
        # the width: what the three columns need in the current language (the layout's
        # minimum, so no column is squeezed under its own and painted over)
        self.setMinimumHeight(640)
        self._init_state()
        left_column = self._left_column()
        center = self._center_column()
        self._columns(left_column, center)
        self._status_bar()
        self.session: Session | None = None
        self._start(service, prefs)

    def _init_state(self) -> None:
        self._closing = False
        self._error_link = ""
        self._has_video = False
        self._panel_round = False  # the chat round under way came from the prompt panel
        self._shown_brief: dict[str, Any] | None = None  # the track the panel last showed
        self._clip_heard = True  # the player starts with the clip's sound on
        self._help: QWidget | None = None  # the Help window (or "Why?" box) shown last
        self._clip_session = ""  # the session the shown clip was uploaded to
        self._last_upload: list[Path] = []
        self._error_job = ""  # the job whose error the status bar shows (Retry asks again)
        self._redo_depth = 0  # undos that can be redone (a new edit clears them)
        self._history_step = ""  # "undo" / "redo" while such a round runs
        self._round_draft: dict[str, Any] | None = None  # the draft when a chat round began

    def _left_column(self) -> QWidget:
        """The drop area and the prompt panel, scrolling, with Generate pinned below."""
        self.drop = DropArea(self)
        self.prompt = PromptPanel(self)
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.addWidget(self.drop)
        lv.addWidget(self.prompt, 1)
        left_scroll = ColumnScroll(self)  # as wide as the panel needs: nothing cut at its edge
        left_scroll.setWidget(left)
        left_column = QWidget(self)
        lc = QVBoxLayout(left_column)
        lc.setContentsMargins(0, 0, 0, 0)
        lc.addWidget(left_scroll, 1)
        pinned = QWidget(self)
        pl = QVBoxLayout(pinned)
        pl.setContentsMargins(9, 0, 9, 9)
        pl.addWidget(self.prompt.actions)  # Generate stays in view however tall the form
        lc.addWidget(pinned)
        return left_column

    def _center_column(self) -> QWidget:
        """The player, the variation cards, and the timeline with its tool bar."""
        self.player = PlayerView(self)
        self.variations = VariationsView(self)
        self.timeline = TimelineView(self)
        self.zoom_in = QToolButton(self)
        self.zoom_in.setIcon(icon("zoom-in"))
        self.zoom_out = QToolButton(self)
        self.zoom_out.setIcon(icon("zoom-out"))
        self.undo_button = QToolButton(self)
        self.undo_button.setIcon(icon("undo"))
        self.redo_button = QToolButton(self)
        self.redo_button.setIcon(icon("redo"))
        self.details = QLabel(self)
        self.details.setObjectName("muted")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        center = QWidget(self)
        cv = QVBoxLayout(center)
        cv.addWidget(self.player, 3)
        cv.addWidget(self.variations)
        bar = QHBoxLayout()
        self.timeline_title = QLabel(self)
        self.timeline_title.setObjectName("sectionLabel")
        bar.addWidget(self.timeline_title)
        bar.addWidget(self.details, 1)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.redo_button)
        bar.addWidget(self.zoom_out)
        bar.addWidget(self.zoom_in)
        cv.addLayout(bar)
        cv.addWidget(self.timeline, 2)
        return center

    def _columns(self, left_column: QWidget, center: QWidget) -> None:
        """The right column's tabs (conversation, export) and the splitter of the three."""
        self.conversation = Conversation(self)
        self.export_view = ExportView(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.conversation, icon("send"), "")
        self.tabs.addTab(self.export_view, icon("export"), "")
        self.tabs.setMinimumWidth(300)  # the export options stack one a row: they fit

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left_column)
        split.addWidget(center)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setSizes([390, 690, 360])
        split.setChildrenCollapsible(False)
        self.setCentralWidget(split)

    def _status_bar(self) -> None:
        sb = self.statusBar()
        self.backend_label = QLabel(self)
        self.credits_label = QLabel(self)
        self.credits_label.setObjectName("muted")
        self.keyring_label = QLabel(self)
        self.keyring_label.setObjectName("muted")
        self.keyring_label.setVisible(False)
        self.keyring_label.setTextFormat(Qt.TextFormat.RichText)
        self.keyring_label.linkActivated.connect(lambda _link: self._why_keyring())
        self.keyring_timer = QTimer(self)  # the notice shows once, for a while
        self.keyring_timer.setSingleShot(True)
        self.keyring_timer.setInterval(KEYRING_NOTICE_MS)
        self.keyring_timer.timeout.connect(lambda: self.keyring_label.setVisible(False))
        self.link_button = QPushButton(self)
        self.link_button.setIcon(icon("copy"))
        self.link_button.setFlat(True)
        self.link_button.setEnabled(False)
        self.settings_button = QToolButton(self)
        self.settings_button.setIcon(icon("settings"))
        self.error_label = QLabel(self)  # the latest error, wherever the user is looking
        self.error_label.setObjectName("error")
        self.error_label.setVisible(False)
        self.retry_button = QPushButton(self)
        self.retry_button.setVisible(False)
        for label in (self.backend_label, self.credits_label, self.keyring_label):
            label.setContentsMargins(8, 0, 8, 0)
        sb.addWidget(self.backend_label)
        sb.addWidget(self.credits_label)
        sb.addWidget(self.keyring_label)
        sb.addWidget(self.error_label, 1)
        sb.addWidget(self.retry_button)
        sb.addPermanentWidget(self.link_button)
        sb.addPermanentWidget(self.settings_button)

    def _start(self, service: AppService, prefs: Preferences) -> None:
        """Wire signals, menus and shortcuts, say everything in the current language, and
        restore what the preferences keep."""
        self._wire()
        self._menus()
        self._shortcuts()
        self.retranslate()
        self.export_view.set_output_folder(prefs.output_folder)
        self.export_view.set_has_video(False)
        self.export_view.set_local_extras(service.is_local)
        self.prompt.restore(prefs.prompt_choices)
        self.drop.start_folder = lambda: str(self.prefs.open_folder())
        self.backend_label.setText(self.tr("Starting engine…") if service.is_local else "")
        self.link_button.setVisible(not service.is_local)  # a local session has no link

    # ---- wiring -----------------------------------------------------------------------------

    def _wire(self) -> None:
        s = self.service
        s.backendStatus.connect(self._on_backend_status)
        s.ready.connect(self._on_ready)
        s.running.connect(self._on_running)
        s.chatMessage.connect(self.conversation.add)
        s.toolActivity.connect(self.conversation.set_activity)
        s.stillWorking.connect(self.conversation.still_working)
        s.draftChanged.connect(self._on_draft)
        s.mediaChanged.connect(self._on_media)
        s.clipLoaded.connect(self._on_clip)
        s.uploadProgress.connect(self.drop.set_progress)
        s.renderProgress.connect(self.export_view.set_render_progress)
        s.downloadProgress.connect(self.export_view.set_download_progress)
        s.exported.connect(lambda p: self.export_view.set_finished(Path(p)))
        s.cancelled.connect(self._on_cancelled)
        s.musicReady.connect(self._on_music)
        s.musicPreview.connect(self._on_music_preview)
        s.previewDropped.connect(self.player.drop_head)
        s.creditsChanged.connect(self._on_credits)
        s.sessionChanged.connect(self._on_session)
        s.tokenStatus.connect(self._on_token_status)
        s.uploadRequested.connect(self.drop.open_dialog)
        s.exportAsked.connect(self._export_asked)
        s.actionsRequested.connect(self._on_actions)
        s.failed.connect(self._on_failed)
        s.succeeded.connect(self._on_succeeded)

        self.drop.filesChosen.connect(self.upload)
        self.drop.refused.connect(lambda names, text: self.conversation.add("error", text))
        self.drop.cancelRequested.connect(lambda: s.cancel("upload"))
        self.prompt.generateRequested.connect(self.generate)
        self.conversation.submitted.connect(self.say)
        self.variations.useRequested.connect(self._use_variation)
        self.variations.playRequested.connect(self._preview_variation)
        self.export_view.exportRequested.connect(self._export)
        self.export_view.cancelRequested.connect(lambda: s.cancel("export"))
        self.export_view.clipSoundChanged.connect(s.set_clip_sound)
        self.timeline.seekRequested.connect(self.player.seek)
        self.timeline.hitEditRequested.connect(self._edit_hit)
        self.timeline.segmentSelected.connect(self._on_segment)
        self.player.positionChanged.connect(lambda ms: self.timeline.set_playhead(ms, True))
        self.zoom_in.clicked.connect(self.timeline.zoom_in)
        self.zoom_out.clicked.connect(self.timeline.zoom_out)
        self.link_button.clicked.connect(self._copy_link)
        self.settings_button.clicked.connect(self.settingsRequested)
        self.retry_button.clicked.connect(self._retry)

    def _shortcuts(self) -> None:
        def bind(keys: str, slot: Any) -> None:
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slot)

        play = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        play.setContext(Qt.ShortcutContext.WindowShortcut)
        play.activated.connect(self._space)

    def _menus(self) -> None:
        """File, Edit and Help menus; their actions carry the window's shortcuts."""

        def action(slot: Any, keys: Any = None, name: str = "") -> QAction:
            a = QAction(self)
            if name:
                a.setIcon(icon(name))
            if keys is not None:
                a.setShortcuts(keys if isinstance(keys, list) else [QKeySequence(keys)])
                a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(slot)
            self.addAction(a)  # shortcuts work with the menu bar hidden too
            return a

        self.open_action = action(self.drop.open_dialog, "Ctrl+O", "open")
        self.export_action = action(self._shortcut_export, "Ctrl+E", "export")
        self.settings_action = action(self.settingsRequested.emit, "Ctrl+,", "settings")
        self.clear_action = action(self.clear_history)
        self.quit_action = action(self.close, QKeySequence.StandardKey.Quit)
        self.undo_action = action(self.undo, [QKeySequence("Ctrl+Z")], "undo")
        self.redo_action = action(
            self.redo, [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")], "redo"
        )
        self.shortcuts_action = action(self.show_shortcuts, [QKeySequence("F1")])
        self.about_action = action(self.show_about)
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        for a in (self.open_action, self.export_action, self.settings_action):
            self.file_menu.addAction(a)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.clear_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.edit_menu = bar.addMenu("")
        self.edit_menu.addAction(self.undo_action)
        self.edit_menu.addAction(self.redo_action)
        self.help_menu = bar.addMenu("")
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addAction(self.about_action)
        self.undo_button.clicked.connect(self.undo_action.trigger)
        self.redo_button.clicked.connect(self.redo_action.trigger)
        self._update_history()

    def clear_history(self, *, ask: bool = True) -> None:
        """Delete the session's takes, exports and conversation (after a yes)."""
        if not self.service.is_local:
            return
        if ask:
            answer = QMessageBox.question(
                self,
                self.tr("Clear history"),
                self.tr(
                    "Delete every take, export and message of this session from this "
                    "computer? Files you exported elsewhere stay. This can't be undone."
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.service.clear_history()

    def show_shortcuts(self) -> None:
        self._show_help(shortcuts_dialog(self))

    def show_about(self) -> None:
        self._show_help(about_box(self))

    def _show_help(self, dialog: QWidget) -> None:
        """Open ``dialog`` (window-modal, not blocking); the one shown before goes."""
        if self._help is not None:
            self._help.deleteLater()
        self._help = dialog
        dialog.open()  # type: ignore[attr-defined]

    def _space(self) -> None:
        focus = self.focusWidget()
        if focus is not None and (focus.inherits("QLineEdit") or focus.inherits("QPlainTextEdit")):
            return  # typing a space
        self.player.toggle()

    def _export_asked(self, fmt: str) -> None:
        if fmt:
            self.export_view.select_format(fmt)
        self._shortcut_export()

    def _shortcut_export(self) -> None:
        self.tabs.setCurrentWidget(self.export_view)
        self.export_view.trigger_export()

    # ---- text -------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_backend_status(self, text: str) -> None:
        self._backend_status = next(
            (s for s in BACKEND_STATUSES if text == QCoreApplication.translate("AppService", s)),
            "",
        )
        self.backend_label.setText(text)
        self._backend_text = text

    def _retranslate_backend(self) -> None:
        """The service's last word on the backend, in the new language (unless something
        else has been written there since)."""
        status = getattr(self, "_backend_status", "")
        if status and self.backend_label.text() == getattr(self, "_backend_text", None):
            self._backend_text = QCoreApplication.translate("AppService", status)
            self.backend_label.setText(self._backend_text)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("NemoDesk — music for your video"))
        self._retranslate_backend()
        bgm = self.timeline.draft().first(TrackType.AUDIO)
        if bgm and bgm.segments:  # the genre is named in the UI language
            self.player.set_music_title(segment_label("audio", bgm.segments[0].meta))
        self.tabs.setTabText(0, self.tr("Conversation"))
        self.tabs.setTabText(1, self.tr("Export"))
        self.timeline_title.setText(self.tr("Timeline"))
        self.zoom_in.setToolTip(self.tr("Zoom in (Ctrl+wheel)"))
        self.zoom_in.setAccessibleName(self.tr("Zoom in"))
        self.zoom_out.setToolTip(self.tr("Zoom out (Ctrl+wheel)"))
        self.zoom_out.setAccessibleName(self.tr("Zoom out"))
        self.link_button.setText(self.tr("Copy session link"))
        self.link_button.setToolTip(self.tr("Copy the link to this session"))
        self.settings_button.setToolTip(self.tr("Settings (Ctrl+,)"))
        self.settings_button.setAccessibleName(self.tr("Settings"))
        self.retry_button.setText(self.tr("Retry"))
        if self.service.is_local:
            self.credits_label.setText(self.tr("free · offline"))
        self.keyring_label.setText(
            self.tr("No system keyring: the sign-in is kept for this session only")
            + f' · <a href="why">{self.tr("Why?")}</a>'
        )
        self.file_menu.setTitle(self.tr("&File"))
        self.edit_menu.setTitle(self.tr("&Edit"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.open_action.setText(self.tr("&Open a clip…"))
        self.export_action.setText(self.tr("&Export…"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.clear_action.setText(self.tr("Clear &history…"))
        self.clear_action.setToolTip(
            self.tr("Delete this session's takes, exports and conversation from this computer")
        )
        self.undo_action.setText(self.tr("&Undo"))
        self.redo_action.setText(self.tr("&Redo"))
        self.shortcuts_action.setText(self.tr("&Keyboard shortcuts"))
        self.about_action.setText(self.tr("&About NemoDesk"))
        self.undo_button.setToolTip(self.tr("Undo the last change (Ctrl+Z)"))
        self.undo_button.setAccessibleName(self.tr("Undo"))
        self.redo_button.setToolTip(self.tr("Redo the change (Ctrl+Shift+Z)"))
        self.redo_button.setAccessibleName(self.tr("Redo"))

    # ---- actions ----------------------------------------------------------------------------

    def upload(self, paths: list[Path]) -> None:
        if paths:
            self.prefs.last_open_folder = paths[0].resolve().parent
        self._last_upload = list(paths)
        self.drop.start_upload([p.name for p in paths])
        self.service.upload(paths)

    def generate(self, prompt: str, parameters: dict[str, Any]) -> None:
        if not prompt and not parameters:
            self.conversation.add(
                "notice",
                self.tr("Describe the music, or pick a mood or genre, then press Generate."),
            )
            return
        params = {**parameters, "loudness_lufs": self.prefs.loudness_lufs}
        self.prefs.prompt_choices = self.prompt.choices()
        self._panel_round = True  # the panel already says what this round makes
        self.service.generate(prompt, params)

    def _edit_hit(self, kind: str, cut_s: float, value: float) -> None:
        if self.service.busy("chat"):
            self.statusBar().showMessage(self.tr("Wait for the music to finish first"), 3000)
            return
        self._panel_round = False
        self.service.edit_hit(kind, cut_s, value)

    def undo(self) -> None:
        self._step_history("undo")

    def redo(self) -> None:
        self._step_history("redo")

    def _step_history(self, step: str) -> None:
        if self.service.busy("chat"):
            self.statusBar().showMessage(self.tr("Wait for the music to finish first"), 3000)
            return
        if step == "redo" and self._redo_depth <= 0:
            return
        self._panel_round = False
        self._history_step = step
        self.service.step_history(step)

    def _update_history(self) -> None:
        """Undo while the draft holds anything, redo while an undo can be taken back; both
        wait for a running chat round."""
        idle = not self.service.busy("chat")
        draft = self.service.draft
        self.undo_action.setEnabled(idle and bool(draft.tracks))
        self.redo_action.setEnabled(idle and self._redo_depth > 0)
        self.undo_button.setEnabled(self.undo_action.isEnabled())
        self.redo_button.setEnabled(self.redo_action.isEnabled())

    def _history_round(self, running: bool) -> None:
        """Count what can be redone: an undo that changed the draft adds one, a redo takes
        one, any other change of the draft ends them."""
        if running:
            self._round_draft = self.service.draft.encode()
        else:
            step, self._history_step = self._history_step, ""
            if self._round_draft is not None and self.service.draft.encode() != self._round_draft:
                self._redo_depth = {"undo": self._redo_depth + 1, "redo": self._redo_depth - 1}.get(
                    step, 0
                )
            self._round_draft = None
        self._update_history()

    def _use_variation(self, media_id: str) -> None:
        self._panel_round = False
        self.service.use_variation(media_id)

    def say(self, text: str) -> None:
        self._panel_round = False
        self.service.say(text)

    def _export(self, options: dict[str, Any]) -> None:
        self.prefs.output_folder = options.get("folder") or self.prefs.output_folder
        self.service.export({**options, "name": self._export_name(options)})

    def _export_name(self, options: dict[str, Any]) -> str:
        clip = self.drop.clip
        base = Path(str(clip["name"])).stem if clip else "nemodesk-music"
        return f"{base}-music" if options.get("format") != "mp4" else f"{base}-with-music"

    def _preview_variation(self, media_id: str) -> None:
        async def go() -> None:
            path = await self.service.fetch_media(media_id)
            if path is not None:
                self.player.load_music(path)
                self.player.play()
                self.variations.set_playing(media_id)

        self.service.run_job("preview", go())

    def _copy_link(self) -> None:
        if self.service.is_local:
            self.statusBar().showMessage(
                self.tr("This session exists only on this computer: there is no link to share"),
                5000,
            )
            return
        if self.session:
            QGuiApplication.clipboard().setText(self.session.link)
            self.statusBar().showMessage(self.tr("Session link copied"), 3000)

    # ---- service events ---------------------------------------------------------------------

    def _on_ready(self) -> None:
        self.prompt.set_busy(False)

    def _on_running(self, name: str, running: bool) -> None:
        if name == "chat":
            self._history_round(running)
            self.prompt.set_busy(running)
            self.export_view.set_sound_busy(running)
            if not running:
                self.conversation.set_activity("")
                self._panel_round = False
        elif name == "upload" and not running:
            self._redo_depth = 0  # the engine saved a new draft version: nothing to redo
            self._update_history()
            self.drop.upload_finished()
        elif name == "export" and running:
            self.tabs.setCurrentWidget(self.export_view)
        elif name == "connect" and running:  # no credits figure until the backend answers
            self.credits_label.setText(self.tr("free · offline") if self.service.is_local else "")
            self.link_button.setVisible(not self.service.is_local)
        self.clear_action.setEnabled(self.service.is_local)  # the cloud has no delete call

    def _on_draft(self, draft: Draft) -> None:
        self.timeline.set_draft(draft)
        self._update_history()
        has_video = draft.first(TrackType.VIDEO) is not None
        had_video = self._has_video
        self._has_video = has_video
        self.export_view.set_has_video(has_video)
        if has_video and not had_video and not self.export_view.is_running():
            self.export_view.select_format("mp4")  # a clip is there: the video is the point
        video = draft.first(TrackType.VIDEO)
        self.export_view.set_clip_sound(sound_mode(video), depth_db(draft))
        heard = clip_sound_heard(video)
        if heard != self._clip_heard:  # follow the draft; the checkbox stays the user's
            self._clip_heard = heard
            self.player.set_original_audio(heard)
        bgm = draft.first(TrackType.AUDIO)
        if bgm and bgm.segments:
            m = bgm.segments[0].meta
            brief = m.get("brief")
            if isinstance(brief, dict) and brief != self._shown_brief:
                if not self._panel_round:  # a chat edit or a picked take: show what plays
                    self.prompt.show_track(brief)
                self._shown_brief = brief
            self.player.set_music_volume(int(m.get("volume", 100)))
            self.player.set_music_title(segment_label("audio", m))  # not the cache file's name
            self.player.set_music_offset_ms(int(m.get("start", 0) or 0))
            seed = m.get("seed")
            self.prompt.set_seed(int(seed) if isinstance(seed, int | float) else None)
        self.variations.set_current(self.service.current_media_id())

    def _on_media(self, entries: list[dict[str, Any]]) -> None:
        self.variations.set_media(entries, self.service.current_media_id())
        if len(self.variations.cards) > 1:
            self.service.run_job("card waveforms", self._card_waveforms())
        current = self.service.media_entry(self.service.current_media_id() or "")
        if current:
            self.timeline.set_hits(list(current.get("hits_s") or []))

    async def _card_waveforms(self) -> None:
        """Each variation card's small waveform, from its take's audio (off the UI thread)."""
        for media_id in [c.media_id for c in self.variations.cards]:
            peaks = await self.service.take_peaks(media_id, CARD_PEAKS)
            if peaks is not None:
                self.variations.set_peaks(media_id, peaks)

    def _on_clip(self, clip: dict[str, Any]) -> None:
        self._clip_session = self.session.session_id if self.session else ""
        self.drop.set_clip(clip)
        self.prompt.set_clip_duration(float(clip.get("duration_s") or 0) or None)
        self.player.load_video(Path(clip["path"]))
        self.timeline.set_cuts(list(clip.get("cuts_s") or []))
        thumbs = clip.get("thumbnails") or []
        if thumbs:
            self.timeline.set_video_thumbnails(thumbs, int(float(clip["duration_s"]) * 1000))

    def _on_music_preview(self, path: str, peaks: Any, duration_ms: int) -> None:
        """The head of a long track while the rest renders: playable now (playing on if
        the player was), the timeline at the track's length with the head's waveform."""
        playing = self.player.is_playing()
        self.player.load_music(Path(path), more_coming=True)
        self.timeline.show_music_coming(duration_ms)
        self.timeline.set_waveform(peaks, duration_ms)
        self.variations.set_playing(None)
        if playing:
            self.player.play()

    def _on_music(self, path: str, peaks: Any, duration_ms: int) -> None:
        if self.player.more_coming():  # the head plays: the track takes over in place
            self.player.swap_music(Path(path))
        else:
            self.player.load_music(Path(path))
        self.timeline.set_waveform(peaks, duration_ms)
        self.variations.set_playing(None)

    def _on_credits(self, credits: Credits | None) -> None:
        if credits is None:
            self.credits_label.setText(self.tr("free · offline"))
        else:
            self.credits_label.setText(self.tr("Credits: {0}").format(f"{credits.available:g}"))

    def _on_session(self, session: Session) -> None:
        self.session = session
        self.link_button.setEnabled(bool(session.link) and not self.service.is_local)
        self.link_button.setVisible(not self.service.is_local)
        clip = self.drop.clip
        if clip and self._clip_session and self._clip_session != session.session_id:
            self._reattach(Path(str(clip["path"])))

    def _reattach(self, path: Path) -> None:
        """A new session (another backend, or the old one lost) has none of the clip shown:
        send it again, or clear it visibly when the file is gone."""
        self._clip_session = ""
        if self.service.busy("upload"):
            return  # an upload under way is re-sent to the new session by the client
        if path.is_file():
            self.upload([path])
            return
        self.drop.clear_clip(
            self.tr("“{0}” is no longer where it was; drop the clip again.").format(path.name)
        )
        self.prompt.set_clip_duration(None)
        self.player.load_video(None)
        self.timeline.set_cuts([])

    def _on_token_status(self, saved: bool) -> None:
        """The sign-in could not go to the keyring: say so once (ever), for a while."""
        if saved or self.prefs.keyring_notice_shown:
            self.keyring_label.setVisible(False)
            return
        self.prefs.keyring_notice_shown = True
        self.keyring_label.setVisible(True)
        self.keyring_timer.start()

    def _why_keyring(self) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("Why?"))
        box.setText(
            self.tr(
                "This computer has no system keyring (Secret Service) that NemoDesk can use, "
                "so the sign-in token is kept in memory for this session only. Nothing is "
                "lost: NemoDesk signs in again the next time it starts. Install and unlock a "
                "keyring (e.g. GNOME Keyring or KWallet) to keep it between sessions."
            )
        )
        box.addButton(QMessageBox.StandardButton.Ok)
        self._show_help(box)

    def _on_segment(self, details: dict[str, Any]) -> None:
        start, end = details.get("start_ms", 0) / 1000, details.get("end_ms", 0) / 1000
        self.details.setText(f"{details.get('label', '')} · {start:.1f}–{end:.1f} s")

    def _on_cancelled(self, name: str) -> None:
        if name == "export":
            self.export_view.set_cancelled()
        elif name == "upload":
            self.drop.upload_finished(self.tr("Upload cancelled."))
        elif name == "chat":
            self.conversation.add("notice", self.tr("Stopped."))

    def _on_actions(self, actions: list[Action]) -> None:
        """The backend's GUI talk, done by the app: show the summary, open export…"""
        for action in actions:
            if action in (Action.SHOW_SUMMARY, Action.SHOW_STATE):
                self.service.say_status_quietly()
            elif action is Action.SHOW_CREDITS:
                self.service.refresh_credits()
            elif action is Action.EXPORT:
                self.tabs.setCurrentWidget(self.export_view)

    def _on_succeeded(self, name: str) -> None:
        if name == "clear":
            self.conversation.clear()
            self.conversation.add("notice", self.tr("History cleared: a fresh session started."))
        if name in ("connect", "chat", "upload", "export") and (
            name == self._error_job or name == "connect" or self._error_job == "connect"
        ):
            self._error_job = ""
            self.error_label.setVisible(False)
            self.retry_button.setVisible(False)

    def _retry(self) -> None:
        name, self._error_job = self._error_job, ""
        self.error_label.setVisible(False)
        self.retry_button.setVisible(False)
        if name == "upload" and self._last_upload:
            self.upload(self._last_upload)
        elif name == "export":
            self.export_view.trigger_export()
        elif name:
            self.service.retry(name)

    def _on_failed(self, name: str, err: BaseException) -> None:
        friendly = describe(err, self.language)
        text = friendly.text
        if name == "export":
            self.export_view.set_failed(text)
        elif name == "upload":
            self.drop.upload_finished(text)
        if not self.service.ready_now():  # the backend could not be reached
            self.backend_label.setText(
                self.tr("Local engine: not connected")
                if self.service.is_local
                else self.tr("NemoVideo cloud: not connected")
            )
            if not self.service.is_local:
                self.credits_label.setText("")
        if name in ("connect", "chat", "upload", "export"):
            self._error_job = name
            self.error_label.setText(text)
            self.error_label.setToolTip(text)
            self.error_label.setVisible(True)
            retry = friendly.action is ErrorAction.RETRY and (
                self.service.can_retry(name) or (name == "upload" and bool(self._last_upload))
            )
            self.retry_button.setVisible(retry)
        self.conversation.add("error", text)
        link = getattr(friendly, "link", "") or ""
        if link:
            self._error_link = link
            box = QMessageBox(self)
            box.setIcon(QMessageBox.Icon.Information)
            box.setText(text)
            open_button = box.addButton(friendly.action_label, QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.finished.connect(
                lambda _: (
                    box.clickedButton() is open_button and QDesktopServices.openUrl(QUrl(link))
                )
            )
            box.open()

    # ---- closing ----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.prefs.window_geometry = self.saveGeometry()
        self.prefs.window_state = self.saveState()
        self.prefs.prompt_choices = self.prompt.choices()
        self.prefs.sync()
        self.closed.emit()
        super().closeEvent(event)

    def restore_geometry(self) -> None:
        if self.prefs.window_geometry:
            self.restoreGeometry(self.prefs.window_geometry)
        else:
            self.resize(first_start_size(self))
        if self.prefs.window_state:
            self.restoreState(self.prefs.window_state)


FIRST_START_SHARE = 0.8  # of the screen's available area, the first time the app opens


def first_start_size(window: QWidget) -> QSize:
    """About 80 % of the available screen (never under the window's minimum, never over the
    screen), for a first start with no saved geometry."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    avail = screen.availableGeometry() if screen is not None else QRect(0, 0, 1600, 1000)
    least = window.minimumSize()
    w = max(least.width(), min(avail.width(), round(avail.width() * FIRST_START_SHARE)))
    h = max(least.height(), min(avail.height(), round(avail.height() * FIRST_START_SHARE)))
    return QSize(w, h)
