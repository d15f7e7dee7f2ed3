"""A bounded pool of worker processes for generation and renders, off the event loop.

Work queues behind ``workers`` processes rather than falling over; the event loop only
awaits futures, so heartbeats and small requests stay fast while renders run. A worker that
dies (out of memory, killed) breaks a ProcessPoolExecutor for good, so the pool is rebuilt
and the job tried once more.

Each client may have at most ``max_per_client`` chat runs and renders in flight
(``admit`` then ``track``); one more is answered "busy" (HTTP 429, the API's rate-limit
answer) at once instead of queueing without end, while other clients are still served.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from nemodesk.engine.server import work
from nemodesk.engine.server.errors import RATE_LIMITED, ApiError

log = logging.getLogger("nemodesk.engine")


class Busy(ApiError):
    """The client has as many jobs in flight as it may: retry when one has finished."""

    def __init__(self, n: int) -> None:
        super().__init__(
            RATE_LIMITED,
            f"The engine is busy with your {n} earlier requests: wait for one to finish, "
            "then retry.",
            429,
            {"Retry-After": "5"},
        )


class Jobs:
    _stopping = False  # set by stop_now: a dying pool is then not rebuilt

    def __init__(
        self,
        workers: int,
        db_path: Path,
        max_per_client: int = 4,
        after: Callable[[], None] | None = None,
        pool: ProcessPoolExecutor | None = None,
    ) -> None:
        self.db_path = db_path
        self.workers = max(1, workers)
        self.max_per_client = max(1, max_per_client)
        self.after = after  # called (in a thread) when a worker job ends: the disk budget
        self._busy: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._running = 0  # jobs handed to the pool (at most ``workers``)
        self._waiting: dict[str, deque[asyncio.Future]] = {}  # client -> its turns, in order
        # a pool the engine started early (work.new_pool), else one started now
        self._pool = pool or self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return work.new_pool(self.workers)  # started (and warming) now

    def busy_for(self, user: str) -> int:
        return self._busy[user]

    def in_flight(self, user: str) -> int:
        return self._in_flight[user]

    def admit(self, user: str) -> None:
        """Raise ``Busy`` (429) when the client has its limit of runs and renders in flight."""
        if self._in_flight[user] >= self.max_per_client:
            raise Busy(self._in_flight[user])

    def track(self, user: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
        """Run ``coro`` as a task counted against the client until it ends (call ``admit``
        first: nothing may be awaited in between)."""
        self._in_flight[user] += 1
        task = asyncio.ensure_future(coro)

        def done(_: asyncio.Future) -> None:
            self._in_flight[user] -= 1
            if self._in_flight[user] <= 0:
                del self._in_flight[user]

        task.add_done_callback(done)
        return task

    async def run(self, user: str, fn, *args: Any) -> Any:
        """Run ``fn(*args)`` in a worker. Workers are handed out in turn between clients
        (round robin), so one client's queue never starves another's."""
        self._busy[user] += 1
        loop = asyncio.get_running_loop()
        try:
            for attempt in (1, 2):
                await self._turn(user)
                pool = self._pool
                try:
                    job = pool.submit(fn, *args)
                except BaseException:
                    self._release()
                    raise
                # the worker is free when the job ends, even if its waiter was cancelled
                job.add_done_callback(lambda _: loop.call_soon_threadsafe(self._release))
                try:
                    return await asyncio.wrap_future(job)
                except BrokenProcessPool:
                    if attempt == 2 or self._stopping:
                        raise
                    log.warning("a worker process died; restarting the pool")
                    if self._pool is pool:
                        pool.shutdown(wait=False, cancel_futures=True)
                        self._pool = self._new_pool()
        except (BrokenProcessPool, RuntimeError):
            if self._stopping:  # stop_now killed the workers: the job is cancelled, not failed
                raise asyncio.CancelledError from None
            raise
        finally:
            self._busy[user] -= 1
            if self.after is not None:
                loop.run_in_executor(None, self.after)

    async def _turn(self, user: str) -> None:
        if self._running < self.workers and not self._waiting:
            self._running += 1
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(user, deque()).append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # granted as it was cancelled
                self._release()
            else:
                queue = self._waiting.get(user)
                if queue and turn in queue:
                    queue.remove(turn)
                    if not queue:
                        del self._waiting[user]
            raise

    def _release(self) -> None:
        self._running -= 1
        while self._running < self.workers and self._waiting:
            user, queue = next(iter(self._waiting.items()))
            turn = queue.popleft()
            del self._waiting[user]
            if queue:  # this client's next job waits behind the other clients'
                self._waiting[user] = queue
            if not turn.done():
                self._running += 1
                turn.set_result(None)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def stop_now(self) -> None:
        """On SIGTERM: kill the workers at once (a render may have minutes to go) instead of
        waiting for their jobs; those jobs end with BrokenProcessPool, not retried."""
        self._stopping = True
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        for proc in processes:
            proc.kill()
        for proc in processes:
            proc.join(1.0)
        self._pool.shutdown(wait=False, cancel_futures=True)
