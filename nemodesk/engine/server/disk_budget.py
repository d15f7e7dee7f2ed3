"""Keep the data folder within its budget, and make a take's stems and MIDI on request.

A take is written as its mix (plus a small plan); its stems and MIDI are made the first time
someone asks for one of them (an export, a download), from the recipe kept with the mix —
the same render, so the stems still add up to that mix.

After each job and each generation the folder is measured; while it is over
``data_budget_bytes`` the least recently used things go first: a whole take (mix, stems,
MIDI, plan, its ``generated_media`` entry) or a finished render's file. Never removed: a
take on any session's current draft (or on what its redo would bring back, or on the draft
of a render still running) — of those only the stems and MIDI may go, since they can be made
again — and anything being written right now. Folders of deleted sessions go as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nemodesk.engine.server import work
from nemodesk.engine.server.store import Media, Store

log = logging.getLogger("nemodesk.engine")
EXTRAS = ("stem", "midi")  # made on request, so they may always go
# stems/MIDI just made stay this long for the download that asked (one gone later is made
# again when asked for); a finished render not yet downloaded stays a minute for its download
EXTRAS_GRACE_S = 10.0
RENDER_GRACE_S = 60.0
RECHECK_S = 2.0  # while over the budget, how often to look again
REMOVED = "The file was removed to keep the data folder within its budget: export again."


def folder_size(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):  # gone meanwhile
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def _size(path: str | Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def draft_media_ids(draft: dict[str, Any]) -> set[str]:
    """The generated media a draft plays (``media:<id>`` sources), read leniently."""
    out: set[str] = set()
    for track in draft.get("t") or []:
        for seg in (track.get("sg") or []) if isinstance(track, dict) else []:
            meta = seg.get("m") if isinstance(seg, dict) else None
            src = meta.get("src") if isinstance(meta, dict) else None
            if isinstance(src, str) and src.startswith("media:"):
                out.add(src[len("media:") :])
    return out


@dataclass
class Report:
    used_before: int = 0
    used_after: int = 0
    takes: list[str] = field(default_factory=list)  # mix ids removed with their files
    extras: list[str] = field(default_factory=list)  # mix ids whose stems/MIDI went
    renders: list[str] = field(default_factory=list)
    orphans: int = 0  # folders of sessions that no longer exist


class DiskBudget:
    def __init__(self, store: Store, data_dir: Path, files_dir: Path, budget_bytes: int) -> None:
        self.store, self.data_dir, self.files_dir = store, data_dir, files_dir
        self.budget = int(budget_bytes)
        self.writing: set[str] = set()  # mix ids whose stems/MIDI are being made
        self.made: dict[str, float] = {}  # mix id -> when its stems/MIDI were made
        self._making: dict[str, asyncio.Future] = {}
        self._lock = threading.Lock()
        self.last = Report()

    def usage(self) -> int:
        """The files and the database (its write-ahead log, a few MB at most that SQLite
        folds back in by itself, is left out: it would make the measure jitter)."""
        return folder_size(self.files_dir) + _size(self.store.path)

    def enforce(self) -> Report:
        """One pass (thread-safe; callers run it off the event loop). Never raises."""
        with self._lock:
            try:
                self.last = self._enforce()
            except Exception:
                log.exception("disk budget pass failed")
        return self.last

    def _enforce(self) -> Report:
        """Sweep deleted sessions' folders; while over the budget, remove the least recently
        used takes, stem sets and renders until under it."""
        report = Report()
        report.orphans = self._sweep_orphans()
        used = report.used_before = self.usage()
        if used <= self.budget:
            report.used_after = used
            return report
        keep = self._kept()
        takes = self._takes()
        units = self._units(takes, keep)
        for _, what, ident, size in units:
            if used <= self.budget:
                break
            if what == "render":
                self._remove_render(ident)
                report.renders.append(ident)
            elif what == "extras":
                self._remove_files([m for m, _ in takes[ident] if m.kind in EXTRAS])
                report.extras.append(ident)
            else:
                self._remove_take(ident, [m for m, _ in takes[ident]])
                report.takes.append(ident)
            used -= size
        report.used_after = self.usage()
        if report.takes or report.renders or report.extras:
            log.info(
                "disk budget: %d take(s), %d stem set(s), %d render(s) removed (%d -> %d bytes)",
                len(report.takes),
                len(report.extras),
                len(report.renders),
                report.used_before,
                report.used_after,
            )
        return report

    def _sweep_orphans(self) -> int:
        """Remove the folders of sessions that no longer exist; how many went."""
        known = self.store.session_ids()
        removed = 0
        if self.files_dir.is_dir():
            for child in self.files_dir.iterdir():
                if child.is_dir() and child.name not in known:  # a deleted session's files
                    shutil.rmtree(child, ignore_errors=True)
                    removed += 1
        return removed

    def _kept(self) -> set[str]:
        """Takes that must stay: being written, or on a draft in use (of those only the stems
        and MIDI may go)."""
        keep: set[str] = set(self.writing)
        for draft in self.store.in_use_drafts():
            keep |= draft_media_ids(draft)
        return keep

    def _takes(self) -> dict[str, list[tuple[Media, float]]]:
        """Every generated file with when it was last used, grouped by the take (mix) it
        belongs to."""
        takes: dict[str, list[tuple[Media, float]]] = {}
        for m, used_at in self.store.all_media():
            mix = m.media_id if m.kind == "mix" else str(m.meta.get("of") or m.media_id)
            takes.setdefault(mix, []).append((m, used_at))
        return takes

    def _units(
        self, takes: dict[str, list[tuple[Media, float]]], keep: set[str]
    ) -> list[tuple[float, str, str, int]]:
        """What may go, least recently used first: (last used, what, id, bytes) for whole
        takes, kept takes' stems and MIDI, and finished renders past their grace."""
        units: list[tuple[float, str, str, int]] = []  # (last used, what, id, bytes)
        now = time.monotonic()
        for mix, members in takes.items():
            last = max(u for _, u in members)
            if mix in self.writing or now - self.made.get(mix, -EXTRAS_GRACE_S) < EXTRAS_GRACE_S:
                continue  # being made, or just made for a download that may still be reading
            if mix in keep:
                extra = sum(_size(m.path) for m, _ in members if m.kind in EXTRAS)
                if extra:
                    units.append((last, "extras", mix, extra))
            else:
                units.append((last, "take", mix, sum(_size(m.path) for m, _ in members)))
        for render_id, path, last, downloaded in self.store.finished_renders():
            if not downloaded and time.time() - last < RENDER_GRACE_S:
                continue  # just finished: its download has not come yet
            if (size := _size(path)) or Path(path).exists():
                units.append((last, "render", render_id, size))
        units.sort()
        return units

    @staticmethod
    def _remove_files(members: list[Media]) -> None:
        for m in members:
            Path(m.path).unlink(missing_ok=True)
            parent = Path(m.path).parent
            if parent.name.endswith("-stems"):
                with contextlib.suppress(OSError):
                    parent.rmdir()  # only once empty

    def _remove_take(self, mix_id: str, members: list[Media]) -> None:
        self._remove_files(members)
        self.store.delete_media([m.media_id for m in members])
        sessions = {m.session_id for m in members}
        for sid in sessions:
            media = self.store.state(sid).get("generated_media")
            if isinstance(media, list):
                left = [
                    e for e in media if not (isinstance(e, dict) and e.get("media_id") == mix_id)
                ]
                if len(left) != len(media):
                    self.store.set_state(sid, "generated_media", left)

    def _remove_render(self, render_id: str) -> None:
        for rid, path, _, _ in self.store.finished_renders():
            if rid == render_id:
                Path(path).unlink(missing_ok=True)
        self.store.drop_render_output(render_id, REMOVED)

    # -- stems and MIDI on request ---------------------------------------------------

    async def file_of(self, jobs, m: Media) -> Path | None:
        """The file of a generated media, making a take's stems/MIDI first when they are
        not written yet; None when there is none. Marks the take as used."""
        path = Path(m.path)
        if not path.is_file() and m.kind in EXTRAS and m.meta.get("of"):
            await self._make_extras(jobs, m.session_id, str(m.meta["of"]))
        if not path.is_file():
            return None
        self.store.touch_media(*{m.media_id, str(m.meta.get("of") or m.media_id)})
        return path

    async def _make_extras(self, jobs, session_id: str, mix_id: str) -> None:
        pending = self._making.get(mix_id)
        if pending is None:
            pending = asyncio.ensure_future(self._write_extras(jobs, session_id, mix_id))
            self._making[mix_id] = pending
            pending.add_done_callback(lambda _: self._making.pop(mix_id, None))
        await asyncio.shield(pending)

    async def _write_extras(self, jobs, session_id: str, mix_id: str) -> None:
        media = self.store.media(session_id)
        mix = next((m for m in media if m.media_id == mix_id), None)
        recipe = mix.meta.get("recipe") if mix else None
        if mix is None or not isinstance(recipe, dict):
            return
        extras = [m for m in media if m.kind in EXTRAS and m.meta.get("of") == mix_id]
        stems_dir = next((Path(m.path).parent for m in extras if m.kind == "stem"), None)
        midi = next((m.path for m in extras if m.kind == "midi"), None)
        if stems_dir is None or midi is None:
            return
        self.writing.add(mix_id)
        try:
            await jobs.run(
                "extras",
                work.write_extras,
                recipe["brief"],
                recipe["seed"],
                recipe["name"],
                recipe["cuts_s"],
                recipe["loudness_lufs"],
                recipe.get("speech_s"),
                str(stems_dir),
                str(midi),
            )
            self.store.touch_media(mix_id, *(m.media_id for m in extras))
            self.made[mix_id] = time.monotonic()
        finally:
            self.writing.discard(mix_id)


def attach(app, store: Store, config) -> DiskBudget:
    """The app's budget keeper (``app.state.disk``): a first pass now, then another every
    few seconds while the last one ended over the budget (files kept for a download)."""
    disk = DiskBudget(store, config.data_dir, config.files_dir, config.data_budget_bytes)
    app.state.disk = disk

    def keep() -> None:
        disk.enforce()
        while True:
            time.sleep(RECHECK_S)
            if disk.last.used_after > disk.budget:
                disk.enforce()

    threading.Thread(target=keep, name="disk-budget", daemon=True).start()
    return disk


async def enforce_soon(app) -> Report | None:
    disk: DiskBudget | None = getattr(app.state, "disk", None)
    return await asyncio.to_thread(disk.enforce) if disk else None
