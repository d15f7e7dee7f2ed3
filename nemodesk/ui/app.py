"""Starting the desktop app: one instance per user, theme and language, the asyncio loop
inside Qt's (qasync), the window painted first and the engine started behind it, and the
engine stopped when the window closes."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from nemodesk import APP_ID, __version__
from nemodesk.client import LocalEngine
from nemodesk.ui import crash
from nemodesk.ui.i18n import Translator, system_language
from nemodesk.ui.icons import app_icon
from nemodesk.ui.main_window import MainWindow
from nemodesk.ui.preferences import Preferences
from nemodesk.ui.service import AppService
from nemodesk.ui.session_bus import avoid_autolaunch
from nemodesk.ui.settings_dialog import SettingsDialog
from nemodesk.ui.single_instance import SingleInstance
from nemodesk.ui.theme import apply_theme


class _FirstPaint(QObject):
    """Notes when the window first paints: the cold-start figure users feel."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.at: float | None = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.at is None:
            self.at = time.perf_counter() - self.started
            if os.environ.get("NEMODESK_PAINT_MARK"):  # for benchmarks/bench_app.py
                print(f"first-paint {time.time():.6f}", flush=True)
        return False


class _FileOpen(QObject):
    """macOS hands files dropped on the Dock icon or opened with "Open With" to the running
    app as FileOpen events, not as arguments."""

    def __init__(self, open_files: Any) -> None:
        super().__init__()
        self.open_files = open_files

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen:
            path = event.file()  # type: ignore[attr-defined]
            if path:
                self.open_files([path])
                return True
        return False


class DesktopApp:
    """The running app: window, service, settings and language, tied together."""

    def __init__(
        self,
        app: QApplication,
        started: float,
        data_dir: Path | None = None,
        *,
        launch_engine: bool = False,
    ):
        self.app = app
        self.prefs = Preferences()
        self.translator = Translator()
        self.translator.apply(self.prefs.language)
        self.service = AppService(
            backend=self.prefs.backend,
            api_url=self.prefs.api_url,
            data_dir=data_dir,
            language=self.language,
            soundfont=self.prefs.soundfont,
        )
        if launch_engine:  # the real app (run): the engine warms up while the window is built
            self._launch_engine_early()
        self.window = MainWindow(self.service, self.prefs)
        self.window.language = self.language
        self.paint = _FirstPaint(started)
        self.window.installEventFilter(self.paint)
        self.window.settingsRequested.connect(self.open_settings)
        self.file_open = _FileOpen(self.open_files)
        app.installEventFilter(self.file_open)
        self.closed = asyncio.Event()
        self.settings_dialog: SettingsDialog | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.window.closed.connect(self._on_closed)
        self.reporter = crash.install(
            crash.default_log_dir(), lambda text: self.window.conversation.add("error", text)
        )
        asyncio.get_event_loop().set_exception_handler(self.reporter.asyncio_handler)

    def _launch_engine_early(self) -> None:
        """Start the local engine's process now, before the window is built: it and its
        workers (imports, SoundFont) warm up while the window is made and painted, and the
        service's start after the first paint only waits for what is left."""
        if self.service.is_local and self.service.engine is None:
            engine = LocalEngine(
                data_dir=self.service.data_dir, soundfont=self.service.soundfont or None
            )
            engine.launch_early()
            self.service.engine = engine

    @property
    def language(self) -> str:
        lang = self.prefs.language
        return system_language() if lang == "system" else lang

    def show(self) -> None:
        self.window.restore_geometry()
        self.window.show()
        QTimer.singleShot(0, self.service.start)  # after the first paint

    def open_files(self, paths: list[str]) -> None:
        files = [Path(p) for p in paths if p]
        if files:
            self.window.upload(files)
        self.window.setWindowState(
            self.window.windowState() & ~Qt.WindowState.WindowMinimized
            | Qt.WindowState.WindowActive
        )
        self.window.raise_()
        self.window.activateWindow()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.prefs, self.window)
        dialog.set_keyring_status(bool(self.service.client and self.service.client.token_is_saved))
        dialog.forgetTokenRequested.connect(lambda: self._background(self.service.forget_token()))
        dialog.settingsChanged.connect(self.apply_settings)
        dialog.languagePreviewed.connect(self.preview_language)
        dialog.open()
        self.settings_dialog = dialog

    def preview_language(self, language: str) -> None:
        """Show the whole app (the Settings dialog included) in ``language`` at once; OK
        keeps it, Cancel previews the stored one again."""
        self.translator.apply(language)
        resolved = system_language() if language == "system" else language
        self.window.language = resolved
        self.service.language = resolved

    def apply_settings(self, changed: dict[str, Any]) -> None:
        if "language" in changed:
            self.preview_language(self.prefs.language)
        if "output_folder" in changed:
            self.window.export_view.set_output_folder(self.prefs.output_folder)
        if "soundfont" in changed:
            self.service.set_soundfont(self.prefs.soundfont)
        if "backend" in changed or "api_url" in changed:
            self._background(self._switch_backend())

    async def _switch_backend(self) -> None:
        await self.service.stop()
        self.service.backend = self.prefs.backend
        self.service.api_url = self.prefs.api_url
        self.window.export_view.set_local_extras(self.service.is_local)
        self.service.start()

    def _on_closed(self) -> None:
        async def finish() -> None:
            await self.service.stop()
            self.closed.set()

        self._background(finish())

    def _background(self, coro: Any) -> None:
        """Run ``coro`` holding a reference, so the task cannot be collected mid-way."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _setup_qt(argv: list[str]) -> QApplication:
    avoid_autolaunch()  # before Qt's first D-Bus call: no dbus-daemon outlives the app
    QCoreApplication.setOrganizationName("NemoDesk")
    QCoreApplication.setApplicationName("NemoDesk")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_ID)  # matches the .desktop entry (Wayland: icon, menu)
    apply_theme(app, os.environ.get("NEMODESK_THEME", "system"))  # light|dark to force
    return app


def run(files: list[str] | None = None, self_test: bool = False) -> int:
    """Open the app (or hand ``files`` to the one already open); returns the exit code."""
    started = time.perf_counter()
    app = _setup_qt(sys.argv[:1])
    single = SingleInstance(parent=app)
    if not self_test and not single.try_primary():
        delivered = single.send_to_primary([str(Path(f).resolve()) for f in files or []])
        return 0 if delivered else 1
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    data_dir = None
    if self_test:
        import tempfile

        data_dir = Path(tempfile.mkdtemp(prefix="nemodesk-selftest-"))
    desktop = DesktopApp(app, started, data_dir, launch_engine=True)
    single.filesReceived.connect(desktop.open_files)
    app.setQuitOnLastWindowClosed(False)
    desktop.show()
    if files:
        QTimer.singleShot(0, lambda: desktop.open_files(files))
    code = 0
    with loop:
        if self_test:
            from nemodesk.ui.selftest import self_test as run_self_test

            code = loop.run_until_complete(run_self_test(desktop))
        else:
            loop.run_until_complete(desktop.closed.wait())
    single.close()
    if os.environ.get("NEMODESK_SELFTEST_KEEP") is None and data_dir is not None:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
    return code
