"""The timeline view: what it paints (sampled pixels), what it reports (signals), how it zooms
and scrolls, and that it leaves the draft alone."""

from __future__ import annotations

import copy
import statistics
import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPalette, QWheelEvent
from PySide6.QtWidgets import QApplication

from nemodesk.core.draft import Draft
from nemodesk.ui.timeline import TimelineView
from nemodesk.ui.timeline_paint import CUT_COLOR, HIT_COLOR, KIND_COLORS, PLAYHEAD_COLOR

RAW = {
    "t": [
        {
            "tt": 0,
            "sg": [
                {"d": 6000, "m": {"name": "city timelapse"}},
                {"d": 4000, "m": {"name": "street", "x_cam": "A"}},
            ],
        },
        {
            "tt": 1,
            "m": {"genre": "lo-fi"},
            "sg": [
                {
                    "d": 10000,
                    "m": {"name": "Lo-fi", "volume": 35, "fade_in": 1500, "fade_out": 2000},
                }
            ],
        },
        {"tt": 7, "sg": [{"d": 3000, "m": {"text": "Urban Dreams", "start": 1000}}]},
        {
            "tt": 3,
            "m": {"future_flag": 1},
            "sg": [{"d": 2500, "zz": [1, 2]}, {"d": 2000, "m": {"start": 6000, "future": True}}],
            "q": True,
        },
    ],
    "v": 3,
}


@pytest.fixture
def draft() -> Draft:
    return Draft.decode(copy.deepcopy(RAW))


@pytest.fixture
def view(qtbot, draft: Draft) -> TimelineView:
    widget = TimelineView()
    qtbot.addWidget(widget)
    widget.resize(900, 300)
    widget.set_draft(draft)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def pixels(widget: TimelineView) -> np.ndarray:
    """The widget as an (h, w, 3) RGB array."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    raw = np.frombuffer(image.constBits(), dtype=np.uint32, count=h * image.bytesPerLine() // 4)
    argb = raw.reshape(h, image.bytesPerLine() // 4)[:, :w]
    return np.stack([(argb >> 16) & 255, (argb >> 8) & 255, argb & 255], axis=-1).astype(int)


def near(rgb: np.ndarray, color: QColor, tolerance: int = 6) -> np.ndarray:
    target = np.array([color.red(), color.green(), color.blue()])
    return np.all(np.abs(rgb - target) <= tolerance, axis=-1)


def centre(view: TimelineView, track: int, segment: int) -> QPoint:
    rect = view.segment_rect(track, segment)
    assert rect is not None
    return rect.center().toPoint()


def test_every_track_gets_a_labelled_lane_painted_in_its_colour(view: TimelineView) -> None:
    assert view.lane_labels() == ["Video", "BGM", "Title", "Track type 3"]
    headers = dict(view.lane_headers())
    assert headers["BGM"] == "Volume 35%"
    assert headers["Title"] == "Urban Dreams"
    img = pixels(view)
    left = view.content_left()
    kinds = ["video", "audio", "text", "generic"]
    for rect, kind in zip(view.lane_rects(), kinds, strict=True):
        rows = img[rect.top() : rect.bottom() + 1, left:]
        assert near(rows, KIND_COLORS[kind]).sum() > 200, kind
        for other in set(kinds) - {kind}:
            assert near(rows, KIND_COLORS[other]).sum() < 20, (kind, other)
    # The unknown track's segments sit where their spans say: 0-2.5 s and 6-8 s, a gap between.
    generic = view.lane_rects()[3]
    y = generic.bottom() - 6
    for ms, filled in ((1200, True), (4200, False), (7000, True), (9000, False)):
        x = round(view.x_for_ms(ms))
        assert bool(near(img[y, x], KIND_COLORS["generic"])) is filled, ms


def test_lanes_use_the_palette_in_light_and_dark(view: TimelineView, qtbot) -> None:
    for base, window in (("#ffffff", "#efefef"), ("#1e1e1e", "#2b2b2b")):
        palette = QPalette(view.palette())
        palette.setColor(QPalette.ColorRole.Base, QColor(base))
        palette.setColor(QPalette.ColorRole.AlternateBase, QColor(base))
        palette.setColor(QPalette.ColorRole.Window, QColor(window))
        view.setPalette(palette)
        img = pixels(view)
        title = view.lane_rects()[2]
        empty_x = round(view.x_for_ms(8000))  # the title lane is empty there
        assert near(img[title.center().y(), empty_x], QColor(base), 1)
        assert near(img[4, view.content_left() + 60], QColor(window), 1)  # ruler background


def test_clicking_a_segment_selects_it_with_its_details(view: TimelineView, qtbot) -> None:
    before = pixels(view)
    title_rect = view.segment_rect(2, 0)
    assert title_rect is not None
    probe = (round(title_rect.bottom()) - 5, round(title_rect.left()) + 8)
    with qtbot.waitSignal(view.segmentSelected) as got:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=centre(view, 2, 0))
    details = got.args[0]
    assert details["track_type"] == 7
    assert details["kind"] == "text"
    assert details["label"] == "Urban Dreams"
    assert (details["start_ms"], details["end_ms"]) == (1000, 4000)
    assert details["metadata"] == {"text": "Urban Dreams", "start": 1000}
    assert view.selected_segment() == details
    # Highlighted: the fill turns lighter.
    after = pixels(view)
    assert near(before[probe], KIND_COLORS["text"])
    assert near(after[probe], KIND_COLORS["text"].lighter(118), 3)

    with qtbot.waitSignal(view.segmentSelected) as got:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=centre(view, 3, 1))
    details = got.args[0]
    assert details["track_type"] == 3
    assert details["segment_index"] == 1
    assert (details["start_ms"], details["end_ms"]) == (6000, 8000)
    # Track metadata merged with the segment's, unknown fields included, like describe_track.
    assert details["metadata"] == {"future_flag": 1, "start": 6000, "future": True}


def test_clicking_the_ruler_seeks_to_the_time_under_the_pointer(view: TimelineView, qtbot) -> None:
    view.set_zoom(150.0)
    view.set_scroll_px(300)
    assert view.scroll_px() == 300
    for x in (view.content_left() + 37, 512, 800):
        with qtbot.waitSignal(view.seekRequested) as got:
            qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(x, 12))
        expected = (x - view.content_left() + 300) / 150.0 * 1000
        assert abs(got.args[0] - expected) <= 1000 / 150.0
        assert view.playhead() == got.args[0]


def test_clicking_an_empty_spot_seeks_and_clears_the_selection(view: TimelineView, qtbot) -> None:
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=centre(view, 2, 0))
    assert view.selected_segment() is not None
    title = view.lane_rects()[2]
    x = round(view.x_for_ms(7000))
    with qtbot.waitSignal(view.seekRequested) as got:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(x, title.center().y()))
    assert abs(got.args[0] - 7000) <= 1000 / view.px_per_s() + 1
    assert view.selected_segment() is None


def _wheel(view: TimelineView, x: float, angle_y: int, ctrl: bool) -> None:
    mods = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    pos = QPointF(x, 150)
    event = QWheelEvent(
        pos,
        QPointF(view.mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, angle_y),
        Qt.MouseButton.NoButton,
        mods,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view, event)


def test_ctrl_wheel_zooms_around_the_pointer(view: TimelineView) -> None:
    fit = view.px_per_s()
    assert fit == pytest.approx(view.fit_px_per_s())
    x = 500.0
    anchor_ms = view.ms_at(x)
    for notch in range(1, 6):
        _wheel(view, x, 120, ctrl=True)
        assert view.px_per_s() == pytest.approx(fit * 1.25**notch)
        assert abs(view.ms_at(x) - anchor_ms) <= 1000 / view.px_per_s()
    assert view.scroll_px() > 0
    zoomed = view.px_per_s()
    _wheel(view, x, -120, ctrl=True)
    assert view.px_per_s() == pytest.approx(zoomed / 1.25)
    assert abs(view.ms_at(x) - anchor_ms) <= 1000 / view.px_per_s()
    # Without Ctrl the wheel scrolls time instead.
    scroll, pps = view.scroll_px(), view.px_per_s()
    _wheel(view, x, -120, ctrl=False)
    assert view.scroll_px() > scroll
    assert view.px_per_s() == pps


def test_zoom_buttons_and_fit(view: TimelineView, qtbot) -> None:
    fit = view.px_per_s()
    with qtbot.waitSignal(view.zoomChanged) as got:
        view.zoom_in()
    assert got.args[0] == pytest.approx(fit * 1.5)
    view.zoom_in()
    assert view.px_per_s() == pytest.approx(fit * 2.25)
    view.zoom_out()
    assert view.px_per_s() == pytest.approx(fit * 1.5)
    view.zoom_out()
    view.zoom_out()  # never further out than the whole timeline
    assert view.px_per_s() == pytest.approx(fit)
    view.set_zoom(400.0)
    view.fit()
    assert view.px_per_s() == pytest.approx(fit)
    assert view.scroll_px() == 0
    assert view.x_for_ms(10000) <= view.width()


def test_playhead_is_drawn_over_every_lane(view: TimelineView) -> None:
    view.set_playhead(4321)
    assert view.playhead() == 4321
    img = pixels(view)
    x = round(view.x_for_ms(4321))
    for rect in view.lane_rects():
        y = rect.center().y()
        assert near(img[y, x], PLAYHEAD_COLOR, 2) or near(img[y, x - 1], PLAYHEAD_COLOR, 2)
    assert not near(img[view.lane_rects()[0].center().y(), x + 30], PLAYHEAD_COLOR, 40)


def test_following_playhead_scrolls_the_view(view: TimelineView) -> None:
    view.set_zoom(300.0, view.content_left())
    view.set_scroll_px(0)
    view.set_playhead(9000)  # not following: the view stays put
    assert view.scroll_px() == 0
    view.set_playhead(9000, follow=True)
    x = view.x_for_ms(9000)
    assert view.content_left() <= x <= view.width()
    assert view.scroll_px() > 0


def test_cuts_and_hits_are_drawn_at_their_times(view: TimelineView) -> None:
    cut_x, hit_x = round(view.x_for_ms(2500)), round(view.x_for_ms(8000))
    ruler_y = view.ruler_rect().bottom() - 4
    bgm = view.lane_rects()[1]
    before = pixels(view)
    assert not near(before[ruler_y, cut_x], CUT_COLOR, 10)
    assert not near(before[bgm.bottom() - 20 : bgm.bottom(), hit_x], HIT_COLOR, 10).any()
    view.set_cuts([2.5, 7.0])
    view.set_hits([3.0, 8.0])
    img = pixels(view)
    for seconds in (2.5, 7.0):
        x = round(view.x_for_ms(seconds * 1000))
        assert near(img[ruler_y, x], CUT_COLOR, 10)
        assert not near(img[ruler_y, x + 12], CUT_COLOR, 10)
    for seconds in (3.0, 8.0):
        x = round(view.x_for_ms(seconds * 1000))
        assert near(img[bgm.bottom() - 20 : bgm.bottom(), x], HIT_COLOR, 10).any()
        assert not near(img[bgm.bottom() - 20 : bgm.bottom(), x + 12], HIT_COLOR, 10).any()


def test_waveform_and_thumbnails_fill_their_segments(view: TimelineView) -> None:
    bgm, video = view.lane_rects()[1], view.lane_rects()[0]
    x = round(view.x_for_ms(5000))
    quiet = pixels(view)[bgm.top() + 8 : bgm.bottom() - 8, x].copy()
    view.set_waveform(np.full(200, 0.9), 10000)
    loud = pixels(view)[bgm.top() + 8 : bgm.bottom() - 8, x]
    assert (np.abs(loud - quiet).sum(axis=-1) > 30).sum() > 10  # most of the column changed
    red = QImage(160, 90, QImage.Format.Format_RGB32)
    red.fill(QColor("#ff0000"))
    view.set_video_thumbnails([red] * 4, 10000)
    img = pixels(view)
    rows = img[video.top() + 6 : video.bottom() - 6, view.content_left() :]
    assert near(rows, QColor("#ff0000"), 2).sum() > 1000


def test_keyboard_moves_the_playhead_and_zooms(view: TimelineView, qtbot) -> None:
    view.setFocus()
    seen: list[int] = []
    view.seekRequested.connect(seen.append)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_End)
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert seen == [1000, 2000, 1900, 10000, 0]
    pps = view.px_per_s()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.px_per_s() == pytest.approx(pps * 1.5)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert view.px_per_s() == pytest.approx(pps)


def test_hover_summary_and_accessible_text(view: TimelineView) -> None:
    text = view.tooltip_at(centre(view, 1, 0))
    assert "BGM: Lo-fi" in text
    assert "Volume 35%" in text
    assert "Fade in 1.5 s, fade out 2 s" in text
    assert "Urban Dreams" in view.tooltip_at(centre(view, 2, 0))
    assert view.tooltip_at(QPoint(view.content_left() - 10, 100)) == ""
    assert view.accessibleName() == "Timeline"
    assert "Track type 3" in view.accessibleDescription()
    assert view.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_the_draft_is_never_changed(view: TimelineView, draft: Draft, qtbot) -> None:
    before = draft.dumps()
    got: list[dict] = []
    view.segmentSelected.connect(got.append)
    for track in range(4):
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=centre(view, track, 0))
    got[3]["metadata"]["future_flag"] = 99  # listeners get copies
    view.set_waveform([0.5] * 10, 10000)
    view.set_cuts([1.0])
    view.zoom_in()
    view.grab()
    view.set_draft(draft)
    assert draft.dumps() == before
    assert draft.encode() == RAW
    assert view.draft() is draft


def test_empty_and_odd_drafts_still_paint(qtbot) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(600, 200)
    view.set_draft(Draft.decode({"t": [{"tt": 42}, "junk", {"sg": [{"m": 5}, {"d": 900}]}]}))
    view.show()
    assert view.lane_labels() == ["Track type 42", "Track type -1"]
    img = pixels(view)
    odd = view.lane_rects()[1]
    assert near(img[odd.center().y(), round(view.x_for_ms(450))], KIND_COLORS["generic"]).all()
    view.set_draft(Draft())
    assert view.lane_rects() == []
    assert view.duration_ms() == 10_000


def test_five_thousand_segments_repaint_fast(qtbot) -> None:
    from benchmarks.bench_ui import make_draft

    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(1280, 300)
    view.set_draft(make_draft())
    view.show()
    qtbot.waitExposed(view)
    for pps in (view.fit_px_per_s(), 2.0, 20.0):
        view.set_zoom(pps)
        view.repaint()
        samples = []
        for _ in range(5):
            t0 = time.perf_counter()
            view.repaint()
            samples.append(time.perf_counter() - t0)
        # The benchmark holds the 16 ms goal; here a loose bound that survives a busy CI box.
        assert statistics.median(samples) < 0.08, pps
