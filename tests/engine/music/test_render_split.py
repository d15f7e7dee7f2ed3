"""Effects run as two pieces on two threads must sound like one pass: the splice is checked
against a single uninterrupted pass of the same board over real rendered stems."""

from __future__ import annotations

import numpy as np
import pedalboard as pb
import pytest

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.music import render as R
from nemodesk.engine.music import threads
from nemodesk.engine.music.genres import GENRE_TEMPLATES

SR = 44100


def reverb() -> pb.Pedalboard:
    return pb.Pedalboard([pb.HighpassFilter(150), pb.Reverb(room_size=0.85, wet_level=0.5)])


def compressor() -> pb.Pedalboard:
    return R._chain("drums", GENRE_TEMPLATES["lofi"])


@pytest.fixture(scope="module")
def stem(engine_module):
    """A real 30 s mix before effects: chords, bass and drums from the engine's synth."""
    _plan, score = engine_module.compose(parse_brief("upbeat pop with drums", duration_s=30), 5)
    out = np.zeros((score.n_samples, 2), dtype=np.float32)
    for part in score.parts:
        R.render_part(part, engine_module.sampler, out, loop=False)
    return out


@pytest.fixture(scope="module")
def engine_module():
    from nemodesk.engine.music.generate import MusicEngine

    return MusicEngine()


@pytest.mark.parametrize("board", [reverb, compressor], ids=["reverb", "compressor"])
def test_pieces_match_one_pass(stem, board):
    assert len(R._pieces(len(stem), SR)) == 2  # long enough to be split
    whole = board()(stem, SR)
    split = R._effects(stem.copy(), board, SR, False, threads.pool())
    assert split.shape == whole.shape
    err = np.abs(split - whole)
    mid = len(stem) // 2
    level = np.abs(whole[mid - SR : mid + SR]).max()
    # the splice differs from one pass by less than -50 dB of the music around it
    assert err.max() < level * 10 ** (-50 / 20), (err.max(), level)
    # and the first piece is exactly the one pass
    assert np.array_equal(split[: mid - 1], whole[: mid - 1])


def test_split_is_deterministic(stem):
    a = R._effects(stem.copy(), reverb, SR, False, threads.pool())
    b = R._effects(stem.copy(), reverb, SR, False, threads.pool())
    assert np.array_equal(a, b)


def test_short_audio_is_one_piece():
    assert R._pieces(int(R.SPLIT_MIN_S * SR) - 1, SR) == [(0, int(R.SPLIT_MIN_S * SR) - 1)]
