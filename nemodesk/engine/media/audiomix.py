"""The export's sound: music and the clips' own sound mixed sample-accurately in numpy.

Everything is 48 kHz stereo float32, channel-first (2, n) so it goes to the encoders as
planar frames without a reshuffle. The whole timeline is one buffer: music is placed first
and dipped under the clips' speech (nemodesk.core.ducking's curve, the one the app's
preview applies), then each clip's sound is added at its level, and a look-ahead limiter
keeps the sum under -1 dBFS. SoundWriter then feeds it to the
output's encoder a little ahead of the picture, so the file stays interleaved.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.container import OutputContainer
from numpy.lib.stride_tricks import sliding_window_view

from nemodesk.core.ducking import Breakpoints, gains_db
from nemodesk.engine.music.dsp import uniform_filter1d

RATE = 48_000
CEILING = 10 ** (-1 / 20)  # -1 dBFS: headroom for lossy encoders' overshoot

# Limiter: per 5 ms block the gain that brings the peak to the ceiling, spread over ±50 ms
# (min filter) and smoothed, so the gain moves in ramps instead of distorting the wave.
_LIM_BLOCK = 240
_LIM_SPREAD = 10

Tick = Callable[[float], None]  # called with seconds of timeline done; may raise to cancel


class SourceReadError(Exception):
    """A source file could not be decoded to the end (it is damaged)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path.name)
        self.path = path


def source_packets(
    box: av.container.InputContainer, stream: av.stream.Stream, path: Path
) -> Iterator[av.Packet]:
    """The stream's packets that carry data, for copying; a read that fails is the source's
    fault (SourceReadError), told apart from a failure of the output being written."""
    packets = box.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except (av.FFmpegError, ValueError) as err:
            raise SourceReadError(path) from err
        if packet.size:
            yield packet


MAX_BAD_PACKETS = 50  # damaged packets skipped (as players do) before a source counts as broken


def tolerant_decode(
    box: av.container.InputContainer, stream: av.stream.Stream, path: Path
) -> Iterator[av.frame.Frame]:
    """box.decode(stream), but a packet the decoder rejects is skipped, as players do,
    instead of ending the export; too many of them and the source is broken."""
    bad = 0
    for packet in box.demux(stream):
        try:
            frames = packet.decode()
        except av.InvalidDataError as err:
            bad += 1
            if bad > MAX_BAD_PACKETS:
                raise SourceReadError(path) from err
            continue
        yield from frames


@dataclass(frozen=True)
class Part:
    """One piece of sound on the timeline: `dur_s` of `path` from `in_s`, placed at
    `start_s`, at linear `gain`. `zero_s` is the source time the timeline calls 0 (the
    first picture of a video), so picture and sound stay in sync."""

    path: Path
    start_s: float
    in_s: float
    dur_s: float
    gain: float
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    zero_s: float = 0.0


def samples(seconds: float) -> int:
    return max(0, round(seconds * RATE))


def decode(
    path: Path, in_s: float, dur_s: float, tick: Tick | None = None, zero_s: float = 0.0
) -> np.ndarray:
    """`dur_s` seconds of the first audio stream from `in_s` as (2, n) float32 at 48 kHz
    stereo (shorter when the file ends first; empty without sound). Samples go straight
    into one preallocated buffer, so a long part costs its own size and no more."""
    want = samples(dur_s)
    out = np.zeros((2, want), np.float32)
    pos: int | None = None  # where the next decoded sample lands in `out`
    try:
        with av.open(str(path)) as box:
            if not box.streams.audio or want == 0:
                return out[:, :0]
            stream = box.streams.audio[0]
            stream.thread_type = "AUTO"
            target = in_s + zero_s
            if target > 0.5:  # seek a little early: the frame times below place it exactly
                box.seek(int(max(0.0, target - 0.25) * av.time_base), backward=True)
            # Mono is copied to both sides at full level (FFmpeg's upmix would put it 3 dB
            # down, as a centre channel); more than two channels are downmixed by FFmpeg.
            mono = stream.codec_context.layout.nb_channels == 1
            layout = "mono" if mono else "stereo"
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=RATE)

            def put(chunks: list[av.AudioFrame]) -> None:
                nonlocal pos
                for chunk in chunks:
                    assert pos is not None
                    data = chunk.to_ndarray()
                    a, b = max(0, pos), min(want, pos + data.shape[1])
                    if b > a:
                        out[:, a:b] = data[:, a - pos : b - pos]
                    pos += data.shape[1]

            for frame in tolerant_decode(box, stream, path):
                if pos is None:  # where the first decoded sample falls, from the in-point
                    t = float(frame.time) if frame.time is not None else zero_s
                    pos = round((t - zero_s - in_s) * RATE)
                put(resampler.resample(frame))
                if pos >= want:
                    break
                if tick is not None:
                    tick(max(0.0, pos / RATE))
            if pos is not None and pos < want:
                put(resampler.resample(None))
    except (av.FFmpegError, OSError, ValueError) as err:
        raise SourceReadError(path) from err
    return out[:, : min(want, max(0, pos or 0))]


def fade_gains(n: int, fade_in: int, fade_out: int) -> np.ndarray | None:
    """Equal-power (quarter-sine) fade curves over n samples; None when there is no fade.
    Fades longer than the piece share it in proportion."""
    if n <= 0 or (fade_in <= 0 and fade_out <= 0):
        return None
    if fade_in + fade_out > n:
        scale = n / (fade_in + fade_out)
        fade_in, fade_out = int(fade_in * scale), int(fade_out * scale)
    g = np.ones(n, np.float32)
    if fade_in > 0:
        g[:fade_in] = np.sin(0.5 * math.pi * (np.arange(fade_in) + 0.5) / fade_in)
    if fade_out > 0:
        g[n - fade_out :] *= np.sin(0.5 * math.pi * (np.arange(fade_out, 0, -1) - 0.5) / fade_out)
    return g


def _window_max(x: np.ndarray, before: int, after: int) -> np.ndarray:
    """max(x[i - before : i + after + 1]) for every i (edges padded with zeros)."""
    padded = np.pad(x, (before, after))
    return sliding_window_view(padded, before + after + 1).max(axis=1)


def apply_gain_curve(sound: np.ndarray, points: Breakpoints) -> None:
    """Multiply (2, n) `sound` in place by a breakpoint curve (timeline ms, dB), only from
    its first to its last breakpoint, in 10 s pieces (no full-length float64 temporaries)."""
    if not points:
        return
    a = max(0, math.floor(points[0][0] * RATE / 1000))
    b = min(sound.shape[1], math.ceil(points[-1][0] * RATE / 1000) + 1)
    for pos in range(a, b, RATE * 10):
        end = min(b, pos + RATE * 10)
        db = gains_db(points, np.arange(pos, end) * (1000 / RATE))
        sound[:, pos:end] *= (10 ** (db / 20)).astype(np.float32)


def limit(mix: np.ndarray) -> np.ndarray:
    """Bring peaks over CEILING down with a smooth look-ahead gain (in place); untouched
    when the mix already fits."""
    peak = float(np.max(np.abs(mix))) if mix.size else 0.0
    if peak <= CEILING:
        return mix
    n = mix.shape[1]
    n_blocks = math.ceil(n / _LIM_BLOCK)
    a = np.abs(mix).max(axis=0)
    a = np.pad(a, (0, n_blocks * _LIM_BLOCK - n)).reshape(n_blocks, _LIM_BLOCK).max(axis=1)
    need = np.minimum(1.0, CEILING / np.maximum(a, 1e-9))
    # Spread each dip over neighbours (a min filter is a max of the reduction), then smooth
    # with a shorter window so the smoothed gain never rises above what a block needs.
    spread = 1.0 - _window_max(1.0 - need, _LIM_SPREAD, _LIM_SPREAD)
    gain = uniform_filter1d(spread, _LIM_SPREAD + 1, mode="nearest")
    gain = np.minimum(gain, spread)
    centres = (np.arange(n_blocks) + 0.5) * _LIM_BLOCK
    for pos in range(0, n, RATE * 10):  # in 10 s pieces: no full-length float64 temporaries
        end = min(n, pos + RATE * 10)
        g = np.interp(np.arange(pos, end), centres, gain).astype(np.float32)
        mix[:, pos:end] *= g
    np.clip(mix, -CEILING, CEILING, out=mix)
    return mix


def mix(
    music: list[Part],
    clips: list[Part],
    length_s: float,
    tick: Tick | None = None,
    music_gain: Breakpoints | None = None,
) -> np.ndarray:
    """The timeline's sound, (2, samples(length_s)) float32: the music (dipped by
    `music_gain`, nemodesk.core.ducking's curve) plus the clips at their level.

    tick(seconds_done) is called as sources are decoded (seconds summed over all parts)."""
    n = samples(length_s)
    out = np.zeros((2, n), np.float32)
    done = 0.0

    def placed(part: Part) -> tuple[int, np.ndarray]:
        nonlocal done
        base = done

        def sub(s: float) -> None:
            if tick is not None:
                tick(base + s)

        a = samples(part.start_s)
        room = max(0, n - a)
        data = decode(part.path, part.in_s, min(part.dur_s, room / RATE), sub, part.zero_s)
        done = base + part.dur_s
        if tick is not None:
            tick(done)
        return a, data[:, :room]

    for part in music:
        a, data = placed(part)
        if not data.shape[1] or part.gain <= 0:
            continue
        data *= part.gain
        fades = fade_gains(data.shape[1], samples(part.fade_in_s), samples(part.fade_out_s))
        if fades is not None:
            data *= fades
        out[:, a : a + data.shape[1]] += data
    apply_gain_curve(out, music_gain or [])
    for part in clips:
        a, data = placed(part)
        if not data.shape[1] or part.gain <= 0:
            continue
        data *= part.gain
        out[:, a : a + data.shape[1]] += data
    return limit(out)


# ---- output -----------------------------------------------------------------------------

# quality -> (aac/mp3 bit rate, opus bit rate)
_AUDIO_QUALITY = {"high": (192_000, 128_000), "medium": (160_000, 96_000), "low": (128_000, 64_000)}
_AUDIO_CODEC = {
    "mp4": "aac",
    "mov": "aac",
    "m4a": "aac",
    "webm": "libopus",
    "mp3": "libmp3lame",
    "wav": "pcm_s16le",
}
_AUDIO_CHUNK = 9600  # samples per frame handed to the audio encoder (0.2 s)


def add_audio_stream(oc: OutputContainer, fmt: str, quality: str) -> av.AudioStream:
    """The sound's stream for an export format (AAC, Opus, MP3 or 16-bit PCM) at 48 kHz."""
    codec = _AUDIO_CODEC[fmt]
    stream = oc.add_stream(codec, rate=RATE, layout="stereo")
    if codec == "pcm_s16le":
        stream.codec_context.format = "s16"
    else:
        stream.codec_context.format = "flt" if codec == "libopus" else "fltp"
        aac_mp3, opus = _AUDIO_QUALITY[quality]
        stream.bit_rate = opus if codec == "libopus" else aac_mp3
    return stream


def sound_writer(
    oc: OutputContainer, fmt: str, quality: str, sound: np.ndarray | None
) -> SoundWriter | None:
    """A writer on a new audio stream, or None when the export has no sound."""
    return None if sound is None else SoundWriter(oc, add_audio_stream(oc, fmt, quality), sound)


class SoundWriter:
    """Feeds the mixed sound to its encoder in chunks, as far as the muxer has got."""

    def __init__(self, oc: OutputContainer, stream: av.AudioStream, sound: np.ndarray) -> None:
        self.oc, self.stream, self.sound = oc, stream, sound
        self.pos = 0

    def until(self, t_s: float) -> None:
        end = min(self.sound.shape[1], max(0, round(t_s * RATE)))
        while self.pos < end:
            n = min(_AUDIO_CHUNK, end - self.pos)
            chunk = np.ascontiguousarray(self.sound[:, self.pos : self.pos + n])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = RATE, self.pos, Fraction(1, RATE)
            self.oc.mux(self.stream.encode(frame))
            self.pos += n

    def finish(self) -> None:
        self.until(self.sound.shape[1] / RATE)
        self.oc.mux(self.stream.encode(None))
