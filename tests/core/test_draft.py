import json

from hypothesis import given, settings
from hypothesis import strategies as st

from nemodesk.core.draft import Draft, Segment, Track, TrackType, diff_words, summary

EXAMPLE = {
    "t": [
        {"tt": 0, "sg": [{"d": 10000, "m": {"name": "city timelapse"}}]},
        {"tt": 1, "sg": [{"d": 10000, "m": {"name": "Lo-fi", "volume": 35}}]},
        {"tt": 7, "sg": [{"d": 3000, "m": {"text": "Urban Dreams"}}]},
    ]
}


def test_summary_matches_the_spec_exactly():
    assert summary(Draft.decode(EXAMPLE)) == (
        "Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) "
        '3. Title: "Urban Dreams" (0-3s)'
    )


def test_unknown_track_types_are_kept_and_shown():
    raw = {"t": [{"tt": 9, "sg": [{"d": 2500, "zz": [1, 2]}], "q": True}], "v": 3}
    draft = Draft.decode(raw)
    assert summary(draft) == "Timeline (1 track): 1. Track type 9: 1 segment(s) (0-2.5s)"
    assert draft.encode() == raw


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
segments = st.fixed_dictionaries(
    {"d": st.integers(0, 10**7)},
    optional={"m": st.dictionaries(st.text(max_size=6), json_values, max_size=3), "x": json_values},
)
tracks = st.fixed_dictionaries(
    {"tt": st.integers(0, 20), "sg": st.lists(segments, max_size=4)},
    optional={
        "m": st.dictionaries(st.text(max_size=6), json_values, max_size=3),
        "extra": json_values,
    },
)
drafts = st.fixed_dictionaries(
    {"t": st.lists(tracks, max_size=5)}, optional={"m": json_values, "other": json_values}
)


@settings(max_examples=300, deadline=None)
@given(drafts)
def test_round_trip_keeps_every_field_and_key_order(raw):
    text = json.dumps(raw, ensure_ascii=False)
    draft = Draft.decode(text)
    summary(draft)  # never raises on odd content
    assert json.dumps(draft.encode(), ensure_ascii=False) == text


def test_diff_in_words():
    before = Draft.decode(EXAMPLE)
    after = Draft.decode(EXAMPLE)
    after.first(TrackType.AUDIO).segments[0].edit_meta()["volume"] = 20
    after.first(TrackType.TEXT).segments[0].edit_meta()["text"] = "Night Drive"
    words = diff_words(before, after)
    assert "35% → 20%" in words and '"Night Drive"' in words
    empty = Draft()
    empty.add(Track.new(TrackType.VIDEO, [Segment.new(5000, name="beach")]))
    assert diff_words(Draft(), empty) == "Added Video: beach (0-5s)."
    assert diff_words(before, Draft.decode(EXAMPLE)) == "No visible change to the timeline."


def test_domain_names_map_to_the_wire_keys_and_back():
    seg = Segment.new(2500, src="media:a")
    seg.duration_ms = 3000
    seg.edit_meta()["volume"] = 40
    track = Track.new(TrackType.AUDIO, [seg], sound="duck")
    draft = Draft()
    draft.add(track)
    draft.edit_meta()["v"] = 1
    wire = {
        "t": [
            {
                "tt": 1,
                "sg": [{"d": 3000, "m": {"src": "media:a", "volume": 40}}],
                "m": {"sound": "duck"},
            }
        ],
        "m": {"v": 1},
    }
    assert draft.encode() == wire
    back = Draft.decode(json.dumps(wire))
    (t,) = back.tracks
    assert t.kind == TrackType.AUDIO and t.meta == {"sound": "duck"}
    assert t.segments[0].duration_ms == 3000
    assert t.segments[0].meta == {"src": "media:a", "volume": 40}
    assert back.meta == {"v": 1}
    bare = Segment({})  # reading never adds a field; editing creates "m"
    assert bare.meta == {} and bare.raw == {}
    bare.edit_meta()["x"] = 1
    assert bare.raw == {"m": {"x": 1}}
    for old in ("d", "m", "tt"):
        assert not hasattr(seg, old) and not hasattr(track, old) and not hasattr(draft, old)
