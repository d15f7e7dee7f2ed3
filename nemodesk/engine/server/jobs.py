"""A bounded pool of worker processes for generation and renders, off the event loop.

Work queues behind ``workers`` processes rather than falling over; the event loop only
awaits futures, so heartbeats and small requests stay fast while renders run.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from nemodesk.engine.server import work


class Jobs:
    def __init__(self, workers: int, db_path: Path) -> None:
        self.db_path = db_path
        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._pool = ProcessPoolExecutor(
            max_workers=max(1, workers), mp_context=ctx, initializer=work.init_worker
        )
        self._busy: Counter[str] = Counter()
        for _ in range(max(1, workers)):  # start (and warm) the workers now
            self._pool.submit(work.warm)

    def busy_for(self, user: str) -> int:
        return self._busy[user]

    async def run(self, user: str, fn, *args: Any) -> Any:
        self._busy[user] += 1
        try:
            return await asyncio.wrap_future(self._pool.submit(fn, *args))
        finally:
            self._busy[user] -= 1

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
