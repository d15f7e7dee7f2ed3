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


def export(src: Path, out: Path, **seg: Any) -> Path:
    draft = {"t": [{"tt": 0, "sg": [{"d": seg.pop("d", 2000), "m": {"src": "upload:x", **seg}}]}]}
    export_draft(draft, lambda _src: src, out)
    return out


def test_variable_rate_phone_clip_comes_out_at_its_standard_rate(tmp_path: Path) -> None:
    src = make_vfr_phone_clip(tmp_path / "phone.mov")
    with av.open(str(src)) as f:
        v = f.streams.video[0]
        assert not 29 < float(v.average_rate) < 31  # really variable: no standard average
        n_src = sum(1 for p in f.demux(v) if p.size)
    out = export(src, tmp_path / "phone-music.mp4", d=3000)
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
