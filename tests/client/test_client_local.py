"""The client's whole flow against a real `nemodesk serve` on loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import av
import pytest

from nemodesk.client import errors
from nemodesk.client.client import NemoClient
from nemodesk.client.models import Progress, RenderStatus
from nemodesk.client.tokens import TokenStore
from nemodesk.core.draft import TrackType
from tests.client.support import local_config
from tests.fixtures.media import make_clip, make_text_file_named


def streams(path: Path) -> tuple[set[str], float]:
    with av.open(str(path)) as f:
        return {s.type for s in f.streams}, f.duration / av.time_base


def test_upload_chat_export_download(engine, tmp_path):
    clip = make_clip(
        tmp_path / "city.mp4", duration_s=6.0, cuts_s=[2.0, 4.0], width=320, height=180
    )
    uploads: list[Progress] = []
    renders: list[RenderStatus] = []
    downloads: list[Progress] = []

    async def flow():
        async with NemoClient(local_config(engine.url), TokenStore(use_keyring=False)) as c:
            session = await c.create_session()
            assert "token" not in session.link and session.session_id in session.link
            files = await c.upload([clip], uploads.append)
            assert files[0].filename and abs(files[0].duration - 6.0) < 0.1
            texts: list[str] = []
            outcome = await c.send(
                "make a tense cinematic score that fits this video", on_text=texts.append
            )
            out = await c.export(
                tmp_path / "out.mp4", "mp4", "high", renders.append, downloads.append
            )
            credits = await c.credits()
            return c, outcome, texts, out, credits

    c, outcome, texts, out, credits = asyncio.run(flow())
    assert uploads[-1].done == clip.stat().st_size == uploads[-1].total
    assert texts and outcome.texts and not outcome.silent
    bgm = outcome.draft.first(TrackType.AUDIO)
    video = outcome.draft.first(TrackType.VIDEO)
    assert bgm is not None and video is not None
    assert abs(bgm.span()[1] - 6000) <= 100 and abs(video.span()[1] - 6000) <= 100
    assert "generate_music" in outcome.tools or outcome.tools
    assert renders[-1].status == "completed" and renders[-1].url
    assert downloads[-1].done == out.stat().st_size > 0
    kinds, duration = streams(out)
    assert kinds == {"video", "audio"} and abs(duration - 6.0) < 0.3
    assert not list(tmp_path.glob(".*.part"))
    assert credits.available > 0
    assert c.token_source == "memory" and not c.token_is_saved


def test_music_only_export_is_audio(engine, tmp_path):
    async def flow():
        async with NemoClient(local_config(engine.url), TokenStore(use_keyring=False)) as c:
            outcome = await c.send("a 4-second calm piano piece")
            path = await c.export(tmp_path / "music.wav", "wav")
            return outcome, path

    outcome, path = asyncio.run(flow())
    with av.open(str(path)) as f:
        assert [s.type for s in f.streams] == ["audio"]
        assert abs(f.duration / av.time_base - 4.0) < 0.05
    assert outcome.draft.first(TrackType.AUDIO) is not None


def test_files_checked_before_upload(engine, tmp_path):
    bad = make_text_file_named(tmp_path / "notes.txt")
    fake = make_text_file_named(tmp_path / "fake.mp4")

    async def flow():
        async with NemoClient(local_config(engine.url), TokenStore(use_keyring=False)) as c:
            await c.create_session()
            with pytest.raises(errors.UnsupportedFile) as before:
                await c.upload([bad])
            with pytest.raises(errors.UnsupportedFile) as after:  # checked by content there
                await c.upload([fake])
            small = c.config.__class__(**{**c.config.__dict__, "max_upload_bytes": 10})
            c.config = small
            with pytest.raises(errors.FileTooLarge):
                await c.upload([fake])
            return before.value, after.value

    before, after = asyncio.run(flow())
    assert "mp4" in before.message() and "wav" in before.message()
    assert "支持" in before.message("zh-CN")
    assert after.code == 4001


def test_render_cancel_and_session_replaced(engine, tmp_path):
    replaced = []

    async def flow():
        async with NemoClient(local_config(engine.url), TokenStore(use_keyring=False)) as c:
            await c.send("a 20-second upbeat rock track")
            task = asyncio.create_task(c.export(tmp_path / "x.mp3", "mp3"))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            from nemodesk.client import render

            st = await render.status(c, c.last_render_id)
            # a session that does not exist: a new one is made and the caller told
            from nemodesk.client.models import Session

            c.use_session(Session("no-such-session", "", "", ""))
            c.on_session_replaced = lambda old, new: replaced.append((old, new))
            state = await c.state()
            return st, state, c.session

    st, state, session = asyncio.run(flow())
    assert st.status in ("cancelled", "completed")  # a fast render may have finished
    assert not (tmp_path / "x.mp3").exists() and not list(tmp_path.glob(".*"))
    assert replaced and replaced[0][0].session_id == "no-such-session"
    assert replaced[0][1].session_id == session.session_id != "no-such-session"
    assert state.draft.tracks == []


def test_upload_cancel_stops_at_once(engine, tmp_path):
    big = tmp_path / "big.mp4"
    with open(big, "wb") as f:
        f.truncate(1 << 30)
    seen: list[int] = []

    async def flow():
        async with NemoClient(local_config(engine.url), TokenStore(use_keyring=False)) as c:
            await c.create_session()
            task = asyncio.create_task(c.upload([big], lambda p: seen.append(p.done)))
            while not seen:
                await asyncio.sleep(0.005)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            credits = await c.credits()  # the client still works after the cancel
            return credits

    assert asyncio.run(flow()).available > 0
    assert seen[-1] < (1 << 30) // 2  # stopped long before the end
