"""Smart render: a titled H.264 clip re-encodes only the GOPs its titles cover.

The export of one whole H.264 clip is a packet copy (frames.copy_packets); a title used to
force decoding and re-encoding every frame. Here only the GOPs (keyframe to next keyframe)
holding a titled frame are decoded, titled (title.py) and encoded again; every other packet
is copied as it is. The output is what a full re-encode would show frame for frame: the same
frames at the same times, the title frames re-encoded with the export's own x264 settings,
the others bit-identical to the source.

How the pieces fit:
- A segment ends at a cut: an IDR keyframe that splits the stream cleanly (every packet
  before it in decode order is shown before it, every packet after it from it on: no
  open-GOP leading pictures). An IDR empties the decoder's reference list, so the GOP
  after a cut never looks back across it and is copied as it is.
- A segment starts at the last clean split at or before the first titled frame, an IDR or
  not (a mini-GOP boundary inside a GOP): the packets before it decode on their own, so
  the head of the GOP is copied too, and decoded once more only as the segment's
  references. So a title from 1 s to 5 s in a GOP from 0 to 8.3 s re-encodes frames 1 to
  8.3 s.
- The segment is encoded by libx264 with the export's preset and CRF at the source's
  profile, level, chroma format and bit depth, and its own SPS/PPS id (one the source does
  not use). Its parameter sets go both in-band (before each IDR: repeat headers) and into the
  output's avcC next to the source's, so the copied GOPs still find theirs untouched.
- The segment's packets take the source packets' decode times in order, so decode times rise
  across both splices; its B-frames reorder no deeper than those times allow (B-pyramid
  under a B-pyramid source, plain B-frames, or none: with none, decode order is display
  order and the k-th decode time of any valid stream is never after its k-th display time).
- After writing, the output is checked with a real decoder: every frame present once at its
  time; each segment decoded from the GOP before it and compared with the frames given to
  the encoder (PSNR); the first frames of the GOP after it bit-identical to the source.
  Anything off raises SmartRenderFailed and the export re-encodes everything instead.

Sources that can't be cut cleanly are refused up front (SmartRefused with the reason):
other codecs (HEVC included), pixel formats other than 8-bit 4:2:0, interlacing, scaling
matrices, edit lists, frame times off a constant-rate grid (variable frame rate), frame
counts that differ from the timeline's, rotation, anamorphic pixels, HDR, titles leaving no
clean cut to copy from.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.container import OutputContainer
from av.video.frame import PictureType

from nemodesk.engine.media.audiomix import SourceReadError, source_packets
from nemodesk.engine.media.frames import _VIDEO_QUALITY, INTERLEAVE_S, Clip, Sound, standard_rate
from nemodesk.engine.media.probe import picture_stream
from nemodesk.engine.media.title import Overlay, make_overlay

log = logging.getLogger("nemodesk.engine")

# Past this share of frames re-encoded, the full re-encode costs about the same (and is
# what a title over the whole clip, or over most of a clip in one GOP, gets).
MAX_SHARE = 0.9
MIN_PSNR_DB = 25.0  # a segment decoded from the output vs the frames encoded (sanity, not taste)
_CHECK_PACKETS = 12  # packets of the copied GOP after a segment decoded and compared exactly
_MAX_REFS = 240  # encoder inputs kept (at 1/16 size) to compare with: memory stays bounded
_PROFILES = {66: "baseline", 77: "main", 100: "high"}  # H.264 profile_idc -> x264 profile
# Share of the work per frame: copying a packet, encoding a frame, decoding it to verify.
_COPY_W, _ENCODE_W, _VERIFY_W = 0.01, 1.0, 0.25


class SmartRefused(Exception):
    """The source can't be cut cleanly; the message says why."""


class SmartRenderFailed(Exception):
    """The smart-rendered output did not verify; the message says what was off."""


# ---- H.264 bitstream facts --------------------------------------------------------------


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def u(self, n: int) -> int:
        v = 0
        for _ in range(n):
            byte = self.data[self.pos >> 3] if (self.pos >> 3) < len(self.data) else 0
            v = (v << 1) | ((byte >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return v

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("bad exp-Golomb code")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k & 1 else -(k // 2)


def _rbsp(nal: bytes) -> bytes:
    """The NAL's payload without its header byte and emulation-prevention bytes."""
    return nal[1:].replace(b"\x00\x00\x03", b"\x00\x00")


@dataclass(frozen=True)
class Sps:
    profile: int
    level: int
    sps_id: int
    chroma: int
    bit_depth: int
    scaling: bool
    ref_frames: int
    progressive: bool


def parse_sps(nal: bytes) -> Sps:
    b = _Bits(_rbsp(nal))
    profile = b.u(8)
    b.u(8)  # constraint flags
    level = b.u(8)
    sps_id = b.ue()
    chroma, depth, depth_c, scaling = 1, 8, 8, False
    if profile in (100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135):
        chroma = b.ue()
        if chroma == 3:
            b.u(1)
        depth, depth_c = b.ue() + 8, b.ue() + 8
        b.u(1)  # qpprime_y_zero_transform_bypass
        scaling = bool(b.u(1))
        if scaling:  # the lists are not parsed: such a source is refused anyway
            return Sps(profile, level, sps_id, chroma, max(depth, depth_c), True, 0, False)
    b.ue()  # log2_max_frame_num_minus4
    poc_type = b.ue()
    if poc_type == 0:
        b.ue()
    elif poc_type == 1:
        b.u(1)
        b.se()
        b.se()
        for _ in range(b.ue()):
            b.se()
    refs = b.ue()
    b.u(1)  # gaps_in_frame_num_allowed
    b.ue()  # width in MBs
    b.ue()  # height in map units
    progressive = bool(b.u(1))
    return Sps(profile, level, sps_id, chroma, max(depth, depth_c), scaling, refs, progressive)


def _pps_ids(nal: bytes) -> tuple[int, int]:
    b = _Bits(_rbsp(nal))
    return b.ue(), b.ue()


@dataclass(frozen=True)
class AvcC:
    nal_len: int
    sps: tuple[bytes, ...]
    pps: tuple[bytes, ...]
    tail: bytes  # the High-profile extension after the PPS list, kept as it is
    head: bytes  # version, profile, compatibility, level


def parse_avcc(data: bytes) -> AvcC:
    if len(data) < 7 or data[0] != 1:
        raise ValueError("not an avcC record")
    pos = 6
    nal_len = (data[4] & 3) + 1
    sets: list[list[bytes]] = [[], []]
    for which, count in ((0, data[5] & 31), (1, None)):
        if count is None:
            count = data[pos]
            pos += 1
        for _ in range(count):
            n = int.from_bytes(data[pos : pos + 2], "big")
            sets[which].append(bytes(data[pos + 2 : pos + 2 + n]))
            pos += 2 + n
            if pos > len(data):
                raise ValueError("truncated avcC")
    return AvcC(nal_len, tuple(sets[0]), tuple(sets[1]), bytes(data[pos:]), bytes(data[:4]))


def build_avcc(src: AvcC, sps: list[bytes], pps: list[bytes]) -> bytes:
    """src's record with more parameter sets appended (the source's stay first)."""
    all_sps, all_pps = [*src.sps, *sps], [*src.pps, *pps]
    out = bytearray(src.head)
    out.append(0xFC | (src.nal_len - 1))
    out.append(0xE0 | len(all_sps))
    for s in all_sps:
        out += len(s).to_bytes(2, "big") + s
    out.append(len(all_pps))
    for p in all_pps:
        out += len(p).to_bytes(2, "big") + p
    return bytes(out + src.tail)


def avcc_nals(data: bytes, nal_len: int) -> list[bytes]:
    out, pos = [], 0
    while pos + nal_len <= len(data):
        n = int.from_bytes(data[pos : pos + nal_len], "big")
        pos += nal_len
        out.append(data[pos : pos + n])
        pos += n
    return out


def annexb_nals(data: bytes) -> list[bytes]:
    """The NAL units of an Annex B packet (start-code separated)."""
    starts, pos = [], data.find(b"\x00\x00\x01")
    while pos >= 0:
        starts.append(pos + 3)
        pos = data.find(b"\x00\x00\x01", pos + 3)
    out = []
    for i, s in enumerate(starts):
        end = starts[i + 1] - 3 if i + 1 < len(starts) else len(data)
        nal = data[s:end]
        if i + 1 < len(starts):
            nal = nal.rstrip(b"\x00")  # the next start code's leading zero
        if nal:
            out.append(nal)
    return out


def to_avcc(nals: list[bytes], nal_len: int) -> bytes:
    limit = 1 << (8 * nal_len)
    out = bytearray()
    for nal in nals:
        if len(nal) >= limit:
            raise SmartRenderFailed("a NAL unit too long for the source's length field")
        out += len(nal).to_bytes(nal_len, "big") + nal
    return bytes(out)


# ---- the plan ---------------------------------------------------------------------------


@dataclass
class SmartPlan:
    """What to copy and what to encode. Frame indices count in display order; a segment
    [k0, k1) is exactly the packets at decode positions k0..k1-1 (see plan())."""

    clip: Clip
    fps: Fraction
    tb: Fraction
    start: int  # the stream's start_time: output times are shifted by it
    pts: list[int]  # per frame (display order), source pts
    dts: list[int]  # per decode position, source dts
    durations: list[int]  # per frame
    cuts: list[int]  # where a clean IDR starts a GOP (frame index = decode position)
    segments: list[tuple[int, int]]  # [k0, k1) to re-encode
    overlays: list[Overlay]
    avcc: bytes  # the output's extradata: the source's record plus the segment's sets
    nal_len: int
    options: dict[str, str]
    colour: tuple[int, int, int, int]
    width: int
    height: int
    enc_sets: tuple[bytes, bytes] = (b"", b"")  # the encoder's SPS and PPS
    n: int = 0
    frame_at: dict[int, int] = field(default_factory=dict)  # source pts -> frame index
    # Filled while writing, read by verify():
    refs: dict[int, np.ndarray] = field(default_factory=dict)  # k -> encoder input, luma / 4
    # first frame of a copied GOP after a segment -> {k: digest of the source's frame k}
    hashes: dict[int, dict[int, str]] = field(default_factory=dict)

    @property
    def encoded(self) -> int:
        return sum(b - a for a, b in self.segments)

    def keeps_ref(self, k: int, k0: int, k1: int) -> bool:
        """Whether frame k of segment [k0, k1) is kept for the PSNR check: all of them in
        a short render, an even sample (with each segment's ends) in a long one."""
        stride = max(1, math.ceil(self.encoded / _MAX_REFS))
        return (k - k0) % stride == 0 or k == k1 - 1

    def work(self) -> float:
        """Work units (see _COPY_W …) for progress."""
        verify = sum(b - self._prev_cut(a) + _CHECK_PACKETS for a, b in self.segments)
        return self.n * _COPY_W + self.encoded * _ENCODE_W + verify * _VERIFY_W

    def _prev_cut(self, k0: int) -> int:
        """The last cut before k0 (k0 itself when there is none): where a check decodes."""
        before = [c for c in self.cuts if c < k0]
        return before[-1] if before else k0

    def decode_from(self, k0: int) -> int:
        """Where decoding for segment k0 starts: the last cut at or before it (packets in
        between are copied and also decoded, as references for the segment's frames)."""
        return max(c for c in self.cuts if c <= k0)

    def out_time(self, k: int) -> Fraction:
        return (self.pts[k] - self.start) * self.tb


def _frame_digest(frame: av.VideoFrame) -> str:
    """The picture's digest, independent of the decoder's line padding."""
    return hashlib.blake2b(frame.to_ndarray().tobytes(), digest_size=16).hexdigest()


def _luma4(frame: av.VideoFrame) -> np.ndarray:
    return np.ascontiguousarray(frame.to_ndarray()[: frame.height : 4, ::4])


# x264 settings by the reordering the source's decode times leave room for (see _reorder).
_REORDER = {2: "", 1: ":b-pyramid=none", 0: ":bframes=0"}


def _encoder_options(sps: Sps, sps_id: int, quality: str, reorder: int) -> dict[str, str]:
    """The export's own preset and CRF (frames.add_video_stream), at the source's profile
    and level, with its own parameter-set id and the sets before every IDR."""
    preset, crf, _vp9 = _VIDEO_QUALITY[quality]
    level = "1b" if sps.level == 9 else f"{sps.level / 10:g}"
    params = f"sps-id={sps_id}:repeat-headers=1{_REORDER[reorder]}"
    return {
        "preset": preset,
        "crf": str(crf),
        "profile": _PROFILES[sps.profile],
        "level": level,
        "x264-params": params,
    }


def _encoder(plan: SmartPlan) -> av.VideoCodecContext:
    cc = av.CodecContext.create("libx264", "w")
    cc.width, cc.height, cc.pix_fmt = plan.width, plan.height, "yuv420p"
    cc.time_base = 1 / plan.fps
    cc.framerate = plan.fps
    cc.flags |= av.codec.context.Flags.global_header  # the sets as extradata too
    cc.thread_count = 0  # as the full re-encode (frames.add_video_stream)
    cc.color_range, cc.color_primaries, cc.color_trc, cc.colorspace = plan.colour
    cc.options = dict(plan.options)
    cc.open()
    return cc


def _reorder(segments: list[tuple[int, int]], dts: list[int], pts: list[int]) -> int:
    """How far (in frames) the segment's encoder may reorder. Its packets take the source's
    decode times in order; an encoder reordering by r frames puts at decode position j a
    frame at or after j - r, which must not be shown before that decode time. pts is in
    display order."""
    for r in (2, 1):
        if all(dts[j] <= pts[max(a, j - r)] for a, b in segments for j in range(a, b)):
            return r
    return 0


def plan(
    clip: Clip,
    length_s: float,
    titles: list[tuple[str, float, float]],
    quality: str,
    check: Callable[[], None],
) -> SmartPlan:
    """The smart render of `clip` (one whole clip, the copy path's conditions already met)
    under `titles`, or SmartRefused saying why it can't be cut cleanly."""
    info = clip.info
    if info.video_codec != "h264":
        raise SmartRefused(f"{info.video_codec} video: only H.264 is cut and re-encoded in part")
    if info.hdr:
        raise SmartRefused("HDR picture: the full re-encode converts it to SDR")
    if clip.rotation:
        raise SmartRefused("rotated picture")
    if abs(info.sample_aspect - 1.0) > 1e-3:
        raise SmartRefused("anamorphic pixels: the full re-encode makes them square")
    if info.width % 2 or info.height % 2:
        raise SmartRefused("odd picture size")
    fps = standard_rate(info.fps, info.nominal_fps)
    try:
        with av.open(str(clip.path)) as box:
            stream = picture_stream(box)
            if stream is None:
                raise SmartRefused("no picture stream")
            cc = stream.codec_context
            if cc.pix_fmt != "yuv420p":
                raise SmartRefused(f"pixel format {cc.pix_fmt}")
            try:
                record = parse_avcc(bytes(cc.extradata or b""))
                src_sets = [parse_sps(s) for s in record.sps]
                pps_ids = [_pps_ids(p) for p in record.pps]
            except (ValueError, IndexError):
                raise SmartRefused("no avcC parameter sets") from None
            if len(src_sets) != 1:
                raise SmartRefused(f"{len(src_sets)} SPS in avcC")
            sps = src_sets[0]
            if sps.profile not in _PROFILES:
                raise SmartRefused(f"H.264 profile {sps.profile}")
            if sps.chroma != 1 or sps.bit_depth != 8:
                raise SmartRefused(f"chroma format {sps.chroma}, {sps.bit_depth}-bit")
            if sps.scaling:
                raise SmartRefused("custom scaling matrices")
            if not sps.progressive:
                raise SmartRefused("interlaced H.264")
            tb = stream.time_base or Fraction(1, 90000)
            start = stream.start_time or 0
            pts: list[int] = []
            dts: list[int] = []
            durs: list[int] = []
            idr: list[bool] = []
            used_ids = {sps.sps_id, *(i for pair in pps_ids for i in pair)}
            for packet in box.demux(stream):
                if packet.size == 0:
                    continue
                if len(pts) % 256 == 0:
                    check()
                if packet.pts is None or packet.dts is None:
                    raise SmartRefused("packets without timestamps")
                if packet.is_discard or packet.pts < start:
                    raise SmartRefused("an edit list hides frames")
                pts.append(packet.pts)
                dts.append(packet.dts)
                durs.append(packet.duration or 0)
                is_idr = False
                if packet.is_keyframe:
                    for nal in avcc_nals(bytes(packet), record.nal_len):
                        kind = nal[0] & 31 if nal else 0
                        is_idr = is_idr or kind == 5
                        if kind == 7:
                            used_ids.add(parse_sps(nal).sps_id)
                        elif kind == 8:
                            used_ids.update(_pps_ids(nal))
                idr.append(is_idr)
            colour = (cc.color_range, cc.color_primaries, cc.color_trc, cc.colorspace)
            width, height = cc.width, cc.height
    except (av.FFmpegError, OSError) as err:
        raise SourceReadError(clip.path) from err

    n = len(pts)
    if n != max(1, round(length_s * fps)):
        raise SmartRefused(f"{n} frames where the timeline holds {round(length_s * fps)}")
    if any(b <= a for a, b in itertools.pairwise(dts)):
        raise SmartRefused("decode times not rising")
    order = sorted(range(n), key=pts.__getitem__)
    frame_of = [0] * n  # decode position -> frame index
    for k, i in enumerate(order):
        frame_of[i] = k
    step = 1 / fps
    for k, i in enumerate(order):
        if abs(float((pts[i] - start) * tb) - float(k * step)) >= 0.25 / float(fps):
            raise SmartRefused("frame times off a constant-rate grid (variable frame rate)")
    # Entries: decode positions i where packets 0..i-1 are frames 0..i-1, so they decode on
    # their own (their references are among them) and packets i.. are frames i..: copying
    # may stop there and a segment start with an IDR of its own. Cuts: entries where the
    # packet is an IDR showing frame i; copying may start again there (nothing after an
    # IDR looks back across it) and decoding may begin.
    entries, cuts, seen_max = [], [], -1
    for i in range(n):
        if seen_max == i - 1:
            entries.append(i)
            if idr[i] and frame_of[i] == i:
                cuts.append(i)
        seen_max = max(seen_max, frame_of[i])
    if not cuts or cuts[0] != 0:
        raise SmartRefused("the picture does not start on an IDR keyframe")

    overlays = [
        o for text, a, b in titles if (o := make_overlay(text, width, height, a, b)) is not None
    ]
    titled = [
        k for k in range(n) if any(o.strength(float(k * step)) > 0 for o in overlays)
    ]  # the same times and test as frames.encode_video
    segments: list[tuple[int, int]] = []
    for k in titled:  # from the last entry at or before k to the first cut after it
        a = entries[int(np.searchsorted(entries, k, side="right")) - 1]
        j = int(np.searchsorted(cuts, k, side="right"))
        b = cuts[j] if j < len(cuts) else n
        if segments and segments[-1][1] >= a:
            segments[-1] = (segments[-1][0], max(segments[-1][1], b))
        else:
            segments.append((a, b))
    share = sum(b - a for a, b in segments) / n
    if share > MAX_SHARE:
        raise SmartRefused(
            f"no clean cut outside the titles: {share:.0%} of the frames would be re-encoded"
        )

    free = next(i for i in range(32) if i not in used_ids) if len(used_ids) < 32 else None
    if free is None:
        raise SmartRefused("no free parameter-set id")
    smart = SmartPlan(
        clip=clip,
        fps=fps,
        tb=tb,
        start=start,
        pts=[pts[i] for i in order],
        dts=dts,
        durations=[durs[i] for i in order],
        cuts=cuts,
        segments=segments,
        overlays=overlays,
        avcc=b"",
        nal_len=record.nal_len,
        options=_encoder_options(sps, free, quality, _reorder(segments, dts, sorted(pts))),
        colour=colour,
        width=width,
        height=height,
        n=n,
    )
    smart.frame_at = {p: k for k, p in enumerate(smart.pts)}
    # The segment's parameter sets, from the encoder itself (they depend on its settings
    # only), checked against the source's and added to the avcC.
    try:
        probe = _encoder(smart)
        extra = annexb_nals(bytes(probe.extradata or b""))
    except (av.FFmpegError, ValueError) as err:
        raise SmartRefused(f"x264 refused the source's settings ({err})") from None
    new_sps = [x for x in extra if x[0] & 31 == 7]
    new_pps = [x for x in extra if x[0] & 31 == 8]
    if len(new_sps) != 1 or len(new_pps) != 1:
        raise SmartRefused("x264 gave no parameter sets")
    ours = parse_sps(new_sps[0])
    same = (ours.profile, ours.level, ours.chroma, ours.bit_depth, ours.progressive)
    if same != (sps.profile, sps.level, sps.chroma, sps.bit_depth, sps.progressive):
        raise SmartRefused(f"x264's SPS {ours} can't match the source's {sps}")
    if ours.sps_id != free or _pps_ids(new_pps[0]) != (free, free):
        raise SmartRefused("x264 did not take the parameter-set id")
    smart.enc_sets = (new_sps[0], new_pps[0])
    smart.avcc = build_avcc(record, [new_sps[0]], [new_pps[0]])
    return smart


# ---- writing ----------------------------------------------------------------------------


class _Segment:
    """One segment being re-encoded: source packets in, titled frames encoded, packets out
    with the source's times."""

    def __init__(self, plan: SmartPlan, k0: int, k1: int, src_cc: av.VideoCodecContext) -> None:
        self.plan, self.k0, self.k1 = plan, k0, k1
        self.dec = av.CodecContext.create(src_cc.name, "r")
        self.dec.extradata = src_cc.extradata
        self.dec.thread_type = "AUTO"
        self.enc = _encoder(plan)
        self.next_frame = k0
        self.next_packet = k0  # decode position of the next packet out
        self.index = {plan.pts[k]: k for k in range(k0, k1)}

    def feed(self, packet: av.Packet | None) -> list[av.Packet]:
        out: list[av.Packet] = []
        for frame in self.dec.decode(packet):
            out += self._encode(frame)
        if packet is None:
            if self.next_frame != self.k1:
                raise SmartRenderFailed(
                    f"segment {self.k0}-{self.k1}: {self.next_frame - self.k0} frames decoded"
                )
            out += self._wrap(self.enc.encode(None))
            if self.next_packet != self.k1:
                raise SmartRenderFailed(f"segment {self.k0}-{self.k1}: encoder lost frames")
        return out

    def _encode(self, frame: av.VideoFrame) -> list[av.Packet]:
        plan = self.plan
        k = self.index.get(frame.pts) if frame.pts is not None else None
        if k is None and frame.pts is not None and plan.frame_at.get(frame.pts, -1) < self.k0:
            return []  # a copied frame decoded as a reference for the segment
        if k != self.next_frame:
            raise SmartRenderFailed(f"frame {k} decoded where {self.next_frame} was due")
        self.next_frame += 1
        t = float(k * (1 / plan.fps))
        if frame.format.name != "yuv420p" or (frame.width, frame.height) != (
            plan.width,
            plan.height,
        ):
            raise SmartRenderFailed(
                f"frame {k} is {frame.format.name} {frame.width}x{frame.height}"
            )
        for overlay in plan.overlays:
            frame = overlay.apply(frame, t)
        if plan.keeps_ref(k, self.k0, self.k1):
            plan.refs[k] = _luma4(frame)
        frame.pts, frame.time_base = k, 1 / plan.fps
        frame.pict_type = PictureType.NONE
        return self._wrap(self.enc.encode(frame))

    def _wrap(self, packets: list[av.Packet]) -> list[av.Packet]:
        plan, out = self.plan, []
        for p in packets:
            k = p.pts
            if k is None or not self.k0 <= k < self.k1:
                raise SmartRenderFailed("the encoder returned a frame out of its segment")
            nals = annexb_nals(bytes(p))
            if k == self.k0:
                sets = tuple(x for x in nals if x[0] & 31 in (7, 8))
                if sets != plan.enc_sets:
                    raise SmartRenderFailed("the segment's parameter sets changed")
            q = av.Packet(to_avcc(nals, plan.nal_len))
            q.pts = plan.pts[k] - plan.start
            q.dts = plan.dts[self.next_packet] - plan.start
            q.duration = plan.durations[k]
            q.time_base = plan.tb
            q.is_keyframe = p.is_keyframe
            if q.dts > q.pts:
                raise SmartRenderFailed("decode time after display time")
            self.next_packet += 1
            out.append(q)
        return out


def write(
    oc: OutputContainer,
    plan: SmartPlan,
    make_sound: Callable[[], Sound | None],
    tick: Callable[[float], None],
) -> Sound | None:
    """Mux the smart render into oc: copied packets and re-encoded segments, the sound
    interleaved half a second ahead (make_sound adds its stream after the picture's).
    Returns the sound writer for the caller to finish."""
    plan.refs.clear()
    plan.hashes.clear()
    done = 0.0
    try:
        box = av.open(str(plan.clip.path))
    except (av.FFmpegError, OSError) as err:
        raise SourceReadError(plan.clip.path) from err
    with box:
        src = picture_stream(box)
        assert src is not None
        out = oc.add_stream_from_template(src)
        out.codec_context.extradata = plan.avcc
        sound = make_sound()
        begins = {plan.decode_from(a): (a, b) for a, b in plan.segments}
        checks = {b for a, b in plan.segments if b < plan.n}  # copied GOPs after a segment
        seg: _Segment | None = None
        check_dec: av.VideoCodecContext | None = None
        check_left = 0

        def mux(packet: av.Packet) -> None:
            if sound is not None:
                sound.until(float(packet.pts * plan.tb) + INTERLEAVE_S)
            packet.stream = out
            oc.mux(packet)

        window: dict[int, str] = {}

        def hash_frames(frames: list[av.VideoFrame]) -> None:
            for f in frames:
                window[plan.frame_at.get(f.pts, -1) if f.pts is not None else -1] = _frame_digest(f)

        i = 0
        for packet in source_packets(box, src, plan.clip.path):
            if i >= plan.n:
                raise SmartRenderFailed("the source has more packets than it had")
            if i in begins:  # decoding starts here; copying goes on up to the segment
                seg = _Segment(plan, *begins[i], src.codec_context)
            if seg is not None and i >= seg.k0:
                if i == seg.k0 and check_dec is not None:  # a short GOP between segments
                    hash_frames(check_dec.decode(None))
                    check_dec = None
                for q in seg.feed(packet):
                    mux(q)
                done += _ENCODE_W
                if i == seg.k1 - 1:
                    for q in seg.feed(None):
                        mux(q)
                    seg = None
            else:
                # Copied, and decoded as a reference for the segment:
                if seg is not None and seg.feed(packet):
                    raise SmartRenderFailed("a segment frame before the segment")
                if i in checks:
                    window = plan.hashes.setdefault(i, {})
                    check_dec = av.CodecContext.create(src.codec_context.name, "r")
                    check_dec.extradata = src.codec_context.extradata
                    check_left = _CHECK_PACKETS
                if check_dec is not None:
                    hash_frames(check_dec.decode(packet))
                    check_left -= 1
                    if check_left == 0 or i == plan.n - 1:
                        hash_frames(check_dec.decode(None))
                        check_dec = None
                if packet.pts is not None:
                    packet.pts -= plan.start
                if packet.dts is not None:
                    packet.dts -= plan.start
                mux(packet)
                done += _COPY_W
            i += 1
            tick(done)
        if seg is not None or i != plan.n:
            raise SmartRenderFailed(f"the source ended after {i} of {plan.n} packets")
        if check_dec is not None:
            hash_frames(check_dec.decode(None))
    return sound


# ---- verifying --------------------------------------------------------------------------


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float32) - b.astype(np.float32)) ** 2))
    return 99.0 if mse == 0 else 10 * math.log10(255.0**2 / mse)


def verify(path: Path, plan: SmartPlan, tick: Callable[[float], None]) -> dict[str, float]:
    """Check the written file with a real decoder (see the module's doc). Returns numbers
    for the log: frames, frames re-encoded, their lowest PSNR (dB) against the frames given
    to the encoder, copied frames after a splice compared bit for bit."""
    done = plan.n * _COPY_W + plan.encoded * _ENCODE_W
    times = {plan.out_time(k): k for k in range(plan.n)}
    with av.open(str(path)) as box:
        vs = box.streams.video[0]
        tb = vs.time_base
        seen = []
        last_dts = None
        for packet in box.demux(vs):
            if packet.size == 0:
                continue
            if packet.pts is None or packet.dts is None:
                raise SmartRenderFailed("an output packet without times")
            if last_dts is not None and packet.dts <= last_dts:
                raise SmartRenderFailed("output decode times not rising")
            last_dts = packet.dts
            seen.append(times.get(packet.pts * tb, -1))
        if sorted(seen) != list(range(plan.n)):
            raise SmartRenderFailed(f"{len(seen)} output frames, not the {plan.n} expected")
    check = _Check(plan, times)
    for k0, k1 in plan.segments:
        done = check.segment(path, k0, k1, tick, done)
    return {
        "frames": plan.n,
        "encoded": plan.encoded,
        "psnr_min_db": round(check.worst, 2),
        "exact": check.exact,
    }


class _Check:
    """Decodes the output around each segment: from the copied GOP before it through the
    first packets of the one after it."""

    def __init__(self, plan: SmartPlan, times: dict[Fraction, int]) -> None:
        self.plan, self.times = plan, times
        self.worst, self.exact = 99.0, 0

    def segment(
        self, path: Path, k0: int, k1: int, tick: Callable[[float], None], done: float
    ) -> float:
        plan = self.plan
        first = plan._prev_cut(k0)
        hashes = plan.hashes.get(k1, {})
        check = set(hashes) - {-1}
        got: list[int] = []
        with av.open(str(path)) as box:
            vs = box.streams.video[0]
            vs.thread_type = "AUTO"
            tb = vs.time_base
            box.seek(int((plan.dts[first] - plan.start) * plan.tb / tb), stream=vs, backward=True)
            dec = vs.codec_context
            fed, after = 0, 0

            def take(frames: list[av.VideoFrame]) -> None:
                for f in frames:
                    k = self.times.get(f.pts * tb, -1) if f.pts is not None else -1
                    got.append(k)
                    if k in plan.refs:
                        self.worst = min(self.worst, _psnr(_luma4(f), plan.refs[k]))
                    elif k in check:
                        if _frame_digest(f) != hashes[k]:
                            raise SmartRenderFailed(f"copied frame {k} decodes differently")
                        self.exact += 1

            for packet in box.demux(vs):
                if packet.size == 0:
                    continue
                take(dec.decode(packet))
                fed += 1
                tick(done + fed * _VERIFY_W)
                k = self.times.get(packet.pts * tb, -1) if packet.pts is not None else -1
                after += k >= k1  # the write hashed the first _CHECK_PACKETS of these
                if after >= _CHECK_PACKETS:
                    break
            take(dec.decode(None))
        missing = set(range(first, k1)) - set(got)
        if missing:
            raise SmartRenderFailed(f"frames {sorted(missing)[:5]} did not decode")
        if not check <= set(got):
            raise SmartRenderFailed("the GOP after a segment did not decode")
        inside = [k for k in got if first <= k < k1]
        if inside != sorted(inside) or len(inside) != len(set(inside)):
            raise SmartRenderFailed("frames decoded out of order or twice")
        if self.worst < MIN_PSNR_DB:
            raise SmartRenderFailed(f"a re-encoded frame decodes at {self.worst:.1f} dB")
        return done + fed * _VERIFY_W
