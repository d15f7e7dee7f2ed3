"""The data folder stays bounded, through a real `nemodesk serve` (issue 15, item 2): a take
is written as its mix alone (stems and MIDI are made when asked for, and still add up to the
mix); over the budget the least recently used takes and renders go, never the current
draft's; a session can be deleted with its files and rows; one client's flood of requests is
answered "busy" beyond its bound while another client is still served."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import httpx
import numpy as np
import pytest

from nemodesk.core.draft import Draft, TrackType
from tests.audio_checks import decode_file
from tests.engine.server.conftest import Engine, start_engine, stop_engine
from tests.engine.server.sse import chat

MB = 1_000_000


def _state(c: httpx.Client, sid: str) -> dict:
    r = c.get(f"/api/state/nemo_agent/me/{sid}/latest")
    assert r.status_code == 200, r.text
    return r.json()["data"]["state"]


def _current_take(c: httpx.Client, sid: str) -> str:
    draft = Draft.decode(_state(c, sid)["draft"])
    return draft.first(TrackType.AUDIO).segments[0].meta["src"].removeprefix("media:")


def _render(c: httpx.Client, sid: str, rid: str) -> httpx.Response:
    draft = _state(c, sid)["draft"]
    body = {"id": rid, "sessionId": sid, "draft": draft, "output": {"format": "wav"}}
    r = c.post("/api/render/proxy/lambda", json=body)
    assert r.status_code == 200, r.text
    for _ in range(300):
        s = c.get(f"/api/render/proxy/lambda/{rid}").json()
        if s["status"] in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.05)
    assert s["status"] == "completed", s
    return c.get(f"/api/render/proxy/{rid}/download")


def _files(engine: Engine, sid: str) -> list[str]:
    folder = engine.data_dir / "files" / sid
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def own_engine(tmp_path) -> Iterator:
    """Start an engine with its own settings; stopped at the end of the test."""
    started: list[Engine] = []

    def start(**env: str) -> Engine:
        started.append(start_engine(tmp_path / f"engine{len(started)}", **env))
        return started[-1]

    yield start
    for e in started:
        assert stop_engine(e) == 0


def test_a_take_is_its_mix_until_stems_or_midi_are_asked_for(engine) -> None:
    token = engine.token()
    sid = engine.session(token)
    with engine.client(token) as c:
        chat(c, sid, "upbeat acoustic with drums, bass and piano, 12 seconds")
        entry = _state(c, sid)["generated_media"][-1]
        written = _files(engine, sid)
        assert not [f for f in written if f.endswith(".mid") or "-stems" in f], written
        assert [f for f in written if f.endswith(".wav")] and len(written) == 2  # mix, plan
        stems = {k[5:]: v for k, v in entry["files"].items() if k.startswith("stem:")}
        assert len(stems) >= 4 and "midi" in entry["files"]

        # the export asks for them: they are made (once) and served, bytes on disk
        midi = c.get(f"/api/local/media/{entry['files']['midi']}")
        assert midi.status_code == 200 and midi.content.startswith(b"MThd")
        mix = c.get(f"/api/local/media/{entry['media_id']}")
        total = None
        tmp = engine.data_dir / "check"
        tmp.mkdir(exist_ok=True)
        for group, media_id in stems.items():
            r = c.get(f"/api/local/media/{media_id}")
            assert r.status_code == 200 and len(r.content) > 1000, group
            (tmp / f"{group}.wav").write_bytes(r.content)
            audio, _ = decode_file(tmp / f"{group}.wav")
            total = audio if total is None else total + audio
        (tmp / "mix.wav").write_bytes(mix.content)
        mixed, _ = decode_file(tmp / "mix.wav")
        assert total is not None and total.shape == mixed.shape
        # the stems are the same render as the mix (before its limiter)
        assert np.corrcoef(total.ravel(), mixed.ravel())[0, 1] > 0.98
        written = _files(engine, sid)
        assert sum(f.endswith(".mid") for f in written) == 1
        assert sum("-stems" in f for f in written) == len(stems)


def test_over_the_budget_old_takes_go_least_recently_used_first(own_engine) -> None:
    budget = 38 * MB // 10  # three 6 s takes (1.06 MB each) and the database, not four
    engine = own_engine(NEMODESK_DATA_BUDGET_BYTES=str(budget))
    token = engine.token()
    sid = engine.session(token)
    other = engine.session(token)
    with engine.client(token) as c:
        chat(c, other, "calm piano, 6 seconds")  # another session's current draft
        kept = _current_take(c, other)
        takes = []
        for prompt in ("lofi hip hop", "upbeat acoustic"):
            chat(c, sid, f"{prompt}, 6 seconds")
            takes.append(_current_take(c, sid))
        assert c.get(f"/api/local/media/{takes[0]}").status_code == 200  # played: used now
        for prompt in ("dark cinematic", "happy pop", "epic orchestral"):
            chat(c, sid, f"{prompt}, 6 seconds")
            takes.append(_current_take(c, sid))
            used = c.get("/api/local/disk").json()["data"]
            assert used["used_bytes"] <= budget, used
        gone = [c.get(f"/api/local/media/{t}").status_code == 404 for t in takes]
        # takes[1] was least recently used, then takes[2]; takes[0] was played after both
        assert gone[1] and gone[2] and not gone[4], gone
        listed = {m["media_id"] for m in _state(c, sid)["generated_media"]}
        assert takes[1] not in listed and takes[4] in listed
        assert c.get(f"/api/local/media/{kept}").status_code == 200  # never a current draft's

        # renders go the same way; the current draft still plays and renders
        first = _render(c, sid, "render_disk_a")
        assert first.status_code == 200 and len(first.content) > MB // 2
        for prompt in ("jazz piano", "ambient pads", "rock guitar", "chill electronic"):
            chat(c, sid, f"{prompt}, 6 seconds")
        assert c.get("/api/render/proxy/render_disk_a/download").status_code == 404
        status = c.get("/api/render/proxy/lambda/render_disk_a").json()
        assert "budget" in status["error"]
        current = _current_take(c, sid)
        assert c.get(f"/api/local/media/{current}").status_code == 200
        assert c.get(f"/api/local/media/{kept}").status_code == 200
        assert _render(c, sid, "render_disk_b").status_code == 200


def test_deleting_a_session_removes_its_files_and_rows(engine) -> None:
    token = engine.token()
    sid = engine.session(token)
    keep = engine.session(token)
    with engine.client(token) as c:
        chat(c, sid, "warm corporate, 8 seconds")
        chat(c, keep, "warm corporate, 8 seconds")
        media_id = _current_take(c, sid)
        assert _render(c, sid, "render_delete_me").status_code == 200
        assert _files(engine, sid)
        with engine.client(engine.token()) as stranger:  # someone else's: like a missing one
            r = stranger.delete(f"/api/local/sessions/{sid}")
            assert r.status_code == 404 and r.json()["code"] == 1002
        r = c.delete(f"/api/local/sessions/{sid}")
        assert r.status_code == 200 and r.json()["code"] == 0, r.text
        assert not (engine.data_dir / "files" / sid).exists()
        assert c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["code"] == 1002
        assert c.get(f"/api/local/media/{media_id}").status_code == 404
        assert c.get("/api/render/proxy/lambda/render_delete_me").status_code == 404
        assert c.delete(f"/api/local/sessions/{sid}").status_code == 404
        assert _current_take(c, keep) and _files(engine, keep)  # the other session stays
    with sqlite3.connect(engine.data_dir / "engine.sqlite3") as db:
        for table in ("sessions", "messages", "drafts", "session_state", "media", "renders"):
            n = db.execute(f"SELECT COUNT(*) FROM {table} WHERE session_id = ?", (sid,))
            assert n.fetchone()[0] == 0, table


def _send(c: httpx.Client, sid: str, text: str):
    body = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": sid,
        "new_message": {"parts": [{"text": text}]},
    }
    return c.stream("POST", "/run_sse", json=body, headers={"Accept": "text/event-stream"})


def test_a_flood_of_requests_is_busy_beyond_the_bound_and_others_are_served(own_engine) -> None:
    engine = own_engine(NEMODESK_MAX_JOBS_PER_CLIENT="2")
    token, other = engine.token(), engine.token()
    sid, other_sid = engine.session(token), engine.session(other)
    with engine.client(token) as c:
        streams = [_send(c, sid, f"ambient {i}, 15 seconds") for i in range(2)]
        for s in streams:
            assert s.__enter__().status_code == 200
        busy = []
        for i in range(5):  # the flood: each answered at once, nothing queued
            with _send(c, sid, f"lofi {i}, 15 seconds") as r:
                busy.append((r.status_code, r.read()))
        draft = {"t": [{"tt": 1, "sg": [{"d": 1000, "m": {"src": "media:med_x"}}]}]}
        render = c.post(
            "/api/render/proxy/lambda",
            json={"id": "render_flood", "sessionId": sid, "draft": draft},
        )
        with engine.client(other) as c2:  # another client is served meanwhile
            events, _ = chat(c2, other_sid, "calm piano, 8 seconds")
            assert any(e.get("name") == "generate_music" and "result" in e for e in events)
        for s in streams:
            s.__exit__(None, None, None)
    for status, body in busy:
        assert status == 429 and b'"code":4029' in body and b"busy" in body, body
    assert render.status_code == 429 and render.json()["success"] is False
    # once the earlier runs end the client is served again
    with engine.client(token) as c:
        for _ in range(200):
            with _send(c, sid, "status") as r:
                if r.status_code == 200:
                    assert b"Timeline" in r.read()
                    break
            time.sleep(0.1)
        else:
            pytest.fail("still busy after the earlier runs ended")
