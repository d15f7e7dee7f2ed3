"""Every error the user can meet, as one readable sentence plus the one obvious next step.

The client's typed errors already carry English and Chinese sentences (``NemoError.message``);
this module adds the next step (a button the UI shows) and covers what is not a NemoError:
the local engine failing to start, file-system errors, and anything unexpected. Whatever the
error, the text never holds a traceback, an exception's raw text or a token: details belong in
the log (``ui/crash.py``), not in a dialog.

Our own sentences are marked with ``QT_TRANSLATE_NOOP`` so lupdate extracts them for any
language; Chinese is also built in, like the client's messages, so ``zh_CN`` reads right
even before a translation file is loaded.
"""

from __future__ import annotations

import asyncio
import errno
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from nemodesk.client import (
    ConnectionLost,
    DiskFull,
    DuplicateRender,
    EngineStartError,
    ExportLocked,
    FileTooLarge,
    MissingClientId,
    NemoError,
    NoCredits,
    RateLimited,
    RenderFailed,
    RenderTimeout,
    ServerError,
    SessionLost,
    StreamTimeout,
    TokenExpired,
    UnsupportedFile,
)
from nemodesk.ui.redact import redact

CONTEXT: Final = "ErrorText"
REGISTER_URL: Final = "https://nemovideo.ai"
MAX_TEXT_CHARS: Final = 400


class Action(StrEnum):
    RETRY = "retry"
    REGISTER = "register"
    PICK_FILE = "pick_file"
    FREE_SPACE = "free_space"
    SETTINGS = "settings"
    NONE = "none"


@dataclass(frozen=True)
class Friendly:
    """What a dialog or banner shows: ``text``, and a button ``action_label`` that performs
    ``action`` (``link`` is the page to open for ``Action.REGISTER``)."""

    text: str
    action: Action
    action_label: str
    link: str = ""


# English source (extracted by lupdate) and the built-in Chinese.
_OWN: Final[dict[str, tuple[str, str]]] = {
    "unknown": (
        QT_TRANSLATE_NOOP(
            "ErrorText", "Something unexpected happened. It has been logged; please try again."
        ),
        "发生了意外错误，已记录到日志，请重试。",
    ),
    "engine": (
        QT_TRANSLATE_NOOP(
            "ErrorText",
            "The local music engine could not start. Try again, or choose the NemoVideo cloud "
            "in Settings.",
        ),
        "本地音乐引擎无法启动。请重试，或在设置中改用 NemoVideo 云端。",
    ),
    "permission": (
        QT_TRANSLATE_NOOP(
            "ErrorText",
            "NemoDesk is not allowed to use that file or folder. Choose another one.",
        ),
        "NemoDesk 无权使用该文件或文件夹，请选择其他位置。",
    ),
    "not_found": (
        QT_TRANSLATE_NOOP(
            "ErrorText", "That file could not be found; it may have been moved or deleted."
        ),
        "找不到该文件，它可能已被移动或删除。",
    ),
    "disk_full": (
        QT_TRANSLATE_NOOP(
            "ErrorText",
            "The disk is full: free some space or choose another folder, then try again.",
        ),
        "磁盘已满：请释放空间或选择其他文件夹后重试。",
    ),
    "timeout": (
        QT_TRANSLATE_NOOP("ErrorText", "That took too long to answer. Please try again."),
        "响应时间过长，请重试。",
    ),
    "connection": (
        QT_TRANSLATE_NOOP(
            "ErrorText", "The connection was lost. Check your network and try again."
        ),
        "连接已断开，请检查网络后重试。",
    ),
    "file": (
        QT_TRANSLATE_NOOP("ErrorText", "A file could not be read or written. Please try again."),
        "无法读取或写入文件，请重试。",
    ),
    "cancelled": (
        QT_TRANSLATE_NOOP("ErrorText", "The action was cancelled."),
        "操作已取消。",
    ),
}

_LABELS: Final[dict[Action, tuple[str, str]]] = {
    Action.RETRY: (QT_TRANSLATE_NOOP("ErrorText", "Try again"), "重试"),
    Action.REGISTER: (QT_TRANSLATE_NOOP("ErrorText", "Register"), "注册"),
    Action.PICK_FILE: (QT_TRANSLATE_NOOP("ErrorText", "Choose another file"), "选择其他文件"),
    Action.FREE_SPACE: (QT_TRANSLATE_NOOP("ErrorText", "Choose another folder"), "选择其他文件夹"),
    Action.SETTINGS: (QT_TRANSLATE_NOOP("ErrorText", "Open settings"), "打开设置"),
    Action.NONE: ("", ""),
}
_TOP_UP: Final = (QT_TRANSLATE_NOOP("ErrorText", "Top up"), "充值")

# The next step for each client error; subclasses not listed fall back on ``next_step``.
_ACTIONS: Final[dict[type[NemoError], Action]] = {
    TokenExpired: Action.RETRY,
    SessionLost: Action.RETRY,  # a new session exists: sending again just works
    NoCredits: Action.REGISTER,
    UnsupportedFile: Action.PICK_FILE,
    FileTooLarge: Action.PICK_FILE,
    MissingClientId: Action.SETTINGS,
    ExportLocked: Action.REGISTER,
    RateLimited: Action.RETRY,
    DuplicateRender: Action.RETRY,
    RenderFailed: Action.RETRY,
    RenderTimeout: Action.RETRY,
    StreamTimeout: Action.RETRY,
    ConnectionLost: Action.RETRY,
    DiskFull: Action.FREE_SPACE,
    ServerError: Action.RETRY,
}
_NEXT_STEPS: Final = {
    "register": Action.REGISTER,
    "pick another file": Action.PICK_FILE,
    "compress or trim": Action.PICK_FILE,
    "free space": Action.FREE_SPACE,
}


def _is_zh(language: str) -> bool:
    return language.lower().startswith("zh")


def _say(pair: tuple[str, str], language: str) -> str:
    """English as written; Chinese from a loaded translation, else the built-in one; any
    other language from the loaded translation (English when there is none)."""
    source, zh = pair
    if not source or language.lower().startswith("en"):
        return source
    translated = QCoreApplication.translate(CONTEXT, source)
    if _is_zh(language) and translated == source:
        return zh
    return translated


def _clean(text: str) -> str:
    """One paragraph of plain words: the first line, tokens redacted, length capped. Drops a
    server's detail outright if it looks like a traceback."""
    text = redact(text.strip().splitlines()[0] if text.strip() else "")
    if "Traceback" in text or 'File "' in text:
        return ""
    if len(text) > MAX_TEXT_CHARS:
        text = text[: MAX_TEXT_CHARS - 1].rstrip() + "…"
    return text


def _friendly(text: str, action: Action, language: str, link: str = "") -> Friendly:
    return Friendly(text, action, _say(_LABELS[action], language), link)


def _nemo(err: NemoError, language: str) -> Friendly:
    action = next(
        (_ACTIONS[cls] for cls in type(err).__mro__ if cls in _ACTIONS),
        _NEXT_STEPS.get(err.next_step, Action.RETRY),
    )
    text = _clean(err.message(language))
    if not text:  # the detail was unusable: the class's own sentence still is
        text = _clean(NemoError.message(err, language))
    if isinstance(err, NoCredits):
        if err.registered or not err.link:
            return Friendly(text, action, _say(_TOP_UP, language), REGISTER_URL)
        return _friendly(text, action, language, err.link)
    if action is Action.REGISTER:
        return _friendly(text, action, language, REGISTER_URL)
    return _friendly(text, action, language)


def _os_error(err: OSError, language: str) -> Friendly:
    if isinstance(err, PermissionError):
        return _friendly(_say(_OWN["permission"], language), Action.PICK_FILE, language)
    if isinstance(err, FileNotFoundError):
        return _friendly(_say(_OWN["not_found"], language), Action.PICK_FILE, language)
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _friendly(_say(_OWN["disk_full"], language), Action.FREE_SPACE, language)
    if isinstance(err, TimeoutError):
        return _friendly(_say(_OWN["timeout"], language), Action.RETRY, language)
    if isinstance(err, ConnectionError):
        return _friendly(_say(_OWN["connection"], language), Action.RETRY, language)
    return _friendly(_say(_OWN["file"], language), Action.RETRY, language)


def describe(err: BaseException, language: str = "en") -> Friendly:
    """The sentence and next step for ``err`` in ``language`` ("en", "zh_CN", …)."""
    if isinstance(err, NemoError):
        return _nemo(err, language)
    if isinstance(err, EngineStartError):
        return _friendly(_say(_OWN["engine"], language), Action.RETRY, language)
    if isinstance(err, asyncio.CancelledError):
        return _friendly(_say(_OWN["cancelled"], language), Action.NONE, language)
    if isinstance(err, OSError):
        return _os_error(err, language)
    return _friendly(_say(_OWN["unknown"], language), Action.RETRY, language)
