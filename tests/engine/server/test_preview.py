"""Progressive preview over loopback: the head of a long track is on the SSE stream (a
``music_preview`` tool result) and downloadable before the run ends, it is the full track's
first seconds, and no head file stays behind (done or cancelled)."""

from __future__ import annotations

import io
import json
import threading
import time
import wave

import numpy as np

BODY = {"app_name": "nemo_agent", "user_id": "me"}
# measured (5 genres, 3-min tracks): head vs full over 1 s .. 10 s, level -0.3 .. +1.2 dB,
# difference 15 .. 28 dB under the music; the tolerances leave room for other seeds
LEVEL_DB = 2.0
DIFF_DB = -12.0


def _pcm(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        return x.reshape(-1, w.getnchannels()).astype(np.float64) / 32768.0


def _db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x)) + 1e-20))


def _stream(client, sid: str, text: str, on_event, ask: bool = True) -> list[tuple[float, dict]]:
    body = {**BODY, "session_id": sid, "new_message": {"parts": [{"text": text}]}}
    out, t0 = [], time.perf_counter()
    headers = {"Accept": "text/event-stream", **({"X-Nemo-Preview": "head"} if ask else {})}
    with client.stream("POST", "/run_sse", json=body, headers=headers) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data:") and line[5:].strip():
                ev = json.loads(line[5:])
                out.append((time.perf_counter() - t0, ev))
                on_event(ev)
    return out


def _previews(events) -> list[dict]:
    return [e for _, e in events if e.get("name") == "music_preview"]


def test_head_before_the_run_ends_and_equal_to_the_full_track(engine):
    token = engine.token()
    sid = engine.session(token)
    heads: list[tuple[int, bytes]] = []
    with engine.client(token) as c, engine.client(token) as c2:

        def grab(ev: dict) -> None:
            if ev.get("name") == "music_preview":
                r = c2.get(ev["result"]["url"])
                heads.append((r.status_code, r.content))

        events = _stream(c, sid, "3-minute upbeat acoustic travel vlog", grab)
        previews = _previews(events)
        assert len(previews) == 1 and previews[0]["result"]["duration_s"] == 180
        at = next(t for t, e in events if e.get("name") == "music_preview")
        done = next(
            t for t, e in events if e.get("type") == "tool_result" and e["name"] == "generate_music"
        )
        assert at < done
        assert heads and heads[0][0] == 200
        # the head is gone once the track is there
        assert c.get(previews[0]["result"]["url"]).status_code == 404
        assert not list(engine.data_dir.rglob("head-*.wav"))
        state = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]
        full = _pcm(c.get(state["generated_media"][0]["url"]).content)
    head = _pcm(heads[0][1])
    assert 7.9 * 44100 <= len(head) <= 8.1 * 44100
    a, b = 44100, len(head)  # past the fade-in
    level = _db(head[a:b]) - _db(full[a:b])
    diff = _db(head[a:b] - full[a:b]) - _db(full[a:b])
    assert abs(level) <= LEVEL_DB, level
    assert diff <= DIFF_DB, diff


def test_short_track_goes_the_old_way(engine):
    token = engine.token()
    sid = engine.session(token)
    with engine.client(token) as c:
        events = _stream(c, sid, "15-second upbeat pop jingle", lambda ev: None)
    assert not _previews(events)
    assert any(e.get("name") == "generate_music" for _, e in events)


def test_cancelled_run_leaves_no_head(engine):
    token = engine.token()
    sid = engine.session(token)
    seen = threading.Event()

    def on_event(ev: dict) -> None:
        if ev.get("type") == "tool_call":
            seen.set()

    with engine.client(token) as c, engine.client(token) as c2:
        t = threading.Thread(
            target=lambda: _stream(c, sid, "40-second calm ambient piano", on_event), daemon=True
        )
        t.start()
        assert seen.wait(60)
        assert c2.delete(f"/api/local/sessions/{sid}").status_code == 200
        t.join(60)
        # the worker finishes the take it had begun; its head goes when it lets go
        deadline = time.monotonic() + 60
        while list(engine.data_dir.rglob("head-*.wav")) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3.0)  # and none comes after
        assert not list(engine.data_dir.rglob("head-*.wav"))


def test_no_head_unless_the_client_asks(engine):
    """Clients that do not play heads (the cloud's, ``nemodesk make``) pay nothing."""
    token = engine.token()
    sid = engine.session(token)
    with engine.client(token) as c:
        events = _stream(c, sid, "40-second calm ambient piano", lambda ev: None, ask=False)
    assert not _previews(events)
    assert any(e.get("name") == "generate_music" for _, e in events)
