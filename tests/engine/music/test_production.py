"""Production per genre and the mix, measured on rendered tracks and stems with meters
written here (numpy / scipy / pyloudnorm), none of them the engine's own code."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from scipy import signal

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.music import master as master_module
from nemodesk.engine.music import render as render_module
from nemodesk.engine.music.score import Note, Part, Score, Section

SR = 44100


def _mono(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float64).mean(axis=1) if x.ndim == 2 else x.astype(np.float64)


def _db(power: float) -> float:
    return float(10 * np.log10(power + 1e-30))


def _rms_dbfs(x: np.ndarray) -> float:
    return _db(np.mean(np.square(x.astype(np.float64))))


def _band_power(x: np.ndarray, lo: float, hi: float) -> float:
    """Long-term power in a band (Welch PSD of the mono signal, summed over the band)."""
    f, p = signal.welch(_mono(x), SR, nperseg=8192)
    return float(p[(f >= lo) & (f < hi)].sum() * (f[1] - f[0]))


def _frames_db(x: np.ndarray, hop_s: float) -> np.ndarray:
    """Level per hop (dB, mean square of the mono signal over two hops centred on it, so a
    low note's own cycle does not ripple the level)."""
    m = _mono(x)
    hop = int(hop_s * SR)
    k = len(m) // hop
    ms = np.mean(m[: k * hop].reshape(k, hop) ** 2, axis=1)
    ms = np.convolve(ms, [0.25, 0.5, 0.25], mode="same")
    return 10 * np.log10(ms + 1e-20)


def _render(engine, prompt: str, seconds: float = 40, seed: int = 3, genre: str | None = None):
    brief = parse_brief(prompt, duration_s=seconds)
    if genre is not None:
        assert brief.genre == genre, brief.genre
    return engine.render(brief, seed)


def _one_part_score(genre: str, part: Part, seconds: float = 6.0) -> Score:
    return Score(
        bpm=100,
        beats_per_bar=4,
        key="A",
        mode="major",
        duration_s=seconds,
        sample_rate=SR,
        genre=genre,
        sections=[Section("verse", 0.0, seconds, 0.6, 2)],
        parts=[part],
    )


def _render_score(engine, score: Score):
    return render_module.render(score, engine.sampler, end_s=score.duration_s - 0.5, seed=1)


# ----------------------------------------------------------------------------- lo-fi


def test_lofi_vinyl_texture_sits_at_minus_40_dbfs(engine):
    _, _, r = _render(engine, "lo-fi chill hip hop", genre="lofi")
    texture = r.stem("texture")  # as delivered: the master gain and the level curve applied
    level = _rms_dbfs(texture[SR : -3 * SR])
    assert -45.0 <= level <= -38.0, level
    # crackle: pops standing well out of the hiss, several a second
    x = np.abs(_mono(texture))
    pops = signal.find_peaks(x, height=6 * np.median(x) * 1.4826, distance=SR // 50)[0]
    assert len(pops) / (len(x) / SR) >= 2.0


def _cents_track(x: np.ndarray, f0: float) -> np.ndarray:
    """Instantaneous frequency of the partial near f0, in cents from f0, every 10 ms."""
    sos = signal.butter(4, [f0 * 0.85, f0 * 1.15], "bandpass", fs=SR, output="sos")
    y = signal.sosfiltfilt(sos, _mono(x))
    phase = np.unwrap(np.angle(signal.hilbert(y)))
    freq = np.diff(phase) * SR / (2 * np.pi)
    hop = SR // 100
    k = len(freq) // hop
    f = np.median(freq[: k * hop].reshape(k, hop), axis=1)
    return 1200 * np.log2(np.maximum(f, 1.0) / f0)


def _modulation(cents: np.ndarray) -> tuple[float, float]:
    """The strongest slow pitch modulation (0.2..3 Hz) of a cents track: rate, depth."""
    c = cents - cents.mean()
    w = np.hanning(len(c))
    spec = np.abs(np.fft.rfft(c * w)) * 2 / w.sum()
    f = np.fft.rfftfreq(len(c), 0.01)
    band = (f >= 0.2) & (f <= 3.0)
    i = np.argmax(np.where(band, spec, 0))
    return float(f[i]), float(spec[i])


@pytest.fixture(scope="module")
def full_engine():
    """The whole FluidR3 (the user's own-SoundFont path): its reed organ holds a steady tone
    (under 0.1 cent of slow drift through a clean chain); the built-in subset leaves that
    preset out, and the steady-looking ones it keeps (drawbar and percussive organ, square and
    saw leads) carry a vibrato or chorus of their own (2-7 cents), which would hide the wow."""
    from nemodesk.engine.music.generate import MusicEngine
    from nemodesk.engine.music.soundfont import system_soundfont

    return MusicEngine(soundfont=system_soundfont())


@pytest.mark.parametrize("genre,wobbles", [("lofi", True), ("acoustic", False)])
def test_lofi_tape_wow_on_a_sustained_tone(full_engine, genre, wobbles):
    organ = Part("organ", "chords", 20, notes=[Note(0.3, 9.5, 69, 100)])
    r = _render_score(full_engine, _one_part_score(genre, organ, seconds=11.0))
    cents = _cents_track(r.raw_stems["chords"], 440.0)[100:900]  # 1..9 s: the held note
    rate, depth = _modulation(cents)
    if wobbles:
        assert 0.5 <= rate <= 1.0 and 2.0 <= depth <= 10.0, (rate, depth)
    else:
        assert depth < 0.5, (rate, depth)


def test_lofi_is_low_passed(engine):
    _, _, r = _render(engine, "lo-fi chill hip hop", genre="lofi")
    high = _band_power(r.mix, 10000, 20000)
    mid = _band_power(r.mix, 1000, 4000)
    assert _db(high) <= _db(mid) - 20.0, _db(high) - _db(mid)


def test_lofi_drums_are_bit_reduced(engine):
    _, _, lofi = _render(engine, "lo-fi chill hip hop", genre="lofi")
    _, _, clean = _render(engine, "warm acoustic track", genre="acoustic")
    # distinct sample values: a crushed stem lives on a coarse grid of levels
    crushed = np.unique(lofi.raw_stems["drums"]).size
    full = np.unique(clean.raw_stems["drums"]).size
    assert crushed <= 4096 and full >= 100_000, (crushed, full)


# ----------------------------------------------------------------------------- electronic


def _kicks(drums: np.ndarray) -> np.ndarray:
    """Kick onsets (s) found in the drum stem: jumps of the sub-150 Hz level."""
    sos = signal.butter(4, 150, "lowpass", fs=SR, output="sos")
    low = signal.sosfilt(sos, _mono(drums))
    db = _frames_db(low[:, None], 0.005)
    rise = db[2:] - db[:-2]
    peaks = signal.find_peaks(rise, height=10.0, distance=40)[0]
    loud = db[peaks + 2] > db.max() - 25
    return (peaks[loud] + 1) * 0.005


def _dips(stem: np.ndarray, kicks: np.ndarray, skip: list[float]) -> np.ndarray:
    """Level over the 70 ms before each kick minus the level 20..60 ms after it (dB, 10 ms
    frames), for kicks away from the bar lines in skip (a held note is restruck there)."""
    db = _frames_db(stem, 0.01)
    out = []
    for t in kicks:
        if min(abs(t - b) for b in skip) < 0.05:
            continue
        i = round(t / 0.01)
        if i < 10 or i + 10 >= len(db):
            continue
        pre = db[i - 8 : i - 1].mean()
        if pre < db.max() - 30:  # the stem is not playing here
            continue
        out.append(pre - db[i + 2 : i + 6].mean())
    return np.array(out)


def test_electronic_pads_pump_with_the_kick(engine):
    plan, _, r = _render(engine, "upbeat electronic track", genre="electronic")
    kicks = _kicks(r.stem("drums"))
    assert len(kicks) >= 40
    dips = _dips(r.stem("pads"), kicks, plan.bars_s)
    assert len(dips) >= 20
    assert 4.0 <= np.median(dips) <= 8.0, np.median(dips)


def test_electronic_held_bass_pumps_with_the_kick(engine):
    """A held synth bass note under a four-on-the-floor kick: the bass stem dips at each
    kick (the track's own bass line is mostly off the beat, where the dip has recovered)."""
    beat = 60 / 124
    kick = Part("drums", "drums", 24, is_drum=True,
                notes=[Note(0.5 + i * beat, 0.1, 36, 110) for i in range(12)])  # fmt: skip
    bass = Part("synth_bass", "bass", 38, notes=[Note(0.3, 6.0, 36, 100)])
    score = _one_part_score("electronic", kick, seconds=7.5)
    score.parts.append(bass)
    score.bpm = 124
    r = _render_score(engine, score)
    kicks = _kicks(r.stem("drums"))
    assert len(kicks) >= 10
    dips = _dips(r.stem("bass"), kicks[1:], [-1.0])
    assert len(dips) >= 8
    assert 4.0 <= np.median(dips) <= 8.0, dips


def _detune_profile(lead: np.ndarray, notes: list[Note]) -> tuple[np.ndarray, np.ndarray]:
    """Spectral power of the lead against the offset (cents) from the exact harmonics of the
    notes it plays, summed over harmonics above 1.2 kHz (where a few cents are resolved)."""
    m = _mono(lead)
    spec = np.abs(np.fft.rfft(m)) ** 2
    f = np.fft.rfftfreq(len(m), 1 / SR)
    offsets = np.arange(-30, 31)
    profile = np.zeros(offsets.size)
    for key in {n.key for n in notes}:
        f0 = 440 * 2 ** ((key - 69) / 12)
        for h in range(1, 12):
            fh = f0 * h
            if not 1200 <= fh <= 6000:
                continue
            edges = fh * 2 ** ((offsets[:, None] + np.array([-0.5, 0.5])) / 1200)
            idx = np.searchsorted(f, edges)
            profile += [spec[a:b].sum() for a, b in idx]
    return offsets, 10 * np.log10(profile + 1e-30)


def test_electronic_lead_is_two_detuned_copies(engine):
    _, score, r = _render(engine, "upbeat electronic track", genre="electronic")
    notes = [n for p in score.parts if p.group == "melody" for n in p.notes]
    offsets, prof = _detune_profile(r.raw_stems["melody"], notes)
    smooth = np.convolve(prof, np.ones(3) / 3, mode="same")
    # two peaks, a dip between them (the preset's own tuning may sit a few cents off A440,
    # so the copies are measured from their midpoint)
    peaks, props = signal.find_peaks(smooth, prominence=1.5)
    assert len(peaks) >= 2, (offsets[peaks], smooth.round(1))
    a, b = sorted(peaks[np.argsort(props["prominences"])[-2:]])
    half = (offsets[b] - offsets[a]) / 2
    assert 8 <= half <= 15, half
    assert abs(smooth[a] - smooth[b]) <= 6.0
    assert smooth[a:b].min() <= min(smooth[a], smooth[b]) - 2.0


def _changes(plan, min_start: float = 3.0) -> list[float]:
    return [
        s.start_s
        for s in plan.sections[1:]
        if s.name != "ending" and s.start_s >= min_start and s.end_s - s.start_s >= 2.0
    ]


def test_electronic_noise_risers_into_section_changes(engine):
    plan, _, r = _render(engine, "upbeat electronic track", seconds=60, genre="electronic")
    changes = _changes(plan)
    assert changes
    sos = signal.butter(4, [5000, 14000], "bandpass", fs=SR, output="sos")
    hf = _frames_db(signal.sosfilt(sos, _mono(r.mix))[:, None], 0.25)
    for t in changes:
        # 3 s before, against the half second before the change's last bar (the drums'
        # fill into a change is bright of its own): the noise has been rising all along
        i = int(t / 0.25)
        early, late = hf[i - 12 : i - 10].mean(), hf[i - 4 : i - 2].mean()
        assert late - early >= 5.0, (t, late - early)


# ----------------------------------------------------------------------------- cinematic


def test_cinematic_impacts_on_section_changes(engine):
    plan, _, r = _render(engine, "tense cinematic thriller score", seconds=60, genre="cinematic")
    changes = _changes(plan)
    assert changes
    sos = signal.butter(4, 100, "lowpass", fs=SR, output="sos")
    low = _frames_db(signal.sosfilt(sos, _mono(r.mix))[:, None], 0.05)
    for t in changes:
        i = round(t / 0.05)
        jump = low[i : i + 6].mean() - low[i - 10 : i - 2].mean()
        assert jump >= 6.0, (t, jump)


def _lra(x: np.ndarray) -> float:
    """EBU Tech 3342 loudness range: short-term (3 s) loudness every 0.1 s, absolute gate
    -70 LUFS, relative gate -20 LU, then the spread from the 10th to the 95th percentile."""
    meter = pyloudnorm.Meter(SR)
    y = x.astype(np.float64)
    for f in meter._filters.values():
        y = f.apply_filter(y)
    power = np.cumsum(np.r_[np.zeros((1, y.shape[1])), y**2], axis=0).sum(axis=1)
    w, hop = 3 * SR, SR // 10
    starts = np.arange(0, len(y) - w, hop)
    st = -0.691 + 10 * np.log10((power[starts + w] - power[starts]) / w + 1e-30)
    st = st[st > -70]
    rel = -0.691 + 10 * np.log10(np.mean(10 ** ((st + 0.691) / 10))) - 20
    st = st[st > rel]
    return float(np.percentile(st, 95) - np.percentile(st, 10))


def test_cinematic_build_has_a_wide_loudness_range(engine):
    brief = parse_brief("cinematic score that builds to a dramatic finale", duration_s=60)
    assert brief.genre == "cinematic" and brief.arc == "build"
    _, _, r = engine.render(brief, 4)
    assert _lra(r.mix) >= 8.0, _lra(r.mix)


# ----------------------------------------------------------------------------- rock


def _harmonics(x: np.ndarray, f0: float, count: int = 9) -> np.ndarray:
    m = _mono(x)
    spec = np.abs(np.fft.rfft(m * np.hanning(len(m)))) ** 2
    f = np.fft.rfftfreq(len(m), 1 / SR)
    return np.array(
        [spec[(f > f0 * h * 0.97) & (f < f0 * h * 1.03)].sum() for h in range(1, count + 1)]
    )


def test_rock_guitar_goes_through_an_amp_and_cabinet(engine):
    """The same clean electric guitar note through the rock chain and the acoustic one:
    driven (lower crest factor, more upper harmonics) into a cabinet (no fizz above 6 kHz)."""
    f0 = 440 * 2 ** ((52 - 69) / 12)  # E3
    guitar = Part("guitar", "chords", 27, notes=[Note(0.2, 2.5, 52, 110)])
    out = {}
    for genre in ("rock", "acoustic"):
        r = _render_score(engine, _one_part_score(genre, guitar, seconds=4.0))
        x = r.raw_stems["chords"][int(0.4 * SR) : int(2.4 * SR)]
        h = _harmonics(x, f0, 20)
        m = _mono(x)
        out[genre] = {
            "crest": 20 * np.log10(np.abs(m).max() / np.sqrt(np.mean(m**2))),
            "upper": _db(h[7:20].sum()) - _db(h[:7].sum()),
            "cab": _db(_band_power(x, 6000, 16000)) - _db(_band_power(x, 800, 3000)),
        }
    rock, clean = out["rock"], out["acoustic"]
    assert rock["crest"] <= clean["crest"] - 4.0, out
    assert rock["upper"] >= clean["upper"] + 8.0, out
    assert rock["cab"] <= -30.0, out


def test_rock_guitars_are_double_tracked_wide(engine):
    _, _, r = _render(engine, "140 BPM rock", genre="rock")
    g = r.stem("chords").astype(np.float64)
    corr = np.corrcoef(g[:, 0], g[:, 1])[0, 1]
    side = np.sqrt(np.mean((g[:, 0] - g[:, 1]) ** 2))
    mid = np.sqrt(np.mean((g[:, 0] + g[:, 1]) ** 2))
    assert corr < 0.6 and side / mid >= 0.5, (corr, side / mid)


def test_rock_drums_are_compressed_harder(engine):
    hits = [Note(0.25 + 0.5 * i, 0.2, 36 if i % 2 == 0 else 38, 50 if i % 4 < 2 else 120)
            for i in range(16)]  # fmt: skip
    spread = {}
    for genre in ("rock", "acoustic"):
        drums = Part("drums", "drums", 16, is_drum=True, notes=hits)
        r = _render_score(engine, _one_part_score(genre, drums, seconds=9.0))
        db = _frames_db(r.raw_stems["drums"], 0.005)
        body = [db[int((n.start_s + 0.02) / 0.005) : int((n.start_s + 0.12) / 0.005)].mean()
                for n in hits]  # fmt: skip
        loud = np.mean([b for b, n in zip(body, hits, strict=True) if n.vel == 120])
        soft = np.mean([b for b, n in zip(body, hits, strict=True) if n.vel == 50])
        spread[genre] = loud - soft
    assert spread["rock"] <= spread["acoustic"] - 2.0, spread


# ----------------------------------------------------------------------------- the mix

MIX_PROMPTS = [
    ("warm acoustic track", "acoustic"),
    ("lo-fi chill hip hop", "lofi"),
    ("upbeat electronic track", "electronic"),
    ("140 BPM rock", "rock"),
    ("tense cinematic thriller score", "cinematic"),
    ("smooth jazz cafe", "jazz"),
]


@pytest.mark.parametrize("prompt,genre", MIX_PROMPTS)
def test_mix_has_a_stereo_field_that_survives_mono(engine, prompt, genre):
    _, _, r = _render(engine, prompt, seconds=30, genre=genre)
    x = r.mix.astype(np.float64)
    side = np.sqrt(np.mean((x[:, 0] - x[:, 1]) ** 2))
    mid = np.sqrt(np.mean((x[:, 0] + x[:, 1]) ** 2))
    corr = np.corrcoef(x[:, 0], x[:, 1])[0, 1]
    assert 0.1 <= side / mid <= 0.5 and corr > 0.2, (side / mid, corr)


@pytest.mark.parametrize("prompt,genre", MIX_PROMPTS)
def test_low_end_is_kick_and_bass_not_pads(engine, prompt, genre):
    _, _, r = _render(engine, prompt, seconds=30, genre=genre)
    for group in ("pads", "chords"):
        if group in r.raw_stems:
            x = r.raw_stems[group]
            low, body = _band_power(x, 20, 120), _band_power(x, 200, 2000)
            assert _db(low) <= _db(body) - 12.0, (group, _db(low) - _db(body))


def test_bus_glue_compresses_the_loud_moments(engine):
    """The bus gain (mix over the sum of the stems) dips where the sum is loud, beyond the
    slow level curve: both are detrended over 3 s before they are compared."""
    _, _, r = _render(engine, "warm acoustic track", genre="acoustic")
    raw = sum(r.raw_stems.values())
    level = _frames_db(raw, 0.05)[20:-60]
    gain = (_frames_db(r.unmastered, 0.05)[20:-60]) - level
    k = np.ones(61) / 61
    lv = level - np.convolve(level, k, mode="same")
    gn = gain - np.convolve(gain, k, mode="same")
    inner = slice(30, -30)
    slope = np.polyfit(lv[inner], gn[inner], 1)[0]
    assert slope <= -0.1, slope


@pytest.mark.parametrize("use,target", [("web", -14.0), ("broadcast", -23.0)])
def test_loudness_target_per_use(engine, use, target):
    assert master_module.loudness_for(use) == target
    brief = parse_brief("warm acoustic track", duration_s=30)
    _, _, r = engine.render(brief, 5, loudness_lufs=master_module.loudness_for(use))
    measured = pyloudnorm.Meter(SR).integrated_loudness(r.mix.astype(np.float64))
    assert abs(measured - target) <= 1.0, measured
