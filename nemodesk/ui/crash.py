"""Uncaught exceptions go to a log file (with the traceback, tokens redacted) and the user gets
one gentle sentence instead of a frozen window or a console full of Python.

Covers the three places an exception escapes in a Qt + asyncio app: the main thread (and Qt
slots, which PySide routes through ``sys.excepthook``), worker threads, and asyncio tasks
(``loop.set_exception_handler(asyncio_handler)``). The log is meant for bug reports, so it
must never hold a bearer token: a filter on the file handler redacts them.
"""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import platformdirs
from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from nemodesk.ui.error_text import describe
from nemodesk.ui.redact import TOKEN_RE as TOKEN_RE  # where it was defined before
from nemodesk.ui.redact import redact

LOG_NAME: Final = "nemodesk.log"
LOG_MAX_BYTES: Final = 1_000_000
LOG_BACKUPS: Final = 3

log = logging.getLogger("nemodesk.crash")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def default_log_dir() -> Path:
    return platformdirs.user_log_path("NemoDesk", appauthor=False)


class RedactFilter(logging.Filter):
    """Redacts tokens from a record's message, traceback and stack before any handler writes
    it. Attached to a handler, it also sees records propagated from child loggers."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None  # the formatter would otherwise format it again, unredacted
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _Notifier(QObject):
    """Carries the sentence to the GUI thread: a signal emitted from a worker thread is queued
    to this object's (the main) thread, where the app may safely show a dialog."""

    message = Signal(str)

    def __init__(self, notify: Callable[[str], None]) -> None:
        super().__init__()
        self._notify = notify
        self.message.connect(self._deliver)

    @Slot(str)
    def _deliver(self, text: str) -> None:
        self._notify(text)

    def __call__(self, text: str) -> None:
        if threading.current_thread() is threading.main_thread():
            self._notify(text)
        elif QCoreApplication.instance() is not None:
            self.message.emit(text)
        else:
            self._notify(text)


class CrashReporter:
    """Installed hooks; ``uninstall`` restores the previous ones (tests, embedding)."""

    def __init__(self, log_dir: Path, notify: Callable[[str], None], language: str = "en") -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / LOG_NAME
        self.language = language
        self._notify = _Notifier(notify)
        self.handler = logging.handlers.RotatingFileHandler(
            self.log_path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
        self.handler.setLevel(logging.INFO)
        self.handler.addFilter(RedactFilter())
        self.handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
        )
        self._app_logger = logging.getLogger("nemodesk")
        self._app_logger.addHandler(self.handler)
        self._previous_level = self._app_logger.level
        if self._previous_level == logging.NOTSET:
            self._app_logger.setLevel(logging.INFO)
        self._previous_sys = sys.excepthook
        self._previous_thread = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    # -- the hooks --------------------------------------------------------------------------

    def report(self, exc_info: ExcInfo, where: str) -> None:
        """Log ``exc_info`` with its traceback, then tell the user in one sentence."""
        log.critical("Uncaught exception in %s", where, exc_info=exc_info)
        self.handler.flush()
        self._notify(self.sentence(exc_info[1]))

    def sentence(self, exc: BaseException) -> str:
        try:
            return describe(exc, self.language).text
        except Exception:  # the reporter must not fail while reporting
            log.exception("could not describe %s", type(exc).__name__)
            return QCoreApplication.translate(
                "ErrorText", "Something unexpected happened. It has been logged; please try again."
            )

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_sys(exc_type, exc, tb)
            return
        self.report((exc_type, exc, tb), "the main thread")

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self.report((args.exc_type, args.exc_value, args.exc_traceback), f"thread {name}")

    def asyncio_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        message = context.get("message", "asyncio error")
        if exc is None:
            log.error("asyncio: %s", message)
            return
        if isinstance(exc, asyncio.CancelledError):
            return
        self.report((type(exc), exc, exc.__traceback__), f"asyncio ({message})")

    def uninstall(self) -> None:
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_sys
        if threading.excepthook == self.thread_excepthook:
            threading.excepthook = self._previous_thread
        self._app_logger.removeHandler(self.handler)
        self._app_logger.setLevel(self._previous_level)
        self.handler.close()
        global _active
        if _active is self:
            _active = None


_active: CrashReporter | None = None


def install(
    log_dir: Path | None = None,
    notify: Callable[[str], None] | None = None,
    *,
    language: str = "en",
) -> CrashReporter:
    """Route uncaught exceptions to ``log_dir/nemodesk.log`` and ``notify`` (called on the GUI
    thread with a sentence, never a traceback). Replaces an earlier installation."""
    global _active
    if _active is not None:
        _active.uninstall()
    _active = CrashReporter(
        log_dir if log_dir is not None else default_log_dir(),
        notify if notify is not None else (lambda _text: None),
        language,
    )
    return _active


def asyncio_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """For ``loop.set_exception_handler``: report through the installed reporter, or fall
    back to asyncio's default handler when none is installed."""
    if _active is None:
        loop.default_exception_handler(context)
    else:
        _active.asyncio_handler(loop, context)
