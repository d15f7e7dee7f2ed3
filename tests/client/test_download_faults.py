"""Downloads that cannot finish: a full disk, a lost connection — a clear error each, and
no partial file left."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nemodesk.client import errors
from tests.client.standin import CloudStandIn
from tests.client.test_cloud_recovery import cloud_client
from tests.probes import answer, run_probe


def _can_mount_tmpfs(folder: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs '{folder}'"],
        capture_output=True,
    )
    return probe.returncode == 0


def test_disk_full_reported_and_nothing_left(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    if not _can_mount_tmpfs(folder):
        pytest.skip("no unprivileged mount namespace here to make a small disk")
    with CloudStandIn() as cloud:  # its output is 3 MiB: more than the 1 MiB disk
        script = (
            f"mount -t tmpfs -o size=1m tmpfs '{folder}' && "
            f"exec '{sys.executable}' -m tests.client.download_probe '{cloud.url}' '{folder}'"
        )
        proc = run_probe(["unshare", "-rm", "sh", "-c", script], timeout=120)
    result = answer(proc)
    assert result["error"] == "DiskFull" and "disk is full" in result["message"]
    assert result["left"] == []


def test_connection_lost_mid_download(tmp_path):
    async def flow(cloud: CloudStandIn):
        async with cloud_client(cloud, download_retries=2) as c:
            await c.send("generate an upbeat track")
            seen = []

            def cut(p) -> None:
                seen.append(p.done)
                if len(seen) == 1:
                    cloud.close()

            with pytest.raises(errors.ConnectionLost) as e:
                await c.export(tmp_path / "out.mp4", on_download=cut)
            return e.value, seen

    with CloudStandIn() as cloud:
        err, seen = asyncio.run(flow(cloud))
    assert seen and seen[0] < len(cloud.output_bytes)
    assert "connection" in err.message().lower()
    assert list(tmp_path.iterdir()) == []
