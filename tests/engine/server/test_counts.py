"""Work done once per message and per render: the brief is parsed once, the session state
read at most once, the draft decoded once (in the server process).

The engine runs in-process here (Starlette's test client on ``create_app``) so the counters
see every call; generation and export still run in the worker processes, as in use.
"""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from nemodesk.core.draft import Draft
from nemodesk.engine.agent.text import parsed
from nemodesk.engine.brief import parse as brief_parse
from nemodesk.engine.server.app import create_app
from nemodesk.engine.server.config import ServerConfig
from nemodesk.engine.server.store import Store
from tests.engine.server.sse import chat

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def counts(monkeypatch) -> Counter:
    """Counters on parse_brief (wherever it was imported), Store.state and Draft.decode."""
    counter: Counter = Counter()
    original_parse = brief_parse.parse_brief

    def parse_brief(*args, **kwargs):
        counter["parse"] += 1
        return original_parse(*args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("nemodesk") and getattr(module, "parse_brief", None) is original_parse:
            monkeypatch.setattr(module, "parse_brief", parse_brief)
    original_state = Store.state

    def state(self, session_id):
        counter["state"] += 1
        return original_state(self, session_id)

    monkeypatch.setattr(Store, "state", state)
    original_decode = Draft.decode.__func__

    def decode(cls, data):
        counter["decode"] += 1
        return original_decode(cls, data)

    monkeypatch.setattr(Draft, "decode", classmethod(decode))
    return counter


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    app = create_app(ServerConfig(data_dir=tmp_path, workers=1))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        r = client.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())})
        client.headers["Authorization"] = f"Bearer {r.json()['data']['token']}"
        r = client.post(
            "/api/tasks/me/with-session/nemo_agent",
            json={"task_name": "project", "language": "en"},
        )
        yield client, r.json()["data"]["session_id"]


def _send(client: TestClient, session_id: str, text: str, counts: Counter) -> list[dict]:
    parsed.cache_clear()  # a fragment read by an earlier test would not be parsed again
    counts.clear()
    events, _ = chat(client, session_id, text)
    assert not [e for e in events if e.get("type") == "error"], events
    return events


def test_one_parse_one_decode_per_message_and_at_most_one_state_read(engine, counts) -> None:
    client, sid = engine
    for text, tool in (
        ("calm piano, 10 seconds", "generate_music"),
        ("slower", "generate_music"),
        ("music at 50%", "update_mix"),
    ):
        events = _send(client, sid, text, counts)
        assert tool in [e.get("name") for e in events], (text, events)
        assert counts["parse"] == 1, (text, counts)
        assert counts["decode"] == 1, (text, counts)
        assert counts["state"] <= 1, (text, counts)
    _send(client, sid, "use variation 1", counts)
    assert (counts["decode"], counts["state"]) == (1, 1), counts


def test_a_message_of_several_phrases_parses_each_reading_once(engine, counts) -> None:
    """ "no piano, more drums" is read three ways, each once (issue 16): the words after
    "more" (is "drums" an instrument?), the whole remainder the detectors left, and the one
    clause no detector masked ("no piano": understood, or named as not understood). Each
    is a different text with its own reading, so they cannot share one parse; what was
    read once is not read again (``text.parsed``)."""
    client, sid = engine
    _send(client, sid, "calm piano, 10 seconds", counts)
    events = _send(client, sid, "no piano, more drums", counts)
    assert "generate_music" in [e.get("name") for e in events], events
    assert counts["parse"] == 3, counts
    assert counts["decode"] == 1, counts
    assert counts["state"] <= 1, counts


def test_one_decode_per_render(engine, counts) -> None:
    client, sid = engine
    _send(client, sid, "calm piano, 10 seconds", counts)
    body = {"id": "count-1", "sessionId": sid, "draft": client.app.state.store.draft(sid)}
    counts.clear()
    r = client.post("/api/render/proxy/lambda", json=body)
    assert r.status_code == 200, r.text
    assert counts["decode"] == 1, counts  # the worker decodes its own copy, in its process
