"""Smart render of titled exports (smart_render.py via export_draft): only the GOPs a title
covers are re-encoded, the rest copied. Each case is checked against the full re-encode of
the same draft (export_draft(smart=False)) on real H.264 clips written here with PyAV:
the same frame count and frame times, the titled frames within a few dB of the full
re-encode, every other frame bit-identical to the source's decode (its packets copied), and
a fallback to the full re-encode, with the reason logged, for sources that can't be cut."""

from __future__ import annotations

import logging
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from nemodesk.engine.media import smart_render
from nemodesk.engine.media.export import ExportCancelled, ExportResult, export_draft
from nemodesk.engine.media.probe import probe
from nemodesk.engine.media.smart_render import annexb_nals, avcc_nals, parse_avcc, parse_sps
from nemodesk.engine.media.title import make_overlay
from nemodesk.engine.music.audiofile import read_audio, write_audio
from tests.fixtures.media import make_clip, set_display_rotation

W, H = 320, 180


# ---- clips --------------------------------------------------------------------------------


def make_h264(
    path: Path,
    frames: int,
    *,
    fps: Fraction = Fraction(30),
    params: str = "",
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    times: list[int] | None = None,
    time_base: Fraction | None = None,
    shift: int = 0,
    rotation: int = 0,
    profile: str = "",
) -> Path:
    """A moving striped picture with grain every third frame, encoded with the given x264
    (or x265) params. `times`: each frame's pts in `time_base` (variable rate); `shift`
    moves every pts by that many frames (negative: an edit list hides the first ones)."""
    tb = time_base or 1 / fps
    yy, xx = np.mgrid[0:H, 0:W]
    grain = np.random.default_rng(1).integers(0, 24, (H, W))
    with av.open(str(path), "w") as oc:
        s = oc.add_stream(codec, rate=fps)
        s.width, s.height, s.pix_fmt = W, H, pix_fmt
        s.codec_context.time_base = tb
        key = "x264-params" if codec == "libx264" else "x265-params"
        s.options = {"preset": "ultrafast", "crf": "23", key: params or "log-level=error"}
        if profile:
            s.options = {**s.options, "profile": profile}
        for i in range(frames):
            y = (xx * 2 + yy + 5 * i) % 190 + 30 + grain * (i % 3 == 0) + (i // 17) * 3
            rgb = np.repeat(y.astype(np.uint8)[..., None], 3, axis=2)
            rgb[..., 0] = (rgb[..., 0].astype(int) + 40 * (i % 50 > 25)) % 256
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format=pix_fmt)
            frame.pts = times[i] if times else i + shift
            frame.time_base = tb
            oc.mux(s.encode(frame))
        oc.mux(s.encode(None))
    return set_display_rotation(path, rotation) if rotation else path


def x264(keyint: int, bframes: int, *extra: str) -> str:
    return ":".join(
        [f"keyint={keyint}", f"min-keyint={keyint}", "scenecut=0", f"bframes={bframes}", *extra]
    )


# ---- reading the outputs ------------------------------------------------------------------


def decoded(path: Path) -> list[tuple[Fraction, np.ndarray]]:
    with av.open(str(path)) as box:
        vs = box.streams.video[0]
        return [(f.pts * f.time_base, f.to_ndarray()) for f in box.decode(vs)]


def packets(path: Path) -> list[tuple[Fraction, bytes, bool]]:
    """(display time, bytes, keyframe) per video packet, in decode order."""
    with av.open(str(path)) as box:
        vs = box.streams.video[0]
        start = vs.start_time or 0
        return [
            ((p.pts - start) * vs.time_base, bytes(p), p.is_keyframe)
            for p in box.demux(vs)
            if p.size
        ]


def gops(path: Path) -> list[tuple[Fraction, Fraction]]:
    """[start, end) display times of the source's GOPs (keyframe to keyframe)."""
    starts = sorted(t for t, _b, key in packets(path) if key)
    end = max(t for t, _b, _k in packets(path)) + 1
    return list(zip(starts, [*starts[1:], end], strict=True))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def export(src: Path, out: Path, titles: list[tuple[str, int, int]], **kw: Any) -> ExportResult:
    ms = round(probe(src).duration_s * 1000)
    tracks: list[dict[str, Any]] = [{"tt": 0, "sg": [{"d": ms, "m": {"src": "upload:clip"}}]}]
    for text, start, d in titles:
        tracks.append({"tt": 7, "sg": [{"d": d, "m": {"text": text, "start": start}}]})
    return export_draft({"t": tracks}, lambda _s: src, out, **kw)


def titled_source(src: Path, titles: list[tuple[str, int, int]]) -> list[np.ndarray]:
    """The source decoded with the titles blended in exactly (no encoding)."""
    out = []
    with av.open(str(src)) as box:
        vs = box.streams.video[0]
        overlays = [make_overlay(x, W, H, a / 1000, (a + d) / 1000) for x, a, d in titles]
        for k, frame in enumerate(box.decode(vs)):
            t = float(k * (1 / Fraction(vs.codec_context.framerate)))
            for o in overlays:
                assert o is not None
                frame = o.apply(frame, t)
            out.append(frame.to_ndarray())
    return out


def titled_frames(times: list[Fraction], titles: list[tuple[str, int, int]]) -> list[int]:
    """Frames the title is drawn on (inside its time; its fade starts from zero)."""
    out = []
    for k, t in enumerate(times):
        if any(a / 1000 < t < (a + d) / 1000 for _x, a, d in titles):
            out.append(k)
    return out


def check_against_full(
    src: Path, tmp: Path, titles: list[tuple[str, int, int]]
) -> dict[str, float]:
    """Smart vs full re-encode vs source, as the module's doc says. Returns the numbers."""
    smart_out, full_out = tmp / "smart.mp4", tmp / "full.mp4"
    r = export(src, smart_out, titles)
    assert r.picture == "smart"
    assert export(src, full_out, titles, smart=False).picture == "encode"
    s, f, o = decoded(smart_out), decoded(full_out), decoded(src)
    assert len(s) == len(f) == len(o)  # frame count
    assert [t for t, _ in s] == [t for t, _ in f]  # every frame's time, exactly
    times = [t for t, _ in s]
    covered = [
        (a, b)
        for a, b in gops(src)
        if any(a < Fraction(x + d, 1000) and Fraction(x, 1000) < b for _t, x, d in titles)
    ]

    def in_segment(t: Fraction) -> bool:
        return any(a <= t < b for a, b in covered)

    copied = [k for k, t in enumerate(times) if not in_segment(t)]
    for k in copied:  # bit-identical to the source's own decode
        assert np.array_equal(s[k][1], o[k][1]), k
    same = [k for k in range(len(s)) if np.array_equal(s[k][1], o[k][1])]
    assert len(same) >= len(copied) and same, "the case should leave something to copy"
    # Their packets are the source's bytes.
    src_packets = {t: b for t, b, _k in packets(src)}
    for t, b, _k in packets(smart_out):
        if not in_segment(t):
            assert b == src_packets[t], t
    marked = titled_frames(times, titles)
    assert marked
    ideal = titled_source(src, titles)  # the source's frames with the title blended in
    vs_full = [psnr(s[k][1], f[k][1]) for k in marked]
    vs_ideal = [psnr(s[k][1], ideal[k]) for k in marked]
    full_vs_ideal = [psnr(f[k][1], ideal[k]) for k in marked]
    assert min(vs_full) >= 30.0, min(vs_full)
    assert min(vs_ideal) >= 30.0, min(vs_ideal)
    assert np.mean(vs_ideal) >= np.mean(full_vs_ideal) - 1.0  # as good as the full re-encode
    for k in marked:  # the title is there: nearer the titled picture than the untitled
        if psnr(ideal[k], o[k][1]) < 30:  # drawn strongly enough to see (not mid-fade)
            assert psnr(s[k][1], ideal[k]) > psnr(s[k][1], o[k][1]), k
    reencoded = [k for k in range(len(s)) if in_segment(times[k]) and k not in marked]
    for k in reencoded:  # untitled frames of a re-encoded GOP: close to the source
        assert psnr(s[k][1], o[k][1]) >= 30.0, k
    return {
        "frames": len(s),
        "copied": len(same),
        "psnr_vs_full_min": min(vs_full),
        "psnr_vs_full_mean": float(np.mean(vs_full)),
        "psnr_vs_ideal_mean": float(np.mean(vs_ideal)),
        "full_vs_ideal_mean": float(np.mean(full_vs_ideal)),
    }


# ---- frame-exact against the full re-encode -------------------------------------------------


CASES = {
    # name: (fps, frames, x264 params, titles (text, start ms, duration ms))
    "30fps-gop30-bframes3-title-at-start": (Fraction(30), 120, x264(30, 3), [("Start", 0, 800)]),
    "30fps-gop15-no-bframes-title-in-middle": (
        Fraction(30),
        120,
        x264(15, 0),
        [("Middle", 1200, 600)],
    ),
    "25fps-gop25-bframes2-title-at-end": (Fraction(25), 100, x264(25, 2), [("End", 3300, 700)]),
    "29.97fps-gop30-bpyramid-title-across-a-gop-boundary": (
        Fraction(30000, 1001),
        120,
        x264(30, 3, "b-pyramid=normal"),
        [("Across", 800, 600)],
    ),
    "30fps-gop12-bframes1-two-titles": (
        Fraction(30),
        120,
        x264(12, 1),
        [("One", 100, 300), ("Two", 2500, 900)],
    ),
    "30fps-long-gop-high-profile": (
        Fraction(30),
        150,
        x264(60, 3, "ref=3:8x8dct=1:cabac=1"),
        [("Long", 2100, 800)],
        "high",
    ),
    "30fps-one-gop-title-in-middle-head-copied": (
        Fraction(30),
        90,
        x264(250, 2),
        [("Head", 1000, 500)],
    ),
    "30fps-main-profile": (Fraction(30), 90, x264(30, 2), [("Main", 1100, 500)], "main"),
    "30fps-baseline-profile": (Fraction(30), 90, x264(20, 0), [("Base", 700, 500)], "baseline"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_smart_render_matches_the_full_reencode(name: str, tmp_path: Path) -> None:
    fps, frames, params, titles, *profile = CASES[name]
    src = make_h264(
        tmp_path / "src.mp4", frames, fps=fps, params=params, profile=profile[0] if profile else ""
    )
    numbers = check_against_full(src, tmp_path, titles)
    assert numbers["frames"] == frames
    with av.open(str(src)) as a, av.open(str(tmp_path / "smart.mp4")) as b:
        theirs = parse_avcc(bytes(a.streams.video[0].codec_context.extradata)).sps
        ours = parse_avcc(bytes(b.streams.video[0].codec_context.extradata)).sps
    assert parse_sps(theirs[0]).profile == parse_sps(ours[-1]).profile
    if profile:
        assert parse_sps(ours[-1]).profile == {"main": 77, "baseline": 66, "high": 100}[profile[0]]
    print(name, {k: round(v, 2) for k, v in numbers.items()})


def test_smart_output_carries_both_parameter_sets(tmp_path: Path) -> None:
    """The avcC keeps the source's SPS/PPS first and adds the segment's (another id);
    the segment's IDR also carries its own in-band."""
    src = make_h264(tmp_path / "src.mp4", 90, params=x264(30, 2))
    out = tmp_path / "out.mp4"
    assert export(src, out, [("Hi", 1100, 500)]).picture == "smart"
    with av.open(str(src)) as a, av.open(str(out)) as b:
        before = parse_avcc(bytes(a.streams.video[0].codec_context.extradata))
        after = parse_avcc(bytes(b.streams.video[0].codec_context.extradata))
    assert after.sps[0] == before.sps[0] and after.pps[0] == before.pps[0]
    assert len(after.sps) == len(after.pps) == 2
    ours = parse_sps(after.sps[1])
    theirs = parse_sps(before.sps[0])
    assert ours.sps_id != theirs.sps_id
    assert (ours.profile, ours.level, ours.chroma, ours.bit_depth) == (
        theirs.profile,
        theirs.level,
        theirs.chroma,
        theirs.bit_depth,
    )
    with_sets = [
        (t, [n[0] & 31 for n in avcc_nals(b, after.nal_len)])
        for t, b, _k in packets(out)
        if after.sps[1] in avcc_nals(b, after.nal_len)
    ]
    # The segment's IDR, at a mini-GOP boundary at or before the first titled frame
    # (1.1333 s: at 1.1 s the fade-in is still at zero), has them in-band.
    assert with_sets and 1 < with_sets[0][0] <= Fraction(34, 30)
    assert {5, 7, 8} <= set(with_sets[0][1])


def test_annexb_to_avcc_round_trip() -> None:
    nals = [b"\x67\x64\x00\x1f", b"\x68\xee", b"\x65\x88\x00\x00\x03\x01"]
    annexb = b"\x00\x00\x00\x01" + b"\x00\x00\x01".join(nals)
    assert annexb_nals(annexb) == nals
    assert avcc_nals(smart_render.to_avcc(nals, 4), 4) == nals


# ---- fallbacks -----------------------------------------------------------------------------


def fallback_case(
    src: Path,
    tmp: Path,
    titles: list[tuple[str, int, int]],
    caplog: pytest.LogCaptureFixture,
    reason: str,
) -> None:
    """The export falls back, says why, and gives the full re-encode: the same frames at the
    same times (pixels within x264's run-to-run noise: its threads make two full
    re-encodes of one draft differ by a few tenths of a level)."""
    out, full = tmp / "fallback.mp4", tmp / "full.mp4"
    with caplog.at_level(logging.INFO, logger="nemodesk.engine"):
        r = export(src, out, titles)
    assert r.picture == "encode"
    assert reason in caplog.text, caplog.text
    export(src, full, titles, smart=False)
    got, want = decoded(out), decoded(full)
    assert len(got) == len(want) > 0
    assert [t for t, _ in got] == [t for t, _ in want]
    assert min(psnr(a, b) for (_, a), (_, b) in zip(got, want, strict=True)) >= 35.0


def test_a_title_over_every_gop_is_a_full_reencode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    src = make_h264(tmp_path / "src.mp4", 90, params=x264(30, 2))
    fallback_case(src, tmp_path, [("All", 0, 3000)], caplog, "of the frames would be re-encoded")


def test_no_keyframe_near_the_title_is_a_full_reencode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One GOP and a title from its start: nothing could be copied."""
    src = make_h264(tmp_path / "src.mp4", 90, params=x264(250, 2))  # one GOP
    fallback_case(src, tmp_path, [("Start", 0, 500)], caplog, "of the frames would be re-encoded")


def test_open_gop_keyframes_are_not_cut_points(tmp_path: Path) -> None:
    """Open-GOP I-frames (not IDR; the B-frames decoded after them reach back) are never
    copied from: after a title the segment runs on to the next IDR, here the end."""
    src = make_h264(tmp_path / "src.mp4", 90, params=x264(30, 3, "open-gop=1"))
    with av.open(str(src)) as box:
        keys = [p for p in box.demux(box.streams.video[0]) if p.size and p.is_keyframe]
    assert len(keys) == 3  # flagged as keyframes in the mp4 all the same
    titles = [("Open", 1200, 500)]
    assert export(src, tmp_path / "smart.mp4", titles).picture == "smart"
    export(src, tmp_path / "full.mp4", titles, smart=False)
    s, f, o = (decoded(tmp_path / n) for n in ("smart.mp4", "full.mp4", "src.mp4"))
    assert [t for t, _ in s] == [t for t, _ in f] and len(s) == 90
    assert all(np.array_equal(s[k][1], o[k][1]) for k in range(30))  # the head: copied
    assert not any(np.array_equal(s[k][1], o[k][1]) for k in range(60, 90))  # re-encoded
    assert min(psnr(s[k][1], f[k][1]) for k in range(36, 51)) >= 30.0


def test_variable_frame_rate_is_a_full_reencode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tb = Fraction(1, 90000)
    rng = np.random.default_rng(4)
    steps = rng.choice([2400, 3000, 3600, 4500], size=90)  # 20 … 37.5 fps
    times = [0, *np.cumsum(steps[:-1]).tolist()]
    src = make_h264(tmp_path / "src.mp4", 90, params=x264(30, 0), times=times, time_base=tb)
    fallback_case(src, tmp_path, [("VFR", 1000, 400)], caplog, "variable frame rate")


def test_hevc_is_a_full_reencode(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    src = make_h264(tmp_path / "src.mp4", 60, codec="libx265", params="log-level=error:keyint=15")
    fallback_case(src, tmp_path, [("HEVC", 1000, 400)], caplog, "only H.264")


@pytest.mark.parametrize("pix_fmt", ["yuv444p", "yuv422p", "yuvj420p"])
def test_other_pixel_formats_are_a_full_reencode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, pix_fmt: str
) -> None:
    """4:4:4 and 4:2:2 (High 4:4:4 / 4:2:2 profiles) and full-range 4:2:0 (which the full
    re-encode converts to limited range)."""
    src = make_h264(tmp_path / "src.mp4", 60, params=x264(15, 0), pix_fmt=pix_fmt)
    fallback_case(src, tmp_path, [("Pixels", 1000, 400)], caplog, f"pixel format {pix_fmt}")


def test_an_edit_list_is_a_full_reencode(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Frames before 0 in the muxer: the mp4 gets an edit list hiding them."""
    src = make_h264(tmp_path / "src.mp4", 90, params=x264(30, 2), shift=-5)
    fallback_case(src, tmp_path, [("Edit", 1000, 400)], caplog, "edit list")


def test_interlaced_h264_is_a_full_reencode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    src = make_h264(tmp_path / "src.mp4", 60, params=x264(15, 0, "interlaced=1"))
    fallback_case(src, tmp_path, [("Fields", 1000, 400)], caplog, "interlaced")


def test_a_rotated_picture_is_a_full_reencode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    src = make_h264(tmp_path / "src.mp4", 60, params=x264(15, 0), rotation=90)
    fallback_case(src, tmp_path, [("Turned", 1000, 400)], caplog, "rotated")


def test_a_failed_verification_falls_back_to_the_full_reencode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the decoder check finds, the file is re-encoded in full (same temp file)."""
    monkeypatch.setattr(smart_render, "MIN_PSNR_DB", 120.0)  # nothing passes
    src = make_h264(tmp_path / "src.mp4", 90, params=x264(30, 2))
    fallback_case(src, tmp_path, [("Check", 1000, 400)], caplog, "smart render failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fallback.mp4", "full.mp4", "src.mp4"]


def test_a_splice_the_decoder_gets_wrong_falls_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken splice (the segment's packets without their parameter sets, so they decode
    against the source's or not at all) is caught by the decoder check."""
    real = smart_render.to_avcc

    def no_sets(nals: list[bytes], nal_len: int) -> bytes:
        return real([n for n in nals if n[0] & 31 not in (7, 8)], nal_len)

    monkeypatch.setattr(smart_render, "to_avcc", no_sets)
    real_build = smart_render.build_avcc
    monkeypatch.setattr(smart_render, "build_avcc", lambda src, _s, _p: real_build(src, [], []))
    src = make_h264(tmp_path / "src.mp4", 90, params=x264(30, 2))
    fallback_case(src, tmp_path, [("Broken", 1000, 400)], caplog, "smart render failed")


# ---- control: progress, cancel, temp files --------------------------------------------------


def test_progress_is_monotonic_and_ends_at_1(tmp_path: Path) -> None:
    src = make_h264(tmp_path / "src.mp4", 300, params=x264(30, 2))
    seen: list[float] = []
    r = export(src, tmp_path / "p.mp4", [("Hi", 1000, 1500)], progress=seen.append)
    assert r.picture == "smart"
    assert seen == sorted(seen) and seen[-1] == 1.0 and seen.count(1.0) == 1
    assert max(np.diff([0.0, *seen])) <= 0.03


def test_cancel_during_the_smart_render_leaves_no_file(tmp_path: Path) -> None:
    src = make_h264(tmp_path / "src.mp4", 240, params=x264(60, 2))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    seen: list[float] = []
    entered: list[bool] = []
    real_write: Callable[..., Any] = smart_render.write

    def cancelled() -> bool:
        return bool(entered) and bool(seen) and seen[-1] > 0.4

    def spy(*a: Any, **kw: Any) -> Any:
        entered.append(True)
        return real_write(*a, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(smart_render, "write", spy)
        with pytest.raises(ExportCancelled):
            export(
                src,
                out_dir / "c.mp4",
                [("Stop", 1000, 2000)],
                progress=seen.append,
                cancelled=cancelled,
            )
    assert entered and seen[-1] < 1.0
    assert list(out_dir.iterdir()) == []


def test_smart_render_keeps_the_mixed_sound(tmp_path: Path) -> None:
    """A clip with its own sound and a music track: the picture is smart-rendered, the
    sound mixed and encoded as on every path, both streams as long as the clip."""
    src = make_clip(tmp_path / "src.mp4", duration_s=4.0, cuts_s=[2.0], preset="veryfast")
    t = np.arange(4 * 48_000) / 48_000
    tone = (0.3 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    music = write_audio(tmp_path / "music.wav", np.stack([tone, tone], 1), 48_000)
    draft = {
        "t": [
            {"tt": 0, "sg": [{"d": 4000, "m": {"src": "clip"}}]},
            {"tt": 1, "sg": [{"d": 4000, "m": {"src": "music", "volume": 50}}]},
            {"tt": 7, "sg": [{"d": 800, "m": {"text": "Sound", "start": 2500}}]},
        ]
    }
    out = tmp_path / "out.mp4"
    r = export_draft(draft, {"clip": src, "music": music}.__getitem__, out)
    assert r.picture == "smart" and r.has_audio
    with av.open(str(out)) as box:
        assert [s.codec_context.name for s in box.streams] == ["h264", "aac"]
        assert abs(box.duration / av.time_base - 4.0) < 0.1
    audio, rate = read_audio(out)
    assert rate == 48_000 and abs(audio.shape[0] / rate - 4.0) < 0.05
    assert np.sqrt(np.mean(audio[rate : 3 * rate] ** 2)) > 0.05  # the music is there
    assert len(decoded(out)) == 120
