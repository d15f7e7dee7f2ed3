"""Edits the engine makes to a session's draft: add clips, place the music, set the mix.

Everything else in the draft (fields and track types we do not know) is left untouched.
"""

from __future__ import annotations

from typing import Any

from nemodesk.core.draft import Draft, Segment, Track, TrackType
from nemodesk.core.ducking import SoundMode

GENRE_LABELS = {
    "acoustic": "Acoustic",
    "lofi": "Lo-fi",
    "cinematic": "Cinematic",
    "electronic": "Electronic",
    "ambient": "Ambient",
    "corporate": "Corporate pop",
    "rock": "Rock",
    "jazz": "Jazz",
    "piano": "Solo piano",
    "chiptune": "Chiptune",
    "hiphop": "Hip-hop",
    "house": "House",
    "funk": "Funk / disco",
    "folk": "Folk / country",
    "epic": "Epic orchestral",
    "rnb": "R&B / soul",
    "reggae": "Reggae / latin",
    "kids": "Kids / cartoon",
    "guofeng": "Guofeng (Chinese traditional)",
}


def add_video(draft: Draft, upload_id: str, name: str, duration_ms: int, **meta: Any) -> None:
    """Append a clip to the video track (made on the first clip: its sound kept at full level,
    the music ducking under its speech; see nemodesk.core.ducking)."""
    track = draft.first(TrackType.VIDEO) or draft.add(
        Track.new(TrackType.VIDEO, sound=SoundMode.DUCK.value, volume=100)
    )
    end = track.span()[1] if track.segments else 0
    seg = Segment.new(duration_ms, src=f"upload:{upload_id}", name=name, start=end, **meta)
    track.add_segment(seg)


def video_ms(draft: Draft) -> int:
    track = draft.first(TrackType.VIDEO)
    return track.span()[1] if track and track.segments else 0


def set_music(
    draft: Draft,
    media_id: str,
    duration_ms: int,
    genre: str,
    mix: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> None:
    """Make ``media_id`` the BGM (tt 1): one segment, at the mix settings."""
    track = draft.first(TrackType.AUDIO)
    if track is None:
        track = draft.add(Track.new(TrackType.AUDIO))
    seg = Segment.new(
        duration_ms,
        src=f"media:{media_id}",
        name=GENRE_LABELS.get(genre, genre),
        genre=genre,  # the id, so an app can name it in its user's language
        length=duration_ms,
        **(extra or {}),
    )
    track.set_segments([seg])
    set_mix(draft, mix)


def set_mix(draft: Draft, mix: dict[str, Any]) -> None:
    """Volume %, start offset, fades and title from the session's mix settings."""
    track = draft.first(TrackType.AUDIO)
    if track is not None and track.segments:
        m = track.segments[0].edit_meta()
        m["volume"] = int(mix.get("volume", 100))
        m["start"] = round(float(mix.get("start_s", 0.0)) * 1000)
        m["fade_in"] = round(float(mix.get("fade_in_s", 0.0)) * 1000)
        m["fade_out"] = round(float(mix.get("fade_out_s", 0.0)) * 1000)
        length = int(m.get("length", track.segments[0].duration_ms))
        total = video_ms(draft)  # with a video, the music ends where the video does
        track.segments[0].duration_ms = max(0, min(length, total - m["start"])) if total else length
    title = mix.get("title")
    draft.remove(TrackType.TEXT)
    if title:
        seconds = float(mix.get("title_s", 3.0))
        draft.add(
            Track.new(TrackType.TEXT, [Segment.new(int(seconds * 1000), text=str(title), start=0)])
        )
