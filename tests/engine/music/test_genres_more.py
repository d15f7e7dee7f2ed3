"""The genres of issue 17 (hip-hop, house, funk, folk, epic, R&B, reggae, kids, 国风):
named in English and Chinese, and each heard as itself on a real render — its tempo, its
key, its length to the sample, its loudness and a seamless loop — measured with
independent meters (librosa, pyloudnorm, mido), never the engine's own numbers."""

from __future__ import annotations

import mido
import numpy as np
import pytest

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.brief.defaults import GENRE_BPM
from tests.audio_checks import clicks, loudness, mono, rms_db, true_peak_db

SR = 44100
# genre: (English prompt, Chinese prompt)
PROMPTS = {
    "hiphop": ("a hard trap beat", "来一段说唱伴奏"),
    "house": ("deep house for a fashion reel", "浩室舞曲"),
    "funk": ("70s disco funk", "放克风格的音乐"),
    "folk": ("warm country folk song", "温暖的民谣"),
    "epic": ("epic orchestral battle music", "管弦史诗"),
    "rnb": ("smooth r&b slow jam", "节奏布鲁斯"),
    "reggae": ("sunny reggae", "雷鬼音乐"),
    "kids": ("cartoon music for a kids show", "儿童卡通音乐"),
    "guofeng": ("chinese traditional music", "古风国风配乐"),
}
NEW = tuple(PROMPTS)
NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MAJOR = (0, 2, 4, 5, 7, 9, 11)
MAJOR_PENTATONIC = (0, 2, 4, 7, 9)
# 古筝 (koto), 琵琶 (shamisen), 笛子 (shakuhachi, flute), 二胡 (fiddle)
GUOFENG_PROGRAMS = {107, 106, 77, 73, 110}


@pytest.mark.parametrize("genre", NEW)
@pytest.mark.parametrize("lang", [0, 1], ids=["en", "zh"])
def test_named_in_english_and_chinese(genre: str, lang: int) -> None:
    b = parse_brief(PROMPTS[genre][lang])
    assert b.genre == genre
    assert "genre" not in b.chosen


@pytest.mark.parametrize(
    ("text", "genre"),
    [
        ("lofi hip hop", "lofi"),
        ("chillhop", "lofi"),
        ("boom bap", "lofi"),
        ("低保真嘻哈", "lofi"),
        ("film score", "cinematic"),
        ("cinematic", "cinematic"),
        ("electronic", "electronic"),
        ("synthwave", "electronic"),
        ("acoustic", "acoustic"),
        ("house tour vlog", "acoustic"),
        ("epic cinematic trailer", "cinematic"),
        ("chinese folk", "guofeng"),
        ("古筝", "guofeng"),
        ("hip hop", "hiphop"),
        ("edm", "house"),
        ("country", "folk"),
        ("orchestral", "epic"),
    ],
)
def test_broad_words_keep_their_genre(text: str, genre: str) -> None:
    assert parse_brief(text).genre == genre


def _chroma(audio: np.ndarray) -> np.ndarray:
    """Energy per pitch class (CQT chroma summed over the track)."""
    import librosa

    y = librosa.resample(mono(audio).astype(np.float32), orig_sr=SR, target_sr=22050)
    return librosa.feature.chroma_cqt(y=y, sr=22050).sum(axis=1)


def _best_set(chroma: np.ndarray, steps: tuple[int, ...]) -> int:
    """The transposition (0..11) of the pitch-class set ``steps`` holding most energy."""
    return int(np.argmax([chroma[[(t + s) % 12 for s in steps]].sum() for t in range(12)]))


def _tempo(audio: np.ndarray) -> float:
    import librosa

    y = librosa.resample(mono(audio).astype(np.float32), orig_sr=SR, target_sr=22050)
    env = librosa.onset.onset_strength(y=y, sr=22050, hop_length=256)
    return float(librosa.feature.tempo(onset_envelope=env, sr=22050, hop_length=256)[0])


@pytest.fixture(scope="module")
def renders(engine):
    out = {}
    for genre in NEW:
        brief = parse_brief(PROMPTS[genre][0], duration_s=20.0)
        out[genre] = (brief, *engine.render(brief, 5, loudness_lufs=-14.0))
    return out


@pytest.mark.parametrize("genre", NEW)
def test_tempo_in_the_genre_range(renders, genre: str) -> None:
    """The brief's tempo sits in the genre's range and the beat a tracker hears is it
    (or its half or double: a beat tracker may count either)."""
    brief, _, _, r = renders[genre]
    low, high = GENRE_BPM[genre]
    assert low <= brief.bpm <= high
    found = _tempo(r.mix)
    assert min(abs(found / (brief.bpm * k) - 1) for k in (0.5, 1, 2)) <= 0.05, (found, brief)


@pytest.mark.parametrize("genre", NEW)
def test_key_and_mode_heard(renders, genre: str) -> None:
    """The notes a listener hears are the key's: its scale (pentatonic for 国风) holds
    more energy than any other transposition, and its tonic more than the relative one's."""
    brief, _, _, r = renders[genre]
    chroma = _chroma(r.mix)
    tonic = NAMES.index(brief.key)
    major_tonic = tonic if brief.mode == "major" else (tonic + 3) % 12
    steps = MAJOR_PENTATONIC if genre == "guofeng" else MAJOR
    assert _best_set(chroma, steps) == major_tonic, (brief.key, brief.mode, chroma.round())
    relative = (tonic + 9) % 12 if brief.mode == "major" else (tonic + 3) % 12
    assert chroma[tonic] > chroma[relative], (brief.key, brief.mode, chroma.round())


@pytest.mark.parametrize("genre", NEW)
def test_length_loudness_peaks_and_clicks(renders, genre: str) -> None:
    _, _, _, r = renders[genre]
    assert len(r.mix) == round(20.0 * SR)
    assert abs(loudness(r.mix, SR) - -14.0) <= 1.0
    assert true_peak_db(r.mix) <= -1.0
    assert clicks(r.mix, SR) == []


@pytest.mark.parametrize("genre", NEW)
def test_loop_has_no_seam(engine, genre: str) -> None:
    brief = parse_brief(PROMPTS[genre][0] + " loop", duration_s=12.0)
    assert brief.loop and brief.genre == genre
    plan, _, r = engine.render(brief, 9)
    x = r.mix.astype(np.float64)
    assert len(x) == round(12.0 * SR)
    ordinary = np.abs(np.diff(x, axis=0)).max()
    assert np.abs(x[0] - x[-1]).max() <= ordinary
    bar = round(plan.bar_s * SR)  # the bar before the seam against the bar after it
    assert abs(rms_db(x[-bar:]) - rms_db(x[:bar])) <= 3.0


def _pentatonic_share(f0: np.ndarray, energy: np.ndarray, tonic: int) -> float:
    """Share of the voiced energy whose pitch class is in the major pentatonic on
    ``tonic`` (the five notes all five Chinese modes share)."""
    voiced = np.isfinite(f0) & (f0 > 0)
    pcs = np.round(12 * np.log2(f0[voiced] / 440.0) + 69).astype(int) % 12
    w = energy[voiced]
    inside = np.isin(pcs, [(tonic + s) % 12 for s in MAJOR_PENTATONIC])
    return float(w[inside].sum() / max(w.sum(), 1e-12))


@pytest.mark.parametrize("prompt", [*PROMPTS["guofeng"], "sad 国风"])
def test_guofeng_tune_is_pentatonic_on_chinese_voices(engine, tmp_path, prompt: str) -> None:
    """The melody stem sings the five notes: pitch tracked (pYIN) on the rendered lead,
    ≥ 95% of its voiced energy on the key's pentatonic scale (gong in major, yu in minor;
    the same tune on the diatonic scale measures 89%); the tune and its harp-like
    comping are played by the GM koto/shamisen/shakuhachi/flute/fiddle voices (read back
    from the written MIDI file)."""
    import librosa

    brief = parse_brief(prompt, duration_s=20.0)
    assert brief.genre == "guofeng"
    midi_path = tmp_path / "g.mid"
    engine.generate(brief, 5, tmp_path / "g.wav", midi_path=midi_path)
    programs = {
        m.program
        for t in mido.MidiFile(str(midi_path)).tracks
        for m in t
        if m.type == "program_change" and m.channel != 9
    }
    assert len(programs & GUOFENG_PROGRAMS) >= 2, programs
    _, score, r = engine.render(brief, 5)
    lead = [p for p in score.parts if p.group == "melody"]
    assert lead and lead[0].program in GUOFENG_PROGRAMS
    assert lead[0].notes
    y = librosa.resample(mono(r.stem("melody")).astype(np.float32), orig_sr=SR, target_sr=22050)
    f0, _, _ = librosa.pyin(y, fmin=180.0, fmax=1400.0, sr=22050, frame_length=2048)
    energy = librosa.feature.rms(y=y, frame_length=2048, hop_length=512)[0][: len(f0)] ** 2
    tonic = NAMES.index(brief.key) if brief.mode == "major" else (NAMES.index(brief.key) + 3) % 12
    assert _pentatonic_share(f0[: len(energy)], energy, tonic) >= 0.95


@pytest.mark.parametrize(("name", "mode"), [("C", "major"), ("F#", "major"), ("A", "minor")])
def test_pentatonic_key_keeps_every_chord_to_five_notes(name: str, mode: str) -> None:
    """A pentatonic key's chords (what the composer plays when the genre asks for it) use
    only the five notes of its mode; each chord keeps three tones and its root's slot."""
    from nemodesk.engine.music.theory import Key

    key = Key.parse(name, mode, True)
    tonic = NAMES.index(name)
    five = {(tonic + s) % 12 for s in ((0, 2, 4, 7, 9) if mode == "major" else (0, 3, 5, 7, 10))}
    assert key.pentatonic_pcs() == five
    for degree in range(7):
        for seventh in (False, True):
            chord = key.chord(degree, seventh)
            assert set(chord) <= five and len(chord) == 3 + seventh
    assert key.chord(0) == Key.parse(name, mode).chord(0)  # the tonic chord is untouched
