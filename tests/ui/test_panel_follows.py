"""The prompt panel follows the track: after each chat edit or picked take it shows what is
playing, so pressing Generate again makes what the user hears (real app, real engine)."""

from __future__ import annotations

from nemodesk.core import presets
from tests.fixtures.media import make_clip
from tests.ui.test_main_window import desktop, run, until  # noqa: F401  (the real app and engine)


def _round(d, act) -> None:
    d.runs.clear()
    act()
    run(d, until(lambda: ("chat", False) in d.runs))


def test_the_panel_shows_each_edit(desktop, tmp_path):  # noqa: F811
    d, w = desktop, desktop.window
    clip = make_clip(tmp_path / "hike.mp4", duration_s=12.0, cuts_s=[4.0, 8.0])
    w.upload([clip])
    run(d, until(lambda: w.drop.clip is not None and not d.service.busy("upload")))
    panel = w.prompt

    _round(d, lambda: w.say("upbeat acoustic travel vlog that builds to the end"))
    assert panel.arc.currentIndex() == presets.ARCS.index("build") + 1  # said: build
    assert panel.duration_mode.currentIndex() == panel.DURATION_VIDEO
    assert panel.moods.selected() == ["upbeat"] and panel.genres.selected() == ["acoustic"]
    assert panel.bpm.value() == 0  # the engine chose the tempo: still Auto

    bpm_before = d.service.draft.first(1).segments[0].meta["bpm"]
    _round(d, lambda: w.say("slower"))
    assert 0 < panel.bpm.value() < bpm_before - 5  # now a tempo the user asked for
    assert panel.arc.currentIndex() == presets.ARCS.index("build") + 1

    _round(d, lambda: w.say("more drums"))
    assert "drums" in panel.instruments.selected()
    slower = panel.bpm.value()

    _round(d, lambda: w.say("shorter"))
    assert panel.duration_mode.currentIndex() == panel.DURATION_CUSTOM
    t = panel.duration.time()
    assert 0 < t.minute() * 60 + t.second() < 12
    assert panel.bpm.value() == slower and "drums" in panel.instruments.selected()

    # Generate now asks for what is playing
    params = panel.parameters()
    assert params["bpm"] == slower and params["arc"] == "build"
    assert "drums" in params["instruments"] and params["duration_s"] < 12
