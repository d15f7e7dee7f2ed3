"""Production per genre: the studio chain that makes the notes sound like a produced track.

Each genre's production is data (``PRODUCTIONS``, keyed by genre name, with a default for
any other genre), read by render.py; the DSP it needs beyond pedalboard's plugins is here,
in numpy, each piece cheap enough for a 90 s track to stay near a second:

- lo-fi: tape wow and flutter (a slowly modulated delay), bit-reduced drums, a dark
  low-pass, vinyl crackle and hiss levelled to sit ~27 dB under the track's loudness;
- electronic: a sidechain pump (pads and bass duck at every kick), a lead layered from two
  copies detuned either way and panned apart, noise risers into every section change;
- cinematic: risers and low impacts at section changes, a wider loudness range for arcs;
- rock: amp-simulated guitars (drive into a cabinet roll-off), double-tracked and panned
  hard left and right, harder and punchier drum compression;
- every genre: each stem placed in the stereo field, the harmonic stems high-passed so the
  low end is the kick and bass, and a gentle glue compressor on the mix bus.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np
import pedalboard as pb

from nemodesk.engine.music import dsp
from nemodesk.engine.music.groove import rng_for
from nemodesk.engine.music.score import Note, Part, Section

KICKS = (35, 36)  # GM acoustic and electric bass drum


@dataclass(frozen=True)
class Production:
    """How one genre is produced: filters and colour per stem group, and the studio tricks
    (each off at its zero value)."""

    highpass_hz: dict[str, float] = field(
        default_factory=lambda: {"chords": 150.0, "pads": 160.0, "melody": 200.0}
    )
    lowpass_hz: dict[str, float] = field(default_factory=dict)  # 12 dB/octave
    pan: dict[str, float] = field(
        default_factory=lambda: {"chords": -0.35, "melody": 0.3, "pads": 0.1, "hits": 0.0}
    )
    # each stem's own stereo width (side / mid RMS) is held under its cap before panning
    width: dict[str, float] = field(default_factory=lambda: {"reverb": 0.7})  # side / mid caps
    drum_comp: tuple[float, float, float, float] = (-16.0, 2.5, 8.0, 120.0)  # dB, ratio, ms, ms
    drum_makeup_db: float = 0.0
    drum_bits: int = 0  # bit depth the drums are crushed to (0: clean)
    wow: tuple[float, float] = (0.0, 0.0)  # tape wow rate (Hz) and depth (cents)
    texture_db: float | None = None  # vinyl crackle and hiss, dB under the target loudness
    sidechain_db: float = 0.0  # pads and bass duck this much at every kick
    detune_cents: float = 0.0  # the lead layered as two copies this far sharp and flat
    risers: float | None = None  # noise risers into section changes: end level vs the bus
    impacts: float | None = None  # low impacts on section changes: peak level vs the bus
    amp_drive_db: float = 0.0  # guitars (chords, melody) driven into an amp and cabinet
    double_track: bool = False  # the chords played twice, panned hard left and right
    glue: tuple[float, float] = (2.0, 6.0)  # bus compressor: ratio, threshold under loud
    arc_db: float = 8.0  # level change per unit of section energy
    dark_hz: float = 0.0  # a low-pass on the harmonic stems (0: bright)


_DEFAULT = Production()
_DARK = replace(_DEFAULT, dark_hz=9000.0)
_LOFI = replace(
    _DEFAULT,
    lowpass_hz={"drums": 6500.0, "hits": 6500.0, "bass": 1800.0},
    drum_bits=10,
    wow=(0.7, 5.0),
    texture_db=27.0,
    dark_hz=4200.0,
    glue=(2.5, 6.0),
)
_ELECTRONIC = replace(
    _DEFAULT,
    sidechain_db=6.0,
    detune_cents=11.0,
    risers=3.0,
    pan={"chords": -0.3, "melody": 0.0, "pads": 0.0, "hits": 0.0},
)
_CINEMATIC = replace(
    _DARK,
    risers=-6.0,
    impacts=4.0,
    arc_db=13.0,
    glue=(1.6, 8.0),
    width={"reverb": 0.45},  # a big hall, kept mono-compatible
)
_ROCK = replace(
    _DEFAULT,
    drum_comp=(-22.0, 4.0, 25.0, 90.0),
    drum_makeup_db=4.0,
    amp_drive_db=28.0,
    double_track=True,
    pan={"chords": 0.0, "melody": 0.2, "pads": -0.2, "hits": 0.0},
)

PRODUCTIONS: dict[str, Production] = {
    "lofi": _LOFI,
    "hiphop": replace(_LOFI, wow=(0.0, 0.0), drum_bits=12, dark_hz=7000.0, texture_db=32.0),
    "electronic": _ELECTRONIC,
    "house": _ELECTRONIC,
    "cinematic": _CINEMATIC,
    "epic": _CINEMATIC,
    "rock": _ROCK,
    "piano": replace(_DEFAULT, highpass_hz={"chords": 30.0, "melody": 60.0}),
    # a small band on a stage: piano to the left, the soloist to the right
    "jazz": replace(_DEFAULT, pan={"chords": -0.75, "melody": 0.6, "pads": 0.3, "hits": 0.0}),
}


def production_for(genre: str, *, lofi: bool = False, bright: bool = True) -> Production:
    """The genre's production; a genre without its own gets the default, coloured by its
    template's lofi / bright flags."""
    if genre in PRODUCTIONS:
        return PRODUCTIONS[genre]
    return _LOFI if lofi else (_DEFAULT if bright else _DARK)


# ---------------------------------------------------------------- per-stem chains


class Chain:
    """Pedalboard boards with numpy steps between them (a saturator as np.tanh costs ~2 ms
    where pedalboard's Distortion costs ~90 ms per 45 s), called like a board: (audio, sr)."""

    def __init__(self, stages: list) -> None:
        self.stages = stages

    def __call__(self, audio: np.ndarray, sr: int) -> np.ndarray:
        for stage in self.stages:
            audio = stage(audio, sr)
        return audio


def _saturate(drive_db: float, out_db: float):
    """tanh(x * drive) * out, in place on the board's fresh output: exactly pedalboard's
    Distortion (a tanh waveshaper after the drive gain) followed by a Gain."""
    g, k = np.float32(10 ** (drive_db / 20)), np.float32(10 ** (out_db / 20))

    def run(audio: np.ndarray, sr: int) -> np.ndarray:
        audio *= g
        np.tanh(audio, out=audio)
        audio *= k
        return audio

    return run


@cache
def _sos(filters: tuple[tuple, ...], sr: int) -> np.ndarray:
    """Second-order sections with exactly the coefficients of pedalboard's (JUCE's) filters:
    ("lp"|"hp", hz) a pair of first-order filters in series (one biquad), ("shelf", hz, q,
    db) a low shelf."""
    rows = []
    for kind, hz, *rest in filters:
        if kind in ("lp", "hp"):
            t = math.tan(math.pi * hz / sr)
            b = [t, t] if kind == "lp" else [1.0, -1.0]
            a = [t + 1, t - 1]
            rows.append(np.r_[np.convolve(b, b), np.convolve(a, a)] / (t + 1) ** 2)
        else:
            q, db = rest
            amp_ = math.sqrt(10 ** (db / 20))
            am, ap = amp_ - 1, amp_ + 1
            w = 2 * math.pi * hz / sr
            c, beta = math.cos(w), math.sin(w) * math.sqrt(amp_) / q
            b = amp_ * np.array([ap - am * c + beta, 2 * (am - ap * c), ap - am * c - beta])
            a = np.array([ap + am * c + beta, -2 * (am + ap * c), ap + am * c - beta])
            rows.append(np.r_[b, a] / a[0])
    return np.array(rows, dtype=np.float32)


class _Filters:
    """A run of linear filters as one dsp.sosfilt pass (it frees the GIL): the same
    response as the pedalboard plugins in series, at about half their cost. ``filters``
    is the run (render.py streams it by blocks, carrying the filter state)."""

    def __init__(self, filters: list[tuple]) -> None:
        self.filters = tuple(filters)

    def __call__(self, audio: np.ndarray, sr: int) -> np.ndarray:
        return dsp.sosfilt(_sos(self.filters, sr), audio, axis=0)


def _filters(filters: list[tuple]) -> _Filters:
    return _Filters(filters)


def chain(group: str, prod: Production, has_bass: bool = True) -> Chain:
    """The chain of one stem group. Filters are doubled first-order sections (12 dB/octave);
    a bit crusher is last, so the drums keep its grid. The drums and bass are pedalboard
    boards (a compressor with its filters); the harmonic stems' filters are one sosfilt pass;
    gains, the amp's saturation and the crusher are numpy steps (the same result at a
    fraction of pedalboard's cost: ~20 ms per plugin per 90 s, even for a gain)."""
    if group not in ("drums", "hits", "bass"):
        return Chain(_harmonic(group, prod, has_bass))
    lp = prod.lowpass_hz.get(group)
    cut = [pb.LowpassFilter(cutoff_frequency_hz=lp) for _ in range(2 if lp else 0)]
    if group == "bass":
        bass = [
            pb.HighpassFilter(cutoff_frequency_hz=32),
            pb.Compressor(threshold_db=-18, ratio=3, attack_ms=15, release_ms=150),
        ]
        return Chain([pb.Pedalboard(bass + cut)])
    thr, ratio, att, rel = prod.drum_comp
    comp = pb.Compressor(threshold_db=thr, ratio=ratio, attack_ms=att, release_ms=rel)
    # make-up gain (linear: it may follow the low-pass), then the crusher's grid
    return Chain([pb.Pedalboard([comp, *cut]), _drum_tail(prod.drum_makeup_db, prod.drum_bits)])


def _drum_tail(gain_db: float, bits: int):
    """Make-up gain, then a bit crusher: exactly pedalboard's Gain and Bitcrush (round to
    steps of 2^-bits, no clipping), in place on the previous stage's fresh output."""
    k = np.float32(10 ** (gain_db / 20))
    step = np.float32(2.0**bits)

    def run(audio: np.ndarray, sr: int) -> np.ndarray:
        if gain_db:
            audio *= k
        if bits:
            audio *= step
            np.round(audio, out=audio)
            audio /= step
        return audio

    return run


def _harmonic(group: str, prod: Production, has_bass: bool) -> list:
    """Chords, pads, melody: high-passed under the kick and bass (24 dB/oct with the shelf),
    then the amp and its cabinet, or the dark low-pass; the group's own low-pass last."""
    hp = prod.highpass_hz.get(group, 150.0) if has_bass else 40.0
    lin: list[tuple] = [("hp", hp)]
    if has_bass and hp >= 100:  # below the kick and bass: out of the way
        lin.append(("shelf", hp * 0.7, 0.7, -15.0))
    stages: list = []
    if prod.amp_drive_db and group in ("chords", "melody"):
        stages += [_filters(lin), _saturate(*amp(prod.amp_drive_db))]
        lin = [("lp", AMP_CAB_HZ)]
    elif prod.dark_hz:
        lin.append(("lp", prod.dark_hz))
    lp = prod.lowpass_hz.get(group)
    if lp:
        lin.append(("lp", lp))
    return [*stages, _filters(lin)]


AMP_CAB_HZ = 4500.0


def amp(drive_db: float) -> tuple[float, float]:
    """A guitar amp: drive (dB) into tanh soft clipping, then (in chain) a 4x12 cabinet's
    steep roll-off above ~5 kHz (AMP_CAB_HZ, 12 dB/oct); the level brought back to about the
    clean one by the returned output gain (dB; the cabinet is linear, so it may come first)."""
    return drive_db, -drive_db * 0.6


# ---------------------------------------------------------------- layered parts


class DetunedSampler:
    """A note sampler whose notes sound ``cents`` sharp (or flat): each distinct note is
    resampled once and cached, so a layered part costs one more overlap-add."""

    def __init__(self, sampler, cents: float) -> None:
        self._sampler = sampler
        self._ratio = 2 ** (cents / 1200)
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.sample_rate = sampler.sample_rate

    def _shift(self, audio: np.ndarray) -> np.ndarray:
        hit = self._cache.get(id(audio))
        if hit is not None and hit[0] is audio:
            return hit[1]
        m = max(1, int(len(audio) / self._ratio))
        pos = np.arange(m, dtype=np.float64) * self._ratio
        src = np.arange(len(audio), dtype=np.float64)
        out = np.stack([np.interp(pos, src, audio[:, c]) for c in range(2)], axis=1)
        out = out.astype(np.float32)
        self._cache[id(audio)] = (audio, out)  # the source is kept: its id stays unique
        return out

    def __getattr__(self, name: str):
        attr = getattr(self._sampler, name)
        if not name.endswith("_scaled"):
            return attr

        def shifted(*args, **kw):
            audio, scale = attr(*args, **kw)
            return self._shift(audio), scale

        return shifted


_DETUNED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def detuned(sampler, cents: float) -> DetunedSampler:
    """The sampler's detuned twin, kept as long as the sampler (its cache stays warm)."""
    twins = _DETUNED.setdefault(sampler, {})
    if cents not in twins:
        twins[cents] = DetunedSampler(sampler, cents)
    return twins[cents]


def second_take(part: Part, seed: int, spread_s: float = 0.014) -> Part:
    """The same part played again: every note a little early or late, as a second pass."""
    rng = rng_for(seed, f"take:{part.name}")
    shifts = rng.uniform(-spread_s, spread_s, len(part.notes))
    notes = [
        Note(max(0.0, n.start_s + float(d)), n.dur_s, n.key, n.vel)
        for n, d in zip(part.notes, shifts, strict=True)
    ]
    return replace(part, notes=notes)


def spread(left: np.ndarray, right: np.ndarray, bleed: float = 0.2) -> np.ndarray:
    """Two takes (each (n, 2)) as one stereo stem: the first left, the second right, each
    with a little of itself on the other side."""
    half = np.float32(0.5)
    a = (left[:, 0] + left[:, 1]) * half
    b = (right[:, 0] + right[:, 1]) * half
    out = np.empty_like(left)
    out[:, 0] = a + bleed * b
    out[:, 1] = b + bleed * a
    return out


def scale_rows(audio: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """audio (n, 2) times a per-sample gain, in place, channel by channel (a broadcast over
    a 2-wide last axis runs numpy's inner loop two samples at a time: ~4x slower)."""
    for c in range(audio.shape[1]):
        audio[:, c] *= gains
    return audio


PLACE_CHUNK = 1 << 14  # frames per step of the 2x2 matrix


def place(audio: np.ndarray, cap: float, position: float = 0.0) -> np.ndarray:
    """The stem held under a side/mid RMS ratio of cap (its side, L - R, scaled down: a
    SoundFont's wide stereo samples and a big reverb stay mono-compatible), then given a
    constant-power balance (-1 left, 0 centre, +1 right): one 2x2 matrix, applied in place
    (the input is returned)."""
    left, right = audio[:, 0], audio[:, 1]
    ll, rr, lr = (float(np.dot(a, b)) for a, b in ((left, left), (right, right), (left, right)))
    side2, mid2 = ll + rr - 2 * lr, ll + rr + 2 * lr
    bal = np.ones(2)
    if position:
        angle = (position + 1) * math.pi / 4
        bal = np.array([math.cos(angle), math.sin(angle)]) * math.sqrt(2)
    if side2 <= 0 or mid2 <= 0 or side2 <= cap * cap * mid2:
        if position:
            audio[:, 0] *= np.float32(bal[0])
            audio[:, 1] *= np.float32(bal[1])
        return audio
    k = cap * math.sqrt(mid2 / side2)  # L' = mid + k side, R' = mid - k side
    same, cross = 0.5 * (1 + k), 0.5 * (1 - k)
    m = (np.array([[same, cross], [cross, same]]) * bal[None, :]).astype(np.float32)
    for s in range(0, len(audio), PLACE_CHUNK):  # cache-sized blocks: ~2x the speed
        block = audio[s : s + PLACE_CHUNK]
        block[:] = block @ m
    return audio


# ---------------------------------------------------------------- tape


def knots_to_samples(knots: np.ndarray, step: int, n: int) -> np.ndarray:
    """Values at samples 0, step, 2*step, ... to every sample, linearly, in float32."""
    nb = -(-n // step)
    k = knots.astype(np.float32)
    ramp = np.arange(step, dtype=np.float32) / np.float32(step)
    return (k[:nb, None] + (k[1 : nb + 1] - k[:nb])[:, None] * ramp).ravel()[:n]


WOW_CHUNK = 1 << 15  # samples per step of the delay line (its temporaries stay in cache)


def wow(
    stems: list[np.ndarray], sr: int, rate_hz: float, cents: float, loop: bool
) -> list[np.ndarray]:
    """Tape wow and a touch of flutter on each stem: one shared delay line whose length
    swings slowly, so the pitch drifts by ``cents`` at ``rate_hz``; new arrays, in order.
    In a loop the rates are rounded to whole cycles of the track, so the seam is continuous.
    The delay (a few dozen samples) is kept apart from the sample index, so float32 holds
    it exactly enough at any length; the line runs in cache-sized steps."""
    if not stems:
        return []
    n = len(stems[0])
    dur = n / sr
    rates = [rate_hz, 5.7]
    depths = [cents, 0.8]
    if loop:
        rates = [max(1.0, round(r * dur)) / dur for r in rates]
    coarse = np.arange(0, n + WOW_CHUNK + 128, 64, dtype=np.float64)
    d = np.zeros_like(coarse)
    for r, c in zip(rates, depths, strict=True):
        amp_s = (2 ** (c / 1200) - 1) / (2 * math.pi * r)  # delay swing for c cents at r
        d += amp_s * sr * (1 + np.sin(2 * math.pi * r * coarse / sr))
    neg = (-(d + 1.0)).astype(np.float32)  # minus the delay, at every 64th sample
    frames = [s.view(np.complex64).ravel() for s in stems]
    outs = [np.empty_like(s) for s in stems]
    for k0 in range(0, n, WOW_CHUNK):
        m = min(WOW_CHUNK, n - k0)
        back = knots_to_samples(neg[k0 // 64 : k0 // 64 + WOW_CHUNK // 64 + 1], 64, m)
        whole = np.floor(back)
        frac = np.repeat(back - whole, 2)  # in [0, 1), once per channel: flat loops
        i0 = np.arange(k0, k0 + m, dtype=np.intp)
        i0 += whole.astype(np.intp)
        i1 = i0 + 1
        if k0 == 0:  # only the first few samples reach before the start
            i0 = np.mod(i0, n) if loop else np.maximum(i0, 0)
            i1 = np.mod(i0 + 1, n) if loop else i0 + 1
        for src, out in zip(frames, outs, strict=True):
            # a stereo frame viewed as one complex64: one gather moves both channels
            x0 = src.take(i0).view(np.float32)
            x1 = src.take(i1).view(np.float32)
            x1 -= x0
            x1 *= frac
            np.add(x0, x1, out=out[k0 : k0 + m].reshape(-1))
    return outs


# ---------------------------------------------------------------- sidechain


def kick_times(parts: list[Part]) -> np.ndarray:
    """Every kick drum hit in the score, in seconds, sorted."""
    return np.array(
        sorted(
            n.start_s
            for p in parts
            if p.is_drum and p.group == "drums"
            for n in p.notes
            if n.key in KICKS
        )
    )


def sidechain_knots(
    n: int, sr: int, kicks: np.ndarray, depth_db: float, beat_s: float, loop: bool
) -> np.ndarray | None:
    """The gain that ducks ``depth_db`` at every kick, at every 64th sample of a piece of
    ``n`` (``knots_to_samples`` makes the samples of any block); None when nothing ducks.
    Down in 4 ms, held 25 ms, back up along a half cosine by 0.6 of a beat, so the next kick
    finds the level recovered."""
    if not kicks.size or not depth_db:
        return None
    dur = n / sr
    if loop:  # the last kicks of the loop duck its start
        kicks = np.r_[kicks[kicks > dur - 2 * beat_s] - dur, kicks]
    coarse = np.arange(0, n + 64, 64, dtype=np.float64) / sr
    idx = np.searchsorted(kicks, coarse, side="right") - 1
    dt = coarse - kicks[np.maximum(idx, 0)]
    att, hold, rel = 0.004, 0.025, 0.6 * beat_s
    shape = np.where(
        dt < att,
        dt / att,
        np.where(
            dt < att + hold,
            1.0,
            0.5 + 0.5 * np.cos(np.pi * np.clip((dt - att - hold) / rel, 0, 1)),
        ),
    )
    shape[idx < 0] = 0.0
    return 10 ** (-depth_db * shape / 20)


# ---------------------------------------------------------------- risers and impacts


def _changes(sections: list[Section], min_s: float) -> list[float]:
    """Section starts worth a riser or an impact: every one after the first that starts
    at least min_s in and lasts 2 s, except the ending."""
    out = []
    for sec in sections[1:]:
        if sec.name != "ending" and sec.end_s - sec.start_s >= 2.0 and sec.start_s >= min_s:
            out.append(sec.start_s)
    return out


def fx_stem(
    sections: list[Section], n: int, sr: int, prod: Production, level_db: float, seed: int
) -> np.ndarray | None:
    """Risers (noise rising in level and brightness over the 3 s into a section change) and
    impacts (a low boom with a short noise crack on it), placed against the bus level."""
    if prod.risers is None and prod.impacts is None:
        return None
    out = np.zeros((n, 2), dtype=np.float32)
    rng = rng_for(seed, "fx")
    # a change on a video cut has its accent there: a riser into it would mask the hit
    on_cut = {s.start_s for s in sections if s.on_cut}
    for t in _changes(sections, 3.0):
        start = round(t * sr)
        if prod.risers is not None and start < n and t not in on_cut:
            m = min(int(3.0 * sr), start)
            out[start - m : start] += riser(m, sr, rng) * np.float32(
                10 ** ((level_db + prod.risers) / 20)
            )
        if prod.impacts is not None and start < n:
            m = min(int(2.5 * sr), n - start)
            out[start : start + m] += impact(sr, rng)[:m] * np.float32(
                10 ** ((level_db + prod.impacts) / 20)
            )
    return out


def riser(m: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """(m, 2) of noise, unit RMS at its end: its band opening from below 800 Hz to the full
    range while it swells 24 dB, then gone in 5 ms right at the change."""
    white = rng.standard_normal((m, 2)).astype(np.float32)
    dull = pb.LowpassFilter(cutoff_frequency_hz=800)(white.T.copy(), sr).T * np.float32(3.0)
    mid = pb.LowpassFilter(cutoff_frequency_hz=3500)(white.T.copy(), sr).T * np.float32(1.5)
    s = np.linspace(0.0, 1.0, m, dtype=np.float32)[:, None]
    a = np.clip(1 - 2 * s, 0, 1)  # dull -> mid over the first half, mid -> full after
    b = np.clip(2 * s - 1, 0, 1)
    noise = dull * a + mid * (1 - a - b) + white * b
    env = np.float32(10.0) ** (np.float32(-1.2) * (1 - s))
    head, tail = min(m, int(0.2 * sr)), min(m, int(0.005 * sr))
    env[:head] *= np.linspace(0.0, 1.0, head, dtype=np.float32)[:, None]
    env[m - tail :] *= np.linspace(1.0, 0.0, tail, dtype=np.float32)[:, None]
    return noise * env


def impact(sr: int, rng: np.random.Generator) -> np.ndarray:
    """(2.5 s, 2) of an impact, peak about 1: a sine falling 70 -> 38 Hz under a 0.6 s
    decay, and a 60 ms crack of low-passed noise on its front."""
    m = int(2.5 * sr)
    t = np.arange(m, dtype=np.float64) / sr
    freq = 38 + 32 * np.exp(-t / 0.25)
    boom = np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / 0.6)
    crack = rng.standard_normal(m) * np.exp(-t / 0.06) * 0.5
    crack = pb.LowpassFilter(cutoff_frequency_hz=2500)(crack[None, :].astype(np.float32), sr)[0]
    body = boom + crack
    attack = int(0.002 * sr)
    body[:attack] *= np.linspace(0.0, 1.0, attack)
    body[-64:] *= np.linspace(1.0, 0.0, 64)
    return np.repeat(body.astype(np.float32)[:, None], 2, axis=1)


# ---------------------------------------------------------------- bus


def glue(
    mix: np.ndarray,
    sr: int,
    ratio: float,
    under_db: float,
    loop: bool,
    spare: list[float] = (),  # type: ignore[assignment]
    pre_gain: np.ndarray | None = None,
) -> np.ndarray:
    """Per-sample gain of a gentle bus compressor, computed from the mix (times pre_gain,
    the level curve) and given to every stem alike (so the stems still add up to the mix):
    RMS over 50 ms, a threshold ``under_db`` below the loud passages (95th percentile),
    30 ms attack (a hit's front passes), 250 ms release. Around the times in ``spare`` (the
    accents on video cuts) it lets go, as if the hits were printed after the bus: they
    stay the strongest onsets."""
    n = len(mix)
    blk = 256
    nb = n // blk
    if nb < 8 or ratio <= 1:
        return np.ones(n, dtype=np.float32)
    flat = mix[: nb * blk].reshape(nb, -1)
    ms = np.einsum("ij,ij->i", flat, flat) / (2 * blk)
    centres = (np.arange(nb) + 0.5) * blk
    if pre_gain is not None:
        ms = ms * np.square(pre_gain[centres.astype(np.intp)], dtype=np.float64)
    win = max(1, round(0.05 * sr / blk))
    ms = np.convolve(np.r_[ms[-win:] if loop else ms[:win], ms], np.ones(win) / win)[win : win + nb]
    db = 10 * np.log10(ms + 1e-12)
    loud = np.percentile(db[db > db.max() - 40], 95)
    over = np.maximum(0.0, db - (loud - under_db)) * (1 - 1 / ratio)
    gr = _smooth_gr(over, math.exp(-blk / (0.030 * sr)), math.exp(-blk / (0.250 * sr)), loop)
    for t in spare:  # let go over the 20 ms into the hit, hold 0.6 s, back in over 1 s
        d = centres / sr - t
        w = np.clip(np.minimum((d + 0.03) / 0.02, (1.6 - d) / 1.0), 0.0, 1.0)
        gr *= 1 - (0.5 - 0.5 * np.cos(np.pi * w))
    return _block_ramp((10 ** (-gr / 20)).astype(np.float32), blk, n, loop)


def _smooth_gr(over: np.ndarray, a_att: float, a_rel: float, loop: bool) -> np.ndarray:
    """One-pole attack / release over block gain reductions; a loop runs twice, so the
    state at its start is the state at its end."""
    gr = np.empty_like(over)
    state = 0.0
    for _ in range(2 if loop else 1):
        for i, x in enumerate(over.tolist()):
            a = a_att if x > state else a_rel
            state = a * state + (1 - a) * x
            gr[i] = state
    return gr


def _block_ramp(g: np.ndarray, blk: int, n: int, loop: bool) -> np.ndarray:
    """Block gains (at block centres) to samples, linearly; the common one-shot case in
    float32 without np.interp (a loop interpolates round its end with np.interp)."""
    nb, h = g.size, blk // 2
    if loop:
        centres = np.arange(nb) * blk + h
        return np.interp(np.arange(n), centres, g, period=n).astype(np.float32)
    ramp = np.arange(blk, dtype=np.float32) / blk
    nxt = np.r_[g[1:], g[-1]]
    body = (g[:, None] + (nxt - g)[:, None] * ramp).ravel()  # each centre to the next
    out = np.empty(n, dtype=np.float32)
    out[:h] = g[0]
    out[h : h + body.size] = body[: n - h]
    out[h + body.size :] = g[-1]
    return out
