"""make bench's issue-18 goal table reads each benchmark's own JSON: a met row says met, a
missed one by how much, and a benchmark that did not run shows as not measured."""

from __future__ import annotations

from benchmarks.goals import table


def test_rows_read_the_benchmarks_and_judge_each_goal():
    results = {
        "bundle": {"bundle_mb": 240.0, "installer_mb": 131.0},
        "music": {
            "warm": [{"duration_s": 90, "render_s": 0.8}, {"duration_s": 600, "render_s": 5.2}],
            "memory": [
                {"duration_s": 60, "peak_rss_mb": 700},
                {"duration_s": 1200, "peak_rss_mb": 1300},
            ],
        },
        "scenes": {"realtime_x": 12.4, "cuts_exact": True},
    }
    lines, summary = table(results)
    assert summary["bundle dist/NemoDesk"] == {"value": 240.0, "goal": 250, "met": True}
    assert summary["compressed installer"]["met"] is False
    assert summary["600 s track"]["met"] is True
    assert summary["engine peak RSS, any length to 20 min"]["value"] == 1300  # the worst length
    assert summary["1080p cut detection, 8 Mb/s (exact frames)"]["met"] is True
    assert summary["export 60 s 720p with a title"] == {"value": None, "goal": 10, "met": False}
    text = "\n".join(lines)
    assert "MISSED by 11 MB" in text and "MISSED by 100 MB" in text
    assert text.count("not measured") == 4  # self-test, API, export, preview
