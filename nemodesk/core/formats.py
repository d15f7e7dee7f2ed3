"""Accepted file types and size limits: one list for the drop area, the upload check,
the engine's content check and the installers' document types."""

from __future__ import annotations

from pathlib import PurePath

# What phones, cameras and browsers write: .m4v (iTunes/Apple exports), .mts/.m2ts (AVCHD
# camcorders), .3gp (older Android phones) are read by content with PyAV like the rest;
# compared lower-case, so camcorders' .MTS counts.
VIDEO_EXTENSIONS = ("mp4", "mov", "m4v", "avi", "webm", "mkv", "mts", "m2ts", "3gp")
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp")
AUDIO_EXTENSIONS = ("mp3", "wav", "m4a", "aac")
ACCEPTED_EXTENSIONS = VIDEO_EXTENSIONS + IMAGE_EXTENSIONS + AUDIO_EXTENSIONS

MUSIC_FORMATS = ("wav", "mp3", "flac", "m4a")  # what the engine writes for music
VIDEO_OUTPUT_FORMATS = ("mp4", "mov", "webm")

MAX_UPLOAD_BYTES = 4 * 1024**3  # 4 GiB per file


def extension(name: str) -> str:
    """Lower-case extension without the dot ('' when there is none)."""
    return PurePath(name).suffix.lower().lstrip(".")


def kind_of(name: str) -> str | None:
    """'video', 'image' or 'audio' by extension; None when the type is not accepted."""
    ext = extension(name)
    if ext in VIDEO_EXTENSIONS:
        return "video"
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in AUDIO_EXTENSIONS:
        return "audio"
    return None


def supported_list() -> str:
    """The accepted types as users read them in an error message."""
    images = [e for e in IMAGE_EXTENSIONS if e != "jpeg"]
    return (
        f"video {' '.join(VIDEO_EXTENSIONS)}; image {' '.join(images)}; "
        f"audio {' '.join(AUDIO_EXTENSIONS)}"
    )
