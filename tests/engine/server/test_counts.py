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
from nemodesk.engine.agent.text import parsed, words
from nemodesk.engine.brief import parse as brief_parse
from nemodesk.engine.server.app import create_app
from nemodesk.engine.server.config import ServerConfig
from nemodesk.engine.server.store import Store
from tests.engine.server.sse import chat

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def counts(monkeypatch) -> Counter:
    """Counters on parse_brief and read_words (wherever imported), Store.state and
    Draft.decode."""
    counter: Counter = Counter()
    for attribute, key in (("parse_brief", "parse"), ("read_words", "words")):
        original = getattr(brief_parse, attribute)

        def counted(*args, _original=original, _key=key, **kwargs):
            counter[_key] += 1
            return _original(*args, **kwargs)

        for name, module in list(sys.modules.items()):
            if name.startswith("nemodesk") and getattr(module, attribute, None) is original:
                monkeypatch.setattr(module, attribute, counted)
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
    parsed.cache_clear()  # a text read by an earlier test would not be read again
    words.cache_clear()
    counts.clear()
    events, _ = chat(client, session_id, text)
    assert not [e for e in events if e.get("type") == "error"], events
    return events


def test_one_parse_one_decode_per_message_and_at_most_one_state_read(engine, counts) -> None:
    client, sid = engine
    for text, tool, parses in (
        ("calm piano, 10 seconds", "generate_music", 1),
        ("slower", "generate_music", 0),  # every word read by a detector: nothing left to parse
        ("music at 50%", "update_mix", 0),
    ):
        events = _send(client, sid, text, counts)
        assert tool in [e.get("name") for e in events], (text, events)
        assert counts["parse"] == parses, (text, counts)
        assert counts["decode"] == 1, (text, counts)
        assert counts["state"] <= 1, (text, counts)
    _send(client, sid, "use variation 1", counts)
    assert (counts["decode"], counts["state"]) == (1, 1), counts


def test_a_message_of_several_phrases_is_parsed_once(engine, counts) -> None:
    """ "no piano, more drums" is parsed into a Brief once (issue 16): the remainder the
    detectors left. The two questions about a few of its words, is "drums" (after "more")
    an instrument and is "no piano" (the one clause no detector masked) understood, are
    answered by the parser's word reader (``read_words``: what the parse would find, no
    Brief built), once each."""
    client, sid = engine
    _send(client, sid, "calm piano, 10 seconds", counts)
    events = _send(client, sid, "no piano, more drums", counts)
    assert "generate_music" in [e.get("name") for e in events], events
    assert counts["parse"] == 1, counts
    assert counts["words"] == 2, counts
    assert counts["decode"] == 1, counts
    assert counts["state"] <= 1, counts


def test_a_music_noun_does_not_make_a_second_parse(engine, counts) -> None:
    """ "more drums in the music": the remainder ("in the music", the noun blanked) is parsed
    once; the mode detector asks nothing, as no mode word is in the message (issue 16)."""
    client, sid = engine
    _send(client, sid, "calm piano, 10 seconds", counts)
    events = _send(client, sid, "more drums in the music", counts)
    assert "generate_music" in [e.get("name") for e in events], events
    assert counts["parse"] == 1, counts
    assert counts["decode"] == 1, counts
    assert counts["state"] <= 1, counts


def test_a_genre_change_is_parsed_once(engine, counts) -> None:
    """ "make it jazz": the genre changes, so the key and tempo chosen for the user are
    picked again for jazz; that must not parse a second text."""
    client, sid = engine
    _send(client, sid, "calm piano, 10 seconds", counts)
    events = _send(client, sid, "make it jazz", counts)
    assert "generate_music" in [e.get("name") for e in events], events
    assert "→ jazz" in str(events) and "re-chosen" in str(events), events  # key and tempo re-picked
    assert counts["parse"] == 1, counts


def test_one_decode_per_render(engine, counts) -> None:
    client, sid = engine
    _send(client, sid, "calm piano, 10 seconds", counts)
    body = {"id": "count-1", "sessionId": sid, "draft": client.app.state.store.draft(sid)}
    counts.clear()
    r = client.post("/api/render/proxy/lambda", json=body)
    assert r.status_code == 200, r.text
    assert counts["decode"] == 1, counts  # the worker decodes its own copy, in its process
