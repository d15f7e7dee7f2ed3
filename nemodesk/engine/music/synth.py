"""SoundFont synthesis by note: each distinct note is rendered once, then placed by overlap-add.

TinySoundFont renders one voice at ~2000x real time but a full arrangement at only ~35x, and it
holds the GIL. Music repeats itself (the same kick, the same chord tones), so rendering each
distinct (preset, key, velocity step, length) once and adding copies with numpy is what makes a
90 s track render in well under a second. Placement is sample-exact, so humanised timing and
video hit points cost nothing extra, and a loop simply wraps its tails around to the start.

The rendered notes are kept in a least-recently-used cache bounded in bytes
(``NOTE_CACHE_MB``): a track's own notes (200–300 MB for 90 s) stay while it and its
variations are made, and a long session of different styles does not pile up every note
ever played (unbounded, a worker held 1.5 GB of notes after ten 90 s tracks).
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import cachetools
import numpy as np
import tinysoundfont

from nemodesk.engine.music.score import Part
from nemodesk.engine.music.soundfont import SoundFontMissing, builtin_soundfont, find_soundfont

__all__ = [
    "NoteSampler",
    "SoundFontMissing",
    "find_soundfont",
    "glides",
    "placed_notes",
    "render_part",
]

_VEL_STEP = 8
_HOLD_QUANTUM_S = 0.01
_MAX_TAIL_S = 4.0
_SILENCE = 10 ** (-72 / 20)  # a tail is over once a block stays below -72 dBFS
_BLOCK = 2048
GLIDE_S = 0.09  # an 808 slide's length
_GLIDE_BLOCK = 64  # samples between pitch-wheel moves during a slide
_BEND_RANGE = 12  # semitones the pitch wheel reaches while sliding
# drum hits cycle through these detunings (cents): round robin, so repeats never machine-gun
ROUND_ROBIN_CENTS = (0.0, 7.0, -7.0)


def _quantise_hold(hold_s: float) -> int:
    """Hold length in 10 ms units, on a grid that coarsens with length (steps of about 4%):
    a sustained chord released 40 ms early sounds the same, and tracks at nearby tempos then
    share their long notes in the cache."""
    units = max(1.0, hold_s / _HOLD_QUANTUM_S)
    if units <= 25:
        return round(units)
    step = 1.04
    return round(step ** round(math.log(units / 25, step)) * 25)


NOTE_CACHE_MB = 512  # per worker process; a few tracks' worth of distinct notes
NOTE_CACHE_ENV = "NEMODESK_NOTE_CACHE_MB"


def _cache_bytes() -> int:
    try:
        return int(float(os.environ.get(NOTE_CACHE_ENV, NOTE_CACHE_MB)) * 1e6)
    except ValueError:
        return int(NOTE_CACHE_MB * 1e6)


class NoteCache(cachetools.LRUCache):
    """Rendered notes by key, the least recently played dropped first once the arrays
    together pass ``max_bytes``; a note bigger than the whole budget is not kept. Arrays a
    render still holds stay valid after they are dropped here."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(maxsize=max_bytes, getsizeof=lambda audio: audio.nbytes)

    def put(self, key: tuple, audio: np.ndarray) -> None:
        if audio.nbytes <= self.maxsize:
            self[key] = audio


class NoteSampler:
    """Renders and caches single notes of one SoundFont at one sample rate."""

    def __init__(self, soundfont: Path, sample_rate: int) -> None:
        self.soundfont = soundfont
        self.sample_rate = sample_rate
        self._synth = tinysoundfont.Synth(samplerate=sample_rate, gain=-6.0)
        try:
            self._sfid = self._synth.sfload(str(soundfont))
        except Exception as e:  # a chosen file that is not a SoundFont: play the built-in one
            builtin = builtin_soundfont()
            if soundfont == builtin:
                raise
            logging.getLogger(__name__).warning(
                "cannot load the SoundFont %s (%s): using the built-in one", soundfont.name, e
            )
            self.soundfont = builtin
            self._sfid = self._synth.sfload(str(builtin))
        self._cache = NoteCache(_cache_bytes())  # notes and glides (keys apart: bank -1)
        self._lock = threading.Lock()
        self._scratch = np.empty((1 << 16, 2), dtype=np.float32)

    def scratch(self, frames: int) -> np.ndarray:
        """A reusable work buffer (one renderer at a time uses a sampler)."""
        if len(self._scratch) < frames:
            self._scratch = np.empty((max(frames, 2 * len(self._scratch)), 2), np.float32)
        return self._scratch[:frames]

    def note(self, program: int, is_drum: bool, key: int, vel: int, hold_s: float) -> np.ndarray:
        """Stereo float32 audio of one note, held for ``hold_s`` then released to silence."""
        audio, scale = self.note_scaled(program, is_drum, key, vel, hold_s)
        return audio * np.float32(scale) if scale != 1.0 else audio

    def note_scaled(
        self, program: int, is_drum: bool, key: int, vel: int, hold_s: float, take: int = 0
    ) -> tuple[np.ndarray, float]:
        """The cached note nearest in velocity (read-only) and the gain that corrects it;
        ``take`` picks one of the round-robin variants (``ROUND_ROBIN_CENTS``)."""
        vel_q = int(min(127, max(_VEL_STEP, round(vel / _VEL_STEP) * _VEL_STEP)))
        hold_q = _quantise_hold(hold_s)
        bank = 128 if is_drum else 0
        take %= len(ROUND_ROBIN_CENTS)
        cache_key = (bank, program, is_drum, key, vel_q, hold_q, take)
        with self._lock:
            audio = self._cache.get(cache_key)
            if audio is None:
                audio = self._render(bank, program, is_drum, key, vel_q, hold_q, take=take)
                self._cache.put(cache_key, audio)
        # the SoundFont's velocity curve is close to gain ∝ vel²
        return audio, (max(vel, 1) / vel_q) ** 2 if vel_q != vel else 1.0

    def glide_scaled(
        self, program: int, key: int, target: int, vel: int, before_s: float, after_s: float
    ) -> tuple[np.ndarray, float]:
        """A note held ``before_s`` at ``key`` then sliding in pitch to ``target`` over
        ``GLIDE_S`` and held ``after_s`` from the slide's start (an 808 slide), cached by
        (key, target, holds) like any note; with the gain that corrects its velocity."""
        vel_q = int(min(127, max(_VEL_STEP, round(vel / _VEL_STEP) * _VEL_STEP)))
        target = key + int(np.clip(target - key, -_BEND_RANGE, _BEND_RANGE))
        hold_a, hold_b = _quantise_hold(before_s), _quantise_hold(after_s)
        cache_key = (-1, program, key, target, vel_q, hold_a, hold_b)
        with self._lock:
            audio = self._cache.get(cache_key)
            if audio is None:
                bend = (key, target, cache_key[5])
                audio = self._render(0, program, False, key, vel_q, cache_key[6], bend)
                self._cache.put(cache_key, audio)
        return audio, (max(vel, 1) / vel_q) ** 2 if vel_q != vel else 1.0

    def _render(
        self,
        bank: int,
        program: int,
        is_drum: bool,
        key: int,
        vel: int,
        hold_q: int,
        bend: tuple[int, int, int] | None = None,
        take: int = 0,
    ):
        synth, sr = self._synth, self.sample_rate
        chan = 9 if is_drum else 0
        try:
            synth.program_select(chan, self._sfid, bank, program, is_drums=is_drum)
        except Exception:  # preset missing from this SoundFont: fall back to the first of bank
            synth.program_select(chan, self._sfid, bank, 0, is_drums=is_drum)
        if take:  # a round-robin take: the same hit a few cents off, as no two are alike
            synth.pitchbend(chan, 8192 + round(ROUND_ROBIN_CENTS[take] / 200 * 8191))
        synth.noteon(chan, int(key), int(vel))
        hold = round(hold_q * _HOLD_QUANTUM_S * sr)
        blocks = [] if bend is None else self._slide(chan, *bend)
        if bend is not None:  # the hold counts from the slide's start
            hold = max(1, hold - (len(blocks) - 1) * _GLIDE_BLOCK)
        blocks.append(np.frombuffer(synth.generate(hold), dtype=np.float32).copy())
        synth.noteoff(chan, int(key))
        for _ in range(int(_MAX_TAIL_S * sr / _BLOCK) + 1):
            block = np.frombuffer(synth.generate(_BLOCK), dtype=np.float32).copy()
            blocks.append(block)
            if block.size == 0 or max(block.max(), -block.min()) < _SILENCE:
                break
        synth.sounds_off(chan)
        synth.generate(_BLOCK)  # the quick release of what sounds_off stopped, thrown away
        if take:
            synth.pitchbend(chan, 8192)
        if bend is not None:
            synth.pitchbend(chan, 8192)
            synth.pitchbend_range(chan, 2.0)
        flat = np.concatenate(blocks)  # interleaved L, R
        # trim the silent end so overlap-add does no useless work (searched on the flat
        # samples: numpy's max over an axis of length 2 is ~30x slower than this)
        loud = np.flatnonzero(np.abs(flat) >= _SILENCE)
        end = int(loud[-1]) // 2 + 1 if loud.size else 1
        audio = flat.reshape(-1, 2)[:end]
        if end > 64:  # a short fade on whatever is left of the tail: no step at its end
            audio[-64:] *= np.linspace(1.0, 0.0, 64, dtype=np.float32)[:, None]
        audio.setflags(write=False)
        return audio

    def _slide(self, chan: int, key: int, target: int, before_q: int) -> list[np.ndarray]:
        """The held start of a glide and the pitch wheel moved to ``target`` in small steps
        (a smooth curve: fast at first, easing into the new note)."""
        synth, sr = self._synth, self.sample_rate
        synth.pitchbend_range(chan, float(_BEND_RANGE))
        synth.pitchbend(chan, 8192)
        blocks = [np.frombuffer(synth.generate(round(before_q * _HOLD_QUANTUM_S * sr)), np.float32)]
        steps = max(1, round(GLIDE_S * sr / _GLIDE_BLOCK))
        for i in range(1, steps + 1):
            x = 1.0 - (1.0 - i / steps) ** 2
            value = 8192 + (target - key) / _BEND_RANGE * 8191 * x
            synth.pitchbend(chan, int(np.clip(round(value), 0, 16383)))
            blocks.append(np.frombuffer(synth.generate(_GLIDE_BLOCK), np.float32))
        return [b.copy() for b in blocks]


def glides(part: Part) -> bool:
    """An 808 bass slides: in its part a note that overlaps the next one glides into it."""
    return not part.is_drum and "808" in part.name


def _glide_pairs(part: Part) -> dict[int, int]:
    """Note index -> index of the note it slides into (the next note starting inside it)."""
    order = sorted(range(len(part.notes)), key=lambda i: part.notes[i].start_s)
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for a, b in itertools.pairwise(order):
        na, nb = part.notes[a], part.notes[b]
        if a not in taken and na.start_s + 0.02 < nb.start_s < na.start_s + na.dur_s - 0.02:
            pairs[a] = b
            taken.add(b)
    return pairs


def placed_notes(
    part: Part, sampler: NoteSampler, n: int
) -> Iterator[tuple[int, np.ndarray, float]]:
    """Each sounding note of the part as (start sample, audio, scale) in a piece of ``n``
    samples: a glide's pair as one sample, drum hits rotating through their takes, the
    part's gain in the scale. The one place that decides what plays where, for the whole-
    piece render here and the block render (render.py)."""
    gain = np.float32(10 ** (part.gain_db / 20))
    pairs = _glide_pairs(part) if glides(part) else {}
    takes: dict[int, int] = {}
    targets = set(pairs.values())
    for i, note in enumerate(part.notes):
        pos = round(note.start_s * sampler.sample_rate)
        if not 0 <= pos < n or i in targets:
            continue
        if i in pairs:
            nxt = part.notes[pairs[i]]
            before = nxt.start_s - note.start_s
            end_s = max(note.start_s + note.dur_s, nxt.start_s + nxt.dur_s)
            audio, scale = sampler.glide_scaled(
                part.program, note.key, nxt.key, note.vel, before, end_s - nxt.start_s
            )
        else:
            take = takes[note.key] = takes.get(note.key, -1) + 1 if part.is_drum else 0
            audio, scale = sampler.note_scaled(
                part.program, part.is_drum, note.key, note.vel, note.dur_s, take
            )
        yield pos, audio, scale * gain


def render_part(part: Part, sampler: NoteSampler, out: np.ndarray, *, loop: bool) -> None:
    """Add the part's audio into ``out`` (samples, 2). In a loop, sound that runs past the
    end wraps around to the start, so the file can repeat with no seam; otherwise it stops
    at the last sample (the ring-out envelope has faded it by then)."""
    n = len(out)
    for pos, audio, scale in placed_notes(part, sampler, n):
        end = min(pos + len(audio), n)
        _add(out, pos, audio[: end - pos], scale, sampler)
        done = end - pos
        while loop and done < len(audio):
            take = min(n, len(audio) - done)
            _add(out, 0, audio[done : done + take], scale, sampler)
            done += take


def _add(out: np.ndarray, pos: int, audio: np.ndarray, scale: float, sampler: NoteSampler) -> None:
    """out[pos:pos+len] += scale * audio, without allocating a temporary per note."""
    if len(audio):
        tmp = sampler.scratch(len(audio))
        np.multiply(audio, np.float32(scale), out=tmp)
        out[pos : pos + len(audio)] += tmp
