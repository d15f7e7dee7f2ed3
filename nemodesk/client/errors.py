"""Typed errors of the API, each with a message users can read (English and 中文) and the
next step the spec's error table prescribes.

Raised where the answer is understood (the client), shown where the user is (the UI or the
``make`` command). Nothing here carries a token.
"""

from __future__ import annotations

from typing import ClassVar

from nemodesk.core.formats import supported_list


class NemoError(Exception):
    """Base of every client error. ``code`` is the API's code (or the HTTP status for the
    errors the spec lists by status); ``detail`` is what the server said, if anything."""

    code: ClassVar[int] = -1
    en: ClassVar[str] = "Something went wrong talking to the music service."
    zh: ClassVar[str] = "与音乐服务通信时出错。"
    next_step: ClassVar[str] = "retry"

    def __init__(self, detail: str = "", *, http_status: int | None = None) -> None:
        self.detail = detail
        self.http_status = http_status
        super().__init__(self.message("en") + (f" ({detail})" if detail else ""))

    def message(self, language: str = "en") -> str:
        return self.zh if language.lower().startswith("zh") else self.en


class TokenExpired(NemoError):
    code = 1001
    en = "Your sign-in expired and could not be renewed. Please try again."
    zh = "登录已过期且无法自动续期，请重试。"


class SessionLost(NemoError):
    code = 1002
    en = "That project session was not found; a new session has been started."
    zh = "找不到该项目会话，已为你新建会话。"
    next_step = "new session"


class NoCredits(NemoError):
    code = 2001
    en = "You are out of credits. Register to get more: {link}"
    zh = "积分不足。注册即可获得更多积分：{link}"
    next_step = "register"

    def __init__(self, detail: str = "", *, link: str = "", registered: bool = False) -> None:
        self.link = link
        self.registered = registered
        super().__init__(detail)

    def message(self, language: str = "en") -> str:
        zh = language.lower().startswith("zh")
        if self.registered or not self.link:
            return (
                "积分不足，请在 nemovideo.ai 充值。"
                if zh
                else "Out of credits: top up at nemovideo.ai."
            )
        return (self.zh if zh else self.en).format(link=self.link)


class UnsupportedFile(NemoError):
    """A file the backend cannot use. ``filename`` is the file's own name (known to the
    client, which sent it); ``detail`` is whatever the server said — a whole sentence, never
    shown as if it were a name."""

    code = 4001
    next_step = "pick another file"

    def __init__(
        self, detail: str = "", *, filename: str = "", http_status: int | None = None
    ) -> None:
        self.filename = filename
        super().__init__(detail, http_status=http_status)

    def message(self, language: str = "en") -> str:
        name = self.filename
        if language.lower().startswith("zh"):
            what = f"无法使用“{name}”" if name else "无法使用该文件"
            return f"{what}：它不是可读取的视频、图片或音频文件。支持的格式：{supported_list()}。"
        what = f"“{name}” can't be used" if name else "This file can't be used"
        return (
            f"{what}: it isn't a video, image or audio file NemoDesk can read. "
            f"Supported: {supported_list()}."
        )


class FileTooLarge(NemoError):
    code = 4002
    en = "This file is too large. Compress it or trim it to the part you need, then try again."
    zh = "文件太大。请压缩或剪掉不需要的部分后重试。"
    next_step = "compress or trim"


class MissingClientId(NemoError):
    code = 400
    en = "The service did not recognise this app's id."
    zh = "服务无法识别本应用的标识。"


class ExportLocked(NemoError):
    code = 402
    en = "Register at nemovideo.ai to unlock export."
    zh = "请在 nemovideo.ai 注册以解锁导出。"
    next_step = "register"


class RateLimited(NemoError):
    code = 429
    en = "The service is busy. Please wait a minute and try again."
    zh = "服务繁忙，请稍等一分钟后重试。"


class DuplicateRender(NemoError):
    code = 409
    en = "The export could not be started (duplicate id). Please try again."
    zh = "导出无法开始（任务编号重复），请重试。"


class RenderFailed(NemoError):
    en = "The export failed."
    zh = "导出失败。"

    def message(self, language: str = "en") -> str:
        base = super().message(language)
        return f"{base} {self.detail}" if self.detail else base


class RenderTimeout(NemoError):
    en = "The export is taking far longer than expected. Check back later or try again."
    zh = "导出时间远超预期，请稍后查看或重试。"


class StreamTimeout(NemoError):
    en = "The request timed out: the service kept working without an answer for too long."
    zh = "请求超时：服务长时间没有给出结果。"


class ConnectionLost(NemoError):
    en = "The connection to the music service was lost. Check your network and try again."
    zh = "与音乐服务的连接已断开，请检查网络后重试。"


class DiskFull(NemoError):
    en = "The disk is full: free some space or choose another folder, then export again."
    zh = "磁盘已满：请释放空间或选择其他文件夹后重新导出。"
    next_step = "free space"


class ServerError(NemoError):
    """Any other non-zero code or HTTP failure: the server's own words are the detail."""

    def __init__(self, detail: str = "", *, code: int = -1, http_status: int | None = None):
        self.api_code = code
        super().__init__(detail, http_status=http_status)

    def message(self, language: str = "en") -> str:
        base = super().message(language)
        return f"{base} {self.detail}" if self.detail else base


BY_CODE: dict[int, type[NemoError]] = {
    cls.code: cls for cls in (TokenExpired, SessionLost, NoCredits, UnsupportedFile, FileTooLarge)
}


def from_answer(code: int, msg: str = "", http_status: int | None = None) -> NemoError:
    """The typed error for an envelope's non-zero ``code`` or an HTTP status of the spec."""
    if code in BY_CODE:
        return BY_CODE[code](msg, http_status=http_status) if code != 2001 else NoCredits(msg)
    if http_status == 400 and "client" in msg.lower():
        return MissingClientId(msg, http_status=400)
    if http_status == 402:
        return ExportLocked(msg, http_status=402)
    if http_status == 429:
        return RateLimited(msg, http_status=429)
    if http_status == 409 or "duplicate" in msg.lower() or "exists already" in msg.lower():
        return DuplicateRender(msg, http_status=http_status)
    return ServerError(msg, code=code, http_status=http_status)
