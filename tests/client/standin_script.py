"""What the cloud stand-in says and does: SSE scripts per message, the draft and its
changes, and a streaming multipart byte counter for uploads (no whole body in memory)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

# The spec's accepted list, exactly (note: no "jpeg").
KINDS = {
    **dict.fromkeys(("mp4", "mov", "avi", "webm", "mkv"), "video"),
    **dict.fromkeys(("jpg", "png", "gif", "webp"), "image"),
    **dict.fromkeys(("mp3", "wav", "m4a", "aac"), "audio"),
}
GENERATE_WORDS = ("generat", "create", "make", "compose", "add bgm", "add music", "soundtrack")
GENERATE_WORDS += ("background music", "生成", "配乐")
VOLUME_RE = re.compile(r"(?:music\s+at|volume(?:\s+to)?)\s*(\d{1,3})\s*%", re.IGNORECASE)
COSTS = {"generate": 100, "volume": 50, "edit": 50}
TITLE = "Urban Dreams"
TEMPORARY_ISSUE = "I encountered a temporary issue. Please try again later."

# Keep-alives as the spec lists them: a heartbeat event, an empty data line, a comment.
KEEPALIVES = (b'data: {"type": "heartbeat"}\n\n', b"data:\n\n", b": keep-alive\n\n")


def kind_of(filename: str) -> str | None:
    return KINDS.get(PurePosixPath(filename).suffix.lower().lstrip("."))


def classify(message: str) -> tuple[str, int | None]:
    """('volume', N) | ('generate', None) | ('edit', None)."""
    m = VOLUME_RE.search(message)
    if m:
        return "volume", min(100, int(m.group(1)))
    low = message.lower()
    if any(w in low for w in GENERATE_WORDS):
        return "generate", None
    return "edit", None


def new_state(task_name: str) -> dict[str, Any]:
    """A fresh session's state. The draft carries fields and a track type (tt 3) that a
    client does not know, so its round trip can be checked."""
    draft = {
        "t": [{"tt": 3, "sg": [], "fx": {"lut": "warm", "strength": 0.4}}],
        "m": {"title": task_name, "width": 1920, "height": 1080},
        "v": 3,
        "x_layout": {"grid": 8, "snap": True},
    }
    return {
        "draft": draft,
        "video_infos": [],
        "canvas_config": {"width": 1920, "height": 1080, "ratio": "16:9", "fps": 30},
        "video_analyses": [],
        "generated_media": [],
    }


def _agent(part: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"parts": [part], "role": "model"}, "author": "nemo_agent", "partial": False}


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "content": text}


@dataclass
class Item:
    """One piece of a stream: a numbered event (``data`` set) or raw keep-alive bytes."""

    data: dict[str, Any] | None = None
    raw: bytes = b""
    multiline: bool = False  # the JSON spread over several data: lines


def script(kind: str, value: int | None, message: str, duration_ms: int, trailing: bool):
    """The items of a run's stream; numbered events get the ids 1, 2, ... in order."""
    secs = f"{duration_ms / 1000:g}"
    ka = [Item(raw=k) for k in KEEPALIVES]
    if kind == "generate":
        items = [
            Item(_agent({"functionCall": {"name": "analyze_video", "args": {"depth": "full"}}})),
            ka[0],
            Item({"type": "tool_result", "name": "analyze_video", "result": {"bpm": 84}}),
            Item(_text("I analyzed your video: a calm city scene at about 84 BPM. ")),
            ka[2],
            Item({"type": "tool_call", "name": "generate_bgm", "args": {"style": "Lo-fi"}}),
            Item(_agent({"functionResponse": {"name": "generate_bgm", "response": {"ok": True}}})),
            ka[1],
            Item(
                _agent({"text": f'I added a Lo-fi background track (0-{secs}s) and "{TITLE}". '}),
                multiline=True,
            ),
            Item(_text("Preview in timeline, then click the Export button to download.")),
        ]
    elif kind == "volume":
        items = [
            Item({"type": "tool_call", "name": "set_volume", "args": {"volume": value}}),
            ka[2],
            Item({"type": "tool_result", "name": "set_volume", "result": {"ok": True}}),
            Item(
                _agent({"text": f"The music is now at {value}%. Open the timeline panel to see."}),
                multiline=True,
            ),
        ]
    else:
        items = [
            Item({"type": "tool_call", "name": "edit_draft", "args": {"instruction": message}}),
            ka[1],
            Item({"type": "tool_result", "name": "edit_draft", "result": {"ok": True}}),
            Item(_text("Done. Drag the clip on the timeline to fine-tune it.")),
        ]
    if trailing:
        items.append(Item(_text(TEMPORARY_ISSUE)))
    return items


def encode(item: Item, run_id: str, n: int) -> bytes:
    if item.data is None:
        return item.raw
    text = json.dumps(item.data, ensure_ascii=False, indent=1 if item.multiline else None)
    lines = "".join(f"data: {line}\n" for line in text.split("\n"))
    return f"id: {run_id}:{n}\n{lines}\n".encode()


def video_ms(draft: dict[str, Any]) -> int:
    videos = [t for t in draft["t"] if t.get("tt") == 0]
    ends = [sum(int(s.get("d", 0)) for s in t.get("sg", [])) for t in videos]
    return max(ends, default=0) or 10000


def bgm_track(duration_ms: int) -> dict[str, Any]:
    return {"tt": 1, "sg": [{"d": duration_ms, "m": {"name": "Lo-fi", "volume": 35}, "k": "gen"}]}


def title_track() -> dict[str, Any]:
    return {"tt": 7, "sg": [{"d": 3000, "m": {"text": TITLE, "start": 0}}]}


def put_track(draft: dict[str, Any], track: dict[str, Any]) -> None:
    """Replace the track of that type, or append it."""
    tracks = [t for t in draft["t"] if t.get("tt") != track["tt"]]
    draft["t"] = [*tracks, track]


def apply_run(state: dict[str, Any], kind: str, value: int | None, two_stage: bool) -> list:
    """Change the state as the run does; returns tracks still to appear (two-stage)."""
    draft = state["draft"]
    if kind == "volume":
        for track in draft["t"]:
            if track.get("tt") == 1:
                for seg in track.get("sg", []):
                    seg.setdefault("m", {})["volume"] = value
        return []
    if kind != "generate":
        return []
    ms = video_ms(draft)
    put_track(draft, bgm_track(ms))
    state["generated_media"].append({"type": "audio", "name": "Lo-fi", "duration": ms / 1000})
    if two_stage:
        return [title_track()]
    put_track(draft, title_track())
    return []


def add_upload(state: dict[str, Any], info: dict[str, Any]) -> None:
    """An uploaded file joins the draft: video/image on the tt 0 track (placed first)."""
    draft = state["draft"]
    kind = info["file_type"]
    name = PurePosixPath(info["filename"]).stem
    seg = {"d": int(info["duration"] * 1000) or 3000, "m": {"name": name}, "src": info["cdn_url"]}
    tt = 1 if kind == "audio" else 0
    track = next((t for t in draft["t"] if t.get("tt") == tt), None)
    if track is None:
        track = {"tt": tt, "sg": []}
        draft["t"].insert(0 if tt == 0 else len(draft["t"]), track)
    track["sg"].append(seg)
    if kind != "audio":
        keys = ("cdn_url", "duration", "width", "height", "fps")
        state["video_infos"].append({k: info[k] for k in keys})


def file_info(base_url: str, filename: str, digest: str) -> dict[str, Any]:
    kind = kind_of(filename) or "video"
    ext = PurePosixPath(filename).suffix.lower()
    visual = kind != "audio"
    return {
        "filename": filename,
        "file_type": kind,
        "cdn_url": f"{base_url}/cdn/uploads/{digest[:16]}{ext}",
        "duration": 0.0 if kind == "image" else 10.0,
        "width": 1920 if visual else 0,
        "height": 1080 if visual else 0,
        "fps": 30 if kind == "video" else 0,
        "hash": digest,
    }


_DISPOSITION = re.compile(r'\b(name|filename)="([^"]*)"', re.IGNORECASE)


@dataclass
class Part:
    name: str = ""
    filename: str | None = None
    size: int = 0
    sha: Any = field(default_factory=hashlib.sha256)


class MultipartCounter:
    """Fed body chunks one by one; finds the parts and counts (and hashes) their bytes,
    keeping only a boundary's length of data at a time."""

    def __init__(self, boundary: str) -> None:
        self.delim = b"\r\n--" + boundary.encode("latin-1")
        self.buf = b"\r\n"  # so the opening boundary looks like every other one
        self.state = "preamble"
        self.parts: list[Part] = []
        self.current: Part | None = None

    def feed(self, data: bytes) -> None:
        self.buf += data
        while True:
            if self.state in ("preamble", "body"):
                i = self.buf.find(self.delim)
                if i < 0:
                    keep = len(self.delim) - 1
                    if len(self.buf) > keep:
                        self._take(self.buf[:-keep])
                        self.buf = self.buf[-keep:]
                    return
                self._take(self.buf[:i])
                self.buf = self.buf[i + len(self.delim) :]
                self.current, self.state = None, "after"
            elif self.state == "after":
                if self.buf[:2] == b"--":
                    self.state, self.buf = "done", b""
                    return
                j = self.buf.find(b"\r\n")
                if j < 0:
                    return
                self.buf, self.state = self.buf[j + 2 :], "headers"
            elif self.state == "headers":
                j = self.buf.find(b"\r\n\r\n")
                if j < 0:
                    if len(self.buf) > 16384:
                        raise ValueError("part headers too long")
                    return
                head = self.buf[:j].decode("utf-8", "replace")
                self.buf, self.state = self.buf[j + 4 :], "body"
                fields = {k.lower(): v for k, v in _DISPOSITION.findall(head)}
                self.current = Part(fields.get("name", ""), fields.get("filename"))
                self.parts.append(self.current)
            else:
                self.buf = b""
                return

    def _take(self, data: bytes) -> None:
        if self.state == "body" and self.current is not None and data:
            self.current.size += len(data)
            self.current.sha.update(data)

    @property
    def files(self) -> list[Part]:
        return [p for p in self.parts if p.name == "files" and p.filename is not None]


def snapshot(obj: Any) -> Any:
    return copy.deepcopy(obj)
