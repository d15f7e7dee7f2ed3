"""detect_cuts() on generated footage: every cut within one frame, nothing on fades, pans,
grain or colour drift."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from nemodesk.engine.media.probe import MediaError
from nemodesk.engine.media.scenes import detect_cuts
from tests.fixtures.media import (  # the private ones render shots for _shots_clip
    _PALETTE,
    _ShotRenderer,
    _shots_for,
    _to_u8,
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


# --- Frame-exact cuts where the scan skips pictures ------------------------------------------
# detect_cuts() decodes only the pictures other pictures refer to, then decodes the skipped
# ones around each cut it finds. These clips put cuts on every kind of picture (reference and
# non-reference B-frames, P-frames, open-GOP leading pictures) and check the exact frame.

_X264_FIXED_GOP = "scenecut=0:b-adapt=0:bframes=3:b-pyramid=normal:keyint=48:min-keyint=48"


def _encode(
    path: Path,
    n: int,
    render: Callable[[int], tuple[np.ndarray, np.ndarray, np.ndarray]],
    *,
    fps: Fraction = Fraction(30),
    codec: str = "libx264",
    options: dict[str, str] | None = None,
    pts: Sequence[int] | None = None,
    time_base: Fraction | None = None,
    width: int = 320,
    height: int = 180,
) -> Path:
    """Encode `render(i)` planes with explicit encoder options; `pts` in `time_base` makes a
    variable-frame-rate clip (mkv keeps the timestamps as given)."""
    fmt = {"mp4": "mp4", "mkv": "matroska", "mov": "mov", "avi": "avi"}[path.suffix[1:]]
    with av.open(str(path), "w", format=fmt) as out:
        vs = out.add_stream(codec, rate=fps)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        vs.options = options or {}
        tb = time_base or Fraction(1) / fps
        vs.codec_context.time_base = tb
        for i in range(n):
            y, u, v = render(i)
            buf = np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(-1, width)
            frame = av.VideoFrame.from_ndarray(buf, format="yuv420p")
            frame.pts, frame.time_base = (pts[i] if pts is not None else i), tb
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
    return path


def _shots_clip(
    path: Path,
    n: int,
    cut_frames: Sequence[int],
    colours: Sequence[tuple[int, int, int]] | None = None,
    seed: int | None = None,
    **kw: object,
) -> Path:
    """Shots (of the fixture palette or `colours`), each new one starting exactly at its cut
    frame."""
    bounds = [0, *cut_frames, n]
    seed = len(bounds) * 7 + n if seed is None else seed
    shots = _shots_for(len(bounds) - 1, seed=seed, palette=colours or _PALETTE)
    renderers = [_ShotRenderer(s, 320, 180, bounds[k + 1] - bounds[k]) for k, s in enumerate(shots)]

    def render(i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        k = int(np.searchsorted(bounds, i, side="right")) - 1
        return _to_u8(renderers[k].planes(i - bounds[k]))

    return _encode(path, n, render, **kw)  # type: ignore[arg-type]


def _frame_times(path: Path) -> list[float]:
    """Every picture's time on the picture's own clock, in display order (independently)."""
    with av.open(str(path)) as f:
        s = f.streams.video[0]
        t0 = float(s.start_time * s.time_base) if s.start_time is not None else 0.0
        return sorted(float(fr.pts * s.time_base) - t0 for fr in f.decode(s))


def _picture_kinds(path: Path) -> dict[int, str]:
    """Display index -> 'I', 'P', 'B' (referenced) or 'b' (no picture refers to it)."""
    with av.open(str(path)) as f:
        s = f.streams.video[0]
        s.codec_context.skip_frame = "NONREF"
        refs = {fr.pts for fr in f.decode(s)}
    with av.open(str(path)) as f:
        s = f.streams.video[0]
        frames = sorted(f.decode(s), key=lambda fr: fr.pts)
        kinds = {}
        for i, fr in enumerate(frames):
            kind = {1: "I", 2: "P", 3: "B"}.get(int(fr.pict_type), "?")
            kinds[i] = kind if fr.pts in refs else kind.lower()
        return kinds


def assert_exact_frames(path: Path, found: Sequence[float], cut_frames: Sequence[int]) -> None:
    """Each cut at exactly the first picture of its new shot (to the microsecond)."""
    times = _frame_times(path)
    expected = [round(times[k], 6) for k in cut_frames]
    assert list(found) == pytest.approx(expected, abs=2e-6), (
        f"found {list(found)}, expected {expected} (frames {list(cut_frames)})"
    )


def test_cuts_on_every_kind_of_picture_are_frame_exact(media_dir: Path) -> None:
    """Fixed B-pyramid (P B b B b ...), no scene-cut keyframes: cuts land on non-reference
    B-frames, the reference B in the middle and P-frames; each is found on its exact frame."""
    cuts = [21, 38, 55, 72, 89, 106, 123]  # one every 17 frames: every position in the GOP
    path = _shots_clip(
        media_dir / "pyramid.mp4",
        140,
        cuts,
        options={"preset": "medium", "crf": "23", "x264-params": _X264_FIXED_GOP},
    )
    kinds = _picture_kinds(path)
    assert {kinds[k] for k in cuts} >= {"b", "B", "P"}, kinds  # the clip does what it says
    assert_exact_frames(path, detect_cuts(path), cuts)


@pytest.mark.parametrize("fps", [Fraction(25), Fraction(30000, 1001)], ids=["25fps", "29.97fps"])
@pytest.mark.parametrize("ext", ["mp4", "mkv"])
def test_b_frame_cuts_are_frame_exact_at_pal_and_ntsc_rates(
    media_dir: Path, fps: Fraction, ext: str
) -> None:
    cuts = [13, 30, 47, 66]
    path = _shots_clip(
        media_dir / f"rate_{float(fps):.2f}.{ext}",
        90,
        cuts,
        fps=fps,
        options={"preset": "fast", "crf": "23", "x264-params": _X264_FIXED_GOP},
    )
    assert_exact_frames(path, detect_cuts(path), cuts)


@pytest.mark.parametrize("case", list(SUBTLE))
def test_subtle_cuts_between_b_frames_are_found_on_their_frame(media_dir: Path, case: str) -> None:
    """Similar shots with B-frames: the scan, comparing pictures two apart, scores these
    cuts lower, so they are scored again picture by picture; still found, on the exact frame."""
    cuts = [29, 58]  # a non-reference B-frame and the reference B of the fixed pyramid
    path = _shots_clip(
        media_dir / f"subtle_b_{case}.mp4",
        90,
        cuts,
        colours=SUBTLE[case],
        seed=214,  # make_clip's shots for this layout (other seeds: too alike to call a cut)
        options={"preset": "medium", "crf": "23", "x264-params": _X264_FIXED_GOP},
    )
    kinds = _picture_kinds(path)
    assert [kinds[k] for k in cuts] == ["b", "B"], kinds
    assert_exact_frames(path, detect_cuts(path), cuts)


def test_open_gop_cuts_are_frame_exact(media_dir: Path) -> None:
    """Open GOPs: recovery-point I-frames whose leading B-frames refer to the GOP before;
    a cut on a leading picture needs the earlier GOP decoded to be seen."""
    cuts = [23, 47, 70, 95]  # around the forced keyframes every 24 frames
    path = _shots_clip(
        media_dir / "open_gop.mkv",
        120,
        cuts,
        options={
            "preset": "medium",
            "crf": "23",
            "x264-params": "open-gop=1:scenecut=0:b-adapt=0:bframes=3:keyint=24:min-keyint=24",
        },
    )
    assert_exact_frames(path, detect_cuts(path), cuts)


def test_hevc_b_frame_cuts_are_frame_exact(media_dir: Path) -> None:
    cuts = [17, 34, 52, 69]
    path = _shots_clip(
        media_dir / "hevc.mp4",
        90,
        cuts,
        codec="libx265",
        options={"preset": "fast", "x265-params": "scenecut=0:bframes=4:b-adapt=0:log-level=0"},
    )
    assert_exact_frames(path, detect_cuts(path), cuts)


def test_mpeg4_b_frames_in_avi_are_frame_exact(media_dir: Path) -> None:
    cuts = [20, 41, 62]
    path = _shots_clip(
        media_dir / "bframes.avi", 80, cuts, codec="mpeg4", options={"bf": "2", "q": "4"}
    )
    assert_exact_frames(path, detect_cuts(path), cuts)


def test_variable_frame_rate_cuts_are_frame_exact(media_dir: Path) -> None:
    """Frame durations vary (phone footage): cut times are those pictures' own times."""
    rng = np.random.default_rng(4)
    steps = rng.choice([25, 33, 34, 42, 50], size=100)  # ms
    pts = np.concatenate([[0], np.cumsum(steps)[:-1]]).tolist()
    cuts = [19, 40, 61, 83]
    path = _shots_clip(
        media_dir / "vfr.mkv",
        100,
        cuts,
        pts=pts,
        time_base=Fraction(1, 1000),
        options={"preset": "medium", "crf": "23", "x264-params": _X264_FIXED_GOP},
    )
    assert len(set(np.diff(_frame_times(path)).round(3))) > 2  # really variable
    assert_exact_frames(path, detect_cuts(path), cuts)


def test_b_frame_dissolve_and_flashes_are_not_cuts(media_dir: Path) -> None:
    """With B-frames: a 1 s dissolve, and flashes on a non-reference B-frame, a reference
    B-frame and a P-frame (one-picture jumps that come straight back) are not cuts."""
    n, fade0, fade_n = 150, 20, 30
    a, b = (_ShotRenderer(s, 320, 180, n) for s in _shots_for(2, seed=5))
    flashes = {90, 97, 104}  # GOP positions 3, 2, 0 of the fixed 4-picture pyramid
    options = {"preset": "medium", "crf": "23", "x264-params": _X264_FIXED_GOP}

    def render(i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        w = min(1.0, max(0.0, (i - fade0) / fade_n))
        planes = [(1 - w) * x + w * y for x, y in zip(a.planes(i), b.planes(i), strict=True)]
        if i in flashes:
            planes = [planes[0] * 0.2 + 220, planes[1] * 0.2 + 102, planes[2] * 0.2 + 102]
        return _to_u8(planes)

    path = _encode(media_dir / "dissolve_flash.mp4", n, render, options=options)
    kinds = _picture_kinds(path)
    assert {kinds[k] for k in flashes} >= {"b", "B", "P"}, kinds
    assert detect_cuts(path) == []


@pytest.mark.parametrize("seed", [5, 6, 7])
@pytest.mark.parametrize("case", ["same_colour_new_texture", "brightness_step"])
def test_skipping_pictures_finds_what_decoding_every_picture_finds(
    media_dir: Path, case: str, seed: int
) -> None:
    """Borderline cuts (some too alike to count) between B-frames: the same cuts, on the same
    frames, as a scan that decodes every picture."""
    from nemodesk.engine.media import scenes

    path = _shots_clip(
        media_dir / f"same_{case}_{seed}.mp4",
        90,
        [29, 58],
        colours=SUBTLE[case],
        seed=seed,
        options={"preset": "medium", "crf": "23", "x264-params": _X264_FIXED_GOP},
    )
    with av.open(str(path)) as f:
        every = scenes._measure(f, f.streams.video[0], skip_nonref=False)
    assert len(every.times) == 90
    assert detect_cuts(path) == scenes._decide(path, 0, every, 0.3, 0.25)


@pytest.mark.parametrize("gop", ["closed", "open"])
def test_scan_in_parallel_parts_equals_one_piece(media_dir: Path, gop: str) -> None:
    """Files of 6 s or more are scanned in parts side by side, split at keyframes: the joined
    scan is the same, picture for picture, as one decoder's, and the cuts are exact."""
    from nemodesk.engine.media import scenes

    cuts = [47, 95, 121, 145, 190, 215]  # 96 and 144 are keyframes; 47, 95: just before
    x264 = f"{'open-gop=1:' if gop == 'open' else ''}{_X264_FIXED_GOP}"
    path = _shots_clip(
        media_dir / f"parts_{gop}.mkv",
        240,
        cuts,
        options={"preset": "medium", "crf": "23", "x264-params": x264},
    )
    with av.open(str(path)) as f:
        splits = scenes._split_points(f, f.streams.video[0], 3)
    assert len(splits) == 2
    with av.open(str(path)) as f:
        whole = scenes._measure(f, f.streams.video[0], skip_nonref=True)
    joined = scenes._scan_file(path, 0, splits)
    assert joined.times == whole.times and joined.pts == whole.pts
    assert joined.packets == whole.packets
    for name in ("d1", "d2", "d3"):
        np.testing.assert_array_equal(getattr(joined, name), getattr(whole, name))
    assert_exact_frames(path, detect_cuts(path), cuts)
