"""One small thread pool per process for the engine's GIL-free work (pedalboard effects,
numpy conversion, file encoding and fsync), so a render uses every core it is given."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

_POOL: tuple[int, ThreadPoolExecutor] | None = None


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def pool() -> ThreadPoolExecutor:
    """The pool, made on first use; a forked worker process makes its own (its parent's
    pool threads do not exist in the child)."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        workers = max(1, min(4, cores()))
        _POOL = (os.getpid(), ThreadPoolExecutor(workers, thread_name_prefix="engine"))
    return _POOL[1]
