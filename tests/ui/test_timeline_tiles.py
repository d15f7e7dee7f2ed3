"""The video lane's pictures tell the truth: a clip with hard cuts at 5 s and 10 s between a
red, a green and a blue shot, thumbnailed by the engine, drawn at several window sizes. The
lane's colour changes exactly at each cut's x and nowhere else, and each tile shows the frame
of its own time."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from nemodesk.core.draft import Draft
from nemodesk.engine.media.thumbs import make_thumbnails
from nemodesk.ui.timeline import TimelineView
from nemodesk.ui.timeline_paint import LANE_PAD_PX
from tests.fixtures.media import make_clip
from tests.ui.test_timeline import pixels

DURATION_MS = 15_000
CUTS_S = [5.0, 10.0]
SHOT_RGB = np.array([(255, 0, 0), (0, 255, 0), (0, 0, 255)])  # make_clip's default palette


@pytest.fixture(scope="module")
def thumbnails(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("tiles")
    clip = make_clip(folder / "shots.mp4", duration_s=DURATION_MS / 1000, cuts_s=CUTS_S)
    return [str(p) for p in make_thumbnails(clip, folder / "thumbs")]


def shot_of(rgb: np.ndarray) -> np.ndarray:
    """Which shot (0 red, 1 green, 2 blue) each pixel looks like; -1 for none."""
    dist = np.abs(rgb[..., None, :] - SHOT_RGB[None, :, :]).sum(-1)
    best = np.argmin(dist, axis=-1)
    return np.where(dist.min(axis=-1) < 200, best, -1)


def shot_at(ms: float) -> int:
    return int(np.searchsorted(np.array(CUTS_S) * 1000, ms, side="right"))


@pytest.mark.parametrize(
    ("width", "height"),
    [(700, 260), (900, 300), (1100, 420), (600, 520), (1600, 330)],
)
def test_a_cut_starts_a_new_tile_exactly_on_the_cut(qtbot, thumbnails, width, height, tmp_path):
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(width, height)
    view.set_draft(Draft.decode({"t": [{"tt": 0, "sg": [{"d": DURATION_MS}]}], "v": 3}))
    view.set_cuts(CUTS_S)
    view.set_video_thumbnails([QImage(p) for p in thumbnails], DURATION_MS)
    view.set_playhead(DURATION_MS)  # out of the way, past the last frame
    view.show()
    qtbot.waitExposed(view)
    view.grab().save(str(tmp_path / f"tiles-{width}x{height}.png"))
    rgb = pixels(view)
    lane = view.lane_rects()[0]
    y = lane.top() + LANE_PAD_PX + 4  # above the label pill at the lane's bottom
    x_end = round(view.x_for_ms(DURATION_MS))
    cut_xs = [round(view.x_for_ms(c * 1000)) for c in CUTS_S]
    xs = [
        x
        for x in range(view.content_left() + 3, x_end - 3)
        if all(abs(x - cx) > 0 for cx in cut_xs)  # the cut marker's own line
    ]
    seen = shot_of(rgb[y, xs])
    expected = np.array([shot_at(view.ms_at(x + 0.5)) for x in xs])
    wrong = [(x, int(s), int(e)) for x, s, e in zip(xs, seen, expected, strict=True) if s != e]
    assert not wrong, f"{len(wrong)} px show another shot than their time's, first {wrong[:5]}"
    for cx in cut_xs:  # the colour changes right at the cut, not a pixel later or earlier
        before, after = shot_of(rgb[y, [cx - 1, cx + 1]])
        assert after == before + 1
    # every tile shows the frame at its own time: the one thumbnail nearest it in its shot
    strip = next(iter(view._thumbs.values()))
    tiles = strip.tiles(view.px_per_s(), int(lane.height()), 0, DURATION_MS)
    assert len(tiles) >= 3
    for start, end, index in tiles:
        assert shot_at(strip.times_ms[index]) == shot_at((start + end) / 2)
        assert start in (0.0, 5000.0, 10000.0) or shot_at(start) == shot_at(start - 1)
