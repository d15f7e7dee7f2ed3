"""What the API answers, as small dataclasses the UI and the ``make`` command can hold."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from nemodesk.core.draft import Draft


@dataclass(frozen=True)
class Session:
    session_id: str
    task_id: str
    user_id: str
    link: str  # the task link; it never holds a token


@dataclass(frozen=True)
class Credits:
    available: float
    frozen: float
    total: float

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Credits:
        def num(key: str) -> float:
            v = data.get(key, 0)
            return float(v) if isinstance(v, int | float) else 0.0

        return cls(num("available"), num("frozen"), num("total"))


@dataclass
class SessionState:
    raw: dict[str, Any]

    @property
    def draft(self) -> Draft:
        return Draft.decode(self.raw.get("draft"))

    def __getattr__(self, name: str) -> Any:
        if name in ("video_infos", "canvas_config", "video_analyses", "generated_media"):
            return self.raw.get(name)
        raise AttributeError(name)


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    file_type: str
    cdn_url: str
    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    hash: str
    raw: dict[str, Any]

    @classmethod
    def parse(cls, f: dict[str, Any]) -> UploadedFile:
        def opt(key: str, kind: type) -> Any:
            v = f.get(key)
            return kind(v) if isinstance(v, int | float) else None

        return cls(
            filename=str(f.get("filename", "")),
            file_type=str(f.get("file_type", "")),
            cdn_url=str(f.get("cdn_url", "")),
            duration=opt("duration", float),
            width=opt("width", int),
            height=opt("height", int),
            fps=opt("fps", float),
            hash=str(f.get("hash", "")),
            raw=f,
        )


@dataclass(frozen=True)
class RenderStatus:
    """Both of the spec's status shapes read into one: A (top-level ``status`` and
    ``output.url``) and B (``data.status``, ``data.progress``, ``data.outputUrl``)."""

    status: str
    progress: float
    url: str | None
    error: str

    @classmethod
    def parse(cls, body: dict[str, Any]) -> RenderStatus:
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        output = body.get("output") if isinstance(body.get("output"), dict) else {}
        status = body.get("status") or data.get("status") or "pending"
        progress = body.get("progress", data.get("progress", 0))
        url = output.get("url") or data.get("outputUrl") or data.get("output_url")
        error = body.get("error") or data.get("error") or body.get("msg") or ""
        return cls(
            status=str(status).lower(),
            progress=float(progress) if isinstance(progress, int | float) else 0.0,
            url=str(url) if url else None,
            error=str(error) if error else "",
        )

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed", "cancelled", "canceled")


@dataclass
class Progress:
    """Bytes moved so far, with rate and time left for a progress bar."""

    total: int | None
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    resumed_from: int = 0

    def add(self, n: int) -> None:
        self.done += n

    @property
    def elapsed_s(self) -> float:
        return max(time.monotonic() - self.started, 1e-6)

    @property
    def rate_bps(self) -> float:
        return (self.done - self.resumed_from) / self.elapsed_s

    @property
    def eta_s(self) -> float | None:
        if not self.total or self.rate_bps <= 0:
            return None
        return max(self.total - self.done, 0) / self.rate_bps

    @property
    def fraction(self) -> float | None:
        return min(self.done / self.total, 1.0) if self.total else None
