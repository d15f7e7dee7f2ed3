"""Variations that differ: each take after the first changes at least two of lead, tempo,
key, chords and groove, never what the user set — and they sound different, measured on the
rendered audio with an independent meter (librosa chroma)."""

from __future__ import annotations

import itertools

import librosa
import numpy as np
import pytest

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.music import variations as V

PROMPTS = (
    "upbeat acoustic travel vlog, warm",
    "lo-fi chill hip-hop",
    "epic cinematic trailer",
    "calm ambient piano",
    "energetic electronic",
)
DURATION_S = 20.0
SEED = 11
MAX_CHROMA_COSINE = 0.75
SR = 22050


def chroma_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over frames of the cosine between corresponding chroma frames."""
    n = min(a.shape[1], b.shape[1])
    a, b = a[:, :n], b[:, :n]
    num = (a * b).sum(axis=0)
    den = np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0) + 1e-9
    return float(np.mean(num / den))


def test_every_take_after_the_first_changes_two_aspects_or_more() -> None:
    for prompt in (*PROMPTS, "sad piano", "playful chiptune", "jazz cafe", "rock anthem"):
        brief = parse_brief(prompt, duration_s=20)
        takes = V.takes(brief, 5, SEED)
        assert len(takes) == 5
        assert V.changes(brief, takes[0]) == []  # take 1 is the brief itself
        for take in takes[1:]:
            changed = V.changes(brief, take)
            assert len(changed) >= 2, (prompt, changed)
            assert {"progression", "groove"} <= set(changed)
            if "tempo" in changed:
                assert 0.04 <= abs(take.bpm / brief.bpm - 1) <= 0.085, (prompt, take.bpm)
        # no two takes make the same choice of chords and groove
        picks = [(t.progression, t.groove) for t in takes]
        assert len(set(picks)) == len(picks), (prompt, picks)


def test_what_the_user_set_is_never_varied() -> None:
    brief = parse_brief("lo-fi chill hip-hop", duration_s=20, bpm=100, key="D")
    assert "tempo" not in brief.chosen and "key" not in brief.chosen
    takes = V.takes(brief, 4, SEED)
    assert {t.bpm for t in takes} == {100.0}
    assert {(t.key, t.mode) for t in takes} == {("D", brief.mode)}
    for take in takes[1:]:
        assert len(V.changes(brief, take)) >= 2  # still a different take

    flute = parse_brief("upbeat acoustic travel vlog with flute", duration_s=20)
    assert V.lead_of(flute) == "flute"
    for take in V.takes(flute, 4, SEED):
        assert V.lead_of(take) == "flute"

    # everything fixed that can be: chords and groove still change
    fixed = parse_brief("upbeat acoustic with flute", duration_s=20, bpm=120, key="A")
    for take in V.takes(fixed, 3, SEED)[1:]:
        assert V.changes(fixed, take) == ["progression", "groove"]
        assert (take.bpm, take.key, V.lead_of(take)) == (120.0, "A", "flute")


def test_a_chosen_variation_varies_again_from_itself() -> None:
    brief = V.takes(parse_brief("energetic electronic", duration_s=20), 3, SEED)[1]
    again = V.takes(brief, 3, SEED)
    assert again[0] == brief
    for take in again[1:]:
        assert take.groove != brief.groove and take.progression != brief.progression


def test_descriptions_say_how_each_take_differs() -> None:
    for prompt in PROMPTS:
        brief = parse_brief(prompt, duration_s=20)
        takes = V.takes(brief, 3, SEED)
        texts = []
        for i, take in enumerate(takes):
            info = V.info(brief, take, i)
            for lang in ("en", "zh"):
                texts.append(
                    V.describe(
                        info["changes"],
                        lead=info["lead_instrument"],
                        bpm=take.bpm,
                        key=take.key,
                        mode=take.mode,
                        lang=lang,
                        groove=info["groove_name"],
                        chords=info["chords"],
                        first=i == 0,
                    )
                )
        assert len(set(texts)) == len(texts), texts
        assert texts[0].startswith("the brief's take · ") and "BPM" in texts[0]
        assert " lead" in texts[2] or "new chords" in texts[2]


def _chroma(engine, brief, seed: int) -> np.ndarray:
    _, _, rendered = engine.render(brief, seed)
    mix = np.asarray(rendered.mix, dtype=np.float32)
    mono = mix.mean(axis=1) if mix.ndim == 2 else mix
    y = librosa.resample(mono, orig_sr=engine.sample_rate, target_sr=SR)
    return librosa.feature.chroma_stft(y=y, sr=SR)


@pytest.fixture(scope="module")
def chromas(engine) -> dict[str, list[np.ndarray]]:
    """Three takes of each prompt, rendered once for the module; and, under "same", the
    first prompt's brief again with another seed (what "3 variations" used to make)."""
    out = {}
    for prompt in PROMPTS:
        brief = parse_brief(prompt, duration_s=DURATION_S)
        out[prompt] = [
            _chroma(engine, take, SEED + i) for i, take in enumerate(V.takes(brief, 3, SEED))
        ]
    out["same"] = [_chroma(engine, parse_brief(PROMPTS[0], duration_s=DURATION_S), SEED + 1)]
    return out


@pytest.mark.parametrize("prompt", PROMPTS)
def test_variations_sound_different(chromas, prompt: str) -> None:
    takes = chromas[prompt]
    cosines = [chroma_cosine(a, b) for a, b in itertools.combinations(takes, 2)]
    print(prompt, [round(c, 3) for c in cosines])
    assert max(cosines) <= MAX_CHROMA_COSINE, (prompt, cosines)


def test_the_meter_can_fail(chromas) -> None:
    """The brief re-rendered with another seed only (what "3 variations" used to make) is
    more alike than any two variations: the meter hears what the variations change."""
    takes = chromas[PROMPTS[0]]
    same = chroma_cosine(takes[0], chromas["same"][0])
    apart = max(chroma_cosine(a, b) for a, b in itertools.combinations(takes, 2))
    print("same brief, other seed", round(same, 3), "variations at most", round(apart, 3))
    assert same > apart + 0.05
