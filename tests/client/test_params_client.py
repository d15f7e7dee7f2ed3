"""Explicit parameters through the client: NemoClient.send(..., parameters=…) against a real
`nemodesk serve`, the body the cloud gets without them, and the same body on a resume."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import replace

import httpx
import pytest

from nemodesk.client import api, errors
from nemodesk.client.client import NemoClient
from nemodesk.client.config import CLOUD_TIMING, ClientConfig
from nemodesk.client.tokens import TokenStore
from nemodesk.core.draft import TrackType
from tests.client.standin import CloudStandIn
from tests.client.support import local_config


def test_run_body_without_parameters_is_the_documented_one():
    documented = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": "s1",
        "new_message": {"parts": [{"text": "hi"}]},
    }
    assert api.run_body("s1", "hi") == documented
    assert api.run_body("s1", "hi", None) == documented == api.run_body("s1", "hi", {})
    with_params = api.run_body("s1", "", {"bpm": 90})
    assert with_params["new_message"] == {"parts": [{"text": ""}], "parameters": {"bpm": 90}}


def test_send_with_parameters_sets_the_draft(engine):
    async def flow():
        async with NemoClient(local_config(engine.url), TokenStore(use_keyring=False)) as c:
            first = await c.send(
                "fast rock", parameters={"genre": "jazz", "bpm": 90, "duration_s": 3}
            )
            picked = await c.send("", parameters={"variations": 2, "duration_s": 2, "seed": 7})
            used = await c.send("use variation 2")
            state = await c.state()
            with pytest.raises(errors.NemoError) as bad:
                await c.send("x", parameters={"genre": "polka"})
            return first, picked, used, state, bad.value

    first, picked, used, state, bad = asyncio.run(flow())
    music = first.draft.meta["nemodesk"]["brief"]
    assert music["genre"] == "jazz" and music["bpm"] == 90 and music["duration_s"] == 3
    bgm = first.draft.first(TrackType.AUDIO)
    assert bgm is not None and bgm.segments[0].edit_meta()["name"] == "Jazz"
    assert "Set by you: genre, tempo, length" in first.reply
    assert "generate_music" in first.tools and picked.tools.count("generate_music") == 2
    takes = [g for g in state.raw["generated_media"] if g["kind"] == "mix"][-2:]
    assert [g["seed"] for g in takes] == [7, 8]
    src = used.draft.first(TrackType.AUDIO).segments[0].edit_meta()["src"]
    assert src == f"media:{takes[1]['media_id']}" and "use_variation" in used.tools
    assert used.reply.startswith("Using variation 2")
    assert "Unknown genre" in str(bad)


class Recording(httpx.AsyncBaseTransport):
    """The real transport, keeping each /run_sse request's body and Last-Event-ID."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.runs: list[tuple[dict, str | None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == api.RUN_SSE:
            body = json.loads(await request.aread())
            self.runs.append((body, request.headers.get(api.H_LAST_EVENT_ID)))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_resumed_stream_sends_the_same_body():
    params = {"genre": "lofi", "bpm": 80}
    with CloudStandIn() as cloud:
        cloud.faults.drop_stream_after = 2
        config = ClientConfig(
            backend="cloud",
            api_url=cloud.url,
            web_url="https://web.example",
            client_id=str(uuid.uuid4()),
            timing=replace(CLOUD_TIMING, sse_reconnect_s=0.2, state_poll_s=0.05, settle_polls=2),
        )
        transport = Recording()

        async def flow():
            async with NemoClient(config, TokenStore(use_keyring=False), transport=transport) as c:
                return await c.send("make a chill beat", parameters=params)

        outcome = asyncio.run(flow())
        assert cloud.messages_received() == ["make a chill beat"]
    assert outcome.recovery == "resumed"
    (first, no_id), (again, last_id) = transport.runs[:2]
    assert no_id is None and last_id and again == first
    assert first["new_message"]["parameters"] == params
