"""Prompt reading speed: a normal prompt (goal ≤ 5 ms per parse) and 10,000-character junk
(goal ≤ 0.5 s each: no catastrophic backtracking). Moved here from test_brief.py, where a
timing assertion failed on a loaded machine."""

from __future__ import annotations

import json
import os
import random
import string
import time

from nemodesk.engine.brief import parse_brief

NORMAL = "90-second upbeat acoustic track for a travel vlog, warm and adventurous"
GOAL_NORMAL_MS, GOAL_JUNK_S = 5.0, 0.5


def _best(text: str, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        parse_brief(text)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> dict:
    parse_brief(NORMAL)  # the word tables' patterns compile on first use
    rng = random.Random(7)
    alphabet = string.printable + "一二三十秒分钟不要钢琴循环"
    junk = {
        "random": "".join(rng.choice(alphabet) for _ in range(10_000)),
        "digits": "9" * 10_000,
        "durations": "90s " * 2500,
        "negations": "no drums " * 1200,
        "clock times": "1:30 " * 2000,
    }
    normal_ms = _best(NORMAL, 50) * 1000
    junk_s = {name: _best(text, 3) for name, text in junk.items()}
    print(f"{'input':<14} {'best':>9}  goal")
    print(f"{'normal prompt':<14} {normal_ms:>7.2f} ms  ≤ {GOAL_NORMAL_MS:g} ms")
    for name, s in junk_s.items():
        print(f"{name:<14} {s * 1000:>7.1f} ms  ≤ {GOAL_JUNK_S * 1000:g} ms")
    result = {
        "bench": "brief.parse_brief",
        "normal_ms": round(normal_ms, 3),
        "normal_goal_met": normal_ms <= GOAL_NORMAL_MS,
        "junk_ms": {k: round(v * 1000, 1) for k, v in junk_s.items()},
        "junk_goal_met": max(junk_s.values()) <= GOAL_JUNK_S,
        "load": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
