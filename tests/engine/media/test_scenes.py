"""detect_cuts() on generated footage: every cut within one frame, nothing on fades, pans,
grain or colour drift."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from nemodesk.engine.media.probe import MediaError
from nemodesk.engine.media.scenes import detect_cuts
from tests.fixtures.media import (
    make_1080p_clip,
    make_audio,
    make_clip,
    make_fade_clip,
    make_flash_clip,
    make_image,
    make_motion_clip,
    make_text_file_named,
)


def assert_cuts_match(found: Sequence[float], expected: Sequence[float], fps: float) -> None:
    """Same count, and each found cut within one frame of the one it stands for."""
    tol = 1 / fps + 0.001
    assert len(found) == len(expected), f"found {list(found)}, expected {list(expected)}"
    for got, want in zip(found, expected, strict=True):
        assert abs(got - want) <= tol, f"cut at {got:.4f}s, expected {want:.4f}s (±{tol:.4f})"
    assert list(found) == sorted(found)


LAYOUTS = {
    "one": (3.0, [1.0]),
    "several": (5.0, [0.6, 1.7, 2.35, 4.1]),
    "off_frame_grid": (4.0, [1.013, 2.345, 3.333]),
    "near_edges": (3.0, [0.1, 2.9]),
    "short_shots": (3.0, [0.8, 1.1, 1.4, 1.7]),  # 0.3 s apart, just over min_gap
    "long_shots": (14.0, [7.0]),  # long enough for the generator's pan to turn back
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_finds_every_cut(media_dir: Path, layout: str) -> None:
    duration, cuts = LAYOUTS[layout]
    path = make_clip(media_dir / f"cuts_{layout}.mp4", duration_s=duration, cuts_s=cuts)
    assert_cuts_match(detect_cuts(path), cuts, fps=30)


SUBTLE = {
    "same_colour_new_texture": [(100, 128, 128), (100, 128, 128), (100, 128, 128)],
    "brightness_step": [(100, 128, 128), (120, 128, 128), (100, 128, 128)],
    "hue_swap_same_luma": [(100, 120, 140), (100, 140, 120), (100, 120, 140)],
}


@pytest.mark.parametrize("case", list(SUBTLE))
def test_cuts_between_similar_shots(media_dir: Path, case: str) -> None:
    cuts = [1.0, 2.0]
    path = make_clip(
        media_dir / f"subtle_{case}.mp4", duration_s=3.0, cuts_s=cuts, colours=SUBTLE[case]
    )
    assert_cuts_match(detect_cuts(path), cuts, fps=30)


@pytest.mark.parametrize("ext", ["webm", "mkv", "mov", "avi"])
def test_other_containers(media_dir: Path, ext: str) -> None:
    cuts = [0.9, 2.2]
    path = make_clip(media_dir / f"cuts.{ext}", duration_s=3.0, cuts_s=cuts)
    assert_cuts_match(detect_cuts(path), cuts, fps=30)


@pytest.mark.parametrize("fps", [24, 60])
def test_other_frame_rates(media_dir: Path, fps: int) -> None:
    cuts = [0.75, 1.9]
    path = make_clip(
        media_dir / f"cuts_{fps}fps.mp4", duration_s=2.5, cuts_s=cuts, fps=fps, audio=False
    )
    assert_cuts_match(detect_cuts(path), cuts, fps=fps)


def test_live_webm_without_index(media_dir: Path) -> None:
    cuts = [1.2]
    path = make_clip(media_dir / "live_cuts.webm", duration_s=2.5, cuts_s=cuts, live=True)
    assert_cuts_match(detect_cuts(path), cuts, fps=30)


def test_no_cut_gives_empty_list(media_dir: Path) -> None:
    path = make_clip(media_dir / "one_shot.mp4", duration_s=3.0)
    assert detect_cuts(path) == []


def test_slow_cross_fade_is_not_a_cut(media_dir: Path) -> None:
    assert detect_cuts(make_fade_clip(media_dir / "fade.mp4", 4.0)) == []


def test_one_second_dissolve_is_not_a_cut(media_dir: Path) -> None:
    assert detect_cuts(make_fade_clip(media_dir / "dissolve.mp4", 3.0, fade_s=1.0)) == []


def test_fast_pan_grain_and_colour_drift_are_not_cuts(media_dir: Path) -> None:
    path = make_motion_clip(media_dir / "handheld.mp4", 4.0)
    assert detect_cuts(path) == []


def test_camera_flash_is_not_a_cut(media_dir: Path) -> None:
    assert detect_cuts(make_flash_clip(media_dir / "flash.mp4", 3.0, flash_at_s=1.5)) == []


def test_min_gap_keeps_one_of_two_close_cuts(media_dir: Path) -> None:
    path = make_clip(media_dir / "close_cuts.mp4", duration_s=3.0, cuts_s=[1.0, 1.1])
    assert len(detect_cuts(path, min_gap_s=0.25)) == 1
    assert_cuts_match(detect_cuts(path, min_gap_s=0.05), [1.0, 1.1], fps=30)


def test_threshold_controls_sensitivity(media_dir: Path) -> None:
    path = make_clip(media_dir / "thresholds.mp4", duration_s=2.0, cuts_s=[1.0])
    assert_cuts_match(detect_cuts(path, threshold=0.1), [1.0], fps=30)
    assert_cuts_match(detect_cuts(path, threshold=1.0), [1.0], fps=30)  # a strong cut
    with pytest.raises(ValueError):
        detect_cuts(path, threshold=0)


def test_files_without_moving_picture(media_dir: Path) -> None:
    assert detect_cuts(make_audio(media_dir / "music.mp3", 1.0)) == []
    assert detect_cuts(make_audio(media_dir / "cover.mp3", 1.0, cover_art=True)) == []
    assert detect_cuts(make_image(media_dir / "photo.png")) == []


def test_bad_files_raise_media_error(media_dir: Path) -> None:
    text = make_text_file_named(media_dir / "not_a_video.mp4")
    with pytest.raises(MediaError, match=r"not_a_video\.mp4"):
        detect_cuts(text)
    with pytest.raises(MediaError, match=r"gone\.mov"):
        detect_cuts(media_dir / "gone.mov")


def test_1080p_speed_is_reported(media_dir: Path) -> None:
    """Measured, not asserted (machine-dependent); see benchmarks/bench_scenes.py."""
    duration, cuts = 4.0, [1.5, 3.0]
    path = make_1080p_clip(media_dir / "hd.mp4", duration, cuts)
    t0 = time.perf_counter()
    found = detect_cuts(path)
    elapsed = time.perf_counter() - t0
    assert_cuts_match(found, cuts, fps=30)
    print(f"\n1080p30 H.264 8 Mb/s: detect_cuts at {duration / elapsed:.1f}x real time")


@pytest.mark.parametrize("ext", ["mkv", "mts"])
def test_cuts_are_on_the_pictures_clock_not_the_files(media_dir: Path, ext: str) -> None:
    """The sound starts 0.5 s before the first picture: cuts count from that picture (the
    export's and the speech regions' 0), not from the file's start."""
    import av

    from nemodesk.engine.media.export import _start_facts
    from nemodesk.engine.media.probe import probe

    path = make_clip(
        media_dir / f"lead_in.{ext}",
        duration_s=3.0,
        cuts_s=[1.0, 2.2],
        width=160,
        height=90,
        picture_start_s=0.5,
    )
    with av.open(str(path)) as f:  # the layout, measured independently
        video, audio = f.streams.video[0], f.streams.audio[0]
        v0 = float(video.start_time * video.time_base)
        a0 = float(audio.start_time * audio.time_base)
    assert v0 - a0 == pytest.approx(0.5, abs=0.03)
    assert_cuts_match(detect_cuts(path), [1.0, 2.2], 30)
    assert _start_facts(path, probe(path))[0] == pytest.approx(v0, abs=1e-6)
