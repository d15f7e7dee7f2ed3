"""The one recovery rule (client/auth.py): a token renewal and a 429 wait, each at most once
per flow, shared by plain calls and the chat stream."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from nemodesk.client import errors
from nemodesk.client.auth import auth_flow
from nemodesk.client.config import LOCAL_TIMING, ClientConfig


class FakeClient:
    """What auth_flow asks of a client, counting what it was made to do."""

    def __init__(self) -> None:
        self.config = replace(ClientConfig(), timing=replace(LOCAL_TIMING, retry_429_s=0.0))
        self.token = "t1"
        self.renewals = 0

    async def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    async def renew_token(self) -> str:
        self.renewals += 1
        self.token = f"t{self.renewals + 1}"
        return self.token

    def explain(self, err: errors.NemoError) -> errors.NemoError:
        err.detail = err.detail or "explained"
        return err


def run(coro):
    return asyncio.run(coro)


def test_an_expired_token_is_renewed_once_then_the_error_is_raised() -> None:
    client = FakeClient()

    async def go() -> None:
        flow = auth_flow(client)
        assert (await anext(flow))["Authorization"] == "Bearer t1"
        assert (await flow.asend(errors.TokenExpired()))["Authorization"] == "Bearer t2"
        with pytest.raises(errors.TokenExpired) as raised:
            await flow.asend(errors.TokenExpired())
        assert raised.value.detail == "explained"  # completed by the client

    run(go())
    assert client.renewals == 1


def test_a_429_is_waited_out_once_and_a_renewal_is_still_allowed() -> None:
    client = FakeClient()

    async def go() -> None:
        flow = auth_flow(client)
        await anext(flow)
        await flow.asend(errors.RateLimited())
        await flow.asend(errors.TokenExpired())
        with pytest.raises(errors.RateLimited):
            await flow.asend(errors.RateLimited())

    run(go())
    assert client.renewals == 1


def test_a_plain_retry_gets_fresh_headers_and_spends_no_recovery() -> None:
    client = FakeClient()
    last_id = {"value": ""}

    def resume() -> dict[str, str]:
        return {"Last-Event-ID": last_id["value"]} if last_id["value"] else {}

    async def go() -> None:
        flow = auth_flow(client, resume)
        assert "Last-Event-ID" not in await anext(flow)
        last_id["value"] = "7"
        assert (await flow.asend(None))["Last-Event-ID"] == "7"
        assert (await flow.asend(errors.TokenExpired()))["Authorization"] == "Bearer t2"

    run(go())


def test_any_other_error_is_raised_at_once() -> None:
    async def go() -> None:
        flow = auth_flow(FakeClient())
        await anext(flow)
        with pytest.raises(errors.SessionLost):
            await flow.asend(errors.SessionLost())

    run(go())
