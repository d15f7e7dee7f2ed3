"""Every recovery of the spec's table, through the cloud stand-in (a real HTTP server that
misbehaves as the cloud does). Time is made fast by configuration, never skipped."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace

import pytest

from nemodesk.client import errors
from nemodesk.client.client import NemoClient
from nemodesk.client.config import CLOUD_TIMING, ClientConfig
from nemodesk.client.models import Progress, RenderStatus
from nemodesk.client.tokens import TokenStore
from nemodesk.core.draft import TrackType
from nemodesk.core.guitalk import Action
from tests.client.standin import CloudStandIn

FAST = replace(
    CLOUD_TIMING,
    retry_429_s=0.3,
    sse_reconnect_s=0.2,
    still_working_s=0.2,
    heartbeat_timeout_s=0.6,
    state_poll_s=0.05,
    state_poll_max_s=5.0,
    recovery_notice_s=0.1,
    settle_polls=3,
    render_poll_s=0.02,
    render_max_polls=50,
    download_retry_s=0.05,
)


def cloud_client(cloud: CloudStandIn, **timing: float) -> NemoClient:
    config = ClientConfig(
        backend="cloud",
        api_url=cloud.url,
        web_url="https://web.example",
        client_id=str(uuid.uuid4()),
        timing=replace(FAST, **timing),
    )
    return NemoClient(config, TokenStore(use_keyring=False))


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def cloud():
    with CloudStandIn() as c:
        yield c


def test_generate_then_silent_edit_with_gui_talk(cloud):
    async def flow():
        async with cloud_client(cloud) as c:
            first = await c.send("generate an upbeat track for my vlog")
            cloud.faults.silent = True
            second = await c.send("music at 20%")
            return first, second

    first, second = run(flow())
    assert first.texts and not first.silent
    assert not any("click" in t.lower() for t in first.texts)  # GUI talk turned into actions
    assert Action.EXPORT in first.actions
    assert first.draft.first(TrackType.AUDIO) is not None
    assert second.silent and second.texts == []
    assert "20%" in second.change and second.reply == second.change
    unknown = [t for t in second.draft.tracks if t.kind not in (0, 1, 7)]
    assert unknown and unknown[0].raw.get("fx") is not None  # unknown track kept as is
    assert cloud.messages_received() == ["generate an upbeat track for my vlog", "music at 20%"]
    assert all(all(r.attribution.values()) for r in cloud.log)  # attribution on every request


def test_token_expires_mid_flow_new_anonymous_token_once(cloud):
    async def flow():
        async with cloud_client(cloud) as c:
            await c.create_session()
            first = await c.token()
            cloud.faults.expire_token_after = 0
            credits = await c.credits()
            return first, await c.token(), credits

    first, second, credits = run(flow())
    assert first != second and len(cloud.tokens_issued) == 2
    assert credits.available == 100
    assert [r.status for r in cloud.requests("/api/credits")] == [200, 200]


def test_token_expired_during_send_is_not_sent_twice(cloud):
    async def flow():
        async with cloud_client(cloud) as c:
            await c.create_session()
            cloud.faults.expire_token_after = 1  # the state read passes, the message meets 1001
            return await c.send("generate a calm piano piece")

    outcome = run(flow())
    assert outcome.texts and cloud.messages_received() == ["generate a calm piano piece"]
    assert len(cloud.tokens_issued) == 2


def test_session_lost_new_session_told(cloud):
    told = []

    async def flow():
        async with cloud_client(cloud) as c:
            old = await c.create_session()
            c.on_session_replaced = lambda a, b: told.append((a, b))
            cloud.faults.lose_sessions = True
            outcome = await c.send("generate a tense score")
            return old, c.session, outcome

    old, new, outcome = run(flow())
    assert told and told[0][0].session_id == old.session_id
    assert new.session_id != old.session_id and told[0][1] == new
    assert outcome.draft.first(TrackType.AUDIO) is not None
    assert cloud.messages_received() == ["generate a tense score"]


def test_rate_limited_waits_then_retries_once(cloud):
    cloud.faults.rate_limit_once = {"/api/credits"}

    async def flow():
        async with cloud_client(cloud, retry_429_s=0.4) as c:
            t0 = time.monotonic()
            credits = await c.credits()
            return credits, time.monotonic() - t0

    credits, waited = run(flow())
    assert credits.total >= credits.available > 0
    assert waited >= 0.4
    assert [r.status for r in cloud.requests("/api/credits")] == [429, 200]


def test_export_without_attribution_is_402_register_message(cloud, tmp_path):
    async def flow():
        async with cloud_client(cloud) as c:
            await c.send("generate a lo-fi loop")
            for name in list(c.http.headers):
                if name.lower().startswith("x-skill-"):
                    del c.http.headers[name]
            with pytest.raises(errors.ExportLocked) as e:
                await c.export(tmp_path / "v.mp4")
            return e.value

    err = run(flow())
    assert err.message() == "Register at nemovideo.ai to unlock export."
    assert "注册" in err.message("zh-CN")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("shape", ["A", "B"])
def test_render_shapes_duplicate_id_and_dropped_download(cloud, tmp_path, shape):
    cloud.faults.status_shape = shape
    cloud.faults.duplicate_render_once = True
    cloud.faults.drop_download_after = 1_000_000
    statuses: list[RenderStatus] = []
    progress: list[Progress] = []

    async def flow():
        async with cloud_client(cloud) as c:
            await c.send("generate an epic orchestral track")
            return await c.export(
                tmp_path / "out.mp4", "mp4", "high", statuses.append, progress.append
            )

    path = run(flow())
    assert path.read_bytes() == cloud.output_bytes
    assert [s.status for s in statuses][-1] == "completed" and statuses[-1].url
    assert any(s.status == "processing" for s in statuses)
    submits = cloud.requests("/api/render/proxy/lambda")
    ids = {r.path for r in submits if r.method == "POST"}
    assert [r.status for r in submits if r.method == "POST"] == [409, 200]
    cdn = [r for r in cloud.log if r.path.startswith("/cdn/")]
    assert len(cdn) == 2 and cdn[1].headers.get("range") == "bytes=1000000-"
    assert progress[-1].done == len(cloud.output_bytes) and progress[-1].eta_s is not None
    assert not list(tmp_path.glob(".*")) and len(ids) == 1


def test_render_failed_says_why(cloud, tmp_path):
    cloud.faults.fail_render = True

    async def flow():
        async with cloud_client(cloud) as c:
            await c.send("generate a jazz track")
            with pytest.raises(errors.RenderFailed) as e:
                await c.export(tmp_path / "out.mp4")
            return e.value

    err = run(flow())
    assert err.detail and err.detail in err.message()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("resume", [True, False])
def test_dropped_stream_recovers_without_resending(cloud, resume):
    cloud.faults.drop_stream_after = 2
    cloud.faults.resume = resume
    notices: list[str] = []

    async def flow():
        async with cloud_client(cloud) as c:
            return await c.send("generate a warm acoustic track", on_notice=notices.append)

    outcome = run(flow())
    assert cloud.messages_received() == ["generate a warm acoustic track"]
    resumes = [r for r in cloud.requests("/run_sse") if r.last_event_id]
    assert resumes and resumes[0].last_event_id.endswith(":2")
    assert outcome.draft.first(TrackType.AUDIO) is not None
    if resume:
        assert outcome.recovery == "resumed" and outcome.texts
    else:
        assert outcome.recovery == "polled" and "BGM" in outcome.change
    assert notices == []  # recovered at once: nothing to tell the user


def test_heartbeats_for_long_still_working_then_timeout(cloud):
    cloud.faults.heartbeats_for_s = 1.0
    ticks: list[float] = []

    async def flow():
        async with cloud_client(cloud, heartbeat_timeout_s=5.0) as c:
            ok = await c.send("generate a chill beat", on_still_working=ticks.append)
        cloud.faults.heartbeats_for_s = 3.0
        async with cloud_client(cloud, heartbeat_timeout_s=0.5) as c:
            with pytest.raises(errors.StreamTimeout):
                await c.send("generate a dark ambient piece")
        return ok

    ok = run(flow())
    assert ok.texts and len(ticks) >= 3 and ticks == sorted(ticks)


def test_two_stage_result_waits_for_both(cloud):
    cloud.faults.two_stage = True

    async def flow():
        async with cloud_client(cloud) as c:
            return await c.send("generate a corporate pop track with a title")

    outcome = run(flow())
    assert outcome.draft.first(TrackType.AUDIO) is not None
    assert outcome.draft.first(TrackType.TEXT) is not None


def test_trailing_temporary_issue_ignored(cloud):
    cloud.faults.trailing_issue = True

    async def flow():
        async with cloud_client(cloud) as c:
            return await c.send("generate a playful ukulele tune")

    outcome = run(flow())
    assert outcome.texts and not any("temporary issue" in t for t in outcome.texts)


def test_no_credits_offers_register_link(cloud):
    cloud.faults.no_credits = True

    async def flow():
        async with cloud_client(cloud) as c:
            s = await c.create_session()
            with pytest.raises(errors.NoCredits) as e:
                await c.send("generate a rock anthem")
            return s, e.value

    s, err = run(flow())
    assert f"bind={s.user_id}" in err.message() and err.message().startswith("You are out")
    assert cloud.messages_received() == []


def test_upload_refusals_and_url_upload(cloud, tmp_path):
    cloud.faults.max_upload_bytes = 100_000
    big = tmp_path / "big.mov"
    big.write_bytes(b"\0" * 200_000)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0" * 50_000)
    seen: list[int] = []

    async def flow():
        async with cloud_client(cloud) as c:
            with pytest.raises(errors.FileTooLarge):
                await c.upload([big])
            files = await c.upload([clip], lambda p: seen.append(p.done))
            urls = await c.upload_urls(["https://example.com/a.mp4"])
            return files, urls, await c.state()

    files, urls, state = run(flow())
    assert files[0].filename == "clip.mp4" and seen[-1] == 50_000
    assert urls and state.draft.first(TrackType.VIDEO) is not None


def test_missing_client_id_gets_a_new_one(cloud):
    async def flow():
        c = cloud_client(cloud)
        c.config = replace(c.config, client_id="")
        async with c:
            token = await c.token()
            return token, c.config.client_id

    token, client_id = run(flow())
    assert token.startswith("nmv_usr_") and len(client_id) == 36
    anon = cloud.requests("/api/auth/anonymous-token")
    assert [r.status for r in anon] == [400, 200]
    assert anon[1].headers.get("x-client-id") == client_id


def test_download_falls_back_to_the_render_endpoint(cloud, tmp_path):
    from nemodesk.client import download, render

    async def flow():
        async with cloud_client(cloud) as c:
            await c.send("generate a folk tune")
            draft = (await c.state()).draft
            rid = await render.submit(c, c.session.session_id, draft)
            await render.wait(c, rid)
            broken = f"{cloud.url}/cdn/gone-{rid}.mp4"
            return await download.download(c, rid, broken, tmp_path / "f.mp4"), rid

    path, rid = run(flow())
    assert path.read_bytes() == cloud.output_bytes
    fallback = cloud.requests(f"/api/render/proxy/{rid}/download")
    assert len(fallback) == 1 and fallback[0].headers["authorization"].startswith("Bearer ")
