"""Tempo and energy words, English and Chinese.

The table format is described in ``words.format``.
"""

from __future__ import annotations

from nemodesk.engine.brief.words.format import expand

# (place in the genre's tempo range: 0 low end, 1 high end, <0 / >1 beyond it, a pure tempo
# word?) -> phrases. Mood-like words ("upbeat") steer the tempo but leave it "chosen".
_TEMPO = {
    (-0.35, True): "very slow, really slow, super slow, 很慢",
    (0.0, True): "slow, slower, slow paced, slow tempo, 慢, 慢节奏",
    (0.1, True): "downtempo, down tempo",
    (0.2, False): "relaxed, laid back, 舒缓",
    (0.15, True): "leisurely",
    (0.5, True): "mid tempo, midtempo, medium tempo, moderate, moderate tempo, 中速",
    (0.8, False): "upbeat, 轻快, 欢快",
    (0.85, True): "uptempo, up tempo, brisk",
    (0.9, False): "energetic, 激烈",
    (0.9, True): "driving",
    (1.0, True): "fast, fast paced, quick, high tempo, 快, 快节奏",
    (1.35, True): "very fast, really fast, super fast, 很快",
}
# shift of the overall energy (0..1) -> phrases
_ENERGY = {
    0.2: "high energy, 高能",
    0.15: "energetic, powerful, 有力, 强烈",
    0.1: "punchy, intense, hard hitting, driving, 动感",
    0.05: "big",
    -0.2: "low energy",
    -0.1: (
        "soft, gentle, subtle, minimal, minimalist, quiet, understated, sparse, 柔和, 轻柔, 安静, "
        "简约"
    ),
    -0.05: "background, 背景",
}

TEMPO_WORDS = expand(_TEMPO)
ENERGY_WORDS = expand(_ENERGY)
