"""make_thumbnails() and make_waveform() on generated media: the right pictures at the right
times, the right sound shape, and clear errors on files that can't give either."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from nemodesk.engine.media.probe import MediaError
from nemodesk.engine.media.thumbs import make_thumbnails, make_waveform
from nemodesk.engine.music.audiofile import write_audio
from tests.fixtures.media import make_audio, make_clip, make_image, make_text_file_named

RATE = 48_000


def source_rgb_at(path: Path, t: float) -> np.ndarray:
    """Mean RGB of the source frame nearest t (decoded independently of thumbs.py)."""
    with av.open(str(path)) as box:
        frames = [(float(f.time), f) for f in box.decode(box.streams.video[0])]
        frame = min(frames, key=lambda f: abs(f[0] - t))[1]
        return frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)


def jpeg_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        assert im.format == "JPEG"
        return np.asarray(im.convert("RGB")).reshape(-1, 3).mean(axis=0)


@pytest.fixture(scope="module")
def shots(media_dir: Path) -> Path:
    """Four one-second shots of clearly different colours."""
    return make_clip(media_dir / "thumb_shots.mp4", duration_s=4.0, cuts_s=[1.0, 2.0, 3.0])


def test_thumbnails_are_evenly_spaced_jpegs(shots: Path, tmp_path: Path) -> None:
    paths = make_thumbnails(shots, tmp_path / "t", count=4, height=90)
    assert [p.name for p in paths] == [f"thumb_{i:03d}.jpg" for i in range(4)]
    colours = [jpeg_rgb(p) for p in paths]
    for i, colour in enumerate(colours):  # each from the middle of its quarter: its shot
        want = source_rgb_at(shots, i + 0.5)
        assert np.abs(colour - want).max() < 12, (i, colour, want)
    for a in range(4):
        for b in range(a + 1, 4):
            assert np.abs(colours[a] - colours[b]).max() > 30  # four different shots


@pytest.mark.parametrize(("size", "height", "want"), [((320, 180), 90, (160, 90))])
def test_thumbnail_size_keeps_the_shape(
    media_dir: Path, tmp_path: Path, size: tuple[int, int], height: int, want: tuple[int, int]
) -> None:
    clip = make_clip(media_dir / "thumb_size.mp4", duration_s=1.0, width=size[0], height=size[1])
    for path in make_thumbnails(clip, tmp_path, count=3, height=height):
        with Image.open(path) as im:
            assert im.size == want


def test_more_thumbnails_than_keyframes(media_dir: Path, tmp_path: Path) -> None:
    """One keyframe for the whole clip: thumbnails still come from their own times."""
    clip = make_clip(media_dir / "thumb_gop.mp4", duration_s=3.0, cuts_s=[1.5])
    paths = make_thumbnails(clip, tmp_path, count=6)
    first, last = jpeg_rgb(paths[0]), jpeg_rgb(paths[-1])
    assert np.abs(first - source_rgb_at(clip, 0.25)).max() < 12
    assert np.abs(last - source_rgb_at(clip, 2.75)).max() < 12


def test_still_image_gives_its_picture(media_dir: Path, tmp_path: Path) -> None:
    image = make_image(media_dir / "thumb_still.png", width=64, height=48)
    paths = make_thumbnails(image, tmp_path, count=3, height=30)
    assert len(paths) == 3 and all(p.exists() for p in paths)
    with Image.open(paths[0]) as im:
        assert im.size == (40, 30)


@pytest.mark.parametrize("kind", ["audio", "text", "missing"])
def test_thumbnails_of_bad_files_raise_media_error(
    media_dir: Path, tmp_path: Path, kind: str
) -> None:
    path = {
        "audio": lambda: make_audio(media_dir / "thumb_audio.mp3", 1.0),
        "text": lambda: make_text_file_named(tmp_path / "notes.mp4"),
        "missing": lambda: tmp_path / "gone.mp4",
    }[kind]()
    with pytest.raises(MediaError) as exc:
        make_thumbnails(path, tmp_path / "out")
    assert path.name in str(exc.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_waveform_follows_the_sound(media_dir: Path) -> None:
    """Silence for 1 s, then a 0.5 sine for 1 s, then 0.1 for 1 s."""
    t = np.arange(RATE) / RATE
    sine = np.sin(2 * np.pi * 440 * t)
    x = np.concatenate([np.zeros(RATE), 0.5 * sine, 0.1 * sine]).astype(np.float32)
    path = write_audio(media_dir / "wave_steps.wav", np.stack([x, -x], axis=1), RATE)
    w = make_waveform(path, points=300)
    assert len(w) == 300 and all(0.0 <= v <= 1.0 for v in w)
    assert max(w[:95]) < 0.001
    assert all(abs(v - 0.5) < 0.02 for v in w[105:195])
    assert all(abs(v - 0.1) < 0.01 for v in w[205:])


def test_waveform_of_a_video_and_of_mp3(media_dir: Path) -> None:
    clip = make_clip(media_dir / "wave_clip.mp4", duration_s=2.0)
    mp3 = make_audio(media_dir / "wave.mp3", 2.0)
    for path in (clip, mp3):
        w = make_waveform(path, points=50)
        assert len(w) == 50
        assert min(w) > 0.03 and max(w) < 0.2  # the fixtures' quiet tone, all the way


def test_waveform_more_points_than_samples(media_dir: Path) -> None:
    path = write_audio(media_dir / "wave_tiny.wav", np.full(100, 0.25, np.float32), RATE)
    w = make_waveform(path, points=1000)
    assert len(w) == 1000 and all(abs(v - 0.25) < 0.01 for v in w)


def test_waveform_without_sound_is_empty(media_dir: Path) -> None:
    clip = make_clip(media_dir / "wave_mute.mp4", duration_s=1.0, audio=False)
    assert make_waveform(clip) == []


def test_waveform_of_a_bad_file_raises_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"notes\.mp4"):
        make_waveform(make_text_file_named(tmp_path / "notes.mp4"))
