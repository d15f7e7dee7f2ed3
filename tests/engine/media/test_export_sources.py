"""Exports of the sources phones and cameras make, measured on the output with PyAV: a
variable-rate phone clip comes out at a standard rate, an anamorphic one keeps its shape,
HDR keeps its colour."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from nemodesk.engine.media.export import export_draft
from tests.fixtures.media import set_display_rotation


def _frame(i: int, w: int, h: int) -> av.VideoFrame:
    """A bright picture edge to edge (a ramp that moves), so black bars would show."""
    x = np.linspace(60, 200, w)[None, :] + np.linspace(0, 40, h)[:, None] + (i * 3) % 40
    img = np.clip(np.stack([x, 255 - x, x * 0.5 + 60], axis=2), 0, 255).astype(np.uint8)
    return av.VideoFrame.from_ndarray(img, format="rgb24")


def make_vfr_phone_clip(path: Path, seconds: float = 3.0) -> Path:
    """HEVC in a 1/600 clock with frames 1/30 s apart and every so often one dropped: a
    phone's variable rate (declared 30, averaging ~26)."""
    rng = np.random.default_rng(1)
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx265", rate=30)
        vs.width, vs.height, vs.pix_fmt = 160, 90, "yuv420p"
        vs.options = {"preset": "ultrafast", "x265-params": "log-level=error"}
        vs.codec_context.time_base = vs.time_base = Fraction(1, 600)
        t, i = 0, 0
        while t < seconds * 600:
            frame = _frame(i, 160, 90)
            frame.pts, frame.time_base = t, Fraction(1, 600)
            out.mux(vs.encode(frame))
            t += 20 if rng.random() < 0.75 else 40
            i += 1
        out.mux(vs.encode(None))
    return path


def make_anamorphic_clip(path: Path, seconds: float = 2.0) -> Path:
    """PAL 16:9 DV's shape: a 5:4 frame of wide pixels (SAR 64/45), MPEG-4 in AVI."""
    w, h = 180, 144
    with av.open(str(path), "w") as out:
        vs = out.add_stream("mpeg4", rate=25)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.bit_rate = 800_000
        vs.codec_context.sample_aspect_ratio = Fraction(64, 45)
        for i in range(round(seconds * 25)):
            frame = _frame(i, w, h)
            frame.pts = i
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
    return path


def export(src: Path, out: Path, title: str = "", **seg: Any) -> Path:
    """The clip alone (copied when it can be), or under a title (so it is re-encoded)."""
    d = seg.pop("d", 2000)
    draft: dict[str, Any] = {"t": [{"tt": 0, "sg": [{"d": d, "m": {"src": "upload:x", **seg}}]}]}
    if title:
        draft["t"].append({"tt": 7, "sg": [{"d": 300, "m": {"text": title, "start": 0}}]})
    export_draft(draft, lambda _src: src, out)
    return out


def test_variable_rate_phone_clip_comes_out_at_its_standard_rate(tmp_path: Path) -> None:
    src = make_vfr_phone_clip(tmp_path / "phone.mov")
    with av.open(str(src)) as f:
        v = f.streams.video[0]
        assert not 29 < float(v.average_rate) < 31  # really variable: no standard average
        n_src = sum(1 for p in f.demux(v) if p.size)
    out = export(src, tmp_path / "phone-music.mp4", title="Trip", d=3000)
    with av.open(str(out)) as f:
        v = f.streams.video[0]
        times = [float(fr.time) for fr in f.decode(v)]
        assert v.codec_context.name == "h264"
        assert v.average_rate == 30 and v.guessed_rate == 30
    steps = np.diff(times)
    assert np.allclose(steps, 1 / 30, atol=1e-3)  # constant 30 fps, no odd rate
    assert len(times) == 90 and n_src < 90


def test_anamorphic_clip_keeps_its_display_shape(tmp_path: Path) -> None:
    src = make_anamorphic_clip(tmp_path / "dv.avi")
    with av.open(str(src)) as f:
        v = f.streams.video[0]
        sar = v.sample_aspect_ratio or v.codec_context.sample_aspect_ratio
        assert sar == Fraction(64, 45)
        shape = v.codec_context.width * float(sar) / v.codec_context.height
    assert shape == pytest.approx(16 / 9, rel=1e-3)
    out = export(src, tmp_path / "dv-music.mp4")
    with av.open(str(out)) as f:
        v = f.streams.video[0]
        out_sar = v.sample_aspect_ratio or v.codec_context.sample_aspect_ratio or Fraction(1)
        frame = next(f.decode(v))
        shown = frame.width * float(out_sar) / frame.height
        luma = frame.to_ndarray(format="gray").astype(float)
    assert shown == pytest.approx(16 / 9, rel=0.01)  # was 5:4 (180x144 of square pixels)
    # the picture fills the frame: no pillarbox bars at the sides
    assert luma[:, :3].mean() > 40 and luma[:, -3:].mean() > 40


# BT.2020 and BT.709 luma weights, and the linear-light primaries conversion (ITU-R BT.2087)
_K2020, _K709 = (0.2627, 0.0593), (0.2126, 0.0722)
_M2020_TO_709 = np.array(
    [[1.6605, -0.5876, -0.0728], [-0.1246, 1.1329, -0.0083], [-0.0182, -0.1006, 1.1187]]
)
_PATCHES = {"grey": (0.5, 0.5, 0.5), "warm": (0.62, 0.45, 0.33)}  # R'G'B' in BT.2020


def _ycbcr(rgb: np.ndarray, k: tuple[float, float], bits: int) -> np.ndarray:
    kr, kb = k
    r, g, b = rgb
    y = kr * r + (1 - kr - kb) * g + kb * b
    cb, cr = (b - y) / (2 * (1 - kb)), (r - y) / (2 * (1 - kr))
    scale = 1 << (bits - 8)
    return np.array([16 + 219 * y, 128 + 224 * cb, 128 + 224 * cr]) * scale


def _bt709_curve(v: np.ndarray) -> np.ndarray:
    return np.where(v < 0.018, 4.5 * v, 1.099 * v**0.45 - 0.099)


def _bt709_curve_inv(v: np.ndarray) -> np.ndarray:
    return np.where(v < 0.081, v / 4.5, ((v + 0.099) / 1.099) ** (1 / 0.45))


def make_iphone_hlg_clip(path: Path, seconds: float = 1.0) -> Path:
    """An iPhone's HDR: 10-bit HEVC tagged BT.2020 / HLG, left half one patch, right another."""
    w, h = 160, 96
    left, right = (_ycbcr(np.array(c), _K2020, 10) for c in _PATCHES.values())
    y = np.empty((h, w), np.uint16)
    u = np.empty((h // 2, w // 2), np.uint16)
    v = np.empty((h // 2, w // 2), np.uint16)
    for (a, b), c in (((0, w // 2), left), ((w // 2, w), right)):
        y[:, a:b] = round(c[0])
        u[:, a // 2 : b // 2] = round(c[1])
        v[:, a // 2 : b // 2] = round(c[2])
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx265", rate=30)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p10le"
        vs.options = {
            "preset": "ultrafast",
            "x265-params": "log-level=error:colorprim=bt2020:transfer=arib-std-b67"
            ":colormatrix=bt2020nc:range=limited",
        }
        cc = vs.codec_context
        cc.color_primaries, cc.color_trc, cc.colorspace, cc.color_range = 9, 18, 9, 1
        for i in range(round(seconds * 30)):
            frame = av.VideoFrame(w, h, "yuv420p10le")
            for plane, data in zip(frame.planes, (y, u, v), strict=True):
                rows = np.frombuffer(plane, np.uint16).reshape(-1, plane.line_size // 2)
                rows[: data.shape[0], : data.shape[1]] = data
            frame.pts, frame.time_base = i, Fraction(1, 30)
            frame.colorspace = 9  # the encoder takes primaries and transfer from cc
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
    return path


def test_iphone_hdr_is_copied_when_nothing_is_drawn(tmp_path: Path) -> None:
    src = make_iphone_hlg_clip(tmp_path / "IMG_0001.MOV")
    out = export(src, tmp_path / "hdr-music.mp4", d=1000)
    with av.open(str(out)) as f:
        cc = f.streams.video[0].codec_context
        assert cc.name == "hevc" and cc.pix_fmt == "yuv420p10le"
        assert (cc.color_primaries, cc.color_trc, cc.colorspace) == (9, 18, 9)


def test_iphone_hdr_under_a_title_is_tone_mapped_to_tagged_bt709(tmp_path: Path) -> None:
    src = make_iphone_hlg_clip(tmp_path / "IMG_0002.MOV")
    out = export(src, tmp_path / "hdr-title.mp4", title="Hi", d=1000)
    with av.open(str(out)) as f:
        v = f.streams.video[0]
        cc = v.codec_context
        assert cc.name == "h264" and cc.pix_fmt == "yuv420p"
        assert (cc.color_primaries, cc.color_trc, cc.colorspace) == (1, 1, 1)
        frame = next(f.decode(v))
        yuv = frame.to_ndarray()  # (h * 3 / 2, w) planar
    h, w = frame.height, frame.width
    u = yuv[h:].reshape(2, h // 2, w // 2)[0]
    vv = yuv[h:].reshape(2, h // 2, w // 2)[1]
    for (name, rgb2020), xs in zip(_PATCHES.items(), ((10, 60), (100, 150)), strict=True):
        # the reference, computed here: BT.2020 R'G'B' -> linear -> BT.709 primaries -> 8-bit
        lin709 = _M2020_TO_709 @ _bt709_curve_inv(np.array(rgb2020))
        want = _ycbcr(_bt709_curve(np.clip(lin709, 0, 1)), _K709, 8)
        got = np.array(
            [
                yuv[8 : h // 2, xs[0] : xs[1]].mean(),  # above the title
                u[4 : h // 4, xs[0] // 2 : xs[1] // 2].mean(),
                vv[4 : h // 4, xs[0] // 2 : xs[1] // 2].mean(),
            ]
        )
        assert np.abs(got - want).max() <= 3.0, (name, got.round(1), want.round(1))


def make_portrait_phone_clip(path: Path, seconds: float = 1.0) -> Path:
    """A phone held upright: landscape 320x180 pictures with a display rotation of -90 (the
    picture is shown turned a quarter clockwise), a white block in the coded top-left."""
    w, h = 320, 180
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=30)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "18"}
        for i in range(round(seconds * 30)):
            img = np.full((h, w, 3), 40, np.uint8)
            img[:40, :60] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
    return set_display_rotation(path, -90)


def _shown_picture(path: Path) -> tuple[np.ndarray, int]:
    """The first picture as a viewer sees it (luma, turned by its display rotation) and the
    rotation the file declares."""
    with av.open(str(path)) as f:
        frame = next(f.decode(video=0))
        rotation = round(frame.rotation or 0)
        luma = frame.to_ndarray(format="gray")
    return np.rot90(luma, round(rotation / 90) % 4), rotation


@pytest.mark.parametrize("title", ["", "Upright"])
def test_a_portrait_phone_clip_is_shown_upright(tmp_path: Path, title: str) -> None:
    """Copied (nothing drawn) it keeps its display rotation; re-encoded under a title its
    pictures are turned upright (PyAV 15 cannot write a rotation). Either way a viewer sees
    a 180x320 portrait picture with the block top-right, and the title does not lie on its
    side."""
    src = make_portrait_phone_clip(tmp_path / "IMG_0003.MOV")
    seen, rotation = _shown_picture(src)
    assert (rotation, seen.shape) == (-90, (320, 180))
    assert seen[:50, -30:].mean() > 200 and seen[:50, :30].mean() < 80  # the block: top-right
    out = export(src, tmp_path / "portrait.mp4", title=title, d=1000)
    shown, rotation = _shown_picture(out)
    assert rotation == (-90 if not title else 0)
    assert shown.shape == (320, 180)
    assert shown[:50, -30:].mean() > 200 and shown[:50, :30].mean() < 80
