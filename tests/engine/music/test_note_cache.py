"""The rendered-note cache is bounded in bytes (least recently played dropped first), and a
note dropped and rendered again sounds the same: a small budget changes the speed, never
the music."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.music import synth
from nemodesk.engine.music.generate import MusicEngine


def _pcm(path: Path) -> np.ndarray:
    with av.open(str(path)) as box:
        return np.concatenate([f.to_ndarray().reshape(-1) for f in box.decode(audio=0)])


def test_cache_keeps_the_most_recent_notes_within_its_bytes() -> None:
    cache = synth.NoteCache(max_bytes=3_000_000)
    notes = {k: np.full((125_000, 2), k, np.float32) for k in range(4)}  # 1 MB each
    for k in range(3):
        cache.put((k,), notes[k])  # 1 MB each: 3 MB, the whole budget
    assert cache.currsize == 3_000_000
    assert cache.get((0,)) is not None  # 0 played again: 1 is now the oldest
    cache.put((3,), notes[3])
    assert set(cache) == {(0,), (2,), (3,)}
    assert cache.currsize <= cache.maxsize
    cache.put((4,), np.zeros((500_000, 2), np.float32))  # 4 MB: bigger than the budget
    assert (4,) not in cache and cache.currsize == 3_000_000


@pytest.mark.slow
def test_a_small_budget_bounds_the_worker_and_changes_no_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A, B, then A again with a 40 MB budget: A's notes were dropped for B's and are
    rendered again, and the second A is sample for sample the first (and the A of an
    engine whose cache holds everything)."""
    a, b = "epic cinematic trailer music that builds", "dark trap beat with 808s"
    monkeypatch.setenv(synth.NOTE_CACHE_ENV, "40")
    small = MusicEngine()
    renders = {"n": 0}
    render = small.sampler._render

    def counted(*args, **kwargs):
        renders["n"] += 1
        return render(*args, **kwargs)

    monkeypatch.setattr(small.sampler, "_render", counted)
    made = []
    for i, prompt in enumerate((a, b, a)):
        before = renders["n"]
        small.generate(parse_brief(prompt, duration_s=20), 3, tmp_path / f"small{i}.wav")
        made.append(renders["n"] - before)
        assert small.sampler._cache.currsize <= 40_000_000
    assert made[2] > 0.5 * made[0]  # A's notes had gone: most were rendered again
    monkeypatch.setenv(synth.NOTE_CACHE_ENV, "100000")
    roomy = MusicEngine()
    roomy.generate(parse_brief(a, duration_s=20), 3, tmp_path / "roomy.wav")
    assert roomy.sampler._cache.currsize > 40_000_000  # the budget really was too small
    first, again = _pcm(tmp_path / "small0.wav"), _pcm(tmp_path / "small2.wav")
    assert np.array_equal(first, again), "a note rendered again sounds different"
    assert np.array_equal(first, _pcm(tmp_path / "roomy.wav")), "the budget changed the music"
