"""The dip's shape from a draft: where it falls, how deep, when it comes back."""

from __future__ import annotations

from nemodesk.core.draft import Draft
from nemodesk.core.ducking import (
    ATTACK_MS,
    LOOKAHEAD_MS,
    RELEASE_MS,
    depth_db,
    gain_db_at,
    music_gain,
    speech_on_timeline,
)


def _draft(speech, *, sound="duck", duck_db=None, voice_lufs=None, music_lufs=None, volume=100):
    track_m = {"sound": sound} | ({"duck_db": duck_db} if duck_db is not None else {})
    seg_m = {"src": "upload:a", "speech": speech}
    if voice_lufs is not None:
        seg_m["voice_lufs"] = voice_lufs
    bgm_m = {"src": "media:m", "volume": volume}
    if music_lufs is not None:
        bgm_m["lufs"] = music_lufs
    return Draft({"t": [
        {"tt": 0, "m": track_m, "sg": [{"d": 20000, "m": seg_m}]},
        {"tt": 1, "sg": [{"d": 20000, "m": bgm_m}]},
    ]})  # fmt: skip


def test_down_before_the_first_syllable_back_after_the_release() -> None:
    points = music_gain(_draft([[5000, 8000]]))
    assert gain_db_at(points, 5000 - LOOKAHEAD_MS - ATTACK_MS - 1) == 0.0
    assert gain_db_at(points, 5000 - LOOKAHEAD_MS) == -12.0
    assert gain_db_at(points, 7999) == -12.0
    assert -12.0 < gain_db_at(points, 8000 + RELEASE_MS / 2) < 0.0
    assert gain_db_at(points, 8000 + RELEASE_MS) == 0.0


def test_short_pauses_do_not_pump_long_ones_do() -> None:
    assert speech_on_timeline(_draft([[1000, 3000], [3450, 5000]])) == [(1000, 5000)]
    points = music_gain(_draft([[1000, 3000], [5000, 7000]]))
    assert gain_db_at(points, 4000) == 0.0  # a 2 s pause: the music is back


def test_modes_and_depths() -> None:
    assert music_gain(_draft([[1000, 2000]], sound="even")) == []
    assert music_gain(_draft([[1000, 2000]], sound="mute")) == []
    assert depth_db(_draft([[1000, 2000]], duck_db=18)) == 18.0
    assert depth_db(_draft([[1000, 2000]], duck_db=99)) == 30.0  # clamped
    # automatic: a quiet voice under loud music dips deeper, never less than 12 dB
    assert depth_db(_draft([[1000, 2000]], voice_lufs=-26, music_lufs=-14)) == 24.0
    assert depth_db(_draft([[1000, 2000]], voice_lufs=-26, music_lufs=-14, volume=50)) == 18.0
    assert depth_db(_draft([[1000, 2000]], voice_lufs=-12, music_lufs=-14)) == 12.0


def test_speech_follows_the_clip_on_the_timeline() -> None:
    draft = _draft([[1000, 2000]])
    seg = draft.raw["t"][0]["sg"][0]
    seg["m"] |= {"start": 4000, "in": 500}
    seg["d"] = 1000  # the clip plays 0.5-1.5 s of itself from 4 s
    assert speech_on_timeline(draft) == [(4500, 5000)]


def test_malformed_speech_is_ignored() -> None:
    assert speech_on_timeline(_draft([["a", 2], [5, 1], None, [1, 2, 3]])) == []
