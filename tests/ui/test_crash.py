"""Uncaught exceptions land in the log with their traceback (tokens redacted); the user gets
one gentle sentence."""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest
from PySide6.QtCore import QTimer

from nemodesk.client.errors import ConnectionLost
from nemodesk.ui import crash

TOKEN = "nmv_usr_c2VjcmV0LXRva2VuLWZvci10ZXN0cw-_Z9"
GENTLE = "Something unexpected happened. It has been logged; please try again."


class Recorder:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, text: str) -> None:
        self.messages.append(text)
        self.threads.append(threading.current_thread())


@pytest.fixture
def notified() -> Recorder:
    return Recorder()


@pytest.fixture
def reporter(tmp_path: Path, notified: Recorder) -> Iterator[crash.CrashReporter]:
    installed = crash.install(tmp_path / "logs", notified)
    yield installed
    installed.uninstall()


def log_text(reporter: crash.CrashReporter) -> str:
    reporter.handler.flush()
    return reporter.log_path.read_text(encoding="utf-8")


def boom(message: str) -> None:
    raise RuntimeError(message)


def raised(message: str) -> tuple[type[BaseException], BaseException, object]:
    try:
        boom(message)
    except RuntimeError:
        return sys.exc_info()  # type: ignore[return-value]
    raise AssertionError("unreachable")


def test_excepthook_logs_the_traceback_and_notifies_gently(reporter, notified) -> None:
    assert sys.excepthook == reporter.excepthook
    sys.excepthook(*raised(f"request failed with Authorization: Bearer {TOKEN}"))
    text = log_text(reporter)
    assert reporter.log_path == reporter.log_path.parent / "nemodesk.log"
    assert "Traceback (most recent call last)" in text
    assert "in boom" in text
    assert "RuntimeError: request failed with Authorization: [redacted]" in text
    assert TOKEN not in text
    assert "Bearer" not in text
    assert notified.messages == [GENTLE]


def test_exception_in_a_qt_slot(qtbot, reporter, notified) -> None:
    QTimer.singleShot(0, lambda: boom(f"slot broke holding {TOKEN}"))
    qtbot.waitUntil(lambda: bool(notified.messages), timeout=3000)
    text = log_text(reporter)
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: slot broke holding [redacted]" in text
    assert TOKEN not in text
    assert notified.messages == [GENTLE]
    assert "Traceback" not in notified.messages[0]


def test_exception_in_a_thread_is_notified_on_the_gui_thread(qtbot, reporter, notified) -> None:
    worker = threading.Thread(target=boom, args=("worker failed",), name="exporter")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(notified.messages), timeout=3000)
    assert notified.messages == [GENTLE]
    assert notified.threads == [threading.main_thread()]
    text = log_text(reporter)
    assert "Uncaught exception in thread exporter" in text
    assert "RuntimeError: worker failed" in text


def test_asyncio_callback_exception(reporter, notified) -> None:
    loop = asyncio.new_event_loop()
    try:
        loop.set_exception_handler(crash.asyncio_handler)
        loop.call_soon(boom, f"callback with {TOKEN}")
        loop.run_until_complete(asyncio.sleep(0.01))
    finally:
        loop.close()
    text = log_text(reporter)
    assert "Exception in callback" in text
    assert "RuntimeError: callback with [redacted]" in text
    assert TOKEN not in text
    assert notified.messages == [GENTLE]


def test_asyncio_messages_without_exception_are_only_logged(reporter, notified) -> None:
    loop = asyncio.new_event_loop()
    try:
        crash.asyncio_handler(loop, {"message": "Unclosed connector"})
        crash.asyncio_handler(loop, {"message": "cancelled", "exception": asyncio.CancelledError()})
    finally:
        loop.close()
    assert "asyncio: Unclosed connector" in log_text(reporter)
    assert notified.messages == []


def test_known_client_error_gets_its_own_sentence(reporter, notified) -> None:
    try:
        raise ConnectionLost("socket closed")
    except ConnectionLost:
        reporter.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    assert notified.messages == [ConnectionLost().message("en")]
    reporter.language = "zh_CN"
    try:
        raise ConnectionLost()
    except ConnectionLost:
        reporter.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    assert notified.messages[-1] == "与音乐服务的连接已断开，请检查网络后重试。"


def test_ordinary_app_logging_is_redacted_too(reporter) -> None:
    logging.getLogger("nemodesk.client.sse").warning("header was %s", f"Bearer {TOKEN}")
    logging.getLogger("nemodesk.client").info("token %s refreshed", TOKEN)
    text = log_text(reporter)
    assert "header was [redacted]" in text
    assert "token [redacted] refreshed" in text
    assert TOKEN not in text


def test_keyboard_interrupt_goes_to_the_previous_hook(monkeypatch, tmp_path, notified) -> None:
    previous: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, v, tb: previous.append(t))
    installed = crash.install(tmp_path, notified)
    try:
        sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    finally:
        installed.uninstall()
    assert previous == [KeyboardInterrupt]
    assert notified.messages == []


def test_uninstall_restores_everything(tmp_path, notified) -> None:
    before_sys, before_thread = sys.excepthook, threading.excepthook
    app_logger = logging.getLogger("nemodesk")
    before_level = app_logger.level
    installed = crash.install(tmp_path, notified)
    assert isinstance(installed.handler, logging.handlers.RotatingFileHandler)
    assert installed.handler.maxBytes == crash.LOG_MAX_BYTES
    assert installed.handler in app_logger.handlers
    installed.uninstall()
    assert sys.excepthook is before_sys
    assert threading.excepthook is before_thread
    assert installed.handler not in app_logger.handlers
    assert app_logger.level == before_level


def test_installing_again_replaces_the_first(tmp_path, notified) -> None:
    first = crash.install(tmp_path / "a", notified)
    second = crash.install(tmp_path / "b", notified)
    try:
        assert first.handler not in logging.getLogger("nemodesk").handlers
        sys.excepthook(*raised("once"))
        assert "RuntimeError: once" in log_text(second)
        assert "once" not in first.log_path.read_text(encoding="utf-8")
    finally:
        second.uninstall()


def test_redact() -> None:
    assert crash.redact(f"a {TOKEN} b") == "a [redacted] b"
    assert crash.redact("Authorization: Bearer eyJhbGciOi.xyz") == "Authorization: [redacted]"
    assert crash.redact("plain text, no secrets") == "plain text, no secrets"


def test_default_log_dir() -> None:
    assert crash.default_log_dir() == platformdirs.user_log_path("NemoDesk", appauthor=False)
