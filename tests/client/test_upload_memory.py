"""A big upload streams: the client's memory stays flat while 1 GiB goes to the engine."""

from __future__ import annotations

from tests.probes import answer, module_command, run_probe

SIZE = 1 << 30


def test_one_gib_upload_memory_flat(engine, tmp_path):
    big = tmp_path / "big.mp4"
    with open(big, "wb") as f:
        f.truncate(SIZE)  # sparse: no disk cost to make it
    r = answer(run_probe(module_command("tests.client.upload_probe", engine.url, big), timeout=300))
    assert r["sent"] == SIZE and r["progress_calls"] >= 1000  # about every MiB
    assert r["code"] == 4001
    assert r["rss_peak_mb"] - r["rss_before_mb"] < 40, r
