"""The head of a long track (progressive preview) against the track itself: the same notes
through the same chain, mastered to the level its span has in the full master (estimated
from the score), so the swap from one to the other is not heard."""

from __future__ import annotations

import numpy as np
import pytest

from nemodesk.engine.brief import parse_brief
from nemodesk.engine.music.audiofile import read_audio
from nemodesk.engine.music.head import head_score, render_head, wants_head

# measured over 15 briefs (3-min tracks, 8 s heads, past the 1 s fade-in): the head's level
# against the full track's over those 7 s -0.9 .. +2.8 dB, each second's -3.9 .. +3.8 dB (the
# most: strong builds, a trap intro and an EDM riser into the first verse), difference 7 ..
# 29 dB under the music. Before the presets' own loudness counted (head.part_power) and the
# risers were set against the whole track's bus: a trap build's head +5.2 dB (+6.1 in a
# second), an EDM build's +6.6 dB for its first five seconds.
LEVEL_DB = 2.0
SECOND_DB = 4.5
DIFF_DB = -12.0
BUILD_LEVEL_DB = 3.0
BUILD_DIFF_DB = -6.0


def _db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20))


def test_only_long_tracks_get_a_head():
    assert not wants_head(15.0) and not wants_head(20.0) and wants_head(30.0)


def test_head_score_keeps_the_sections_and_the_notes_that_start_in_it(engine):
    _, score = engine.compose(parse_brief("60-second upbeat pop"), 3)
    head = head_score(score, 9.5)
    assert head.duration_s == 9.5 and head.sections == score.sections and not head.loop
    for full, cut in zip(score.parts, head.parts, strict=True):
        assert cut.notes == [n for n in full.notes if n.start_s < 9.5]
    assert any(n.start_s >= 9.5 for p in score.parts for n in p.notes)  # some were left out


@pytest.mark.parametrize(
    ("prompt", "level_db", "diff_db"),
    [
        ("90-second lofi hip hop chill", LEVEL_DB, DIFF_DB),
        ("90-second tense cinematic score that builds to a finale", LEVEL_DB, DIFF_DB),
        ("3-minute dark trap beat that builds", BUILD_LEVEL_DB, BUILD_DIFF_DB),
        ("3-minute energetic EDM track that builds to a big drop", BUILD_LEVEL_DB, BUILD_DIFF_DB),
    ],
)
def test_head_is_the_tracks_first_seconds(engine, tmp_path, prompt, level_db, diff_db):
    brief = parse_brief(prompt)
    made = render_head(engine, brief, 21, tmp_path / "head.wav")
    full = engine.generate(brief, 21, tmp_path / "full.wav")
    h, sr = read_audio(made["path"])
    f, _ = read_audio(full.path)
    assert len(h) == round(8.0 * sr) and made["duration_s"] == brief.duration_s
    a, b = sr, len(h)  # past the fade-in
    level = _db(h[a:b]) - _db(f[a:b])
    diff = _db(h[a:b] - f[a:b]) - _db(f[a:b])
    seconds = [_db(h[t : t + sr]) - _db(f[t : t + sr]) for t in range(a, b, sr)]
    print(f"{prompt}: level {level:+.2f} dB, difference {diff:.1f} dB, each second "
          + " ".join(f"{x:+.1f}" for x in seconds))  # fmt: skip
    assert abs(level) <= level_db
    assert max(abs(x) for x in seconds) <= SECOND_DB  # the swap to the full track: no jump
    assert diff <= diff_db
