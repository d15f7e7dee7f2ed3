"""``AppService``: the one object that owns the backend connection for the window.

Widgets never hold sockets: they call the service's methods, and the service runs each long
job as an asyncio task (qasync runs asyncio inside the Qt loop) and reports back through Qt
signals — progress, results, and errors as exceptions the window turns into sentences.
Every job can be cancelled by name. What users type is routed as the spec's table says:
export, credits, status and upload are done here, only the rest goes over SSE.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import wave
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from nemodesk.client import (
    ChatEvent,
    ChatOutcome,
    ClientConfig,
    Credits,
    LocalEngine,
    NemoClient,
    NemoError,
    Session,
)
from nemodesk.core import intent
from nemodesk.core.draft import Draft, TrackType, summary
from nemodesk.core.ducking import music_gain
from nemodesk.core.guitalk import Action
from nemodesk.ui.ducked_music import ducked_name, prune, write_ducked

log = logging.getLogger(__name__)
WAVEFORM_POINTS = 2000
PREVIEW_EVENT = "music_preview"  # the local engine's tool result naming a track's head


def music_peaks(path: Path, points: int = WAVEFORM_POINTS) -> np.ndarray:
    """Peak level (0..1) per slice of a WAV file, for the timeline's BGM lane."""
    with wave.open(str(path), "rb") as w:
        width, channels, n = w.getsampwidth(), w.getnchannels(), w.getnframes()
        raw = w.readframes(n)
    dtype = {2: np.int16, 4: np.int32}.get(width)
    if dtype is None or n == 0:
        return np.zeros(points, dtype=np.float32)
    data = np.abs(np.frombuffer(raw, dtype=dtype).reshape(-1, channels)).max(axis=1)
    edges = np.linspace(0, len(data), points + 1).astype(int)
    peaks = np.maximum.reduceat(data, np.minimum(edges[:-1], len(data) - 1))
    return (peaks / float(np.iinfo(dtype).max)).astype(np.float32)


def _head_peaks(path: Path, duration_s: float) -> np.ndarray:
    """A head's peaks placed on the whole track's WAVEFORM_POINTS (zero past the head: the
    timeline fills in when the track comes)."""
    with wave.open(str(path), "rb") as w:
        head_s = w.getnframes() / float(w.getframerate() or 1)
    n = min(WAVEFORM_POINTS, max(1, round(WAVEFORM_POINTS * head_s / max(duration_s, 1e-3))))
    out = np.zeros(WAVEFORM_POINTS, dtype=np.float32)
    out[:n] = music_peaks(path, n)
    return out


class AppService(QObject):
    backendStatus = Signal(str)
    ready = Signal()
    running = Signal(str, bool)  # job name ("generate", "upload", "export", …), running?
    chatMessage = Signal(str, str)  # role ("user", "assistant", "notice"), text
    toolActivity = Signal(str)
    stillWorking = Signal(float)
    draftChanged = Signal(object)  # Draft
    mediaChanged = Signal(list)  # generated_media entries (the variations)
    clipLoaded = Signal(dict)  # name, path, duration_s, cuts_s, thumbnails (QImage), size
    uploadProgress = Signal(object)  # Progress
    renderProgress = Signal(object)  # RenderStatus
    downloadProgress = Signal(object)  # Progress
    exported = Signal(str)
    cancelled = Signal(str)
    # what the player plays (the music with the draft's dip under speech), the music's own
    # peaks, its duration ms
    musicReady = Signal(str, object, int)
    # the head of a long track while the rest renders (local engine): its file, the peaks
    # over the whole track's length (zero past the head) and that length in ms; the
    # track itself follows as musicReady
    musicPreview = Signal(str, object, int)
    previewDropped = Signal()  # a head was shown but its track will not come (cancel, failure)
    creditsChanged = Signal(object)  # Credits, or None on the local engine
    sessionChanged = Signal(object)  # Session
    tokenStatus = Signal(bool)  # saved in the keyring?
    exportAsked = Signal(str)  # the user typed "export" (maybe with a format)
    uploadRequested = Signal()  # the user typed "upload": the window opens the file dialog
    actionsRequested = Signal(list)  # GUI-talk actions the window carries out
    failed = Signal(str, object)  # job name, the exception
    succeeded = Signal(str)  # job name: it ended without error (an old error may go)

    def __init__(
        self,
        backend: str = "local",
        api_url: str | None = None,
        data_dir: Path | None = None,
        language: str = "en",
        parent: QObject | None = None,
        soundfont: str = "",
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.soundfont = soundfont  # the user's .sf2/.sf3 for the local engine, "" built-in
        self.api_url = api_url
        self.language = language
        env_dir = os.environ.get("NEMODESK_DATA_DIR")
        self.data_dir = data_dir or (Path(env_dir) if env_dir else None)
        self.cache_dir = platformdirs.user_cache_path("NemoDesk", appauthor=False) / "preview"
        self.engine: LocalEngine | None = None
        self.client: NemoClient | None = None
        self.draft = Draft()
        self.media: list[dict[str, Any]] = []
        self.clip_path: Path | None = None
        self.loudness_lufs = -14.0
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._fetches: dict[str, asyncio.Future[Any]] = {}
        self._preview: asyncio.Task[Any] | None = None  # fetching a head, during a chat
        self._head_out = False  # a head is in the player, its track not yet
        self._reload: asyncio.Future[Any] | None = None  # the music before a dropped head
        self._ready = asyncio.Event()
        self._connect_lock = asyncio.Lock()
        self._again: dict[str, Any] = {}  # job name -> how to ask for it again (Retry)
        self._resume: Session | None = None  # the session to carry over an engine restart

    # ---- lifecycle ------------------------------------------------------------------------

    @property
    def is_local(self) -> bool:
        return self.backend == "local"

    def ready_now(self) -> bool:
        """Connected: a session exists on the backend."""
        return self._ready.is_set()

    def start(self) -> asyncio.Task[Any]:
        return self._job("connect", self._connect())

    async def _connect(self) -> None:
        async with self._connect_lock:
            if not self._ready.is_set():
                await self._connect_once()

    async def _connect_once(self) -> None:
        if self.client is not None:  # a failed attempt's client: its address may be stale
            await self.client.aclose()
            self.client = None
        if self.is_local:
            self.backendStatus.emit(self.tr("Starting engine…"))
            if self.engine is None:
                self.engine = LocalEngine(data_dir=self.data_dir, soundfont=self.soundfont or None)
            await self.engine.start()
            config = replace(
                ClientConfig.from_env(backend="local"),
                api_url=self.engine.url,
                keyring_account=f"local:{self.engine.data_dir}",
                language=self.language,
            )
        else:
            self.backendStatus.emit(self.tr("Connecting to NemoVideo cloud…"))
            config = ClientConfig.from_env(backend="cloud")
            if self.api_url:
                config = replace(config, api_url=self.api_url.rstrip("/"))
            config = replace(config, language=self.language)
        self.client = NemoClient(config)
        self.client.on_session_replaced = self._session_replaced
        session = await self._resumed_session() or await self.client.create_session()
        self.sessionChanged.emit(session)
        self.tokenStatus.emit(self.client.token_is_saved)
        self.backendStatus.emit(
            self.tr("Local engine") if self.is_local else self.tr("NemoVideo cloud")
        )
        self._ready.set()
        self.ready.emit()
        if not self.is_local:
            await self._refresh_credits()

    async def _resumed_session(self) -> Session | None:
        """The session from before an engine restart, if the engine still has it (it keeps
        sessions in its data folder)."""
        old, self._resume = self._resume, None
        if old is None or self.client is None:
            return None
        self.client.use_session(old)
        try:
            await self.client.state(old.session_id)
        except NemoError:
            self.client.session = None
            return None
        return old

    def set_soundfont(self, soundfont: str) -> asyncio.Task[Any] | None:
        """Play new music with ``soundfont`` ("" for the built-in sounds): a running local
        engine is restarted with it, keeping the session; otherwise the next start uses it."""
        if soundfont == self.soundfont:
            return None
        self.soundfont = soundfont
        if not self.is_local or self.engine is None:
            return None
        return self._job("connect", self._restart_engine())

    async def _restart_engine(self) -> None:
        """Restart the local engine: jobs already running (a take being rendered) finish on
        the old engine first, then jobs asked for meanwhile wait on the connect lock."""
        while busy := self._busy_tasks():
            await asyncio.gather(*busy, return_exceptions=True)
        self._ready.clear()  # no await since the check: nothing starts on the old engine
        async with self._connect_lock:
            self._resume = self.client.session if self.client is not None else None
            if self.client is not None:
                await self.client.aclose()
                self.client = None
            if self.engine is not None:
                await self.engine.stop()
                self.engine = None
            await self._connect_once()

    def _busy_tasks(self) -> list[asyncio.Future[Any]]:
        current = asyncio.current_task()
        jobs = [t for t in self._tasks.values() if t is not current and not t.done()]
        return [*jobs, *(f for f in self._fetches.values() if not f.done())]

    async def stop(self) -> None:
        for task in [*self._tasks.values(), *self._fetches.values()]:
            task.cancel()
        await asyncio.gather(*self._tasks.values(), *self._fetches.values(), return_exceptions=True)
        if self.client is not None:
            await self.client.aclose()
            self.client = None
        if self.engine is not None:
            await self.engine.stop()
            self.engine = None
        self._ready.clear()

    def clear_history(self) -> asyncio.Task[Any] | None:
        """Delete this session's takes, renders and conversation on the local engine and
        start a fresh one (the window sends the shown clip to it again)."""
        if not self.is_local:
            return None
        return self._job("clear", self._clear_history())

    async def _clear_history(self) -> None:
        assert self.client is not None
        old = self.client.session
        if old is not None:
            await self.client.delete_session(old.session_id)
        session = await self.client.create_session()
        self.draft = Draft()
        self.media = []
        self.draftChanged.emit(self.draft)
        self.mediaChanged.emit([])
        self.sessionChanged.emit(session)

    def _session_replaced(self, old: Session | None, new: Session) -> None:
        self.sessionChanged.emit(new)
        self.chatMessage.emit(
            "notice", self.tr("The previous session was not found; a new one was started.")
        )

    # ---- jobs -----------------------------------------------------------------------------

    def busy(self, name: str) -> bool:
        """Until ``running(name, False)`` has been told: a finished task's done callback
        runs a moment after the task, and the window follows the signal."""
        return name in self._tasks

    def cancel(self, name: str) -> None:
        task = self._tasks.get(name)
        if task is not None and not task.done():
            task.cancel()

    def run_job(self, name: str, coro: Any) -> asyncio.Task[Any]:
        """Run a window's own coroutine as a named, cancellable job with error reporting."""
        return self._job(name, coro)

    def _job(self, name: str, coro: Any) -> asyncio.Task[Any]:
        """Run ``coro`` as the job ``name``: one at a time per name, errors reported, and
        ``running`` told at once and again at the end — even when cancelled before it ran."""
        self.cancel(name)
        task = asyncio.ensure_future(self._guard(name, coro))
        self._tasks[name] = task
        self.running.emit(name, True)
        task.add_done_callback(lambda t: self._done(name, t, coro))
        return task

    def _done(self, name: str, task: asyncio.Task[Any], coro: Any) -> None:
        coro.close()  # a job cancelled before it started was never awaited
        if task.cancelled():
            self.cancelled.emit(name)
        if self._tasks.get(name) is task:
            del self._tasks[name]
            self.running.emit(name, False)

    async def _guard(self, name: str, coro: Any) -> Any:
        try:
            if name != "connect" and not self._ready.is_set():
                # connect now (or wait for the attempt under way): an unreachable backend
                # fails this job at once with the reason, it never waits for a ready flag
                # a failed connect would not set
                await self._connect()
            result = await coro
        except asyncio.CancelledError:
            raise
        except Exception as e:  # every failure reaches the window as a sentence
            if not isinstance(e, NemoError):
                log.exception("job %s failed", name)
            self.failed.emit(name, e)
            return None
        self.succeeded.emit(name)
        return result

    def can_retry(self, name: str) -> bool:
        return name == "connect" or name in self._again

    def retry(self, name: str) -> asyncio.Task[Any] | None:
        """Ask again for the last request of job ``name`` (the Retry of an error)."""
        if name == "connect":
            return self.start()
        again = self._again.get(name)
        return again() if again is not None else None

    # ---- what the user does ---------------------------------------------------------------

    def say(self, text: str) -> asyncio.Task[Any] | None:
        """A line typed in the conversation, routed as the spec's table says."""
        routed = intent.route(text)
        self.chatMessage.emit("user", text)
        if routed.intent is intent.Intent.EXPORT:
            self.exportAsked.emit(routed.format or "")  # the window knows folder and quality
            return None
        if routed.intent is intent.Intent.CREDITS:
            return self._job("credits", self._say_credits())
        if routed.intent is intent.Intent.STATUS:
            return self._job("status", self._say_status())
        if routed.intent is intent.Intent.UPLOAD:
            self.uploadRequested.emit()
            return None
        self._again["chat"] = lambda: self.say(text)
        return self._job("chat", self._chat(text, None))

    def generate(self, prompt: str, parameters: dict[str, Any]) -> asyncio.Task[Any]:
        if prompt.strip():
            self.chatMessage.emit("user", prompt)
        self._again["chat"] = lambda: self.generate(prompt, parameters)
        return self._job("chat", self._chat(prompt, parameters))

    def use_variation(self, media_id: str) -> asyncio.Task[Any]:
        self._again["chat"] = lambda: self.use_variation(media_id)
        return self._job("chat", self._chat("", {"use_media_id": media_id}))

    def step_history(self, step: str) -> asyncio.Task[Any]:
        """Undo (``"undo"``) or redo (``"redo"``) the last draft edit: a chat round the
        engine answers from its draft versions (the words are for the cloud and the chat)."""
        said = self.tr("Undo the last change") if step == "undo" else self.tr("Redo the change")
        self.chatMessage.emit("user", said)
        return self._job("chat", self._chat(said, {"history": step}))

    def edit_hit(self, kind: str, cut_s: float, value: float = 0.0) -> asyncio.Task[Any]:
        """The accent on one cut: "off", "on", "move" (to ``value`` s) or "boost" (``value``
        dB for all of them); a chat round whose parameters the backend turns into a new take."""
        params: dict[str, Any] = {
            "off": {"hit_off": round(cut_s, 3)},
            "on": {"hit_on": round(cut_s, 3)},
            "move": {"hit_move": [round(cut_s, 3), round(value, 3)]},
            "boost": {"hit_boost_db": float(value)},
        }[kind]
        clock = f"{int(cut_s // 60)}:{cut_s % 60:04.1f}"
        said = {
            "off": self.tr("No accent on the cut at {0}").format(clock),
            "on": self.tr("Accent the cut at {0} again").format(clock),
            "move": self.tr("Move the accent at {0} to {1}").format(
                clock, f"{int(value // 60)}:{value % 60:04.1f}"
            ),
            "boost": self.tr("Hit harder on the cuts") if value > 0 else self.tr("Softer accents"),
        }[kind]
        self.chatMessage.emit("user", said)
        self._again["chat"] = lambda: self.edit_hit(kind, cut_s, value)
        return self._job("chat", self._chat("", params))

    def set_clip_sound(self, mode: str, depth_db: float | None = None) -> asyncio.Task[Any]:
        """The clips' own sound: "duck" (the music dips under their speech, by ``depth_db``
        when given, else by the draft's own depth), "even" or "mute"; a chat round with no
        text that the backend saves in the draft."""
        params: dict[str, Any] = {"clip_sound": mode}
        if depth_db is not None:
            params["duck_db"] = round(float(depth_db), 1)
        self._again["chat"] = lambda: self.set_clip_sound(mode, depth_db)
        return self._job("chat", self._chat("", params))

    def upload(self, paths: list[Path]) -> asyncio.Task[Any]:
        self._again["upload"] = lambda: self.upload(paths)
        return self._job("upload", self._upload(paths))

    def export(self, options: dict[str, Any]) -> asyncio.Task[Any]:
        self._again["export"] = lambda: self.export(options)
        return self._job("export", self._export(options))

    def say_status_quietly(self) -> asyncio.Task[Any]:
        """The track summary, as the app's answer to "preview in the timeline"."""
        return self._job("status", self._say_status())

    def refresh_credits(self) -> asyncio.Task[Any]:
        return self._job("credits", self._refresh_credits())

    async def forget_token(self) -> None:
        if self.client is not None:
            await self.client.forget_token()

    # ---- the work -------------------------------------------------------------------------

    def _tool(self, ev: ChatEvent) -> None:
        if ev.kind == "tool_call" and ev.name:
            self.toolActivity.emit(ev.name)
        elif (
            ev.kind == "tool_result"
            and ev.name == PREVIEW_EVENT
            and self.is_local
            and isinstance(ev.payload, dict)
            and self._preview is None
        ):
            self._preview = asyncio.ensure_future(self._show_head(ev.payload))

    async def _show_head(self, result: dict[str, Any]) -> None:
        """Fetch the head the engine named and hand it to the player (musicPreview); a
        head that cannot be had is no error: the whole track comes as before."""
        assert self.client is not None
        try:
            url, duration_s = str(result["url"]), float(result["duration_s"])
            folder = self.cache_dir / "heads"
            dest = folder / Path(url).name
            await self.client.fetch_file(url, dest)
            peaks = await asyncio.to_thread(_head_peaks, dest, duration_s)
            # dipped under the clips' speech as the track will be (the same curve)
            heard = await self.preview_music(dest.stem, dest)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # any backend or file trouble: wait for the track
            log.warning("no preview of the track: %s", e)
            return
        for old in folder.glob("head-*.wav"):  # one head kept: the one shown
            if old != dest:
                with contextlib.suppress(OSError):
                    old.unlink()
        self._head_out = True
        self.musicPreview.emit(str(heard), peaks, round(duration_s * 1000))

    async def _end_preview(self) -> None:
        """The run is over: a head still on its way is not shown after the track."""
        task, self._preview = self._preview, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _chat(self, text: str, parameters: dict[str, Any] | None) -> ChatOutcome:
        assert self.client is not None
        try:
            try:
                outcome = await self.client.send(
                    text,
                    parameters={**parameters} if parameters else None,
                    on_tool=self._tool,
                    on_still_working=self.stillWorking.emit,
                    on_notice=lambda line: self.chatMessage.emit("notice", line),
                    preview=self.is_local,
                )
            finally:
                await self._end_preview()
            self.chatMessage.emit("assistant", outcome.reply)
            if outcome.actions:
                self.actionsRequested.emit([a for a in outcome.actions if isinstance(a, Action)])
            await self._apply_state()
            return outcome
        finally:
            if self._head_out:  # cancelled or failed after its head: back to the track before
                self._head_out = False
                self.previewDropped.emit()
                self._reload = asyncio.ensure_future(self._reload_music())

    async def _reload_music(self) -> None:
        try:
            await self._load_music()
        except Exception as e:  # the player then stays empty: no error of its own
            log.warning("could not reload the music: %s", e)

    async def _apply_state(self) -> None:
        assert self.client is not None
        state = await self.client.state()
        self.draft = state.draft
        self.draftChanged.emit(self.draft)
        media = [m for m in (state.generated_media or []) if isinstance(m, dict)]
        if media != self.media:
            self.media = media
            self.mediaChanged.emit(media)
        await self._load_music()
        if not self.is_local:
            await self._refresh_credits()

    def media_entry(self, media_id: str) -> dict[str, Any] | None:
        return next((m for m in self.media if m.get("media_id") == media_id), None)

    def current_media_id(self) -> str | None:
        bgm = self.draft.first(TrackType.AUDIO)
        if bgm is None or not bgm.segments:
            return None
        src = str(bgm.segments[0].meta.get("src", ""))
        return src.removeprefix("media:") if src.startswith("media:") else None

    async def fetch_media(self, media_id: str) -> Path | None:
        """The mix of ``media_id`` in the preview cache (fetched once)."""
        entry = self.media_entry(media_id)
        if entry is None or not entry.get("url") or self.client is None:
            return None
        dest = self.cache_dir / f"{media_id}.wav"
        if dest.is_file():
            return dest
        # one download per file: the player and the variation cards may ask at once
        pending = self._fetches.get(media_id)
        if pending is None:
            pending = asyncio.ensure_future(self.client.fetch_file(str(entry["url"]), dest))
            self._fetches[media_id] = pending
            pending.add_done_callback(lambda _t: self._fetches.pop(media_id, None))
        await asyncio.shield(pending)
        return dest

    async def take_peaks(self, media_id: str, points: int) -> np.ndarray | None:
        """The peaks of a generated take (fetched into the preview cache once), for its
        card; None when it cannot be had — a card without a waveform is no error."""
        try:
            path = await self.fetch_media(media_id)
            if path is None:
                return None
            return await asyncio.to_thread(music_peaks, path, points)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # any backend or file trouble: no waveform
            log.warning("no waveform for %s: %s", media_id, e)
            return None

    async def _load_music(self) -> None:
        media_id = self.current_media_id()
        if media_id is None:
            return
        path = await self.fetch_media(media_id)
        if path is None:
            return
        peaks = await asyncio.to_thread(music_peaks, path)
        bgm = self.draft.first(TrackType.AUDIO)
        duration = bgm.segments[0].duration_ms if bgm and bgm.segments else 0
        preview = await self.preview_music(media_id, path)
        self._head_out = False
        self.musicReady.emit(str(preview), peaks, duration)

    async def preview_music(self, media_id: str, path: Path) -> Path:
        """The file the player should play for the current draft: ``path`` with the draft's
        dip under speech applied (made once per media, curve and offset), or ``path`` itself
        when nothing ducks the music or the file cannot be read."""
        points = music_gain(self.draft)
        if not points:
            return path
        bgm = self.draft.first(TrackType.AUDIO)
        start = bgm.segments[0].meta.get("start", 0) if bgm and bgm.segments else 0
        offset = int(start) if isinstance(start, int | float) and not isinstance(start, bool) else 0
        dest = self.cache_dir / "ducked" / ducked_name(media_id, points, offset)
        if dest.is_file():
            with contextlib.suppress(OSError):
                os.utime(dest)  # in use again: the newest, for prune
            return dest
        try:
            await asyncio.to_thread(write_ducked, path, dest, points, offset)
        except (OSError, ValueError, EOFError, wave.Error) as e:
            log.warning("no ducked preview of %s: %s", path, e)
            return path
        prune(dest.parent, media_id)
        return dest

    async def _upload(self, paths: list[Path]) -> None:
        assert self.client is not None
        files = await self.client.upload(paths, self.uploadProgress.emit)
        state = await self.client.state()
        self.draft = state.draft
        self.draftChanged.emit(self.draft)
        analyses = [a for a in (state.video_analyses or []) if isinstance(a, dict)]
        for path, f in zip(paths, files, strict=False):
            if f.file_type and f.file_type != "video":
                continue
            self.clip_path = path
            found = analyses[-1] if analyses else {}
            thumbs = await self._thumbnails(found.get("thumbnails") or [])
            self.clipLoaded.emit(
                {
                    "name": f.filename or path.name,
                    "path": str(path),
                    "duration_s": f.duration or 0.0,
                    "width": f.width,
                    "height": f.height,
                    "cuts_s": list(found.get("cuts_s") or []),
                    "thumbnails": thumbs,
                }
            )
        if self.current_media_id() is not None:
            await self._load_music()  # the clip's speech now dips the music

    async def _thumbnails(self, urls: list[str]) -> list[QImage]:
        images: list[QImage] = []
        if self.client is None:
            return images
        for i, url in enumerate(urls[:24]):
            dest = self.cache_dir / "thumbs" / f"{abs(hash(url))}-{i}.jpg"
            with contextlib.suppress(NemoError, OSError):
                if not dest.is_file():
                    await self.client.fetch_file(url, dest)
                image = QImage(str(dest))
                if not image.isNull():
                    images.append(image)
        return images

    async def _export(self, options: dict[str, Any]) -> Path:
        assert self.client is not None
        fmt = str(options.get("format") or "wav")
        folder = Path(options.get("folder") or Path.home()).expanduser()
        base = str(options.get("name") or "nemodesk-music")
        dest = _free_name(folder / f"{base}.{fmt}")
        path = await self.client.export(
            dest,
            fmt,
            str(options.get("quality") or "high"),
            self.renderProgress.emit,
            self.downloadProgress.emit,
        )
        extras = [k for k in ("stems", "midi") if options.get(k)]
        media_id = self.current_media_id()
        entry = self.media_entry(media_id) if media_id else None
        if extras and entry:
            await self._export_extras(entry, dest, extras)
        self.exported.emit(str(path))
        return path

    async def _export_extras(self, entry: dict[str, Any], dest: Path, kinds: list[str]) -> None:
        """Stems and MIDI, which the local engine offers as generated media."""
        assert self.client is not None
        files = entry.get("files") or {}
        for key, media_id in files.items():
            if key.startswith("stem:") and "stems" in kinds:
                target = dest.with_name(f"{dest.stem}-stems") / f"{key[5:]}.wav"
            elif key == "midi" and "midi" in kinds:
                target = dest.with_suffix(".mid")
            else:
                continue
            await self.client.fetch_media(media_id, target)

    async def _refresh_credits(self) -> None:
        if self.client is None:
            return
        if self.is_local:
            self.creditsChanged.emit(None)
            return
        credits: Credits = await self.client.credits()
        self.creditsChanged.emit(credits)

    async def _say_credits(self) -> None:
        if self.is_local:
            self.chatMessage.emit(
                "assistant", self.tr("The local engine is free and works offline: no credits.")
            )
            return
        assert self.client is not None
        c = await self.client.credits()
        self.creditsChanged.emit(c)
        self.chatMessage.emit(
            "assistant",
            self.tr("Credits: {0} available, {1} reserved, {2} in total.").format(
                f"{c.available:g}", f"{c.frozen:g}", f"{c.total:g}"
            ),
        )

    async def _say_status(self) -> None:
        assert self.client is not None
        self.draft = (await self.client.state()).draft
        self.draftChanged.emit(self.draft)
        self.chatMessage.emit("assistant", summary(self.draft))


def _free_name(path: Path) -> Path:
    """``path``, or ``name (2).ext`` … when it exists: an export never overwrites."""
    if not path.exists():
        return path
    for i in range(2, 1000):
        candidate = path.with_name(f"{path.stem} ({i}){path.suffix}")
        if not candidate.exists():
            return candidate
    return path
