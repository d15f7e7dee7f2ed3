"""Every error becomes one plain sentence and one next step, in English and Chinese, with no
traceback, no raw exception text and no token."""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import re

import pytest

from nemodesk.client import errors as e
from nemodesk.client.local_engine import EngineStartError
from nemodesk.ui.crash import TOKEN_RE
from nemodesk.ui.error_text import REGISTER_URL, Action, Friendly, describe

UNKNOWN_EN = "Something unexpected happened. It has been logged; please try again."
TOKEN = "nmv_usr_SGVsbG8gd29ybGQgaXQncyBhIHRlc3Q-_x"
CJK = re.compile(r"[\u4e00-\u9fff]")
LABELS_EN = {
    Action.RETRY: "Try again",
    Action.REGISTER: "Register",
    Action.PICK_FILE: "Choose another file",
    Action.FREE_SPACE: "Choose another folder",
    Action.SETTINGS: "Open settings",
    Action.NONE: "",
}
LABELS_ZH = {
    Action.RETRY: "重试",
    Action.REGISTER: "注册",
    Action.PICK_FILE: "选择其他文件",
    Action.FREE_SPACE: "选择其他文件夹",
    Action.SETTINGS: "打开设置",
    Action.NONE: "",
}

CASES: list[tuple[BaseException, Action]] = [
    (e.TokenExpired(), Action.RETRY),
    (e.SessionLost(), Action.RETRY),
    (e.NoCredits(link="https://nemovideo.com/register?bind=c1"), Action.REGISTER),
    (e.UnsupportedFile("notes.docx"), Action.PICK_FILE),
    (e.FileTooLarge(), Action.PICK_FILE),
    (e.ExportLocked(http_status=402), Action.REGISTER),
    (e.RateLimited(http_status=429), Action.RETRY),
    (e.DuplicateRender(http_status=409), Action.RETRY),
    (e.RenderFailed("ffmpeg exited with 1"), Action.RETRY),
    (e.RenderTimeout(), Action.RETRY),
    (e.StreamTimeout(), Action.RETRY),
    (e.ConnectionLost(), Action.RETRY),
    (e.DiskFull(), Action.FREE_SPACE),
    (e.ServerError("bad gateway", http_status=502), Action.RETRY),
    (e.MissingClientId(http_status=400), Action.SETTINGS),
    (
        EngineStartError("engine exited", ["Traceback (most recent call last):", TOKEN]),
        Action.RETRY,
    ),
    (PermissionError(errno.EACCES, "Permission denied", "/root/x.wav"), Action.PICK_FILE),
    (FileNotFoundError(errno.ENOENT, "No such file", "/gone.mp4"), Action.PICK_FILE),
    (OSError(errno.ENOSPC, "No space left on device"), Action.FREE_SPACE),
    (OSError(errno.EIO, "I/O error"), Action.RETRY),
    (ConnectionResetError(errno.ECONNRESET, "reset"), Action.RETRY),
    (TimeoutError(), Action.RETRY),
    (ValueError(f"internal state {TOKEN}"), Action.RETRY),
    (asyncio.CancelledError(), Action.NONE),
]


def ids(case: tuple[BaseException, Action]) -> str:
    return type(case[0]).__name__


@pytest.mark.parametrize(("err", "action"), CASES, ids=[ids(c) for c in CASES])
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_error_is_one_clean_sentence(err: BaseException, action: Action, language: str):
    friendly = describe(err, language)
    assert isinstance(friendly, Friendly)
    assert friendly.text.strip()
    assert "\n" not in friendly.text
    assert "Traceback" not in friendly.text
    assert 'File "' not in friendly.text
    assert not TOKEN_RE.search(friendly.text)
    assert friendly.action is action
    labels = LABELS_ZH if language == "zh_CN" else LABELS_EN
    if not isinstance(err, e.NoCredits):
        assert friendly.action_label == labels[action]
    if language == "zh_CN":
        assert CJK.search(friendly.text), friendly.text
    else:
        assert not CJK.search(friendly.text), friendly.text


def test_client_errors_use_their_own_sentences() -> None:
    for err in (e.FileTooLarge(), e.DiskFull(), e.ExportLocked(), e.ConnectionLost()):
        assert describe(err, "en").text == err.message("en")
        assert describe(err, "zh_CN").text == err.message("zh_CN")


def test_unknown_errors_say_nothing_about_their_insides() -> None:
    friendly = describe(KeyError("user_id"), "en")
    assert friendly.text == UNKNOWN_EN
    assert "user_id" not in friendly.text
    assert describe(RuntimeError("x"), "zh_CN").text == "发生了意外错误，已记录到日志，请重试。"


def test_engine_failure_hides_the_engine_log() -> None:
    friendly = describe(EngineStartError("port in use", ["OSError: [Errno 98]"]), "en")
    assert "port in use" not in friendly.text
    assert "Errno" not in friendly.text
    assert "local music engine" in friendly.text


def test_no_credits_offers_the_registration_link() -> None:
    link = "https://nemovideo.com/register?bind=abc123"
    friendly = describe(e.NoCredits(link=link), "en")
    assert friendly.action is Action.REGISTER
    assert friendly.action_label == "Register"
    assert friendly.link == link
    assert link in friendly.text
    zh = describe(e.NoCredits(link=link), "zh_CN")
    assert zh.action_label == "注册" and link in zh.text


def test_registered_users_are_asked_to_top_up() -> None:
    friendly = describe(e.NoCredits(registered=True), "en")
    assert friendly.text == "Out of credits: top up at nemovideo.ai."
    assert (friendly.action, friendly.action_label, friendly.link) == (
        Action.REGISTER,
        "Top up",
        REGISTER_URL,
    )
    assert describe(e.NoCredits(registered=True), "zh_CN").action_label == "充值"


def test_export_locked_links_to_registration() -> None:
    assert describe(e.ExportLocked(), "en").link == REGISTER_URL


def test_server_detail_with_a_token_is_redacted() -> None:
    friendly = describe(e.ServerError(f"bad header Bearer {TOKEN}", http_status=500), "en")
    assert TOKEN not in friendly.text
    assert "Bearer" not in friendly.text
    assert friendly.text.startswith("Something went wrong talking to the music service.")
    assert "[redacted]" in friendly.text


def test_server_traceback_is_not_shown() -> None:
    detail = 'Traceback (most recent call last):\n  File "x.py", line 1\nZeroDivisionError'
    friendly = describe(e.RenderFailed(detail), "en")
    assert friendly.text == "The export failed."


def test_a_long_detail_is_shortened() -> None:
    friendly = describe(e.ServerError("x" * 5000), "en")
    assert len(friendly.text) <= 400
    assert friendly.text.endswith("…")


def test_an_unlisted_client_error_follows_its_next_step() -> None:
    class QuotaFull(e.NemoError):
        en = "Your storage is full."
        zh = "存储空间已满。"
        next_step = "free space"

    friendly = describe(QuotaFull(), "en")
    assert (friendly.text, friendly.action) == ("Your storage is full.", Action.FREE_SPACE)
    assert describe(e.NemoError(), "en").action is Action.RETRY


def test_friendly_is_frozen() -> None:
    friendly = describe(e.RateLimited(), "en")
    with pytest.raises(dataclasses.FrozenInstanceError):
        friendly.text = "changed"  # type: ignore[misc]
