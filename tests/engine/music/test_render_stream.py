"""The render runs in blocks streamed to disk: it must sound like one pass over the whole
track (effects with their state carried across blocks, no click where blocks meet), write
the same files, and keep its memory flat whatever the track's length."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pedalboard as pb
import pytest

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.music import audiofile, dsp, production, spool
from nemodesk.engine.music import render as R
from nemodesk.engine.music import texture as T
from nemodesk.engine.music.synth import render_part

SR = 44100
BLOCK = spool.BLOCK


@pytest.fixture(scope="module")
def score_30s(engine):
    _plan, score = engine.compose(parse_brief("upbeat pop with drums", duration_s=30), 5)
    return score


@pytest.fixture(scope="module")
def dry(engine, score_30s):
    """A real 30 s mix before effects: chords, bass and drums from the engine's synth."""
    out = np.zeros((score_30s.n_samples, 2), dtype=np.float32)
    for part in score_30s.parts:
        render_part(part, engine.sampler, out, loop=False)
    return out


def _by_blocks(chain: R.StreamChain, x: np.ndarray, size: int) -> np.ndarray:
    return np.concatenate([chain(x[a:b].copy()) for a, b in spool.blocks(len(x), size)])


def reverb() -> pb.Pedalboard:
    return pb.Pedalboard([pb.HighpassFilter(150), pb.Reverb(room_size=0.85, wet_level=0.5)])


@pytest.mark.parametrize(
    "make",
    [
        reverb,
        lambda: production.chain("drums", production.production_for("lofi")),
        lambda: production.chain("bass", production.production_for("lofi")),
        lambda: production.chain("chords", production.production_for("rock")),
        lambda: production.chain("pads", production.production_for("cinematic")),
    ],
    ids=["reverb", "drums-lofi", "bass-lofi", "chords-rock-amp", "pads-cinematic"],
)
def test_chain_by_blocks_is_one_pass(dry, make):
    """Every stage keeps its state from block to block: the blocks joined are one pass
    (to float rounding: under -70 dB of the peak, where the amp's 28 dB drive scales it
    up), in odd block sizes too."""
    whole = make()(dry.copy(), SR)
    for size in (BLOCK // 4, 40_000):
        joined = _by_blocks(R.StreamChain(make(), SR), dry, size)
        level = np.abs(whole).max()
        assert joined.shape == whole.shape
        assert np.abs(joined - whole).max() < level * 10 ** (-70 / 20), size


def test_synthesis_by_blocks_is_exact(engine, score_30s, dry):
    """Any block of a part is made on its own, sample for sample what the whole-track
    overlap-add makes (notes across a block's edge included)."""
    n = score_30s.n_samples
    takes = [R._Take(part, engine.sampler, n, loop=False) for part in score_30s.parts]
    joined = np.zeros((n, 2), dtype=np.float32)
    for a, b in spool.blocks(n, 50_000):
        for take in takes:
            take.add(joined[a:b], a)
    assert np.array_equal(joined, dry)


def test_wow_by_blocks_is_exact(dry):
    n = len(dry)
    whole = production.wow([dry], SR, 0.7, 5.0, loop=False)[0]
    wow = R._Wow(n, SR, 0.7, 5.0, loop=False)
    hist = np.zeros((wow.history, 2), np.float32)
    parts = []
    for a, b in spool.blocks(n, production.WOW_CHUNK * 3):
        parts.append(wow(dry[a:b], hist, a))
        hist = dry[b - wow.history : b]
    assert np.array_equal(np.concatenate(parts), whole)


def test_level_curve_by_blocks_is_exact(score_30s):
    env = R.Envelope(score_30s, score_30s.duration_s - 3.0)
    whole = env(0, score_30s.n_samples)
    joined = np.concatenate([env(a, b) for a, b in spool.blocks(score_30s.n_samples, 70_000)])
    assert np.array_equal(joined, whole)
    assert whole[0] == 0.0 and whole[-1] < 1e-6  # fade-in from, ring-out to silence


def test_master_by_blocks_matches_master(dry):
    """spool.master_track is master.master: the same gain, loudness and true peak, the
    same samples to float rounding."""
    from nemodesk.engine.music import master

    ref = master.master(dry, SR, target_lufs=-16.0)
    store = spool.Spool()
    try:
        x = store.track("x", len(dry))
        x.write(0, dry)
        gain_db, lufs, tp, gb = spool.master_track(x, SR, target_lufs=-16.0)
        y = np.concatenate([spool.mastered(x, gb, False, a, b) for a, b in spool.blocks(len(dry))])
    finally:
        store.close()
    assert gain_db == pytest.approx(ref.gain_db, abs=1e-6)
    assert lufs == pytest.approx(ref.loudness_lufs, abs=1e-3)
    assert tp == pytest.approx(ref.true_peak_db, abs=1e-3)
    assert np.abs(y - ref.audio).max() < 1e-6


def test_block_writer_is_the_whole_writer(tmp_path, dry):
    """A WAV written block by block is byte for byte the one written whole (the seeded
    dither included)."""
    x = dry[: BLOCK + 12345] * np.float32(0.5)
    whole = audiofile.write_audio(tmp_path / "a.wav", x, SR)
    blocks = audiofile.write_audio_blocks(tmp_path / "b.wav", lambda a, b: x[a:b], len(x), SR)
    assert whole.read_bytes() == blocks.read_bytes()


def _jumps(x: np.ndarray) -> np.ndarray:
    return np.abs(np.diff(x.astype(np.float64), axis=0)).max(axis=1)


@pytest.mark.parametrize(
    "prompt",
    ["chill lofi hip hop beat", "energetic electronic dance track", "hard rock anthem"],
)
def test_no_click_where_blocks_meet(engine, prompt):
    """Across every block join of a real render (25 s: four joins), the mix moves no more
    than it does anywhere else; the stems add up to the mix before mastering."""
    _, _, r = engine.render(parse_brief(prompt, duration_s=25), 3)
    mix = r.mix
    jumps = _jumps(mix)
    joins = range(BLOCK, len(mix), BLOCK)
    assert len(joins) >= 4
    at_joins = max(jumps[j - 2 : j + 2].max() for j in joins)
    assert at_joins <= np.percentile(jumps, 99.9), (at_joins, np.percentile(jumps, 99.9))
    total = sum(r.raw_stems[g] for g in r.groups)
    env = r.envelope
    assert np.abs(production.scale_rows(total, env) - r.unmastered).max() < 1e-4


def _peak_traced(engine, seconds: float) -> float:
    """Peak memory (MB) numpy and Python allocate while a track is rendered and written."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        _, _, r = engine.render(parse_brief("upbeat acoustic travel vlog", duration_s=seconds), 7)
        for a, b in spool.blocks(r.n_samples):  # read out as the file writer does
            r.mix_block(a, b)
            r.stem_block("drums", a, b)
        r.close()
        return (tracemalloc.get_traced_memory()[1] - base) / 2**20
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_length(engine):
    """A render's traced peak memory is flat with the track's length: 6 minutes take at
    most a few MB more than 1.5 (the block-level gain arrays of mastering), where
    whole-track arrays would take ~21 MB per stereo stem per minute (~10 of them)."""
    engine.render(parse_brief("upbeat acoustic travel vlog", duration_s=20), 7)  # warm
    short = _peak_traced(engine, 90)
    long = _peak_traced(engine, 360)
    assert long - short < 30, (short, long)
    assert long < 150, long


def test_spool_files_are_reused_and_never_left(tmp_path, monkeypatch):
    """Scratch files are unlinked at once (nothing left behind) and handed to the next
    render (writing over cached pages is quicker than new ones)."""
    monkeypatch.setenv(spool.SCRATCH_ENV, str(tmp_path))
    store = spool.Spool()
    t = store.track("x", 1000)
    t.write(0, np.ones((1000, 2), np.float32))
    assert list(tmp_path.iterdir()) == []
    fd = t._fd
    store.close()
    spare = {f for f, _ in spool._FREE}
    assert fd in spare
    again = spool.Spool()
    assert again.track("y", 500)._fd in spare
    again.close()


def test_scratch_goes_to_the_cache_folder_not_tmp(tmp_path, monkeypatch):
    """By default spools live in the user's cache folder (on disk): /tmp is a RAM disk on
    many systems, where a 20-minute track's spools would be 2 GB of memory again."""
    monkeypatch.delenv(spool.SCRATCH_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "NemoDesk" / "scratch"
    assert spool.scratch_dir() == str(folder) and folder.is_dir()
    monkeypatch.setenv(spool.SCRATCH_ENV, str(tmp_path / "elsewhere"))
    assert spool.scratch_dir() == str(tmp_path / "elsewhere")


def test_texture_by_blocks(engine):
    n = 3 * SR
    whole = T.texture_block(SR, 11, 0, n, n)
    joined = np.concatenate([T.texture_block(SR, 11, a, b, n) for a, b in spool.blocks(n, 9999)])
    assert np.array_equal(whole, joined)


def test_the_crackle_does_not_come_round_again():
    """The hiss repeats every 37 s (noise that long is not heard repeating); the pops must
    not: they were part of the loop, so every 37 s the same crackle came back. Measured as
    a listener would catch it: the loudest pops of one stretch and of the stretch 37 s
    later, at the same places or not."""
    period = int(T.TEXTURE_LOOP_S * SR)
    n = 3 * period
    tex = T.texture_block(SR, 5, 0, n, n)[:, 0]
    hiss = T.hiss_loop(SR)[:, 0]
    start = T.texture_start(SR, 5)
    tiled = np.resize(np.roll(hiss, -start), n)
    pops = tex - tiled  # the crackle alone
    assert np.abs(pops).max() > 10 * np.abs(tiled).std()  # pops stand out of the hiss

    def loudest(x: np.ndarray) -> set[int]:
        idx = np.argsort(np.abs(x))[::-1]
        seen: set[int] = set()
        for i in idx[:4000].tolist():
            if all(abs(i - j) > SR // 100 for j in seen):
                seen.add(i)
            if len(seen) == 20:
                break
        return {i // (SR // 100) for i in seen}  # 10 ms bins

    first, again = loudest(pops[:period]), loudest(pops[period : 2 * period])
    assert len(first & again) <= 2, sorted(first & again)  # chance alone: about 0.1
    assert abs(dsp.rms_db(tex) - T.texture_db(SR)) < 1.0  # levelled as it is measured
