"""Issue 18's table ("Lighter and quicker"), read back from every benchmark's JSON: each row
with its goal and whether it was met here, or by how much it was missed, beside the load
average the run saw (a shared 2-core machine slows every wall time)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def _get(results: dict[str, Any], *path: str) -> Any:
    node: Any = results
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _peak_rss(results: dict[str, Any]) -> float | None:
    memory = _get(results, "music", "memory") or []
    peaks = [m["peak_rss_mb"] for m in memory if "peak_rss_mb" in m]
    return max(peaks) if peaks else None


def _track_600(results: dict[str, Any]) -> float | None:
    rows = _get(results, "music", "warm") or []
    return next((r["render_s"] for r in rows if r.get("duration_s") == 600), None)


# (row, value from the results, goal, unit, at most (True) or at least (False))
ROWS: list[tuple[str, Callable[[dict[str, Any]], float | None], float, str, bool]] = [
    ("bundle dist/NemoDesk", lambda r: _get(r, "bundle", "bundle_mb"), 250, "MB", True),
    ("compressed installer", lambda r: _get(r, "bundle", "installer_mb"), 120, "MB", True),
    (
        "frozen self-test from cold: generate 5 s",
        lambda r: _get(r, "app", "frozen_self_test", "generate_s"),
        1.5,
        "s",
        True,
    ),
    ("engine peak RSS, any length to 20 min", _peak_rss, 1200, "MB", True),
    (
        "API prompt -> 90 s BGM in state, warm median",
        lambda r: _get(r, "server", "bgm_90s", "median_s"),
        1.5,
        "s",
        True,
    ),
    (
        "1080p cut detection, 8 Mb/s (exact frames)",
        lambda r: _get(r, "scenes", "realtime_x"),
        12,
        "x",
        False,
    ),
    ("export 60 s 720p with a title", lambda r: _get(r, "export", "title_x"), 10, "x", False),
    ("600 s track", _track_600, 6, "s", True),
    (
        "progressive preview: first sound, 3-min track",
        lambda r: _get(r, "preview", "preview", "first_sound_s"),
        0.7,
        "s",
        True,
    ),
]


def table(results: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The printed lines and a JSON summary {row: {value, goal, met}}."""
    lines = [f"{'issue 18':<46} {'measured':>12}  {'goal':<11} verdict"]
    summary: dict[str, Any] = {}
    for name, read, goal, unit, at_most in ROWS:
        value = read(results)
        aim = f"{'≤' if at_most else '≥'} {goal:g} {unit}"
        if value is None:
            lines.append(f"{name:<46} {'-':>12}  {aim:<11} not measured")
            summary[name] = {"value": None, "goal": goal, "met": False}
            continue
        met = value <= goal if at_most else value >= goal
        if met:
            verdict = "met"
        elif at_most:
            verdict = f"MISSED by {value - goal:.3g} {unit}"
        else:
            verdict = f"MISSED by {goal - value:.3g}{unit}"
        lines.append(f"{name:<46} {value:>9.3g} {unit:<2}  {aim:<11} {verdict}")
        summary[name] = {"value": value, "goal": goal, "met": met}
    if exact := _get(results, "scenes", "cuts_exact"):
        lines.append(f"  cut detection: every cut on its exact frame: {exact}")
    lines.append(f"  load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return lines, summary
