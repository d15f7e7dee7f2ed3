"""A bounded pool of worker processes for generation and renders, off the event loop.

Work queues behind ``workers`` processes rather than falling over; the event loop only
awaits futures, so heartbeats and small requests stay fast while renders run. A worker that
dies (out of memory, killed) breaks a ProcessPoolExecutor for good, so the pool is rebuilt
and the job tried once more.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from nemodesk.engine.server import work

log = logging.getLogger("nemodesk.engine")


class Jobs:
    def __init__(self, workers: int, db_path: Path) -> None:
        self.db_path = db_path
        self.workers = max(1, workers)
        self._busy: Counter[str] = Counter()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=ctx,
            initializer=work.init_worker,
            initargs=(os.getpid(),),
        )
        for _ in range(self.workers):  # start (and warm) the workers now
            pool.submit(work.warm)
        return pool

    def busy_for(self, user: str) -> int:
        return self._busy[user]

    async def run(self, user: str, fn, *args: Any) -> Any:
        self._busy[user] += 1
        try:
            for attempt in (1, 2):
                pool = self._pool
                try:
                    return await asyncio.wrap_future(pool.submit(fn, *args))
                except BrokenProcessPool:
                    if attempt == 2:
                        raise
                    log.warning("a worker process died; restarting the pool")
                    if self._pool is pool:
                        pool.shutdown(wait=False, cancel_futures=True)
                        self._pool = self._new_pool()
        finally:
            self._busy[user] -= 1

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
