"""Typed errors of the API, each with a message users can read (English and 中文, from the
message catalog ``nemodesk.core.messages``: ``key``) and the next step the spec's error
table prescribes.

Raised where the answer is understood (the client), shown where the user is (the UI or the
``make`` command). Nothing here carries a token.
"""

from __future__ import annotations

from typing import ClassVar

from nemodesk.core.formats import supported_list
from nemodesk.core.messages import say


def catalog_lang(language: str) -> str:
    """The catalog's language for a UI language ("zh_CN", "zh", "en_GB", …)."""
    return "zh" if language.lower().startswith("zh") else "en"


class NemoError(Exception):
    """Base of every client error. ``code`` is the API's code (or the HTTP status for the
    errors the spec lists by status); ``detail`` is what the server said, if anything.
    ``key`` names the class's own sentence in the message catalog — one without parameters,
    so ``NemoError.message(err)`` always works; a subclass that says more (a link, a file
    name) overrides ``message``."""

    code: ClassVar[int] = -1
    key: ClassVar[str] = "client.error.generic"
    # An error class from outside the client (a plug-in, a test) may say its sentence itself;
    # the client's own errors leave these empty and speak from the catalog.
    en: ClassVar[str] = ""
    zh: ClassVar[str] = ""
    next_step: ClassVar[str] = "retry"

    def __init__(self, detail: str = "", *, http_status: int | None = None) -> None:
        self.detail = detail
        self.http_status = http_status
        super().__init__(self.message("en") + (f" ({detail})" if detail else ""))

    def message(self, language: str = "en") -> str:
        lang = catalog_lang(language)
        if self.en:
            return self.zh if lang == "zh" and self.zh else self.en
        return say(self.key, lang)


class TokenExpired(NemoError):
    code = 1001
    key = "client.error.token_expired"


class SessionLost(NemoError):
    code = 1002
    key = "client.error.session_lost"
    next_step = "new session"


class NoCredits(NemoError):
    code = 2001
    key = "client.error.no_credits.top_up"
    next_step = "register"

    def __init__(self, detail: str = "", *, link: str = "", registered: bool = False) -> None:
        self.link = link
        self.registered = registered
        super().__init__(detail)

    def message(self, language: str = "en") -> str:
        lang = catalog_lang(language)
        if self.registered or not self.link:
            return say(self.key, lang)
        return say("client.error.no_credits", lang, link=self.link)


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
        lang, formats = catalog_lang(language), supported_list()
        if self.filename:
            return say(
                "client.error.unsupported_file.named", lang, name=self.filename, formats=formats
            )
        return say("client.error.unsupported_file", lang, formats=formats)


class FileTooLarge(NemoError):
    code = 4002
    key = "client.error.file_too_large"
    next_step = "compress or trim"


class MissingClientId(NemoError):
    code = 400
    key = "client.error.missing_client_id"


class ExportLocked(NemoError):
    code = 402
    key = "client.error.export_locked"
    next_step = "register"


class RateLimited(NemoError):
    code = 429
    key = "client.error.rate_limited"


class DuplicateRender(NemoError):
    code = 409
    key = "client.error.duplicate_render"


class RenderFailed(NemoError):
    key = "client.error.render_failed"

    def message(self, language: str = "en") -> str:
        base = super().message(language)
        return f"{base} {self.detail}" if self.detail else base


class RenderTimeout(NemoError):
    key = "client.error.render_timeout"


class StreamTimeout(NemoError):
    key = "client.error.stream_timeout"


class ConnectionLost(NemoError):
    key = "client.error.connection_lost"


class DiskFull(NemoError):
    key = "client.error.disk_full"
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
