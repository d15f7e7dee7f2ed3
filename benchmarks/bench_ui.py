"""Timeline repaint time with a 5,000-segment draft, at 1280×300, offscreen.

Run: .venv/bin/python -m benchmarks.bench_ui
Goal: a full repaint ≤ 16 ms (one frame at 60 Hz) at every zoom level, fully zoomed out
included. Each level is repainted 50 times with `widget.repaint()` (synchronous paint into
the backing store, as the UI pays it); a playhead tick (the partial repaint done ~30 times a
second while playing) is timed too. Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # allow `python benchmarks/bench_ui.py` too
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nemodesk.core.draft import Draft  # noqa: E402
from nemodesk.ui.timeline import TimelineView  # noqa: E402

SIZE = (1280, 300)
REPEATS = 50
GOAL_MS = 16.0
SEGMENTS = {0: 2_000, 1: 1_000, 7: 1_000, 3: 1_000}  # track type -> segment count


def make_draft(seed: int = 5) -> Draft:
    """Several tracks, 5,000 segments of 0.5-3.5 s laid end to end, with metadata."""
    rng = np.random.default_rng(seed)
    tracks = []
    for tt, count in SEGMENTS.items():
        lengths = rng.integers(500, 3_500, count)
        sg = []
        for i, d in enumerate(lengths.tolist()):
            meta: dict[str, object] = {"name": f"part {i}"}
            if tt == 1:
                meta.update(volume=35, fade_in=200, fade_out=300)
            if tt == 7:
                meta = {"text": f"Caption {i}"}
            sg.append({"d": d, "m": meta})
        tracks.append({"tt": tt, "sg": sg})
    return Draft.decode({"t": tracks})


def _thumbnails(n: int = 24) -> list[QImage]:
    images = []
    for i in range(n):
        img = QImage(160, 90, QImage.Format.Format_RGB32)
        img.fill(QColor.fromHsv(i * 15 % 360, 140, 200))
        images.append(img)
    return images


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 3),
        "max_ms": round(ordered[-1], 3),
    }


def _time_repaints(app: QApplication, view: TimelineView) -> list[float]:
    for _ in range(3):  # warm caches (waveform tiles, scaled thumbnails)
        view.repaint()
    app.processEvents()
    samples = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        view.repaint()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def main() -> dict[str, object]:
    app = QApplication.instance() or QApplication([])
    draft = make_draft()
    duration_ms = draft.duration_ms()
    view = TimelineView()
    view.resize(*SIZE)
    t0 = time.perf_counter()
    view.set_draft(draft)
    set_draft_ms = (time.perf_counter() - t0) * 1000
    view.set_video_thumbnails(_thumbnails(), duration_ms)
    rng = np.random.default_rng(1)
    view.set_waveform(rng.random(20_000) * 0.8 + 0.1, duration_ms)
    view.set_cuts(np.cumsum(rng.uniform(1, 6, 1_000)).tolist())
    view.set_hits(np.cumsum(rng.uniform(2, 8, 500)).tolist())
    view.set_playhead(duration_ms // 3)
    view.show()
    app.processEvents()

    levels: dict[str, dict[str, float]] = {}
    all_samples: list[float] = []
    view.fit()
    zooms = [("fit", view.px_per_s()), ("2px/s", 2.0), ("20px/s", 20.0), ("200px/s", 200.0)]
    for name, pps in zooms:
        view.set_zoom(pps)
        view.set_scroll_px(view.scroll_px() or round(duration_ms / 1000 * pps / 2))
        samples = _time_repaints(app, view)
        levels[name] = {"px_per_s": round(view.px_per_s(), 3), **_stats(samples)}
        all_samples += samples

    view.set_zoom(20.0)
    ticks = []
    for i in range(REPEATS):
        view.set_playhead(duration_ms // 3 + i * 33, follow=True)
        t0 = time.perf_counter()
        app.processEvents()  # the partial repaint the playhead asked for
        ticks.append((time.perf_counter() - t0) * 1000)

    segments = sum(SEGMENTS.values())
    print(
        f"\ntimeline repaint, {segments} segments in {len(SEGMENTS)} tracks, "
        f"{SIZE[0]}×{SIZE[1]}, {REPEATS} repeats; load {os.getloadavg()[0]:.2f}"
    )
    print(f"set_draft (sort spans once): {set_draft_ms:.1f} ms")
    print(f"{'zoom':<10} {'px/s':>9} {'median':>9} {'p95':>9} {'max':>9} {'goal':>8}")
    for name, row in levels.items():
        ms = f"{row['median_ms']:>6.2f} ms {row['p95_ms']:>6.2f} ms {row['max_ms']:>6.2f} ms"
        print(f"{name:<10} {row['px_per_s']:>9.3f} {ms} {'≤ 16 ms':>8}")
    tick = _stats(ticks)
    print(
        f"{'playhead':<10} {'20.000':>9} {tick['median_ms']:>6.2f} ms {tick['p95_ms']:>6.2f} ms"
        f" {tick['max_ms']:>6.2f} ms"
    )
    overall = _stats(all_samples)
    result = {
        "timeline_5000": {**overall, "goal_ms": GOAL_MS, "met": overall["p95_ms"] <= GOAL_MS},
        "by_zoom": levels,
        "playhead_tick": tick,
        "set_draft_ms": round(set_draft_ms, 1),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
