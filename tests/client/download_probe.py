"""Export into a folder on a 1 MiB tmpfs (see test_download_faults.py): the client must say
the disk is full and leave nothing behind. Prints one JSON line."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from nemodesk.client import errors
from tests.client.test_cloud_recovery import cloud_client


class _Cloud:
    def __init__(self, url: str) -> None:
        self.url = url


async def main(url: str, folder: Path) -> dict:
    async with cloud_client(_Cloud(url)) as c:
        await c.send("generate an upbeat track")
        try:
            await c.export(folder / "out.mp4")
        except errors.DiskFull as e:
            return {"error": type(e).__name__, "message": e.message(), "left": os.listdir(folder)}
    return {"error": None, "left": os.listdir(folder)}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], Path(sys.argv[2])))))
