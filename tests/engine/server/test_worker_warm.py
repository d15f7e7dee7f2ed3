"""The engine's workers warm up before their first job (imports and SoundFont loaded in the
initializer), the first at once and the spare ones after a first job, one at a time."""

from __future__ import annotations

import time

import pytest

from nemodesk.engine.server import work

pytestmark = pytest.mark.timeout(240)


def test_workers_are_warm_before_their_first_job_and_spares_follow_a_first_job():
    pool = work.new_pool(2)
    try:
        first = pool.submit(work.warm).result(180)
        assert first["soundfont"].endswith("FluidR3_GM-engine.sf2")  # loaded: the subset
        assert first["warm_s"] >= first["soundfont_s"] > 0
        pool.submit(work._job_done).result(30)  # a first job is done: the spare warms up
        pids = {first["pid"]}
        deadline = time.monotonic() + 180
        while len(pids) < 2 and time.monotonic() < deadline:
            jobs = [pool.submit(work.warm) for _ in range(4)]
            pids |= {job.result(180)["pid"] for job in jobs if job.result(180)}
        assert len(pids) == 2, "the spare worker never warmed up"
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
