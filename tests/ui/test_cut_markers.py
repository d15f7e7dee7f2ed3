"""The timeline's cut markers ask for the accents: off, back on, moved to the playhead,
harder or softer — as a menu on the marker, sent to the backend as a new take."""

from __future__ import annotations

from nemodesk.core.draft import Draft, Segment, Track, TrackType
from nemodesk.ui.timeline import TimelineView
from tests.fixtures.media import make_clip
from tests.ui.test_main_window import desktop, run, until  # noqa: F401  (the real app and engine)


def _view(qtbot) -> TimelineView:
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(900, 300)
    draft = Draft()
    draft.add(Track.new(TrackType.VIDEO, [Segment.new(12_000, src="upload:a")]))
    draft.add(Track.new(TrackType.AUDIO, [Segment.new(12_000, src="media:m")]))
    view.set_draft(draft)
    view.set_cuts([4.0, 8.0])
    view.set_hits([4.0])  # the cut at 8 s has no accent (turned off before)
    view.show()
    return view


def _actions(menu) -> dict[str, object]:
    return {a.text(): a for a in menu.actions() if a.text()}


def test_the_menu_on_a_marker(qtbot) -> None:
    view = _view(qtbot)
    x = view.x_for_ms(4000)
    assert view.cut_near(x + 3) == 4000 and view.cut_near(x + 40) is None
    asked: list[tuple] = []
    view.hitEditRequested.connect(lambda *a: asked.append(a))

    view.set_playhead(4600)
    menu = view.cut_menu(4000)
    actions = _actions(menu)
    assert "No accent on this cut" in actions and "Accent this cut again" not in actions
    actions["No accent on this cut"].trigger()
    move = next(a for t, a in actions.items() if t.startswith("Move this accent"))
    move.trigger()
    actions["Hit harder on the cuts"].trigger()
    assert asked == [("off", 4.0, 0.0), ("move", 4.0, 4.6), ("boost", 4.0, 6.0)]

    actions = _actions(view.cut_menu(8000))
    assert "Accent this cut again" in actions and "No accent on this cut" not in actions
    actions["Accent this cut again"].trigger()
    assert asked[-1] == ("on", 8.0, 0.0)


def test_a_marker_turns_the_hit_off_in_the_engine(desktop, tmp_path):  # noqa: F811
    d, w = desktop, desktop.window
    clip = make_clip(tmp_path / "cuts.mp4", duration_s=10.0, cuts_s=[4.0, 7.0])
    w.upload([clip])
    run(d, until(lambda: w.drop.clip is not None and not d.service.busy("upload")))
    d.runs.clear()
    w.say("energetic electronic track that hits on every cut")
    run(d, until(lambda: ("chat", False) in d.runs))
    d.runs.clear()
    w.timeline.hitEditRequested.emit("off", 7.0, 0.0)
    run(d, until(lambda: ("chat", False) in d.runs))
    brief = d.service.draft.first(TrackType.AUDIO).segments[0].meta["brief"]
    settings = d.service.draft.meta["nemodesk"]["brief"]
    assert settings["hits_off_s"] == [7.0] and brief["genre"] == "electronic"
    assert any("7.0" in text for role, text in w.conversation.messages if role == "user")
    # the new take was made without it: the timeline's hit marks come from the take itself
    hits = list(w.timeline._hits / 1000)
    assert (
        hits and all(abs(h - 7.0) > 0.15 for h in hits) and any(abs(h - 4.0) < 0.01 for h in hits)
    )
