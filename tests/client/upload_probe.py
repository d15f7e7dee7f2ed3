"""Upload one big file with the real client in a fresh process and report its peak memory
(see test_upload_memory.py). Prints one JSON line."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
from pathlib import Path

from nemodesk.client import errors
from nemodesk.client.client import NemoClient
from nemodesk.client.tokens import TokenStore
from tests.client.support import local_config


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(url: str, path: Path) -> dict:
    seen: list[int] = []
    async with NemoClient(local_config(url), TokenStore(use_keyring=False)) as c:
        await c.create_session()
        before = rss_mb()
        code = 0
        try:
            await c.upload([path], lambda p: seen.append(p.done))
        except errors.NemoError as e:  # zeros are not a video: refused by content after upload
            code = e.code
        return {
            "rss_before_mb": before,
            "rss_peak_mb": rss_mb(),
            "sent": max(seen),
            "progress_calls": len(seen),
            "code": code,
        }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], Path(sys.argv[2])))))
