"""Voice first: how the music dips under speech in the clips, as one curve for every player.

A video track says what happens to its clips' own sound (``m.sound``): "duck" (the default:
the clip stays at its level and the *music* dips under its speech, as editors' auto-duck
does), "even" (no dip) or "mute" (the clip's sound is left out). ``m.duck_db`` is the dip's
depth. Each video segment may carry ``m.speech``: [[start_ms, end_ms], ...] in the clip's own
time (0 = its first picture), found by the engine's voice detector at upload.

The depth: when the track sets ``m.duck_db`` (the user chose it), exactly that. Otherwise it
is automatic: at least ``DEFAULT_DUCK_DB``, and deeper when the music at its set volume is so
loud against the voice (``m.voice_lufs`` of the clips, ``m.lufs`` of the BGM segment) that
the default dip would leave the voice less than ``VOICE_CLEAR_DB`` above it.

``music_gain(draft)`` turns that into breakpoints (timeline ms, gain dB) that the export and
the app's preview both apply, so what the user hears is what the file gets. The dip is in
place ``LOOKAHEAD_MS`` before the first syllable (speech onsets are detected up to ~0.2 s
late over music), comes back over ``RELEASE_MS`` after the last, and pauses too short for
the music to come back fully are bridged so it does not pump between words.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from enum import StrEnum
from typing import Any

import numpy as np

from nemodesk.core.draft import Draft, Track, TrackType


class SoundMode(StrEnum):
    DUCK = "duck"  # the clip's sound at its level, the music dips under its speech
    EVEN = "even"  # both at their set levels
    MUTE = "mute"  # the clip's sound left out


DEFAULT_DUCK_DB = 12.0
VOICE_CLEAR_DB = 12.0  # automatic depth: the voice at least this far (LU) above the music
MIN_DUCK_DB, MAX_DUCK_DB = 3.0, 30.0
ATTACK_MS = 150  # the dip's fall
LOOKAHEAD_MS = 150  # fully down this long before speech starts
RELEASE_MS = 400  # the music's way back up after speech ends
BRIDGE_MS = ATTACK_MS + LOOKAHEAD_MS + RELEASE_MS  # shorter pauses keep the music down

Breakpoints = list[tuple[int, float]]  # (timeline ms, gain dB), times ascending


def sound_mode(track: Track | None) -> SoundMode:
    value = track.meta.get("sound") if track is not None else None
    try:
        return SoundMode(value)
    except ValueError:
        return SoundMode.DUCK


def _number(meta: dict[str, Any], key: str) -> float | None:
    value = meta.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value) if abs(value) != float("inf") else None


def duck_db(track: Track | None) -> float | None:
    """The depth the user set on this video track (clamped), or None for automatic."""
    value = _number(track.meta, "duck_db") if track is not None else None
    return None if value is None else min(MAX_DUCK_DB, max(MIN_DUCK_DB, value))


def _volume_db(*metas: dict[str, Any]) -> float:
    for meta in metas:
        v = _number(meta, "volume")
        if v is not None and v >= 0:
            return 20 * math.log10(max(min(v, 400.0), 0.1) / 100)
    return 0.0


def depth_db(draft: Draft) -> float:
    """How far the music dips under speech: the user's depth, or the automatic one."""
    tracks = [t for t in draft.tracks_of(TrackType.VIDEO) if sound_mode(t) is SoundMode.DUCK]
    chosen = [d for d in (duck_db(t) for t in tracks) if d is not None]
    if chosen:
        return max(chosen)
    voices = [
        v + _volume_db(seg.meta, t.meta)
        for t in tracks
        for seg in t.segments
        if (v := _number(seg.meta, "voice_lufs")) is not None
    ]
    bgm = draft.first(TrackType.AUDIO)
    seg = bgm.segments[0] if bgm is not None and bgm.segments else None
    music = _number(seg.meta, "lufs") if seg is not None else None
    if not voices or music is None:
        return DEFAULT_DUCK_DB
    music += _volume_db(seg.meta, bgm.meta)
    need = music - min(voices) + VOICE_CLEAR_DB
    return round(min(MAX_DUCK_DB, max(DEFAULT_DUCK_DB, need)), 1)


def set_sound(track: Track, mode: SoundMode | str | None = None, depth_db: float | None = None):
    """Change a video track's sound mode and/or dip depth (clamped to the allowed range)."""
    meta = track.edit_meta()
    if mode is not None:
        meta["sound"] = SoundMode(mode).value
    if depth_db is not None:
        meta["duck_db"] = round(min(MAX_DUCK_DB, max(MIN_DUCK_DB, float(depth_db))), 1)
    meta.pop("duck", None)  # the old flag ducked the clip under the music: never again


def _spans_ms(raw: Any) -> list[tuple[int, int]]:
    out = []
    for item in raw if isinstance(raw, list) else []:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            continue
        a, b = item
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b)) and b > a:
            out.append((int(a), int(b)))
    return out


def speech_on_timeline(draft: Draft) -> list[tuple[int, int]]:
    """Where speech sounds on the timeline (ms), over every video track whose clips' sound
    is heard and ducks the music; merged and sorted."""
    spans: list[tuple[int, int]] = []
    for track in draft.tracks_of(TrackType.VIDEO):
        if sound_mode(track) is not SoundMode.DUCK:
            continue
        for seg, (start, end) in zip(track.segments, track.spans(), strict=False):
            in_ms = seg.meta.get("in", 0)
            in_ms = in_ms if isinstance(in_ms, int | float) and not isinstance(in_ms, bool) else 0
            for a, b in _spans_ms(seg.meta.get("speech")):
                a, b = max(start, start + a - int(in_ms)), min(end, start + b - int(in_ms))
                if b > a:
                    spans.append((a, b))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a - merged[-1][1] < BRIDGE_MS:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def envelope(spans: list[tuple[int, int]], depth_db: float) -> Breakpoints:
    """Breakpoints for the music's gain under `spans` (merged, sorted timeline ms)."""
    if not spans or depth_db <= 0:
        return []
    points: Breakpoints = []
    for a, b in spans:
        down_at = a - LOOKAHEAD_MS
        points += [(down_at - ATTACK_MS, 0.0), (down_at, -depth_db)]
        points += [(b, -depth_db), (b + RELEASE_MS, 0.0)]
    return points


def music_gain(draft: Draft) -> Breakpoints:
    """The music's gain curve for this draft (empty when nothing ducks it)."""
    spans = speech_on_timeline(draft)
    return envelope(spans, depth_db(draft)) if spans else []


def gain_db_at(points: Breakpoints, t_ms: float) -> float:
    """The curve's value at one time (linear in dB between breakpoints, 0 outside)."""
    if not points or t_ms <= points[0][0] or t_ms >= points[-1][0]:
        return 0.0
    i = bisect_right([p[0] for p in points], t_ms)
    (t0, g0), (t1, g1) = points[i - 1], points[i]
    return g0 if t1 == t0 else g0 + (g1 - g0) * (t_ms - t0) / (t1 - t0)


def gains_db(points: Breakpoints, t_ms: np.ndarray) -> np.ndarray:
    """The curve at many times (float64 dB; 0 outside): how the export and the preview both
    sample it, so what the player plays is what the file gets."""
    if not points:
        return np.zeros(len(t_ms))
    times = np.array([t for t, _ in points], np.float64)
    gains = np.array([g for _, g in points], np.float64)
    return np.interp(t_ms, times, gains, left=0.0, right=0.0)


def clip_sound_heard(track: Track | None) -> bool:
    return sound_mode(track) is not SoundMode.MUTE
