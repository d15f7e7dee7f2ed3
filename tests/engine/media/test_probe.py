"""probe() on real files of every accepted type, and on the broken files users really drop."""

from __future__ import annotations

import shutil
from pathlib import Path

import av
import pytest

from nemodesk.engine.media.probe import MediaError, MediaInfo, probe
from tests.fixtures.media import (
    make_audio,
    make_clip,
    make_image,
    make_text_file_named,
)

DURATION = 2.5
TOL = 0.05  # seconds

# extension -> (video codec, audio codec) the generator writes
CONTAINERS = {
    "mp4": ("h264", "aac"),
    "mov": ("h264", "aac"),
    "avi": ("mpeg4", "pcm_s16le"),
    "webm": ("vp8", "opus"),
    "mkv": ("h264", "aac"),
}


@pytest.fixture(scope="module")
def clips(media_dir: Path) -> dict[str, Path]:
    folder = media_dir / "probe"
    return {
        ext: make_clip(folder / f"clip.{ext}", duration_s=DURATION, cuts_s=[1.0])
        for ext in CONTAINERS
    }


@pytest.mark.parametrize("ext", list(CONTAINERS))
def test_probe_reads_each_container(clips: dict[str, Path], ext: str) -> None:
    path = clips[ext]
    info = probe(path)
    assert isinstance(info, MediaInfo)
    assert info.kind == "video"
    assert abs(info.duration_s - DURATION) <= TOL, info.duration_s
    assert info.size_bytes == path.stat().st_size > 0
    assert info.fps == pytest.approx(30.0, abs=0.01)
    assert (info.width, info.height) == (320, 180)
    assert info.has_video and info.has_audio
    assert (info.video_codec, info.audio_codec) == CONTAINERS[ext]
    assert info.audio_rate == 48_000 and info.audio_channels == 2
    assert info.path == str(path)


@pytest.mark.parametrize("ext", ["webm", "mkv"])
def test_duration_without_header_duration_is_measured(media_dir: Path, ext: str) -> None:
    # Written to a pipe-like stream, as browser recorders do: no duration in the header.
    path = make_clip(media_dir / f"live.{ext}", duration_s=3.2, live=True)
    with av.open(str(path)) as c:
        assert c.duration is None and all(s.duration is None for s in c.streams)
    info = probe(path)
    assert abs(info.duration_s - 3.2) <= TOL, info.duration_s


@pytest.mark.parametrize("fps", [24, 25, 30000 / 1001, 60])
def test_frame_rates(media_dir: Path, fps: float) -> None:
    path = make_clip(media_dir / f"rate_{fps:.2f}.mp4", duration_s=1.5, fps=fps, audio=False)
    info = probe(path)
    assert info.fps == pytest.approx(fps, abs=0.01)
    assert abs(info.duration_s - 1.5) <= TOL
    assert not info.has_audio and info.audio_codec is None and info.audio_rate == 0


@pytest.mark.parametrize("ext", ["mp3", "wav", "m4a", "aac"])
def test_audio_files(media_dir: Path, ext: str) -> None:
    path = make_audio(media_dir / f"tone.{ext}", 2.5)
    info = probe(path)
    assert info.kind == "audio"
    assert abs(info.duration_s - 2.5) <= TOL, info.duration_s
    assert info.has_audio and not info.has_video
    assert info.video_codec is None and (info.width, info.height, info.fps) == (0, 0, 0.0)
    assert info.audio_rate == 48_000 and info.audio_channels == 2


def test_cover_art_is_not_video(media_dir: Path) -> None:
    path = make_audio(media_dir / "with_cover.mp3", 2.0, cover_art=True)
    with av.open(str(path)) as c:
        assert len(c.streams.video) == 1  # the picture is there...
    info = probe(path)
    assert info.kind == "audio" and not info.has_video and info.video_codec is None  # ...ignored
    assert abs(info.duration_s - 2.0) <= TOL


@pytest.mark.parametrize("ext", ["png", "jpg", "webp", "gif"])
def test_still_images(media_dir: Path, ext: str) -> None:
    info = probe(make_image(media_dir / f"still.{ext}", width=64, height=48))
    assert info.kind == "image"
    assert info.duration_s == 0.0
    assert (info.width, info.height) == (64, 48)
    assert not info.has_video and not info.has_audio


def test_animated_gif_has_its_duration(media_dir: Path) -> None:
    info = probe(make_image(media_dir / "anim.gif", frames=12, fps=10))
    assert info.kind == "image"
    assert abs(info.duration_s - 1.2) <= TOL, info.duration_s


def test_content_decides_not_the_name(media_dir: Path, clips: dict[str, Path]) -> None:
    png = make_image(media_dir / "picture.png")
    disguised = shutil.copy(png, media_dir / "picture.mp4")
    assert probe(disguised).kind == "image"
    video = shutil.copy(clips["mkv"], media_dir / "really_mkv.mp4")
    info = probe(video)
    assert info.kind == "video" and "matroska" in info.format_name


def _assert_readable_error(exc: pytest.ExceptionInfo[MediaError], name: str) -> None:
    msg = str(exc.value)
    assert name in msg
    assert "Traceback" not in msg and "Errno" not in msg and "av." not in msg
    assert msg[0].isalnum() and msg.endswith("."), msg
    assert "/" not in msg and "\\" not in msg  # the basename only, never a folder path


BROKEN_CASES = [
    "text",
    "text_mov",
    "empty",
    "missing",
    "folder",
    "truncated_mp4",
    "truncated_mkv",
    "truncated_webm",
    "truncated_avi",
    "truncated_faststart_mp4",
    "garbage",
]


@pytest.fixture(scope="module")
def broken(media_dir: Path, clips: dict[str, Path]) -> dict[str, Path]:
    """The broken files users really drop: by name a video, by content not (or not all)."""
    folder = media_dir / "broken"
    folder.mkdir(exist_ok=True)
    empty = folder / "empty.mp4"
    empty.write_bytes(b"")
    out = {
        "text": make_text_file_named(folder / "notes.mp4"),
        "text_mov": make_text_file_named(folder / "notes.mov"),
        "empty": empty,
        "missing": folder / "missing.mp4",
        "folder": folder / "folder.mp4",
    }
    out["folder"].mkdir(exist_ok=True)
    for ext in ("mp4", "mkv", "webm", "avi"):
        data = clips[ext].read_bytes()
        cut = folder / f"cut_short.{ext}"
        cut.write_bytes(data[: len(data) // 2])
        out[f"truncated_{ext}"] = cut
    faststart = make_clip(folder / "web.mp4", duration_s=DURATION, faststart=True).read_bytes()
    assert faststart[:64].find(b"moov") > 0  # index first: half the file still opens
    out["truncated_faststart_mp4"] = folder / "cut_short_web.mp4"
    out["truncated_faststart_mp4"].write_bytes(faststart[: len(faststart) // 2])
    garbage = folder / "garbage.mkv"
    garbage.write_bytes(clips["mkv"].read_bytes()[:400] + bytes(range(256)) * 200)
    out["garbage"] = garbage
    assert set(out) == set(BROKEN_CASES)
    return out


@pytest.mark.parametrize("case", BROKEN_CASES)
def test_bad_files_raise_a_clear_media_error(broken: dict[str, Path], case: str) -> None:
    path = broken[case]
    with pytest.raises(MediaError) as exc:
        probe(path)
    _assert_readable_error(exc, path.name)
    assert exc.value.__cause__ is None  # no chained FFmpeg exception to leak


def test_error_messages_say_why(broken: dict[str, Path]) -> None:
    reasons = {
        "empty": "empty",
        "missing": "not found",
        "folder": "folder",
        "text": "not a video",
        "truncated_mkv": "cut short",
        "truncated_faststart_mp4": "cut short",
    }
    for case, words in reasons.items():
        with pytest.raises(MediaError, match=words):
            probe(broken[case])


@pytest.mark.parametrize("kept", [0.3, 0.57, 0.9])
def test_half_downloaded_faststart_mp4_is_refused(media_dir: Path, kept: float) -> None:
    """A 10 s web export (index first) cut short by a download: the index still promises
    every frame, so only decoding the tail shows that the picture stops early."""
    folder = media_dir / "half_downloaded"
    whole = folder / "web10.mp4"
    if not whole.exists():
        make_clip(whole, duration_s=10.0, cuts_s=[3.0, 7.0], width=160, height=90, faststart=True)
    data = whole.read_bytes()
    cut = folder / f"download-{int(kept * 100)}.mp4"
    cut.write_bytes(data[: int(len(data) * kept)])
    with av.open(str(cut)) as f:  # what is really there, measured independently
        picture_ends = max(
            float((p.pts + p.duration) * p.time_base)
            for p in f.demux(f.streams.video[0])
            if p.size and p.pts is not None
        )
        assert f.duration / av.time_base == pytest.approx(10.0, abs=0.05)  # header lies
    assert picture_ends < 9.5
    with pytest.raises(MediaError, match="cut short") as exc:
        probe(cut)
    _assert_readable_error(exc, cut.name)
    assert f"stops at {picture_ends:.1f} s of 10.0 s" in str(exc.value) or (
        f"stops at {picture_ends - 0.1:.1f} s" in str(exc.value)
    )
    assert probe(whole).duration_s == pytest.approx(10.0, abs=0.05)
